"""Phrases and occurrences: which terms of the rules stand where in an entry.

The first mechanism of matching: every word is looked up once (lemma keys, and
the terms that may start at it), multi-word and gapped terms are matched only in
sentences that some rule could use, unknown capitalised words become candidate
names, and named entities are collected from the whole entry.
"""

from __future__ import annotations

from collections.abc import Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import NamedTuple

from bot.detect.lemmatize import WordInfo
from bot.detect.model import EXACT, GAP, MAX_GAP, NAME, Ruleset, Term, word_matches
from bot.detect.text import NUMBER, WORD, Marks, Token


class Occurrence(NamedTuple):
    """One term found in the text. A NamedTuple: made by the thousand per second."""

    group: str
    start: int  # token index, inclusive
    end: int  # token index, exclusive
    entity: str | None  # the named entity's id, for a term from a names table
    # The tokens the term's words matched; a "…" gap leaves the skipped tokens
    # free for other roles ("Доступ к сайту … ограничен": сайт is the object).
    words: tuple[int, ...]


def distance(a: Occurrence, b: Occurrence) -> int:
    """Tokens between two occurrences; 0 when they touch or overlap."""
    if a.end <= b.start:
        return b.start - a.end
    if b.end <= a.start:
        return a.start - b.end
    return 0


def overlaps(o: Occurrence, used: AbstractSet[int]) -> bool:
    # isdisjoint runs in C; this is called for every candidate occurrence.
    return not used.isdisjoint(o.words)


class Sentence:
    """Occurrences of every group inside one sentence."""

    __slots__ = ("end", "occ", "start")

    def __init__(self, start: int, end: int) -> None:
        self.start = start
        self.end = end
        self.occ: dict[str, list[Occurrence]] = {}


@dataclass(frozen=True, slots=True)
class Found:
    """What find_occurrences saw: per-token analyses, sentences with their
    occurrences, and the named entities of the whole entry."""

    infos: tuple[WordInfo | None, ...]  # per token; None for numbers
    sentences: tuple[Sentence, ...]
    entities: tuple[str, ...]  # ids, sorted


def term_end(
    ruleset: Ruleset,
    term: Term,
    tokens: Sequence[Token],
    infos: Sequence[WordInfo | None],
    i: int,
    limit: int,
) -> tuple[int, ...] | None:
    """Token indices of the term's words when it matches from token i, or None."""
    words = term.words
    numbers = ruleset.language.numbers
    if words[0].kind == EXACT and tokens[i].text != words[0].text:
        return None
    if len(words) == 1:
        return (i,)
    if not term.gapped:
        # The common case: consecutive words, checked in a plain loop.
        end = i + len(words)
        if end > limit:
            return None
        for k in range(1, len(words)):
            if not word_matches(words[k], tokens[i + k], infos[i + k], numbers):
                return None
        return tuple(range(i, end))

    def match_from(w: int, j: int) -> tuple[int, ...] | None:
        if w == len(words):
            return ()
        pattern = words[w]
        if pattern.kind == GAP:
            for skip in range(MAX_GAP + 1):
                # The gap after the first word may not skip another word that
                # matches it: the match starting there is the tighter one
                # ("held after holding a sign" is "holding … sign").
                if w == 1 and skip and j + skip - 1 < limit:
                    k = j + skip - 1
                    if word_matches(words[0], tokens[k], infos[k], numbers):
                        return None
                rest = match_from(w + 1, j + skip)
                if rest is not None:
                    return rest
            return None
        if j >= limit or not word_matches(pattern, tokens[j], infos[j], numbers):
            return None
        rest = match_from(w + 1, j + 1)
        return None if rest is None else (j, *rest)

    rest = match_from(1, i + 1)
    return None if rest is None else (i, *rest)


