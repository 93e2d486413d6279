"""The test's clock, carried into a process the test starts.

A child process cannot share the test's `FakeClock`; it gets the clock's reading as
an ISO 8601 argument and runs a clock that starts there and moves on with the
child's own monotonic time, so nothing it does depends on today's date.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta


class CarriedClock:
    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("the carried time must be aware")
        self._start = start
        self._began = time.monotonic()

    @classmethod
    def parse(cls, text: str) -> CarriedClock:
        return cls(datetime.fromisoformat(text))

    def __call__(self) -> datetime:
        return self._start + timedelta(seconds=time.monotonic() - self._began)
