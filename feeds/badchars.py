"""Characters a feed can send that nothing after the parser could store or send on.

XML allows a character reference only to a character XML itself allows: `&#xD800;`
(half of a UTF-16 surrogate pair), `&#x110000;` (past Unicode) or `&#1;` (a C0
control) make the document not well-formed. feedparser then falls back to its lenient
parser, which either fails on the reference or turns it into a Python string that
cannot be encoded as UTF-8: one bad character in one item failed the whole feed, on
every poll. JSON Feed has the same hole (`"\\ud800"` decodes to a lone surrogate).

Two defences, so that neither storage, the detector, nor a platform ever gets such a
string:
- `repair_references` rewrites the document before any parser sees it, so the strict
  parser reads it and every other item comes through untouched;
- `encodable` is applied to every string the parsers hand on (text, links, ids), and
  turns whatever lone surrogate is left into U+FFFD.
"""

from __future__ import annotations

import re

from feeds.encoding import one_for_one_codec

REPLACEMENT = "\ufffd"
_SURROGATE = re.compile("[\ud800-\udfff]")
# Hexadecimal (XML writes "x"; HTML, which feedparser's lenient parser follows, also
# "X") or decimal references that *may* be bad: controls have one or two digits,
# surrogates and U+FFFE/U+FFFF four hexadecimal ones starting with D or F (five decimal
# ones), anything past U+FFFF five or more. The common ones (&#8217;, &#x2014;) are
# never matched, which keeps the repair cheap on feeds full of them. The digits are
# bounded only by the document: see _code_point.
_REFERENCE = re.compile(
    r"&#(?:[xX](0*(?:[0-9A-Fa-f]{1,2}|[DdFf][0-9A-Fa-f]{3}|[0-9A-Fa-f]{5,}))"
    r"|(0*(?:[0-9]{1,2}|[0-9]{5,})));"
)
_HIGH = range(0xD800, 0xDC00)
_LOW = range(0xDC00, 0xE000)
# Past U+10FFFF; stands for any number too long to be worth converting.
_BEYOND = 0x110000
# A decimal reference of eight digits or more (HTML needs no ";"): past U+10FFFF, and
# past 4,300 digits more than Python will convert.
_LONG_DECIMAL = re.compile(r"&#0*[1-9][0-9]{7,}")


def encodable(text: str) -> str:
    """`text` with each lone surrogate (the one thing a str can hold that UTF-8
    cannot encode) replaced by U+FFFD."""
    return _SURROGATE.sub(REPLACEMENT, text)


def bounded_references(markup: str) -> str:
    """HTML with each decimal reference past Unicode written as U+FFFD's, which is what
    an HTML parser makes of them anyway, without converting digits by the thousand
    (which Python refuses to do, failing the parse)."""
    if "&#" not in markup:
        return markup
    return _LONG_DECIMAL.sub("&#xFFFD", markup)


def _is_xml_char(point: int) -> bool:
    """The characters XML 1.0 allows (its production `Char`)."""
    return (
        point in (0x9, 0xA, 0xD)
        or 0x20 <= point <= 0xD7FF
        or 0xE000 <= point <= 0xFFFD
        or 0x10000 <= point <= 0x10FFFF
    )


def _code_point(match: re.Match[str]) -> int:
    hexadecimal, decimal = match.groups()
    digits = (hexadecimal if hexadecimal is not None else decimal).lstrip("0")
    # Eight digits are past U+10FFFF in either base; longer strings are not converted
    # at all (Python refuses decimal strings of over 4,300 digits).
    if len(digits) > 8:
        return _BEYOND
    return int(digits or "0", 16 if hexadecimal is not None else 10)


def _replacement(point: int) -> str:
    """What a reference XML forbids becomes: nothing for a control character (as
    raw ones are dropped when entries are normalised), else U+FFFD, which says that a
    character was there that could not be read."""
    return "" if point < 0x20 else "&#xFFFD;"


def _repair_text(text: str) -> str:
    pieces: list[str] = []
    copied = 0  # text[copied:] is still to be copied
    high: re.Match[str] | None = None  # a high surrogate waiting for its low half
    high_point = 0
    for match in _REFERENCE.finditer(text):
        point = _code_point(match)
        if high is not None:
            waiting, high = high, None
            if point in _LOW and waiting.end() == match.start():
                # A pair written as two references: the character the encoder meant.
                combined = 0x10000 + ((high_point - 0xD800) << 10) + (point - 0xDC00)
                pieces += [text[copied : waiting.start()], f"&#x{combined:X};"]
                copied = match.end()
                continue
            pieces += [text[copied : waiting.start()], _replacement(high_point)]
            copied = waiting.end()
        if point in _HIGH:
            high, high_point = match, point
        elif not _is_xml_char(point):
            pieces += [text[copied : match.start()], _replacement(point)]
            copied = match.end()
    if high is not None:
        pieces += [text[copied : high.start()], _replacement(high_point)]
        copied = high.end()
    if not pieces:
        return text
    pieces.append(text[copied:])
    return "".join(pieces)


def repair_references(body: bytes) -> bytes:
    """The document with every character reference XML forbids repaired or dropped;
    the very same bytes when it has none."""
    codec = one_for_one_codec(body)
    if codec == "latin-1" and b"&#" not in body:
        return body  # the common case, decided without decoding anything
    # "replace": a UTF-16 or UTF-32 document with broken code units (a raw lone
    # surrogate among them) is repaired on the way, with U+FFFD.
    text = body.decode(codec, errors="replace")
    repaired = _repair_text(text)
    if repaired is text and codec == "latin-1":
        return body
    return repaired.encode(codec, errors="replace")
