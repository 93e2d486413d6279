"""feedparser on fetched bytes, turned into Tocsin's ParsedFeed.

Parsing is CPU work: callers run `parse_feed` in an executor, never on the event loop.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import feedparser

from feeds.errors import ParseError
from feeds.models import NormalizedEntry, ParsedFeed
from feeds.normalize import absolute_link, normalize_entry, plain_text

_UPDATE_PERIODS = {"hourly": 3600, "daily": 86400, "weekly": 604800, "monthly": 2592000}
_YEARLY = 31536000


def _ttl_seconds(feed: Mapping[str, Any]) -> int | None:
    ttl = str(feed.get("ttl") or "").strip()
    if ttl.isdigit() and int(ttl) > 0:
        return int(ttl) * 60
    period = str(feed.get("sy_updateperiod") or "").strip().lower()
    if period in _UPDATE_PERIODS or period == "yearly":
        seconds = _UPDATE_PERIODS.get(period, _YEARLY)
        frequency = str(feed.get("sy_updatefrequency") or "1").strip()
        count = int(frequency) if frequency.isdigit() and int(frequency) > 0 else 1
        return max(seconds // count, 60)
    return None


def parse_feed(body: bytes, url: str, headers: Mapping[str, str] | None = None) -> ParsedFeed:
    """Parse a feed document; raise ParseError when it is not a feed at all."""
    response_headers = {k.lower(): v for k, v in (headers or {}).items()}
    # Only the headers that matter for decoding: feedparser honours the charset of
    # Content-Type, and must not be tempted to fetch anything itself.
    parsed = feedparser.parse(
        body,
        response_headers={
            key: value
            for key, value in response_headers.items()
            if key in ("content-type", "content-location", "content-language")
        },
        sanitize_html=False,
        resolve_relative_uris=False,
    )
    feed: Mapping[str, Any] = parsed.get("feed", {})
    raw_entries: list[Mapping[str, Any]] = list(parsed.get("entries", []))
    bozo = parsed.get("bozo", False)
    problem = parsed.get("bozo_exception")
    if not raw_entries and not feed.get("title"):
        version = parsed.get("version") or ""
        if not version:
            text_start = body[:512].lstrip().lower()
            if text_start.startswith((b"<!doctype html", b"<html")):
                raise ParseError("the page is HTML, not a feed", kind="not_a_feed")
            if not body.strip():
                raise ParseError("the response is empty", kind="not_a_feed")
            reason = f": {problem}" if bozo and problem else ""
            raise ParseError(f"not an RSS or Atom feed{reason}", kind="not_a_feed")
    feed_lang_raw = feed.get("language") or response_headers.get("content-language")
    feed_lang = str(feed_lang_raw).split("-")[0].split(",")[0].strip().lower() or None
    base = str(feed.get("link") or url)
    entries: list[NormalizedEntry] = [normalize_entry(raw, base, feed_lang) for raw in raw_entries]
    return ParsedFeed(
        title=plain_text(feed.get("title"), 300),
        site_url=absolute_link(feed.get("link"), url),
        lang=feed_lang if feed_lang_raw else None,
        entries=tuple(entries),
        ttl_seconds=_ttl_seconds(feed),
        warning=str(problem)[:300] if bozo and problem else None,
    )
