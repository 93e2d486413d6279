"""Which story a report belongs to: join an open story, or start a new one.

The decision weighs signals that hold across languages (named entities, places,
person names, figures, publication time, category) and, between reports of one
language, the similarity of their words. Some differences rule a join out
whatever else agrees (vetoes): another country, another city for detentions,
another platform, another step (a fine and a block), a lifting and a block,
reports too far apart in time. Every decision says which signals counted, with
their values, against which threshold. See docs/stories.md.

The Grouper keeps the open stories in memory with an index from features to
stories, so a report is compared with the few stories that share something with
it, not with all of them. It is deterministic: the same reports in the same
order give the same stories.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Protocol

from bot.stories.facts import escalations_between, facts_of, merge_facts
from bot.stories.records import (
    Candidate,
    Decision,
    Escalation,
    FeedKey,
    Outcome,
    Report,
    Signal,
    Story,
    TimeSpan,
)
from bot.stories.similarity import (
    Centroid,
    DocumentFrequencies,
    Vector,
    minhash,
    minhash_similarity,
)
from bot.stories.timing import hull
from bot.stories.words import COMPATIBLE_ACTIONS, LASTING_ACTIONS

HOUR = 3600.0
# Reports of a block dated up to a day after its lifting was reported may still be
# about the block (time zones, slow outlets).
LIFT_SLACK = timedelta(days=1)


def _default_windows() -> dict[str, timedelta]:
    return {"arrest": timedelta(hours=36), "censorship": timedelta(days=3)}


def _default_follow_up() -> dict[str, timedelta]:
    return {"arrest": timedelta(days=3), "censorship": timedelta(days=21)}


@dataclass(frozen=True)
class Weights:
    """What each agreeing signal adds to a candidate's score."""

    same_day: float = 0.9  # published within the same day (precise times only)
    event_day: float = 0.6  # the texts name the same day for the event
    other_day: float = 1.5  # taken off when they name days two or more apart
    close_in_time: float = 0.3  # within half a day of the story's span
    category: float = 0.3
    target: float = 2.0  # the platform or outlet acted on, named by both
    mention: float = 1.0  # a named platform or outlet both mention
    actor: float = 0.5
    target_kind: float = 0.3  # "mobile internet", "social media", "VPN"
    action: float = 0.3
    city: float = 1.5
    region: float = 1.5
    country: float = 0.8
    name: float = 0.9  # per shared name, up to names_cap
    names_cap: float = 1.8
    figure: float = 0.8  # per shared figure, half for round ones, up to figures_cap
    figures_cap: float = 1.6
    text: float = 4.0  # times the text similarity (0..1)


@dataclass(frozen=True)
class GroupingConfig:
    """The knobs of the decision; the defaults are what docs/stories.md measures."""

    # How far from a story's reports (the gap between publication spans) a
    # report may be and still join on ordinary evidence, per category.
    windows: Mapping[str, timedelta] = field(default_factory=_default_windows)
    default_window: timedelta = timedelta(days=3)
    # Past the window and up to this, a report joins only on stronger evidence:
    # officials confirming a block a week later, a late count of a protest.
    follow_up: Mapping[str, timedelta] = field(default_factory=_default_follow_up)
    follow_up_extra: float = 1.5
    threshold: float = 2.0
    growth: float = 0.3  # added to the threshold per doubling of the story's size
    # A report the detector found nothing in joins only on strong evidence.
    unclassified_extra: float = 0.4
    # ... and only when it shares what happened, not just where and when: a named
    # target, a name, a figure, the headline's action, or this much text similarity.
    topical_text: float = 0.25
    similarity: str = "tfidf"  # or "minhash", kept for comparison
    weights: Weights = field(default_factory=Weights)
    # Index: how many candidates are scored, how many stories of one key are looked
    # at (the most recent ones), how many of a report's rarest words are keys.
    max_candidates: int = 24
    # How long a closed story is kept in memory for updates of its entries.
    keep_closed: timedelta = timedelta(days=30)
    posting_cap: int = 256
    index_terms: int = 8

    def window(self, categories: Iterable[str]) -> timedelta:
        found = [self.windows[c] for c in categories if c in self.windows]
        return max(found) if found else self.default_window

    def follow_up_window(self, categories: Iterable[str]) -> timedelta:
        found = [self.follow_up[c] for c in categories if c in self.follow_up]
        return max(found) if found else self.default_window


