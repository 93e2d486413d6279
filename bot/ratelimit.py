"""Sending rate limits, kept on our side so the platform never has to say 429.

Three limits, as Telegram states them: about 30 messages per second overall, one
per second in the same chat, and 20 per minute in the same group. The overall limit
is a token bucket with a small burst, so a late wake-up of the event loop can catch
up a few messages without ever exceeding the rate for long; the per-chat and
per-group limits are exact sliding windows, because a burst is exactly what they
forbid. A platform's "retry after N seconds" pauses everything.

Time is injectable (`clock` returns monotonic seconds, `sleep` waits) so tests can
drive the limiter without waiting.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

MonotonicClock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]

# Per-chat and per-group windows are forgotten after this much idleness (bounded memory).
_FORGET_AFTER_SECONDS = 600.0


@dataclass(frozen=True)
class RateLimits:
    per_second: float = 30.0
    per_chat_per_second: float = 1.0
    per_group_per_minute: float = 20.0
    # The group window: Telegram's is a minute; tests shorten it to stay fast.
    group_window_seconds: float = 60.0
    # Added to the per-chat and per-group windows: a message granted at t reaches the
    # platform a little later (a database write, the request itself), and a late
    # first message must not make a later one look early.
    margin_seconds: float = 0.1
    # A waiter that wakes this much later than its slot (the event loop stalled, e.g.
    # in garbage collection) gives the slot up and queues again, so that a stall
    # never releases a burst of messages at once.
    catch_up_seconds: float = 0.02
    # How many messages the overall bucket may send at once after a quiet spell.
    # Small on purpose: a late event loop catches up a little, never a whole second.
    burst: int = 1

    def __post_init__(self) -> None:
        if self.per_second <= 0 or self.per_chat_per_second <= 0 or self.per_group_per_minute <= 0:
            raise ValueError("rate limits must be positive")
        if self.margin_seconds < 0:
            raise ValueError("the margin must not be negative")
        if self.group_window_seconds <= 0:
            raise ValueError("the group window must be positive")
        if self.burst < 1:
            raise ValueError("burst must be at least 1")


class _SlidingWindow:
    """At most `count` events in any `window` seconds."""

    __slots__ = ("count", "stamps", "window")

    def __init__(self, count: int, window: float) -> None:
        self.count = count
        self.window = window
        self.stamps: deque[float] = deque()

    def ready_at(self, now: float) -> float:
        while self.stamps and self.stamps[0] <= now - self.window:
            self.stamps.popleft()
        if len(self.stamps) < self.count:
            return now
        return self.stamps[0] + self.window

    def take(self, now: float) -> None:
        self.stamps.append(now)

    def idle_since(self) -> float:
        return self.stamps[-1] if self.stamps else float("-inf")


def _group_window(limits: RateLimits) -> _SlidingWindow:
    """N per window as a sliding window; fewer than one per window becomes a spacing."""
    count = limits.per_group_per_minute / 60.0 * limits.group_window_seconds
    if count >= 1:
        return _SlidingWindow(int(count), limits.group_window_seconds + limits.margin_seconds)
    return _SlidingWindow(1, limits.group_window_seconds / count + limits.margin_seconds)


class RateLimiter:
    """Waits until a message to `chat_key` is allowed, then counts it.

    `acquire(chat_key, is_group)` first waits for the chat's own windows (so a busy
    group does not hold up the queue for everyone else), then takes its turn in the
    overall bucket, first come first served.
    """

    def __init__(
        self,
        limits: RateLimits | None = None,
        *,
        clock: MonotonicClock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.limits = limits or RateLimits()
        self._clock = clock
        self._sleep = sleep
        self._interval = 1.0 / self.limits.per_second
        # The overall bucket as a "theoretical arrival time": the next free slot.
        self._next_slot = float("-inf")
        self._paused_until = float("-inf")
        self._chats: dict[str, _SlidingWindow] = {}
        self._groups: dict[str, _SlidingWindow] = {}
        self._chat_locks: dict[str, asyncio.Lock] = {}
        self._last_sweep = clock()
        # How often a waiter woke too late and queued again (a sign of a busy loop).
        self.late_wakeups = 0

    def pause(self, seconds: float) -> None:
        """The platform said "retry after `seconds`": nobody sends until then."""
        self._paused_until = max(self._paused_until, self._clock() + max(seconds, 0.0))

    @property
    def paused_for(self) -> float:
        return max(0.0, self._paused_until - self._clock())

    async def acquire(self, chat_key: str, *, is_group: bool) -> None:
        lock = self._chat_locks.setdefault(chat_key, asyncio.Lock())
        # One waiter per chat at a time keeps the chat's messages in order.
        async with lock:
            chat = self._chats.get(chat_key)
            if chat is None:
                # Messages in one chat are spaced, not bunched: one per 1/rate seconds.
                spacing = 1.0 / self.limits.per_chat_per_second + self.limits.margin_seconds
                chat = self._chats[chat_key] = _SlidingWindow(1, spacing)
            group: _SlidingWindow | None = None
            if is_group:
                group = self._groups.get(chat_key)
                if group is None:
                    group = self._groups[chat_key] = _group_window(self.limits)
            while True:
                now = self._clock()
                ready = chat.ready_at(now)
                if group is not None:
                    ready = max(ready, group.ready_at(now))
                ready = max(ready, self._paused_until)
                if ready <= now:
                    break
                await self._sleep(ready - now)
            await self._take_overall()
            now = self._clock()
            chat.take(now)
            if group is not None:
                group.take(now)
        self._sweep()

    async def _take_overall(self) -> None:
        """Reserve the next free slot, then sleep until it (no lock to hand over:
        a waiter that wakes late does not delay the ones behind it)."""
        while True:
            now = self._clock()
            if self._paused_until > now:
                await self._sleep(self._paused_until - now)
                continue
            # A bucket of `burst` tokens: the schedule may lag `now` by at most
            # burst-1 intervals, which is the catch-up allowed after a quiet spell.
            earliest = now - (self.limits.burst - 1) * self._interval
            slot = max(self._next_slot, earliest)
            self._next_slot = slot + self._interval
            if slot > now:
                await self._sleep(slot - now)
            awake = self._clock()
            if self._paused_until > awake:
                continue  # the platform asked for a pause while we waited: slot void
            if awake - slot > self.limits.catch_up_seconds:
                self.late_wakeups += 1
                continue  # too late: sending now would bunch up with the next slots
            return

    def _sweep(self) -> None:
        now = self._clock()
        if now - self._last_sweep < _FORGET_AFTER_SECONDS:
            return
        self._last_sweep = now
        for table in (self._chats, self._groups):
            stale = [k for k, w in table.items() if now - w.idle_since() > _FORGET_AFTER_SECONDS]
            for key in stale:
                lock = self._chat_locks.get(key)
                if lock is not None and lock.locked():
                    continue
                del table[key]
                if key not in self._chats and key not in self._groups:
                    self._chat_locks.pop(key, None)
