"""An open story's features, aggregated over its reports and kept up to date."""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import datetime

from bot.stories.facts import facts_of, merge_facts
from bot.stories.probe import PlaceLevels
from bot.stories.records import Escalation, Precision, Report, StoryFacts, TimeSpan
from bot.stories.similarity import Centroid, Vector, minhash
from bot.stories.timing import hull

_NOTHING: frozenset[str] = frozenset()
# The few sets of categories and of main actions there are, one object each
# (shared by the stories rather than one per story).
_SHARED_SETS: dict[frozenset[str], frozenset[str]] = {}


def _shared(items: frozenset[str]) -> frozenset[str]:
    found = _SHARED_SETS.get(items)
    if found is None:
        if len(_SHARED_SETS) >= 1024:
            _SHARED_SETS.clear()
        found = _SHARED_SETS[items] = items
    return found


def _count(counter: dict[str, int], items: Iterable[str]) -> None:
    # Plain dicts with a loop: cheaper than Counter.update for a handful of items,
    # and this runs for every feature of every report that joins. Plain dicts of
    # strings and numbers are also left alone by the garbage collector.
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
        "category_set",
        "centroids",
        "closed_at",
        "context",
        "countries",
        "days",
        "end",
        "facts",
        "figures",
        "id",
        "kinds",
        "lifted_at",
        "localities",
        "main_actions",
        "members",
        "named",
        "names",
        "open",
        "phase",
        "phases",
        "primaries",
        "reports",
        "retired",
        "span_end",
        "span_precision",
        "span_start",
        "start",
        "top_action",
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
        self.members: tuple[str, ...] = ()  # their ids (a tuple: stories share it)
        self.vectors: dict[str, Vector] = {}
        # Reports an updated entry replaced while the story was filed in the index:
        # it is still filed under their keys until it closes.
        self.retired: tuple[tuple[Report, Vector], ...] = ()
        self.touched = 0  # when it last changed, in the grouper's own count
        self.lifted_at: datetime | None = None  # when a lifting of it was reported
        self.closed_at: datetime | None = None
        self.facts: StoryFacts | None = None
        self._signatures: dict[str, tuple[int, ...]] = {}
        self._reset()

    def _reset(self) -> None:
        # The span of its reports' publication times (see timing.hull), kept as its
        # parts: most joins widen it, and a new TimeSpan each time would be garbage.
        self.span_start: datetime | None = None
        self.span_end: datetime | None = None
        self.span_precision: Precision = "month"
        self.start = 0.0  # the span as POSIX seconds, for the quick time checks
        self.end = 0.0
        self.base = 0.0
        self.categories: dict[str, int] = {}
        self.category_set: frozenset[str] = _NOTHING  # the same, for set operations
        self.phases: dict[str, int] = {}
        self.primaries: dict[str, int] = {}  # main targets
        self.named: dict[str, int] = {}  # every target named, main ones included
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
        self.main_actions = _NOTHING
        self.top_action = 0  # how many headlines name the main actions
        self.phase = "none"

    def add(self, report: Report, vector: Vector, levels: PlaceLevels) -> tuple[Escalation, ...]:
        """A report joins: aggregates and facts move on; returns the escalations."""
        self.reports.append(report)
        self.members = (*self.members, report.id)
        self.vectors[report.id] = vector
        self._absorb(report, vector, levels)
        self.facts, escalations = merge_facts(self.facts, report)
        return escalations

    def replace(self, old_id: str, report: Report, vector: Vector, levels: PlaceLevels) -> None:
        """An entry re-read with new content: the new version takes the old one's place."""
        old = next(r for r in self.reports if r.id == old_id)
        self.retired = (*self.retired, (old, self.vectors[old_id]))
        self.reports = [report if r.id == old_id else r for r in self.reports]
        self.members = tuple(r.id for r in self.reports)
        self.vectors.pop(old_id, None)
        self._signatures.pop(old_id, None)
        self.vectors[report.id] = vector
        self._reset()
        for member in self.reports:
            self._absorb(member, self.vectors[member.id], levels)
        self.facts = facts_of(self.reports)

    def signature(self, report: Report) -> tuple[int, ...]:
        """A member's MinHash signature, made when first asked for."""
        found = self._signatures.get(report.id)
        if found is None:
            found = self._signatures[report.id] = minhash(report.shingles)
        return found

    def _absorb(self, report: Report, vector: Vector, levels: PlaceLevels) -> None:
        # hull() keeps to the precise spans: a month-only report never widens a
        # story that has dated ones.
        published = report.published
        start, end = self.span_start, self.span_end
        if start is None or end is None:
            self._span(published.start, published.end, published.precision)
        elif not (
            self.span_precision != "month"
            and (published.precision == "month" or start <= published.start)
            and published.end <= end
        ):
            if self.span_precision == "month" or published.precision == "month":
                wider = hull([TimeSpan(start, end, self.span_precision), published])
                self._span(wider.start, wider.end, wider.precision)
            else:
                # hull() of two spans known to the day or better; the side that
                # does not move keeps its POSIX seconds (most joins move the end only).
                both_moments = self.span_precision == "moment" and published.precision == "moment"
                self.span_precision = "moment" if both_moments else "day"
                if published.start < start:
                    self.span_start = published.start
                    self.start = published.start.timestamp()
                if published.end > end:
                    self.span_end = published.end
                    self.end = published.end.timestamp()
        self.base = math.log2(len(self.reports))  # how far the threshold has risen
        # Most features are absent from most reports: the checks spare the calls.
        categories = self.categories
        for category in report.categories:
            if category not in categories:
                self.category_set = _shared(frozenset((*categories, category)))
            categories[category] = categories.get(category, 0) + 1
        phase = report.phase
        self.phases[phase] = self.phases.get(phase, 0) + 1
        if report.main_targets:
            _count(self.primaries, report.main_targets)
            _count(self.named, report.main_targets)
        if report.targets:
            _count(self.named, report.targets)
        if report.actors:
            _count(self.actors, report.actors)
        if report.target_kinds:
            _count(self.kinds, report.target_kinds)
        if report.actions:
            # The actions most of its headlines name (all of them on a tie), kept
            # as the counts grow: one count moves at a time, by one.
            actions = self.actions
            top = self.top_action
            main: list[str] | None = None
            for action in report.actions:
                n = actions[action] = actions.get(action, 0) + 1
                if n > top:
                    top, main = n, [action]
                elif n == top:
                    main = [*(self.main_actions if main is None else main), action]
            self.top_action = top
            if main is not None:
                self.main_actions = _shared(frozenset(main))
        if report.context:
            _count(self.context, report.context)
        for place in report.places:
            if place.startswith("~"):
                _count(self.unnamed_places, (place,))
            else:
                _count(self.localities, levels.localities(place))
        if report.countries:
            _count(self.countries, report.countries)
        if report.names:
            _count(self.names, report.names)
        if report.numbers:
            figures = self.figures
            for figure in report.numbers:
                figures[figure] = figures.get(figure, 0) + 1
        if report.days:
            # A report's event is the latest day it names: "after Sunday's
            # detentions, more on Monday" reports Monday's.
            _count(self.days, (max(report.days),))
        centroid = self.centroids.get(report.lang)
        if centroid is None:
            centroid = self.centroids[report.lang] = Centroid()
        centroid.add(vector)
        if phase != "none":
            # The phase most reports describe (on a tie, the last in name order),
            # kept as the counts grow by one.
            best = self.phase
            if best == "none" or (self.phases[phase], phase) > (self.phases[best], best):
                self.phase = phase

    def _span(self, start: datetime, end: datetime, precision: Precision) -> None:
        self.span_start, self.span_end, self.span_precision = start, end, precision
        self.start = start.timestamp()
        self.end = end.timestamp()
