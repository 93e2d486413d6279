"""Telling the bot admins about feeds: failing for long, working again, gone silent.

A feed is never disabled behind anyone's back. Instead, after each poll cycle:

1. `due_notices` (pure) looks at one feed's state and says which notices are due;
2. `AdminNotifier.run` records each in `feed_notices` (UNIQUE per feed, kind and
   spell, so a notice happens once even across restarts) and hands unsent ones to
   every `NoticeSink` the app holds.

Each sink is tried on its own schedule: a platform that is down (or hangs) for hours
gets the notice when it is back, up to a day later, while the other platforms had
it at once and only once. Every sink call is bounded in time, because the notifier
runs inside the poll cycle and no feed is polled while it waits.

For this project's users a busy feed that falls silent is news in itself (a site
blocked, seized or frozen), so silence is reported like a failure.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sys
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol, TextIO

from bot.domain.feed import Feed
from bot.domain.notice import NoticeKind, StoredNotice
from bot.i18n import DEFAULT_LANGUAGE, languages, text
from bot.settings import Settings
from bot.storage import Storage
from bot.timeutil import Clock, utcnow
from feeds.redact import redact_text

logger = logging.getLogger(__name__)

# A notice a sink would not take is retried for this long, then left in the table:
# by age, not by a count of cycles, so that a platform down for hours still hears of it.
GIVE_UP_AFTER = timedelta(hours=24)
# One sink call may take this long (all of its admins together); longer counts as a
# failure of that sink, and the poll cycle goes on.
SINK_TIMEOUT_SECONDS = 20.0
# After a sink fails, wait this long before asking it again, doubling up to the maximum.
RETRY_FIRST = timedelta(seconds=30)
RETRY_MAX = timedelta(minutes=15)


class NoticeNotDeliveredError(Exception):
    """A sink could reach none of its admins; the notice is tried again later."""


async def notify_each_admin(
    platform: str,
    admin_ids: Iterable[int],
    send_one: Callable[[int], Awaitable[None]],
    describe: Callable[[Exception], str] = repr,
) -> None:
    """Send one notice to every admin; `send_one(admin_id)` raises when it could not.

    An admin who blocked the bot or closed their DMs costs only their copy: the others
    still get theirs. Only when no admin could be reached does the notice count as
    undelivered, so the notifier tries it again later, without a second copy for
    anyone who had it.
    """
    admins = tuple(admin_ids)
    failures: list[str] = []
    for admin_id in admins:
        try:
            await send_one(admin_id)
        except Exception as exc:  # one admin's refusal must not cost the others theirs
            failures.append(f"admin {admin_id}: {redact_text(describe(exc))}")
    for failure in failures:
        logger.warning("%s admin notice not delivered to %s", platform, failure)
    if failures and len(failures) == len(admins):
        raise NoticeNotDeliveredError("; ".join(failures))


class NoticeSink(Protocol):
    """Somewhere admin notices go: the terminal, the admins' Telegram or Discord DMs."""

    # Stable across restarts: what each sink already delivered is remembered by name.
    @property
    def name(self) -> str: ...

    # The language its admins read notices in.
    @property
    def language(self) -> str: ...

    async def notify_admins(self, message: str) -> None:
        """Deliver one notice; raise on failure (it will be retried)."""


@dataclass(frozen=True)
class NoticeConfig:
    # Tell admins once a feed has been failing this long (FEED_FAILURE_NOTIFY_AFTER_SECONDS).
    failure_after_seconds: int = 6 * 3600
    # A feed is "busy" when it usually publishes at least this often...
    busy_max_gap_seconds: int = 24 * 3600
    # ...and "silent" when it has published nothing for this many usual gaps,
    silence_factor: float = 10.0
    # and for at least this long (FEED_SILENCE_NOTIFY_MIN_SECONDS): nights and
    # weekends are quiet in every newsroom.
    silence_min_seconds: int = 24 * 3600


def notice_config(settings: Settings) -> NoticeConfig:
    return NoticeConfig(
        failure_after_seconds=settings.feed_failure_notify_after_seconds,
        silence_min_seconds=settings.feed_silence_notify_min_seconds,
    )


@dataclass(frozen=True)
class DueNotice:
    kind: NoticeKind
    # When the failing or silent spell began: the notice's identity.
    episode: datetime


def silence_threshold(feed: Feed, config: NoticeConfig) -> timedelta | None:
    """How long this feed may be quiet before it counts as silent; None if not busy."""
    gap = feed.usual_gap_seconds
    if not gap or gap > config.busy_max_gap_seconds:
        return None
    return timedelta(seconds=max(gap * config.silence_factor, config.silence_min_seconds))


