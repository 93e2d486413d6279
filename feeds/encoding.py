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

_XML_DECLARATION = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']""")
_CHARSET = re.compile(r"""charset\s*=\s*["']?([A-Za-z0-9._:-]+)""", re.IGNORECASE)
# Single-byte encodings servers and CMSes claim by default without meaning it.
_LATIN_DEFAULTS = {"iso8859-1", "cp1252", "ascii"}
# Below this share of non-ASCII bytes among letters, text is a Latin-script language
# with a few accents (French has ~3 %, German ~1 %); Russian text is nearly all of it.
_CYRILLIC_SHARE = 0.15


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


def _looks_wide(body: bytes) -> bool:
    """UTF-16/32 (with or without a BOM): feedparser handles those itself."""
    head = body[:4]
    if head.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return True
    return b"\x00" in head


def cyrillic_share(body: bytes) -> float:
    """The share of non-ASCII bytes among letter-like bytes."""
    high = sum(1 for byte in body if byte >= 0xC0)
    ascii_letters = sum(1 for byte in body if 0x41 <= byte <= 0x5A or 0x61 <= byte <= 0x7A)
    total = high + ascii_letters
    return high / total if total else 0.0


def guess_cyrillic(body: bytes) -> str:
    """windows-1251 or KOI8-R, told apart by letter case.

    Running text is mostly lower case. Lower-case Cyrillic is 0xE0-0xFF in
    windows-1251 but 0xC0-0xDF in KOI8-R, where 0xE0-0xFF is upper case.
    """
    upper_half = sum(1 for byte in body if byte >= 0xE0)
    lower_half = sum(1 for byte in body if 0xC0 <= byte < 0xE0)
    return "windows-1251" if upper_half >= lower_half else "koi8-r"


def encoding_override(body: bytes, content_type: str | None) -> str | None:
    """The encoding to decode `body` with, when the declarations are wrong or absent."""
    if not body or _looks_wide(body) or body.isascii():
        return None
    http, xml = declared_encodings(body, content_type)
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
        return guess_cyrillic(body)
    # Undeclared or misdeclared Western text: windows-1252, feedparser's own fallback.
    return None
