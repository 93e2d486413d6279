"""OPML, the format feed readers use to hand subscription lists to each other."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass


class OpmlError(ValueError):
    pass


@dataclass(frozen=True)
class Outline:
    url: str
    title: str = ""
    lang: str | None = None
    # Tocsin's own attributes (OPML allows any): other readers ignore them, and an
    # export imported back into Tocsin keeps them.
    country: str | None = None
    kind: str | None = None


def parse_opml(data: bytes) -> list[Outline]:
    """Every outline with an xmlUrl, at any depth; categories are flattened."""
    if b"<!ENTITY" in data[:65536].upper():
        # An OPML file has no use for entities; refusing them rules out expansion bombs.
        raise OpmlError("OPML with entity declarations is not accepted")
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise OpmlError(f"not valid OPML: {exc}") from None
    if root.tag.lower() != "opml":
        raise OpmlError(f"not OPML: the document starts with <{root.tag}>")
    found: list[Outline] = []
    seen: set[str] = set()
    for node in root.iter("outline"):
        url = (node.get("xmlUrl") or node.get("xmlurl") or "").strip()
        if not url or url in seen:
            continue
        seen.add(url)
        title = node.get("title") or node.get("text") or ""
        found.append(
            Outline(
                url,
                title.strip(),
                node.get("language") or None,
                node.get("country") or None,
                node.get("kind") or None,
            )
        )
    return found


def render_opml(outlines: Iterable[Outline], title: str = "Tocsin feeds") -> str:
    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = title
    body = ET.SubElement(root, "body")
    for outline in outlines:
        attributes = {"type": "rss", "text": outline.title or outline.url, "xmlUrl": outline.url}
        if outline.title:
            attributes["title"] = outline.title
        if outline.lang:
            attributes["language"] = outline.lang
        if outline.country:
            attributes["country"] = outline.country
        if outline.kind:
            attributes["kind"] = outline.kind
        ET.SubElement(body, "outline", attributes)
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