def silent_since(
    feed: Feed, now: datetime, config: NoticeConfig, *, while_watched: bool = False
) -> datetime | None:
    """When a busy feed's silence began, if it has lasted much longer than its rhythm.

    With `while_watched`, the silence must also have lasted that long since Tocsin
    started watching: `feeds list` may show that a feed added today has been quiet
    for a week, but that is not news to push today (and a large `feeds add-catalog`
    must not page the admins about every quiet source at once).
    """
    threshold = silence_threshold(feed, config)
    newest = feed.newest_entry_at
    if threshold is None or newest is None or feed.last_success_at is None:
        return None
    since = max(newest, feed.added_at) if while_watched else newest
    return newest if now - since > threshold else None


def due_notices(feed: Feed, now: datetime, config: NoticeConfig) -> list[DueNotice]:
    """Which notices this feed's state calls for now (at most one per spell kind)."""
    due: list[DueNotice] = []
    if feed.consecutive_failures > 0 and feed.failing_since is not None:
        failing_for = (now - feed.failing_since).total_seconds()
        if feed.failure_notified_at is None and failing_for >= config.failure_after_seconds:
            due.append(DueNotice("failing", feed.failing_since))
        # While it fails, its silence is not news: the failure is.
        return due
    if feed.failure_notified_at is not None:
        due.append(DueNotice("recovered", feed.failure_notified_at))
    if feed.silent_notified_at is not None:
        if feed.newest_entry_at is not None and feed.newest_entry_at > feed.silent_notified_at:
            due.append(DueNotice("resumed", feed.silent_notified_at))
    else:
        began = silent_since(feed, now, config, while_watched=True)
        if began is not None:
            due.append(DueNotice("silent", began))
    return due


def format_duration(seconds: float, lang: str = DEFAULT_LANGUAGE) -> str:
    """3725 -> '1h 2m' ('1ч 2мин'); the two largest units, for people."""
    seconds = max(int(seconds), 0)
    parts: list[str] = []
    for size, unit in ((86400, "d"), (3600, "h"), (60, "m")):
        if seconds >= size:
            parts.append(f"{seconds // size}{text(lang, f'duration.{unit}')}")
            seconds %= size
        if len(parts) == 2:
            break
    return " ".join(parts) or f"{seconds}{text(lang, 'duration.s')}"


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def notice_text(feed: Feed, notice: DueNotice, now: datetime, lang: str) -> str:
    name = (
        text(lang, "notice.feed_named", id=feed.id, title=feed.title, url=feed.shown_url)
        if feed.title
        else text(lang, "notice.feed_unnamed", id=feed.id, url=feed.shown_url)
    )
    spell = format_duration((now - notice.episode).total_seconds(), lang)
    if notice.kind == "failing":
        return text(
            lang,
            "notice.failing",
            feed=name,
            spell=spell,
            since=_stamp(notice.episode),
            attempts=feed.consecutive_failures,
            error=redact_text(feed.last_error or "?"),
            kind=feed.last_error_kind or "?",
        )
    if notice.kind == "recovered":
        return text(lang, "notice.recovered", feed=name, spell=spell)
    if notice.kind == "silent":
        usual = format_duration(feed.usual_gap_seconds or 0, lang)
        return text(
            lang,
            "notice.silent",
            feed=name,
            spell=spell,
            last=_stamp(notice.episode),
            usual=usual,
        )
    return text(lang, "notice.resumed", feed=name, spell=spell)


def notice_texts(feed: Feed, notice: DueNotice, now: datetime) -> str:
    """The notice in every interface language, stored as one JSON object: each sink
    sends it in its admins' language, whenever it gets to send it."""
    return json.dumps(
        {lang: notice_text(feed, notice, now, lang) for lang in languages()}, ensure_ascii=False
    )


def text_for(stored: str, lang: str) -> str:
    """A stored notice in `lang` (notices recorded before there were several languages
    are plain text)."""
    try:
        texts = json.loads(stored)
    except ValueError:
        return stored
    if not isinstance(texts, dict):
        return stored
    return str(texts.get(lang) or texts.get(DEFAULT_LANGUAGE) or next(iter(texts.values()), ""))