def find_occurrences(ruleset: Ruleset, tokens: Sequence[Token], marks: Marks) -> Found:
    """Every term of the language in the tokens, sentence by sentence, where a
    rule or an entry-wide check could use it; and the entities anywhere."""
    infos: list[WordInfo | None] = []
    starts: list[tuple[Term, ...]] = []
    sentences: list[Sentence] = []
    present: list[set[str]] = []  # per sentence: groups some term may start
    get = ruleset.words_cache.get
    current_sentence = -1
    groups: set[str] = set()
    names = ruleset.language.names if ruleset.name_term is not None else ""
    name_candidates: list[tuple[int, int]] = []  # (token, sentence position)
    sentence_start = 0
    # One tight pass: tokens are plain tuples, unpacked rather than read by name.
    for i, (_, _, surface, lower, kind, sentence) in enumerate(tokens):
        if sentence != current_sentence:
            current_sentence = sentence
            if sentences:
                sentences[-1].end = i
            sentences.append(Sentence(i, len(tokens)))
            groups = set()
            present.append(groups)
            sentence_start = i
        if kind == NUMBER:
            infos.append(None)
            numeric = ruleset.number_terms(tokens[i])
            starts.append(numeric)
            groups.update(t.group for t in numeric)
            continue
        hit = get(lower)
        if hit is None:
            hit = ruleset.word(lower)
        infos.append(hit[0])
        starts.append(hit[1])
        if hit[2]:
            groups |= hit[2]
        elif names and len(lower) > 1:
            # A word no rule knows may still be a name: "Роскомнадзор заблокировал
            # Speedtest", "Russia restricts access to FaceTime".
            if names == "latin":
                if "a" <= lower[0] <= "z":
                    name_candidates.append((i, len(present) - 1))
            elif surface[0].isupper() and i != sentence_start:
                name_candidates.append((i, len(present) - 1))
    if name_candidates:
        _add_names(ruleset, tokens, sentences, starts, present, name_candidates)
    if not any(present):
        return Found(tuple(infos), tuple(sentences), ())
    entities: set[str] = set()
    entity_groups = ruleset.entity_groups

    plan = ruleset.plan
    entry_groups = ruleset.entry_groups
    # Groups some term may start anywhere in the entry (made when first asked):
    # a rule whose entry_any groups are absent from all of it cannot fire.
    in_entry: set[str] | None = None
    new = tuple.__new__
    for sent, found_groups in zip(sentences, present, strict=True):
        # Most sentences cannot satisfy any rule whatever their terms turn out
        # to be; skip matching their terms, except those entry-level checks need
        # (entry-wide nulls, rules' entry_any).
        # The cached plan answers "does any rule's need fit?" with one lookup
        # instead of a subset test per rule.
        sentence_plan = plan(frozenset(found_groups))
        if not sentence_plan.free and sentence_plan.entry_any and in_entry is None:
            in_entry = set().union(*present)
        if sentence_plan.free or (
            in_entry is not None and not in_entry.isdisjoint(sentence_plan.entry_any)
        ):
            wanted = None
        else:
            # Entities are reported from every sentence, a rule's or not.
            if not entity_groups.isdisjoint(found_groups):
                _add_entities(ruleset, tokens, infos, sent, starts, entities)
            if found_groups & entry_groups:
                wanted = entry_groups
            else:
                continue
        keys: set[str] | None = None  # every key of the sentence's words, made on demand
        add = sent.occ.setdefault
        for i in range(sent.start, sent.end):
            terms = starts[i]
            if not terms:
                continue  # most words start no term
            for term in terms:
                group = term.group
                if wanted is not None and group not in wanted:
                    continue
                if term.plain:
                    # One word and no condition on its neighbours: the common case.
                    add(group, []).append(new(Occurrence, (group, i, i + 1, None, (i,))))
                    continue
                if term.single:
                    found: tuple[int, ...] | None = (i,)
                else:
                    later_all = term.later_all
                    later_keys = term.later_keys
                    if later_all or later_keys:
                        if keys is None:
                            keys = _sentence_keys(tokens, infos, sent)
                        # Inlined (hot): skip the term when one of its later
                        # words has no key in the sentence; the one-key words
                        # in one subset test.
                        if not later_all <= keys:
                            continue
                        missing = False
                        for later in later_keys:
                            if later.isdisjoint(keys):
                                missing = True
                                break
                        if missing:
                            continue
                    found = term_end(ruleset, term, tokens, infos, i, sent.end)
                if found is not None:
                    if term.not_after and i > sent.start and _after(term, infos[i - 1]):
                        continue
                    if (
                        term.not_followed_by
                        and found[-1] + 1 < sent.end
                        and marks.before(found[-1] + 1) in term.not_followed_by
                    ):
                        continue
                    taken = tuple(found[k] for k in term.marked) if term.marked else found
                    add(group, []).append(
                        new(Occurrence, (group, i, found[-1] + 1, term.entity, taken))
                    )
                    if term.entity is not None:
                        entities.add(term.entity)
    return Found(tuple(infos), tuple(sentences), tuple(sorted(entities)))


def _after(term: Term, previous: WordInfo | None) -> bool:
    """Whether the word before a term is one the term may not follow."""
    return previous is not None and not term.not_after.isdisjoint(previous.keys)


def _add_entities(
    ruleset: Ruleset,
    tokens: Sequence[Token],
    infos: Sequence[WordInfo | None],
    sent: Sentence,
    starts: Sequence[tuple[Term, ...]],
    found: set[str],
) -> None:
    """The named entities of a sentence no rule can use: story grouping needs
    the platform of "Discord снова работает" as much as that of a block. (In a
    sentence a rule can use, they are collected while its terms are matched.)"""
    for i in range(sent.start, sent.end):
        for term in starts[i]:
            if term.entity is None or term.entity in found:
                continue
            if term.single or term_end(ruleset, term, tokens, infos, i, sent.end):
                found.add(term.entity)


def _add_names(
    ruleset: Ruleset,
    tokens: Sequence[Token],
    sentences: Sequence[Sentence],
    starts: list[tuple[Term, ...]],
    present: list[set[str]],
    candidates: Sequence[tuple[int, int]],
) -> None:
    term = ruleset.name_term
    assert term is not None
    stopwords = ruleset.language.place_stopwords
    title_case: dict[int, bool] = {}
    for i, position in candidates:
        if tokens[i].lower in stopwords:
            continue
        if ruleset.language.names == "capitalised":
            if position not in title_case:
                title_case[position] = _title_case(tokens, sentences[position])
            if title_case[position]:
                continue  # "Russia Restricts Access To FaceTime": every word looks like a name
        starts[i] = (*starts[i], term)
        present[position].add(NAME)


def _title_case(tokens: Sequence[Token], sent: Sentence) -> bool:
    long_words = [t for t in tokens[sent.start : sent.end] if t.kind == WORD and len(t.text) > 3]
    capitals = sum(1 for t in long_words if t.text[0].isupper())
    return len(long_words) >= 3 and capitals * 5 > len(long_words) * 3


def _sentence_keys(
    tokens: Sequence[Token], infos: Sequence[WordInfo | None], sent: Sentence
) -> set[str]:
    # One C-level union over the words' key sets rather than a |= per word.
    keys: set[str] = set().union(
        *[info.keys for info in infos[sent.start : sent.end] if info is not None]
    )
    for i in range(sent.start, sent.end):
        if infos[i] is None:
            keys.add(tokens[i].lower)  # a number matches a key by its digits
    return keys
