"""A report's features as the grouper compares them, made once per assignment.

The lookup, the scoring of every candidate, the story the report joins and the
index all read the same sets, the same word vector and the same index keys, so
they are made once (Probe), not once per step or per candidate. The gazetteer's
answers for a place (the regions and country holding it, whether it is a city)
never change and are asked once per place (PlaceLevels).
"""

from __future__ import annotations

from typing import Protocol, TypeVar

from bot.stories.records import Report
from bot.stories.similarity import Vector, minhash
from bot.stories.words import COMPATIBLE_ACTIONS

# An index key: the kind of feature and its value in one string (index.py).
Key = str
_T = TypeVar("_T")

# How many places' answers are kept: the gazetteer's few hundred, with room for
# those only a feed names ("~..."), which are never kept (their number is unbounded).
_PLACES_KEPT = 4096


class Places(Protocol):
    """What grouping asks of the gazetteer (Gazetteer answers it)."""

    def lineage(self, place_id: str) -> tuple[str, ...]: ...

    def kind_of(self, place_id: str) -> str | None: ...


class PlaceLevels:
    """A gazetteer's answers, each asked once per place."""

    __slots__ = ("_kinds", "_lineages", "_localities", "_places")

    def __init__(self, places: Places) -> None:
        self._places = places
        self._lineages: dict[str, tuple[str, ...]] = {}
        self._localities: dict[str, tuple[str, ...]] = {}
        self._kinds: dict[str, str | None] = {}

    def lineage(self, place_id: str) -> tuple[str, ...]:
        """The place and the places holding it: city, region, country."""
        found = self._lineages.get(place_id)
        if found is None:
            found = self._places.lineage(place_id)
            self._keep(self._lineages, place_id, found)
        return found

    def localities(self, place_id: str) -> tuple[str, ...]:
        """The cities and regions of a place's lineage (ids with a "/"); none for a
        place the gazetteer lacks."""
        found = self._localities.get(place_id)
        if found is None:
            found = (
                ()
                if place_id.startswith("~")
                else tuple(level for level in self.lineage(place_id) if "/" in level)
            )
            self._keep(self._localities, place_id, found)
        return found

    def kind_of(self, place_id: str) -> str | None:
        if place_id in self._kinds:
            return self._kinds[place_id]
        found = self._places.kind_of(place_id)
        self._keep(self._kinds, place_id, found)
        return found

    @staticmethod
    def _keep(memo: dict[str, _T], place_id: str, value: _T) -> None:
        if place_id.startswith("~"):
            return
        if len(memo) >= _PLACES_KEPT:
            memo.clear()
        memo[place_id] = value


_EMPTY: frozenset[str] = frozenset()
_NO_FIGURES: frozenset[int] = frozenset()

# For each action, the other actions a story of it may also be about (a detention
# and its court decision).
_PARTNERS: dict[str, frozenset[str]] = {}
for _pair in COMPATIBLE_ACTIONS:
    if len(_pair) == 2:
        for _action in _pair:
            _PARTNERS[_action] = _PARTNERS.get(_action, _EMPTY) | (_pair - {_action})


class Probe:
    """A report's features as the sets scoring compares, its TF-IDF vector and the
    keys the index files it under."""

    __slots__ = (
        "_signature", "actions", "actors", "all_categories", "categories", "context",
        "countries", "day", "end", "figures", "keys", "kinds", "localities", "main", "names",
        "partners", "postings", "report", "start", "targets", "unnamed_places", "vector",
    )  # fmt: skip

    def __init__(
        self, report: Report, vector: Vector, levels: PlaceLevels, keys: list[Key]
    ) -> None:
        self.report = report
        self.vector = vector
        self.keys = keys
        # The index's postings of those keys, once looked up (until the index changes).
        self.postings: list[dict[str, None] | None] | None = None
        published = report.published
        self.start = published.start.timestamp()
        self.end = self.start if published.end is published.start else published.end.timestamp()
        categories = report.categories
        self.categories = frozenset(categories) if categories else _EMPTY
        weak = report.weak_categories
        self.all_categories = self.categories | frozenset(weak) if weak else self.categories
        actions = report.actions
        if actions:
            self.actions = frozenset(actions)
            # The other actions a story may name and still be about one of these.
            self.partners = frozenset(b for a in actions for b in _PARTNERS.get(a, _EMPTY))
        else:
            self.actions = self.partners = _EMPTY
        main = report.main_targets
        self.main = frozenset(main) if main else _EMPTY
        targets = report.targets
        self.targets = frozenset(targets) | self.main if targets else self.main
        self.actors = frozenset(report.actors) if report.actors else _EMPTY
        self.kinds = frozenset(report.target_kinds) if report.target_kinds else _EMPTY
        self.context = frozenset(report.context) if report.context else _EMPTY
        self.countries = frozenset(report.countries) if report.countries else _EMPTY
        places = report.places
        if places:
            localities = levels.localities
            self.localities = frozenset(level for p in places for level in localities(p))
            self.unnamed_places = frozenset(p for p in places if p.startswith("~"))
        else:
            self.localities = self.unnamed_places = _EMPTY
        self.names = frozenset(report.names) if report.names else _EMPTY
        self.figures = frozenset(report.numbers) if report.numbers else _NO_FIGURES
        self.day = max(report.days) if report.days else None
        self._signature: tuple[int, ...] | None = None

    @property
    def signature(self) -> tuple[int, ...]:
        if self._signature is None:
            self._signature = minhash(self.report.shingles)
        return self._signature
