"""One poll cycle: due feeds -> fetch -> parse -> new entries -> detect -> events -> outbox.

Each stage is a separate call so that each can be deepened on its own; a failure
in one feed is recorded on that feed and never stops the others.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field
from datetime import datetime

from bot.detect import Detection, Detector, KeywordFilter
from bot.matching import matching_chats
from bot.models import Chat as ChatModel
from bot.models import Feed, Subscription
from bot.storage import DetectedEvent, Storage, StoredEntry
from bot.timeutil import Clock, utcnow
from feeds.errors import FeedError
from feeds.fetch import Fetcher
from feeds.models import NormalizedEntry, ParsedFeed
from feeds.parse import parse_feed
from feeds.schedule import ScheduleConfig, failure_interval, next_check, success_interval

logger = logging.getLogger(__name__)


@dataclass
class FeedReport:
    feed_id: int
    url: str
    new_entries: int = 0
    events: int = 0
    alerts: int = 0
    not_modified: bool = False
    error: str | None = None
    error_kind: str | None = None


@dataclass
class CycleReport:
    feeds: list[FeedReport] = field(default_factory=list)

    @property
    def new_entries(self) -> int:
        return sum(r.new_entries for r in self.feeds)

    @property
    def events(self) -> int:
        return sum(r.events for r in self.feeds)

    @property
    def alerts(self) -> int:
        return sum(r.alerts for r in self.feeds)

    @property
    def failures(self) -> int:
        return sum(1 for r in self.feeds if r.error)

    def summary(self, delivered: int) -> str:
        """The one line `run --once` and `feeds refresh` end with."""
        feeds = len(self.feeds)
        line = (
            f"polled {feeds} feed{'s' if feeds != 1 else ''}: {self.new_entries} new entries, "
            f"{self.events} events, {delivered} alerts delivered"
        )
        if self.failures:
            line += f", {self.failures} feed{'s' if self.failures != 1 else ''} failed"
        return line


@dataclass(frozen=True)
class FeedPreview:
    url: str
    title: str
    entry_count: int
    # (entry title, categories) of current entries that would alert.
    alerting: list[tuple[str, tuple[str, ...]]]


def detected_event(detection: Detection) -> DetectedEvent | None:
    if not detection.categories and not detection.weak_categories:
        return None
    return DetectedEvent(
        categories=tuple(detection.categories),
        weak_categories=tuple(detection.weak_categories),
        modality=detection.modality,
        score=detection.score,
        severity=detection.severity,
        explanation=detection.explanation,
        fields=dict(detection.fields),
        lang=detection.lang,
    )


def backlog_to_alert(entries: Sequence[StoredEntry], limit: int) -> list[StoredEntry]:
    """On a feed's first poll only the newest `limit` entries may alert."""
    if limit <= 0:
        return []
    dated = sorted(
        entries,
        key=lambda e: (e.entry.published_at is not None, e.entry.published_at, e.id),
        reverse=True,
    )
    return dated[:limit]


def keyword_filter(
    include: Sequence[str], exclude: Sequence[str], text: str, lang: str | None
) -> bool:
    return KeywordFilter(include, exclude).accepts(text, lang)


