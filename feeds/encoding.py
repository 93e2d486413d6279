"""Which character encoding a feed is really in, when its declarations cannot be trusted.

feedparser follows the declarations (HTTP charset, then the XML declaration) and,
when they fail, falls back to windows-1252: a Russian feed with a wrong or missing
declaration comes out as mojibake ("Ð Ð¾ÑÐºÐ¾Ð¼..."), which no detector can read.
Russian hosting adds its own classics: a server default of `charset=windows-1251`
on a UTF-8 feed, or a cp1251 feed declared as UTF-8.

`encoding_override` looks at the bytes and returns an encoding only when it is sure
the declarations are wrong or missing; otherwise feedparser decides as usual.
"""

from __future__ import annotations

import codecs
import re
from collections import Counter

_XML_DECLARATION = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']""")
_CHARSET = re.compile(r"""charset\s*=\s*["']?([A-Za-z0-9._:-]+)""", re.IGNORECASE)
# Single-byte encodings servers and CMSes claim by default without meaning it.
_LATIN_DEFAULTS = {"iso8859-1", "cp1252", "ascii"}
# Below this share of non-ASCII bytes among letters, text is a Latin-script language
# with a few accents (French has ~3 %, German ~1 %); Russian text is nearly all of it.
_CYRILLIC_SHARE = 0.15
_ASCII = bytes(range(0x80))
_BELOW_C0 = bytes(range(0xC0))
_NOT_ASCII_LETTERS = bytes(b for b in range(256) if not (0x41 <= b <= 0x5A or 0x61 <= b <= 0x7A))
# The commonest letters of Russian, Ukrainian and Belarusian text: two thirds of the
# letters in Russian, 60 % in Belarusian; under half in Hebrew, Greek, Arabic, Thai or
# CJK bytes misread as a Cyrillic code page (measured on feedparser's chardet samples).
_COMMON_CYRILLIC = frozenset("оеаинтсрвлкі")
_MIN_COMMON_SHARE = 0.55
_MIN_LOWER = 0.5
# Non-letters a Cyrillic code page holds that Russian text really uses.
_TEXT_SYMBOLS = frozenset("«»—–…№„“”‘’·°\xa0")
# Past this share of other non-ASCII characters (box drawing, symbols) it is not text.
_MAX_STRAYS = 0.2
# Statistics settle long before this many non-ASCII bytes.
_SAMPLE_BYTES = 256 * 1024
# Longest first: a UTF-32-LE byte order mark starts like UTF-16-LE's.
_WIDE_STARTS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
    (b"\x00\x00\x00<", "utf-32-be"),
    (b"<\x00\x00\x00", "utf-32-le"),
    (b"\x00<", "utf-16-be"),
    (b"<\x00", "utf-16-le"),
)


def _canonical(name: str | None) -> str | None:
    if not name:
        return None
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def declared_encodings(body: bytes, content_type: str | None) -> tuple[str | None, str | None]:
    """(HTTP charset, XML declaration encoding), each canonical or None."""
    http = None
    if content_type:
        match = _CHARSET.search(content_type)
        http = _canonical(match.group(1)) if match else None
    declaration = _XML_DECLARATION.match(body[:1024])
    xml = _canonical(declaration.group(1).decode("ascii")) if declaration else None
    return http, xml


def _is_utf8(body: bytes) -> bool:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def wide_encoding(body: bytes) -> str | None:
    """UTF-16 or UTF-32 with its byte order, told by a byte order mark or by the zero
    bytes around the document's first "<" (XML 1.0, appendix F)."""
    head = body[:4]
    for start, name in _WIDE_STARTS:
        if head.startswith(start):
            return name
    return None


def one_for_one_codec(body: bytes) -> str:
    """How to read a document's characters one for one, to rewrite some and encode it
    back: UTF-16 or UTF-32 in the document's own byte order (a byte order mark stays a
    character, so it comes back too), else latin-1, which maps every byte to one
    character and back, so that any ASCII-compatible document (UTF-8, windows-1251...)
    comes back byte for byte wherever its ASCII is left alone."""
    return wide_encoding(body) or "latin-1"


