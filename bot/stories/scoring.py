"""How well a report fits one open story: vetoes, signals, score and threshold.

A veto rules the join out whatever else agrees (another country, another city
for detentions, another platform, another step, another phase, too far apart in
time). Otherwise each agreeing signal adds its weight; the report may join when
the sum reaches the threshold, which rises as the story grows (so stories do not
chain into one blob) and for reports past the story's window or without a
detected event.

Scoring runs for a dozen candidates per report, so it works on sets prepared once
per report (Probe) and writes its explanation only when asked (``explain``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Protocol

from bot.stories.config import GroupingConfig
from bot.stories.records import Candidate, Report, Signal
from bot.stories.similarity import Vector, dot, minhash, minhash_similarity
from bot.stories.state import StoryState
from bot.stories.words import COMPATIBLE_ACTIONS, LASTING_ACTIONS

HOUR = 3600.0
# Reports of a block dated up to a day after its lifting was reported may still be
# about the block (time zones, slow outlets).
LIFT_SLACK = timedelta(days=1)
# Signals about what happened, as opposed to where and when.
TOPICAL = frozenset({"target", "mentions", "names", "figures", "target kind", "action"})


class Places(Protocol):
    """What grouping asks of the gazetteer (Gazetteer answers it)."""

    def lineage(self, place_id: str) -> tuple[str, ...]: ...

    def kind_of(self, place_id: str) -> str | None: ...


class Probe:
    """A report's features as the sets scoring compares, made once per report."""

    __slots__ = (
        "_signature", "actions", "actors", "all_categories", "categories", "context",
        "countries", "day", "end", "figures", "kinds", "localities", "main", "names",
        "report", "start", "targets", "unnamed_places", "vector",
    )  # fmt: skip

    def __init__(self, report: Report, vector: Vector, places: Places) -> None:
        self.report = report
        self.vector = vector
        self.start = report.published.start.timestamp()
        self.end = report.published.end.timestamp()
        self.categories = frozenset(report.categories)
        self.all_categories = frozenset(report.all_categories)
        self.actions = frozenset(report.actions)
        self.main = frozenset(report.main_targets)
        self.targets = frozenset(report.targets) | self.main
        self.actors = frozenset(report.actors)
        self.kinds = frozenset(report.target_kinds)
        self.context = frozenset(report.context)
        self.countries = frozenset(report.countries)
        self.localities = frozenset(
            level
            for p in report.places
            if not p.startswith("~")
            for level in places.lineage(p)
            if "/" in level
        )
        self.unnamed_places = frozenset(p for p in report.places if p.startswith("~"))
        self.names = frozenset(report.names)
        self.figures = frozenset(report.numbers)
        self.day = max(report.days) if report.days else None
        self._signature: tuple[int, ...] | None = None

    @property
    def signature(self) -> tuple[int, ...]:
        if self._signature is None:
            self._signature = minhash(self.report.shingles)
        return self._signature


@dataclass(frozen=True, slots=True)
class Scored:
    """A candidate's score; the words of its explanation are made on demand."""

    story_id: str
    score: float
    threshold: float
    signals: tuple[tuple[str, Callable[[], str], float], ...]
    veto: Callable[[], str] | None = None

    @property
    def margin(self) -> float:
        return self.score - self.threshold

    def candidate(self, explain: bool) -> Candidate:
        signals = tuple(Signal(n, v(), s) for n, v, s in self.signals) if explain else ()
        veto = self.veto() if self.veto is not None else None
        return Candidate(
            self.story_id, round(self.score, 4), round(self.threshold, 4), signals, veto
        )