class Pipeline:
    def __init__(
        self,
        storage: Storage,
        fetcher: Fetcher,
        detector: Detector,
        *,
        schedule: ScheduleConfig,
        backlog_alerts: int = 0,
        clock: Clock = utcnow,
        executor: Executor | None = None,
        on_enqueued: Callable[[], None] | None = None,
    ) -> None:
        self.storage = storage
        self.fetcher = fetcher
        self.detector = detector
        self.schedule = schedule
        self.backlog_alerts = backlog_alerts
        self.clock = clock
        self.executor = executor
        self.on_enqueued = on_enqueued

    async def run_cycle(self) -> CycleReport:
        """Poll every feed that is due now."""
        self.detector.reload_if_changed()
        due = await self.storage.feeds.due(self.clock())
        return await self.poll_feeds(due)

    async def poll_feeds(self, feeds: Sequence[Feed]) -> CycleReport:
        subscriptions = await self.storage.chats.active_subscriptions()
        reports = await asyncio.gather(*(self.poll_feed(f, subscriptions) for f in feeds))
        report = CycleReport(list(reports))
        if report.alerts and self.on_enqueued is not None:
            self.on_enqueued()
        return report

    async def refresh(self, feed_ids: Sequence[int] | None = None) -> CycleReport:
        """Poll now, whatever the schedule (all feeds when no ids are given)."""
        feeds = await (
            self.storage.feeds.by_ids(feed_ids) if feed_ids else self.storage.feeds.all()
        )
        return await self.poll_feeds(feeds)

    async def _parse(self, body: bytes, url: str, headers: dict[str, str]) -> ParsedFeed:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.executor, parse_feed, body, url, headers)

    async def poll_feed(
        self, feed: Feed, subscriptions: Sequence[tuple[ChatModel, Subscription]]
    ) -> FeedReport:
        report = FeedReport(feed.id, feed.url)
        try:
            result = await self.fetcher.fetch(
                feed.url, etag=feed.etag, last_modified=feed.last_modified
            )
            now = self.clock()
            if result.not_modified:
                report.not_modified = True
                interval = feed.interval_seconds or success_interval(self.schedule, None)
                await self.storage.feeds.record_success(
                    feed.id,
                    now=now,
                    next_check_at=next_check(self.schedule, now, interval),
                    interval_seconds=interval,
                    etag=result.etag,
                    last_modified=result.last_modified,
                    url=result.permanent_url,
                )
                return report
            parsed = await self._parse(result.body, result.url, dict(result.headers))
            await self._store(feed, parsed, subscriptions, report)
            now = self.clock()
            interval = success_interval(self.schedule, parsed.ttl_seconds)
            await self.storage.feeds.record_success(
                feed.id,
                now=now,
                next_check_at=next_check(self.schedule, now, interval),
                interval_seconds=interval,
                etag=result.etag,
                last_modified=result.last_modified,
                title=parsed.title or None,
                site_url=parsed.site_url,
                new_entries=report.new_entries,
                url=result.permanent_url,
            )
        except FeedError as exc:
            report.error, report.error_kind = str(exc), exc.kind
            await self._record_failure(feed, exc)
        except Exception as exc:  # one feed's surprise must not stop the batch
            logger.exception("unexpected failure polling feed %d (%s)", feed.id, feed.url)
            report.error, report.error_kind = f"internal error: {exc!r}", "internal"
            await self._record_failure(feed, FeedError(report.error, kind="internal"))
        return report

    async def _record_failure(self, feed: Feed, exc: FeedError) -> None:
        now = self.clock()
        failures = feed.consecutive_failures + 1
        interval = failure_interval(self.schedule, failures, exc.retry_after)
        logger.warning("feed %d (%s) failed [%s]: %s", feed.id, feed.url, exc.kind, exc)
        await self.storage.feeds.record_failure(
            feed.id,
            now=now,
            next_check_at=next_check(self.schedule, now, interval),
            kind=exc.kind,
            message=str(exc),
        )

    async def _store(
        self,
        feed: Feed,
        parsed: ParsedFeed,
        subscriptions: Sequence[tuple[ChatModel, Subscription]],
        report: FeedReport,
    ) -> None:
        now = self.clock()
        changes = await self.storage.entries.add(feed.id, parsed.entries, now)
        report.new_entries = len(changes.new)
        if feed.primed:
            candidates = changes.new + changes.updated
        else:
            limit = feed.backlog_alerts if feed.backlog_alerts is not None else self.backlog_alerts
            candidates = backlog_to_alert(changes.new, limit)
        for stored in candidates:
            await self._detect_and_enqueue(stored, feed, subscriptions, report)

    # The detector reads each entry's language from its text, never from the feed's
    # declaration: feeds often declare a CMS default (a Russian site saying "en") or
    # mix languages, and Russian text matched with English rules would miss events.
    async def _detect_and_enqueue(
        self,
        stored: StoredEntry,
        feed: Feed,
        subscriptions: Sequence[tuple[ChatModel, Subscription]],
        report: FeedReport,
    ) -> None:
        entry = stored.entry
        detection = self.detector.classify(entry.title, entry.summary)
        event = detected_event(detection)
        if event is None:
            return
        now = self.clock()
        event_id = await self.storage.entries.add_event(stored.id, event, now)
        if event_id is None:
            return
        report.events += 1
        text = f"{entry.title}\n{entry.summary}"
        chat_ids = matching_chats(event, text, subscriptions, keyword_filter)
        report.alerts += await self.storage.outbox.enqueue(event_id, chat_ids, now)

    async def preview_feed(self, url: str) -> FeedPreview:
        """Fetch, parse and classify a feed without storing anything."""
        result = await self.fetcher.fetch(url)
        parsed = await self._parse(result.body, result.url, dict(result.headers))
        return FeedPreview(
            url=result.permanent_url or url,
            title=parsed.title,
            entry_count=len(parsed.entries),
            alerting=self._alerting(parsed.entries, parsed.lang),
        )

    def _alerting(
        self, entries: Sequence[NormalizedEntry], lang: str | None
    ) -> list[tuple[str, tuple[str, ...]]]:
        found = []
        for entry in entries:
            detection = self.detector.classify(entry.title, entry.summary)
            if detection.categories:
                found.append((entry.title, tuple(detection.categories)))
        return found

    async def add_feed(self, url: str, added_by: str) -> tuple[Feed, FeedPreview]:
        """Check that a URL really is a readable feed, then start polling it."""
        preview = await self.preview_feed(url)
        now: datetime = self.clock()
        feed = await self.storage.feeds.add(
            preview.url, now=now, title=preview.title, added_by=added_by
        )
        return feed, preview
