"""One poll cycle: due feeds -> fetch -> parse -> new entries -> detect -> events -> outbox.

Each stage is a separate call so that each can be deepened on its own; a failure
in one feed is recorded on that feed and never stops the others. After the cycle
the admin notifier looks at what changed (feeds failing for long, recovered, silent).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import replace
from datetime import datetime
from urllib.parse import urlsplit

from bot.detect import Detector, KeywordFilter
from bot.domain.chat import Chat, Subscription
from bot.domain.event import is_event
from bot.domain.feed import Feed
from bot.logs import concerning
from bot.matching import matching_chats
from bot.notices import AdminNotifier
from bot.observability.recorder import NO_RECORDER, FeedPoll, Recorder
from bot.pipeline.plan import EntryPlan, plan_entries, text_hash
from bot.pipeline.reports import CycleReport, FeedPreview, FeedReport
from bot.pipeline.stories import StoryDesk
from bot.storage import Storage
from bot.storage.errors import StoriesChangedError
from bot.storage.intents import (
    DocumentFacts,
    EditedEntry,
    IngestBatch,
    IngestResult,
    NewEntry,
    PollFailure,
    PollSuccess,
    Verdict,
)
from bot.timeutil import Clock, utcnow
from feeds.errors import FeedError
from feeds.fetch import Fetcher, FetchResult
from feeds.http_hints import freshness_seconds
from feeds.models import NormalizedEntry, ParsedFeed
from feeds.parse_pool import ParsePool
from feeds.redact import redact_text, redact_url
from feeds.schedule import (
    PollHints,
    ScheduleConfig,
    failure_interval,
    healthy_interval,
    next_check,
    usual_gap,
)

logger = logging.getLogger(__name__)

Subscriptions = Sequence[tuple[Chat, Subscription]]
# Fetched documents allowed to wait for each parse worker (see Pipeline._documents).
_DOCUMENTS_PER_WORKER = 4


def keyword_filter(
    include: Sequence[str], exclude: Sequence[str], text: str, lang: str | None
) -> bool:
    return KeywordFilter(include, exclude).accepts(text, lang)


def poll_hints(
    headers: Mapping[str, str], now: datetime, ttl: int | None, update_period: int | None
) -> PollHints:
    return PollHints(
        ttl_seconds=ttl,
        update_period_seconds=update_period,
        fresh_seconds=freshness_seconds(headers, now),
    )


def _batch(feed_id: int, plan: EntryPlan, verdicts: Mapping[int, Verdict | None]) -> IngestBatch:
    return IngestBatch(
        feed_id,
        new=tuple(NewEntry(p.item, p.text_hash, verdicts.get(id(p.item))) for p in plan.new),
        edited=tuple(
            EditedEntry(p.entry_id, p.item, p.text_hash, verdicts.get(id(p.item)))
            for p in plan.edited
        ),
    )


class _Slot:
    """One hold on a semaphore that may or may not have been taken yet."""

    def __init__(self, semaphore: asyncio.Semaphore) -> None:
        self._semaphore = semaphore
        self._held = False

    async def acquire(self) -> None:
        await self._semaphore.acquire()
        self._held = True

    def release(self) -> None:
        if self._held:
            self._held = False
            self._semaphore.release()


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
        parser: ParsePool | None = None,
        notifier: AdminNotifier | None = None,
        on_enqueued: Callable[[], None] | None = None,
        stories: StoryDesk | None = None,
        recorder: Recorder = NO_RECORDER,
    ) -> None:
        """`parser` runs feedparser off the event loop (see feeds.parse_pool); an
        `executor` alone is wrapped in one, and with neither, the loop's default
        thread pool is used."""
        self.storage = storage
        self.fetcher = fetcher
        self.detector = detector
        self.schedule = schedule
        self.backlog_alerts = backlog_alerts
        self.clock = clock
        self.parser = parser or ParsePool("thread", executor=executor, borrow_loop_default=True)
        self.notifier = notifier
        self.on_enqueued = on_enqueued
        # One message per story for the chats that want it; None: one per report.
        self.stories = stories
        self.recorder = recorder
        # Feeds between the start of their fetch and the end of their parse. Fetching
        # is faster than parsing, so without this bound a cycle over thousands of due
        # feeds (the first start, a restart after downtime) would hold every fetched
        # body in memory while it waits for a worker. The fetcher's own cap bounds
        # the requests in flight; the few slots above it keep the workers fed, and a
        # 304 frees its slot at once, so polls that bring no document are not slowed.
        # A slot is taken only once the fetch holds its host's slot (see
        # Fetcher.fetch), so feeds queued behind one busy host never hold them all.
        self._documents = asyncio.Semaphore(
            fetcher.config.concurrency + _DOCUMENTS_PER_WORKER * self.parser.workers
        )

    async def run_cycle(self) -> CycleReport:
        """Poll every feed that is due now."""
        self.detector.reload_if_changed()
        due = await self.storage.feeds.due(self.clock())
        if not due:
            # Most ticks: nothing to poll, so no subscriptions to load. The notifier
            # still runs, as after every cycle: silence grows with time alone.
            return CycleReport(notices_sent=await self._notify())
        return await self.poll_feeds(due)

    async def poll_feeds(self, feeds: Sequence[Feed]) -> CycleReport:
        subscriptions = await self.storage.chats.active_subscriptions()
        # poll_feed never raises: one feed's trouble is in its report.
        reports = await asyncio.gather(*(self.poll_feed(f, subscriptions) for f in feeds))
        report = CycleReport(list(reports))
        await self._close_stories()
        if report.alerts and self.on_enqueued is not None:
            self.on_enqueued()
        report.notices_sent = await self._notify()
        return report

    async def refresh(self, feed_ids: Sequence[int] | None = None) -> CycleReport:
        """Poll now, whatever the schedule (all feeds when no ids are given)."""
        feeds = await (
            self.storage.feeds.by_ids(feed_ids) if feed_ids else self.storage.feeds.all()
        )
        return await self.poll_feeds(feeds)

    async def _close_stories(self) -> None:
        if self.stories is None:
            return
        try:
            await self.stories.close_expired(self.clock())
        except StoriesChangedError:
            logger.info("stories were written by another process; they are read again")
        except Exception:  # closing is housekeeping: the next cycle tries again
            logger.exception("could not close expired stories")
            self.stories.forget()

    async def _notify(self) -> int:
        if self.notifier is None:
            return 0
        try:
            return await self.notifier.run()
        except Exception:  # notices must never break polling
            logger.exception("admin notices failed")
            return 0

    async def _parse(self, result: FetchResult) -> ParsedFeed:
        return await self.parser.parse(result.body, result.url, dict(result.headers))

    async def poll_feed(self, feed: Feed, subscriptions: Subscriptions) -> FeedReport:
        """Poll one feed; never raises (but for cancellation): whatever goes wrong,
        the storage included, is in the report and the log."""
        # Every line logged for this feed says so (its host only: a feed's URL may
        # carry credentials).
        with concerning(feed_id=feed.id, feed_host=urlsplit(feed.url).hostname):
            return await self._poll_feed(feed, subscriptions)

    async def _poll_feed(self, feed: Feed, subscriptions: Subscriptions) -> FeedReport:
        report = FeedReport(feed.id, feed.shown_url)
        started = time.perf_counter()
        # How long the fetch took (None until it returned: a failed fetch is timed
        # up to its failure).
        fetched: float | None = None
        try:
            document = _Slot(self._documents)
            try:
                result = await self.fetcher.fetch(
                    feed.url,
                    etag=feed.etag,
                    last_modified=feed.last_modified,
                    admission=document.acquire,
                    proxy=feed.proxy,
                )
                fetched = time.perf_counter() - started
                parsed = None if result.not_modified else await self._parse(result)
            finally:
                # Once parsed (or at once for a 304 or a failure): the body is no
                # longer held in memory waiting for a worker.
                document.release()
            report.moved_to = result.permanent_url
            if result.permanent_url:
                logger.info(
                    "feed %d moved permanently to %s", feed.id, redact_url(result.permanent_url)
                )
            if parsed is None:
                await self._record_not_modified(feed, result, report)
            else:
                plan = await self._store(feed, parsed, subscriptions, report)
                await self._record_document(feed, result, parsed, report, plan)
        except FeedError as exc:
            report.error, report.error_kind = redact_text(str(exc)), exc.kind
            await self._record_failure(feed, exc, report)
        except Exception as exc:  # one feed's surprise must not stop the batch
            logger.exception("unexpected failure polling feed %d (%s)", feed.id, feed.shown_url)
            report.error, report.error_kind = redact_text(f"internal error: {exc!r}"), "internal"
            await self._record_failure(feed, FeedError(report.error, kind="internal"), report)
        self.recorder.feed_polled(
            FeedPoll(
                fetch_seconds=fetched if fetched is not None else time.perf_counter() - started,
                error_kind=report.error_kind if report.error else None,
                not_modified=report.not_modified,
                new_entries=report.new_entries,
                events=report.events,
                alerts=report.alerts,
            )
        )
        return report

    async def _record_not_modified(
        self, feed: Feed, result: FetchResult, report: FeedReport
    ) -> None:
        report.not_modified = True
        now = self.clock()
        hints = poll_hints(result.headers, now, feed.ttl_seconds, feed.update_period_seconds)
        await self._record_success(
            feed, result, report, now, feed.usual_gap_seconds, feed.newest_entry_at, hints
        )

    async def _record_document(
        self,
        feed: Feed,
        result: FetchResult,
        parsed: ParsedFeed,
        report: FeedReport,
        plan: EntryPlan,
    ) -> None:
        now = self.clock()
        gap, newest = feed.usual_gap_seconds, feed.newest_entry_at
        if report.new_entries or not feed.primed or newest is None:
            # The rhythm only changes when entries arrive.
            arrivals = await self.storage.feeds.arrivals(feed.id)
            gap, newest = usual_gap(arrivals.rhythm) or gap, arrivals.newest or newest
        hints = poll_hints(result.headers, now, parsed.ttl_seconds, parsed.update_period_seconds)
        if parsed.warning:
            logger.debug("feed %d parsed with a warning: %s", feed.id, parsed.warning)
        document = DocumentFacts(
            title=parsed.title or None,
            site_url=parsed.site_url,
            lang=parsed.lang,
            new_entries=report.new_entries,
            usual_gap_seconds=gap,
            newest_entry_at=newest,
            ttl_seconds=parsed.ttl_seconds,
            update_period_seconds=parsed.update_period_seconds,
            reidentified=plan.reidentified,
        )
        await self._record_success(feed, result, report, now, gap, newest, hints, document)

    async def _record_success(
        self,
        feed: Feed,
        result: FetchResult,
        report: FeedReport,
        now: datetime,
        gap: int | None,
        newest: datetime | None,
        hints: PollHints,
        document: DocumentFacts | None = None,
    ) -> None:
        """A poll that worked (a document, or 304): when to poll next, and the facts."""
        interval = healthy_interval(
            self.schedule, now=now, gap_seconds=gap, newest_entry_at=newest, hints=hints
        )
        report.interval_seconds = interval
        await self.storage.feeds.record_poll(
            feed.id,
            PollSuccess(
                at=now,
                next_check_at=next_check(self.schedule, now, interval),
                interval_seconds=interval,
                etag=result.etag,
                last_modified=result.last_modified,
                moved_to=result.permanent_url,
                document=document,
            ),
        )

    async def _record_failure(self, feed: Feed, exc: FeedError, report: FeedReport) -> None:
        now = self.clock()
        failures = feed.consecutive_failures + 1
        interval = failure_interval(
            self.schedule, failures, exc.retry_after, base_seconds=feed.interval_seconds
        )
        report.interval_seconds = interval
        # Fetch errors quote the URL they failed on, which may carry the feed's secrets.
        message = redact_text(str(exc))
        logger.warning("feed %d (%s) failed [%s]: %s", feed.id, feed.shown_url, exc.kind, message)
        try:
            await self.storage.feeds.record_poll(
                feed.id,
                PollFailure(
                    at=now,
                    next_check_at=next_check(self.schedule, now, interval),
                    kind=exc.kind,
                    message=message,
                ),
            )
        except Exception:
            # The database itself is in trouble (locked by a long CLI write, disk
            # full): the feed stays due and is polled again next tick. Raising here
            # would lose the whole cycle's report and skip the admin notices.
            logger.exception(
                "could not record the failure of feed %d (%s)", feed.id, feed.shown_url
            )

    async def _store(
        self,
        feed: Feed,
        parsed: ParsedFeed,
        subscriptions: Subscriptions,
        report: FeedReport,
    ) -> EntryPlan:
        """Work out what is new, classify it, and store entries, events and alerts as
        one write (see IngestBatch): a stop at any point loses no alert."""
        entries = self.storage.entries
        items = parsed.entries
        known = await entries.known(feed.id, [item.uid for item in items])
        unknown = [item for item in items if item.uid not in known]
        texts = [h for h in (text_hash(item) for item in unknown) if h is not None]
        seen = await entries.texts_seen(feed.id, texts, [i.content_hash for i in unknown])
        limit = feed.backlog_alerts if feed.backlog_alerts is not None else self.backlog_alerts
        plan = plan_entries(items, known, seen, primed=feed.primed, backlog_alerts=limit)
        if plan.reidentified:
            logger.debug(
                "feed %d listed %d known stories under new ids", feed.id, plan.reidentified
            )
        verdicts = {id(item): self._verdict(item, subscriptions) for item in plan.to_classify}
        if self.stories is None or not any(verdicts.values()):
            result = await entries.record(_batch(feed.id, plan, verdicts), self.clock())
        else:
            # A feed polled for the first time has no stored title yet: its stories
            # name the outlet as its document does, not by its host.
            named = feed if feed.title or not parsed.title else replace(feed, title=parsed.title)
            result = await self._store_with_stories(named, plan, verdicts, subscriptions)
        report.new_entries = result.new_entries
        report.reidentified = plan.reidentified
        report.events += result.events
        report.alerts += result.alerts
        return plan

    async def _store_with_stories(
        self,
        feed: Feed,
        plan: EntryPlan,
        verdicts: dict[int, Verdict | None],
        subscriptions: Subscriptions,
    ) -> IngestResult:
        """Each event joins or starts a story in the step that stores it: the
        assignments and the write happen under the desk's lock, in order.

        When another process wrote stories meanwhile (a `feeds refresh` beside the
        running bot), the write is refused: the stories are read again and the
        events assigned again, once; a second refusal fails this feed's poll, which
        stored nothing and is simply polled again.
        """
        desk = self.stories
        assert desk is not None
        async with desk.lock:
            try:
                return await self._assign_and_store(desk, feed, plan, verdicts, subscriptions)
            except StoriesChangedError:
                logger.info(
                    "feed %d: stories were written by another process; assigning again", feed.id
                )
                return await self._assign_and_store(desk, feed, plan, verdicts, subscriptions)

    async def _assign_and_store(
        self,
        desk: StoryDesk,
        feed: Feed,
        plan: EntryPlan,
        verdicts: dict[int, Verdict | None],
        subscriptions: Subscriptions,
    ) -> IngestResult:
        """One attempt: assign against the stories in memory, store stamped with them."""
        grouped = {chat.id for chat, sub in subscriptions if sub.grouped}
        now = self.clock()
        await desk.ensure_ready(now)
        assigned = dict(verdicts)
        for item in [p.item for p in plan.new] + [p.item for p in plan.edited]:
            verdict = verdicts.get(id(item))
            # A weak signal alone (a threat, a plan, a lifted ban) is not an event to
            # tell as a story: every chat that asked for those gets it as its own note.
            if verdict is None or not verdict.detection.categories:
                continue
            chats = verdict.chat_ids
            assigned[id(item)] = Verdict(
                verdict.detection,
                tuple(c for c in chats if c not in grouped),
                desk.assign(
                    feed, item, verdict.detection, tuple(c for c in chats if c in grouped), now
                ),
            )
        stamp = desk.next_stamp()
        try:
            result = await self.storage.entries.record(
                replace(_batch(feed.id, plan, assigned), stories_stamp=stamp), now
            )
        except BaseException:
            # The grouper moved on but the database did not: rebuild it from there.
            desk.forget()
            raise
        desk.written(stamp)
        return result

    # The detector reads each entry's language from its text, never from the feed's
    # declaration: feeds often declare a CMS default (a Russian site saying "en") or
    # mix languages, and Russian text matched with English rules would miss events.
    def _verdict(self, item: NormalizedEntry, subscriptions: Subscriptions) -> Verdict | None:
        started = time.perf_counter()
        detection = self.detector.classify(item.title, item.summary)
        self.recorder.detected(time.perf_counter() - started)
        if not is_event(detection):
            return None
        text = f"{item.title}\n{item.summary}"
        return Verdict(
            detection, tuple(matching_chats(detection, text, subscriptions, keyword_filter))
        )

    async def preview_feed(self, url: str, proxy: str | None = None) -> FeedPreview:
        """Fetch, parse and classify a feed without storing anything (`proxy`: the
        feed's own proxy setting, see Feed.proxy)."""
        result = await self.fetcher.fetch(url, proxy=proxy)
        parsed = await self._parse(result)
        return FeedPreview(
            url=result.permanent_url or url,
            title=parsed.title,
            entry_count=len(parsed.entries),
            alerting=self._alerting(parsed.entries),
            lang=parsed.lang,
        )

    def _alerting(self, entries: Sequence[NormalizedEntry]) -> list[tuple[str, tuple[str, ...]]]:
        found: list[tuple[str, tuple[str, ...]]] = []
        for entry in entries:
            detection = self.detector.classify(entry.title, entry.summary)
            if detection.categories:
                found.append((entry.title, tuple(detection.categories)))
        return found

    async def add_feed(
        self, url: str, added_by: str, proxy: str | None = None
    ) -> tuple[Feed, FeedPreview]:
        """Check that a URL really is a readable feed, then start polling it."""
        preview = await self.preview_feed(url, proxy)
        now: datetime = self.clock()
        feed = await self.storage.feeds.add(
            preview.url,
            now=now,
            title=preview.title,
            lang=preview.lang,
            added_by=added_by,
            proxy=proxy,
        )
        return feed, preview
