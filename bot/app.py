"""The composition root: builds every part of Tocsin from Settings and wires them together.

Nothing else in the project reads configuration or constructs long-lived objects;
each part receives what it needs from here.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import TextIO

from bot.delivery import Delivery
from bot.delivery.contract import PlatformRuntime, Sender, TokenRefusal, refusal_notice
from bot.demo import DemoFeedServer, register_demo_feeds
from bot.detect import Detector
from bot.domain.chat import Subscription
from bot.domain.vocabulary import CATEGORIES, Severity
from bot.notices import AdminNotifier, ConsoleNoticeSink, notice_config
from bot.observability.recorder import NO_RECORDER
from bot.observability.service import Observability
from bot.pipeline import CycleReport, Pipeline
from bot.pipeline.stories import StoryDesk
from bot.retention import RetentionJob, RetentionPolicy
from bot.scheduler import PollScheduler
from bot.settings import Settings
from bot.storage import SenderLease, Storage
from bot.timeutil import Clock, running_clock, utcnow
from feeds.fetch import FetchConfig, Fetcher
from feeds.netguard import Endpoint, NetworkPolicy
from feeds.parse_pool import ParsePool
from feeds.schedule import ScheduleConfig
from handlers.console.sender import CONSOLE_CHAT_ID, ConsoleSender

logger = logging.getLogger(__name__)

# Demo feeds change every few seconds; polling them every ten minutes would hide that.
DEMO_SCHEDULE = {"poll_interval_seconds": 15, "poll_min_interval_seconds": 5}


def schedule_config(settings: Settings) -> ScheduleConfig:
    values = {
        "poll_interval_seconds": settings.poll_interval_seconds,
        "poll_min_interval_seconds": settings.poll_min_interval_seconds,
    }
    if settings.demo_enabled:
        for name, demo_value in DEMO_SCHEDULE.items():
            if name not in settings.model_fields_set:
                values[name] = demo_value
    return ScheduleConfig(
        default_seconds=values["poll_interval_seconds"],
        min_seconds=min(values["poll_min_interval_seconds"], values["poll_interval_seconds"]),
        max_seconds=settings.poll_max_interval_seconds,
    )


def fetch_config(settings: Settings, *, demo_endpoint: Endpoint | None = None) -> FetchConfig:
    """`demo_endpoint` is the embedded demo's own feed server: it is allowed by address
    and port, so the demo opens no other door on that host. The demo fetches from
    itself, never through FETCH_PROXY: a proxy elsewhere cannot reach this loopback."""
    allow_all, networks = settings.private_networks
    endpoints = frozenset([demo_endpoint]) if demo_endpoint is not None else frozenset()
    return FetchConfig(
        timeout_seconds=settings.fetch_timeout_seconds,
        connect_timeout_seconds=settings.fetch_connect_timeout_seconds,
        read_timeout_seconds=min(
            settings.fetch_read_timeout_seconds, settings.fetch_timeout_seconds
        ),
        max_bytes=settings.fetch_max_bytes,
        concurrency=settings.fetch_concurrency,
        per_host=settings.fetch_per_host,
        policy=NetworkPolicy(allow_all, networks, endpoints),
        proxy=settings.proxy if demo_endpoint is None else None,
    )


async def open_storage(settings: Settings) -> Storage:
    """The database this run works on, migrated, and claimed for the demo or for real."""
    return await Storage.open(
        settings.database_in_use, role="demo" if settings.demo_enabled else "live"
    )


def process_clock(settings: Settings) -> Clock:
    """The system clock, or one started at CLOCK_START (what tests give their processes)."""
    if settings.clock_start is None:
        return utcnow
    logger.debug("the clock starts at %s (CLOCK_START)", settings.clock_start)
    return running_clock(settings.clock_start)


def parse_pool(settings: Settings) -> ParsePool:
    """Worker processes start lazily, on the first feed parsed, so start-up stays fast."""
    return ParsePool(
        settings.parse_pool,
        workers=settings.parse_workers or None,
        timeout_seconds=settings.parse_timeout_seconds,
    )


# The demo shows its stories within seconds: its feeds publish every few seconds,
# and a newcomer should not wait a minute for the first message.
DEMO_HOLD_BACK_SECONDS = 5.0


async def ensure_console_chat(
    storage: Storage, language: str, clock: Clock, *, weak: bool = False, grouped: bool = True
) -> None:
    """The terminal is a chat subscribed to everything, created on first run: `weak`
    (CONSOLE_WEAK_EVENTS) adds weak signals as low-severity notes, `grouped`
    (CONSOLE_STORIES) shows stories rather than every report."""
    chat = await storage.chats.upsert(
        "console",
        CONSOLE_CHAT_ID,
        now=clock(),
        kind="console",
        title="terminal",
        language=language,
    )
    if chat.language != language:
        await storage.chats.set_language(chat.id, language)
    severity: Severity = "low" if weak else "medium"
    current = await storage.chats.subscription(chat.id)
    wanted = Subscription(chat.id, CATEGORIES, min_severity=severity, grouped=grouped)
    if current is not None:
        wanted = replace(current, min_severity=severity, grouped=grouped)
    if current != wanted:
        await storage.chats.subscribe(chat.id, wanted, now=clock(), by="console")


@dataclass
class PlatformsRefusedError(Exception):
    """Every configured platform refused its token: nothing can be delivered."""

    def __init__(self, refusals: list[TokenRefusal]) -> None:
        super().__init__("; ".join(refusal.line() for refusal in refusals))
        self.refusals = refusals


# A stop (SIGTERM, Ctrl+C) ends within STOP_SECONDS: polling and delivery stop at
# once, each within its own bound (bot.scheduler, bot.delivery.loop), then each
# platform disconnects within RUNTIME_STOP_SECONDS, all platforms at once.
STOP_SECONDS = 10.0
RUNTIME_STOP_SECONDS = 2.0

# How long telling the working platforms' admins about a refused token may take.
REFUSAL_NOTICE_SECONDS = 20.0


@dataclass
class Tocsin:
    settings: Settings
    storage: Storage
    detector: Detector
    fetcher: Fetcher
    pipeline: Pipeline
    delivery: Delivery
    clock: Clock
    demo: DemoFeedServer | None = None
    runtimes: list[PlatformRuntime] = field(default_factory=list)
    # Runtimes made ready to send by `start_sending`; `build_app` stops them on exit.
    sending: list[PlatformRuntime] = field(default_factory=list)
    # Set when another process delivers from this database ("pid 1234"): this one
    # may poll and queue, and must not send.
    delivered_by: str | None = None
    # The health endpoint, when HEALTH_LISTEN is set; served by `run_forever`.
    observability: Observability | None = None

    def refusals(self) -> list[TokenRefusal]:
        return [runtime.refused for runtime in self.runtimes if runtime.refused is not None]

    @property
    def all_platforms_refused(self) -> bool:
        return bool(self.runtimes) and len(self.refusals()) == len(self.runtimes)

    async def run_once(self) -> tuple[CycleReport, int]:
        """One poll of every due feed, then deliver everything that is due, on every platform.

        Raises `PlatformsRefusedError` when every platform refused its token.
        """
        await self.start_sending()
        await self._face_refusals()
        if self.pipeline.stories is not None:
            # A single pass has no later for reports to gather in: stories go out now.
            self.pipeline.stories.hold_back = timedelta(0)
        report = await self.pipeline.run_cycle()
        delivered = await self.delivery.drain()
        return report, delivered

    async def start_sending(self) -> None:
        """Make every platform ready to send (no polling, no gateway), once, for one-shot work."""
        for runtime in self.runtimes:
            if runtime in self.sending:
                continue
            try:
                await runtime.start_sending()
                self.sending.append(runtime)
            except Exception:  # one platform failing must not stop the others
                logger.exception("could not prepare %s to send", type(runtime).__name__)

    async def stop_sending(self) -> None:
        while self.sending:
            runtime = self.sending.pop()
            try:
                await runtime.stop()
            except Exception:
                logger.exception("error while stopping %s", type(runtime).__name__)

    async def run_forever(self, stop: asyncio.Event) -> None:
        """Poll and deliver at once; each platform starts alongside, on its own.

        A platform whose API hangs (a login, a command menu) must delay neither the
        feeds nor the other platform: its alerts simply wait in the outbox meanwhile.
        """
        observability = self.observability
        if observability is not None:
            await observability.start(self.storage, self.runtimes, stopping=stop.is_set)
        scheduler = PollScheduler(
            self.pipeline.run_cycle,
            self.settings.tick_seconds,
            on_tick=observability.heartbeat.beat if observability is not None else None,
        )
        scheduler.start()
        delivery_task = asyncio.create_task(self.delivery.run(stop), name="delivery")
        retention = RetentionJob(
            self.storage, RetentionPolicy.from_settings(self.settings), self.clock
        )
        retention_task = asyncio.create_task(retention.run(stop), name="retention")
        starting = [
            asyncio.create_task(
                self._start_runtime(runtime), name=f"start-{type(runtime).__name__}"
            )
            for runtime in self.runtimes
        ]
        watcher = asyncio.create_task(self._after_starting(starting, stop), name="refusals")
        try:
            await stop.wait()
        finally:
            # A prune under way is given up (its current slice rolls back).
            await self._stop_running(
                scheduler, delivery_task, [watcher, retention_task, *starting], stop
            )

    async def _stop_running(
        self,
        scheduler: PollScheduler,
        delivery_task: asyncio.Task[None],
        helpers: list[asyncio.Task[None]],
        stop: asyncio.Event,
    ) -> None:
        """Stop within STOP_SECONDS, losing nothing: polling ends (a cycle cancelled
        mid-way re-polls its feeds next time), and at the same time delivery stops
        starting requests and waits for the answers to those already sent; then the
        platforms disconnect. A row whose request is still unanswered when the
        grace ends stays 'sending', and is sent again at the next start."""
        # A platform still starting is given up on.
        for task in helpers:
            task.cancel()
        await asyncio.gather(*helpers, return_exceptions=True)
        stop.set()
        await asyncio.gather(scheduler.stop(), delivery_task, return_exceptions=True)
        # Only now: the requests waited for above needed the platforms' sessions.
        await asyncio.gather(*(self._stop_runtime(r) for r in reversed(self.runtimes)))
        if self.observability is not None:
            await self.observability.stop()

    async def _stop_runtime(self, runtime: PlatformRuntime) -> None:
        try:
            await asyncio.wait_for(runtime.stop(), RUNTIME_STOP_SECONDS)
        except Exception:
            logger.exception("error while stopping %s", type(runtime).__name__)

    async def _after_starting(
        self, starting: list[asyncio.Task[None]], stop: asyncio.Event
    ) -> None:
        """Once every platform has started (or failed to), face any refused token:
        with no platform left, stop (`all_platforms_refused` tells the caller why)."""
        await asyncio.gather(*starting, return_exceptions=True)
        try:
            await self._face_refusals()
        except PlatformsRefusedError:
            stop.set()

    async def _face_refusals(self) -> None:
        """Every platform refused: raise. Some did: tell the others' admins."""
        refusals = self.refusals()
        if not refusals:
            return
        if self.all_platforms_refused:
            raise PlatformsRefusedError(refusals)
        working = [runtime for runtime in self.runtimes if runtime.refused is None]
        names = [runtime.sender.platform.capitalize() for runtime in working]
        for refusal in refusals:
            for runtime in working:
                sink = runtime.notice_sink
                if sink is None:
                    continue
                worded = refusal_notice(refusal, names, sink.language)
                try:
                    await asyncio.wait_for(sink.notify_admins(worded), REFUSAL_NOTICE_SECONDS)
                except Exception as exc:  # the log line stands; the admins may read /status
                    logger.warning("could not tell the %s admins: %r", sink.name, exc)

    async def _start_runtime(self, runtime: PlatformRuntime) -> None:
        try:
            await runtime.start()
        except Exception:  # one platform failing to start must not stop the others
            logger.exception("could not start %s", type(runtime).__name__)


