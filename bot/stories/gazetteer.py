"""Places named in a report, as language-neutral ids: "в Москве" and "Moscow" -> ru/moscow.

The data is ``places.toml`` (countries, regions, capitals, large cities, with
English and Russian names and the countries' adjectives). Russian names are
compiled through the detector's analyser, so every declined form matches; English
names are matched case-folded with the possessive dropped.
"""

from __future__ import annotations

import logging
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any, Literal

from bot.detect.lemmatize import Analyser
from bot.detect.text import WORD, tokenize_words
from bot.stories.textview import TextView
from bot.stories.translit import latin_variants

logger = logging.getLogger(__name__)

PlaceKind = Literal["country", "region", "city"]
_RANK: dict[str, int] = {"country": 0, "region": 1, "city": 2}
_REGION_FORMS = {
    "oblast": ("oblast", "region", "province"),
    "krai": ("krai", "kray", "territory", "region"),
}


@dataclass(frozen=True, slots=True)
class Place:
    id: str
    kind: PlaceKind
    country: str
    region: str | None  # the region id of a city, when known
    names: tuple[tuple[str, str], ...]  # (lang, display name)

    def name(self, lang: str) -> str:
        for code, text in self.names:
            if code == lang:
                return text
        return self.names[0][1] if self.names else self.id


@dataclass(frozen=True, slots=True)
class PlaceHit:
    place: str
    start: int  # token index, inclusive
    end: int  # token index, exclusive
    adjective: bool  # "Turkish", "российский": a country by its adjective


@dataclass(frozen=True, slots=True)
class _Pattern:
    words: tuple[frozenset[str], ...]  # keys each word must share with the token
    exact: tuple[str | None, ...]  # the form as written, for abbreviations ("US", "РФ")
    place: str
    adjective: bool
    needs_cue: bool


class Gazetteer:
    def __init__(
        self,
        places: Mapping[str, Place],
        patterns: Mapping[str, Mapping[str, tuple[_Pattern, ...]]],
        cues: Mapping[str, frozenset[str]],
        entity_countries: Mapping[str, str] | None = None,
    ) -> None:
        self.places = dict(places)
        self.entity_countries = dict(entity_countries or {})
        self._patterns = {lang: dict(index) for lang, index in patterns.items()}
        self._cues = dict(cues)

    @classmethod
    def load(cls, analysers: Mapping[str, Analyser]) -> Gazetteer:
        """The bundled gazetteer, compiled for the given languages' analysers."""
        raw = (resources.files("bot.stories") / "places.toml").read_text(encoding="utf-8")
        return cls.from_table(tomllib.loads(raw), analysers)

    @classmethod
    def from_table(cls, table: Mapping[str, Any], analysers: Mapping[str, Analyser]) -> Gazetteer:
        builder = _Builder(analysers)
        for code, entry in table.get("countries", {}).items():
            builder.add(code, "country", code, None, entry)
        for country, regions in table.get("regions", {}).items():
            for key, entry in regions.items():
                builder.add(f"{country}/{key}", "region", country, None, entry)
        for country, cities in table.get("cities", {}).items():
            for key, entry in cities.items():
                region = entry.get("region")
                region_id = f"{country}/{region}" if region else None
                builder.add(f"{country}/{key}", "city", country, region_id, entry)
        cues = {
            lang: frozenset(w for word in words for w in tokenize_words(word))
            for lang, words in table.get("cues", {}).items()
        }
        entity_countries = {str(k): str(v) for k, v in table.get("entity_countries", {}).items()}
        return cls(builder.places, builder.index(), cues, entity_countries)

    def find(self, text: TextView) -> tuple[PlaceHit, ...]:
        """Places named in the text, longest name first at each position, in order."""
        index = self._patterns.get(text.lang)
        if not index:
            return ()
        cues = self._cues.get(text.lang, frozenset())
        hits: list[PlaceHit] = []
        tokens = text.tokens
        i = 0
        while i < len(tokens):
            if tokens[i].kind != WORD:
                i += 1
                continue
            best: tuple[int, _Pattern] | None = None
            seen: set[int] = set()
            for key in text.keys(i):
                for pattern in index.get(key, ()):
                    if id(pattern) in seen:
                        continue
                    seen.add(id(pattern))
                    end = _match(pattern, text, i)
                    if end is None or (best is not None and end <= best[0]):
                        continue
                    if pattern.needs_cue and (i == 0 or tokens[i - 1].lower not in cues):
                        continue
                    best = (end, pattern)
            if best is None:
                i += 1
                continue
            end, pattern = best
            hits.append(PlaceHit(pattern.place, i, end, pattern.adjective))
            i = end
        return tuple(hits)

    def lineage(self, place_id: str) -> tuple[str, ...]:
        """The place and the places holding it: city, region, country."""
        place = self.places.get(place_id)
        if place is None:
            return (place_id,)
        out = [place_id]
        if place.region is not None:
            out.append(place.region)
        if place.kind != "country":
            out.append(place.country)
        return tuple(out)

    def country_of(self, place_id: str) -> str | None:
        place = self.places.get(place_id)
        return place.country if place is not None else None

    def kind_of(self, place_id: str) -> PlaceKind | None:
        place = self.places.get(place_id)
        return place.kind if place is not None else None

    def name(self, place_id: str, lang: str) -> str:
        place = self.places.get(place_id)
        return place.name(lang) if place is not None else place_id


