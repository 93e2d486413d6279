"""Modality: whether a matched pattern is an event, or threatened, planned,
warned of, lifted, denied or negated.

Judged around the rule's head word: a negator next to it, else the nearest cue
word (within a window, anywhere inside the match, or a clause cue earlier in
the sentence), else a future-tense head. docs/detection.md, step 7.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from bot.detect.lemmatize import WordInfo
from bot.detect.match.occurrences import Occurrence, distance
from bot.detect.model import (
    NEGATION_EXCEPTION,
    NEGATOR,
    STATEMENT,
    CueModality,
    Ruleset,
    SentencePlan,
)
from bot.domain.vocabulary import WEAK_MODALITIES, Modality

if TYPE_CHECKING:  # rules.py judges modality: a run-time import would be circular
    from bot.detect.match.rules import Match

# How telling a lead's non-event reading is, when it governs the rest of the
# entry: a denial outranks a lifting, which outranks the forward-looking kinds.
_LEAD_PRIORITY: dict[Modality, int] = {
    "denied": 0,
    "negated": 1,
    "lifted": 2,
    "threat": 3,
    "warning": 4,
    "plan": 5,
}

# A weak event's score is this share of an event's.
WEAK_SCORE = 0.5

# Modality cues at the same distance from the head are ranked this way:
# the more specific reading wins ("освобождены после задержания" is an event).
_CUE_PRIORITY: dict[CueModality, int] = {
    "released": 0,
    "denied": 1,
    "lifted": 2,
    "threat": 3,
    "warning": 4,
    "plan": 5,
}


def judge_modality(
    ruleset: Ruleset,
    plan: SentencePlan,
    occ: dict[str, list[Occurrence]],
    infos: Sequence[WordInfo | None],
    head: Occurrence,
    parts: Sequence[tuple[str, Occurrence]],
    parts_lo: int,
    parts_hi: int,
) -> tuple[Modality, Occurrence | None]:
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
    best: tuple[int, int, CueModality, Occurrence] | None = None
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
            key = (distance(cue, head), _CUE_PRIORITY[modality], modality, cue)
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
    if best[2] == "released":
        return "event", best[3]
    return best[2], best[3]


def lead_governs(matches: Sequence[Match], lead_end: int) -> tuple[Match, ...]:
    """The lead decides what the rest of the entry is about.

    A headline (or, with no headline, the first sentence) that reports a
    category only as lifted, planned, threatened, warned of, denied or negated
    makes the same category's events in later sentences background to that
    news: "Таджикистан разблокировал соцсети || запрет, закрытый по распоряжению
    Службы связи, снят", "Police deny detaining protesters || … said its
    supporters had been detained". The lead is the sentences before
    ``lead_end``. A lead with no match of the category, or
    with an event, leaves the other sentences as they are; so does a lead whose
    only sign is a future tense ("Таджикистан заблокирует 130 сайтов"), which
    headlines use for orders already given.
    """
    if all(m.modality == "event" for m in matches):
        return tuple(matches)  # the common case: nothing for a lead to govern
    out = list(matches)
    categories = {m.rule.category for m in matches}
    for category in categories:
        in_lead = [m for m in matches if m.rule.category == category and m.sentence < lead_end]
        if not in_lead or any(m.modality == "event" for m in in_lead):
            continue
        in_lead = [m for m in in_lead if m.cue is not None or m.rule.modality is not None]
        if not in_lead:
            continue
        governing = min(in_lead, key=lambda m: _LEAD_PRIORITY.get(m.modality, 9))
        for i, m in enumerate(out):
            if m.rule.category == category and m.sentence >= lead_end and m.modality == "event":
                weak = governing.modality in WEAK_MODALITIES
                out[i] = replace(
                    m,
                    modality=governing.modality,
                    cue=governing.cue,
                    score=m.score * WEAK_SCORE if weak else 0.0,
                )
    return tuple(out)
