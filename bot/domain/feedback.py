"""What readers tell Tocsin about its alerts: false alarms and missed events."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from bot.domain.vocabulary import Category, Modality

# What pressing "false alarm" did: counted, already counted for this person, or
# no such event (deleted with its feed since the alert went out).
FlagOutcome = Literal["recorded", "again", "unknown"]
# What became of a /missed link: stored, sent by the same person before, or over the
# number one person may send in a day.
MissedOutcome = Literal["recorded", "again", "limit"]


@dataclass(frozen=True)
class Reporter:
    """Who said it, and where: a person as their platform names them."""

    platform: str
    user_id: str
    chat_id: int | None = None


@dataclass(frozen=True)
class FlaggedEvent:
    """An event at least one person called a false alarm, with the entry it came from."""

    event_id: int
    title: str
    summary: str
    link: str | None
    lang: str
    categories: tuple[Category, ...]
    weak_categories: tuple[Category, ...]
    modality: Modality
    flags: int
    last_flagged_at: datetime


@dataclass(frozen=True)
class MissedLink:
    url: str
    reporter: Reporter
    at: datetime


@dataclass(frozen=True)
class FeedbackCounts:
    """Since a moment: presses of "false alarm", the events they name, missed links."""

    flags: int
    flagged_events: int
    missed: int
