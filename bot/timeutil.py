"""Aware UTC times, and their text form in the database.

Every datetime Tocsin handles is timezone-aware UTC; the database stores ISO 8601
strings with an explicit +00:00 offset so that they sort correctly as text.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

Clock = Callable[[], datetime]


def utcnow() -> datetime:
    return datetime.now(UTC)


def running_clock(start: datetime, monotonic: Callable[[], float] = time.monotonic) -> Clock:
    """A clock that reads `start` now and then runs at the real pace.

    A process started by a test is given the test's time this way (CLOCK_START), so
    what it stores and compares agrees with what the test wrote, whatever the date.
    """
    if start.tzinfo is None:
        raise ValueError("naive datetime given; Tocsin's clocks are aware UTC")
    origin = monotonic()
    start = start.astimezone(UTC)

    def now() -> datetime:
        return start + timedelta(seconds=monotonic() - origin)

    return now


def to_db(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    if moment.tzinfo is None:
        raise ValueError("naive datetime given; Tocsin stores aware UTC times only")
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def from_db(text: str | None) -> datetime | None:
    if text is None:
        return None
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def require(text: str | None) -> datetime:
    moment = from_db(text)
    if moment is None:
        raise ValueError("expected a stored time, found NULL")
    return moment
