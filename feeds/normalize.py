"""Turning feedparser's loose dictionaries into plain, comparable entries."""

from __future__ import annotations

import calendar
import hashlib
import html
import re
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin

from feeds.models import NormalizedEntry

_SPACE = re.compile(r"\s+")
_BLOCK_TAGS = {"p", "br", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote"}
_SKIP_TAGS = {"script", "style", "template", "noscript"}
MAX_TITLE = 1_000
MAX_SUMMARY = 4_000


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS:
            self._skipping += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS and self._skipping:
            self._skipping -= 1
        elif tag in _BLOCK_TAGS:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


def plain_text(value: str | None, limit: int = MAX_SUMMARY) -> str:
    """HTML to one line of text: tags dropped, entities decoded, whitespace folded."""
    if not value:
        return ""
    if "<" in value or "&" in value:
        extractor = _TextExtractor()
        try:
            extractor.feed(value)
            extractor.close()
            value = "".join(extractor.parts)
        except (AssertionError, ValueError):
            # HTMLParser gives up on some broken markup; fall back to the raw text.
            value = html.unescape(re.sub(r"<[^>]*>", " ", value))
    text = _SPACE.sub(" ", value.replace("\x00", "")).strip()
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text


def aware_time(parsed: time.struct_time | None) -> datetime | None:
    """feedparser's *_parsed values are UTC struct_time; make them aware datetimes."""
    if parsed is None:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(parsed), UTC)
    except (OverflowError, ValueError, OSError):
        return None


def absolute_link(link: str | None, base: str) -> str | None:
    if not link:
        return None
    link = link.strip()
    try:
        joined = urljoin(base, link)
    except ValueError:
        return None
    if not joined.startswith(("http://", "https://")):
        # javascript:, data: and friends have no place in an alert.
        return None
    return joined


def _hash(*parts: str) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode("utf-8", "surrogatepass"))
        digest.update(b"\x1f")
    return digest.hexdigest()[:32]


def normalize_entry(
    raw: Mapping[str, Any], base_url: str, feed_lang: str | None
) -> NormalizedEntry:
    title = plain_text(raw.get("title"), MAX_TITLE)
    summary_html = raw.get("summary") or ""
    if not summary_html and raw.get("content"):
        first = raw["content"][0]
        summary_html = first.get("value", "") if isinstance(first, Mapping) else ""
    summary = plain_text(summary_html)
    if summary == title:
        summary = ""
    link = absolute_link(raw.get("link"), base_url)
    published = aware_time(raw.get("published_parsed") or raw.get("updated_parsed"))
    guid = str(raw.get("id") or "").strip()
    if guid:
        uid = guid[:500]
    elif link:
        uid = link[:500]
    else:
        # No identity offered: title plus date is the best stable key there is.
        uid = "hash:" + _hash(title, published.isoformat() if published else "", summary[:200])
    lang = raw.get("language") or feed_lang
    return NormalizedEntry(
        uid=uid,
        content_hash=_hash(title, summary, link or ""),
        title=title,
        summary=summary,
        link=link,
        published_at=published,
        lang=(str(lang).split("-")[0].lower() or None) if lang else None,
    )
