"""The detector's verdict on one entry: categories, how sure, and why."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from bot.domain.vocabulary import MODALITIES, Category, Modality, Severity, is_category


@dataclass(frozen=True, slots=True)
class Span:
    """A piece of the text that led to the decision; offsets into f"{title}\\n{summary}"."""

    role: str
    text: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Clause:
    """One reason of a decision, for a renderer to word in the chat's language.

    ``parts`` are (role, matched text) in reading order: actor, cue, action,
    designation, object, context, detained; or ("null", text) for a null
    pattern that blocked the category, whose id is then ``null``.
    """

    category: Category
    modality: Modality  # the match's; "none" for a blocked category
    parts: tuple[tuple[str, str], ...]
    null: str = ""

    def to_json(self) -> dict[str, object]:
        return {
            "category": self.category,
            "modality": self.modality,
            "parts": [{"role": role, "text": text} for role, text in self.parts],
            "null": self.null,
        }


@dataclass(frozen=True)
class Detection:
    categories: tuple[Category, ...]
    weak_categories: tuple[Category, ...]
    modality: Modality
    score: float
    severity: Severity | Literal["none"]
    explanation: str
    spans: tuple[Span, ...]
    fields: dict[str, str] = field(default_factory=dict)
    lang: str = ""
    # Language-neutral ids of every known actor, platform or outlet named anywhere
    # in the entry ("roskomnadzor", "tiktok"), sorted; Detector.entity_name words them.
    entities: tuple[str, ...] = ()
    # The explanation as records: one per reported match, denial or blocking null.
    clauses: tuple[Clause, ...] = ()

    def to_json(self) -> dict[str, object]:
        return {
            "categories": list(self.categories),
            "weak_categories": list(self.weak_categories),
            "modality": self.modality,
            "score": round(self.score, 3),
            "severity": self.severity,
            "explanation": self.explanation,
            "fields": dict(self.fields),
            "lang": self.lang,
            "entities": list(self.entities),
            "clauses": [c.to_json() for c in self.clauses],
            "spans": [
                {"role": s.role, "text": s.text, "start": s.start, "end": s.end} for s in self.spans
            ],
        }


def clause_from_json(data: dict[str, object]) -> Clause | None:
    """A stored clause back as a record; None for one this code cannot read."""
    category, modality, parts = data.get("category"), data.get("modality"), data.get("parts")
    if not (isinstance(category, str) and is_category(category)):
        return None
    if modality not in MODALITIES or not isinstance(parts, list):
        return None
    pairs = tuple(
        (str(p.get("role", "")), str(p.get("text", ""))) for p in parts if isinstance(p, dict)
    )
    return Clause(category, modality, pairs, str(data.get("null") or ""))
