"""Extraction: the facts an alert states besides its category: how many were
detained, where, who acted and on what."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from bot.detect.lemmatize import WordInfo
from bot.detect.match.occurrences import Occurrence, Sentence
from bot.detect.model import PEOPLE, Ruleset
from bot.detect.text import NUMBER, WORD, Token

if TYPE_CHECKING:  # rules.py uses detained_count: a run-time import would be circular
    from bot.detect.match.rules import Match


def detained_count(
    ruleset: Ruleset,
    tokens: Sequence[Token],
    infos: Sequence[WordInfo | None],
    occ: dict[str, list[Occurrence]],
    sent: Sentence,
    parts: Sequence[tuple[str, Occurrence]],
) -> tuple[str, int, int] | None:
    """The number of people detained, when the sentence states it next to the action.

    Accepted shapes: "задержали 50 человек", "более 200 задержанных",
    "1,000 detained", "detained 30 protesters". A number followed by anything
    else ("на 15 суток", "for 10 days") is a term or a fine, not a head count.
    """
    actions = [o for g, o in parts if ruleset.roles[g] == "action"]
    if not actions:
        return None
    people_starts = {o.start for o in occ.get(PEOPLE, ())}
    numbers = ruleset.language.numbers
    best: tuple[int, str, int, int] | None = None
    for i in range(sent.start, sent.end):
        tok = tokens[i]
        if tok.kind == NUMBER:
            digits = "".join(ch for ch in tok.text if ch.isdigit())
        elif tok.lower in numbers:
            digits = str(numbers[tok.lower])
        elif (info := infos[i]) is not None and info.lemma in numbers:
            digits = str(numbers[info.lemma])  # "двоих" -> двое
        else:
            continue
        if not digits or digits == "0":
            continue
        followed_by_people = (i + 1) in people_starts
        for action in actions:
            before = action.start - (i + 1)  # tokens between number and action
            after = i - action.end  # tokens between action and number
            if 0 <= before <= 2 and (before == 0 or followed_by_people):
                distance = before
            elif 0 <= after <= 2 and (followed_by_people or i + 1 == sent.end):
                distance = after
            elif followed_by_people and (0 <= before <= 6 or 0 <= after <= 6):
                distance = max(before, after) + 3
            else:
                continue
            if best is None or distance < best[0]:
                best = (distance, digits, i, i + 1)
    if best is None:
        return None
    return best[1], best[2], best[3]


def fill_fields(
    ruleset: Ruleset, fields: dict[str, str], text: str, tokens: Sequence[Token], match: Match
) -> None:
    if match.modality in ("denied", "negated"):
        return
    for role, key in (("actor", "actor"), ("object", "target")):
        if key in fields:
            continue
        candidates = [o for r, o in match.parts if r == role]
        if not candidates:
            continue
        # A named platform or outlet says more than "видео" or "сайт".
        named = [o for o in candidates if o.entity] or [o for r, o in match.named if r == role]
        o = named[0] if named else candidates[0]
        if o.entity is not None:
            fields[key] = ruleset.entities[o.entity]
        else:
            fields[key] = text[tokens[o.start].start : tokens[o.end - 1].end]
    if match.detained is not None and "detained" not in fields:
        fields["detained"] = match.detained[0]


def find_place(
    ruleset: Ruleset,
    text: str,
    tokens: Sequence[Token],
    infos: Sequence[WordInfo | None],
    chosen: Sequence[Match],
) -> tuple[str, int, int] | None:
    """The first "в Москве" / "in Minsk" in a matched sentence: its name (as a
    lemma where the language has a dictionary) and its tokens (first, end)."""
    if not chosen:
        return None
    language = ruleset.language
    covered = {i for m in chosen for _, o in m.parts for i in o.words}
    prepositions = language.place_prepositions
    candidates = [i for i, tok in enumerate(tokens) if tok.lower in prepositions]
    if not candidates:
        return None
    order = list(dict.fromkeys(m.sentence for m in chosen))
    in_order = sorted(
        (i for i in candidates if tokens[i].sentence in order),
        key=lambda i: (order.index(tokens[i].sentence), i),
    )
    for i in in_order:
        tok = tokens[i]
        words: list[int] = []
        j = i + 1
        # A place title may stand before the name: "в г. Томске", "в городе Нижний Новгород".
        if (
            j < len(tokens)
            and tokens[j].sentence == tok.sentence
            and _place_title(language.place_titles, tokens[j], infos[j])
        ):
            j += 1
        while (
            j < len(tokens)
            and len(words) < 3
            and tokens[j].kind == WORD
            and tokens[j].sentence == tok.sentence
            and tokens[j].text[0].isupper()
            and j not in covered
            and tokens[j].lower not in language.place_stopwords
            and (not words or _joins_name(text, tokens[j - 1], tokens[j], language.abbreviations))
        ):
            words.append(j)
            j += 1
        if not words:
            continue
        if language.place_geo:
            # Keep words up to and including the last dictionary place name, so
            # "в Москве Иванов" yields Москва, not "Москва Иванов".
            geo = [k for k in words if (info := infos[k]) is not None and info.geo]
            if not geo:
                continue
            words = words[: words.index(geo[-1]) + 1]
            parts = []
            for n, k in enumerate(words):
                info = infos[k]
                lemma = info.lemma if info is not None else tokens[k].lower
                parts.append(lemma[:1].upper() + lemma[1:])
                if n + 1 < len(words):
                    parts.append(text[tokens[k].end : tokens[words[n + 1]].start])
            value = "".join(parts)
        else:
            value = text[tokens[words[0]].start : tokens[words[-1]].end]
        return value, words[0], words[-1] + 1
    return None


def _place_title(titles: frozenset[str], tok: Token, info: WordInfo | None) -> bool:
    if not titles or tok.kind != WORD:
        return False
    return tok.lower in titles or (info is not None and info.lemma in titles)


def _joins_name(text: str, previous: Token, tok: Token, abbreviations: frozenset[str]) -> bool:
    """Whether two capitalised words belong to one name: "Nizhny Novgorod",
    "Санкт-Петербург", and an abbreviation's stop inside it ("St. Petersburg")."""
    gap = text[previous.end : tok.start]
    if gap in (" ", "-"):
        return True
    return gap in (". ", ".") and previous.lower in abbreviations
