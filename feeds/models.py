"""What a fetched and parsed feed looks like once Tocsin has normalised it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class NormalizedEntry:
    """One feed item as plain text with a stable identity.

    `uid` is what dedup keys on (guid, else link, else a hash of title and date);
    `content_hash` changes when the publisher edits the title, summary or link.
    """

    uid: str
    content_hash: str
    title: str
    summary: str
    link: str | None
    published_at: datetime | None
    lang: str | None = None


@dataclass(frozen=True)
class ParsedFeed:
    title: str
    site_url: str | None
    lang: str | None
    entries: tuple[NormalizedEntry, ...]
    # Publisher hints about polling, in seconds: <ttl> says "do not refetch sooner";
    # sy:updatePeriod/sy:updateFrequency says how often the feed claims to change.
    ttl_seconds: int | None = None
    update_period_seconds: int | None = None
    # feedparser's "bozo" note: the document was not well formed but was salvaged.
    warning: str | None = None
    # rss20, atom10, json, ... as feedparser names them; "" when unknown.
    version: str = ""
    # The encoding the document was read in, when Tocsin had to overrule its
    # declarations (see feeds.encoding).
    encoding_override: str | None = None
    extra: dict[str, str] = field(default_factory=dict)
