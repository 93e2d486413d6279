"""A feed as Tocsin keeps it: where it is, how it is polled, how it has been doing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from feeds.redact import redact_url


@dataclass(frozen=True)
class Feed:
    id: int
    url: str
    title: str
    site_url: str | None
    lang: str | None
    country: str | None
    kind: str
    enabled: bool
    added_at: datetime
    backlog_alerts: int | None
    etag: str | None
    last_modified: str | None
    next_check_at: datetime
    interval_seconds: int | None
    last_checked_at: datetime | None
    last_success_at: datetime | None
    last_new_entry_at: datetime | None
    last_error: str | None
    last_error_kind: str | None
    consecutive_failures: int
    failing_since: datetime | None
    primed: bool
    entry_count: int = 0
    # Ingestion state (migration 0002): the feed's publishing rhythm, its own polling
    # hints, and which admin notices are open for it.
    usual_gap_seconds: int | None = None
    newest_entry_at: datetime | None = None
    ttl_seconds: int | None = None
    update_period_seconds: int | None = None
    failure_notified_at: datetime | None = None
    silent_notified_at: datetime | None = None
    # Entries the last document listed again under new ids (see `feeds list`).
    reidentified: int = 0
    # The feed's own proxy setting (migration 0010): None follows FETCH_PROXY,
    # feeds.proxy.DIRECT fetches directly, else a proxy URL (with its password).
    proxy: str | None = None

    @property
    def shown_url(self) -> str:
        """The URL as people and logs see it: credentials and secret parameters hidden."""
        return redact_url(self.url)

    @property
    def name(self) -> str:
        return self.title or self.shown_url


@dataclass(frozen=True)
class Arrivals:
    """When a feed's entries appeared, for working out its rhythm.

    An entry "arrives" at its published time, or when Tocsin first saw it if that is
    earlier (a future date is a publisher's mistake) or if it has no date. Undated
    entries found by the very first poll arrived at some unknown earlier time: they
    count for `newest` but not for the rhythm.
    """

    rhythm: list[datetime]
    newest: datetime | None


@dataclass(frozen=True)
class FeedHealth:
    """How the feeds are doing, in numbers, for /status."""

    ok: int
    failing: int
    new: int
    disabled: int
    # The failing feeds, longest failing first, as many as were asked for.
    failing_feeds: tuple[Feed, ...]
