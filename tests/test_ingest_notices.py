"""What the bot admins are told about feeds: failing for long, back again, gone silent.

Each notice must arrive once: not on every poll, not again after a restart. Notices go
to every sink the running app holds; the test adds one that remembers what it got.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import pytest
from aiohttp import web

from bot.app import Tocsin
from bot.cli_feeds import feed_state
from bot.domain.feed import Feed
from bot.notices import notice_config
from bot.settings import Settings
from tests.conftest import FakeClock, FeedServer
from tests.ingest_support import Item, RecordingSink, rss_feed, running

HOUR = 3600


@pytest.fixture
def settings(make_settings: Callable[..., Settings]) -> Settings:
    return make_settings(
        parse_pool="thread",
        poll_interval_seconds=600,
        poll_min_interval_seconds=60,
        # Short enough that a failing or silent feed is still polled every half hour.
        poll_max_interval_seconds=1800,
        feed_failure_notify_after_seconds=HOUR,
        feed_silence_notify_min_seconds=6 * HOUR,
    )


def listening(app: Tocsin) -> RecordingSink:
    sink = RecordingSink()
    assert app.pipeline.notifier is not None, "the app must tell its admins about feeds"
    app.pipeline.notifier.add_sink(sink)
    return sink


async def feed_of(app: Tocsin, feed_id: int) -> Feed:
    stored = await app.storage.feeds.get(feed_id)
    assert stored is not None
    return stored


async def poll_until(app: Tocsin, clock: FakeClock, feed_id: int, hours: float) -> None:
    """Let the schedule run for `hours`: jump from one due time to the next."""
    end = clock() + timedelta(hours=hours)
    while True:
        due = (await feed_of(app, feed_id)).next_check_at
        if due > end:
            break
        clock.now = max(due, clock())
        await app.run_once()
    clock.now = end


class Switch:
    """A feed server route that fails (HTTP 502) while `broken` is set."""

    def __init__(self, body: str) -> None:
        self.broken = True
        self.body = body

    async def __call__(self, request: web.Request) -> web.Response:
        if self.broken:
            return web.Response(status=502, text="Bad Gateway")
        return web.Response(text=self.body, content_type="application/rss+xml")


async def test_a_long_failure_is_told_once_even_across_a_restart_and_so_is_recovery(
    feed_server: FeedServer, settings: Settings, clock: FakeClock
) -> None:
    route = Switch(rss_feed([Item("1", "Entry")]))
    feed_server.handlers["/rss"] = route
    url = feed_server.url("/rss")
    async with running(settings, clock) as app:
        sink = listening(app)
        feed = await app.storage.feeds.add(url, now=clock())
        await poll_until(app, clock, feed.id, hours=0.9)
        assert sink.texts == []  # failing, but not for long enough yet
        await poll_until(app, clock, feed.id, hours=3)
        assert len(sink.texts) == 1
        assert url in sink.texts[0] and "failing for 1h" in sink.texts[0]
        assert "HTTP 502" in sink.texts[0]
    # A restart: a new process on the same database has nothing new to say.
    async with running(settings, clock) as app:
        sink = listening(app)
        await poll_until(app, clock, feed.id, hours=2)
        assert sink.texts == []
        route.broken = False
        await poll_until(app, clock, feed.id, hours=2)
        assert len(sink.texts) == 1
        assert "works again" in sink.texts[0] and url in sink.texts[0]
    assert feed_server.hits("/rss") > 10  # it was polled all along, never disabled


async def test_a_short_failure_is_not_worth_a_notice(
    feed_server: FeedServer, settings: Settings, clock: FakeClock
) -> None:
    route = Switch(rss_feed([Item("1", "Entry")]))
    feed_server.handlers["/rss"] = route
    async with running(settings, clock) as app:
        sink = listening(app)
        feed = await app.storage.feeds.add(feed_server.url("/rss"), now=clock())
        await poll_until(app, clock, feed.id, hours=0.5)
        route.broken = False
        await poll_until(app, clock, feed.id, hours=3)
        assert (await feed_of(app, feed.id)).consecutive_failures == 0
    assert sink.texts == []


async def test_a_new_failing_spell_is_told_again(
    feed_server: FeedServer, settings: Settings, clock: FakeClock
) -> None:
    route = Switch(rss_feed([Item("1", "Entry")]))
    feed_server.handlers["/rss"] = route
    async with running(settings, clock) as app:
        sink = listening(app)
        feed = await app.storage.feeds.add(feed_server.url("/rss"), now=clock())
        for broken in (True, False, True, False):
            route.broken = broken
            await poll_until(app, clock, feed.id, hours=2)
    told = ["works again" if "works again" in t else "failing" for t in sink.texts]
    assert told == ["failing", "works again", "failing", "works again"]


def hourly(count: int, newest_at: FakeClock, prefix: str = "e") -> list[Item]:
    now = newest_at()
    return [
        Item(f"{prefix}{n}", f"Story {prefix}{n}", published=now - timedelta(hours=n))
        for n in range(count)
    ]


async def test_a_busy_feed_gone_silent_is_told_once_and_so_is_its_return(
    feed_server: FeedServer, settings: Settings, clock: FakeClock
) -> None:
    """Hourly for two days, then nothing: after ten usual gaps (10 h, above the 6 h
    minimum) the admins hear that the site may be blocked; once, until it publishes."""
    items = hourly(48, clock)
    url = feed_server.serve("/rss", rss_feed(items))
    config = notice_config(settings)
    async with running(settings, clock) as app:
        sink = listening(app)
        feed = await app.storage.feeds.add(url, now=clock())
        await poll_until(app, clock, feed.id, hours=9.5)
        assert sink.texts == []
        assert feed_state(await feed_of(app, feed.id), clock(), config) == "ok"
        await poll_until(app, clock, feed.id, hours=4)
        assert len(sink.texts) == 1
        assert "published nothing for 10h" in sink.texts[0]
        assert "usually publishes every 1h" in sink.texts[0] and "blocked" in sink.texts[0]
        state = feed_state(await feed_of(app, feed.id), clock(), config)
        assert state.startswith("silent since 1") and state.endswith("h ago")
    async with running(settings, clock) as app:
        sink = listening(app)
        await poll_until(app, clock, feed.id, hours=6)
        assert sink.texts == []
        feed_server.serve("/rss", rss_feed([Item("back", "Back online", published=clock())]))
        await poll_until(app, clock, feed.id, hours=2)
        assert len(sink.texts) == 1 and "publishing again" in sink.texts[0]
        assert feed_state(await feed_of(app, feed.id), clock(), config) == "ok"


async def test_a_quiet_feed_is_never_called_silent(
    feed_server: FeedServer, settings: Settings, clock: FakeClock
) -> None:
    """A feed that publishes every few days says nothing by being quiet for a day."""
    items = [
        Item(f"q{n}", f"Report {n}", published=clock() - timedelta(days=3 * n)) for n in range(8)
    ]
    url = feed_server.serve("/rss", rss_feed(items))
    async with running(settings, clock) as app:
        sink = listening(app)
        feed = await app.storage.feeds.add(url, now=clock())
        await poll_until(app, clock, feed.id, hours=36)
    assert sink.texts == []


async def test_a_failing_feed_is_reported_failing_not_silent(
    feed_server: FeedServer, settings: Settings, clock: FakeClock
) -> None:
    route = Switch(rss_feed(hourly(48, clock)))
    route.broken = False
    feed_server.handlers["/rss"] = route
    async with running(settings, clock) as app:
        sink = listening(app)
        feed = await app.storage.feeds.add(feed_server.url("/rss"), now=clock())
        await app.run_once()
        route.broken = True
        await poll_until(app, clock, feed.id, hours=14)
    assert len(sink.texts) == 1 and "failing" in sink.texts[0]


async def test_a_feed_added_long_after_its_last_entry_is_not_news_until_watched(
    feed_server: FeedServer, settings: Settings, clock: FakeClock
) -> None:
    """A busy feed whose newest entry is already two days old when it is added: `feeds
    list` says so at once, but the admins hear of it only once it has stayed silent
    for the threshold while Tocsin watched, not at the moment it was added."""
    items = [
        Item(f"o{n}", f"Old {n}", published=clock() - timedelta(days=2, hours=n)) for n in range(48)
    ]
    url = feed_server.serve("/rss", rss_feed(items))
    config = notice_config(settings)
    async with running(settings, clock) as app:
        sink = listening(app)
        feed = await app.storage.feeds.add(url, now=clock())
        await app.run_once()
        assert feed_state(await feed_of(app, feed.id), clock(), config).startswith("silent since")
        await poll_until(app, clock, feed.id, hours=9.5)
        assert sink.texts == []
        await poll_until(app, clock, feed.id, hours=1)
        assert len(sink.texts) == 1 and "blocked" in sink.texts[0]


async def test_a_platform_down_when_a_notice_is_due_gets_it_later_and_no_one_twice(
    feed_server: FeedServer, settings: Settings, clock: FakeClock
) -> None:
    """Telegram's admins hear of the failing feed at once; Discord is down at that
    moment and its admins hear of it on a later cycle, when it is back."""
    route = Switch(rss_feed([Item("1", "Entry")]))
    feed_server.handlers["/rss"] = route
    async with running(settings, clock) as app:
        telegram, discord = RecordingSink(name="telegram"), RecordingSink(name="discord")
        discord.failing = True
        assert app.pipeline.notifier is not None
        app.pipeline.notifier.add_sink(telegram)
        app.pipeline.notifier.add_sink(discord)
        feed = await app.storage.feeds.add(feed_server.url("/rss"), now=clock())
        await poll_until(app, clock, feed.id, hours=1.5)
        assert len(telegram.texts) == 1 and discord.texts == []
        discord.failing = False
        await poll_until(app, clock, feed.id, hours=1)
        assert len(discord.texts) == 1 and "failing for 1h" in discord.texts[0]
        assert len(telegram.texts) == 1


@dataclass
class CountingSink(RecordingSink):
    """A RecordingSink that also counts how often it was asked."""

    asked: int = 0

    async def notify_admins(self, text: str) -> None:
        self.asked += 1
        await super().notify_admins(text)


async def test_a_platform_down_for_an_hour_of_ticks_still_gets_the_notice_once(
    feed_server: FeedServer, settings: Settings, clock: FakeClock
) -> None:
    """`tocsin run` runs a poll cycle (and so the notifier) every 5 s. Discord is down
    for an hour of those cycles: it is asked now and then, not on every tick, and
    never given up on; Telegram's admins had the notice at once, and once only."""
    route = Switch(rss_feed([Item("1", "Entry")]))
    feed_server.handlers["/rss"] = route
    async with running(settings, clock) as app:
        telegram, discord = CountingSink(name="telegram"), CountingSink(name="discord")
        discord.failing = True
        assert app.pipeline.notifier is not None
        app.pipeline.notifier.add_sink(telegram)
        app.pipeline.notifier.add_sink(discord)
        feed = await app.storage.feeds.add(feed_server.url("/rss"), now=clock())
        await poll_until(app, clock, feed.id, hours=1.5)
        assert len(telegram.texts) == 1 and discord.texts == []
        for _ in range(720):  # an hour of 5-second ticks
            clock.advance(seconds=5)
            await app.pipeline.run_cycle()
        assert discord.texts == [] and 5 < discord.asked < 30
        [stored] = await app.storage.notices.for_feed(feed.id)
        assert stored.sent_at is None and "discord" in (stored.last_error or "")

        discord.failing = False
        for _ in range(12 * 20):  # the back-off never exceeds a quarter of an hour
            clock.advance(seconds=5)
            await app.pipeline.run_cycle()
        assert len(discord.texts) == 1 and "has been failing" in discord.texts[0]
        assert len(telegram.texts) == 1 and telegram.asked == 1
        [stored] = await app.storage.notices.for_feed(feed.id)
        assert stored.sent_at is not None


