"""When Tocsin polls a feed again, as decided by a poll through the running pipeline.

The clock is fake, so "an hour later" costs nothing; `run_once` polls only the feeds
that are due, which is what makes a schedule observable: a feed not due is not fetched.
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
from aiohttp import web

from bot.app import Tocsin
from bot.domain.feed import Feed
from bot.settings import Settings
from tests.conftest import FakeClock, FeedServer
from tests.ingest_support import Item, poll_now, rss_feed, running

DEFAULT, LOWEST, HIGHEST = 600, 60, 12 * 3600
JITTER = 0.1


@pytest.fixture
def settings(make_settings: Callable[..., Settings]) -> Settings:
    return make_settings(
        parse_pool="thread",
        poll_interval_seconds=DEFAULT,
        poll_min_interval_seconds=LOWEST,
        poll_max_interval_seconds=HIGHEST,
        fetch_timeout_seconds=1.0,
        fetch_read_timeout_seconds=0.5,
    )


async def state(app: Tocsin, feed: Feed) -> Feed:
    stored = await app.storage.feeds.get(feed.id)
    assert stored is not None
    return stored


def wait_of(feed: Feed, now: datetime) -> float:
    return (feed.next_check_at - now).total_seconds()


def assert_waits(feed: Feed, now: datetime, seconds: float) -> None:
    """Next check `seconds` from now, plus at most the jitter, never less."""
    wait = wait_of(feed, now)
    assert seconds - 1 <= wait <= min(seconds * (1 + JITTER), HIGHEST) + 1, (wait, seconds)


def undated(*guids: str) -> str:
    """A document whose entries carry no dates: it tells nothing about its rhythm."""
    return rss_feed([Item(guid, f"Entry {guid}") for guid in guids])


# --- Redirects ------------------------------------------------------------------------


def moved(status: int, to: str) -> Callable[[web.Request], object]:
    async def handler(request: web.Request) -> web.Response:
        return web.Response(status=status, headers={"Location": to})

    return handler


@pytest.mark.parametrize("status", [301, 308])
async def test_a_permanent_redirect_moves_the_feed(
    feed_server: FeedServer, settings: Settings, clock: FakeClock, status: int
) -> None:
    new = feed_server.serve("/new", undated("1"))
    feed_server.handlers["/old"] = moved(status, "/new")
    async with running(settings, clock) as app:
        feed = await app.storage.feeds.add(feed_server.url("/old"), now=clock())
        report, _ = await app.run_once()
        assert report.feeds[0].moved_to == new
        assert (await state(app, feed)).url == new
        clock.advance(hours=1)
        await app.run_once()
    assert (feed_server.hits("/old"), feed_server.hits("/new")) == (1, 2)


async def test_a_temporary_redirect_keeps_the_feed_where_it_was(
    feed_server: FeedServer, settings: Settings, clock: FakeClock
) -> None:
    feed_server.serve("/elsewhere", undated("1"))
    feed_server.handlers["/old"] = moved(302, "/elsewhere")
    async with running(settings, clock) as app:
        feed = await app.storage.feeds.add(feed_server.url("/old"), now=clock())
        await app.run_once()
        clock.advance(hours=1)
        await app.run_once()
        assert (await state(app, feed)).url == feed_server.url("/old")
    assert (feed_server.hits("/old"), feed_server.hits("/elsewhere")) == (2, 2)


async def test_a_feed_moving_onto_another_feeds_url_keeps_its_own(
    feed_server: FeedServer, settings: Settings, clock: FakeClock
) -> None:
    """Two subscriptions turn out to be one feed: nothing breaks, the operator decides."""
    target = feed_server.serve("/target", undated("1"))
    feed_server.handlers["/alias"] = moved(301, "/target")
    async with running(settings, clock) as app:
        await app.storage.feeds.add(target, now=clock())
        alias = await app.storage.feeds.add(feed_server.url("/alias"), now=clock())
        report, _ = await app.run_once()
        assert (await state(app, alias)).url == feed_server.url("/alias")
    assert report.failures == 0


# --- Retry-After, failures and backoff --------------------------------------------------


@pytest.mark.parametrize(("status", "retry_after"), [(429, 7200), (503, 1800), (429, 10**6)])
async def test_retry_after_holds_the_feed_back(
    feed_server: FeedServer, settings: Settings, clock: FakeClock, status: int, retry_after: int
) -> None:
    async def busy(request: web.Request) -> web.Response:
        return web.Response(status=status, headers={"Retry-After": str(retry_after)})

    feed_server.handlers["/busy"] = busy
    async with running(settings, clock) as app:
        feed = await app.storage.feeds.add(feed_server.url("/busy"), now=clock())
        await app.run_once()
        stored = await state(app, feed)
        # Honoured, but never past the longest interval an operator allows.
        assert_waits(stored, clock(), min(retry_after, HIGHEST))
        assert stored.last_error_kind == "http" and str(status) in (stored.last_error or "")
        # Asked to wait, Tocsin does not come back early.
        clock.advance(seconds=min(retry_after, HIGHEST) - 5)
        await app.run_once()
    assert feed_server.hits("/busy") == 1


async def test_failures_back_off_exponentially_up_to_the_cap_then_recover(
    feed_server: FeedServer, settings: Settings, clock: FakeClock
) -> None:
    broken = True

    async def flaky(request: web.Request) -> web.Response:
        if broken:
            return web.Response(status=500)
        return web.Response(body=undated("1"), content_type="application/rss+xml")

    feed_server.handlers["/flaky"] = flaky
    started = clock()
    intervals = []
    async with running(settings, clock) as app:
        feed = await app.storage.feeds.add(feed_server.url("/flaky"), now=clock())
        for _ in range(9):
            report, _ = await app.run_once()
            intervals.append(report.feeds[0].interval_seconds)
            stored = await state(app, feed)
            clock.now = stored.next_check_at
        assert stored.consecutive_failures == 9 and stored.failing_since == started
        assert stored.last_error_kind == "http" and "500" in (stored.last_error or "")
        broken = False
        report, _ = await app.run_once()
        recovered = await state(app, feed)
    assert intervals == [600, 1200, 2400, 4800, 9600, 19200, 38400, HIGHEST, HIGHEST]
    assert report.feeds[0].error is None
    assert (recovered.consecutive_failures, recovered.last_error, recovered.failing_since) == (
        0,
        None,
        None,
    )
    assert_waits(recovered, clock(), DEFAULT)


async def test_each_kind_of_failure_is_recorded_as_such(
    feed_server: FeedServer, settings: Settings, clock: FakeClock
) -> None:
    async def hang(request: web.Request) -> web.Response:
        await asyncio.sleep(1.5)  # past the 0.5 s read limit; short, so teardown is quick
        return web.Response(body=undated("1"))

    async def gone(request: web.Request) -> web.Response:
        return web.Response(status=410)

    feed_server.handlers["/hang"] = hang
    feed_server.handlers["/gone"] = gone
    feed_server.serve("/huge", rss_feed([Item(str(n), "x" * 100) for n in range(50)]))
    feed_server.serve("/html", "<!doctype html><html><body>Home</body></html>", "text/html")
    port = int(feed_server.base_url.rsplit(":", 1)[1])
    closed = f"http://127.0.0.1:{port + 1 if port < 65535 else port - 1}/rss"
    expected = {
        feed_server.url("/hang"): "timeout",
        feed_server.url("/gone"): "http",
        feed_server.url("/huge"): "too_large",
        feed_server.url("/html"): "not_a_feed",
        closed: "connect",
        "https://[::ffff:10.0.0.1]/rss": "blocked",
    }
    limits = {"fetch_allow_private_networks": "127.0.0.0/8", "fetch_max_bytes": 2048}
    async with running(settings.model_copy(update=limits), clock) as app:
        for url in expected:
            await app.storage.feeds.add(url, now=clock())
        await app.run_once()
        feeds = await app.storage.feeds.all()
    assert {f.url: f.last_error_kind for f in feeds} == expected
    assert all(f.consecutive_failures == 1 and f.last_error for f in feeds)


# --- The publisher's hints ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("channel", "headers", "expected"),
    [
        ("<ttl>120</ttl>", {}, 7200),
        ("<ttl>1440</ttl>", {}, HIGHEST),  # a day, but never past the maximum
        ("<ttl>1</ttl>", {}, DEFAULT),  # a floor: it never makes Tocsin poll sooner
        ("<sy:updatePeriod>daily</sy:updatePeriod>", {}, 86400 // 6),
        (
            "<sy:updatePeriod>hourly</sy:updatePeriod><sy:updateFrequency>2</sy:updateFrequency>",
            {},
            LOWEST * 5,
        ),
        ("", {"Cache-Control": "public, max-age=5400"}, 5400),
        ("", {"Cache-Control": "max-age=5400", "Age": "1800"}, 3600),
        ("", {"Cache-Control": "no-cache"}, DEFAULT),
    ],
    ids=["ttl", "ttl-capped", "ttl-short", "sy-daily", "sy-2-hourly", "max-age", "age", "no-cache"],
)
async def test_publisher_hints_set_the_interval_within_bounds(
    feed_server: FeedServer,
    settings: Settings,
    clock: FakeClock,
    channel: str,
    headers: dict[str, str],
    expected: int,
) -> None:
    document = rss_feed([Item("1", "Entry")], channel_extra=channel)
    url = feed_server.serve("/rss", document, **headers)
    async with running(settings, clock) as app:
        feed = await app.storage.feeds.add(url, now=clock())
        report, _ = await app.run_once()
        assert_waits(await state(app, feed), clock(), expected)
    assert report.feeds[0].interval_seconds == expected


async def test_expires_counts_from_the_servers_own_date(
    feed_server: FeedServer, settings: Settings, clock: FakeClock
) -> None:
    async def expiring(request: web.Request) -> web.Response:
        now = datetime.now(UTC)
        return web.Response(
            body=undated("1"),
            content_type="application/rss+xml",
            headers={"Expires": format_datetime(now + timedelta(hours=2), usegmt=True)},
        )

    feed_server.handlers["/rss"] = expiring
    async with running(settings, clock) as app:
        await app.storage.feeds.add(feed_server.url("/rss"), now=clock())
        report, _ = await app.run_once()
    assert 7200 - 2 <= (report.feeds[0].interval_seconds or 0) <= 7200


async def test_a_304_keeps_the_documents_ttl(
    feed_server: FeedServer, settings: Settings, clock: FakeClock
) -> None:
    body = rss_feed([Item("1", "Entry")], channel_extra="<ttl>120</ttl>").encode()

    async def conditional(request: web.Request) -> web.Response:
        if request.headers.get("If-None-Match") == '"v1"':
            return web.Response(status=304)
        return web.Response(body=body, headers={"ETag": '"v1"'}, content_type="text/xml")

    feed_server.handlers["/rss"] = conditional
    async with running(settings, clock) as app:
        feed = await app.storage.feeds.add(feed_server.url("/rss"), now=clock())
        await app.run_once()
        clock.now = (await state(app, feed)).next_check_at
        report, _ = await app.run_once()
    assert report.feeds[0].not_modified and report.feeds[0].interval_seconds == 7200


# --- Adapting to the feed's rhythm ----------------------------------------------------------


def every(gap: timedelta, count: int, newest: datetime, prefix: str) -> list[Item]:
    return [
        Item(f"{prefix}{n}", f"Story {prefix}{n}", published=newest - n * gap) for n in range(count)
    ]


async def test_busy_feeds_are_polled_more_often_than_quiet_ones_within_bounds(
    feed_server: FeedServer, settings: Settings, clock: FakeClock
) -> None:
    now = clock()
    rhythms = {
        "/minutely": (every(timedelta(minutes=1), 30, now, "m"), LOWEST),
        "/busy": (every(timedelta(minutes=30), 30, now, "b"), 1800 // 6),
        "/quiet": (every(timedelta(days=2), 10, now - timedelta(hours=6), "q"), 172800 // 6),
        "/dead": (every(timedelta(days=1), 10, now - timedelta(days=400), "d"), HIGHEST),
    }
    async with running(settings, clock) as app:
        for path, (items, _) in rhythms.items():
            await app.storage.feeds.add(feed_server.serve(path, rss_feed(items)), now=clock())
        report, _ = await app.run_once()
    got = {r.url.rsplit("/", 1)[1]: r.interval_seconds for r in report.feeds}
    assert got == {path[1:]: expected for path, (_, expected) in rhythms.items()}


async def test_a_feed_that_starts_publishing_often_is_polled_more_often(
    feed_server: FeedServer, settings: Settings, clock: FakeClock
) -> None:
    items = every(timedelta(days=1), 5, clock(), "old")
    url = feed_server.serve("/rss", rss_feed(items))
    intervals: list[int] = []
    async with running(settings, clock) as app:
        feed = await app.storage.feeds.add(url, now=clock())
        report, _ = await app.run_once()
        intervals.append(report.feeds[0].interval_seconds or 0)
        # News breaks: a new entry before every poll.
        for n in range(12):
            clock.now = (await state(app, feed)).next_check_at
            items.insert(0, Item(f"new{n}", f"Breaking {n}", published=clock()))
            feed_server.serve("/rss", rss_feed(items))
            report, _ = await app.run_once()
            intervals.append(report.feeds[0].interval_seconds or 0)
    assert intervals[0] == 86400 // 6
    assert intervals == sorted(intervals, reverse=True)
    assert intervals[-1] < intervals[0] / 3


async def test_jitter_spreads_feeds_of_one_host(
    feed_server: FeedServer, settings: Settings, clock: FakeClock
) -> None:
    async with running(settings, clock) as app:
        for n in range(20):
            await app.storage.feeds.add(feed_server.serve(f"/f{n}", undated("1")), now=clock())
        await app.run_once()
        waits = [wait_of(f, clock()) for f in await app.storage.feeds.all()]
    assert all(DEFAULT <= wait <= DEFAULT * (1 + JITTER) for wait in waits)
    assert len(set(waits)) >= 10 and max(waits) - min(waits) >= DEFAULT * JITTER / 3


# --- The first poll ------------------------------------------------------------------------

HEADLINES = [
    "Roskomnadzor blocked access to Signal messenger",
    "Police detained 30 protesters at an anti-war rally in Moscow",
    "Court ordered YouTube to delete videos of the protests",
    "Roskomnadzor restricted access to the Telegram messenger",
]


@pytest.mark.parametrize("backlog", [0, 2])
async def test_the_first_poll_alerts_only_the_newest_backlog_entries(
    feed_server: FeedServer,
    make_settings: Callable[..., Settings],
    clock: FakeClock,
    backlog: int,
) -> None:
    # Listed oldest first, so "newest" must come from the dates, not the order.
    items = [
        Item(f"e{n}", title, published=clock() - timedelta(hours=len(HEADLINES) - n))
        for n, title in enumerate(HEADLINES)
    ]
    url = feed_server.serve("/rss", rss_feed(items))
    out = io.StringIO()
    settings = make_settings(parse_pool="thread", console_chat="on", backlog_alerts=backlog)
    async with running(settings, clock, out) as app:
        await app.storage.feeds.add(url, now=clock())
        report, delivered = await poll_now(app)
        _, delivered_again = await poll_now(app)
    assert (report.new_entries, delivered) == (4, backlog)
    assert delivered_again == 0
    alerted = [title for title in HEADLINES if title in out.getvalue()]
    assert alerted == HEADLINES[len(HEADLINES) - backlog :]
