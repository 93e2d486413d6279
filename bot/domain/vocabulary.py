"""The closed sets of words the flow speaks in: categories, severities, modalities.

Each is a `Literal` for the type checker and a tuple for code that walks it; the
tuples keep a fixed order (the order alerts list categories in).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal, TypeGuard, get_args

Category = Literal["censorship", "arrest"]
CATEGORIES: tuple[Category, ...] = get_args(Category)

# What a chat may ask for at least; "none" is what a non-event scores.
Severity = Literal["low", "medium", "high"]
SEVERITIES: tuple[Severity, ...] = get_args(Severity)

# How a matched pattern stands in its text: an event that happened, or one of the
# ways it did not (yet): threatened, planned, warned of, lifted, denied, negated.
# "released" is still an event (people freed after a detention were detained).
Modality = Literal[
    "event", "threat", "plan", "warning", "lifted", "denied", "negated", "released", "none"
]
MODALITIES: tuple[Modality, ...] = get_args(Modality)
# Modalities that make a weak event: worth a low-severity note to chats that ask.
WeakModality = Literal["threat", "plan", "warning", "lifted"]
WEAK_MODALITIES: tuple[WeakModality, ...] = get_args(WeakModality)


def is_category(word: str) -> TypeGuard[Category]:
    return word in CATEGORIES


def is_severity(word: str) -> TypeGuard[Severity]:
    return word in SEVERITIES


def severity_rank(severity: str) -> int:
    """'none' and unknown words rank below 'low'."""
    return SEVERITIES.index(severity) + 1 if is_severity(severity) else 0


def categories_of(words: Iterable[str]) -> tuple[Category, ...]:
    """The categories among `words` (stored or typed text), in CATEGORIES order."""
    present = set(words)
    return tuple(c for c in CATEGORIES if c in present)


def severity_of(word: str, default: Severity = "medium") -> Severity:
    return word if is_severity(word) else default
