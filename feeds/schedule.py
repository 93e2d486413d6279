"""When to poll a feed next: pure decisions, easy to test exhaustively.

The interval of a healthy feed comes from three things, in this order:

1. Its rhythm: `usual_gap` is the mean time between its entries over the month
   before its newest one. Tocsin polls `polls_per_gap` times per usual gap, so a
   newsroom publishing every 30 minutes is polled every 5, a regulator posting twice
   a day every 2 hours. Without enough history, the feed's own claim
   (sy:updatePeriod) stands in, and without that, the default interval.
2. Its silence: a feed that has published nothing for a long time is polled every
   `silence_share` of that silence (a day of silence: about once an hour), so quiet
   feeds fade to the maximum interval and come back as soon as they publish.
3. Its "do not come back before" hints, which are floors: <ttl>, and Cache-Control
   max-age or Expires. (Retry-After comes with failures: see `failure_interval`.)

The result always stays inside [min_seconds, max_seconds]. A failing feed backs off
exponentially from its interval, up to the maximum, and never sooner than its
Retry-After. Jitter (which only ever lengthens an interval, so no floor is undercut)
spreads feeds that were added together, so that feeds on one host drift apart
instead of firing together forever.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

RHYTHM_WINDOW = timedelta(days=30)
RHYTHM_MIN_ENTRIES = 3
RHYTHM_MAX_ENTRIES = 100


@dataclass(frozen=True)
class ScheduleConfig:
    default_seconds: int = 600
    min_seconds: int = 120
    max_seconds: int = 6 * 3600
    # Up to this share of the interval is added at random, so feeds on one host
    # that were added together drift apart instead of firing together forever.
    jitter_share: float = 0.1
    # How many polls per usual gap between entries: the expected delay before a new
    # entry is seen is about half a poll interval, i.e. a twelfth of the usual gap.
    polls_per_gap: float = 6.0
    # A silent feed is polled every this share of its silence.
    silence_share: float = 1 / 24


@dataclass(frozen=True)
class PollHints:
    """What the publisher said about polling, in seconds; None when it said nothing."""

    ttl_seconds: float | None = None
    update_period_seconds: float | None = None
    fresh_seconds: float | None = None


def clamp(config: ScheduleConfig, seconds: float) -> int:
    return int(min(max(seconds, config.min_seconds), config.max_seconds))


def usual_gap(arrivals: Sequence[datetime]) -> int | None:
    """Mean seconds between entries over the month before the newest one.

    `arrivals` are when entries appeared (any order). None when there are too few,
    or when they all carry the same moment (a feed that stamps every entry with the
    time the document was built says nothing about its rhythm).
    """
    if len(arrivals) < RHYTHM_MIN_ENTRIES:
        return None
    ordered = sorted(arrivals, reverse=True)[:RHYTHM_MAX_ENTRIES]
    newest = ordered[0]
    recent = [moment for moment in ordered if newest - moment <= RHYTHM_WINDOW]
    if len(recent) < RHYTHM_MIN_ENTRIES:
        # Sparse: a handful of entries spread over more than a month.
        span = (newest - ordered[-1]).total_seconds()
        return int(span / (len(ordered) - 1)) if span >= 60 else None
    span = (newest - recent[-1]).total_seconds()
    if span < 60:
        return None
    return max(int(span / (len(recent) - 1)), 1)


def healthy_interval(
    config: ScheduleConfig,
    *,
    now: datetime,
    gap_seconds: int | None,
    newest_entry_at: datetime | None,
    hints: PollHints,
) -> int:
    """Seconds until the next poll of a feed that answered fine."""
    if gap_seconds:
        seconds = gap_seconds / config.polls_per_gap
    elif hints.update_period_seconds:
        seconds = hints.update_period_seconds / config.polls_per_gap
    else:
        seconds = float(config.default_seconds)
    if newest_entry_at is not None:
        silence = max((now - newest_entry_at).total_seconds(), 0.0)
        seconds = max(seconds, silence * config.silence_share)
    floors = [value for value in (hints.ttl_seconds, hints.fresh_seconds) if value is not None]
    if floors:
        seconds = max(seconds, *floors)
    return clamp(config, seconds)


def failure_interval(
    config: ScheduleConfig,
    consecutive_failures: int,
    retry_after: float | None = None,
    base_seconds: int | None = None,
) -> int:
    """Exponential backoff from the feed's interval, capped at the maximum.

    `consecutive_failures` counts this failure too (1 for the first).
    """
    base = base_seconds or config.default_seconds
    exponent = max(consecutive_failures - 1, 0)
    backoff = base * 2.0 ** min(exponent, 30)
    if retry_after is not None:
        backoff = max(backoff, retry_after)
    return clamp(config, backoff)


def next_check(
    config: ScheduleConfig, now: datetime, seconds: int, rng: random.Random | None = None
) -> datetime:
    """`seconds` from now plus up to the jitter share, never past the maximum.

    Jitter only ever adds: `seconds` may be a floor the publisher set (Retry-After,
    <ttl>, max-age), and coming back early would break the promise to respect it.
    """
    spread = (rng or random).uniform(0.0, config.jitter_share)
    jittered = min(max(seconds * (1 + spread), config.min_seconds), config.max_seconds)
    return now + timedelta(seconds=jittered)
