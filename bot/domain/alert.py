"""What a platform sender needs to render one event for one chat."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from bot.domain.chat import Chat
from bot.domain.detection import Clause
from bot.stories.records import EscalationKind, Story

# What a message does: a new one, an edit of a story's message, or a reply to it.
MessageKind = Literal["send", "edit", "reply"]


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
    # A story row: the story as it is now (what a send or an edit shows), the
    # message that shows it in this chat (what an edit changes or a reply answers)
    # and the version that message shows; a reply's escalations.
    kind: MessageKind = "send"
    story: Story | None = None
    message_id: str | None = None
    shown_version: int | None = None
    escalations: tuple[EscalationKind, ...] = ()
    # The story's places by id, named in each language.
    place_names: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    @property
    def is_weak(self) -> bool:
        return not self.categories and bool(self.weak_categories)
