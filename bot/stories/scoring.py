"""How well a report fits one open story: vetoes, signals, score and threshold.

A veto rules the join out whatever else agrees (another country, another city
for detentions, another platform, another step, another phase, too far apart in
time). Otherwise each agreeing signal adds its weight; the report may join when
the sum reaches the threshold, which rises as the story grows (so stories do not
chain into one blob) and for reports past the story's window or without a
detected event.

Scoring runs for up to four candidates per report, so it works on sets prepared
once per report (Probe) and kept up to date on each story (StoryState), and
writes its explanation only when asked (``explain``).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from datetime import date, timedelta
from operator import itemgetter
from typing import Any

from bot.stories.config import GroupingConfig
from bot.stories.probe import Places, Probe
from bot.stories.records import Candidate, Signal
from bot.stories.similarity import dot, minhash_similarity
from bot.stories.state import StoryState
from bot.stories.words import LASTING_ACTIONS

HOUR = 3600.0
# Reports of a block dated up to a day after its lifting was reported may still be
# about the block (time zones, slow outlets).
LIFT_SLACK = timedelta(days=1)
# Signals about what happened, as opposed to where and when.
TOPICAL = frozenset({"target", "mentions", "names", "figures", "target kind", "action"})
# Actions a story can have follow-ups of past its window: lasting ones, and
# detentions (their court decisions).
_RECURRING = LASTING_ACTIONS | {"detain"}
_EMPTY: frozenset[str] = frozenset()


# How each signal's and veto's value reads, by name. Scoring keeps raw values
# (sets, numbers) and the words are made only for the decision's explanation.
# A tuple of types, not ``frozenset | set``: that would make a union on every call.
_SET_TYPES = (frozenset, set)


def _sets(value: object) -> str:
    if isinstance(value, tuple):
        return " vs ".join(_set(v) if isinstance(v, _SET_TYPES) else str(v) for v in value)
    return _set(value) if isinstance(value, _SET_TYPES) else str(value)


def _set(values: Collection[object]) -> str:
    if len(values) == 1:
        for value in values:
            return str(value)
    return ",".join(sorted(map(str, values)))


# Signals whose value is a set of ids, words or figures.
_SET_SIGNALS = ("category", "action", "target", "mentions", "actor", "target kind", "city",
                "region", "place", "country", "names", "figures")  # fmt: skip
_SIGNAL_WORDS: dict[str, Callable[[Any], str]] = {
    "follow-up": lambda v: f"{v[0]:.0f} h > {v[1]:.0f} h window, +{v[2]:.2f}",
    "time": lambda v: "same day" if v is None else f"{v:.0f} h apart",
    "tfidf": lambda v: f"{v:.2f}",
    "minhash": lambda v: f"{v:.2f}",
    "event day": str,
    "another day": _sets,
    "other target": _sets,
    **dict.fromkeys(_SET_SIGNALS, _set),
}
_VETO_WORDS: dict[str, Callable[[Any], str]] = {
    "far": lambda v: f"{v[0]:.0f} h apart, past the {v[1]:.0f} h follow-up window",
    "once": lambda v: f"{v[0]:.0f} h apart, and {_set(v[1])} happens once",
    "lifted": lambda v: f"lifted on {v.date().isoformat()}",
    "topical": lambda v: "no event found and nothing but place and time in common",
}

# round(x, 4) goes through decimal digits, which is slow; the same few thresholds
# and scores come back again and again, so their rounded values are kept.
_ROUNDED: dict[float, float] = {}
_ROUNDED_KEPT = 4096


def _rounded(value: float) -> float:
    """round(value, 4); floats other than zero are remembered (0.0 and -0.0, or
    2 and 2.0, are equal keys but read differently)."""
    if type(value) is not float or not value:
        return round(value, 4)
    found = _ROUNDED.get(value)
    if found is None:
        if len(_ROUNDED) >= _ROUNDED_KEPT:
            _ROUNDED.clear()
        found = _ROUNDED[value] = round(value, 4)
    return found


Raw = tuple[str, float, object]  # (signal name, score, its value)
_POINTS = itemgetter(1)


class Scored:
    """A candidate's score, with raw values for the words of its explanation.

    A plain class, not a record: up to four are made per report and only the
    best two become Candidates.
    """

    __slots__ = ("margin", "score", "signals", "story_id", "threshold", "veto")

    def __init__(
        self,
        story_id: str,
        score: float,
        threshold: float,
        signals: tuple[Raw, ...],
        veto: tuple[str, object] | None = None,  # (veto name, its value)
    ) -> None:
        self.story_id = story_id
        self.score = score
        self.threshold = threshold
        self.signals = signals
        self.veto = veto
        self.margin = score - threshold

    def reaches(self) -> bool:
        """Whether the story may be joined: no veto, and the score (as a Candidate
        shows it, rounded) reaches the threshold."""
        return self.veto is None and _rounded(self.score) >= _rounded(self.threshold)

    def candidate(self, explain: bool) -> Candidate:
        signals = tuple([_worded(raw)[0] for raw in self.signals]) if explain else ()
        return self._candidate(signals)

    def explained(self) -> tuple[Candidate, str]:
        """The candidate with its signals worded, and what :func:`explain` says of them."""
        worded = [_worded(raw) for raw in self.signals]
        text = "; ".join([part for _, part in worded]) or "nothing"
        return self._candidate(tuple([signal for signal, _ in worded])), text

    def _candidate(self, signals: tuple[Signal, ...]) -> Candidate:
        veto = None
        if self.veto is not None:
            name, value = self.veto
            worded = _VETO_WORDS.get(name)
            veto = worded(value) if worded is not None else f"{name} ({_sets(value)})"
        return Candidate(
            self.story_id, _rounded(self.score), _rounded(self.threshold), signals, veto
        )


# Worded signals, kept by their raw form: the same few (the same day, a country, a
# category) make most explanations. Only values that read alike whenever they are
# equal are kept (strings, frozensets of ids or whole figures, None), with
# nonzero float points.
_WORDED: dict[Raw, tuple[Signal, str]] = {}
_WORDED_KEPT = 4096
_KEPT_VALUES = (str, frozenset, type(None))


def _worded(raw: Raw) -> tuple[Signal, str]:
    """A raw signal as a Signal, and as its part of an explanation."""
    name, points, value = raw
    keep = type(points) is float and points and type(value) in _KEPT_VALUES
    if keep:
        found = _WORDED.get(raw)
        if found is not None:
            return found
    signal = Signal(name, _SIGNAL_WORDS.get(name, _sets)(value), points)
    found = (signal, _part(signal))
    if keep:
        if len(_WORDED) >= _WORDED_KEPT:
            _WORDED.clear()
        _WORDED[raw] = found
    return found


def _part(signal: Signal) -> str:
    if signal.score:
        return f"{signal.name} {signal.value} {signal.score:+.2f}"
    return f"{signal.name} {signal.value}"


def score(probe: Probe, story: StoryState, config: GroupingConfig, places: Places) -> Scored:
    """The report against one story: a veto, or a score and the threshold it must reach.

    The vetoes are checked first, since most candidates fall to one of them; the
    sets they compare are made only when the cheaper checks leave them to decide.
    """
    report = probe.report
    story_id = story.id
    threshold = config.threshold + config.growth * story.base

    # Time.
    theirs = story.category_set
    mine = probe.categories
    categories = mine if theirs <= mine else mine | theirs
    gap = max(0.0, story.start - probe.end, probe.start - story.end) / HOUR
    window, follow = config.hours(categories)
    late = gap > window
    if late:
        if gap > follow:
            return Scored(story_id, 0.0, threshold, (), ("far", (gap, follow)))
        once = (probe.actions | story.main_actions) - _RECURRING
        if once:
            return Scored(story_id, 0.0, threshold, (), ("once", (gap, once)))
        threshold += config.follow_up_extra
    lifted = story.lifted_at
    if lifted is not None and report.published.start >= lifted + LIFT_SLACK:
        return Scored(story_id, 0.0, threshold, (), ("lifted", lifted))

    # Category and phase.
    about = probe.all_categories
    if about and theirs and not about & theirs:
        return Scored(story_id, 0.0, threshold, (), ("another category", (about, set(theirs))))
    phase = story.phase
    if report.phase != "none" and phase != "none" and report.phase != phase:
        return Scored(story_id, 0.0, threshold, (), ("another phase", (report.phase, phase)))

    # What was done, and to what.
    actions = probe.actions
    story_actions = story.main_actions
    shared_actions = actions & story_actions
    if (
        actions
        and story_actions
        and not shared_actions
        and probe.partners.isdisjoint(story_actions)
    ):
        return Scored(story_id, 0.0, threshold, (), ("another step", (actions, story_actions)))
    primaries = story.primaries
    named = story.named  # every target the story names, main ones included
    main = probe.main
    targets = probe.targets  # main ones included
    main_shared = (
        main.intersection(named) | targets.intersection(primaries)
        if targets and (main or primaries)
        else _EMPTY
    )
    if main and primaries and not main_shared:
        return Scored(story_id, 0.0, threshold, (), ("another target", (main, set(primaries))))

    # Where.
    countries = probe.countries
    story_countries = story.countries
    if countries and story_countries and countries.isdisjoint(story_countries):
        return Scored(
            story_id,
            0.0,
            threshold,
            (),
            ("another country", (countries, set(story_countries))),
        )
    localities = probe.localities
    story_localities = story.localities
    shared_places = localities.intersection(story_localities) if localities else _EMPTY
    arrest = "arrest" in categories
    if arrest and localities and story_localities and not shared_places:
        return Scored(
            story_id,
            0.0,
            threshold,
            (),
            ("another place", (localities, set(story_localities))),
        )

    # The days the texts say the event happened on: the latest each names.
    day = probe.day
    apart = 0
    days = story.days
    if day is not None and days and day not in days:
        apart = min(_days_apart(day, other) for other in days)
        if arrest and apart >= 2 and day > max(days):
            # Detentions are grouped by place and day: a report of a later day's
            # is another story. One that names an earlier day only may be a
            # roundup of a wave ("since the protests began on 19 March").
            return Scored(story_id, 0.0, threshold, (), ("another day", (day, set(days))))

    # Nothing rules the join out: add up what agrees.
    w = config.weights
    signals: list[Raw] = []
    add = signals.append
    if late:
        add(("follow-up", 0.0, (gap, window, config.follow_up_extra)))
    precise = report.published.precision != "month" and story.span_precision != "month"
    if precise and _overlap(probe.start, probe.end, story.start, story.end):
        add(("time", w.same_day, None))
    elif precise and gap <= 12:
        add(("time", w.close_in_time, gap))
    if day is not None and day in days:
        add(("event day", w.event_day, day))
    elif apart and (arrest or apart >= 2):
        # Texts name other days too (when a wave began, when a ban was first
        # imposed): another day counts against, it rules out only later detentions.
        penalty = w.other_day if apart >= 2 else w.other_day / 2
        add(("another day", -penalty, (day, set(days))))
    if shared_categories := mine & theirs:
        add(("category", w.category, shared_categories))
    if report.phase == "none":
        threshold += config.unclassified_extra
    if shared_actions:
        add(("action", w.action, shared_actions))
    shared_targets = targets.intersection(named)
    if main_shared:
        add(("target", w.target, main_shared))
    elif (targets and primaries and not shared_targets) or (main and named and not shared_targets):
        # One names a platform the other never mentions: likely another one.
        add(("other target", -w.mention, (targets, set(named))))
    elif shared_targets:
        add(("mentions", w.mention, shared_targets))
    if shared_actors := probe.actors.intersection(story.actors):
        add(("actor", w.actor, shared_actors))
    if (shared_kinds := probe.kinds.intersection(story.kinds)) and not shared_targets:
        add(("target kind", w.target_kind, shared_kinds))
    if shared_places:
        cities = {p for p in shared_places if places.kind_of(p) == "city"}
        if cities:
            add(("city", w.city, cities))
        else:
            add(("region", w.region, shared_places))
    elif shared_unnamed := probe.unnamed_places.intersection(story.unnamed_places):
        # A town the gazetteer lacks, named alike ("в Баймаке", "in Baymak").
        add(("place", w.region, shared_unnamed))
    elif shared_countries := countries.intersection(story_countries):
        add(("country", w.country, shared_countries))
    if shared_names := probe.names.intersection(story.names):
        add(("names", min(w.names_cap, w.name * len(shared_names)), shared_names))
    if shared_figures := probe.figures & story.figures.keys():
        value = sum(w.figure / 2 if f % 100 == 0 else w.figure for f in shared_figures)
        add(("figures", min(w.figures_cap, value), shared_figures))

    # Words, within one language.
    similarity = _similarity(probe, story, config)
    if similarity:
        add((config.similarity, w.text * similarity, similarity))

    if (report.phase == "none" or phase == "none") and not (
        any(name in TOPICAL for name, _, _ in signals)
        or similarity >= config.topical_text
        or not probe.context.isdisjoint(story.context)
    ):
        # The detector found no event on one side: place and time alone do not
        # make it part of one (a flight delay at the airport of a city in protest).
        return Scored(story_id, 0.0, threshold, (), ("topical", None))
    total = sum(map(_POINTS, signals))  # in order: the same float as a loop
    return Scored(story_id, total, threshold, tuple(signals))


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
    return "; ".join(map(_part, signals)) or "nothing"


def _overlap(start: float, end: float, other_start: float, other_end: float) -> bool:
    """Whether two spans share more than a boundary (a day and the next do not)."""
    if start == end or other_start == other_end:
        return start <= other_end and other_start <= end
    return start < other_end and other_start < end


def _days_apart(first: str, second: str) -> int:
    return abs((date.fromisoformat(first) - date.fromisoformat(second)).days)


__all__ = ["Places", "Probe", "Scored", "dot", "explain", "score"]
