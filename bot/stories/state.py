"""An open story's features, aggregated over its reports and kept up to date."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from datetime import datetime

from bot.stories.facts import facts_of, merge_facts
from bot.stories.records import Escalation, Report, StoryFacts, TimeSpan
from bot.stories.similarity import Centroid, Vector, minhash
from bot.stories.timing import hull

Lineage = Callable[[str], tuple[str, ...]]


def _count(counter: dict[str, int], items: Iterable[str]) -> None:
    # Plain dicts with a loop: cheaper than Counter.update for a handful of items,
    # and this runs for every feature of every report that joins.
    for item in items:
        counter[item] = counter.get(item, 0) + 1


class StoryState:
    """What scoring compares a report with: counts of every feature over the
    story's reports, the span of their publication times, one centroid of word
    vectors per language, and the facts so far."""

    __slots__ = (
        "_signatures",
        "actions",
        "actors",
        "base",
        "categories",
        "centroids",
        "closed_at",
        "context",
        "countries",
        "days",
        "end",
        "facts",
        "figures",
        "id",
        "keys",
        "kinds",
        "lifted_at",
        "localities",
        "main_actions",
        "names",
        "open",
        "phase",
        "phases",
        "primaries",
        "reports",
        "span",
        "start",
        "targets",
        "touched",
        "unnamed_places",
        "vectors",
        "version",
    )  # fmt: skip

    def __init__(self, story_id: str) -> None:
        self.id = story_id
        self.version = 0
        self.open = True
        self.reports: list[Report] = []
        self.vectors: dict[str, Vector] = {}
        self.keys: dict[tuple[str, ...], None] = {}  # index keys it is filed under
        self.touched = 0  # when it last changed, in the grouper's own count
        self.lifted_at: datetime | None = None  # when a lifting of it was reported
        self.closed_at: datetime | None = None
        self.facts: StoryFacts | None = None
        self._signatures: dict[str, tuple[int, ...]] = {}
        self._reset()

    def _reset(self) -> None:
        self.span: TimeSpan | None = None
        self.start = 0.0  # the span as POSIX seconds, for the index's quick time check
        self.end = 0.0
        self.base = 0.0
        self.categories: dict[str, int] = {}
        self.phases: dict[str, int] = {}
        self.primaries: dict[str, int] = {}  # main targets
        self.targets: dict[str, int] = {}  # every target named
        self.actors: dict[str, int] = {}
        self.kinds: dict[str, int] = {}
        self.actions: dict[str, int] = {}
        self.context: dict[str, int] = {}
        self.localities: dict[str, int] = {}  # cities and regions, with their regions
        self.unnamed_places: dict[str, int] = {}  # places the gazetteer lacks
        self.countries: dict[str, int] = {}
        self.names: dict[str, int] = {}
        self.figures: dict[int, int] = {}
        self.days: dict[str, int] = {}
        self.centroids: dict[str, Centroid] = {}
        self.main_actions: frozenset[str] = frozenset()
        self.phase = "none"

    def add(self, report: Report, vector: Vector, lineage: Lineage) -> tuple[Escalation, ...]:
        """A report joins: aggregates and facts move on; returns the escalations."""
        self.reports.append(report)
        self.vectors[report.id] = vector
        self._absorb(report, vector, lineage)
        self.facts, escalations = merge_facts(self.facts, report)
        return escalations

    def replace(self, old_id: str, report: Report, vector: Vector, lineage: Lineage) -> None:
        """An entry re-read with new content: the new version takes the old one's place."""
        self.reports = [report if r.id == old_id else r for r in self.reports]
        self.vectors.pop(old_id, None)
        self._signatures.pop(old_id, None)
        self.vectors[report.id] = vector
        self._reset()
        for member in self.reports:
            self._absorb(member, self.vectors[member.id], lineage)
        self.facts = facts_of(self.reports)

    def signature(self, report: Report) -> tuple[int, ...]:
        """A member's MinHash signature, made when first asked for."""
        found = self._signatures.get(report.id)
        if found is None:
            found = self._signatures[report.id] = minhash(report.shingles)
        return found

    def _absorb(self, report: Report, vector: Vector, lineage: Lineage) -> None:
        # hull() keeps to the precise spans: a month-only report never widens a
        # story that has dated ones.
        published = report.published
        span = self.span
        if span is None:
            span = published
        elif not (
            span.precision != "month"
            and (published.precision == "month" or span.start <= published.start)
            and published.end <= span.end
        ):
            span = hull([span, published])
        self.span = span
        self.start = span.start.timestamp()
        self.end = span.end.timestamp()
        self.base = math.log2(len(self.reports))  # how far the threshold has risen
        _count(self.categories, report.categories)
        _count(self.phases, (report.phase,))
        _count(self.primaries, report.main_targets)
        _count(self.targets, report.targets)
        _count(self.actors, report.actors)
        _count(self.kinds, report.target_kinds)
        _count(self.actions, report.actions)
        _count(self.context, report.context)
        for place in report.places:
            if place.startswith("~"):
                _count(self.unnamed_places, (place,))
            else:
                _count(self.localities, (lvl for lvl in lineage(place) if "/" in lvl))
        _count(self.countries, report.countries)
        _count(self.names, report.names)
        for figure in report.numbers:
            self.figures[figure] = self.figures.get(figure, 0) + 1
        if report.days:
            # A report's event is the latest day it names: "after Sunday's
            # detentions, more on Monday" reports Monday's.
            _count(self.days, (max(report.days),))
        self.centroids.setdefault(report.lang, Centroid()).add(vector)
        if self.actions:
            # The actions most of its headlines name (all of them on a tie).
            top = max(self.actions.values())
            self.main_actions = frozenset(a for a, n in self.actions.items() if n == top)
        known = [(n, p) for p, n in self.phases.items() if p != "none"]
        self.phase = max(known)[1] if known else "none"