def _capitalised(name: str) -> str:
    """A transliterated name (matched case-folded) as a reader sees it: "Perm",
    "Nizhny Tagil", "Ust-Ilimsk"."""
    return " ".join(
        "-".join(part.capitalize() for part in word.split("-")) for word in name.split()
    )


def _match(pattern: _Pattern, text: TextView, i: int) -> int | None:
    tokens = text.tokens
    end = i + len(pattern.words)
    if end > len(tokens):
        return None
    for k, keys in enumerate(pattern.words):
        tok = tokens[i + k]
        if tok.kind != WORD or tok.sentence != tokens[i].sentence:
            return None
        exact = pattern.exact[k]
        if exact is not None:
            if tok.text != exact:
                return None
        elif keys.isdisjoint(text.keys(i + k)):
            return None
    # A place name starts with a capital; Russian adjectives ("российские") need not.
    if not tokens[i].text[0].isupper() and not (pattern.adjective and text.lang == "ru"):
        return None
    return end


class _Builder:
    def __init__(self, analysers: Mapping[str, Analyser]) -> None:
        self.analysers = analysers
        self.places: dict[str, Place] = {}
        self._by_name: dict[tuple[str, tuple[str, ...]], _Pattern] = {}

    def add(
        self,
        place_id: str,
        kind: PlaceKind,
        country: str,
        region: str | None,
        entry: Mapping[str, Any],
    ) -> None:
        needs_cue = bool(entry.get("needs_cue", False))
        names: dict[str, list[str]] = {
            "en": list(entry.get("en", [])),
            "ru": list(entry.get("ru", [])),
        }
        base = entry.get("en_base")
        if base:
            forms = _REGION_FORMS.get(str(entry.get("kind", "")), ("region",))
            names["en"].extend(f"{base} {form}" for form in forms)
        spelled_out = bool(names["en"])
        if kind != "country" and country == "ru":
            # English spellings of Russian places follow from the Russian name.
            names["en"].extend(v for name in names["ru"] for v in latin_variants(name))
        display = tuple(
            (lang, values[0] if lang != "en" or spelled_out else _capitalised(values[0]))
            for lang, values in names.items()
            if values
        )
        self.places[place_id] = Place(place_id, kind, country, region, display)
        for lang, values in names.items():
            for name in values:
                self._add(lang, name, place_id, False, needs_cue)
        for lang in ("en", "ru"):
            for name in entry.get(f"{lang}_adj", []):
                self._add(lang, name, place_id, True, needs_cue)

    def _add(self, lang: str, name: str, place_id: str, adjective: bool, needs_cue: bool) -> None:
        analyser = self.analysers.get(lang)
        if analyser is None:
            return
        words = tokenize_words(name)
        if not words:
            return
        raw = [w for w in name.replace("-", " ").split() if any(ch.isalpha() for ch in w)]
        exact: list[str | None] = []
        for k in range(len(words)):
            written = raw[k].strip(".,'’") if len(raw) == len(words) else ""
            # Abbreviations match only as written: "US" is not "us", "РФ" not "рф".
            exact.append(written if len(written) >= 2 and written.isupper() else None)
        if lang == "en":
            keys = tuple(frozenset({w}) for w in words)
        else:
            keys = tuple(analyser.rule_keys(w) | {w} for w in words)
        pattern = _Pattern(keys, tuple(exact), place_id, adjective, needs_cue)
        signature = (lang, tuple(sorted(k for word_keys in keys for k in word_keys)))
        known = self._by_name.get(signature)
        if known is not None and known.place != place_id:
            # One name, two places ("Алжир": the country and its capital): the
            # larger place keeps it, since reports name countries far more often.
            mine = self.places[place_id].kind
            theirs = self.places[known.place].kind
            if _RANK[mine] >= _RANK[theirs]:
                logger.debug("place name %r kept for %s, not %s", name, known.place, place_id)
                return
        self._by_name[signature] = pattern

    def index(self) -> dict[str, dict[str, tuple[_Pattern, ...]]]:
        out: dict[str, dict[str, list[_Pattern]]] = {}
        for (lang, _), pattern in sorted(self._by_name.items()):
            lang_index = out.setdefault(lang, {})
            for key in pattern.words[0] | (
                {pattern.exact[0].lower()} if pattern.exact[0] else set()
            ):
                lang_index.setdefault(key, []).append(pattern)
        return {lang: {k: tuple(v) for k, v in idx.items()} for lang, idx in out.items()}
