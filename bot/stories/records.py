"""The plain records story grouping reads and writes.

Everything here is a frozen dataclass of plain values (strings, numbers, aware UTC
datetimes, tuples), so storage can keep them as rows or JSON and senders can
render them without knowing how they were made. Nothing refers to a database, a
feed object or a platform.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from bot.domain.vocabulary import Category

# How precisely a report's publication time is known. A date without a time
# covers its whole UTC day, a month its whole month (see timing.py).
Precision = Literal["moment", "day", "month"]

# The phase a report describes. Liftings and announcements (threats, plans,
# warnings) are stories of their own, never merged into the event they follow or
# precede; "none" is a report the detector found nothing in.
Phase = Literal["event", "lifted", "announced", "none"]

StoryState = Literal["open", "closed"]

# What a report does to a story.
Action = Literal["new", "join", "update"]

# Why a story became more urgent when a report joined it.
EscalationKind = Literal["category", "detained", "court"]


@dataclass(frozen=True, slots=True)
class TimeSpan:
    """When a report was published: [start, end), with how precisely it is known."""

    start: datetime
    end: datetime
    precision: Precision

    def gap(self, other: TimeSpan) -> float:
        """Seconds between the two spans; 0 when they overlap or touch."""
        if other.start >= self.end:
            return (other.start - self.end).total_seconds()
        if self.start >= other.end:
            return (self.start - other.end).total_seconds()
        return 0.0


@dataclass(frozen=True, slots=True)
class FeedKey:
    """The identity of an entry in its own feed: a re-read entry keeps it."""

    feed: str
    uid: str


@dataclass(frozen=True, slots=True)
class DetainedCount:
    """A head count of people detained, with the words it was read from."""

    count: int
    text: str  # the phrase as written ("более 1000 задержанных")
    at_least: bool  # "more than", "не менее": the figure is a floor


@dataclass(frozen=True, slots=True)
class Report:
    """One news entry's evidence for grouping: what it is, when, and what it names.

    The derived features are language-neutral ids where possible: entities
    (``roskomnadzor``, ``telegram``), places (``ru``, ``ru/moscow``) and person
    name keys, so a Russian and an English report of one event can meet. Words
    (``terms``) and ``shingles`` only compare within one language.
    """

    id: str
    feed: FeedKey | None
    title: str
    summary: str
    lang: str
    published: TimeSpan
    outlet: str
    link: str | None
    categories: tuple[Category, ...]  # events the detector found
    weak_categories: tuple[Category, ...]  # threatened, planned, warned of or lifted
    modality: str
    phase: Phase
    actors: tuple[str, ...] = ()  # entity ids acting (regulators, courts with names)
    targets: tuple[str, ...] = ()  # entity ids acted on (platforms, outlets)
    # What the report is about: the detector's target and the targets the headline
    # names, by entity id ("~facetime" for a name the rules do not know).
    main_targets: tuple[str, ...] = ()
    target_kinds: tuple[str, ...] = ()  # generic targets the headline names: "mobile", "vpn"
    actions: tuple[str, ...] = ()  # what the headline says was done: "block", "fine", ...
    context: tuple[str, ...] = ()  # what the whole text speaks of: those actions, "protest"
    places: tuple[str, ...] = ()  # place ids named, most specific as written
    countries: tuple[str, ...] = ()  # the countries of those places
    names: tuple[str, ...] = ()  # person name keys
    numbers: tuple[int, ...] = ()  # figures written in digits (counts, not years)
    days: tuple[str, ...] = ()  # ISO dates the text says the event happened on
    detained: DetainedCount | None = None
    terms: tuple[tuple[str, int], ...] = ()  # lemma -> count, sorted by lemma
    shingles: tuple[int, ...] = ()  # hashed lemma pairs, sorted

    @property
    def all_categories(self) -> tuple[Category, ...]:
        """Categories in any phase: what the report is about."""
        return self.categories + tuple(c for c in self.weak_categories if c not in self.categories)


@dataclass(frozen=True, slots=True)
class Source:
    """One outlet's report inside a story."""

    report_id: str
    outlet: str
    link: str | None
    lang: str
    published: datetime
    title: str


@dataclass(frozen=True, slots=True)
class DetainedFigure:
    """The head count a story shows, and whose it is."""

    count: int
    text: str
    at_least: bool
    outlet: str
    link: str | None
    report_id: str


@dataclass(frozen=True, slots=True)
class StoryFacts:
    """What a story's reports say together, ready to render."""

    sources: tuple[Source, ...]
    first_report_at: datetime
    latest_report_at: datetime
    categories: tuple[Category, ...]
    phase: Phase
    actor: str | None  # the entity id most reports name as acting
    target: str | None  # the entity id most reports name as acted on
    places: tuple[str, ...]  # place ids, the most named first
    detained: DetainedFigure | None
    court: bool = False  # a court decision on the detained was reported

    @property
    def outlets(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(s.outlet for s in self.sources))


@dataclass(frozen=True, slots=True)
class Escalation:
    """A change worth a short follow-up message."""

    kind: EscalationKind
    detail: str  # plain words for the log and the lead's renderer, e.g. "detained 100 -> 1000"


@dataclass(frozen=True, slots=True)
class Story:
    """One real-world event and the reports of it.

    ``version`` goes up by one on every change (a report joins, a report is
    updated, the story closes), so a renderer can tell whether what it showed
    is current.
    """

    id: str
    version: int
    state: StoryState
    members: tuple[str, ...]  # report ids, in the order they joined
    facts: StoryFacts


@dataclass(frozen=True, slots=True)
class Signal:
    """One piece of evidence for or against a join, with its value and weight."""

    name: str
    value: str
    score: float


@dataclass(frozen=True, slots=True)
class Candidate:
    """How one open story scored against the report."""

    story_id: str
    score: float
    threshold: float
    signals: tuple[Signal, ...]
    veto: str | None = None  # why it could not be joined at all


@dataclass(frozen=True, slots=True)
class Decision:
    """Join a story, start one, or update the story the entry is already in."""

    report_id: str
    action: Action
    story_id: str
    why: str
    best: Candidate | None = None
    considered: tuple[Candidate, ...] = field(default=())


@dataclass(frozen=True, slots=True)
class Outcome:
    """What applying a decision changed."""

    decision: Decision
    story: Story
    escalations: tuple[Escalation, ...] = ()
