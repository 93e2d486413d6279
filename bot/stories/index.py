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
from operator import itemgetter

from bot.stories.probe import Key
from bot.stories.records import Report

# The stories filed under one key, from the least to the most recently changed.
Posting = dict[str, None]

_WORD = itemgetter(0)
_WEIGHT = itemgetter(1)


class StoryIndex:
    def __init__(
        self,
        lineage: Callable[[str], tuple[str, ...]],
        index_terms: int,
    ) -> None:
        self._lineage = lineage
        self._index_terms = index_terms
        self._postings: dict[Key, Posting] = {}

    def keys(self, report: Report, vector: Mapping[str, float]) -> list[Key]:
        """The keys a report is filed under; ``vector`` is its TF-IDF vector, whose
        heaviest words are its rarest.

        A key is one string, its kind's letter then the value (a word's key: "w",
        its language, a NUL, the word): a string keeps its hash once worked out,
        where a tuple's is worked out again on every lookup, and a report's keys
        are looked up, filed and removed many times."""
        keys: list[Key] = ["e" + e for e in (*report.main_targets, *report.targets, *report.actors)]
        add = keys.append
        if report.places:
            lineage = self._lineage
            for place in report.places:
                for level in lineage(place):
                    add("p" + level)
        for c in report.countries:
            add("c" + c)
        for n in report.names:
            add("n" + n)
        for f in report.numbers:
            add(f"f{f}")
        words = "w" + report.lang + "\0"
        for t in self._rarest(vector):
            add(words + t)
        return list(dict.fromkeys(keys))

    def _rarest(self, vector: Mapping[str, float]) -> list[str]:
        """The heaviest words, the heaviest first (on a tie, in alphabetical order)."""
        count = self._index_terms
        if count <= 0:
            return []
        # Two sorts with C-level keys: alphabetical, then by weight (a stable sort,
        # so words of equal weight stay in alphabetical order).
        words = sorted(vector.items(), key=_WORD)
        words.sort(key=_WEIGHT, reverse=True)
        return [t for t, _ in words[:count]]

    def lookup(self, keys: Sequence[Key]) -> list[Posting | None]:
        """The posting of each key (None for a key no story is filed under)."""
        return list(map(self._postings.get, keys))

    def file(
        self, story_id: str, keys: Sequence[Key], found: Sequence[Posting | None] | None = None
    ) -> None:
        """File the story under these keys; it moves to the end of each posting
        (postings run from the least to the most recently changed story).
        ``found`` is what :meth:`lookup` gave for the keys, if nothing changed since."""
        postings = self._postings
        for key, posting in zip(keys, found or self.lookup(keys), strict=True):
            if posting is None:
                postings[key] = {story_id: None}
            else:
                # Out and in again: now the last, whether it was there or not.
                posting.pop(story_id, None)
                posting[story_id] = None

    def remove(self, story_id: str, keys: Iterable[Key]) -> None:
        """Take the story out of the postings of these keys (all it was filed under)."""
        postings = self._postings
        for key in keys:
            posting = postings.get(key)
            if posting is not None:
                posting.pop(story_id, None)
                if not posting:
                    del postings[key]

    @staticmethod
    def candidates(
        found: Sequence[Posting | None], cap: int, budget: int, enough: int
    ) -> dict[str, float]:
        """Story ids sharing keys with the report (``found``: the postings of its
        keys), each with the keys' weight: a key counts one over the number of
        stories filed under it, so sharing a product's name counts for more than
        sharing a country and ten common words."""
        postings = [p for p in found if p]
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
            if hits:
                for story_id in stories:
                    hits[story_id] = get(story_id, 0.0) + weight
            else:
                hits = dict.fromkeys(stories, weight)
                get = hits.get
            budget -= visit
        return hits
