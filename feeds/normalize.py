"""Turning feedparser's loose dictionaries into plain, comparable entries."""

from __future__ import annotations

import calendar
import hashlib
import html
import re
import time
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any, TypeVar
from urllib.parse import urljoin

from feeds.badchars import bounded_references, encodable
from feeds.models import NormalizedEntry

_SPACE = re.compile(r"\s+")
# C0 controls other than whitespace: they break terminals, and no legitimate headline
# contains them. (Lone surrogates become U+FFFD: see feeds.badchars.)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_BLOCK_TAGS = {"p", "br", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote"}
_SKIP_TAGS = {"script", "style", "template", "noscript"}
# What a browser drops without showing: comments (an unclosed one runs to the end),
# and "bogus comments" such as <!DOCTYPE ...>, <![CDATA[...> and <?...> in HTML.
# HTMLParser hands unfinished ones back as text ("safe<!--"), so they go first.
_INVISIBLE = re.compile(r"<!--->|<!-->|<!--.*?(?:--!?>|\Z)|<[!?][^>]*(?:>|\Z)", re.DOTALL)
MAX_TITLE = 1_000
MAX_SUMMARY = 4_000
MAX_UID = 500
# More entries than any real feed carries; past it the document is abuse, and the
# newest entries come first in practice. One cap for RSS/Atom and JSON Feed alike.
MAX_ENTRIES = 5_000
# A summary is read for detection and shown as an excerpt; past this many characters
# of markup the rest is never needed, and stripping it would only cost time.
_MAX_HTML = 200_000


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


def _fold(text: str, limit: int) -> str:
    text = _SPACE.sub(" ", _CONTROL.sub("", encodable(text))).strip()
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text


def plain_text(value: str | None, limit: int = MAX_SUMMARY, *, is_html: bool = True) -> str:
    """One line of text: tags dropped, entities decoded, whitespace folded.

    `is_html=False` is for text the feed declared as plain: a title such as
    "Why <video> tags matter" keeps its angle brackets.
    """
    if not value:
        return ""
    value = str(value)
    if is_html and ("<" in value or "&" in value):
        value = bounded_references(value[:_MAX_HTML])
        if "<!" in value or "<?" in value:
            value = _INVISIBLE.sub(" ", value)
        extractor = _TextExtractor()
        try:
            extractor.feed(value)
            extractor.close()
            value = "".join(extractor.parts)
        except (AssertionError, ValueError):
            # HTMLParser gives up on some broken markup; fall back to the raw text.
            value = html.unescape(re.sub(r"<[^>]*>", " ", value))
    return _fold(value, limit)


def aware_time(parsed: time.struct_time | None) -> datetime | None:
    """feedparser's *_parsed values are UTC struct_time; make them aware datetimes."""
    if parsed is None:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(parsed), UTC)
    except (OverflowError, ValueError, OSError, TypeError):
        return None


def absolute_link(link: str | None, base: str) -> str | None:
    if not link or not isinstance(link, str):
        return None
    link = link.strip()
    try:
        joined = urljoin(base, link)
    except ValueError:
        return None
    if not joined.startswith(("http://", "https://")):
        # javascript:, data: and friends have no place in an alert.
        return None
    if any(ch.isspace() for ch in joined):
        joined = re.sub(r"\s", lambda m: f"%{ord(m.group()):02X}", joined)
    return encodable(joined)


_Item = TypeVar("_Item")


def first_entries(items: Sequence[_Item]) -> tuple[Sequence[_Item], str | None]:
    """The raw entries worth reading (at most MAX_ENTRIES), and a warning if some were cut."""
    if len(items) <= MAX_ENTRIES:
        return items, None
    return items[:MAX_ENTRIES], f"only the first {MAX_ENTRIES} of {len(items)} entries were read"


def stable_hash(*parts: str) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode("utf-8", "surrogatepass"))
        digest.update(b"\x1f")
    return digest.hexdigest()[:32]


def _uid(guid: str, link: str | None, title: str, summary: str, published: datetime | None) -> str:
    """guid, else link, else a hash of title and date: what dedup keys on.

    An item with no title either (RSS 2.0 allows a bare description) is known by its
    text instead, or every such item without a date would be one entry.
    """
    key = guid or link or ""
    if key:
        # Very long ids are cut, with a hash of the whole so two long ids that
        # share a prefix stay apart.
        return key if len(key) <= MAX_UID else key[: MAX_UID - 33] + "#" + stable_hash(key)
    date = published.isoformat() if published else ""
    if not title:
        return "hash:" + stable_hash(title, date, summary)
    return "hash:" + stable_hash(title, date)


def build_entry(
    *,
    guid: str,
    title: str,
    summary: str,
    link: str | None,
    published: datetime | None,
    lang: str | None,
) -> NormalizedEntry:
    """The one place a NormalizedEntry is made, whatever the feed format."""
    if summary == title:
        summary = ""
    return NormalizedEntry(
        uid=_uid(encodable(guid.strip()), link, title, summary, published),
        content_hash=stable_hash(title, summary, link or ""),
        title=title,
        summary=summary,
        link=link,
        published_at=published,
        lang=short_lang(lang),
    )


def short_lang(value: object) -> str | None:
    """'ru-RU' -> 'ru'; anything unusable -> None."""
    if not value:
        return None
    text = str(value).strip().replace("_", "-").split("-")[0].split(",")[0].strip().lower()
    return text if text.isalpha() and 2 <= len(text) <= 3 else None


def _detail_is_html(raw: Mapping[str, Any], key: str) -> bool:
    detail = raw.get(f"{key}_detail")
    if isinstance(detail, Mapping):
        return str(detail.get("type", "text/html")) != "text/plain"
    return True


def normalize_entry(
    raw: Mapping[str, Any], base_url: str, feed_lang: str | None
) -> NormalizedEntry:
    title = plain_text(raw.get("title"), MAX_TITLE, is_html=_detail_is_html(raw, "title"))
    summary_html = raw.get("summary") or ""
    summary_is_html = _detail_is_html(raw, "summary")
    if not summary_html and raw.get("content"):
        first = raw["content"][0]
        if isinstance(first, Mapping):
            summary_html = first.get("value", "")
            summary_is_html = str(first.get("type", "text/html")) != "text/plain"
    summary = plain_text(summary_html, MAX_SUMMARY, is_html=summary_is_html)
    link = absolute_link(raw.get("link"), base_url)
    published = aware_time(raw.get("published_parsed") or raw.get("updated_parsed"))
    return build_entry(
        guid=str(raw.get("id") or ""),
        title=title,
        summary=summary,
        link=link,
        published=published,
        lang=raw.get("language") or feed_lang,
    )
