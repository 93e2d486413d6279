"""One ticker for all feeds: APScheduler fires `tick`, the database says what is due.

One job instead of one job per feed keeps the schedule in the database, where it
survives restarts, and lets a slow cycle simply delay the next tick (coalesce,
max_instances=1) instead of piling up overlapping polls.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.timeutil import utcnow

logger = logging.getLogger(__name__)

# On shutdown, a cycle that is running is cancelled and given this long to unwind
# (while the delivery loop stops alongside; see bot.app.STOP_SECONDS).
STOP_TIMEOUT_SECONDS = 6.0


class PollScheduler:
    """The ticker, and the cycle it is running, so that stopping can wait for that cycle.

    APScheduler's `shutdown(wait=False)` cancels a running job without waiting for it
    (and only on a later turn of the event loop): the storage could then be closed
    under a cycle still writing. `stop()` cancels the cycle and awaits its end.
    """

    def __init__(
        self,
        tick: Callable[[], Awaitable[object]],
        every_seconds: float,
        *,
        stop_timeout: float = STOP_TIMEOUT_SECONDS,
        on_tick: Callable[[], None] | None = None,
    ) -> None:
        """`on_tick` is told when each tick begins and ends (the health endpoint's
        heartbeat)."""
        self._tick = tick
        self._on_tick = on_tick
        self._stop_timeout = stop_timeout
        self._running: set[asyncio.Task[object]] = set()
        self._stopping = False
        self.scheduler = AsyncIOScheduler(timezone="UTC")
        self.scheduler.add_job(
            self._guarded_tick,
            "interval",
            seconds=every_seconds,
            id="poll-tick",
            coalesce=True,
            max_instances=1,
            misfire_grace_time=max(int(every_seconds), 1),
            # Poll at once on start, then every `every_seconds`.
            next_run_time=utcnow(),
        )

    def start(self) -> None:
        self.scheduler.start()

    async def _guarded_tick(self) -> None:
        if self._stopping:  # fired in the moment between stop() and APScheduler's shutdown
            return
        task = asyncio.current_task()
        assert task is not None
        self._running.add(task)
        self._beat()
        try:
            await self._tick()
        except asyncio.CancelledError:
            if not self._stopping:
                raise
            # Stopped on purpose (SIGTERM, Ctrl+C): a normal end for APScheduler, which
            # would otherwise log the cancellation as a failed job.
            logger.info("poll cycle stopped")
        except Exception:  # a failed cycle is logged; the next tick tries again
            logger.exception("poll cycle failed")
        finally:
            self._running.discard(task)
            self._beat()

    def _beat(self) -> None:
        if self._on_tick is not None:
            self._on_tick()

    async def stop(self) -> None:
        """No more ticks; cancel the cycle that is running and wait (bounded) for its end."""
        self._stopping = True
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        running = set(self._running)
        for task in running:
            task.cancel()
        if not running:
            return
        # APScheduler's own done-callback collects the task's outcome; we only wait.
        _, pending = await asyncio.wait(running, timeout=self._stop_timeout)
        if pending:
            logger.error("a poll cycle did not stop within %.0f s", self._stop_timeout)
