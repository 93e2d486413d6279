"""One report's text as the detector's language sees it: tokens and word analyses.

Built once per report and shared by every feature (places, names, counts, words),
so each word is analysed once, through the detector's own cached analyser.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.detect.lemmatize import WordInfo
from bot.detect.model import Ruleset
from bot.detect.text import NUMBER, Token, tokenize


@dataclass(frozen=True, slots=True)
class TextView:
    lang: str
    text: str  # f"{title}\n{summary}", the string the detector's offsets refer to
    tokens: tuple[Token, ...]
    infos: tuple[WordInfo | None, ...]  # None for numbers
    title_sentences: int  # sentences that belong to the title

    def keys(self, i: int) -> frozenset[str]:
        """Every lemma or stem token i may stand for, plus its form."""
        info = self.infos[i]
        return info.keys if info is not None else frozenset({self.tokens[i].lower})

    def lemma(self, i: int) -> str:
        info = self.infos[i]
        return info.lemma if info is not None else self.tokens[i].lower

    def sentence_start(self, i: int) -> bool:
        return i == 0 or self.tokens[i - 1].sentence != self.tokens[i].sentence


def view(ruleset: Ruleset, title: str, summary: str) -> TextView:
    text = f"{title}\n{summary}"
    tokens = tokenize(text, ruleset.language.abbreviations)
    infos: list[WordInfo | None] = []
    title_sentences = 0
    for tok in tokens:
        if tok.end <= len(title):
            title_sentences = tok.sentence + 1
        infos.append(None if tok.kind == NUMBER else ruleset.word(tok.lower)[0])
    return TextView(ruleset.language.code, text, tuple(tokens), tuple(infos), title_sentences)


def rule_word(ruleset: Ruleset, lower: str) -> bool:
    """Whether the detector's rules use this word on its own (not only as the first
    word of a longer term): "police", "blocked", not "Северный" of "Северная Корея"."""
    return any(len(term.words) == 1 for term in ruleset.word(lower)[1])
