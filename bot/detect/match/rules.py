"""Rules and nulls: which rules fire in a sentence, and which null patterns stop them.

A rule fires when its groups occur within its window around a head word; the
tightest combination wins. Null patterns take words away from rules (tokens),
veto a category in a sentence, or in the whole entry.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

from bot.detect.lemmatize import WordInfo
from bot.detect.match.extraction import detained_count
from bot.detect.match.modality import WEAK_SCORE, judge_modality
from bot.detect.match.occurrences import Occurrence, Sentence, distance, overlaps
from bot.detect.model import Language, NullRule, Role, Rule, Ruleset, SentencePlan
from bot.detect.text import Marks
from bot.domain.vocabulary import CATEGORIES, Category, Modality, WeakModality

TITLE_BONUS = 0.05
EXTRA_BONUS = 0.1

# What _try_rule gets when no null consumed any token or took any head: shared,
# never mutated.
_NO_TOKENS: frozenset[int] = frozenset()
_NO_HEADS: Mapping[Occurrence, NullRule] = {}


@dataclass(frozen=True, slots=True)
class Match:
    rule: Rule
    modality: Modality  # "event", a weak modality, "denied", or "negated" ("без задержаний")
    score: float
    parts: tuple[tuple[Role, Occurrence], ...]  # (role, occurrence), in text order
    cue: Occurrence | None
    sentence: int
    detained: tuple[str, int, int] | None  # digits, token start, token end
    # Named actors and objects inside the match's stretch of text, for fields:
    # "Доступ к сайту «Новой газеты» ограничен" targets Новая газета, not "сайт".
    named: tuple[tuple[Role, Occurrence], ...] = ()


@dataclass(frozen=True, slots=True)
class NullHit:
    null: NullRule
    occurrences: tuple[Occurrence, ...]
    category: Category  # the category whose match it blocked


def entry_vetoes(
    ruleset: Ruleset, sentences: Sequence[Sentence]
) -> tuple[list[NullHit], dict[str, list[Occurrence]]]:
    """Entry-wide nulls that apply, and every sentence's occurrences merged.

    Entry-level checks look at every sentence at once: a "migrant raid" in the
    title explains "60 detained" in the summary, and OVD-Info named anywhere
    makes a bare head count political."""
    vetoes: list[NullHit] = []
    merged: dict[str, list[Occurrence]] = {}
    if ruleset.entry_groups:
        for sent in sentences:
            for group, occurrences in sent.occ.items():
                merged.setdefault(group, []).extend(occurrences)
        for null in ruleset.entry_nulls:
            where = sentence_null(null, merged)
            if where is not None:
                for cat in (null.category,) if null.category != "*" else CATEGORIES:
                    vetoes.append(NullHit(null, where, cat))
    return vetoes, merged


def match_sentence(
    ruleset: Ruleset,
    marks: Marks,
    infos: Sequence[WordInfo | None],
    sent: Sentence,
    title_sentences: int,
    entry_vetoes: Sequence[NullHit],
    entry_occ: dict[str, list[Occurrence]],
    matches: list[Match],
    null_hits: list[NullHit],
) -> None:
    occ = sent.occ
    tokens = marks.tokens
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
    head_nulls = plan.head_nulls
    recast: dict[str, tuple[WeakModality, Occurrence]] = {}
    categories = {r.category for r in candidates}
    # plan.nulls already leaves out entry and head nulls, and those whose phrases
    # or need groups are absent or unless groups present.
    for null in plan.nulls:
        if null.category != "*" and null.category not in categories:
            continue
        if null.scope == "tokens":
            cats = (null.category,) if null.category != "*" else tuple(categories)
            for o in _null_tokens(null, occ):
                for cat in cats:
                    consumed.setdefault(cat, set()).update(o.words)
                    consumed_by.setdefault(cat, []).append((null, o))
            continue
        where = sentence_null(null, occ)
        if where is None:
            continue
        cats = (null.category,) if null.category != "*" else tuple(categories)
        for cat in cats:
            if null.modality is not None:
                # Not vetoed: recast as weak ("ruled that the suspension had
                # violated freedom of expression" reports a lifted ban).
                recast.setdefault(cat, (null.modality, where[0]))
            else:
                vetoed.setdefault(cat, []).append(NullHit(null, where, cat))

    title = tokens[sent.start].sentence < title_sentences
    reported: set[tuple[str, str]] = set()
    language = ruleset.language
    # A head null is judged only for the head a rule matched at, and the rule
    # then tries its other heads: most rules match nothing, most heads stand
    # plainly. Verdicts depend only on the head's words, which terms of several
    # groups share ("заблокировал" is a removal, a block, a shutdown), so they
    # are kept per (category, words), and per rule for rules a null names.
    judged: dict[tuple[str, str, tuple[int, ...]], NullRule | None] = {}
    apart = ruleset.head_null_rules
    for rule in candidates:
        used_nulls = consumed.get(rule.category, _NO_TOKENS)
        found = _try_rule(rule, occ, infos, used_nulls, _NO_HEADS, marks, language)
        taken: dict[Occurrence, NullRule] = {}
        if found is not None and rule.category in head_nulls:
            while found is not None:
                key = (rule.category, rule.id if rule.id in apart else "", found[1].words)
                if key in judged:
                    taker = judged[key]
                else:
                    nulls = head_nulls[rule.category]
                    taker = judged[key] = next(
                        (
                            n
                            for n in nulls
                            if (not n.rules or rule.id in n.rules)
                            and _stands(n, found[1], occ, marks, infos, sent)
                        ),
                        None,
                    )
                if taker is None:
                    break
                taken[found[1]] = taker
                found = _try_rule(rule, occ, infos, used_nulls, taken, marks, language)
        if found is None:
            if taken:
                head, taker = next(iter(taken.items()))
                if (taker.id, rule.category) not in reported:
                    reported.add((taker.id, rule.category))
                    null_hits.append(NullHit(taker, (head,), rule.category))
            elif used_nulls and _try_rule(rule, occ, infos, _NO_TOKENS, _NO_HEADS, marks, language):
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
                key=lambda o: distance(o, head),
            )
            if all(o is not evidence for _, o in parts):
                parts = (*parts, (evidence.group, evidence))
                lo, hi = min(lo, evidence.start), max(hi, evidence.end)
        modality, cue = judge_modality(ruleset, plan, occ, infos, head, parts, lo, hi)
        if rule.modality is not None and modality == "event":
            # A rule about an unblocking or a bill says what it reports.
            modality = rule.modality
        if recast and modality == "event" and rule.category in recast:
            modality, cue = recast[rule.category]
        extras = len(parts) - len(rule.need)
        score = rule.weight + EXTRA_BONUS * extras + (TITLE_BONUS if title else 0.0)
        if modality in ("denied", "negated"):
            score = 0.0
        elif modality != "event":
            score *= WEAK_SCORE
        detained = None
        if rule.category == "arrest":
            detained = detained_count(ruleset, tokens, infos, occ, sent, parts)
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
) -> tuple[tuple[Role, Occurrence], ...]:
    """Named occurrences inside tokens lo..hi (the match's stretch)."""
    if not plan.named:
        return ()  # the common case: no named actor or object in the sentence
    found: list[tuple[Role, Occurrence]] = []
    for group, role in plan.named:
        found.extend((role, o) for o in occ[group] if o.entity and lo <= o.start and o.end <= hi)
    return tuple(sorted(found, key=lambda p: p[1].start))


def _null_tokens(null: NullRule, occ: dict[str, list[Occurrence]]) -> Sequence[Occurrence]:
    """What a tokens null takes: its phrases, or the first of its need groups
    where all of them stand within its window ("[blocked] a Pride march")."""
    if null.group is not None:
        return occ[null.group]
    return [picked[0] for picked in _need_within(null, occ)]


def _need_within(null: NullRule, occ: dict[str, list[Occurrence]]) -> Iterator[list[Occurrence]]:
    """For each occurrence of the null's first need group, the nearest of each
    other need group, when they all stand within the null's window."""
    if not all(g in occ for g in null.need):
        return
    first, *rest = null.need
    for anchor in occ[first]:
        picked = [anchor, *(_nearest(occ[g], anchor, set()) or anchor for g in rest)]
        if max(o.end for o in picked) - min(o.start for o in picked) <= null.window:
            yield picked


def sentence_null(
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
        picked = next(_need_within(null, occ), None)
        if picked is None:
            return None
        found.extend(picked)
    return tuple(found)


def _stands(
    null: NullRule,
    head: Occurrence,
    occ: dict[str, list[Occurrence]],
    marks: Marks,
    infos: Sequence[WordInfo | None],
    sent: Sentence,
) -> bool:
    """Whether a head stands the way a head null describes (every condition given)."""
    first, last = head.words[0], head.words[-1]
    # The last word of a gapped head is its verb: "доступ к заблокированному".
    gapped = last - first + 1 != len(head.words)
    if (null.forms or null.not_forms) and not (
        _in_forms(infos[first], null.forms, null.not_forms)
        or (gapped and _in_forms(infos[last], null.forms, null.not_forms))
    ):
        return False
    if null.opens:
        if head.start != sent.start and not marks.before(head.start):
            return False
        # More of the sentence follows the clause the head opens.
        if not marks.within(head.end, sent.end - 1):
            return False
    if null.after:
        before = infos[head.start - 1] if head.start > sent.start else None
        if before is None or before.keys.isdisjoint(null.after):
            return False
    if null.next:
        following = first + 1  # the word after the head's first: "blocked in …"
        after = infos[following] if following < sent.end else None
        if after is None or after.keys.isdisjoint(null.next):
            return False
    if null.group is not None:
        # Phrases count before the head's verb: "доступ к которому ограничили".
        verb = last if gapped else first
        for phrase in occ.get(null.group, ()):
            # No clause mark between: in "X, which launched in 2019, was blocked"
            # the block is the main clause's.
            if (
                phrase.end <= verb
                and verb - phrase.end <= null.window
                and not marks.within(phrase.end, verb)
            ):
                break
        else:
            return False
    return True


def _in_forms(info: WordInfo | None, forms: frozenset[str], not_forms: frozenset[str]) -> bool:
    if info is None:
        return False
    if forms and forms.isdisjoint(info.grammemes):
        return False
    return not_forms.isdisjoint(info.grammemes)


def _is_agent(
    actor: Occurrence,
    head: Occurrence,
    subject: Occurrence | None,
    infos: Sequence[WordInfo | None],
    language: Language,
) -> bool:
    """Whether an actor stands as the head's agent: before it, or after one of
    the language's agent words ("blocked by the regulator", "pulled after the
    regulator complained"). A language that declares none orders its words
    freely: an agent stands anywhere. A subject of the head verb bars the agents
    before it ("Nigeria: Instagram removed …"), and where words order freely,
    every agent ("YouTube удалил ролики с критикой правительства")."""
    words = language.agent_words
    if subject is not None and (actor.start < subject.start or not words):
        return False
    if actor.start < head.start or not words:
        return True
    for k in range(max(head.end, actor.start - language.agent_window - 1), actor.start):
        info = infos[k]
        if info is not None and not words.isdisjoint(info.keys):
            return True
    return False


def _subject(
    rule: Rule,
    head: Occurrence,
    occ: dict[str, list[Occurrence]],
    marks: Marks,
    infos: Sequence[WordInfo | None],
    language: Language,
) -> Occurrence | None:
    """A term of the rule's subject groups standing as the subject of the head,
    a verb acting on an object: at most two words before it ("Twitter has
    blocked"), with neither a clause mark nor a subject break between ("fines
    Halk TV and suspends …", "the app was removed"), and no part of an agent
    ("media regulator" holds no outlet)."""
    info = infos[head.start]
    if info is None or not any(form <= info.grammemes for form in language.verb_forms):
        return None
    breaks = language.subject_breaks
    for group in rule.subjects:
        for o in occ.get(group, ()):
            if o.end > head.start or head.start - o.end > 2:
                continue
            if marks.within(o.end, head.start):
                continue
            if any(marks.tokens[k].lower in breaks for k in range(o.end, head.start)):
                continue
            if any(overlaps(a, set(o.words)) for g in rule.agent for a in occ.get(g, ())):
                continue
            return o
    return None


def _try_rule(
    rule: Rule,
    occ: dict[str, list[Occurrence]],
    infos: Sequence[WordInfo | None],
    consumed: AbstractSet[int],
    blocked: Mapping[Occurrence, NullRule],
    marks: Marks,
    language: Language,
) -> tuple[tuple[tuple[str, Occurrence], ...], Occurrence, int, int] | None:
    """The tightest combination satisfying the rule around some head, if any,
    with the token span it covers (lo, hi). Heads in ``blocked`` serve no rule;
    the rule's agent groups count only where they stand as the head's agent."""
    available: Callable[[str], Sequence[Occurrence]]
    if consumed:

        def available(group: str) -> Sequence[Occurrence]:
            return [o for o in occ.get(group, ()) if not overlaps(o, consumed)]

    else:
        # Nothing consumed (the usual case): read the lists in place, uncopied;
        # nothing below mutates them.
        def available(group: str) -> Sequence[Occurrence]:
            return occ.get(group, ())

    heads = available(rule.head)
    if rule.head_forms:
        heads = [h for h in heads if _has_form(infos[h.start], rule.head_forms)]
    if blocked:
        heads = [h for h in heads if h not in blocked]
    agent = rule.agent
    best: tuple[tuple[tuple[str, Occurrence], ...], Occurrence, int, int] | None = None
    best_len = 0
    for head in heads:
        # The agent groups' occurrences that stand as this head's agent.
        agents: dict[str, Sequence[Occurrence]] = {}
        if agent:
            subject = _subject(rule, head, occ, marks, infos, language) if rule.subjects else None
            for group in agent:
                actors = available(group)
                # The common case needs no sorting out: no subject, and every
                # actor before the head (or word order free).
                if subject is None and (
                    not language.agent_words or all(o.start < head.start for o in actors)
                ):
                    agents[group] = actors
                else:
                    agents[group] = [
                        o for o in actors if _is_agent(o, head, subject, infos, language)
                    ]
        used = set(head.words)
        parts: list[tuple[str, Occurrence]] = [(rule.head, head)]
        ok = True
        skipped_head = False
        for group in rule.need:
            if group == rule.head and not skipped_head:
                skipped_head = True
                continue
            o = _nearest(agents[group] if group in agents else available(group), head, used)
            if o is None:
                ok = False
                break
            parts.append((group, o))
            used.update(o.words)
        if not ok:
            continue
        if rule.any:
            pool = [
                (g, o)
                for g in rule.any
                for o in (agents[g] if g in agents else available(g))
                if not overlaps(o, used)
            ]
            if not pool:
                continue
            g, o = min(pool, key=lambda p: distance(p[1], head))
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
        if overlaps(o, used):
            continue
        d = distance(o, head)
        if best is None or d < best_d:
            best, best_d = o, d
    return best
