"""Which story a report belongs to: join an open story, or start a new one.

The decision weighs signals that hold across languages (named entities, places,
person names, figures, publication time, category) and, between reports of one
language, the similarity of their words (scoring.py). Every decision says which
signals counted, with their values, against which threshold. See docs/stories.md.

The Grouper keeps the open stories in memory with an index from features to
stories (index.py), so a report is compared with the few stories that share
something with it, not with all of them. It is deterministic: the same reports
in the same order give the same stories.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

from bot.stories.config import GroupingConfig, Weights
from bot.stories.explained import CONSIDERED, ScoredDecision
from bot.stories.facts import escalations_between
from bot.stories.index import StoryIndex
from bot.stories.probe import PlaceLevels, Places, Probe
from bot.stories.records import Action, Decision, Escalation, FeedKey, Outcome, Report, Story
from bot.stories.scoring import Scored, score
from bot.stories.similarity import DocumentFrequencies, Vector
from bot.stories.state import StoryState


def default_story_id(report: Report) -> str:
    return f"story:{report.id}"


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
        self._places = PlaceLevels(places or _NoPlaces())
        self._story_id = story_id
        self._df = DocumentFrequencies()
        self._index = StoryIndex(self._places.lineage, self.config.index_terms)
        self._open: dict[str, StoryState] = {}
        # Closed stories stay at hand for a while: an entry of theirs may still be
        # updated by its feed, and then its story reopens rather than a new one starting.
        self._closed: dict[str, StoryState] = {}
        self._by_feed: dict[FeedKey, tuple[str, str]] = {}  # -> (story id, report id)
        self._clock = 0
        self._reach = self.config.reach.total_seconds()

    # -- looking

    @property
    def open_stories(self) -> tuple[Story, ...]:
        return tuple(self._snapshot(s) for s in self._open.values())

    def story(self, story_id: str) -> Story | None:
        state = self._open.get(story_id) or self._closed.get(story_id)
        return self._snapshot(state) if state is not None else None

    def decide(self, report: Report) -> Decision:
        """Which story the report belongs to, and why; changes nothing."""
        return self._decide(self._probe(report))

    # -- changing

    def assign(self, report: Report) -> Outcome:
        """Decide, then apply: the report joins or starts a story."""
        probe = self._probe(report)
        return self._apply(probe, self._decide(probe))

    def apply(self, report: Report, decision: Decision) -> Outcome:
        """Apply a decision made by :meth:`decide` for this report, with nothing between."""
        return self._apply(self._probe(report), decision)

    def close_expired(self, now: datetime) -> tuple[Story, ...]:
        """Close the stories whose follow-up window has passed by ``now``, and forget
        those closed longer than ``keep_closed`` ago. Returns the newly closed."""
        closed: list[Story] = []
        for story_id in list(self._open):
            state = self._open[story_id]
            assert state.span_end is not None
            horizon = self.config.follow_up_window(state.categories)
            if state.span_end + horizon < now:
                closed.append(self._close(state, now))
        for story_id in list(self._closed):
            state = self._closed[story_id]
            if state.closed_at is not None and state.closed_at + self.config.keep_closed < now:
                self._forget(state)
        return tuple(closed)

    def restore(self, stories: Iterable[Story], reports: Iterable[Report]) -> None:
        """Rebuild stories from storage: their records and their members' reports."""
        by_id = {r.id: r for r in reports}
        for story in stories:
            members = [by_id[m] for m in story.members if m in by_id]
            if not members:
                continue
            state = StoryState(story.id)
            for report in members:
                vector = self._vector(report)
                self._df.add_counted(report.lang, report.terms)
                state.add(report, vector, self._places)
                self._remember_feed(report, story.id)
            state.version = story.version
            if story.state == "open":
                self._open[story.id] = state
                for report in members:
                    self._index.file(story.id, self._index.keys(report, state.vectors[report.id]))
            else:
                state.open = False
                state.closed_at = story.facts.latest_report_at
                self._closed[story.id] = state

    # -- inside

    def _vector(self, report: Report) -> Vector:
        return self._df.vector(report.lang, report.terms)

    def _probe(self, report: Report) -> Probe:
        vector = self._vector(report)
        return Probe(report, vector, self._places, self._index.keys(report, vector))

    def _decide(self, probe: Probe) -> Decision:
        report = probe.report
        if report.feed is not None and report.feed in self._by_feed:
            story_id, old = self._by_feed[report.feed]
            why = (
                f"update: entry {report.feed.uid!r} of feed {report.feed.feed!r} is already "
                f"in {story_id} (as {old}); an entry's new version never starts another story"
            )
            return Decision(report.id, "update", story_id, why)
        scored: list[Scored] = []
        for sid in self._lookup(probe):
            found = score(probe, self._open[sid], self.config, self._places)
            scored.append(found)
            if found.veto is None and found.margin >= self.config.clear_margin:
                # A clear join with the best-placed story: the rest cannot matter much.
                break
        if len(scored) > 1:
            scored.sort(key=lambda c: (c.veto is not None, -c.margin, c.story_id))
        if not scored:
            why = "new story: no open story shares an entity, place, name, figure or rare word"
            return Decision(report.id, "new", self._story_id(report), why)
        best = scored[0]
        action: Action = "join" if best.reaches() else "new"
        story_id = best.story_id if action == "join" else self._story_id(report)
        # Worded when read: most decisions never are (explained.py).
        return ScoredDecision(report.id, action, story_id, scored=scored[:CONSIDERED])

    def _lookup(self, probe: Probe) -> list[str]:
        cfg = self.config
        if probe.postings is None:
            probe.postings = self._index.lookup(probe.keys)
        hits = self._index.candidates(
            probe.postings, cfg.posting_cap, cfg.lookup_budget, 2 * cfg.max_candidates
        )
        # The best-placed stories first (on a tie, the one met first: the specific
        # keys are read first, each from its most recently changed story); those
        # too far away in time are left out, since the caller may close stories
        # late or never, so they cannot take the places of those that can be joined.
        ranked = sorted(hits, key=hits.__getitem__, reverse=True)[: 2 * cfg.max_candidates]
        reach = self._reach
        start, end = probe.start, probe.end
        stories = self._open
        wanted = cfg.max_candidates
        near: list[str] = []
        if wanted <= 0:
            return near
        for sid in ranked:
            story = stories[sid]
            if story.start - end <= reach and start - story.end <= reach:
                near.append(sid)
                if len(near) == wanted:
                    break
        return near

    def _apply(self, probe: Probe, decision: Decision) -> Outcome:
        report, vector = probe.report, probe.vector
        self._clock += 1
        escalations: tuple[Escalation, ...] = ()
        if decision.action == "update":
            assert report.feed is not None
            story_id, old_id = self._by_feed[report.feed]
            state = self._open.get(story_id)
            if state is None:
                # The story closed meanwhile: it reopens for the entry's new version.
                state = self._reopen(story_id)
            old = next(r for r in state.reports if r.id == old_id)
            before = state.facts
            self._df.remove(old.lang, (t for t, _ in old.terms))
            self._df.add_counted(report.lang, report.terms)
            state.replace(old_id, report, vector, self._places)
            assert before is not None and state.facts is not None
            escalations = escalations_between(before, state.facts)
        else:
            if decision.action == "join":
                state = self._open[decision.story_id]
            else:
                state = self._open[decision.story_id] = StoryState(decision.story_id)
            self._df.add_counted(report.lang, report.terms)
            escalations = state.add(report, vector, self._places)
        state.version += 1
        state.touched = self._clock
        self._remember_feed(report, state.id)
        self._index.file(state.id, probe.keys, probe.postings)
        probe.postings = None  # filing changed them
        if report.phase == "lifted":
            self._mark_lifted(probe, state.id)
        return Outcome(decision, self._snapshot(state), escalations)

    def _mark_lifted(self, probe: Probe, lifting_story: str) -> None:
        """A lifting ends the blocks it lifts: later reports of a block there are a new one."""
        report = probe.report
        for story_id in self._lookup(probe):
            story = self._open[story_id]
            if story_id == lifting_story or story.phase != "event" or story.span_start is None:
                continue
            if story.span_start > report.published.start:
                continue
            if not probe.all_categories & story.categories.keys():
                continue
            if not probe.countries & story.countries.keys():
                continue
            if (probe.main or story.primaries) and not probe.main & story.named.keys():
                continue
            if story.lifted_at is None or report.published.start < story.lifted_at:
                story.lifted_at = report.published.start

    def _remember_feed(self, report: Report, story_id: str) -> None:
        if report.feed is not None:
            self._by_feed[report.feed] = (story_id, report.id)

    def _reopen(self, story_id: str) -> StoryState:
        state = self._closed.pop(story_id)
        state.open = True
        state.closed_at = None
        self._open[story_id] = state
        for report in state.reports:
            self._index.file(story_id, self._index.keys(report, state.vectors[report.id]))
        return state

    def _close(self, state: StoryState, now: datetime) -> Story:
        # Its keys are those of its reports, worked out again as they were filed
        # (from the vectors they had then), and of the reports updates replaced.
        filed = [*((r, state.vectors[r.id]) for r in state.reports), *state.retired]
        for report, vector in filed:
            self._index.remove(state.id, self._index.keys(report, vector))
        state.retired = ()
        del self._open[state.id]
        state.version += 1
        state.open = False
        state.closed_at = now
        self._closed[state.id] = state
        return self._snapshot(state)

    def _forget(self, state: StoryState) -> None:
        del self._closed[state.id]
        for report in state.reports:
            if report.feed is not None and self._by_feed.get(report.feed, ("",))[0] == state.id:
                del self._by_feed[report.feed]
            self._df.remove(report.lang, (t for t, _ in report.terms))

    @staticmethod
    def _snapshot(state: StoryState) -> Story:
        assert state.facts is not None
        return Story(
            id=state.id,
            version=state.version,
            state="open" if state.open else "closed",
            members=state.members,
            facts=state.facts,
        )


class _NoPlaces:
    def lineage(self, place_id: str) -> tuple[str, ...]:
        return (place_id,)

    def kind_of(self, place_id: str) -> str | None:
        return None


__all__ = ["Grouper", "GroupingConfig", "Places", "Scored", "Weights", "default_story_id"]
