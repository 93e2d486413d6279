"""Text similarity between reports of one language: TF-IDF cosine and MinHash.

Both work on lemmas (Russian) or stems (English), so "заблокировал" and
"блокировку" meet. docs/stories.md says which one grouping uses and why; the
other stays here so the comparison can be re-run (``bench/stories.py --similarity``).

Weights use document frequencies counted over the reports seen so far, per
language: words every report uses ("власти", "said") weigh little, the rare ones
that name the event weigh much. Counting as we go keeps the grouper free of any
fixed corpus and deterministic for a given input order.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Iterable, Mapping, Sequence
from itertools import repeat
from operator import mul

Vector = dict[str, float]

MINHASH_SIZE = 64
_PRIME = (1 << 61) - 1
# Fixed hash permutations (a*x + b mod p), so signatures are equal across runs.
_PERMUTATIONS = tuple(
    ((2 * k + 1) * 0x9E3779B97F4A7C15 % _PRIME or 1, (k * 0x632BE59BD9B4E019 + 7) % _PRIME)
    for k in range(MINHASH_SIZE)
)


class DocumentFrequencies:
    """How many reports of each language used each word."""

    def __init__(self) -> None:
        self._docs: dict[str, int] = {}
        self._df: dict[str, dict[str, int]] = {}
        # log(k) for every k up to one more than the most reports of a language:
        # a word's IDF takes log(1 + df), and df never exceeds the reports counted.
        self._logs: list[float] = [0.0, 0.0]

    def add(self, lang: str, terms: Iterable[str]) -> None:
        self.add_counted(lang, zip(terms, repeat(1)))

    def add_counted(self, lang: str, terms: Iterable[tuple[str, int]]) -> None:
        """:meth:`add` for a report's ``terms`` (word, count) as they are stored."""
        docs = self._docs[lang] = self._docs.get(lang, 0) + 1
        if len(self._logs) <= docs + 1:
            self._cover(docs)
        df = self._df.setdefault(lang, {})
        get = df.get
        for term, _ in terms:
            df[term] = get(term, 0) + 1

    def remove(self, lang: str, terms: Iterable[str]) -> None:
        """Forget one report (an entry replaced by its updated version)."""
        self._docs[lang] = max(0, self._docs.get(lang, 0) - 1)
        df = self._df.get(lang, {})
        for term in terms:
            left = df.get(term, 0) - 1
            if left > 0:
                df[term] = left
            else:
                df.pop(term, None)

    def idf(self, lang: str, term: str) -> float:
        docs = self._docs.get(lang, 0)
        return math.log((1 + docs) / (1 + self._df.get(lang, {}).get(term, 0))) + 1.0

    def vector(self, lang: str, terms: Sequence[tuple[str, int]]) -> Vector:
        """The L2-normalised TF-IDF vector of a bag of words (sublinear term counts)."""
        log = math.log
        logs = self._logs
        docs = self._docs.get(lang, 0)
        if len(logs) <= docs + 1:
            self._cover(docs)
        scale = logs[1 + docs] + 1.0
        df = self._df.get(lang, {})
        get = df.get
        # idf = log((1 + docs) / (1 + df)) + 1, written as scale - log(1 + df) with
        # the logs looked up; a word used once weighs its idf (1 + log 1 = 1).
        try:
            weights = {
                t: (scale - logs[1 + get(t, 0)])
                if n == 1
                else (1.0 + log(n)) * (scale - logs[1 + get(t, 0)])
                for t, n in terms
            }
        except IndexError:
            # Only when a word was counted more often than reports (a caller
            # adding the same word twice for one report).
            self._cover(max(df.values()))
            return self.vector(lang, terms)
        values = weights.values()
        norm = math.sqrt(sum(map(mul, values, values)))
        return {t: w / norm for t, w in weights.items()} if norm else {}

    def _cover(self, count: int) -> None:
        """Have log(k) at hand for every k up to count + 1."""
        logs = self._logs
        while len(logs) <= count + 1:
            logs.append(math.log(len(logs)))


def dot(small: Mapping[str, float], large: Mapping[str, float]) -> float:
    if len(small) > len(large):
        small, large = large, small
    found: float = sum(map(mul, small.values(), map(large.get, small, repeat(0.0))))
    return found


class Centroid:
    """The running sum of member vectors, for cosine against a whole story."""

    __slots__ = ("count", "norm2", "total")

    def __init__(self) -> None:
        self.total: Vector = {}
        self.norm2 = 0.0
        self.count = 0

    def add(self, vector: Mapping[str, float]) -> None:
        # |s + v|^2 = |s|^2 + 2 s.v + |v|^2: the norm is kept in the same pass that
        # adds the vector, never by a pass over the whole sum.
        total = self.total
        get = total.get
        cross = own = 0.0
        for term, weight in vector.items():
            old = get(term, 0.0)
            cross += old * weight
            own += weight * weight
            total[term] = old + weight
        self.norm2 += 2 * cross + own
        self.count += 1

    def cosine(self, vector: Mapping[str, float]) -> float:
        if self.norm2 <= 0.0 or not vector:
            return 0.0
        return dot(vector, self.total) / math.sqrt(self.norm2)


def shingle_hashes(lemmas: Iterable[str], size: int = 2) -> tuple[int, ...]:
    """Stable hashes of consecutive lemma runs ("заблокировать telegram")."""
    words = list(lemmas)
    if len(words) < size:
        runs = [" ".join(words)] if words else []
    else:
        runs = [" ".join(words[k : k + size]) for k in range(len(words) - size + 1)]
    return tuple(sorted({zlib.crc32(run.encode("utf-8")) for run in runs}))


def minhash(shingles: Iterable[int]) -> tuple[int, ...]:
    values = tuple(shingles)
    if not values:
        return ()
    return tuple(min((a * x + b) % _PRIME for x in values) for a, b in _PERMUTATIONS)


def minhash_similarity(first: tuple[int, ...], second: tuple[int, ...]) -> float:
    """The MinHash estimate of the Jaccard similarity of two shingle sets."""
    if not first or not second:
        return 0.0
    return sum(1 for a, b in zip(first, second, strict=True) if a == b) / len(first)
