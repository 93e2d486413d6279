"""Matching compiled rules against one tokenised entry, sentence by sentence.

The matcher only decides; it returns which rules fired, with which
occurrences, under which modality, and which null patterns blocked what.
Turning that into a user-facing Detection is detector.py's job. One module per
mechanism: occurrences (terms found in the text), rules (rules and nulls),
modality, extraction (head counts, places, fields).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.detect.lemmatize import WordInfo
from bot.detect.match.modality import lead_governs
from bot.detect.match.occurrences import Occurrence, find_occurrences
from bot.detect.match.rules import Match, NullHit, entry_vetoes, match_sentence
from bot.detect.model import Ruleset
from bot.detect.text import Marks, Token

__all__ = ["Analysis", "Match", "NullHit", "Occurrence", "analyse"]


@dataclass(frozen=True, slots=True)
class Analysis:
    matches: tuple[Match, ...]
    nulls: tuple[NullHit, ...]
    infos: tuple[WordInfo | None, ...]  # per token; None for numbers
    entities: tuple[str, ...] = ()  # ids of named entities anywhere in the entry, sorted


# What _try_rule gets when no null consumed any token: shared, never mutated.
_NO_TOKENS: frozenset[int] = frozenset()


def analyse(ruleset: Ruleset, text: str, tokens: Sequence[Token], title_sentences: int) -> Analysis:
    """Run every rule of the language over the tokens of ``text``.

    ``title_sentences`` is the number of sentences that belong to the title;
    matches there earn a small bonus because headlines state the main event.
    """
    marks = Marks(text, tokens)
    found = find_occurrences(ruleset, tokens, marks)
    if not any(sent.occ for sent in found.sentences):
        return Analysis((), (), found.infos, found.entities)
    vetoes, merged = entry_vetoes(ruleset, found.sentences)
    matches: list[Match] = []
    null_hits: list[NullHit] = []
    for sent in found.sentences:
        if not sent.occ:
            continue
        match_sentence(
            ruleset,
            marks,
            found.infos,
            sent,
            title_sentences,
            vetoes,
            merged,
            matches,
            null_hits,
        )
    # The lead: the title's sentences, or the first sentence when there is no title.
    lead_end = title_sentences or tokens[0].sentence + 1
    return Analysis(lead_governs(matches, lead_end), tuple(null_hits), found.infos, found.entities)