@contextlib.asynccontextmanager
async def build_app(
    settings: Settings,
    *,
    clock: Clock = utcnow,
    console_stream: TextIO | None = None,
    with_platforms: bool = True,
    embedded: bool = True,
    deliver: bool = True,
) -> AsyncIterator[Tocsin]:
    """Build a Tocsin; `embedded=False` skips the demo server and the terminal chat
    (for commands that manage feeds rather than run the bot).

    `deliver` asks for the database's sender lease: one process at a time delivers
    from an outbox. When another process holds it, the app is built to poll and
    queue only (`Tocsin.delivered_by` says who sends), with no platform, no terminal
    chat, no demo server and no admin notices of its own.
    """
    storage = await open_storage(settings)
    demo: DemoFeedServer | None = None
    parser = parse_pool(settings)
    lease: SenderLease | None = None
    delivered_by: str | None = None
    try:
        detector = Detector.load()
        if deliver:
            taken = await storage.take_sender_lease()
            if isinstance(taken, str):
                delivered_by = taken
                embedded = with_platforms = False
            else:
                lease = taken
                # Rows left 'sending' by a process that died: this one resends them.
                recovered = await storage.outbox.recover_inflight()
                if recovered:
                    logger.warning("re-queued %d alerts whose delivery was interrupted", recovered)
        if embedded and settings.demo_enabled:
            demo = DemoFeedServer(clock=clock)
            await demo.start()
            await register_demo_feeds(storage, demo, clock())
        senders: dict[str, Sender] = {}
        console = embedded and settings.console_enabled
        if console:
            await ensure_console_chat(
                storage,
                settings.console_language,
                clock,
                weak=settings.console_weak_events,
                grouped=settings.console_stories,
            )
            senders["console"] = ConsoleSender(console_stream)
        config = fetch_config(settings, demo_endpoint=demo.endpoint if demo else None)
        address = settings.health_address
        observability = (
            Observability(address, platforms=list(senders), tick_seconds=settings.tick_seconds)
            if address is not None
            else None
        )
        recorder = observability.metrics if observability is not None else NO_RECORDER
        async with Fetcher(config) as fetcher:
            delivery = Delivery(storage, senders, clock=clock, recorder=recorder)
            notifier = (
                AdminNotifier(storage, config=notice_config(settings), clock=clock)
                if delivered_by is None
                else None
            )
            pipeline = Pipeline(
                storage,
                fetcher,
                detector,
                schedule=schedule_config(settings),
                backlog_alerts=settings.backlog_alerts,
                clock=clock,
                parser=parser,
                notifier=notifier,
                on_enqueued=delivery.wake,
                stories=(
                    StoryDesk(
                        storage,
                        detector,
                        hold_back=timedelta(
                            seconds=min(settings.story_hold_back_seconds, DEMO_HOLD_BACK_SECONDS)
                            if demo is not None
                            else settings.story_hold_back_seconds
                        ),
                    )
                    if settings.stories
                    else None
                ),
                recorder=recorder,
            )
            app = Tocsin(settings, storage, detector, fetcher, pipeline, delivery, clock, demo)
            app.delivered_by = delivered_by
            app.observability = observability
            if with_platforms:
                for runtime in build_platform_runtimes(app):
                    app.runtimes.append(runtime)
                    delivery.add_sender(runtime.sender)
                    if observability is not None:
                        observability.metrics.add_platform(runtime.sender.platform)
                        runtime.observe(observability.metrics)
                    if notifier is not None and runtime.notice_sink is not None:
                        notifier.add_sink(runtime.notice_sink)
            if notifier is not None and not notifier.sinks:
                # No platform admins to tell: the log (and the terminal, when it is a chat).
                notifier.add_sink(
                    ConsoleNoticeSink(
                        console_stream, echo=console, language=settings.console_language
                    )
                )
            try:
                yield app
            finally:
                await app.stop_sending()
    finally:
        # Worker processes must not outlive the app (nor keep `make run` from exiting).
        await asyncio.to_thread(parser.close)
        if demo is not None:
            await demo.stop()
        await storage.close()
        if lease is not None:
            lease.release()


def build_platform_runtimes(app: Tocsin) -> list[PlatformRuntime]:
    """Every platform whose token is set (handlers.registry), over one command service."""
    # Imported here: the embedded default needs neither the commands nor a platform.
    from handlers.commands import CommandService
    from handlers.registry import PLATFORMS

    settings = app.settings
    enabled = [entry for entry in PLATFORMS if entry.enabled(settings)]
    if not enabled:
        return []
    runtimes: list[PlatformRuntime] = []
    service = CommandService(
        app.storage,
        app.pipeline,
        admin_ids={entry.name: entry.admin_ids(settings) for entry in PLATFORMS},
        clock=app.clock,
        refusals=lambda: [r.refused for r in runtimes if r.refused is not None],
    )
    runtimes.extend(entry.runtime()(settings, service) for entry in enabled)
    return runtimes
