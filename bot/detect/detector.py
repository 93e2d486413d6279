"""The public detector: classify an entry, explain why, reload rules safely."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Literal

from bot.detect.compiler import load_dir
from bot.detect.match import Analysis, Match, NullHit, analyse
from bot.detect.match.extraction import fill_fields, find_place
from bot.detect.model import RulesError, Ruleset
from bot.detect.text import Token, detect_language, tokenize
from bot.domain.detection import Clause, Detection, Span
from bot.domain.vocabulary import (
    CATEGORIES,
    WEAK_MODALITIES,
    Category,
    Modality,
    Severity,
)

logger = logging.getLogger(__name__)

HIGH = 0.8
NOTHING_MATCHED = "no censorship or arrest pattern matched"
MEDIUM = 0.6
# What the detector reads of an entry at most (as much as feeds keep of one).
MAX_TITLE_CHARS = 1_000
MAX_SUMMARY_CHARS = 4_000
# Order of roles inside one explanation clause, so every message reads alike.
_ROLE_ORDER = {
    "actor": 0,
    "cue": 1,
    "action": 2,
    "designation": 3,
    "object": 4,
    "context": 5,
    "detained": 6,
    "place": 7,
}


def bundled_rules_dir() -> Path:
    return Path(str(resources.files("bot.detect") / "rules"))


def _signature(rules_dir: Path) -> tuple[tuple[str, int, int], ...]:
    out = []
    for path in sorted(rules_dir.glob("*.toml")):
        try:
            st = path.stat()
        except OSError:
            continue
        out.append((path.name, st.st_mtime_ns, st.st_size))
    return tuple(out)


class Detector:
    """Classifies entries with the rules of one directory.

    The compiled rules live in one attribute that :meth:`reload_if_changed`
    replaces whole, so a classification running during a reload sees either the
    old or the new rules, never a mix.
    """

    def __init__(self, rulesets: dict[str, Ruleset], rules_dir: Path) -> None:
        self._rules = rulesets
        self._dir = rules_dir
        self._signature = _signature(rules_dir)
        self._bad_signature: tuple[tuple[str, int, int], ...] | None = None

    @classmethod
    def load(cls, rules_dir: Path | None = None) -> Detector:
        """Load the bundled rules, or those of ``rules_dir``; raises RulesError."""
        directory = rules_dir if rules_dir is not None else bundled_rules_dir()
        # Take the signature before reading, so an edit made while we load is
        # picked up by the next reload check rather than lost.
        signature = _signature(directory)
        detector = cls(load_dir(directory), directory)
        detector._signature = signature
        return detector

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(self._rules)

    @property
    def rulesets(self) -> dict[str, Ruleset]:
        return self._rules

    def entity_name(self, entity: str, lang: str) -> str:
        """An entity id's display name in a language: that language's rules file
        names it, else the first rules file (in name order) that does, else the id."""
        rules = self._rules
        found = rules.get(lang)
        if found is not None and entity in found.entities:
            return found.entities[entity]
        for ruleset in rules.values():
            if entity in ruleset.entities:
                return ruleset.entities[entity]
        return entity

    def reload_if_changed(self) -> bool:
        """Reload when a rules file changed; keep the last good rules on error."""
        signature = _signature(self._dir)
        if signature == self._signature or signature == self._bad_signature:
            return False
        try:
            rules = load_dir(self._dir)
        except RulesError as exc:
            self._bad_signature = signature
            logger.error("rules not reloaded, keeping the previous rules: %s", exc)
            return False
        self._rules = rules
        self._signature = signature
        self._bad_signature = None
        logger.info("rules reloaded from %s (%s)", self._dir, ", ".join(sorted(rules)))
        return True

    def ruleset_for(self, text: str, lang: str | None) -> Ruleset:
        rules = self._rules
        if lang is not None:
            found = rules.get(lang.lower())
            if found is not None:
                return found
        code = detect_language(text, [r.language.profile for r in rules.values()])
        if code is None or code not in rules:
            return next(iter(rules.values()))
        return rules[code]

    def classify(self, title: str, summary: str = "", lang: str | None = None) -> Detection:
        # An event is told in the first lines; reading further only costs time, and a
        # megabyte of text (from a careless feed or `classify`) would take minutes.
        title, summary = title[:MAX_TITLE_CHARS], summary[:MAX_SUMMARY_CHARS]
        text = f"{title}\n{summary}"
        ruleset = self.ruleset_for(text, lang)
        tokens = tokenize(text, ruleset.language.abbreviations)
        title_end = len(title)
        title_sentences = 0
        for tok in tokens:
            if tok.end > title_end:
                break
            title_sentences = tok.sentence + 1
        analysis = analyse(ruleset, text, tokens, title_sentences)
        return _build(ruleset, text, tokens, analysis)


# ---------------------------------------------------------------------------
# From matches to a Detection


def _build(ruleset: Ruleset, text: str, tokens: Sequence[Token], analysis: Analysis) -> Detection:
    lang = ruleset.language.code
    if not analysis.matches and not analysis.nulls:
        # The common case for a news feed, kept cheap.
        return Detection(
            (), (), "none", 0.0, "none", NOTHING_MATCHED, (), {}, lang, analysis.entities
        )
    categories: list[Category] = []
    weak: list[Category] = []
    chosen: list[Match] = []
    denied: list[Match] = []
    for category in CATEGORIES:
        mine = [m for m in analysis.matches if m.rule.category == category]
        events = [m for m in mine if m.modality == "event"]
        if events:
            categories.append(category)
            chosen.append(max(events, key=lambda m: m.score))
            continue
        weak_matches = [m for m in mine if m.modality in WEAK_MODALITIES]
        if weak_matches:
            weak.append(category)
            chosen.append(max(weak_matches, key=lambda m: m.score))
            continue
        denied.extend(m for m in mine if m.modality in ("denied", "negated"))
    # An explicit denial is the more telling clause to show.
    denied.sort(key=lambda m: m.modality != "denied")

    modality: Modality
    severity: Severity | Literal["none"]
    if categories:
        modality = "event"
        score = max(m.score for m in chosen if m.modality == "event")
        severity = "high" if score >= HIGH else "medium" if score >= MEDIUM else "low"
    elif chosen:
        best = max(chosen, key=lambda m: m.score)
        modality, score, severity = best.modality, best.score, "low"
    elif denied:
        modality = "denied" if denied[0].modality == "denied" else "none"
        score, severity = 0.0, "none"
    else:
        modality, score, severity = "none", 0.0, "none"

    spans: list[Span] = []
    clauses: list[str] = []
    records: list[Clause] = []
    fields: dict[str, str] = {}
    for match in chosen + denied[:1]:
        clause_spans = _match_spans(ruleset, text, tokens, match)
        spans.extend(clause_spans)
        ordered = sorted(clause_spans, key=lambda s: (_ROLE_ORDER.get(s.role, 9), s.start))
        clauses.append(_clause(match, ordered))
        parts = tuple((s.role, s.text) for s in ordered)
        records.append(Clause(match.rule.category, match.modality, parts))
    # Fields come from every match of a reported category, best first, so a
    # named platform found by a weaker rule still fills "target".
    wanted = {(m.rule.category, m.modality) for m in chosen}
    for match in sorted(analysis.matches, key=lambda m: -m.score):
        if (match.rule.category, match.modality) in wanted:
            fill_fields(ruleset, fields, text, tokens, match)
    place = find_place(ruleset, text, tokens, analysis.infos, chosen)
    if place is not None:
        fields.setdefault("place", place[0])
        spans.append(_span("place", text, tokens, place[1], place[2]))
    blocked = {m.rule.category for m in chosen + denied}
    for hit in analysis.nulls:
        if hit.category in blocked:
            continue
        blocked.add(hit.category)
        null_spans = [_span("null", text, tokens, o.start, o.end) for o in hit.occurrences]
        spans.extend(null_spans)
        quoted = ", ".join(f"«{s.text}»" for s in null_spans)
        clauses.append(f"not {hit.category}: {quoted} ({hit.null.explain})")
        parts = tuple(("null", s.text) for s in null_spans)
        records.append(Clause(hit.category, "none", parts, hit.null.id))
    if not clauses:
        clauses.append(NOTHING_MATCHED)

    unique = sorted(set(spans), key=lambda s: (s.start, s.end, s.role))
    return Detection(
        categories=tuple(categories),
        weak_categories=tuple(weak),
        modality=modality,
        score=round(score, 3),
        severity=severity,
        explanation="; ".join(clauses),
        spans=tuple(unique),
        fields=fields,
        lang=lang,
        entities=analysis.entities,
        clauses=tuple(records),
    )


def _span(role: str, text: str, tokens: Sequence[Token], first: int, end_token: int) -> Span:
    start = tokens[first].start
    end = tokens[end_token - 1].end
    return Span(role, text[start:end], start, end)


def _match_spans(ruleset: Ruleset, text: str, tokens: Sequence[Token], match: Match) -> list[Span]:
    """Spans of one match; neighbouring words of one role merge into one span,
    so "потребовал удалить" reads as one action rather than two."""
    pieces: list[tuple[str, int, int]] = []
    occurrences = [*match.parts, *((("cue", match.cue),) if match.cue is not None else ())]
    for role, o in occurrences:
        # A gapped term shows as its word runs, not the words it skipped.
        run_start = previous = o.words[0]
        for i in o.words[1:]:
            if i != previous + 1:
                pieces.append((role, run_start, previous + 1))
                run_start = i
            previous = i
        pieces.append((role, run_start, previous + 1))
    pieces.sort(key=lambda p: p[1])
    merged: list[tuple[str, int, int]] = []
    for role, start, end in pieces:
        # One short word may sit between ("требование об удалении").
        if merged and merged[-1][0] == role and 0 <= start - merged[-1][2] <= 1:
            merged[-1] = (role, merged[-1][1], max(end, merged[-1][2]))
        else:
            merged.append((role, start, end))
    spans = [_span(role, text, tokens, s, e) for role, s, e in merged]
    if match.detained is not None:
        _, s, e = match.detained
        spans.append(_span("detained", text, tokens, s, e))
    return spans


def _clause(match: Match, ordered: Sequence[Span]) -> str:
    """The English clause of one match; ``ordered`` are its spans in role order."""
    category = match.rule.category
    if match.modality == "denied":
        head = f"{category} denied"
    elif match.modality == "negated":
        head = f"no {category}"
    elif match.modality != "event":
        head = f"{category} ({match.modality})"
    else:
        head = category
    return head + ": " + ", ".join(f"{s.role} «{s.text}»" for s in ordered)


__all__ = ["Clause", "Detection", "Detector", "NullHit", "RulesError", "Span"]