def default_story_id(report: Report) -> str:
    return f"story:{report.id}"


class _OpenStory:
    """A story's aggregated features, kept up to date as reports join."""

    def __init__(self, story_id: str) -> None:
        self.id = story_id
        self.version = 0
        self.state = "open"
        self.reports: list[Report] = []
        self.vectors: dict[str, Vector] = {}
        self.signatures: dict[str, tuple[int, ...]] = {}
        self.keys: dict[tuple[str, ...], None] = {}
        self.touched = 0
        self.lifted_at: datetime | None = None  # when a lifting of this story was reported
        self.closed_at: datetime | None = None
        self._reset()

    def _reset(self) -> None:
        self.span: TimeSpan | None = None
        self.categories: Counter[str] = Counter()
        self.phases: Counter[str] = Counter()
        self.primaries: Counter[str] = Counter()
        self.targets: Counter[str] = Counter()
        self.actors: Counter[str] = Counter()
        self.kinds: Counter[str] = Counter()
        self.actions: Counter[str] = Counter()
        self.context: Counter[str] = Counter()
        self.localities: Counter[str] = Counter()
        self.unnamed_places: Counter[str] = Counter()  # places the gazetteer lacks
        self.countries: Counter[str] = Counter()
        self.names: Counter[str] = Counter()
        self.figures: Counter[int] = Counter()
        self.days: Counter[str] = Counter()
        self.centroids: dict[str, Centroid] = {}

    def add(
        self, report: Report, vector: Vector, lineage: Callable[[str], tuple[str, ...]]
    ) -> None:
        self.reports.append(report)
        self.vectors[report.id] = vector
        if report.shingles:
            self.signatures[report.id] = minhash(report.shingles)
        self._absorb(report, vector, lineage)

    def replace(
        self, old_id: str, report: Report, vector: Vector, lineage: Callable[[str], tuple[str, ...]]
    ) -> None:
        """An entry re-read with new content: the new version takes the old one's place."""
        self.reports = [report if r.id == old_id else r for r in self.reports]
        self.vectors.pop(old_id, None)
        self.signatures.pop(old_id, None)
        self.vectors[report.id] = vector
        if report.shingles:
            self.signatures[report.id] = minhash(report.shingles)
        self._reset()
        for member in self.reports:
            self._absorb(member, self.vectors[member.id], lineage)

    def _absorb(
        self, report: Report, vector: Vector, lineage: Callable[[str], tuple[str, ...]]
    ) -> None:
        spans = [r.published for r in self.reports]
        self.span = hull(spans)
        self.categories.update(report.categories)
        self.phases[report.phase] += 1
        self.primaries.update(report.main_targets)
        self.targets.update(report.targets)
        self.actors.update(report.actors)
        self.kinds.update(report.target_kinds)
        self.actions.update(report.actions)
        self.context.update(report.context)
        for place in report.places:
            if place.startswith("~"):
                self.unnamed_places[place] += 1
                continue
            for level in lineage(place):
                if "/" in level:
                    self.localities[level] += 1
        self.countries.update(report.countries)
        self.names.update(report.names)
        self.figures.update(report.numbers)
        if report.days:
            # A report's event is the latest day it names: "after Sunday's
            # detentions, more on Monday" reports Monday's.
            self.days[max(report.days)] += 1
        self.centroids.setdefault(report.lang, Centroid()).add(vector)

    @property
    def main_actions(self) -> set[str]:
        """The actions most of the story's headlines name (all of them on a tie)."""
        if not self.actions:
            return set()
        top = max(self.actions.values())
        return {a for a, n in self.actions.items() if n == top}

    @property
    def phase(self) -> str:
        known = [(n, p) for p, n in self.phases.items() if p != "none"]
        return max(known)[1] if known else "none"


