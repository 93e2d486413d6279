"""Telling the bot admins about feeds: failing for long, working again, gone silent.

A feed is never disabled behind anyone's back. Instead, after each poll cycle:

1. `due_notices` (pure) looks at one feed's state and says which notices are due;
2. `AdminNotifier.run` records each in `feed_notices` (UNIQUE per feed, kind and
   spell, so a notice happens once even across restarts) and hands unsent ones to
   every `NoticeSink` the app holds.

For this project's users a busy feed that falls silent is news in itself (a site
blocked, seized or frozen), so silence is reported like a failure.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol, TextIO

from bot.models import Feed
from bot.settings import Settings
from bot.storage import Storage
from bot.storage.notices import NoticeKind, StoredNotice
from bot.timeutil import Clock, utcnow

logger = logging.getLogger(__name__)

# A notice no sink would take is retried on this many cycles, then left in the table.
MAX_ATTEMPTS = 5


class NoticeNotDeliveredError(Exception):
    """A sink could reach none of its admins; the notice is tried again later."""


class NoticeSink(Protocol):
    """Somewhere admin notices go: the terminal, the admins' Telegram or Discord DMs."""

    # Stable across restarts: what each sink already delivered is remembered by name.
    @property
    def name(self) -> str: ...

    async def notify_admins(self, text: str) -> None:
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


def format_duration(seconds: float) -> str:
    """3725 -> '1h 2m'; the two largest units, for people."""
    seconds = max(int(seconds), 0)
    parts: list[str] = []
    for size, unit in ((86400, "d"), (3600, "h"), (60, "m")):
        if seconds >= size:
            parts.append(f"{seconds // size}{unit}")
            seconds %= size
        if len(parts) == 2:
            break
    return " ".join(parts) or f"{seconds}s"


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def notice_text(feed: Feed, notice: DueNotice, now: datetime) -> str:
    name = (
        f"Feed #{feed.id} “{feed.title}” <{feed.url}>"
        if feed.title
        else f"Feed #{feed.id} <{feed.url}>"
    )
    spell = format_duration((now - notice.episode).total_seconds())
    if notice.kind == "failing":
        return (
            f"{name} has been failing for {spell} (since {_stamp(notice.episode)}, "
            f"{feed.consecutive_failures} attempts): {feed.last_error} [{feed.last_error_kind}]. "
            "Tocsin keeps retrying it with backoff; remove it if it is gone for good."
        )
    if notice.kind == "recovered":
        return f"{name} works again, after failing for {spell}."
    if notice.kind == "silent":
        usual = format_duration(feed.usual_gap_seconds or 0)
        return (
            f"{name} has published nothing for {spell} (last entry {_stamp(notice.episode)}), "
            f"although it usually publishes every {usual}: the site may be blocked, seized "
            "or frozen, or the feed may have moved. Tocsin keeps polling it."
        )
    return f"{name} is publishing again, after {spell} of silence."


class ConsoleNoticeSink:
    """Admin notices in the log (always) and on the terminal (when it is a chat)."""

    name = "console"

    def __init__(self, stream: TextIO | None = None, *, echo: bool = True) -> None:
        self._stream = stream
        self._echo = echo

    async def notify_admins(self, text: str) -> None:
        logger.warning("admin notice: %s", text)
        if self._echo:
            stream = self._stream or sys.stdout
            stream.write(f"⚠ admin notice: {text}\n\n")
            stream.flush()


class AdminNotifier:
    """Decides, records and sends admin notices; `run` once after each poll cycle."""

    def __init__(
        self,
        storage: Storage,
        sinks: Sequence[NoticeSink] = (),
        *,
        config: NoticeConfig | None = None,
        clock: Clock = utcnow,
    ) -> None:
        self.storage = storage
        self.sinks: list[NoticeSink] = list(sinks)
        self.config = config or NoticeConfig()
        self.clock = clock

    def add_sink(self, sink: NoticeSink) -> None:
        self.sinks.append(sink)

    async def run(self) -> int:
        """Record what is due, send what is unsent; return how many were sent."""
        now = self.clock()
        for feed in await self.storage.feeds.watched():
            for due in due_notices(feed, now, self.config):
                text = notice_text(feed, due, now)
                recorded = await self.storage.notices.record(
                    feed.id, due.kind, due.episode, text, now
                )
                if recorded is not None:
                    logger.info("feed %d: %s notice recorded", feed.id, due.kind)
        if not self.sinks:
            return 0
        sent = 0
        for notice in await self.storage.notices.unsent(MAX_ATTEMPTS):
            errors = await self._send(notice)
            if errors:
                await self.storage.notices.mark_failed(notice.id, "; ".join(errors))
            else:
                await self.storage.notices.mark_sent(notice.id, self.clock())
                sent += 1
        return sent

    async def _send(self, notice: StoredNotice) -> list[str]:
        """Offer the notice to every sink that lacks it; a sink's failure is logged
        and retried on a later cycle, and never stops the other sinks."""
        done = await self.storage.notices.sinks_done(notice.id)
        errors: list[str] = []
        for sink in self.sinks:
            if sink.name in done:
                continue
            try:
                await sink.notify_admins(notice.text)
            except Exception as exc:  # one sink failing must not stop the others
                logger.warning("admin notice sink %s failed: %r", sink.name, exc)
                errors.append(f"{sink.name}: {exc!r}")
                continue
            await self.storage.notices.mark_sink_done(notice.id, sink.name, self.clock())
            done.add(sink.name)
        return errors
