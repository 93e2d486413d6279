"""What callers ask storage to write, as whole records instead of long argument lists.

Each intent is one write that must happen together: a feed's poll outcome, a
poll's new entries with their events and the alerts they queue, or what became of
an outbox row once its platform answered (`DeliveryOutcome`).
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
    # With story writes: the state of the stored stories they were decided against.
    stories_stamp: StoriesStamp | None = None


@dataclass(frozen=True)
class StoriesStamp:
    """Which state of the stored stories a write was decided against.

    Every write of stories leaves a new stamp. A process decides story assignments
    against the stories it holds in memory; when another process (a `feeds refresh`
    beside the running bot) wrote stories since, the write is refused
    (`StoriesChangedError`) instead of overwriting that process's work, and the
    caller decides again from the stored stories. `expected` is None for a database
    whose stories were never stamped.
    """

    expected: str | None
    new: str


@dataclass(frozen=True)
class IngestResult:
    new_entries: int
    events: int
    alerts: int


# What became of an outbox row once the delivery loop heard from the platform (or
# decided without asking it). The loop hands a row's writes over together, in order,
# with other rows' writes (`OutboxStore.record`), and they are written in one
# transaction: a row's answer and what it means for its chat land together or not at
# all. Error texts are stored redacted.


@dataclass(frozen=True)
class Delivered:
    """The platform took a plain alert; `message_id` is its id there, when it gives one."""

    outbox_id: int
    at: datetime
    message_id: str | None


@dataclass(frozen=True)
class StoryShown:
    """A story row settled: the chat's message of the story (sent, edited, or found
    already current) shows `version`. An edit re-armed meanwhile by a newer version
    goes back to pending, to show that one; a reply records no story message."""

    outbox_id: int
    at: datetime
    message_id: str | None
    version: int


@dataclass(frozen=True)
class RetryLater:
    """A transient failure of the message itself: pending again from `at`; the
    attempt it used stays counted."""

    outbox_id: int
    at: datetime
    error: str


@dataclass(frozen=True)
class Requeued:
    """Not the message's fault (the platform asked to wait, was unreachable, or the
    request never left): a row still 'sending' goes back to pending from `at`
    without using up an attempt. A row settled meanwhile stays settled."""

    outbox_id: int
    at: datetime
    error: str


@dataclass(frozen=True)
class Failed:
    """The platform refused the message for good."""

    outbox_id: int
    error: str


@dataclass(frozen=True)
class StoryMessageGone:
    """The story's message is gone from the chat (deleted, too old to edit): this edit
    row is settled and the story's send row goes out again from `at`, showing the
    story as it is then."""

    outbox_id: int
    at: datetime
    error: str


@dataclass(frozen=True)
class ChatPaused:
    """The platform asked us not to send to the chat before `until`: its pending rows
    that were due earlier wait until then."""

    chat_id: int
    until: datetime


@dataclass(frozen=True)
class ChatGone:
    """The chat is gone or threw the bot out: it is deactivated with `reason`, and its
    rows still waiting or being sent are given up."""

    chat_id: int
    at: datetime
    reason: str


@dataclass(frozen=True)
class ChatMoved:
    """The chat moved to `new_external_id` (a Telegram group became a supergroup);
    when the new id was already a chat of its own, the rows move over to it unless it
    already has them."""

    chat_id: int
    new_external_id: str
    at: datetime


DeliveryOutcome = (
    Delivered
    | StoryShown
    | RetryLater
    | Requeued
    | Failed
    | StoryMessageGone
    | ChatPaused
    | ChatGone
    | ChatMoved
)
