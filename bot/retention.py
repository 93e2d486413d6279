"""Retention: how long old data is kept, when the daily prune is due, and the job that
runs it inside `tocsin run`.

The decisions (`RetentionPolicy`) are pure; `RetentionJob` does the I/O around them.
The prune runs once a day at a quiet hour (RETENTION_HOUR, UTC); a day missed while
the bot was down is caught up at the next start. A database that has never been
pruned waits for the quiet hour, since its first prune may rewrite the whole file.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.domain.maintenance import PruneCutoffs, PruneResult
from bot.settings import Settings
from bot.storage import Storage
from bot.timeutil import Clock

logger = logging.getLogger(__name__)

TASK = "retention"
# How often the running bot asks whether the prune is due.
CHECK_SECONDS = 300.0


@dataclass(frozen=True)
class RetentionPolicy:
    # Days each kind of data is kept; 0 keeps it forever.
    entry_text_days: int = 90
    event_days: int = 90
    outbox_days: int = 30
    audit_days: int = 365
    # The hour (UTC) the daily prune starts.
    hour: int = 4

    @classmethod
    def from_settings(cls, settings: Settings) -> RetentionPolicy:
        return cls(
            entry_text_days=settings.retention_entry_text_days,
            event_days=settings.retention_event_days,
            outbox_days=settings.retention_outbox_days,
            audit_days=settings.retention_audit_days,
            hour=settings.retention_hour,
        )

    def cutoffs(self, now: datetime) -> PruneCutoffs:
        def before(days: int) -> datetime | None:
            return now - timedelta(days=days) if days > 0 else None

        # Stories and /missed links are reports of events, kept as long as events;
        # admin notices are messages sent, kept as long as delivered alerts.
        return PruneCutoffs(
            entry_texts=before(self.entry_text_days),
            events=before(self.event_days),
            outbox=before(self.outbox_days),
            stories=before(self.event_days),
            notices=before(self.outbox_days),
            missed=before(self.event_days),
            audit=before(self.audit_days),
        )

    def last_slot(self, now: datetime) -> datetime:
        """The latest moment, at or before `now`, the daily prune was meant to start."""
        slot = now.replace(hour=self.hour, minute=0, second=0, microsecond=0)
        return slot if slot <= now else slot - timedelta(days=1)

    def due(self, now: datetime, last_run: datetime | None) -> bool:
        slot = self.last_slot(now)
        if last_run is None:
            return now - slot < timedelta(hours=1)
        return last_run < slot


def describe(result: PruneResult) -> str:
    return (
        f"{result.entry_texts} entry texts, {result.events} events and {result.outbox}"
        f" delivered alerts pruned, with {result.stories} stories, {result.notices} admin"
        f" notices, {result.missed} missed links and {result.audit} audit entries;"
        f" {result.bytes_freed / 2**20:.1f} MiB given back"
    )


class RetentionJob:
    def __init__(self, storage: Storage, policy: RetentionPolicy, clock: Clock) -> None:
        self._storage = storage
        self._policy = policy
        self._clock = clock

    async def prune_now(self) -> PruneResult:
        now = self._clock()
        result = await self._storage.maintenance.prune(self._policy.cutoffs(now), now)
        await self._storage.maintenance.record_run(TASK, now)
        logger.info("retention: %s", describe(result))
        return result

    async def run_if_due(self) -> PruneResult | None:
        last = await self._storage.maintenance.last_run(TASK)
        if not self._policy.due(self._clock(), last):
            return None
        return await self.prune_now()

    async def run(self, stop: asyncio.Event, every: float = CHECK_SECONDS) -> None:
        """Until `stop`: prune whenever due. A failed prune is logged and tried again
        at the next check; it never stops the bot."""
        while not stop.is_set():
            try:
                await self.run_if_due()
            except Exception:
                logger.exception("retention: the prune failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), every)