class ConsoleNoticeSink:
    """Admin notices in the log (always) and on the terminal (when it is a chat)."""

    name = "console"

    def __init__(
        self, stream: TextIO | None = None, *, echo: bool = True, language: str = DEFAULT_LANGUAGE
    ) -> None:
        self._stream = stream
        self._echo = echo
        self.language = language

    async def notify_admins(self, message: str) -> None:
        logger.warning("admin notice: %s", message)
        if self._echo:
            stream = self._stream or sys.stdout
            stream.write(f"⚠ {text(self.language, 'notice.heading')}: {message}\n\n")
            stream.flush()


def retry_delay(failures: int) -> timedelta:
    """How long to leave a sink alone after its `failures`-th failure in a row."""
    return min(RETRY_FIRST * (1 << min(max(failures - 1, 0), 16)), RETRY_MAX)


@dataclass(frozen=True)
class _Retry:
    failures: int
    at: datetime


class AdminNotifier:
    """Decides, records and sends admin notices; `run` once after each poll cycle."""

    def __init__(
        self,
        storage: Storage,
        sinks: Sequence[NoticeSink] = (),
        *,
        config: NoticeConfig | None = None,
        clock: Clock = utcnow,
        sink_timeout: float = SINK_TIMEOUT_SECONDS,
    ) -> None:
        self.storage = storage
        self.sinks: list[NoticeSink] = list(sinks)
        self.config = config or NoticeConfig()
        self.clock = clock
        self.sink_timeout = sink_timeout
        # When to offer a notice to a sink that refused it: (notice id, sink) -> retry.
        # In memory on purpose: after a restart every sink is simply asked again.
        self._retry: dict[tuple[int, str], _Retry] = {}
        # A sink that hung is left alone (for every notice) until its retry time, so
        # that a platform that does not answer costs at most one timeout per spell.
        self._stalled: dict[str, _Retry] = {}

    def add_sink(self, sink: NoticeSink) -> None:
        self.sinks.append(sink)

    async def run(self) -> int:
        """Record what is due, send what is unsent; return how many were sent."""
        now = self.clock()
        for feed in await self.storage.feeds.watched():
            for due in due_notices(feed, now, self.config):
                recorded = await self.storage.notices.record(
                    feed.id, due.kind, due.episode, notice_texts(feed, due, now), now
                )
                if recorded is not None:
                    logger.info("feed %d: %s notice recorded", feed.id, due.kind)
        if not self.sinks:
            return 0
        pending = await self.storage.notices.unsent(now - GIVE_UP_AFTER)
        live = {notice.id for notice in pending}
        self._retry = {key: retry for key, retry in self._retry.items() if key[0] in live}
        sent = 0
        for notice in pending:
            errors, complete = await self._send(notice)
            if errors:
                await self.storage.notices.mark_failed(notice.id, "; ".join(errors))
            if complete:
                await self.storage.notices.mark_sent(notice.id, self.clock())
                sent += 1
        return sent

    async def _send(self, notice: StoredNotice) -> tuple[list[str], bool]:
        """Offer the notice to every sink that lacks it and is due to be asked.

        Returns the sinks' errors and whether every sink now has it. A sink's failure
        is logged and retried later on its own schedule, and never stops the others.
        """
        done = await self.storage.notices.sinks_done(notice.id)
        errors: list[str] = []
        for sink in self.sinks:
            if sink.name in done:
                continue
            now = self.clock()
            stalled = self._stalled.get(sink.name)
            retry = self._retry.get((notice.id, sink.name))
            if (stalled and stalled.at > now) or (retry and retry.at > now):
                continue
            try:
                worded = text_for(notice.text, sink.language)
                await asyncio.wait_for(sink.notify_admins(worded), self.sink_timeout)
            except TimeoutError:
                failures = stalled.failures + 1 if stalled else 1
                self._stalled[sink.name] = _Retry(failures, now + retry_delay(failures))
                error = f"no answer within {self.sink_timeout:g} s"
            except Exception as exc:  # one sink failing must not stop the others
                error = repr(exc)
            else:
                await self.storage.notices.mark_sink_done(notice.id, sink.name, self.clock())
                done.add(sink.name)
                self._stalled.pop(sink.name, None)
                self._retry.pop((notice.id, sink.name), None)
                continue
            failures = retry.failures + 1 if retry else 1
            self._retry[(notice.id, sink.name)] = _Retry(failures, now + retry_delay(failures))
            logger.warning(
                "admin notice %d: sink %s failed (%s); next try in %s",
                notice.id,
                sink.name,
                error,
                format_duration(retry_delay(failures).total_seconds()),
            )
            errors.append(f"{sink.name}: {error}")
        return errors, all(sink.name in done for sink in self.sinks)
