"""Sending rate limits, kept on our side so the platform never has to say 429.

Three limits, as Telegram states them: 30 messages per second overall, one per
second in the same chat, and 20 per minute in the same group. The platform counts a
request when it ARRIVES, which we cannot see; what we can see is when the request
left (it cannot have arrived before) and when its answer came back (it must have
arrived by then). So every limit is a sliding window over the *ends* of requests:
a new request may leave only when fewer than N requests of its window ended less
than the window's length ago, counting those still in flight. Then, whatever the
network or the event loop did to each request on its way, no N+1 of them can have
arrived within one window. The price is one round trip per window (a few
milliseconds on a good link), instead of a guessed safety margin that jitter can
always exceed.

Overall, requests are also spaced 1/rate apart, so the window fills evenly rather
than in bursts. A platform's "retry after N seconds" pauses what it concerns: one
chat (`pause(N, chat_key)`), or everyone (`pause(N)`); `refused` decides which when
the platform does not say (see there). Every pause is bounded
(`bounded_retry_after`): a bogus answer cannot stop sending for good.

`acquire` returns a `Turn`; the caller sends its request and then calls
`Turn.done()` (or uses `async with limiter.turn(...)`). A turn that is never closed
is taken to have arrived `assume_arrived_after` seconds after it began, so a lost
request cannot block the limiter for good.

Time is injectable (`clock` returns monotonic seconds, `sleep` waits) so tests can
drive the limiter without waiting.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from bot.delivery.contract import bounded_retry_after

MonotonicClock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]

# Per-chat and per-group windows are forgotten after this much idleness (bounded memory).
_FORGET_AFTER_SECONDS = 600.0
# Two different chats refused within this long: the platform is counting the bot as a
# whole (its overall limit), not one chat's flood limit.
SHARED_REFUSAL_SECONDS = 1.0


@dataclass(frozen=True)
class RateLimits:
    per_second: float = 30.0
    per_chat_per_second: float = 1.0
    per_group_per_minute: float = 20.0
    # The group window: Telegram's is a minute; tests shorten it to stay fast.
    group_window_seconds: float = 60.0
    # A request still unanswered this long after it left is taken to have arrived
    # by then (a hung connection must not hold everyone's turn until it times out).
    assume_arrived_after: float = 2.0
    # How far the even spacing may fall behind and catch up (see `_take_overall`).
    catch_up_seconds: float = 0.05

    def __post_init__(self) -> None:
        if self.per_second <= 0 or self.per_chat_per_second <= 0 or self.per_group_per_minute <= 0:
            raise ValueError("rate limits must be positive")
        if self.group_window_seconds <= 0:
            raise ValueError("the group window must be positive")
        if self.assume_arrived_after <= 0:
            raise ValueError("assume_arrived_after must be positive")
        if self.catch_up_seconds < 0:
            raise ValueError("catch_up_seconds must not be negative")


def window_shape(per_window: float, window: float) -> tuple[int, float]:
    """N per `window` seconds as (count, span); fewer than one per window becomes a spacing."""
    if per_window >= 1:
        return int(per_window), window
    return 1, window / per_window


class _EndWindow:
    """At most `count` request ends in any `span` seconds, requests in flight included."""

    __slots__ = ("changed", "count", "ends", "open", "span")

    def __init__(self, count: int, span: float) -> None:
        self.count = count
        self.span = span
        self.ends: deque[float] = deque()
        # Turns in flight, by id, with when each began (in the order they began).
        self.open: dict[int, float] = {}
        self.changed = asyncio.Event()

    def ready_at(self, now: float, assume_after: float) -> tuple[float, bool]:
        """When the next request may leave, and whether a request in flight decides it
        (then it may be sooner: as soon as that request ends)."""
        while self.ends and self.ends[0] <= now - self.span:
            self.ends.popleft()
        over = len(self.ends) + len(self.open) - self.count
        if over < 0:
            return now, False
        # The (over+1)-th earliest end must age out. Both sequences are sorted: ends
        # are appended as they happen, turns in flight in the order they began.
        ends = iter(self.ends)
        assumed = (begun + assume_after for begun in self.open.values())
        end = next(ends, None)
        guess = next(assumed, None)
        decided_by_open = False
        chosen = now
        for _ in range(over + 1):
            if guess is None or (end is not None and end <= guess):
                assert end is not None
                chosen, decided_by_open = end, False
                end = next(ends, None)
            else:
                chosen, decided_by_open = guess, True
                guess = next(assumed, None)
        return chosen + self.span, decided_by_open

    def begin(self, turn_id: int, now: float) -> None:
        self.open[turn_id] = now

    def end(self, turn_id: int, now: float) -> None:
        if self.open.pop(turn_id, None) is not None:
            self.ends.append(now)
            self.changed.set()

    def idle_since(self) -> float:
        latest = self.ends[-1] if self.ends else float("-inf")
        return float("inf") if self.open else latest


class Turn:
    """One request's place in the limits; `done()` when its answer (or failure) is back."""

    __slots__ = ("_closed", "_id", "_limiter", "_windows")

    def __init__(self, limiter: RateLimiter, turn_id: int, windows: list[_EndWindow]) -> None:
        self._limiter = limiter
        self._id = turn_id
        self._windows = windows
        self._closed = False

    def done(self) -> None:
        if self._closed:
            return
        self._closed = True
        now = self._limiter.now()
        for window in self._windows:
            window.end(self._id, now)


