"""Tocsin's Prometheus instruments, in a registry of their own.

Counters and histograms move as things happen (this class is the `Recorder` the
working parts call); gauges that describe stored state (feeds by state, the outbox
by status and platform, deactivated chats) are read from storage when /metrics is
asked, so they are true whichever process changed the database.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from bot.observability.health import Heartbeat
from bot.observability.recorder import FeedPoll
from bot.storage import Storage

OUTBOX_STATUSES = ("pending", "sending", "failed")
FEED_STATES = ("ok", "failing", "new", "disabled")

_FETCH_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
_DETECT_BUCKETS = (0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05, 0.25)
_SEND_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
_WAIT_BUCKETS = (0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)


class Metrics:
    """The registry and every instrument; built once by the composition root."""

    def __init__(
        self, platforms: Iterable[str] = (), *, heartbeat: Heartbeat | None = None
    ) -> None:
        # Beaten by every feed polled, so a long cycle is seen alive between ticks.
        self._heartbeat = heartbeat
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.feeds = Gauge("tocsin_feeds", "Feeds by state", ["state"], registry=r)
        self.polls = Counter("tocsin_feed_polls", "Feed polls by result", ["result"], registry=r)
        self.fetch_seconds = Histogram(
            "tocsin_fetch_duration_seconds",
            "Time to fetch one feed (waiting for its host's turn included)",
            buckets=_FETCH_BUCKETS,
            registry=r,
        )
        self.fetch_errors = Counter(
            "tocsin_fetch_errors", "Failed polls by kind of failure", ["kind"], registry=r
        )
        self.entries = Counter("tocsin_entries", "New entries stored", registry=r)
        self.events = Counter("tocsin_events", "Events detected in new entries", registry=r)
        self.alerts_queued = Counter(
            "tocsin_alerts_queued", "Alerts queued for chats (one per event and chat)", registry=r
        )
        self.detect_seconds = Histogram(
            "tocsin_detection_seconds",
            "Time the detector took for one entry",
            buckets=_DETECT_BUCKETS,
            registry=r,
        )
        self.outbox = Gauge(
            "tocsin_outbox",
            "Outbox rows not delivered, by status and platform",
            ["status", "platform"],
            registry=r,
        )
        self.sends = Counter(
            "tocsin_sends",
            "Alert requests by platform and outcome",
            ["platform", "outcome"],
            registry=r,
        )
        self.send_seconds = Histogram(
            "tocsin_send_duration_seconds",
            "Time from an alert's request leaving to its answer",
            ["platform"],
            buckets=_SEND_BUCKETS,
            registry=r,
        )
        self.rate_limit_wait = Histogram(
            "tocsin_rate_limit_wait_seconds",
            "Time a request waited for its turn under the platform's rate limits",
            ["platform"],
            buckets=_WAIT_BUCKETS,
            registry=r,
        )
        self.too_many = Counter(
            "tocsin_too_many_requests",
            "429 Too Many Requests answers from the platform",
            ["platform"],
            registry=r,
        )
        self.deactivated = Gauge(
            "tocsin_chats_deactivated",
            "Chats deactivated (gone, blocked, no rights)",
            ["platform"],
            registry=r,
        )
        self.connected = Gauge(
            "tocsin_platform_connected",
            "1 when the platform is connected",
            ["platform"],
            registry=r,
        )
        self.heartbeat_age = Gauge(
            "tocsin_scheduler_heartbeat_age_seconds",
            "Seconds since the scheduler last showed it works",
            registry=r,
        )
        # Series that exist from the start, so a rate over them is defined before
        # the first event of their kind.
        for state in FEED_STATES:
            self.feeds.labels(state)
        for result in ("ok", "not_modified", "error"):
            self.polls.labels(result)
        self.platforms: list[str] = []
        for platform in platforms:
            self.add_platform(platform)

    def add_platform(self, platform: str) -> None:
        """A platform this process delivers to: its series exist from the start."""
        if platform in self.platforms:
            return
        self.platforms.append(platform)
        self.too_many.labels(platform)
        self.deactivated.labels(platform)
        self.connected.labels(platform)
        for status in OUTBOX_STATUSES:
            self.outbox.labels(status, platform)

    # ---- the Recorder ---------------------------------------------------------------

    def feed_polled(self, poll: FeedPoll) -> None:
        if self._heartbeat is not None:
            self._heartbeat.beat()
        self.fetch_seconds.observe(poll.fetch_seconds)
        if poll.error_kind is not None:
            self.polls.labels("error").inc()
            self.fetch_errors.labels(poll.error_kind).inc()
            return
        self.polls.labels("not_modified" if poll.not_modified else "ok").inc()
        if poll.new_entries:
            self.entries.inc(poll.new_entries)
        if poll.events:
            self.events.inc(poll.events)
        if poll.alerts:
            self.alerts_queued.inc(poll.alerts)

    def detected(self, seconds: float) -> None:
        self.detect_seconds.observe(seconds)

    def sent(self, platform: str, outcome: str, seconds: float) -> None:
        self.sends.labels(platform, outcome).inc()
        self.send_seconds.labels(platform).observe(seconds)

    def rate_limit_waited(self, platform: str, seconds: float) -> None:
        self.rate_limit_wait.labels(platform).observe(seconds)

    def too_many_requests(self, platform: str) -> None:
        self.too_many.labels(platform).inc()

    # ---- state read at scrape time --------------------------------------------------

    async def refresh(
        self,
        storage: Storage,
        *,
        connected: Mapping[str, bool],
        heartbeat_age: float,
    ) -> None:
        """Read the stored state into the gauges (all reads first, then all writes,
        so two scrapes at once never see a half-updated set)."""
        health = await storage.feeds.health(listed=0)
        outbox = await storage.outbox.open_counts_by_platform()
        inactive = await storage.chats.inactive_counts()
        by_state = {
            "ok": health.ok,
            "failing": health.failing,
            "new": health.new,
            "disabled": health.disabled,
        }
        for state, count in by_state.items():
            self.feeds.labels(state).set(count)
        platforms = {*self.platforms, *(p for _, p in outbox), *inactive}
        for platform in platforms:
            for status in OUTBOX_STATUSES:
                self.outbox.labels(status, platform).set(outbox.get((status, platform), 0))
            self.deactivated.labels(platform).set(inactive.get(platform, 0))
        for platform, up in connected.items():
            self.connected.labels(platform).set(1 if up else 0)
        self.heartbeat_age.set(heartbeat_age)

    def exposition(self) -> bytes:
        return generate_latest(self.registry)
