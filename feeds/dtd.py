"""Taking entity declarations out of a feed before any XML parser sees them.

feedparser's own defence against entity bombs only finds declarations that start a
line, and expat's amplification limit allows a hundred times the document's size:
a 1 MB feed declaring one 240-byte entity and using it 300,000 times inflates to
hundreds of megabytes. Feeds have no real use for a DOCTYPE's internal subset, so a
DOCTYPE that declares entities is removed whole. References to the entities it
declared are then undefined: feedparser falls back to its lenient parser, which
leaves them as text (and still knows the HTML ones such as &nbsp;).
"""

from __future__ import annotations

from feeds.encoding import one_for_one_codec


def _doctype_end(text: str, start: int) -> int:
    """Index just past the DOCTYPE that starts at `start`, or -1 if it never ends.

    Quoted strings may contain ']' and '>', so they are skipped as units.
    """
    depth = 0
    quote = ""
    for index in range(start + len("<!DOCTYPE"), len(text)):
        char = text[index]
        if quote:
            if char == quote:
                quote = ""
        elif char in "\"'":
            quote = char
        elif char == "[":
            depth += 1
        elif char == "]":
            depth = max(depth - 1, 0)
        elif char == ">" and depth == 0:
            return index + 1
    return -1


def strip_entity_declarations(body: bytes) -> bytes:
    """The document without a DOCTYPE that declares entities; unchanged otherwise.

    The whole document is searched: padding before the DOCTYPE must not hide it.
    """
    codec = one_for_one_codec(body)
    if codec == "latin-1" and b"<!ENTITY" not in body:
        return body  # the common case, decided without decoding anything
    text = body.decode(codec, errors="replace")
    start = text.find("<!DOCTYPE")
    if start < 0 or "<!ENTITY" not in text[start:]:
        return body
    end = _doctype_end(text, start)
    # An unterminated DOCTYPE leaves nothing that could be a document after it.
    stripped = text[:start] + (text[end:] if end >= 0 else "")
    return stripped.encode(codec, errors="replace")