class Grouper:
    """Assigns reports to stories, one at a time, in (roughly) publication order.

    ``decide`` only looks; ``assign`` decides and applies. ``close_expired``
    closes the stories no report can join any more. ``restore`` rebuilds the
    open stories from stored ones after a restart.
    """

    def __init__(
        self,
        config: GroupingConfig | None = None,
        *,
        places: Places | None = None,
        story_id: Callable[[Report], str] = default_story_id,
    ) -> None:
        self.config = config or GroupingConfig()
        self._places: Places = places or _NoPlaces()
        self._lineage = self._places.lineage
        self._story_id = story_id
        self._df = DocumentFrequencies()
        self._open: dict[str, _OpenStory] = {}
        # Closed stories stay at hand for a while: an entry of theirs may still be
        # updated by its feed, and then its story reopens rather than a new one starting.
        self._closed: dict[str, _OpenStory] = {}
        self._by_feed: dict[FeedKey, tuple[str, str]] = {}  # -> (story id, report id)
        self._postings: dict[tuple[str, ...], dict[str, None]] = {}
        self._clock = 0
        self._reach = max(
            [
                self.config.default_window,
                *self.config.follow_up.values(),
                *self.config.windows.values(),
            ]
        )

    # -- looking

    @property
    def open_stories(self) -> tuple[Story, ...]:
        return tuple(self._snapshot(s) for s in self._open.values())

    def story(self, story_id: str) -> Story | None:
        state = self._open.get(story_id) or self._closed.get(story_id)
        return self._snapshot(state) if state is not None else None

    def decide(self, report: Report) -> Decision:
        """Which story the report belongs to, and why; changes nothing."""
        return self._decide(report, self._vector(report))

    # -- changing

    def assign(self, report: Report) -> Outcome:
        """Decide, then apply: the report joins or starts a story."""
        vector = self._vector(report)
        decision = self._decide(report, vector)
        return self._apply(report, decision, vector)

    def apply(self, report: Report, decision: Decision) -> Outcome:
        """Apply a decision made by :meth:`decide` for this report, with nothing between."""
        return self._apply(report, decision, self._vector(report))

    def close_expired(self, now: datetime) -> tuple[Story, ...]:
        """Close the stories whose follow-up window has passed by ``now``, and forget
        those closed longer than ``keep_closed`` ago. Returns the newly closed."""
        closed: list[Story] = []
        for story_id in list(self._open):
            state = self._open[story_id]
            assert state.span is not None
            horizon = self.config.follow_up_window(state.categories)
            if state.span.end + horizon < now:
                closed.append(self._close(state, now))
        for story_id in list(self._closed):
            state = self._closed[story_id]
            if state.closed_at is not None and state.closed_at + self.config.keep_closed < now:
                self._forget(state)
        return tuple(closed)

    def restore(self, stories: Iterable[Story], reports: Iterable[Report]) -> None:
        """Rebuild open stories from storage: their records and their members' reports."""
        by_id = {r.id: r for r in reports}
        for story in stories:
            members = [by_id[m] for m in story.members if m in by_id]
            if not members:
                continue
            state = _OpenStory(story.id)
            for report in members:
                vector = self._vector(report)
                self._df.add(report.lang, (t for t, _ in report.terms))
                state.add(report, vector, self._lineage)
                self._remember_feed(report, story.id)
            state.version = story.version
            if story.state == "open":
                self._open[story.id] = state
                self._register(state)
            else:
                state.state = "closed"
                state.closed_at = story.facts.latest_report_at
                self._closed[story.id] = state

    # -- inside

    def _vector(self, report: Report) -> Vector:
        return self._df.vector(report.lang, report.terms)

    def _decide(self, report: Report, vector: Vector) -> Decision:
        if report.feed is not None and report.feed in self._by_feed:
            story_id, old = self._by_feed[report.feed]
            return Decision(
                report.id,
                "update",
                story_id,
                f"update: entry {report.feed.uid!r} of feed {report.feed.feed!r} is already "
                f"in {story_id} (as {old}); an entry's new version never starts another story",
            )
        candidates = [self._score(report, vector, self._open[sid]) for sid in self._lookup(report)]
        candidates.sort(key=lambda c: (c.veto is not None, -(c.score - c.threshold), c.story_id))
        best = candidates[0] if candidates else None
        considered = tuple(candidates)
        if best is not None and best.veto is None and best.score >= best.threshold:
            why = (
                f"join {best.story_id}: score {best.score:.2f} >= {best.threshold:.2f} "
                f"({_list(best.signals)})"
            )
            return Decision(report.id, "join", best.story_id, why, best, considered)
        new_id = self._story_id(report)
        if best is None:
            why = "new story: no open story shares an entity, place, name, figure or rare word"
        elif best.veto is not None:
            why = f"new story: nearest {best.story_id} ruled out: {best.veto}"
        else:
            why = (
                f"new story: nearest {best.story_id} scored {best.score:.2f} < "
                f"{best.threshold:.2f} ({_list(best.signals)})"
            )
        return Decision(report.id, "new", new_id, why, best, considered)

    def _apply(self, report: Report, decision: Decision, vector: Vector) -> Outcome:
        self._clock += 1
        escalations: tuple[Escalation, ...] = ()
        if decision.action == "update":
            assert report.feed is not None
            story_id, old_id = self._by_feed[report.feed]
            state = self._open.get(story_id)
            if state is None:
                # The story closed meanwhile: reopen it for the entry's new version.
                state = self._reopen(story_id)
            old = next(r for r in state.reports if r.id == old_id)
            before = facts_of(state.reports)
            self._df.remove(old.lang, (t for t, _ in old.terms))
            self._df.add(report.lang, (t for t, _ in report.terms))
            state.replace(old_id, report, vector, self._lineage)
            escalations = escalations_between(before, facts_of(state.reports))
        elif decision.action == "join":
            state = self._open[decision.story_id]
            before = facts_of(state.reports)
            self._df.add(report.lang, (t for t, _ in report.terms))
            state.add(report, vector, self._lineage)
            _, escalations = merge_facts(before, report)
        else:
            state = _OpenStory(decision.story_id)
            self._open[state.id] = state
            self._df.add(report.lang, (t for t, _ in report.terms))
            state.add(report, vector, self._lineage)
        state.version += 1
        state.touched = self._clock
        self._remember_feed(report, state.id)
        self._register(state, report)
        if report.phase == "lifted":
            self._mark_lifted(report, state.id)
        return Outcome(decision, self._snapshot(state), escalations)

    def _mark_lifted(self, report: Report, lifting_story: str) -> None:
        """A lifting ends the blocks it lifts: later reports of a block there are a new one."""
        countries = set(report.countries)
        main = set(report.main_targets)
        for story_id in self._lookup(report):
            story = self._open[story_id]
            if story_id == lifting_story or story.phase != "event" or story.span is None:
                continue
            if story.span.start > report.published.start:
                continue
            if not set(report.all_categories) & set(story.categories):
                continue
            if not countries & set(story.countries):
                continue
            if (main or story.primaries) and not main & (set(story.primaries) | set(story.targets)):
                continue
            if story.lifted_at is None or report.published.start < story.lifted_at:
                story.lifted_at = report.published.start

    def _remember_feed(self, report: Report, story_id: str) -> None:
        if report.feed is not None:
            self._by_feed[report.feed] = (story_id, report.id)

    def _reopen(self, story_id: str) -> _OpenStory:
        state = self._closed.pop(story_id)
        state.state = "open"
        state.closed_at = None
        self._open[story_id] = state
        self._register(state)
        return state

    def _close(self, state: _OpenStory, now: datetime) -> Story:
        for key in state.keys:
            posting = self._postings.get(key)
            if posting is not None:
                posting.pop(state.id, None)
                if not posting:
                    del self._postings[key]
        state.keys.clear()
        del self._open[state.id]
        state.version += 1
        state.state = "closed"
        state.closed_at = now
        self._closed[state.id] = state
        return self._snapshot(state)

    def _forget(self, state: _OpenStory) -> None:
        del self._closed[state.id]
        for report in state.reports:
            if report.feed is not None and self._by_feed.get(report.feed, ("",))[0] == state.id:
                del self._by_feed[report.feed]
            self._df.remove(report.lang, (t for t, _ in report.terms))

    def _snapshot(self, state: _OpenStory) -> Story:
        return Story(
            id=state.id,
            version=state.version,
            state="open" if state.state == "open" else "closed",
            members=tuple(r.id for r in state.reports),
            facts=facts_of(state.reports),
        )

    # -- the index

    def _report_keys(self, report: Report) -> list[tuple[str, ...]]:
        keys: list[tuple[str, ...]] = []
        keys.extend(("e", e) for e in (*report.main_targets, *report.targets, *report.actors))
        for place in report.places:
            keys.extend(("p", level) for level in self._lineage(place))
        keys.extend(("c", c) for c in report.countries)
        keys.extend(("n", n) for n in report.names)
        keys.extend(("f", str(f)) for f in report.numbers)
        rare = sorted(report.terms, key=lambda t: (-self._df.idf(report.lang, t[0]), t[0]))
        keys.extend(("w", report.lang, t) for t, _ in rare[: self.config.index_terms])
        return list(dict.fromkeys(keys))

    def _register(self, state: _OpenStory, report: Report | None = None) -> None:
        members = [report] if report is not None else state.reports
        for member in members:
            for key in self._report_keys(member):
                posting = self._postings.setdefault(key, {})
                # Re-inserting moves the story to the end: postings run oldest to newest.
                posting.pop(state.id, None)
                posting[state.id] = None
                state.keys[key] = None

    def _lookup(self, report: Report) -> list[str]:
        cap = self.config.posting_cap
        hits: dict[str, int] = {}
        for key in self._report_keys(report):
            posting = self._postings.get(key)
            if not posting:
                continue
            for n, story_id in enumerate(reversed(posting)):
                if n >= cap:
                    break
                hits[story_id] = hits.get(story_id, 0) + 1
        # Stories too far away in time cannot be joined; they must not take the
        # places of those that can (the caller may close stories late, or never).
        reach = self._reach.total_seconds()
        for story_id in [s for s in hits if self._far(self._open[s], report, reach)]:
            del hits[story_id]
        ranked = sorted(hits, key=lambda s: (-hits[s], -self._open[s].touched, s))
        return ranked[: self.config.max_candidates]

    @staticmethod
    def _far(story: _OpenStory, report: Report, reach: float) -> bool:
        return story.span is not None and report.published.gap(story.span) > reach

    # -- scoring

    def _score(self, report: Report, vector: Vector, story: _OpenStory) -> Candidate:
        cfg = self.config
        w = cfg.weights
        signals: list[Signal] = []
        threshold = cfg.threshold + cfg.growth * math.log2(len(story.reports))
        assert story.span is not None

        def veto(reason: str) -> Candidate:
            return Candidate(story.id, 0.0, threshold, tuple(signals), reason)

        # Time.
        categories = set(story.categories) | set(report.categories)
        gap = report.published.gap(story.span) / HOUR
        window = cfg.window(categories).total_seconds() / HOUR
        if gap > window:
            follow = cfg.follow_up_window(categories).total_seconds() / HOUR
            if gap > follow:
                return veto(f"{gap:.0f} h apart, past the {follow:.0f} h follow-up window")
            once = (set(report.actions) | story.main_actions) - LASTING_ACTIONS - {"detain"}
            if once:
                return veto(f"{gap:.0f} h apart, and {_set(once)} happens once")
            threshold += cfg.follow_up_extra
            signals.append(
                Signal(
                    "follow-up",
                    f"{gap:.0f} h > {window:.0f} h window, threshold +{cfg.follow_up_extra:.2f}",
                    0.0,
                )
            )
        if story.lifted_at is not None and report.published.start >= story.lifted_at + LIFT_SLACK:
            return veto(f"lifted on {story.lifted_at.date().isoformat()}")
        precise = report.published.precision != "month" and story.span.precision != "month"
        if precise and _overlap(report.published, story.span):
            signals.append(Signal("time", "same day", w.same_day))
        elif precise and gap <= 12:
            signals.append(Signal("time", f"{gap:.0f} h apart", w.close_in_time))

        # The days the texts say the event happened on: the latest each names.
        days, story_days = {max(report.days)} if report.days else set(), set(story.days)
        if days and story_days:
            if days & story_days:
                signals.append(Signal("event day", _set(days & story_days), w.event_day))
            else:
                # Texts name other days too (when a wave began, when a ban was
                # first imposed), so another day counts against, it does not rule out.
                apart = min(_days_apart(a, b) for a in days for b in story_days)
                if "arrest" in categories and apart >= 2:
                    # Detentions are grouped by place and day.
                    return veto(f"another day ({_set(days)} vs {_set(story_days)})")
                if "arrest" in categories or apart >= 2:
                    penalty = w.other_day if apart >= 2 else w.other_day / 2
                    signals.append(
                        Signal("another day", f"{_set(days)} vs {_set(story_days)}", -penalty)
                    )

        # Category and phase.
        mine = set(report.all_categories)
        theirs = set(story.categories)
        if mine and theirs and not mine & theirs:
            return veto(f"another category ({_set(mine)} vs {_set(theirs)})")
        if set(report.categories) & theirs:
            signals.append(Signal("category", _set(set(report.categories) & theirs), w.category))
        phase = story.phase
        if report.phase != "none" and phase != "none" and report.phase != phase:
            return veto(f"another phase ({report.phase} vs {phase})")
        if report.phase == "none":
            threshold += cfg.unclassified_extra

        # What was done, and to what.
        actions, story_actions = set(report.actions), story.main_actions
        if actions and story_actions:
            if actions & story_actions:
                signals.append(Signal("action", _set(actions & story_actions), w.action))
            elif not any(
                frozenset({a, b}) in COMPATIBLE_ACTIONS for a in actions for b in story_actions
            ):
                return veto(f"another step ({_set(actions)} vs {_set(story_actions)})")
        primaries = set(story.primaries)
        main = set(report.main_targets)
        targets = set(report.targets) | main
        story_targets = set(story.targets) | primaries
        main_shared = (main & story_targets) | (primaries & targets)
        if main and primaries and not main_shared:
            return veto(f"another target ({_set(main)} vs {_set(primaries)})")
        shared_targets = targets & story_targets
        if main_shared:
            signals.append(Signal("target", _set(main_shared), w.target))
        elif (targets and primaries and not shared_targets) or (
            main and story_targets and not shared_targets
        ):
            # One names a platform the other never mentions: likely another one.
            signals.append(
                Signal("other target", f"{_set(targets)} vs {_set(story_targets)}", -w.mention)
            )
        elif shared_targets:
            signals.append(Signal("mentions", _set(shared_targets), w.mention))
        shared_actors = set(report.actors) & set(story.actors)
        if shared_actors:
            signals.append(Signal("actor", _set(shared_actors), w.actor))
        shared_kinds = set(report.target_kinds) & set(story.kinds)
        if shared_kinds and not shared_targets:
            signals.append(Signal("target kind", _set(shared_kinds), w.target_kind))

        # Where.
        countries = set(report.countries)
        story_countries = set(story.countries)
        if countries and story_countries and not countries & story_countries:
            return veto(f"another country ({_set(countries)} vs {_set(story_countries)})")
        localities = {
            lvl
            for p in report.places
            if not p.startswith("~")
            for lvl in self._lineage(p)
            if "/" in lvl
        }
        story_localities = set(story.localities)
        shared_places = localities & story_localities
        if "arrest" in categories and localities and story_localities and not shared_places:
            return veto(f"another place ({_set(localities)} vs {_set(story_localities)})")
        if shared_places:
            cities = [p for p in shared_places if self._is_city(p)]
            if cities:
                signals.append(Signal("city", _set(set(cities)), w.city))
            else:
                signals.append(Signal("region", _set(shared_places), w.region))
        elif shared_unnamed := {p for p in report.places if p.startswith("~")} & set(
            story.unnamed_places
        ):
            # A town the gazetteer lacks, named alike ("в Баймаке", "in Baymak").
            signals.append(Signal("place", _set(shared_unnamed), w.region))
        elif countries & story_countries:
            signals.append(Signal("country", _set(countries & story_countries), w.country))

        # Who and how many.
        shared_names = sorted(set(report.names) & set(story.names))
        if shared_names:
            signals.append(
                Signal(
                    "names", ",".join(shared_names), min(w.names_cap, w.name * len(shared_names))
                )
            )
        shared_figures = sorted(set(report.numbers) & set(story.figures))
        if shared_figures:
            value = sum(w.figure / 2 if f % 100 == 0 else w.figure for f in shared_figures)
            signals.append(
                Signal("figures", ",".join(map(str, shared_figures)), min(w.figures_cap, value))
            )

        # Words, within one language.
        similarity = self._similarity(report, vector, story)
        if similarity is not None and similarity > 0.0:
            signals.append(Signal(cfg.similarity, f"{similarity:.2f}", w.text * similarity))

        if (report.phase == "none" or story.phase == "none") and not self._topical(
            report, story, signals
        ):
            # The detector found no event on one side: place and time alone do not
            # make it part of one (a flight delay at the airport of a city in protest).
            return veto("no event found and nothing but place and time in common")
        score = sum(s.score for s in signals)
        return Candidate(story.id, round(score, 4), round(threshold, 4), tuple(signals))

    def _topical(self, report: Report, story: _OpenStory, signals: list[Signal]) -> bool:
        """Whether the two share what happened, not only where and when."""
        text = self.config.similarity
        for s in signals:
            if s.name in _TOPICAL and (
                s.name != text or float(s.value) >= self.config.topical_text
            ):
                return True
        return bool(set(report.context) & set(story.context))

    def _similarity(self, report: Report, vector: Vector, story: _OpenStory) -> float | None:
        if self.config.similarity == "minhash":
            if not report.shingles:
                return None
            mine = minhash(report.shingles)
            same = [
                story.signatures[r.id]
                for r in story.reports
                if r.lang == report.lang and r.id in story.signatures
            ]
            return max((minhash_similarity(mine, s) for s in same), default=None)
        centroid = story.centroids.get(report.lang)
        if centroid is None:
            return None
        return centroid.cosine(vector)

    def _is_city(self, place: str) -> bool:
        return self._places.kind_of(place) == "city"


