"""One ticker for all feeds: APScheduler fires `tick`, the database says what is due.

One job instead of one job per feed keeps the schedule in the database, where it
survives restarts, and lets a slow cycle simply delay the next tick (coalesce,
max_instances=1) instead of piling up overlapping polls.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.timeutil import utcnow

logger = logging.getLogger(__name__)


def build_scheduler(
    tick: Callable[[], Awaitable[object]], every_seconds: float
) -> AsyncIOScheduler:
    scheduler = AsyncIOScheduler(timezone="UTC")

    async def guarded_tick() -> None:
        try:
            await tick()
        except Exception:  # a failed cycle is logged; the next tick tries again
            logger.exception("poll cycle failed")

    scheduler.add_job(
        guarded_tick,
        "interval",
        seconds=every_seconds,
        id="poll-tick",
        coalesce=True,
        max_instances=1,
        misfire_grace_time=max(int(every_seconds), 1),
        # Poll at once on start, then every `every_seconds`.
        next_run_time=utcnow(),
    )
    return scheduler