@dataclass
class _Waiter:
    future: asyncio.Future[Turn]
    turn_id: int
    windows: list[_EndWindow]


class RateLimiter:
    """Waits until a request to `chat_key` is allowed, then counts it.

    `acquire(chat_key, is_group)` first waits for the chat's own windows (so a busy
    group does not hold up the queue for everyone else), then takes its turn in the
    overall window, first come first served. `chat_key=None` is a request that goes
    to no chat (answering a button press): it counts overall only.
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
        self._next_slot = float("-inf")
        self._paused_until = float("-inf")
        self._chat_paused_until: dict[str, float] = {}
        # The last 429 for a chat: (when, which chat), to tell a chat's limit from the bot's.
        self._last_refusal: tuple[float, str] | None = None
        self._overall = _EndWindow(*window_shape(self.limits.per_second, 1.0))
        self._chats: dict[str, _EndWindow] = {}
        self._groups: dict[str, _EndWindow] = {}
        self._chat_locks: dict[str, asyncio.Lock] = {}
        self._ids = itertools.count()
        self._queue: deque[_Waiter] = deque()
        self._pump: asyncio.Task[None] | None = None
        self._last_sweep = clock()
        self._waited: Callable[[float], None] | None = None

    def observe(self, waited: Callable[[float], None]) -> None:
        """Tell `waited(seconds)` how long each turn was waited for (for metrics)."""
        self._waited = waited

    def now(self) -> float:
        return self._clock()

    def pause(self, seconds: float, chat_key: str | None = None) -> None:
        """The platform said "retry after `seconds`": nobody sends until then, or, with
        `chat_key`, nothing goes to that chat (others go on)."""
        until = self._clock() + bounded_retry_after(seconds)
        if chat_key is None:
            self._paused_until = max(self._paused_until, until)
        else:
            self._chat_paused_until[chat_key] = max(
                self._chat_paused_until.get(chat_key, until), until
            )

    def refused(self, seconds: float, chat_key: str | None) -> bool:
        """A 429 for a request to `chat_key`, from a platform that does not say whose
        limit it was (Telegram): pause that chat, or everyone when the request went
        to no chat or another chat was refused within SHARED_REFUSAL_SECONDS (then
        it is the bot's overall limit). True when everyone pauses."""
        if chat_key is None:
            self.pause(seconds)
            return True
        now = self._clock()
        previous, self._last_refusal = self._last_refusal, (now, chat_key)
        if (
            previous is not None
            and previous[1] != chat_key
            and now - previous[0] <= SHARED_REFUSAL_SECONDS
        ):
            self.pause(seconds)
            return True
        self.pause(seconds, chat_key)
        return False

    @property
    def paused_for(self) -> float:
        """How long everyone still waits."""
        return max(0.0, self._paused_until - self._clock())

    def pause_left(self, chat_key: str | None = None) -> float:
        """How long a request to `chat_key` (None: to no chat) still waits for pauses."""
        until = self._paused_until
        if chat_key is not None:
            until = max(until, self._chat_paused_until.get(chat_key, until))
        return max(0.0, until - self._clock())

    async def wait_out_pause(self, chat_key: str | None = None) -> None:
        while (left := self.pause_left(chat_key)) > 0:
            await self._sleep(left)

    @asynccontextmanager
    async def turn(self, chat_key: str | None, *, is_group: bool = False) -> AsyncIterator[None]:
        taken = await self.acquire(chat_key, is_group=is_group)
        try:
            yield
        finally:
            taken.done()

    async def acquire(self, chat_key: str | None, *, is_group: bool = False) -> Turn:
        if self._waited is None:
            return await self._acquire(chat_key, is_group)
        started = self._clock()
        turn = await self._acquire(chat_key, is_group)
        self._waited(self._clock() - started)
        return turn

    async def _acquire(self, chat_key: str | None, is_group: bool) -> Turn:
        turn_id = next(self._ids)
        if chat_key is None:
            return await self._take_overall(turn_id, [])
        lock = self._chat_locks.setdefault(chat_key, asyncio.Lock())
        # One waiter per chat at a time keeps the chat's messages in order.
        async with lock:
            windows = [self._chat_window(chat_key)]
            if is_group:
                windows.append(self._group_window(chat_key))
            await self._wait_for(windows, chat_key)
            turn = await self._take_overall(turn_id, windows)
        self._sweep()
        return turn

    def _chat_window(self, chat_key: str) -> _EndWindow:
        window = self._chats.get(chat_key)
        if window is None:
            shape = window_shape(self.limits.per_chat_per_second, 1.0)
            window = self._chats[chat_key] = _EndWindow(*shape)
        return window

    def _group_window(self, chat_key: str) -> _EndWindow:
        window = self._groups.get(chat_key)
        if window is None:
            span = self.limits.group_window_seconds
            shape = window_shape(self.limits.per_group_per_minute / 60.0 * span, span)
            window = self._groups[chat_key] = _EndWindow(*shape)
        return window

    async def _wait_for(self, windows: list[_EndWindow], chat_key: str | None = None) -> None:
        """Until every window has room and the pauses (everyone's, the chat's) are over."""
        assume = self.limits.assume_arrived_after
        while True:
            now = self._clock()
            ready = max(self._paused_until, now)
            if chat_key is not None:
                ready = max(ready, self._chat_paused_until.get(chat_key, ready))
            waiting_on: _EndWindow | None = None
            for window in windows:
                at, decided_by_open = window.ready_at(now, assume)
                if at > ready:
                    ready = at
                    waiting_on = window if decided_by_open else None
            if ready <= now:
                return
            if waiting_on is None:
                await self._sleep(ready - now)
                continue
            # A request in flight holds the window: its answer may come before `ready`.
            waiting_on.changed.clear()
            waiter = asyncio.ensure_future(waiting_on.changed.wait())
            try:
                await asyncio.wait([waiter], timeout=ready - now)
            finally:
                waiter.cancel()

    async def _take_overall(self, turn_id: int, windows: list[_EndWindow]) -> Turn:
        """Queue for the overall window; the pump grants turns first come, first served."""
        future: asyncio.Future[Turn] = asyncio.get_running_loop().create_future()
        self._queue.append(_Waiter(future, turn_id, windows))
        if self._pump is None or self._pump.done():
            self._pump = asyncio.create_task(self._grant_turns(), name="rate-limiter")
        try:
            return await future
        except asyncio.CancelledError:
            if future.done() and not future.cancelled():
                future.result().done()  # granted, but nobody will send: give it back
            raise

    async def _grant_turns(self) -> None:
        """One task hands out the overall turns, in order, until nobody waits.

        One granter rather than a lock passed from waiter to waiter: a grant costs
        no hand-over, and a waiter that runs late delays nobody behind it.
        """
        try:
            while self._queue:
                waiter = self._queue[0]
                if waiter.future.done():  # cancelled while queued
                    self._queue.popleft()
                    continue
                now = self._clock()
                # The schedule stays on its grid through small wake-up delays (each
                # would otherwise cost its lateness); after a lull it restarts from
                # now. Bursts stay small, and the window holds whatever happens.
                slot = self._next_slot
                if now - slot > self.limits.catch_up_seconds:
                    slot = now
                if slot > now:
                    await self._sleep(slot - now)
                    continue
                if self._paused_until > now or not self._overall_has_room(now):
                    await self._wait_for([self._overall])
                    continue
                self._queue.popleft()
                self._next_slot = slot + self._interval
                taken = [self._overall, *waiter.windows]
                for window in taken:
                    window.begin(waiter.turn_id, now)
                waiter.future.set_result(Turn(self, waiter.turn_id, taken))
        except BaseException as exc:
            while self._queue:
                waiter = self._queue.popleft()
                if not waiter.future.done():
                    waiter.future.set_exception(
                        exc if isinstance(exc, Exception) else asyncio.CancelledError()
                    )
            raise

    def _overall_has_room(self, now: float) -> bool:
        ready, _ = self._overall.ready_at(now, self.limits.assume_arrived_after)
        return ready <= now

    def _sweep(self) -> None:
        now = self._clock()
        if now - self._last_sweep < _FORGET_AFTER_SECONDS:
            return
        self._last_sweep = now
        for key in [k for k, until in self._chat_paused_until.items() if until <= now]:
            del self._chat_paused_until[key]
        for table in (self._chats, self._groups):
            stale = [k for k, w in table.items() if now - w.idle_since() > _FORGET_AFTER_SECONDS]
            for key in stale:
                lock = self._chat_locks.get(key)
                if lock is not None and lock.locked():
                    continue
                del table[key]
                if key not in self._chats and key not in self._groups:
                    self._chat_locks.pop(key, None)


# A turn the caller already waited for (the delivery loop's `wait_turn`), to be used
# by the next paced request made in the same task instead of queueing again.
_PREPAID: ContextVar[list[Turn] | None] = ContextVar("prepaid_turn", default=None)


@contextmanager
def prepaid(turn: Turn | None) -> Iterator[None]:
    """Inside, the first paced request takes `turn` instead of waiting for one."""
    held = [turn] if turn is not None else []
    token = _PREPAID.set(held)
    try:
        yield
    finally:
        _PREPAID.reset(token)
        for unused in held:  # never used: give its place back
            unused.done()


def take_prepaid() -> Turn | None:
    held = _PREPAID.get()
    return held.pop() if held else None