class Places(Protocol):
    """What grouping asks of the gazetteer (Gazetteer answers it)."""

    def lineage(self, place_id: str) -> tuple[str, ...]: ...

    def kind_of(self, place_id: str) -> str | None: ...


class _NoPlaces:
    def lineage(self, place_id: str) -> tuple[str, ...]:
        return (place_id,)

    def kind_of(self, place_id: str) -> str | None:
        return None


# Signals about what happened, as opposed to where and when.
_TOPICAL = frozenset(
    {"target", "mentions", "names", "figures", "target kind", "action", "tfidf", "minhash"}
)


def _overlap(first: TimeSpan, second: TimeSpan) -> bool:
    """Whether two spans share more than a boundary (a day and the next do not)."""
    if first.start == first.end or second.start == second.end:
        return first.start <= second.end and second.start <= first.end
    return first.start < second.end and second.start < first.end


def _days_apart(first: str, second: str) -> int:
    return abs((date.fromisoformat(first) - date.fromisoformat(second)).days)


def _set(values: Iterable[object]) -> str:
    return ",".join(sorted(str(v) for v in values))


def _list(signals: Iterable[Signal]) -> str:
    parts = [
        f"{s.name} {s.value} {s.score:+.2f}" if s.score else f"{s.name} {s.value}" for s in signals
    ]
    return "; ".join(parts) or "nothing"


__all__ = ["Grouper", "GroupingConfig", "Places", "Weights", "default_story_id"]
