"""Head counts of people detained: "более 1000 задержанных", "more than 3,000
detained", "detained over 40 people", "1,5 тысячи человек задержаны".

A number is a head count when a detention word stands within a few words of it,
or when it counts people in a sentence that speaks of detentions. Numbers that
measure time, money or shares ("15 суток", "$500") and years are not.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from bot.detect.lemmatize import Analyser
from bot.detect.text import NUMBER, WORD, tokenize_words
from bot.stories.records import DetainedCount
from bot.stories.textview import TextView
from bot.stories.words import AT_LEAST, DETAINED, FLOORS, MULTIPLIERS, PEOPLE, UNITS

NEAR = 4  # words between a number and a detention word
SENTENCE = 10  # ... when the number counts people
MAX_COUNT = 200_000


@dataclass(frozen=True)
class _Vocab:
    detained: frozenset[str]
    people: frozenset[str]
    units: frozenset[str]
    multipliers: Mapping[str, int]
    before: tuple[tuple[str, ...], ...]  # "more than" and kin, as word sequences
    floors: frozenset[tuple[str, ...]]


class CountReader:
    def __init__(self, analysers: Mapping[str, Analyser]) -> None:
        self._vocab: dict[str, _Vocab] = {}
        for lang, analyser in analysers.items():
            if lang not in DETAINED:
                continue

            def keys(words: tuple[str, ...], analyser: Analyser = analyser) -> frozenset[str]:
                return frozenset(k for w in words for k in analyser.rule_keys(w))

            self._vocab[lang] = _Vocab(
                detained=keys(DETAINED[lang]),
                people=keys(PEOPLE[lang]),
                units=keys(UNITS[lang]) | {"%", "$", "€", "₽"},
                multipliers=dict(MULTIPLIERS[lang]),
                before=tuple(
                    sorted(
                        (tuple(tokenize_words(p)) for p in AT_LEAST[lang]), key=len, reverse=True
                    )
                ),
                floors=frozenset(tuple(tokenize_words(p)) for p in FLOORS[lang]),
            )

    def read(self, text: TextView) -> DetainedCount | None:
        """The largest head count the text states, or None."""
        vocab = self._vocab.get(text.lang)
        if vocab is None:
            return None
        tokens = text.tokens
        detention = [i for i in range(len(tokens)) if not vocab.detained.isdisjoint(text.keys(i))]
        if not detention:
            return None
        best: DetainedCount | None = None
        consumed = -1  # the last token a number before it took (a decimal part)
        for i, tok in enumerate(tokens):
            if tok.kind != NUMBER or i <= consumed:
                continue
            value = int("".join(ch for ch in tok.text if ch.isdigit()) or 0)
            end = i + 1
            # "1,5 тысячи", "1.5 thousand": the tokenizer splits the decimal.
            if (
                end + 1 < len(tokens)
                and tokens[end].kind == NUMBER
                and text.text[tok.end : tokens[end].start] in (",", ".")
                and (scale := _multiplier(text, end + 1, vocab))
            ):
                value = int(float(f"{value}.{tokens[end].text}") * scale)
                end += 2
                consumed = end - 1
            elif scale := _multiplier(text, end, vocab):
                value *= scale
                end += 1
            if not 0 < value <= MAX_COUNT:
                continue
            following = (
                text.keys(end)
                if end < len(tokens) and tokens[end].sentence == tok.sentence
                else frozenset()
            )
            if not following.isdisjoint(vocab.units) or (
                end < len(tokens) and tokens[end].text in "%"
            ):
                continue
            counts_people = not following.isdisjoint(vocab.people)
            if 1900 <= value <= 2100 and not counts_people:
                continue  # a year
            near = [j for j in detention if tokens[j].sentence == tok.sentence]
            if not near:
                continue
            distance = min(abs(j - i) - 1 if j < i else j - end for j in near)
            if not (distance <= NEAR or (counts_people and distance <= SENTENCE)):
                continue
            floor = _before(text, i, vocab)
            phrase = text.text[
                tokens[floor[0]].start if floor[0] < i else tok.start : tokens[end - 1].end
            ]
            found = DetainedCount(value, phrase, floor[1])
            if best is None or found.count > best.count:
                best = found
        return best


def _multiplier(text: TextView, i: int, vocab: _Vocab) -> int:
    if i >= len(text.tokens) or text.tokens[i].kind != WORD:
        return 0
    for key in text.keys(i):
        if key in vocab.multipliers:
            return vocab.multipliers[key]
    return 0


def _before(text: TextView, i: int, vocab: _Vocab) -> tuple[int, bool]:
    """Where a "more than" before token i starts, and whether it makes a floor."""
    tokens = text.tokens
    for words in vocab.before:
        start = i - len(words)
        if start < 0:
            continue
        if all(tokens[start + k].lower == w for k, w in enumerate(words)):
            return start, words in vocab.floors
    return i, False