async def test_a_notice_no_sink_took_within_a_day_is_given_up(
    feed_server: FeedServer, settings: Settings, clock: FakeClock
) -> None:
    route = Switch(rss_feed([Item("1", "Entry")]))
    feed_server.handlers["/rss"] = route
    async with running(settings, clock) as app:
        sink = CountingSink(name="discord", failing=True)
        assert app.pipeline.notifier is not None
        app.pipeline.notifier.add_sink(sink)
        feed = await app.storage.feeds.add(feed_server.url("/rss"), now=clock())
        await poll_until(app, clock, feed.id, hours=1.5)
        clock.advance(hours=25)
        sink.failing = False
        await app.pipeline.run_cycle()
        assert sink.texts == []


async def test_a_tick_with_nothing_due_still_tells_the_admins(
    feed_server: FeedServer, make_settings: Callable[..., Settings], clock: FakeClock
) -> None:
    """Most ticks poll nothing; a failing spell that crosses the threshold between two
    polls of a slow feed is told on such a tick, not hours later at its next poll."""
    feed_server.handlers["/rss"] = Switch(rss_feed([Item("1", "Entry")]))
    settings = make_settings(
        parse_pool="thread",
        poll_interval_seconds=2 * HOUR,
        poll_min_interval_seconds=2 * HOUR,
        poll_max_interval_seconds=6 * HOUR,
        feed_failure_notify_after_seconds=HOUR,
    )
    async with running(settings, clock) as app:
        sink = listening(app)
        await app.storage.feeds.add(feed_server.url("/rss"), now=clock())
        await app.run_once()
        clock.advance(hours=1.5)
        report = await app.pipeline.run_cycle()
    assert report.feeds == [] and report.notices_sent == 1
    assert len(sink.texts) == 1 and "failing for 1h" in sink.texts[0]
    assert feed_server.hits("/rss") == 1