def score(probe: Probe, story: StoryState, config: GroupingConfig, places: Places) -> Scored:
    """The report against one story: a veto, or a score and the threshold it must reach.

    The vetoes are checked first, since most candidates fall to one of them.
    """
    report = probe.report
    span = story.span
    assert span is not None
    threshold = config.threshold + config.growth * story.base

    def veto(reason: Callable[[], str]) -> Scored:
        return Scored(story.id, 0.0, threshold, (), reason)

    # Time.
    theirs = story.categories.keys()
    categories = probe.categories if theirs <= probe.categories else probe.categories | theirs
    gap = max(0.0, story.start - probe.end, probe.start - story.end) / HOUR
    window, follow = config.hours(frozenset(categories))
    late = gap > window
    if late:
        if gap > follow:
            return veto(lambda: f"{gap:.0f} h apart, past the {follow:.0f} h follow-up window")
        once = (probe.actions | story.main_actions) - LASTING_ACTIONS - {"detain"}
        if once:
            return veto(lambda: f"{gap:.0f} h apart, and {_set(once)} happens once")
        threshold += config.follow_up_extra
    lifted = story.lifted_at
    if lifted is not None and report.published.start >= lifted + LIFT_SLACK:
        return veto(lambda: f"lifted on {lifted.date().isoformat()}")

    # Category and phase.
    if probe.all_categories and theirs and not probe.all_categories & theirs:
        mine = probe.all_categories
        return veto(lambda: f"another category ({_set(mine)} vs {_set(theirs)})")
    phase = story.phase
    if report.phase != "none" and phase != "none" and report.phase != phase:
        return veto(lambda: f"another phase ({report.phase} vs {phase})")

    # What was done, and to what.
    story_actions = story.main_actions
    shared_actions = probe.actions & story_actions
    if (
        probe.actions
        and story_actions
        and not shared_actions
        and not any(
            frozenset({a, b}) in COMPATIBLE_ACTIONS for a in probe.actions for b in story_actions
        )
    ):
        actions = probe.actions
        return veto(lambda: f"another step ({_set(actions)} vs {_set(story_actions)})")
    primaries = story.primaries.keys()
    story_targets = story.targets.keys() | primaries
    main_shared = (probe.main & story_targets) | (primaries & probe.targets)
    if probe.main and primaries and not main_shared:
        main = probe.main
        return veto(lambda: f"another target ({_set(main)} vs {_set(primaries)})")

    # Where.
    story_countries = story.countries.keys()
    if probe.countries and story_countries and not probe.countries & story_countries:
        countries = probe.countries
        return veto(lambda: f"another country ({_set(countries)} vs {_set(story_countries)})")
    story_localities = story.localities.keys()
    shared_places = probe.localities & story_localities
    if "arrest" in categories and probe.localities and story_localities and not shared_places:
        localities = probe.localities
        return veto(lambda: f"another place ({_set(localities)} vs {_set(story_localities)})")

    # The days the texts say the event happened on: the latest each names.
    day = probe.day
    apart = 0
    if day is not None and story.days and day not in story.days:
        days = list(story.days)
        apart = min(_days_apart(day, other) for other in days)
        if "arrest" in categories and apart >= 2 and day > max(days):
            # Detentions are grouped by place and day: a report of a later day's
            # is another story. One that names an earlier day only may be a
            # roundup of a wave ("since the protests began on 19 March").
            return veto(lambda: f"another day ({day} vs {_set(days)})")

    # Nothing rules the join out: add up what agrees.
    w = config.weights
    signals: list[tuple[str, Callable[[], str], float]] = []
    add = signals.append
    if late:
        extra = config.follow_up_extra
        add(("follow-up", lambda: f"{gap:.0f} h > {window:.0f} h window, +{extra:.2f}", 0.0))
    precise = report.published.precision != "month" and span.precision != "month"
    if precise and _overlap(probe.start, probe.end, story.start, story.end):
        add(("time", lambda: "same day", w.same_day))
    elif precise and gap <= 12:
        add(("time", lambda: f"{gap:.0f} h apart", w.close_in_time))
    if day is not None and day in story.days:
        add(("event day", lambda: day, w.event_day))
    elif apart and ("arrest" in categories or apart >= 2):
        # Texts name other days too (when a wave began, when a ban was first
        # imposed): another day counts against, it rules out only detentions.
        penalty = w.other_day if apart >= 2 else w.other_day / 2
        add(("another day", lambda: f"{day} vs {_set(story.days)}", -penalty))
    if shared_categories := probe.categories & theirs:
        add(("category", lambda: _set(shared_categories), w.category))
    if report.phase == "none":
        threshold += config.unclassified_extra
    if shared_actions:
        add(("action", lambda: _set(shared_actions), w.action))
    shared_targets = probe.targets & story_targets
    if main_shared:
        add(("target", lambda: _set(main_shared), w.target))
    elif (probe.targets and primaries and not shared_targets) or (
        probe.main and story_targets and not shared_targets
    ):
        # One names a platform the other never mentions: likely another one.
        targets = probe.targets
        add(("other target", lambda: f"{_set(targets)} vs {_set(story_targets)}", -w.mention))
    elif shared_targets:
        add(("mentions", lambda: _set(shared_targets), w.mention))
    if shared_actors := probe.actors & story.actors.keys():
        add(("actor", lambda: _set(shared_actors), w.actor))
    if (shared_kinds := probe.kinds & story.kinds.keys()) and not shared_targets:
        add(("target kind", lambda: _set(shared_kinds), w.target_kind))
    if shared_places:
        cities = {p for p in shared_places if places.kind_of(p) == "city"}
        if cities:
            add(("city", lambda: _set(cities), w.city))
        else:
            add(("region", lambda: _set(shared_places), w.region))
    elif shared_unnamed := probe.unnamed_places & story.unnamed_places.keys():
        # A town the gazetteer lacks, named alike ("в Баймаке", "in Baymak").
        add(("place", lambda: _set(shared_unnamed), w.region))
    elif shared_countries := probe.countries & story_countries:
        add(("country", lambda: _set(shared_countries), w.country))
    if shared_names := probe.names & story.names.keys():
        add(("names", lambda: _set(shared_names), min(w.names_cap, w.name * len(shared_names))))
    if shared_figures := probe.figures & story.figures.keys():
        value = sum(w.figure / 2 if f % 100 == 0 else w.figure for f in shared_figures)
        add(("figures", lambda: _set(shared_figures), min(w.figures_cap, value)))

    # Words, within one language.
    similarity = _similarity(probe, story, config)
    if similarity:
        add((config.similarity, lambda: f"{similarity:.2f}", w.text * similarity))

    if (report.phase == "none" or phase == "none") and not (
        any(name in TOPICAL for name, _, _ in signals)
        or similarity >= config.topical_text
        or probe.context & story.context.keys()
    ):
        # The detector found no event on one side: place and time alone do not
        # make it part of one (a flight delay at the airport of a city in protest).
        return veto(lambda: "no event found and nothing but place and time in common")
    total = sum(s for _, _, s in signals)
    return Scored(story.id, total, threshold, tuple(signals))


