"""feedparser on fetched bytes, turned into Tocsin's ParsedFeed.

Parsing is CPU work: callers run `parse_feed` through a `feeds.parse_pool.ParsePool`
(or any executor), never on the event loop. Everything here is a pure function of
its arguments, so it can run in another process.

Why these feedparser options:
- bytes, never a URL: feedparser must not fetch anything itself (no SSRF, no caps);
- sanitize_html and resolve_relative_uris off: Tocsin turns HTML into plain text and
  resolves the one link it keeps, so both passes would be wasted time;
- only the decoding-related response headers are passed on.
Entity-expansion bombs: a DOCTYPE that declares entities is removed before
feedparser sees the document (feeds.dtd explains why feedparser's and expat's own
limits are not enough). Character references XML forbids (`&#xD800;`) are repaired
before that (feeds.badchars), or one bad character would fail the whole feed.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

import feedparser

from feeds.badchars import encodable, repair_references
from feeds.dtd import strip_entity_declarations
from feeds.encoding import encoding_override
from feeds.errors import FeedError, ParseError
from feeds.jsonfeed import looks_like_json_feed, parse_json_feed
from feeds.models import NormalizedEntry, ParsedFeed

# Re-exported: the cap is part of what parse_feed promises (tests/test_corpus.py).
from feeds.normalize import MAX_ENTRIES as MAX_ENTRIES
from feeds.normalize import (
    absolute_link,
    first_entries,
    normalize_entry,
    plain_text,
    short_lang,
)
from feeds.redact import redact_url

logger = logging.getLogger(__name__)

_UPDATE_PERIODS = {
    "hourly": 3600,
    "daily": 86400,
    "weekly": 604800,
    "monthly": 2592000,
    "yearly": 31536000,
}
_DECODING_HEADERS = ("content-type", "content-location", "content-language")


def ttl_seconds(feed: Mapping[str, Any]) -> int | None:
    """RSS <ttl>, in minutes in the document."""
    ttl = str(feed.get("ttl") or "").strip()
    if ttl.isdigit() and 0 < int(ttl) < 10_000_000:
        return int(ttl) * 60
    return None


def update_period_seconds(feed: Mapping[str, Any]) -> int | None:
    """sy:updatePeriod / sy:updateFrequency: 'hourly' x 2 means every 30 minutes."""
    period = str(feed.get("sy_updateperiod") or "").strip().lower()
    if period not in _UPDATE_PERIODS:
        return None
    frequency = str(feed.get("sy_updatefrequency") or "1").strip()
    count = int(frequency) if frequency.isdigit() and 0 < int(frequency) < 100_000 else 1
    return max(_UPDATE_PERIODS[period] // count, 60)


def _not_a_feed(body: bytes, bozo: bool, problem: object) -> ParseError:
    text_start = body[:1024].lstrip().lower()
    if not body.strip():
        return ParseError("the response is empty", kind="not_a_feed")
    if text_start.startswith((b"<!doctype html", b"<html")) or b"<html" in text_start:
        return ParseError("the page is HTML, not a feed", kind="not_a_feed")
    if text_start.startswith((b"{", b"[")):
        return ParseError("the response is JSON, but not a JSON Feed", kind="not_a_feed")
    reason = f": {problem}" if bozo and problem else ""
    return ParseError(f"not an RSS, Atom or JSON feed{reason}"[:300], kind="not_a_feed")


def parse_feed(body: bytes, url: str, headers: Mapping[str, str] | None = None) -> ParsedFeed:
    """Parse a feed document; raise ParseError when it is not a feed at all."""
    response_headers = {k.lower(): v for k, v in (headers or {}).items()}
    content_type = response_headers.get("content-type")
    if looks_like_json_feed(body, content_type):
        return parse_json_feed(body, url)
    passed = {k: v for k, v in response_headers.items() if k in _DECODING_HEADERS}
    override = encoding_override(body, content_type)
    if override is not None:
        # An application/xml charset outranks every other declaration in feedparser.
        passed["content-type"] = f"application/xml; charset={override}"
    try:
        parsed = feedparser.parse(
            strip_entity_declarations(repair_references(body)),
            response_headers=passed,
            sanitize_html=False,
            resolve_relative_uris=False,
        )
    except FeedError:
        raise
    except (RecursionError, MemoryError) as exc:
        raise ParseError(f"the document is too deeply nested: {exc!r}"[:300]) from None
    except Exception as exc:
        # feedparser is robust but not total; whatever escapes it is one feed's problem.
        logger.warning("feedparser raised on %s: %r", redact_url(url), exc)
        raise ParseError(f"feedparser failed: {type(exc).__name__}: {exc}"[:300]) from None
    feed: Mapping[str, Any] = parsed.get("feed", {})
    raw_entries: Sequence[Mapping[str, Any]] = list(parsed.get("entries", []))
    bozo = bool(parsed.get("bozo", False))
    problem = parsed.get("bozo_exception")
    version = str(parsed.get("version") or "")
    if not raw_entries and not feed.get("title") and not version:
        raise _not_a_feed(body, bozo, problem)
    feed_lang = short_lang(feed.get("language") or response_headers.get("content-language"))
    title_detail = feed.get("title_detail")
    title_is_html = not (
        isinstance(title_detail, Mapping) and title_detail.get("type") == "text/plain"
    )
    site_url = absolute_link(feed.get("link"), url)
    base = site_url or url
    raw_entries, cut = first_entries(raw_entries)
    warning = cut or (encodable(str(problem))[:300] if bozo and problem else None)
    entries: list[NormalizedEntry] = [normalize_entry(raw, base, feed_lang) for raw in raw_entries]
    return ParsedFeed(
        title=plain_text(feed.get("title"), 300, is_html=title_is_html),
        site_url=site_url,
        lang=feed_lang,
        entries=tuple(entries),
        ttl_seconds=ttl_seconds(feed),
        update_period_seconds=update_period_seconds(feed),
        warning=warning,
        version=version,
        encoding_override=override,
    )
