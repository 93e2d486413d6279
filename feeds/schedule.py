"""When to poll a feed next: pure decisions, easy to test exhaustively."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class ScheduleConfig:
    default_seconds: int = 600
    min_seconds: int = 120
    max_seconds: int = 6 * 3600
    # Up to this share of the interval is added at random, so feeds on one host
    # that were added together drift apart instead of firing together forever.
    jitter_share: float = 0.1


def clamp(config: ScheduleConfig, seconds: float) -> int:
    return int(min(max(seconds, config.min_seconds), config.max_seconds))


def success_interval(config: ScheduleConfig, ttl_seconds: int | None) -> int:
    """The publisher's hint when it gave one, else the default, inside the bounds."""
    return clamp(config, ttl_seconds if ttl_seconds else config.default_seconds)


def failure_interval(
    config: ScheduleConfig, consecutive_failures: int, retry_after: float | None = None
) -> int:
    """Exponential backoff from the default interval, capped at the maximum."""
    exponent = max(consecutive_failures - 1, 0)
    backoff = config.default_seconds * 2 ** min(exponent, 16)
    if retry_after is not None:
        backoff = max(backoff, retry_after)
    return clamp(config, backoff)


def next_check(
    config: ScheduleConfig, now: datetime, seconds: int, rng: random.Random | None = None
) -> datetime:
    jitter = (rng or random).uniform(0, seconds * config.jitter_share)
    return now + timedelta(seconds=seconds + jitter)
