"""Liveness and readiness, decided from plain values (the server asks, these answer).

Alive: the scheduler still works. It beats when a tick begins and ends, and when a
running cycle finishes a feed, so a long cycle over thousands of feeds is alive
while a hung one is not. Ready: the database answers and every enabled platform
is connected, and the process is not stopping.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping

MonotonicClock = Callable[[], float]

# The scheduler is taken for dead when it has not beaten for this many ticks, and
# never sooner than MIN_STALE_SECONDS: a feed may take its whole fetch timeout
# (30 s by default) and then its parse timeout before the cycle moves on.
TICKS_BEFORE_STALE = 5
MIN_STALE_SECONDS = 120.0


def stale_after(tick_seconds: float) -> float:
    return max(MIN_STALE_SECONDS, TICKS_BEFORE_STALE * tick_seconds)


class Heartbeat:
    """When the scheduler last showed it is alive, on a monotonic clock."""

    def __init__(self, clock: MonotonicClock = time.monotonic) -> None:
        self._clock = clock
        self._last = clock()

    def beat(self) -> None:
        self._last = self._clock()

    def age(self) -> float:
        return max(0.0, self._clock() - self._last)


def liveness_problem(age: float, limit: float) -> str | None:
    """None when alive; otherwise why not, in one line."""
    if age <= limit:
        return None
    return f"the scheduler has not ticked for {age:.0f} s (limit {limit:.0f} s)"


def readiness_problems(
    *, stopping: bool, database: str | None, platforms: Mapping[str, str | None]
) -> list[str]:
    """Why the process is not ready, one line each (none: ready).

    `database` is None when the database answered, else what went wrong;
    `platforms` maps each enabled platform to None when connected, else the reason.
    """
    problems: list[str] = []
    if stopping:
        problems.append("stopping")
    if database is not None:
        problems.append(f"database: {database}")
    for name, problem in sorted(platforms.items()):
        if problem is not None:
            problems.append(f"{name}: {problem}")
    return problems
