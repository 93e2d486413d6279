"""What the working parts tell the observers: small calls with plain values.

The pipeline, the delivery loop and the platform runtimes take a `Recorder` and
call it where something countable happens; they never import Prometheus. Unless the
health endpoint is on, the recorder is `NO_RECORDER`, whose calls do nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class FeedPoll:
    """One feed's poll, as the metrics count it."""

    fetch_seconds: float
    # Set when the poll failed (FeedError.kind).
    error_kind: str | None
    not_modified: bool
    new_entries: int
    events: int
    alerts: int


class Recorder(Protocol):
    def feed_polled(self, poll: FeedPoll) -> None:
        """One feed was polled."""

    def detected(self, seconds: float) -> None:
        """The detector classified one entry in `seconds`."""

    def sent(self, platform: str, outcome: str, seconds: float) -> None:
        """One alert's request to `platform` ended with `outcome` after `seconds`."""

    def rate_limit_waited(self, platform: str, seconds: float) -> None:
        """A request to `platform` waited `seconds` for its turn under the rate limits."""

    def too_many_requests(self, platform: str) -> None:
        """`platform` answered 429 Too Many Requests."""


class _NoRecorder:
    def feed_polled(self, poll: FeedPoll) -> None:
        return None

    def detected(self, seconds: float) -> None:
        return None

    def sent(self, platform: str, outcome: str, seconds: float) -> None:
        return None

    def rate_limit_waited(self, platform: str, seconds: float) -> None:
        return None

    def too_many_requests(self, platform: str) -> None:
        return None


NO_RECORDER: Recorder = _NoRecorder()
