"""From a report's features to the few open stories worth scoring.

Each open story is filed under keys of its reports: named entities, places (with
the regions and countries holding them), person names, figures, and the rarest
words of each report. A report is compared only with the stories that share keys
with it, the most and the rarest shared first. Keys held by many stories (a country, a
regulator) are looked at last and only for their most recently changed stories,
within a fixed budget of visits, so a lookup costs the same with ten stories open
or ten thousand.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from itertools import islice

from bot.stories.probe import Key
from bot.stories.records import Report
from bot.stories.state import StoryState


class StoryIndex:
    def __init__(
        self,
        lineage: Callable[[str], tuple[str, ...]],
        index_terms: int,
    ) -> None:
        self._lineage = lineage
        self._index_terms = index_terms
        self._postings: dict[Key, dict[str, None]] = {}

    def keys(self, report: Report, vector: Mapping[str, float]) -> list[Key]:
        """The keys a report is filed under; ``vector`` is its TF-IDF vector, whose
        heaviest words are its rarest."""
        keys: list[Key] = [
            ("e", e) for e in (*report.main_targets, *report.targets, *report.actors)
        ]
        add = keys.append
        if report.places:
            lineage = self._lineage
            for place in report.places:
                for level in lineage(place):
                    add(("p", level))
        for c in report.countries:
            add(("c", c))
        for n in report.names:
            add(("n", n))
        for f in report.numbers:
            add(("f", str(f)))
        lang = report.lang
        for t in self._rarest(vector):
            add(("w", lang, t))
        return list(dict.fromkeys(keys))

    def _rarest(self, vector: Mapping[str, float]) -> list[str]:
        """The heaviest words, the heaviest first (on a tie, in alphabetical order)."""
        count = self._index_terms
        if count <= 0:
            return []
        if len(vector) > count:
            # Only the words weighing at least the count-th heaviest can be among
            # them: sorting the weights alone is cheaper than sorting the words.
            cut = sorted(vector.values(), reverse=True)[count - 1]
            words = [t for t, w in vector.items() if w >= cut]
        else:
            words = list(vector)
        words.sort(key=lambda t: (-vector[t], t))
        return words[:count]

    def file(self, story: StoryState, keys: Sequence[Key]) -> None:
        """File the story under these keys; it moves to the end of each posting
        (postings run from the least to the most recently changed story)."""
        story_id = story.id
        postings = self._postings
        get = postings.get
        for key in keys:
            posting = get(key)
            if posting is None:
                postings[key] = {story_id: None}
            else:
                # Out and in again: now the last, whether it was there or not.
                posting.pop(story_id, None)
                posting[story_id] = None
        story.keys.update(dict.fromkeys(keys))

    def remove(self, story: StoryState) -> None:
        for key in story.keys:
            posting = self._postings.get(key)
            if posting is not None:
                posting.pop(story.id, None)
                if not posting:
                    del self._postings[key]
        story.keys.clear()

    def candidates(
        self, keys: Iterable[Key], cap: int, budget: int, enough: int
    ) -> dict[str, float]:
        """Story ids sharing keys with the report, each with the keys' weight: a key
        counts one over the number of stories filed under it, so sharing a product's
        name counts for more than sharing a country and ten common words."""
        postings = [p for p in map(self._postings.get, keys) if p]
        postings.sort(key=len)  # specific keys first: they say the most
        hits: dict[str, float] = {}
        get = hits.get
        for posting in postings:
            size = len(posting)
            if budget <= 0 or (size > cap and len(hits) >= enough):
                # Keys of many stories say little; they are read only when the
                # specific ones found too few stories.
                break
            weight = 1.0 / size
            visit = min(size, cap, budget)
            stories = reversed(posting) if visit == size else islice(reversed(posting), visit)
            for story_id in stories:
                hits[story_id] = get(story_id, 0.0) + weight
            budget -= visit
        return hits
