"""The sender side of the outbox: claim due rows, hand each to its platform, record the outcome.

Outcomes are decided by the platform senders; what to do about each one (retry
when, deactivate which chat) is decided here, once, for every platform.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from datetime import datetime, timedelta

from bot.models import Alert
from bot.senders.base import Outcome, Sender, SendResult
from bot.storage import Storage
from bot.timeutil import Clock, utcnow

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 10


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff from 5 s, capped at one hour."""
    return timedelta(seconds=min(5 * 2 ** max(attempts - 1, 0), 3600))


class Delivery:
    def __init__(
        self,
        storage: Storage,
        senders: Mapping[str, Sender],
        *,
        clock: Clock = utcnow,
        batch_size: int = 100,
    ) -> None:
        self._storage = storage
        self._senders = dict(senders)
        self._clock = clock
        self._batch_size = batch_size
        self._paused_until: dict[str, datetime] = {}
        self._wake = asyncio.Event()

    @property
    def platforms(self) -> list[str]:
        return sorted(self._senders)

    def add_sender(self, sender: Sender) -> None:
        self._senders[sender.platform] = sender

    def wake(self) -> None:
        """New rows were enqueued: don't wait for the next idle tick."""
        self._wake.set()

    def _active_platforms(self, now: datetime) -> list[str]:
        return [p for p in self.platforms if self._paused_until.get(p, now) <= now]

    async def drain(self) -> int:
        """Send everything due now; return how many alerts were delivered."""
        delivered = 0
        while True:
            now = self._clock()
            alerts = await self._storage.outbox.claim_due(
                now, self._active_platforms(now), self._batch_size
            )
            if not alerts:
                return delivered
            for index, alert in enumerate(alerts):
                platform = alert.chat.platform
                if self._paused_until.get(platform, now) > self._clock():
                    await self._storage.outbox.release([alert.outbox_id])
                    continue
                try:
                    result = await self._senders[platform].send(alert)
                except asyncio.CancelledError:
                    await self._storage.outbox.release([a.outbox_id for a in alerts[index:]])
                    raise
                except Exception as exc:  # a sender bug must not stop other chats
                    logger.exception(
                        "sender %s crashed on outbox row %d", platform, alert.outbox_id
                    )
                    result = SendResult(Outcome.RETRY, error=f"sender error: {exc!r}")
                if await self._record(alert, result):
                    delivered += 1

    async def _record(self, alert: Alert, result: SendResult) -> bool:
        outbox = self._storage.outbox
        now = self._clock()
        error = result.error or result.outcome.value
        match result.outcome:
            case Outcome.DELIVERED:
                await outbox.mark_delivered(alert.outbox_id, now, result.message_id)
                return True
            case Outcome.RATE_LIMITED:
                wait = timedelta(seconds=max(result.retry_after or 1.0, 0.0))
                self._paused_until[alert.chat.platform] = now + wait
                logger.warning(
                    "%s asked to pause for %.1f s", alert.chat.platform, wait.total_seconds()
                )
                # The message itself was not at fault: it does not use up an attempt.
                await outbox.release([alert.outbox_id])
                await outbox.mark_retry(alert.outbox_id, now + wait, error)
            case Outcome.CHAT_GONE:
                logger.warning(
                    "deactivating %s chat %s: %s",
                    alert.chat.platform,
                    alert.chat.external_id,
                    error,
                )
                await self._storage.chats.deactivate(alert.chat.id, error, now)
                await outbox.mark_failed(alert.outbox_id, error)
                await outbox.fail_pending_for_chat(alert.chat.id, f"chat deactivated: {error}")
            case Outcome.MIGRATED if result.new_chat_id:
                logger.info(
                    "%s chat %s moved to %s",
                    alert.chat.platform,
                    alert.chat.external_id,
                    result.new_chat_id,
                )
                await self._storage.chats.move(alert.chat.id, result.new_chat_id)
                await outbox.mark_retry(alert.outbox_id, now, f"moved to {result.new_chat_id}")
            case Outcome.FAILED:
                logger.warning("outbox row %d refused for good: %s", alert.outbox_id, error)
                await outbox.mark_failed(alert.outbox_id, error)
            case _:
                if alert.attempts >= MAX_ATTEMPTS:
                    logger.warning(
                        "outbox row %d failed after %d attempts: %s",
                        alert.outbox_id,
                        alert.attempts,
                        error,
                    )
                    await outbox.mark_failed(alert.outbox_id, error)
                else:
                    await outbox.mark_retry(
                        alert.outbox_id, now + retry_delay(alert.attempts), error
                    )
        return False

    async def run(self, stop: asyncio.Event, idle_seconds: float = 1.0) -> None:
        """Deliver until `stop` is set; wake early when the pipeline enqueues."""
        while not stop.is_set():
            try:
                await self.drain()
            except asyncio.CancelledError:
                raise
            except Exception:  # storage hiccup: log, wait, go on
                logger.exception("delivery pass failed")
            self._wake.clear()
            waiters = [asyncio.ensure_future(self._wake.wait()), asyncio.ensure_future(stop.wait())]
            try:
                await asyncio.wait(
                    waiters, timeout=idle_seconds, return_when=asyncio.FIRST_COMPLETED
                )
            finally:
                for waiter in waiters:
                    waiter.cancel()