def _similarity(probe: Probe, story: StoryState, config: GroupingConfig) -> float:
    lang = probe.report.lang
    if config.similarity == "minhash":
        if not probe.report.shingles:
            return 0.0
        mine = probe.signature
        return max(
            (
                minhash_similarity(mine, story.signature(r))
                for r in story.reports
                if r.lang == lang and r.shingles
            ),
            default=0.0,
        )
    centroid = story.centroids.get(lang)
    return centroid.cosine(probe.vector) if centroid is not None else 0.0


def explain(signals: Iterable[Signal]) -> str:
    parts = [
        f"{s.name} {s.value} {s.score:+.2f}" if s.score else f"{s.name} {s.value}" for s in signals
    ]
    return "; ".join(parts) or "nothing"


def _overlap(start: float, end: float, other_start: float, other_end: float) -> bool:
    """Whether two spans share more than a boundary (a day and the next do not)."""
    if start == end or other_start == other_end:
        return start <= other_end and other_start <= end
    return start < other_end and other_start < end


def _days_apart(first: str, second: str) -> int:
    return abs((date.fromisoformat(first) - date.fromisoformat(second)).days)


def _set(values: Iterable[object]) -> str:
    return ",".join(sorted(str(v) for v in values))


__all__ = ["Places", "Probe", "Scored", "dot", "explain", "score"]