def cyrillic_share(body: bytes) -> float:
    """The share of non-ASCII bytes among letter-like bytes."""
    high = len(body.translate(None, _BELOW_C0))
    ascii_letters = len(body.translate(None, _NOT_ASCII_LETTERS))
    total = high + ascii_letters
    return high / total if total else 0.0


def _cyrillic_fit(high: bytes, encoding: str) -> float:
    """How much the non-ASCII bytes, read in `encoding`, look like Slavic running text:
    the share of the commonest letters among Cyrillic letters, or 0.0 when they do not
    read as mostly lower-case Cyrillic letters at all."""
    counts = Counter(high.decode(encoding, errors="replace"))
    letters = {ch: n for ch, n in counts.items() if "\u0400" <= ch <= "\u04ff" and ch.isalpha()}
    total = sum(letters.values())
    strays = sum(n for ch, n in counts.items() if ch not in letters and ch not in _TEXT_SYMBOLS)
    if not total or strays > _MAX_STRAYS * (total + strays):
        return 0.0
    if sum(n for ch, n in letters.items() if ch.islower()) < _MIN_LOWER * total:
        return 0.0
    return sum(n for ch, n in letters.items() if ch.lower() in _COMMON_CYRILLIC) / total


def guess_cyrillic(body: bytes) -> str | None:
    """windows-1251 or KOI8-R if the bytes read as Cyrillic text in one of them, else None.

    Running text is mostly lower case, and lower-case Cyrillic is 0xE0-0xFF in
    windows-1251 but 0xC0-0xDF in KOI8-R, so the wrong one reads as capitals. Any
    high-byte text (Hebrew, Greek, Thai, EUC-JP...) reads as *some* Cyrillic, though:
    only a letter mix like Russian, Ukrainian or Belarusian counts as a match.
    """
    high = body.translate(None, _ASCII)[:_SAMPLE_BYTES]
    fits = {encoding: _cyrillic_fit(high, encoding) for encoding in ("windows-1251", "koi8-r")}
    best = max(fits, key=fits.__getitem__)
    return best if fits[best] >= _MIN_COMMON_SHARE else None


def encoding_override(body: bytes, content_type: str | None) -> str | None:
    """The encoding to decode `body` with, when the declarations are wrong or absent."""
    if not body:
        return None
    http, xml = declared_encodings(body, content_type)
    wide = wide_encoding(body)
    if wide is not None:
        # Without a charset, feedparser follows RFC 3023 and reads a text/xml body as
        # US-ASCII, which turns UTF-16 into "not well-formed" garbage; the byte order
        # named outright is read right whatever the server said.
        return wide if http != wide else None
    if b"\x00" in body[:4] or body.isascii():
        return None
    declared = http or xml
    if _is_utf8(body):
        # Legacy 8-bit text almost never forms valid UTF-8 by accident, while a
        # server default "charset=windows-1251" on a UTF-8 feed is common.
        return "utf-8" if declared not in (None, "utf-8") else None
    if declared is not None and declared != "utf-8" and declared not in _LATIN_DEFAULTS:
        # A real declaration of a legacy encoding (windows-1251, koi8-r, gb18030...):
        # honour it if it decodes.
        try:
            body.decode(declared)
        except UnicodeDecodeError:
            pass
        else:
            return None
    if xml is not None and xml not in ("utf-8", *_LATIN_DEFAULTS) and xml != declared:
        # The HTTP charset is a Latin default but the document itself says otherwise.
        try:
            body.decode(xml)
        except UnicodeDecodeError:
            pass
        else:
            return xml
    if cyrillic_share(body) >= _CYRILLIC_SHARE:
        # None: high-byte text in some other script, left to feedparser's fallback.
        return guess_cyrillic(body)
    # Undeclared or misdeclared Western text: windows-1252, feedparser's own fallback.
    return None
