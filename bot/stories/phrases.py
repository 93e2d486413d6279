"""Labelled phrase lists matched on lemmas: which labels a stretch of text shows."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bot.detect.lemmatize import Analyser
from bot.detect.text import WORD, tokenize_words
from bot.stories.textview import TextView


class PhraseSet:
    """Phrases per label for one language, indexed by the keys of their first word."""

    def __init__(self, analyser: Analyser, phrases: Mapping[str, Sequence[str]]) -> None:
        self._index: dict[str, list[tuple[tuple[frozenset[str], ...], str]]] = {}
        for label, items in phrases.items():
            for phrase in items:
                words = tokenize_words(phrase)
                if not words:
                    continue
                keys = tuple(analyser.rule_keys(w) | {w} for w in words)
                for key in keys[0]:
                    self._index.setdefault(key, []).append((keys, label))

    def labels(self, text: TextView, start: int = 0, end: int | None = None) -> tuple[str, ...]:
        """Labels of the phrases found in tokens [start, end), in order of first sight."""
        return tuple(dict.fromkeys(label for _, label in self.find(text, start, end)))

    def find(self, text: TextView, start: int = 0, end: int | None = None) -> list[tuple[int, str]]:
        """(token index, label) of every phrase in tokens [start, end), in text order."""
        tokens = text.tokens
        stop = len(tokens) if end is None else min(end, len(tokens))
        found: list[tuple[int, str]] = []
        for i in range(start, stop):
            if tokens[i].kind != WORD:
                continue
            here: dict[str, None] = {}
            for key in text.keys(i):
                for keys, label in self._index.get(key, ()):
                    if label in here or i + len(keys) > stop:
                        continue
                    if all(not k.isdisjoint(text.keys(i + n)) for n, k in enumerate(keys)):
                        here[label] = None
            found.extend((i, label) for label in here)
        return found


# A first sentence shorter than this is a dateline ("ТБИЛИСИ, 18 июн — Sputnik."),
# not a lead: the headline then runs on into the next sentence.
DATELINE_WORDS = 6


def headline_end(text: TextView) -> int:
    """Token index where the headline ends: the title, or the lead without one."""
    tokens = text.tokens
    if not tokens:
        return 0
    if text.title_sentences:
        last = text.title_sentences - 1
    else:
        last = tokens[0].sentence
        if sum(1 for t in tokens if t.sentence == last and t.kind == WORD) < DATELINE_WORDS:
            last += 1
    for i, tok in enumerate(tokens):
        if tok.sentence > last:
            return i
    return len(tokens)
