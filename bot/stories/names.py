"""Proper names a report mentions (people, groups, small places), as spelling-blind keys.

A capitalised word inside a sentence is a name in both languages; at the start of
a sentence it is one only when another capitalised word follows ("Alexei Navalny
said"). In a run of capitalised words only the last counts: first names and
titles are common, surnames are telling. English headlines in Title Case are
skipped (every word is capitalised there). Words the detector's rules know
("Police", "Block"), places and named entities are left out: they have signals
of their own.
"""

from __future__ import annotations

from collections.abc import Set as AbstractSet

from bot.detect.model import Ruleset
from bot.detect.text import WORD
from bot.stories.textview import TextView, rule_word
from bot.stories.translit import name_key
from bot.stories.words import EN_STOPWORDS

# First names and patronymics are common to many people: not a name key.
_GIVEN_NAME_TAGS = frozenset({"Name", "Patr"})


def name_keys(text: TextView, ruleset: Ruleset, covered: AbstractSet[int]) -> tuple[str, ...]:
    tokens = text.tokens
    title_case = _title_case_sentences(text)
    runs: list[list[int]] = []
    current: list[int] = []
    for i, tok in enumerate(tokens):
        capital = (
            tok.kind == WORD
            and tok.text[0].isupper()
            and i not in covered
            and tok.sentence not in title_case
            and len(tok.text) >= 3
        )
        if (
            capital
            and current
            and tokens[current[-1]].sentence == tok.sentence
            and current[-1] == i - 1
        ):
            current.append(i)
            continue
        if current:
            runs.append(current)
        current = [i] if capital else []
    if current:
        runs.append(current)
    keys: list[str] = []
    for run in runs:
        if text.sentence_start(run[0]) and len(run) == 1:
            continue  # "Police detained...": an ordinary word that starts a sentence
        i = run[-1]
        tok = tokens[i]
        if tok.lower in EN_STOPWORDS or rule_word(ruleset, tok.lower):
            continue
        info = text.infos[i]
        if info is not None and info.grammemes & _GIVEN_NAME_TAGS:
            continue
        word = info.lemma if info is not None and text.lang != "en" else tok.lower
        key = name_key(word)
        if key:
            keys.append(key)
    return tuple(dict.fromkeys(keys))


def _title_case_sentences(text: TextView) -> frozenset[int]:
    """Sentences (English headlines) where most longer words are capitalised."""
    if text.lang != "en":
        return frozenset()
    counts: dict[int, list[int]] = {}
    for tok in text.tokens:
        if tok.kind == WORD and len(tok.text) > 3:
            bucket = counts.setdefault(tok.sentence, [0, 0])
            bucket[0] += 1
            bucket[1] += tok.text[0].isupper()
    return frozenset(s for s, (n, caps) in counts.items() if n >= 3 and caps * 5 > n * 3)


def stands_as_name(text: TextView, ruleset: Ruleset, value: str) -> bool:
    """Whether a phrase of the text (a detector field) is a proper name there:
    Latin letters inside Cyrillic text ("заблокировал FaceTime"), or a capitalised
    word the rules do not know, inside a sentence ("restricts access to StartMail")."""
    words = value.split()
    if not words:
        return False
    last = words[-1].strip("«»\"'“”()")
    if len(last) < 3 or rule_word(ruleset, last.lower()):
        return False
    latin = any("a" <= ch.lower() <= "z" for ch in last)
    cyrillic_text = any("\u0400" <= ch <= "\u04ff" for ch in text.text)
    if latin and cyrillic_text:
        return True
    title_case = _title_case_sentences(text)
    for i, tok in enumerate(text.tokens):
        if tok.text != last or tok.kind != WORD or not tok.text[0].isupper():
            continue
        if not text.sentence_start(i) and tok.sentence not in title_case:
            return True
    return False
