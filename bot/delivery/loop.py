"""The sender side of the outbox: take due rows, hand each to its platform, record the outcome.

Outcomes are decided by the platform senders; what to do about each one (retry
when, deactivate which chat) is decided here, once, for every platform.

Concurrency: due rows are read in batches and queued in memory per chat ("lanes");
each lane sends its chat's alerts in order, and lanes of different chats run at
once. A sender that paces itself (`PacedSender.wait_turn`, e.g. Telegram's rate
limits) is asked for a turn before each message, so a chat that must wait holds up
nobody else.

Crash safety: a row is read while still 'pending' and marked 'sending' only when
its lane reaches it, just before it waits for its turn and its request leaves; then
'delivered' (or retried, or failed) as soon as the platform answers. After a crash,
`outbox.recover_inflight()` re-queues the rows left 'sending': those are the only
ones whose fate is unknown, at most one per chat that was being served when the
process died. They are sent again, so such a chat may see that one alert twice
(the Bot API has no idempotency key); every other row is delivered exactly once.

Waiting: a platform's "retry after" pauses what it concerns, one chat or the whole
platform (`SendResult.chat_only`), for at most RETRY_AFTER_CAP_SECONDS. A platform
that cannot be reached or refuses the bot itself (an outage, a revoked token) pauses
that platform with a short capped backoff, so that one request probes it every few
seconds and delivery resumes within OUTAGE_PAUSE_CAP_SECONDS of its recovery; no
message uses up an attempt, so a long outage loses nothing. No error of ours (a
storage hiccup while recording an answer) leaves a row 'sending': it is put back.

Giving up: a row is given up when the platform refuses it for good, when its chat
is gone, or when it is still undelivered `give_up_after` (a day by default) after
it was queued: an alert that old is no longer news.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Protocol, runtime_checkable

from bot.delivery.contract import Outcome, Sender, SendResult, bounded_retry_after
from bot.delivery.decisions import (
    already_shown,
    error_text,
    outage_pause,
    outcome_writes,
    retry_delay,
    shown,
)
from bot.domain.alert import Alert
from bot.group_commit import GroupCommit
from bot.logs import concerning
from bot.observability.recorder import NO_RECORDER, Recorder
from bot.storage import Storage
from bot.storage.intents import ChatPaused, DeliveryOutcome, Requeued
from bot.timeutil import Clock, utcnow

logger = logging.getLogger(__name__)

# An alert still undelivered this long after it was queued is marked failed.
GIVE_UP_AFTER = timedelta(hours=24)
# How often (in the delivery clock's time) stale rows are looked for.
EXPIRY_CHECK_INTERVAL = timedelta(minutes=1)
# Rows held in memory at once, across all chats (each waiting chat is one small task).
MAX_IN_HAND = 1000
# How often a running drain looks for newly due rows while lanes are still busy.
RELEASE_CHECK_SECONDS = 0.5
# How long a write waits for others to share its transaction. Marking rows 'sending'
# delays each request by at most this much; recording answers widens the window in
# which a crash leaves an answered row in doubt by at most this much.
BEGIN_GATHER_SECONDS = 0.005
OUTCOME_GATHER_SECONDS = 0.02
# On shutdown, how long to wait for requests already sent to be answered and recorded
# (a stop must end within bot.app.STOP_SECONDS, platforms' disconnection included).
SHUTDOWN_GRACE_SECONDS = 6.0


@runtime_checkable
class PacedSender(Protocol):
    """A sender that holds its own rate limits and tells the loop when a message may go."""

    platform: str

    async def wait_turn(self, alert: Alert) -> None: ...

    async def send(self, alert: Alert) -> SendResult: ...


class Delivery:
    def __init__(
        self,
        storage: Storage,
        senders: Mapping[str, Sender],
        *,
        clock: Clock = utcnow,
        batch_size: int = 100,
        max_in_hand: int = MAX_IN_HAND,
        give_up_after: timedelta = GIVE_UP_AFTER,
        recorder: Recorder = NO_RECORDER,
    ) -> None:
        self._storage = storage
        self._recorder = recorder
        self._senders: dict[str, Sender] = {}
        # Senders that pace themselves, found once (a Protocol isinstance check is slow).
        self._paced: dict[str, PacedSender] = {}
        for sender in senders.values():
            self.add_sender(sender)
        self._clock = clock
        self._batch_size = max(1, batch_size)
        self._max_in_hand = max(self._batch_size, max_in_hand)
        self._give_up_after = give_up_after
        self._next_expiry_check: datetime | None = None
        # The one record of a platform pause (a 429, an outage): no row of a paused
        # platform is read or started until it ends. A paced sender also holds the
        # platform's "retry after" in its rate limiter, for the requests already
        # waiting for a turn and for admin notices sharing the bot's budget.
        self._paused_until: dict[str, datetime] = {}
        # Chats the platform asked us to leave alone for a while, by chat id.
        self._chat_paused_until: dict[int, datetime] = {}
        # Unavailable probes in a row, per platform (reset by a delivery).
        self._outages: dict[str, int] = {}
        self._wake = asyncio.Event()
        self._drain_lock = asyncio.Lock()
        # Rows read but not finished, by outbox id; lanes by chat id.
        self._in_hand: set[int] = set()
        self._lanes: dict[int, deque[Alert]] = {}
        self._progress = asyncio.Event()
        self._delivered = 0
        # Requests that have left: shielded from cancellation so that their outcome
        # is recorded even when delivery stops meanwhile.
        self._in_flight: set[asyncio.Future[bool]] = set()
        self._begin = GroupCommit(self._begin_many, gather_seconds=BEGIN_GATHER_SECONDS)
        # What became of rows, many rows' worth in one transaction.
        self._outcomes = GroupCommit(self._record_many, gather_seconds=OUTCOME_GATHER_SECONDS)

    @property
    def platforms(self) -> list[str]:
        return sorted(self._senders)

    def add_sender(self, sender: Sender) -> None:
        """Register a platform's sender (the composition root calls this per runtime)."""
        self._senders[sender.platform] = sender
        self._paced.pop(sender.platform, None)
        if isinstance(sender, PacedSender):
            self._paced[sender.platform] = sender

    def wake(self) -> None:
        """New rows were enqueued: don't wait for the next idle tick."""
        self._wake.set()

    def _active_platforms(self, now: datetime) -> list[str]:
        return [p for p in self.platforms if self._paused_until.get(p, now) <= now]

    async def drain(self) -> int:
        """Send everything due now (and what becomes due meanwhile); return how many arrived."""
        async with self._drain_lock:
            self._delivered = 0
            tasks: set[asyncio.Task[None]] = set()
            try:
                await self._expire_stale()
                await self._drain(tasks)
            finally:
                for task in tasks:
                    task.cancel()
                if tasks:
                    await asyncio.gather(*tasks, return_exceptions=True)
                if self._in_flight:
                    # Let answers already on their way be recorded, so a clean stop
                    # leaves nothing in doubt.
                    await asyncio.wait(set(self._in_flight), timeout=SHUTDOWN_GRACE_SECONDS)
                # Unsent rows in hand are still 'pending' in the database: nothing to undo.
                self._in_hand.clear()
                self._lanes.clear()
            return self._delivered

    async def _expire_stale(self) -> None:
        now = self._clock()
        if self._next_expiry_check is not None and now < self._next_expiry_check:
            return
        self._next_expiry_check = now + EXPIRY_CHECK_INTERVAL
        for chat_id in [c for c, until in self._chat_paused_until.items() if until <= now]:
            del self._chat_paused_until[chat_id]
        hours = self._give_up_after.total_seconds() / 3600
        expired = await self._storage.outbox.fail_older_than(
            now - self._give_up_after, f"not delivered within {hours:g} h"
        )
        if expired:
            logger.warning("gave up on %d alerts not delivered within %g h", expired, hours)

    async def _drain(self, tasks: set[asyncio.Task[None]]) -> None:
        loop = asyncio.get_running_loop()
        while True:
            now = self._clock()
            room = self._max_in_hand - len(self._in_hand)
            wanted = min(self._batch_size, room)
            fresh: list[Alert] = []
            if wanted > 0:
                fresh = await self._storage.outbox.lease_due(
                    now, self._active_platforms(now), wanted, exclude=self._in_hand
                )
            leased_at = loop.time()
            for alert in fresh:
                self._in_hand.add(alert.outbox_id)
                lane = self._lanes.get(alert.chat.id)
                if lane is not None:
                    lane.append(alert)
                    continue
                self._lanes[alert.chat.id] = deque([alert])
                task = asyncio.create_task(
                    self._run_lane(alert.chat.id), name=f"delivery-chat-{alert.chat.id}"
                )
                tasks.add(task)
                task.add_done_callback(tasks.discard)
            if not tasks:
                return
            if wanted > 0 and len(fresh) == wanted:
                if len(self._in_hand) < self._max_in_hand:
                    continue  # more may be due right now: fill the lanes first
                # Hands full: wait until a batch worth of rows is done.
                self._progress.clear()
                waiter = asyncio.ensure_future(self._progress.wait())
                try:
                    await asyncio.wait(
                        [waiter], timeout=RELEASE_CHECK_SECONDS, return_when=asyncio.FIRST_COMPLETED
                    )
                finally:
                    waiter.cancel()
                continue
            # Nothing more is due now. Wait for the lanes to finish, looking again now
            # and then for rows that became due meanwhile (retries "now", new events).
            timeout = max(0.0, leased_at + RELEASE_CHECK_SECONDS - loop.time())
            await asyncio.wait(set(tasks), timeout=timeout, return_when=asyncio.ALL_COMPLETED)

    async def _run_lane(self, chat_id: int) -> None:
        """Send one chat's rows in order; other chats' lanes run meanwhile."""
        lane = self._lanes[chat_id]
        chat = lane[0].chat
        with concerning(platform=chat.platform, chat_id=chat.id, chat=chat.external_id):
            await self._run_lane_of(chat_id, lane)

    async def _run_lane_of(self, chat_id: int, lane: deque[Alert]) -> None:
        try:
            while lane:
                alert = lane.popleft()
                try:
                    keep_going = await self._deliver_one(alert)
                except asyncio.CancelledError:
                    raise
                except Exception:  # storage hiccup: this row stays as it is, others go on
                    logger.exception("delivery of outbox row %d failed", alert.outbox_id)
                    keep_going = True
                finally:
                    self._in_hand.discard(alert.outbox_id)
                    if len(self._in_hand) <= self._max_in_hand - self._batch_size:
                        self._progress.set()
                if not keep_going:
                    # The chat changed (moved to a new id): give the rest back, they
                    # are re-read with the chat's new details.
                    for rest in lane:
                        self._in_hand.discard(rest.outbox_id)
                    lane.clear()
        finally:
            if self._lanes.get(chat_id) is lane:
                del self._lanes[chat_id]
            self._progress.set()

    async def _deliver_one(self, alert: Alert) -> bool:
        """Send one row and record what happened; False when the lane must stop."""
        platform = alert.chat.platform
        sender = self._senders.get(platform)
        if sender is None:
            return True
        paced = self._paced.get(platform)
        now = self._clock()
        if self._paused_until.get(platform, now) > now:
            return True  # still pending in the database: read again after the pause
        if already_shown(alert):
            # The story's message already shows this version (sent after the edit was
            # queued): nothing to ask the platform, the row is settled.
            await self._outcomes.submit((shown(alert, now, alert.message_id),))
            return True
        chat_pause = self._chat_paused_until.get(alert.chat.id)
        if chat_pause is not None:
            if chat_pause > now:
                # Queued after the pause began: due when it ends, not read before.
                await self._outcomes.submit((ChatPaused(alert.chat.id, chat_pause),))
                return True
            del self._chat_paused_until[alert.chat.id]
        # The row is marked 'sending' before waiting for a turn, so that once the rate
        # limiter grants a slot the request leaves at once: a database write between
        # the two would bunch requests up whenever the disk or the CPU is slow.
        begun = self._begin.enqueue(alert.outbox_id)
        try:
            # Shielded: the shared write goes ahead even if this lane is stopped.
            if not await asyncio.shield(begun):
                return True  # no longer pending: failed with its chat, or taken elsewhere
        except asyncio.CancelledError:
            # Stopped while the row was being marked: once the write has marked it
            # 'sending', give it back, so that a clean stop leaves nothing in doubt.
            await asyncio.shield(self._give_back(alert, begun))
            raise
        if paced is not None:
            try:
                # The sender's own limits include the platform's "retry after" pause.
                await paced.wait_turn(alert)
            except asyncio.CancelledError:
                # Stopped before the request left: certainly not sent, give it back.
                await self._outcomes.submit(
                    (Requeued(alert.outbox_id, self._clock(), "not sent yet"),)
                )
                raise
            # While this row waited for its turn, another chat's answer may have paused
            # the platform (an outage, a 429 for everyone) or this chat: then it stays
            # unsent, so that a probe of a platform that is down costs the requests
            # already in flight, not every row that was waiting behind them.
            now = self._clock()
            resume = max(
                self._paused_until.get(platform, now),
                self._chat_paused_until.get(alert.chat.id, now),
            )
            if resume > now:
                await self._outcomes.submit(
                    (Requeued(alert.outbox_id, resume, f"not sent: {platform} paused"),)
                )
                return True
        outcome = asyncio.ensure_future(self._send_and_record(sender, alert))
        self._in_flight.add(outcome)
        outcome.add_done_callback(self._in_flight.discard)
        # Shielded: once a row is marked 'sending', its request goes out and its answer
        # is recorded even if delivery is stopped meanwhile.
        return await asyncio.shield(outcome)

    async def _give_back(self, alert: Alert, begun: asyncio.Future[bool]) -> None:
        try:
            started = await begun
        except Exception:  # the write failed: the row is still 'pending'
            return
        if started:
            await self._outcomes.submit((Requeued(alert.outbox_id, self._clock(), "not sent yet"),))

    async def _send_and_record(self, sender: Sender, alert: Alert) -> bool:
        # The row is 'sending': a crash from here until the outcome is recorded
        # means it will be sent again.
        started = time.perf_counter()
        try:
            if alert.kind == "edit":
                result = await sender.edit(alert)
            elif alert.kind == "reply":
                result = await sender.reply(alert)
            else:
                result = await sender.send(alert)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a sender bug must not stop other chats
            logger.exception(
                "sender %s crashed on outbox row %d", alert.chat.platform, alert.outbox_id
            )
            result = SendResult(Outcome.RETRY, error=f"sender error: {exc!r}")
        self._recorder.sent(
            alert.chat.platform, result.outcome.value, time.perf_counter() - started
        )
        try:
            if await self._record(alert, result):
                self._delivered += 1
        except Exception:
            # Our error, not the platform's: the row must not stay 'sending' (in doubt
            # until the next start, and then resent) for it.
            logger.exception("could not record the outcome of outbox row %d", alert.outbox_id)
            await self._put_back(alert, result)
        return not (result.outcome is Outcome.MIGRATED and result.new_chat_id)

    async def _put_back(self, alert: Alert, result: SendResult) -> None:
        """After a failure to record an answer: a delivered row as delivered, any other
        back to pending for a later try."""
        now = self._clock()
        put_back = (
            shown(alert, now, result.message_id)
            if result.outcome is Outcome.DELIVERED
            else Requeued(alert.outbox_id, now + retry_delay(1), error_text(result))
        )
        try:
            await self._storage.outbox.record((put_back,))
        except Exception:  # the database itself is failing: the row waits for a restart
            logger.exception("could not put back outbox row %d", alert.outbox_id)

    async def _begin_many(self, outbox_ids: list[int]) -> list[bool]:
        started = await self._storage.outbox.begin_send_many(outbox_ids)
        return [outbox_id in started for outbox_id in outbox_ids]

    async def _record_many(self, batches: list[tuple[DeliveryOutcome, ...]]) -> list[None]:
        await self._storage.outbox.record([write for batch in batches for write in batch])
        return [None] * len(batches)

    async def _record(self, alert: Alert, result: SendResult) -> bool:
        """Act on the platform's answer and record it; True when the row was delivered."""
        now = self._clock()
        resume = self._heed(alert, result, now)
        await self._outcomes.submit(outcome_writes(alert, result, now, resume=resume))
        if result.outcome is Outcome.MESSAGE_GONE and alert.kind == "edit":
            self.wake()  # the story's fresh message is due now
        return result.outcome is Outcome.DELIVERED

    def _heed(self, alert: Alert, result: SendResult, now: datetime) -> datetime:
        """Log the answer and keep the pauses it asks for; returns when the row's platform
        (or chat) may be asked again."""
        chat = alert.chat
        error = error_text(result)
        match result.outcome:
            case Outcome.DELIVERED:
                if self._outages.pop(chat.platform, None):
                    logger.info("%s is reachable again", chat.platform)
            case Outcome.MESSAGE_GONE if alert.kind == "edit":
                logger.info(
                    "%s chat %s: the message of %s is gone (%s); sending it afresh",
                    chat.platform,
                    chat.external_id,
                    alert.story.id if alert.story else "a story",
                    error,
                )
            case Outcome.RATE_LIMITED:
                resume = now + timedelta(seconds=bounded_retry_after(result.retry_after))
                wait = (resume - now).total_seconds()
                if result.chat_only:
                    until = max(self._chat_paused_until.get(chat.id, resume), resume)
                    self._chat_paused_until[chat.id] = until
                    logger.warning(
                        "%s asked to wait %.1f s before sending to chat %s again",
                        chat.platform,
                        wait,
                        chat.external_id,
                    )
                else:
                    until = max(self._paused_until.get(chat.platform, resume), resume)
                    self._paused_until[chat.platform] = until
                    logger.warning("%s asked to pause for %.1f s", chat.platform, wait)
                return resume
            case Outcome.CHAT_GONE:
                logger.warning(
                    "deactivating %s chat %s: %s", chat.platform, chat.external_id, error
                )
            case Outcome.MIGRATED if result.new_chat_id:
                logger.info(
                    "%s chat %s moved to %s", chat.platform, chat.external_id, result.new_chat_id
                )
            case Outcome.FAILED | Outcome.MESSAGE_GONE:
                logger.warning("outbox row %d refused for good: %s", alert.outbox_id, error)
            case Outcome.UNAVAILABLE:
                return self._pause_for_outage(chat.platform, now, error)
        return now

    def _pause_for_outage(self, platform: str, now: datetime, error: str) -> datetime:
        """Pause `platform` after an unavailable answer; returns when it resumes."""
        paused_until = self._paused_until.get(platform, now)
        if paused_until > now:
            # Requests that left before the pause began: one outage, not several.
            return paused_until
        failures = self._outages.get(platform, 0) + 1
        self._outages[platform] = failures
        wait = outage_pause(failures)
        self._paused_until[platform] = now + wait
        logger.warning(
            "%s unavailable (%s): pausing it for %.0f s", platform, error, wait.total_seconds()
        )
        return now + wait

    async def run(self, stop: asyncio.Event, idle_seconds: float = 1.0) -> None:
        """Deliver until `stop` is set; wake early when the pipeline enqueues."""
        while not stop.is_set():
            self._wake.clear()
            drain = asyncio.ensure_future(self.drain())
            stopper = asyncio.ensure_future(stop.wait())
            try:
                await asyncio.wait([drain, stopper], return_when=asyncio.FIRST_COMPLETED)
            finally:
                stopper.cancel()
                if not drain.done():
                    # Stopping: the drain gives back rows not yet sent and waits (up to
                    # SHUTDOWN_GRACE_SECONDS) for answers to requests already sent; only
                    # a request still unanswered then stays 'sending' (in doubt), to be
                    # re-queued at the next start.
                    drain.cancel()
                    await asyncio.gather(drain, return_exceptions=True)
            if drain.done() and not drain.cancelled() and drain.exception() is not None:
                logger.error("delivery pass failed", exc_info=drain.exception())
            if stop.is_set():
                return
            waiters = [asyncio.ensure_future(self._wake.wait()), asyncio.ensure_future(stop.wait())]
            try:
                await asyncio.wait(
                    waiters, timeout=idle_seconds, return_when=asyncio.FIRST_COMPLETED
                )
            finally:
                for waiter in waiters:
                    waiter.cancel()
