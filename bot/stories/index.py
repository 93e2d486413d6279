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

from collections.abc import Callable, Iterable, Mapping
from itertools import islice

from bot.stories.records import Report
from bot.stories.state import StoryState

Key = tuple[str, ...]


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
        for place in report.places:
            keys.extend(("p", level) for level in self._lineage(place))
        keys.extend(("c", c) for c in report.countries)
        keys.extend(("n", n) for n in report.names)
        keys.extend(("f", str(f)) for f in report.numbers)
        rare = sorted(vector, key=lambda t: (-vector[t], t))[: self._index_terms]
        keys.extend(("w", report.lang, t) for t in rare)
        return list(dict.fromkeys(keys))

    def file(self, story: StoryState, keys: Iterable[Key]) -> None:
        """File the story under these keys; it moves to the end of each posting
        (postings run from the least to the most recently changed story)."""
        story_id = story.id
        postings = self._postings
        for key in keys:
            posting = postings.get(key)
            if posting is None:
                postings[key] = {story_id: None}
            elif next(reversed(posting)) != story_id:
                posting.pop(story_id, None)
                posting[story_id] = None
            story.keys[key] = None

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
        postings = [p for k in keys if (p := self._postings.get(k))]
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
            for story_id in islice(reversed(posting), visit):
                hits[story_id] = get(story_id, 0.0) + weight
            budget -= visit
        return hits
