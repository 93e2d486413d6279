"""Matching compiled rules against one tokenised entry, sentence by sentence.

The matcher only decides; it returns which rules fired, with which
occurrences, under which modality, and which null patterns blocked what.
Turning that into a user-facing Detection is detector.py's job.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import NamedTuple

from bot.detect.lemmatize import WordInfo
from bot.detect.rules import (
    EXACT,
    GAP,
    MAX_GAP,
    NAME,
    NEGATION_EXCEPTION,
    NEGATOR,
    PEOPLE,
    STATEMENT,
    NullRule,
    Rule,
    Ruleset,
    SentencePlan,
    Term,
    word_matches,
)
from bot.detect.text import NUMBER, WORD, Token
from bot.domain.vocabulary import CATEGORIES

# Modality cues at the same distance from the head are ranked this way:
# the more specific reading wins ("освобождены после задержания" is an event).
_CUE_PRIORITY = {"released": 0, "denied": 1, "lifted": 2, "threat": 3, "warning": 4, "plan": 5}

TITLE_BONUS = 0.05
EXTRA_BONUS = 0.1
WEAK_FACTOR = 0.5


class Occurrence(NamedTuple):
    """One term found in the text. A NamedTuple: made by the thousand per second."""

    group: str
    start: int  # token index, inclusive
    end: int  # token index, exclusive
    entity: str | None  # the named entity's id, for a term from a names table
    # The tokens the term's words matched; a "…" gap leaves the skipped tokens
    # free for other roles ("Доступ к сайту … ограничен": сайт is the object).
    words: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Match:
    rule: Rule
    modality: str  # "event", a weak modality, "denied", or "negated" ("без задержаний")
    score: float
    parts: tuple[tuple[str, Occurrence], ...]  # (role, occurrence), in text order
    cue: Occurrence | None
    sentence: int
    detained: tuple[str, int, int] | None  # digits, token start, token end
    # Named actors and objects inside the match's stretch of text, for fields:
    # "Доступ к сайту «Новой газеты» ограничен" targets Новая газета, not "сайт".
    named: tuple[tuple[str, Occurrence], ...] = ()


@dataclass(frozen=True, slots=True)
class NullHit:
    null: NullRule
    occurrences: tuple[Occurrence, ...]
    category: str  # the category whose match it blocked


@dataclass(frozen=True, slots=True)
class Analysis:
    matches: tuple[Match, ...]
    nulls: tuple[NullHit, ...]
    infos: tuple[WordInfo | None, ...]  # per token; None for numbers
    entities: tuple[str, ...] = ()  # ids of named entities anywhere in the entry, sorted


# What _try_rule gets when no null consumed any token: shared, never mutated.
_NO_TOKENS: frozenset[int] = frozenset()


def _distance(a: Occurrence, b: Occurrence) -> int:
    if a.end <= b.start:
        return b.start - a.end
    if b.end <= a.start:
        return a.start - b.end
    return 0


def _overlaps(o: Occurrence, used: AbstractSet[int]) -> bool:
    # isdisjoint runs in C; this is called for every candidate occurrence.
    return not used.isdisjoint(o.words)


class _Sentence:
    """Occurrences of every group inside one sentence."""

    __slots__ = ("end", "occ", "start")

    def __init__(self, start: int, end: int) -> None:
        self.start = start
        self.end = end
        self.occ: dict[str, list[Occurrence]] = {}


def _term_end(
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


def analyse(ruleset: Ruleset, tokens: Sequence[Token], title_sentences: int) -> Analysis:
    """Run every rule of the language over the tokens.

    ``title_sentences`` is the number of sentences that belong to the title;
    matches there earn a small bonus because headlines state the main event.
    """
    infos: list[WordInfo | None] = []
    starts: list[tuple[Term, ...]] = []
    sentences: list[_Sentence] = []
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
            sentences.append(_Sentence(i, len(tokens)))
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
        return Analysis((), (), tuple(infos))
    entities = _entities(ruleset, tokens, infos, sentences, starts, present)

    plan = ruleset.plan
    entry_groups = ruleset.entry_groups
    new = tuple.__new__
    for sent, found_groups in zip(sentences, present, strict=True):
        # Most sentences cannot satisfy any rule whatever their terms turn out
        # to be; skip matching their terms, except those entry-level checks need
        # (entry-wide nulls, rules' entry_any).
        # The cached plan answers "does any rule's need fit?" with one lookup
        # instead of a subset test per rule.
        if plan(frozenset(found_groups)).rules:
            wanted = None
        elif found_groups & entry_groups:
            wanted = entry_groups
        else:
            continue
        keys: set[str] | None = None  # every key of the sentence's words, made on demand
        for i in range(sent.start, sent.end):
            for term in starts[i]:
                if wanted is not None and term.group not in wanted:
                    continue
                if term.single:
                    found: tuple[int, ...] | None = (i,)
                else:
                    if term.later_keys:
                        if keys is None:
                            keys = _sentence_keys(tokens, infos, sent)
                        # Inlined (hot): skip the term when one of its later
                        # words has no key in the sentence.
                        missing = False
                        for later in term.later_keys:
                            if later.isdisjoint(keys):
                                missing = True
                                break
                        if missing:
                            continue
                    found = _term_end(ruleset, term, tokens, infos, i, sent.end)
                if found is not None:
                    taken = tuple(found[k] for k in term.marked) if term.marked else found
                    sent.occ.setdefault(term.group, []).append(
                        new(Occurrence, (term.group, i, found[-1] + 1, term.entity, taken))
                    )

    # Entry-level checks look at every sentence at once: a "migrant raid" in the
    # title explains "60 detained" in the summary, and OVD-Info named anywhere
    # makes a bare head count political.
    entry_vetoes: list[NullHit] = []
    merged: dict[str, list[Occurrence]] = {}
    if entry_groups:
        for sent in sentences:
            for group, occurrences in sent.occ.items():
                merged.setdefault(group, []).extend(occurrences)
        for null in ruleset.entry_nulls:
            where = _sentence_null(null, merged)
            if where is not None:
                for cat in (null.category,) if null.category != "*" else CATEGORIES:
                    entry_vetoes.append(NullHit(null, where, cat))

    matches: list[Match] = []
    null_hits: list[NullHit] = []
    for sent in sentences:
        if not sent.occ:
            continue
        _match_sentence(
            ruleset, tokens, infos, sent, title_sentences, entry_vetoes, merged, matches, null_hits
        )
    return Analysis(tuple(matches), tuple(null_hits), tuple(infos), entities)


def _entities(
    ruleset: Ruleset,
    tokens: Sequence[Token],
    infos: Sequence[WordInfo | None],
    sentences: Sequence[_Sentence],
    starts: Sequence[tuple[Term, ...]],
    present: Sequence[set[str]],
) -> tuple[str, ...]:
    """Ids of the named entities in every sentence, whether or not a rule can use it:
    story grouping needs the platform of "Discord снова работает" as much as of a block."""
    wanted = ruleset.entity_groups
    found: set[str] = set()
    for sent, groups in zip(sentences, present, strict=True):
        if wanted.isdisjoint(groups):
            continue
        for i in range(sent.start, sent.end):
            for term in starts[i]:
                if term.entity is None or term.entity in found:
                    continue
                if term.single or _term_end(ruleset, term, tokens, infos, i, sent.end):
                    found.add(term.entity)
    return tuple(sorted(found))


def _add_names(
    ruleset: Ruleset,
    tokens: Sequence[Token],
    sentences: Sequence[_Sentence],
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


def _title_case(tokens: Sequence[Token], sent: _Sentence) -> bool:
    long_words = [t for t in tokens[sent.start : sent.end] if t.kind == WORD and len(t.text) > 3]
    capitals = sum(1 for t in long_words if t.text[0].isupper())
    return len(long_words) >= 3 and capitals * 5 > len(long_words) * 3


def _sentence_keys(
    tokens: Sequence[Token], infos: Sequence[WordInfo | None], sent: _Sentence
) -> set[str]:
    # One C-level union over the words' key sets rather than a |= per word.
    keys: set[str] = set().union(
        *[info.keys for info in infos[sent.start : sent.end] if info is not None]
    )
    for i in range(sent.start, sent.end):
        if infos[i] is None:
            keys.add(tokens[i].lower)  # a number matches a key by its digits
    return keys


def _match_sentence(
    ruleset: Ruleset,
    tokens: Sequence[Token],
    infos: Sequence[WordInfo | None],
    sent: _Sentence,
    title_sentences: int,
    entry_vetoes: Sequence[NullHit],
    entry_occ: dict[str, list[Occurrence]],
    matches: list[Match],
    null_hits: list[NullHit],
) -> None:
    occ = sent.occ
    # Which rules could fire at all, ignoring nulls; most sentences stop here.
    # The plan (cached per set of groups) spares scanning every rule and null.
    plan = ruleset.plan(frozenset(occ))
    candidates = [
        r for r in plan.rules if not r.entry_any or any(g in entry_occ for g in r.entry_any)
    ]
    if not candidates:
        return

    consumed: dict[str, set[int]] = {}
    consumed_by: dict[str, list[tuple[NullRule, Occurrence]]] = {}
    vetoed: dict[str, list[NullHit]] = {}
    for hit in entry_vetoes:
        vetoed.setdefault(hit.category, []).append(hit)
    categories = {r.category for r in candidates}
    # plan.nulls already leaves out entry nulls and those whose phrases are absent.
    for null in plan.nulls:
        if null.category != "*" and null.category not in categories:
            continue
        if null.scope == "tokens":
            assert null.group is not None
            for o in occ[null.group]:
                cats = (null.category,) if null.category != "*" else tuple(categories)
                for cat in cats:
                    consumed.setdefault(cat, set()).update(o.words)
                    consumed_by.setdefault(cat, []).append((null, o))
            continue
        where = _sentence_null(null, occ)
        if where is None:
            continue
        cats = (null.category,) if null.category != "*" else tuple(categories)
        for cat in cats:
            vetoed.setdefault(cat, []).append(NullHit(null, where, cat))

    title = tokens[sent.start].sentence < title_sentences
    reported: set[tuple[str, str]] = set()
    for rule in candidates:
        used_nulls = consumed.get(rule.category, _NO_TOKENS)
        found = _try_rule(rule, occ, infos, used_nulls)
        if found is None:
            if used_nulls and _try_rule(rule, occ, infos, _NO_TOKENS) is not None:
                for null, o in consumed_by.get(rule.category, ()):
                    if (null.id, rule.category) not in reported:
                        reported.add((null.id, rule.category))
                        null_hits.append(NullHit(null, (o,), rule.category))
            continue
        if rule.category in vetoed:
            for hit in vetoed[rule.category]:
                if (hit.null.id, rule.category) not in reported:
                    reported.add((hit.null.id, rule.category))
                    null_hits.append(hit)
            continue
        parts, head, lo, hi = found
        named = _named_within(plan, occ, lo, hi)
        if rule.entry_any:
            # Show the evidence that made the entry qualify, wherever it stands.
            evidence = min(
                (o for g in rule.entry_any for o in entry_occ.get(g, ())),
                key=lambda o: _distance(o, head),
            )
            if all(o is not evidence for _, o in parts):
                parts = (*parts, (evidence.group, evidence))
                lo, hi = min(lo, evidence.start), max(hi, evidence.end)
        modality, cue = _modality(ruleset, plan, occ, infos, head, parts, lo, hi)
        extras = len(parts) - len(rule.need)
        score = rule.weight + EXTRA_BONUS * extras + (TITLE_BONUS if title else 0.0)
        if modality in ("denied", "negated"):
            score = 0.0
        elif modality != "event":
            score *= WEAK_FACTOR
        detained = None
        if rule.category == "arrest":
            detained = _detained(ruleset, tokens, infos, occ, sent, parts)
        role_parts = tuple(
            sorted(
                ((ruleset.roles[g], o) for g, o in parts),
                key=lambda p: p[1].start,
            )
        )
        matches.append(
            Match(
                rule=rule,
                modality=modality,
                score=min(1.0, score),
                parts=role_parts,
                cue=cue,
                sentence=tokens[sent.start].sentence,
                detained=detained,
                named=named,
            )
        )


def _named_within(
    plan: SentencePlan,
    occ: dict[str, list[Occurrence]],
    lo: int,
    hi: int,
) -> tuple[tuple[str, Occurrence], ...]:
    """Named occurrences inside tokens lo..hi (the match's stretch)."""
    if not plan.named:
        return ()  # the common case: no named actor or object in the sentence
    found: list[tuple[str, Occurrence]] = []
    for group, role in plan.named:
        found.extend((role, o) for o in occ[group] if o.entity and lo <= o.start and o.end <= hi)
    return tuple(sorted(found, key=lambda p: p[1].start))


def _sentence_null(
    null: NullRule, occ: dict[str, list[Occurrence]]
) -> tuple[Occurrence, ...] | None:
    if any(g in occ for g in null.unless):
        return None
    found: list[Occurrence] = []
    if null.group is not None:
        if null.group not in occ:
            return None
        found.append(occ[null.group][0])
    if null.need:
        if not all(g in occ for g in null.need):
            return None
        first, *rest = null.need
        for anchor in occ[first]:
            picked = [anchor]
            for g in rest:
                picked.append(_nearest(occ[g], anchor, set()) or anchor)
            lo = min(o.start for o in picked)
            hi = max(o.end for o in picked)
            if hi - lo <= null.window:
                found.extend(picked)
                break
        else:
            return None
    return tuple(found)


def _try_rule(
    rule: Rule,
    occ: dict[str, list[Occurrence]],
    infos: Sequence[WordInfo | None],
    consumed: AbstractSet[int],
) -> tuple[tuple[tuple[str, Occurrence], ...], Occurrence, int, int] | None:
    """The tightest combination satisfying the rule around some head, if any,
    with the token span it covers (lo, hi)."""
    available: Callable[[str], Sequence[Occurrence]]
    if consumed:

        def available(group: str) -> Sequence[Occurrence]:
            return [o for o in occ.get(group, ()) if not _overlaps(o, consumed)]

    else:
        # Nothing consumed (the usual case): read the lists in place, uncopied;
        # nothing below mutates them.
        def available(group: str) -> Sequence[Occurrence]:
            return occ.get(group, ())

    heads = available(rule.head)
    if rule.head_forms:
        heads = [h for h in heads if _has_form(infos[h.start], rule.head_forms)]
    best: tuple[tuple[tuple[str, Occurrence], ...], Occurrence, int, int] | None = None
    best_len = 0
    for head in heads:
        used = set(head.words)
        parts: list[tuple[str, Occurrence]] = [(rule.head, head)]
        ok = True
        skipped_head = False
        for group in rule.need:
            if group == rule.head and not skipped_head:
                skipped_head = True
                continue
            o = _nearest(available(group), head, used)
            if o is None:
                ok = False
                break
            parts.append((group, o))
            used.update(o.words)
        if not ok:
            continue
        if rule.any:
            pool = [(g, o) for g in rule.any for o in available(g) if not _overlaps(o, used)]
            if not pool:
                continue
            g, o = min(pool, key=lambda p: _distance(p[1], head))
            parts.append((g, o))
            used.update(o.words)
        # List comprehensions: min/max over them beat generator expressions.
        lo = min([o.start for _, o in parts])
        hi = max([o.end for _, o in parts])
        if hi - lo > rule.window:
            continue
        for group in rule.also:
            o = _nearest(available(group), head, used)
            if o is None:
                continue
            if max(hi, o.end) - min(lo, o.start) > rule.window:
                continue
            parts.append((group, o))
            used.update(o.words)
            lo, hi = min(lo, o.start), max(hi, o.end)
        length = hi - lo
        if best is None or length < best_len:
            best, best_len = (tuple(parts), head, lo, hi), length
    return best


def _has_form(info: WordInfo | None, forms: frozenset[str]) -> bool:
    return info is not None and not forms.isdisjoint(info.grammemes)


def _nearest(items: Sequence[Occurrence], head: Occurrence, used: set[int]) -> Occurrence | None:
    best: Occurrence | None = None
    best_d = 0
    for o in items:
        if _overlaps(o, used):
            continue
        d = _distance(o, head)
        if best is None or d < best_d:
            best, best_d = o, d
    return best


def _modality(
    ruleset: Ruleset,
    plan: SentencePlan,
    occ: dict[str, list[Occurrence]],
    infos: Sequence[WordInfo | None],
    head: Occurrence,
    parts: Sequence[tuple[str, Occurrence]],
    parts_lo: int,
    parts_hi: int,
) -> tuple[str, Occurrence | None]:
    """Event unless a negation or a modality cue sits close to the head.

    ``parts_lo``..``parts_hi`` is the token span the parts cover."""
    window = ruleset.language.negation_window
    exceptions = occ.get(NEGATION_EXCEPTION, ())
    after = ruleset.language.negation_after
    for neg in occ.get(NEGATOR, ()):
        near = head.start - window <= neg.start < head.start or (
            head.end <= neg.start < head.end + after
        )
        if near and not any(e.start <= neg.start < e.end for e in exceptions):
            return ("denied" if STATEMENT in occ else "negated"), neg
    # A cue lying wholly inside one matched term is part of the pattern
    # ("отказ удалить"), not a comment on it; so is a cue inside a longer term
    # of the head's group that covers the head ("faces … charges" is a charge).
    # A cue spanning two terms still counts: "the court suspended its directive".
    # Made only when a cue is in reach: most matches have none.
    terms: list[set[int]] | None = None
    # Cues are looked for around the head and anywhere inside the match:
    # "Pakistan restores access to X after a year-long block".
    lo = min(head.start - ruleset.modality_before, parts_lo)
    hi = max(head.end + ruleset.modality_after, parts_hi)
    # A threat, plan or warning governs the verb after it, which in a gapped
    # head is its last word: "доступ к сервису может быть ограничен".
    head_verb = head.words[-1]
    best: tuple[int, int, str, Occurrence] | None = None
    # plan.cues: the modality groups present, in the file's order.
    for group, modality, clause in plan.cues:
        for cue in occ[group]:
            # A clause cue governs every head after it in the sentence.
            if clause:
                if cue.start > head_verb:
                    continue
            elif cue.end <= lo or cue.start >= hi:
                continue
            if terms is None:
                terms = [set(o.words) for _, o in parts]
                terms.extend(
                    set(o.words)
                    for o in occ.get(head.group, ())
                    if o.start <= head.start and head.end <= o.end
                )
            if any(term.issuperset(cue.words) for term in terms):
                continue
            if modality in ruleset.before_only and cue.start > head_verb:
                continue
            key = (_distance(cue, head), _CUE_PRIORITY[modality], modality, cue)
            if best is None or key[:2] < best[:2]:
                best = key
    if best is None:
        # A head in the future tense is a plan by itself: "РКН заблокирует YouTube".
        future = ruleset.future_forms
        if future:
            for i in head.words:
                info = infos[i]
                if info is not None and not future.isdisjoint(info.grammemes):
                    return "plan", None
        return "event", None
    modality, cue = best[2], best[3]
    if modality == "released":
        return "event", cue
    return modality, cue


def _detained(
    ruleset: Ruleset,
    tokens: Sequence[Token],
    infos: Sequence[WordInfo | None],
    occ: dict[str, list[Occurrence]],
    sent: _Sentence,
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
