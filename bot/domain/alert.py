"""What a platform sender needs to render one event for one chat."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.domain.chat import Chat
from bot.domain.detection import Clause


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
    # Why it was detected, worded by the renderer in the chat's language.
    clauses: tuple[Clause, ...] = ()
    # Matched only as a threat, plan, bill or lifted ban: sent to chats that asked
    # for weak events, and shown as a low-severity note rather than an alert.
    weak_categories: tuple[str, ...] = ()

    @property
    def is_weak(self) -> bool:
        return not self.categories and bool(self.weak_categories)
