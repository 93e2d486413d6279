"""Plain data that flows through the pipeline and comes out of storage."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from bot.domain.vocabulary import CATEGORIES, SEVERITIES

__all__ = ["CATEGORIES", "SEVERITIES", "Alert", "Chat", "Event", "Feed", "Subscription"]

Platform = Literal["console", "telegram", "discord"]


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

    @property
    def name(self) -> str:
        return self.title or self.url


@dataclass(frozen=True)
class Event:
    id: int
    entry_id: int
    categories: tuple[str, ...]
    weak_categories: tuple[str, ...]
    modality: str
    score: float
    severity: str
    explanation: str
    fields: dict[str, str]
    lang: str | None
    created_at: datetime


@dataclass(frozen=True)
class Chat:
    id: int
    platform: Platform
    external_id: str
    thread_id: str
    kind: str
    title: str | None
    language: str
    active: bool
    deactivated_reason: str | None = None


@dataclass(frozen=True)
class Subscription:
    chat_id: int
    categories: tuple[str, ...]
    languages: tuple[str, ...] = ()
    include_words: tuple[str, ...] = ()
    exclude_words: tuple[str, ...] = ()
    min_severity: str = "medium"


@dataclass(frozen=True)
class Alert:
    """Everything a sender needs to render one event for one chat."""

    outbox_id: int
    event_id: int
    chat: Chat
    categories: tuple[str, ...]
    severity: str
    explanation: str
    fields: dict[str, str]
    title: str
    summary: str
    link: str | None
    published_at: datetime | None
    feed_title: str
    feed_url: str
    entry_lang: str | None
    attempts: int = 0
    extra: dict[str, str] = field(default_factory=dict)
