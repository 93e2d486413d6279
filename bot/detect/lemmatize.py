"""Word analysis: lemmas (or stems) and grammemes, with a per-word cache.

Two kinds of analyser cover the languages we ship and the ones planned:

* ``pymorphy3``: dictionary lemmatisation for languages that have a pymorphy3
  dictionary (Russian now, Ukrainian through ``pymorphy3-dicts-uk``).
* ``suffix``: a small suffix-stripping stemmer whose suffix rules, irregular
  forms and clean-up steps all come from the language's data file (English
  now; Belarusian, which has no pymorphy3 dictionary, can use it too).

Analysers are shared process-wide per configuration, so reloading rules keeps
the warm word cache.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

logger = logging.getLogger(__name__)

# Parsing one unseen Russian word costs ~100 µs in pymorphy3; a bounded cache
# makes repeat words a dict lookup. News vocabulary is large but finite, and the
# bound keeps a long-running bot from growing without limit.
CACHE_LIMIT = 200_000


@dataclass(frozen=True, slots=True)
class WordInfo:
    """What the matcher knows about one normalised word form."""

    keys: frozenset[str]  # every lemma or stem it may stand for, plus the form itself
    lemma: str  # the most likely lemma, used for field values
    grammemes: frozenset[str]  # of the most likely parse; empty for stemmers
    geo: bool  # some parse says it is a place name


class Analyser(Protocol):
    def analyse(self, word: str) -> WordInfo: ...

    def rule_keys(self, word: str) -> frozenset[str]:
        """Keys a word written in a rule or filter should match on."""
        ...


@dataclass(frozen=True)
class SuffixRule:
    suffix: str
    replace: str
    min_stem: int
    undouble: bool  # undo a doubled final consonant ("banned" -> "ban", not "adds" -> "ad")
    tag: str  # a form label rules can ask for ("ed", "s"), the stemmer's stand-in for grammemes


@dataclass(frozen=True)
class StemmerConfig:
    rules: tuple[SuffixRule, ...]
    irregular: tuple[tuple[str, str], ...]
    tags: tuple[tuple[str, str], ...]  # form labels of whole words ("held" -> "ed")
    keep: frozenset[str]  # words never stemmed (short function words, acronyms)
    undouble: str  # letters whose doubling is undone after a suffix is stripped
    drop_final: str  # letters dropped from the end of every stem ("e" in English)


class SuffixStemmer:
    """A light, data-driven stemmer: one suffix rule per word, first match wins."""

    def __init__(self, config: StemmerConfig) -> None:
        self._config = config
        self._irregular = dict(config.irregular)
        self._tags = dict(config.tags)
        self._cache: dict[str, WordInfo] = {}

    def stem(self, word: str) -> str:
        return self._stem_and_tag(word)[0]

    def _stem_and_tag(self, word: str) -> tuple[str, str]:
        cfg = self._config
        if word.endswith("'s"):
            word = word[:-2]
        tag = self._tags.get(word, "")
        if word in self._irregular:
            return self._irregular[word], tag
        if word in cfg.keep or len(word) <= 3:
            return word, tag
        stem = word
        for rule in cfg.rules:
            if word.endswith(rule.suffix):
                base = word[: len(word) - len(rule.suffix)]
                if len(base) >= rule.min_stem:
                    stem = base + rule.replace
                    tag = tag or rule.tag
                    if (
                        rule.undouble
                        and len(stem) > 2
                        and stem[-1] == stem[-2]
                        and stem[-1] in cfg.undouble
                    ):
                        stem = stem[:-1]
                    break
        if cfg.drop_final and len(stem) > 3 and stem[-1] in cfg.drop_final:
            stem = stem[:-1]
        return stem, tag

    def analyse(self, word: str) -> WordInfo:
        info = self._cache.get(word)
        if info is None:
            stem, tag = self._stem_and_tag(word)
            info = WordInfo(frozenset({word, stem}), stem, frozenset({tag} - {""}), False)
            if len(self._cache) >= CACHE_LIMIT:
                self._cache.clear()
            self._cache[word] = info
        return info

    def rule_keys(self, word: str) -> frozenset[str]:
        return frozenset({self.stem(word)})


class MorphAnalyser:
    """pymorphy3 lemmatisation; every parse's lemma is a key, so ambiguous forms
    ("стали": стать or сталь) can match either family and the rules decide."""

    def __init__(self, morph_lang: str) -> None:
        import pymorphy3  # imported lazily: loading dictionaries is not free

        self._morph: Any = pymorphy3.MorphAnalyzer(lang=morph_lang)
        self._cache: dict[str, WordInfo] = {}

    def analyse(self, word: str) -> WordInfo:
        info = self._cache.get(word)
        if info is None:
            info = self._parse(word)
            if len(self._cache) >= CACHE_LIMIT:
                self._cache.clear()
            self._cache[word] = info
        return info

    def _parse(self, word: str) -> WordInfo:
        parses = self._morph.parse(word)
        if not parses:
            return WordInfo(frozenset({word}), word, frozenset(), False)
        keys = {word}
        geo = False
        for p in parses:
            keys.add(p.normal_form.replace("ё", "е"))
            if "Geox" in p.tag:
                geo = True
        first = parses[0]
        grammemes = frozenset(str(g) for g in first.tag.grammemes)
        return WordInfo(frozenset(keys), first.normal_form.replace("ё", "е"), grammemes, geo)

    def rule_keys(self, word: str) -> frozenset[str]:
        # The word as written plus its most likely lemma: authors may write either
        # the dictionary form or an inflected one, and taking every parse's lemma
        # would let an ambiguous rule word ("суда") match unrelated families.
        return frozenset({word, self.analyse(word).lemma})


def stemmer_config(table: Mapping[str, Any]) -> StemmerConfig:
    """Build a stemmer configuration from an already validated TOML table."""
    rules = tuple(
        SuffixRule(
            str(r["suffix"]),
            str(r.get("replace", "")),
            int(r.get("min_stem", 3)),
            bool(r.get("undouble", False)),
            str(r.get("tag", "")),
        )
        for r in table.get("rules", [])
    )
    irregular = tuple(sorted((str(k), str(v)) for k, v in table.get("irregular", {}).items()))
    tags = tuple(sorted((str(k), str(v)) for k, v in table.get("tags", {}).items()))
    keep: Sequence[str] = table.get("keep", [])
    return StemmerConfig(
        rules=rules,
        irregular=irregular,
        tags=tags,
        keep=frozenset(str(w) for w in keep),
        undouble=str(table.get("undouble", "")),
        drop_final=str(table.get("drop_final", "")),
    )


@functools.cache
def morph_analyser(morph_lang: str) -> MorphAnalyser:
    """One pymorphy3 analyser per dictionary for the whole process."""
    logger.debug("loading pymorphy3 dictionary %s", morph_lang)
    return MorphAnalyser(morph_lang)


@functools.cache
def suffix_stemmer(config: StemmerConfig) -> SuffixStemmer:
    """One stemmer per distinct configuration, so reloads keep its cache."""
    return SuffixStemmer(config)
