"""JSON Feed (https://jsonfeed.org, versions 1 and 1.1), which feedparser 6.0 cannot read.

Cheap to support: a JSON object with an `items` list whose fields map one to one
onto Tocsin's entry fields.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from feeds.errors import ParseError
from feeds.models import NormalizedEntry, ParsedFeed
from feeds.normalize import (
    MAX_SUMMARY,
    MAX_TITLE,
    absolute_link,
    build_entry,
    first_entries,
    plain_text,
    short_lang,
)


def looks_like_json_feed(body: bytes, content_type: str | None) -> bool:
    start = body[:256].lstrip(b"\xef\xbb\xbf \t\r\n")
    if not start.startswith(b"{"):
        return False
    kind = (content_type or "").split(";")[0].strip().lower()
    return kind.endswith("json") or b"jsonfeed.org" in body[:4096]


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _date(value: object) -> datetime | None:
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip().replace("Z", "+00:00").replace("z", "+00:00")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC)
    except (OverflowError, ValueError):
        return None


def _item(raw: Mapping[str, Any], base: str, feed_lang: str | None) -> NormalizedEntry:
    title = plain_text(_text(raw.get("title")), MAX_TITLE, is_html=False)
    if raw.get("summary"):
        summary = plain_text(_text(raw.get("summary")), MAX_SUMMARY, is_html=False)
    elif raw.get("content_text"):
        summary = plain_text(_text(raw.get("content_text")), MAX_SUMMARY, is_html=False)
    else:
        summary = plain_text(_text(raw.get("content_html")), MAX_SUMMARY)
    link = absolute_link(_text(raw.get("url")) or _text(raw.get("external_url")), base)
    guid = raw.get("id")
    return build_entry(
        # The spec says id is a string; numbers are common in the wild.
        guid=str(guid) if isinstance(guid, str | int) and not isinstance(guid, bool) else "",
        title=title,
        summary=summary,
        link=link,
        published=_date(raw.get("date_published")) or _date(raw.get("date_modified")),
        lang=_text(raw.get("language")) or feed_lang,
    )


def parse_json_feed(body: bytes, url: str) -> ParsedFeed:
    try:
        document = json.loads(body.decode("utf-8-sig", errors="replace"))
    except (ValueError, RecursionError) as exc:
        raise ParseError(f"not valid JSON: {exc}", kind="parse") from None
    if not isinstance(document, dict) or not isinstance(document.get("items"), list):
        raise ParseError("JSON without a JSON Feed 'items' list", kind="not_a_feed")
    home = absolute_link(_text(document.get("home_page_url")), url)
    feed_lang = short_lang(document.get("language"))
    base = home or url
    items, warning = first_entries(document["items"])
    entries = tuple(_item(raw, base, feed_lang) for raw in items if isinstance(raw, dict))
    return ParsedFeed(
        title=plain_text(_text(document.get("title")), 300, is_html=False),
        site_url=home,
        lang=feed_lang,
        entries=entries,
        warning=warning,
        version="json",
    )
