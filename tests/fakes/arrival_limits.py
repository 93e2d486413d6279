"""Rate limits as a platform enforces them: sliding windows over request ARRIVALS.

A limit of N per W seconds is broken when any N+1 accepted requests arrived within
less than W seconds of each other, whatever order the server got round to judging
them in (a request that arrived first may have its body read last). No slack: the
fakes are as strict as the stated limits, so a client that only paces itself by
when its requests leave, not by when they can have arrived, will meet 429s.
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass, field


@dataclass
class ArrivalWindow:
    """At most `count` accepted arrivals in any `span` seconds."""

    count: int
    span: float
    stamps: list[float] = field(default_factory=list)

    def wait_needed(self, at: float) -> float:
        """0 when a request arriving `at` fits; else how long until one would."""
        stamps = self.stamps
        # Stamps this old can no longer share a window with anything new.
        if stamps and stamps[-1] - stamps[0] > 4 * self.span:
            del stamps[: bisect.bisect_left(stamps, stamps[-1] - 2 * self.span)]
        index = bisect.bisect_left(stamps, at)
        count = self.count

        def nth(position: int) -> float:  # the stamps with `at` put in its place
            if position < index:
                return stamps[position]
            return at if position == index else stamps[position - 1]

        wait = 0.0
        # Every run of count+1 consecutive arrivals that includes this one (one run
        # when it is the latest, as it nearly always is).
        for first in range(max(0, index - count), min(index, len(stamps) - count) + 1):
            spread = nth(first + count) - nth(first)
            if spread < self.span:
                wait = max(wait, self.span - spread)
        return wait

    def accept(self, at: float) -> None:
        bisect.insort(self.stamps, at)


def per_window(per_period: float, period: float) -> ArrivalWindow:
    """N per `period` seconds; fewer than one per period becomes a spacing."""
    if per_period >= 1:
        return ArrivalWindow(int(per_period), period)
    return ArrivalWindow(1, period / per_period)


def check_all(windows: list[tuple[str, ArrivalWindow]], at: float) -> tuple[str, float] | None:
    """Accept an arrival in every window, or name the first it breaks and the wait."""
    for name, window in windows:
        wait = window.wait_needed(at)
        if wait > 0:
            return name, wait
    for _, window in windows:
        window.accept(at)
    return None


def whole_seconds(wait: float) -> int:
    """Telegram and Discord's edge say "retry after" in whole seconds, at least one."""
    return max(1, math.ceil(wait))
