"""What callers ask storage to write, as whole records instead of long argument lists.

Each intent is one write that must happen together: a feed's poll outcome, or a
poll's new entries with their events and the alerts they queue.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.domain.detection import Detection
from bot.stories.records import Action, EscalationKind, Report, Story
from feeds.models import NormalizedEntry


@dataclass(frozen=True)
class DocumentFacts:
    """What a fetched feed document said about itself and its entries."""

    title: str | None
    site_url: str | None
    lang: str | None
    new_entries: int
    usual_gap_seconds: int | None
    newest_entry_at: datetime | None
    ttl_seconds: int | None
    update_period_seconds: int | None
    # Entries the feed listed again under new ids (guids or links that change).
    reidentified: int = 0


@dataclass(frozen=True)
class PollSuccess:
    """The feed answered: with a document (`document` set) or 304 Not Modified.

    A 304 keeps the last document's own hints (ttl, update period); `moved_to` is the
    new URL after permanent redirects, taken unless another feed already has it.
    """

    at: datetime
    next_check_at: datetime
    interval_seconds: int
    etag: str | None
    last_modified: str | None
    moved_to: str | None = None
    document: DocumentFacts | None = None


@dataclass(frozen=True)
class PollFailure:
    at: datetime
    next_check_at: datetime
    kind: str
    message: str


PollOutcome = PollSuccess | PollFailure


@dataclass(frozen=True)
class KnownEntry:
    """An entry of the feed, as far as deciding what a new poll brings needs it."""

    id: int
    uid: str
    content_hash: str
    # Found by the feed's first poll (old news then), or pruned by retention (old
    # news now, its event maybe gone): never classified, never alerts.
    baseline: bool


@dataclass(frozen=True)
class StoryWrite:
    """The story an entry's event started, joined or updated, written with the entry.

    `chat_ids` are the matching chats that get stories (the others, in `Verdict`,
    get every report): a chat that has no message of the story yet gets one, held
    back `hold_back` so that near-simultaneous reports gather first; every chat
    that has one gets it edited (one edit per burst: the row waits `hold_back` too)
    and, for each escalation, a short reply.
    """

    report: Report
    story: Story
    action: Action
    escalations: tuple[EscalationKind, ...]
    chat_ids: tuple[int, ...]
    hold_back: timedelta = timedelta(0)
    # The story's places by id, named in each language, for the messages.
    place_names: Mapping[str, Mapping[str, str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Verdict:
    """An entry's detection and the chats its alert goes to (none: recorded only);
    `story`, when stories are on, is its place in a story and the chats that get
    stories."""

    detection: Detection
    chat_ids: tuple[int, ...]
    story: StoryWrite | None = None


@dataclass(frozen=True)
class NewEntry:
    item: NormalizedEntry
    text_hash: str | None
    verdict: Verdict | None = None


@dataclass(frozen=True)
class EditedEntry:
    entry_id: int
    item: NormalizedEntry
    text_hash: str | None
    # An entry that already had an event keeps it: an edit never alerts twice.
    verdict: Verdict | None = None


@dataclass(frozen=True)
class IngestBatch:
    """One poll's changes to a feed's entries, written in one transaction with their
    events and outbox rows, so that a stop at any moment loses no alert: either all of
    it is stored, or none of it, and the next poll finds the entries new again."""

    feed_id: int
    new: tuple[NewEntry, ...] = ()
    edited: tuple[EditedEntry, ...] = ()


@dataclass(frozen=True)
class IngestResult:
    new_entries: int
    events: int
    alerts: int
