"""Per-subscription keyword filters, matched on lemmas.

A chat narrows its alerts with words such as "+Москва" or "-Telegram". The
words go through the same analysers as the rules, so "+Москва" matches
"в Москве" and "+detain" matches "detained". Applied after detection.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.detect.compiler import compile_term, load_dir
from bot.detect.lemmatize import Analyser, WordInfo
from bot.detect.model import GAP, MAX_GAP, WordPattern, word_matches
from bot.detect.text import NUMBER, ScriptProfile, Token, detect_language, tokenize


@dataclass(frozen=True)
class _LanguageKit:
    profiles: tuple[ScriptProfile, ...]
    analysers: dict[str, Analyser]


@functools.cache
def _bundled_kit(rules_dir: Path | None = None) -> _LanguageKit:
    # Loaded on first use, not at import: building analysers reads dictionaries.
    from bot.detect.detector import bundled_rules_dir

    rulesets = load_dir(rules_dir if rules_dir is not None else bundled_rules_dir())
    return _LanguageKit(
        profiles=tuple(r.language.profile for r in rulesets.values()),
        analysers={code: r.language.analyser for code, r in rulesets.items()},
    )


@dataclass(frozen=True)
class _Phrase:
    source: str
    by_lang: dict[str, tuple[WordPattern, ...]]


class KeywordFilter:
    """Include and exclude words for one subscription; exclude always wins.

    With no include words every entry passes unless an exclude word matches;
    with include words at least one of them must occur. Leading "+" or "-"
    signs are accepted and ignored, so users can paste "+Москва -Telegram".
    """

    def __init__(
        self,
        include: Sequence[str],
        exclude: Sequence[str],
        rules_dir: Path | None = None,
    ) -> None:
        self._kit = _bundled_kit(rules_dir)
        self._include = [p for w in include if (p := self._compile(w)) is not None]
        self._exclude = [p for w in exclude if (p := self._compile(w)) is not None]

    @property
    def is_empty(self) -> bool:
        return not self._include and not self._exclude

    def _compile(self, word: str) -> _Phrase | None:
        cleaned = word.strip().lstrip("+-").strip()
        if not cleaned:
            return None
        # Compiled for every language, because a Russian entry may name "Moscow"
        # and a filter word's own alphabet says nothing about the entry's.
        by_lang: dict[str, tuple[WordPattern, ...]] = {}
        for code, analyser in self._kit.analysers.items():
            try:
                by_lang[code] = compile_term(cleaned, analyser)
            except ValueError:
                return None
        return _Phrase(cleaned, by_lang)

    def accepts(self, text: str, lang: str | None = None) -> bool:
        if self.is_empty:
            return True
        analysers = self._kit.analysers
        code = lang if lang in analysers else detect_language(text, self._kit.profiles)
        if code is None or code not in analysers:
            code = next(iter(analysers))
        analyser = analysers[code]
        tokens = tokenize(text)
        infos: list[WordInfo | None] = [
            None if t.kind == NUMBER else analyser.analyse(t.lower) for t in tokens
        ]

        def found(phrase: _Phrase) -> bool:
            patterns = phrase.by_lang[code]
            return any(_matches_at(patterns, tokens, infos, i) for i in range(len(tokens)))

        if any(found(p) for p in self._exclude):
            return False
        if not self._include:
            return True
        return any(found(p) for p in self._include)


def _matches_at(
    patterns: Sequence[WordPattern],
    tokens: Sequence[Token],
    infos: Sequence[WordInfo | None],
    i: int,
) -> bool:
    def step(w: int, j: int) -> bool:
        if w == len(patterns):
            return True
        pattern = patterns[w]
        if pattern.kind == GAP:
            return any(step(w + 1, j + k) for k in range(MAX_GAP + 1))
        if j >= len(tokens) or not word_matches(pattern, tokens[j], infos[j], {}):
            return False
        return step(w + 1, j + 1)

    return step(0, i)
