"""The whole pipeline against a local feed server: fetch, parse, dedup, detect, deliver."""

from __future__ import annotations

import asyncio
import contextlib
import io
import sqlite3
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, closing
from typing import Any

from aiohttp import web

from bot.app import Tocsin, build_app
from bot.domain.chat import Subscription
from bot.domain.vocabulary import CATEGORIES
from bot.settings import Settings
from tests.conftest import FakeClock, FeedServer, rss

BLOCK = (
    "b1",
    "Roskomnadzor blocked access to Signal messenger",
    "The regulator restricted the app.",
)
ARREST_RU = (
    "a1",
    "В Москве на пикете задержаны 12 человек",
    "По данным ОВД-Инфо, задержанных доставили в отдел полиции.",
)
WEATHER = ("w1", "Snow expected in Moscow on Friday", "Forecasters warn of icy roads.")
CARDIAC = ("c1", "Runner suffers cardiac arrest at marathon", "")


@asynccontextmanager
async def tocsin(settings: Settings, clock: FakeClock, out: io.StringIO) -> AsyncIterator[Tocsin]:
    async with build_app(settings, clock=clock, console_stream=out) as app:
        yield app


async def test_first_poll_records_the_backlog_then_new_entries_alert(
    feed_server: FeedServer, make_settings: Callable[..., Settings], clock: FakeClock
) -> None:
    url = feed_server.serve("/rss", rss(WEATHER, CARDIAC))
    out = io.StringIO()
    async with tocsin(make_settings(console_chat="on"), clock, out) as app:
        await app.storage.feeds.add(url, now=clock())
        report, delivered = await app.run_once()
        assert (report.new_entries, report.events, delivered) == (2, 0, 0)
        # Later the regulator acts; the next poll sees it and alerts exactly once.
        feed_server.serve("/rss", rss(BLOCK, WEATHER, CARDIAC))
        clock.advance(hours=1)
        report, delivered = await app.run_once()
        assert (report.new_entries, report.events, delivered) == (1, 1, 1)
        clock.advance(hours=1)
        report, delivered = await app.run_once()
        assert (report.new_entries, report.events, delivered) == (0, 0, 0)
    text = out.getvalue()
    assert "CENSORSHIP" in text and "Signal" in text
    assert text.count("Roskomnadzor blocked") == 1
    assert "cardiac" not in text.lower() and "Snow" not in text


async def test_backlog_window_alerts_the_newest_entries_of_a_new_feed(
    feed_server: FeedServer, make_settings: Callable[..., Settings], clock: FakeClock
) -> None:
    url = feed_server.serve("/rss", rss(BLOCK, ARREST_RU, WEATHER))
    out = io.StringIO()
    async with tocsin(make_settings(console_chat="on", backlog_alerts=10), clock, out) as app:
        await app.storage.feeds.add(url, now=clock())
        report, delivered = await app.run_once()
    assert (report.events, delivered) == (2, 2)
    assert "ARRESTS" in out.getvalue() and "CENSORSHIP" in out.getvalue()


async def test_one_broken_feed_does_not_stop_the_others(
    feed_server: FeedServer, make_settings: Callable[..., Settings], clock: FakeClock
) -> None:
    async def broken(request: web.Request) -> web.Response:
        return web.Response(status=500)

    feed_server.handlers["/broken"] = broken
    good = feed_server.serve("/good", rss(BLOCK))
    html = feed_server.serve("/html", "<!doctype html><html><body>hi</body></html>", "text/html")
    out = io.StringIO()
    async with tocsin(make_settings(console_chat="on", backlog_alerts=5), clock, out) as app:
        for url in (feed_server.url("/broken"), good, html):
            await app.storage.feeds.add(url, now=clock())
        report, delivered = await app.run_once()
        feeds = {f.url: f for f in await app.storage.feeds.all()}
    assert delivered == 1
    errors = {r.url: r.error_kind for r in report.feeds if r.error}
    assert errors == {feed_server.url("/broken"): "http", html: "not_a_feed"}
    assert feeds[feed_server.url("/broken")].consecutive_failures == 1
    assert feeds[good].last_success_at == clock()
    assert "failed" in report.summary(delivered)


async def test_not_modified_is_no_change_and_sends_validators(
    feed_server: FeedServer, make_settings: Callable[..., Settings], clock: FakeClock
) -> None:
    body = rss(BLOCK).encode()

    async def conditional(request: web.Request) -> web.Response:
        if request.headers.get("If-None-Match") == '"v1"':
            return web.Response(status=304)
        return web.Response(body=body, headers={"ETag": '"v1"', "Content-Type": "text/xml"})

    feed_server.handlers["/rss"] = conditional
    async with tocsin(make_settings(), clock, io.StringIO()) as app:
        await app.storage.feeds.add(feed_server.url("/rss"), now=clock())
        await app.run_once()
        clock.advance(hours=1)
        report, _ = await app.run_once()
    assert report.feeds[0].not_modified
    assert report.new_entries == 0


async def test_subscriptions_decide_who_gets_what(
    feed_server: FeedServer, make_settings: Callable[..., Settings], clock: FakeClock
) -> None:
    url = feed_server.serve("/rss", rss())
    async with tocsin(make_settings(), clock, io.StringIO()) as app:
        store = app.storage.chats
        everything = await store.upsert("telegram", "1", now=clock(), kind="private")
        arrests = await store.upsert("telegram", "2", now=clock(), kind="private")
        russian = await store.upsert("telegram", "3", now=clock(), kind="private")
        not_moscow = await store.upsert("telegram", "4", now=clock(), kind="private")
        await store.subscribe(everything.id, Subscription(everything.id, CATEGORIES), now=clock())
        await store.subscribe(arrests.id, Subscription(arrests.id, ("arrest",)), now=clock())
        await store.subscribe(
            russian.id, Subscription(russian.id, CATEGORIES, languages=("ru",)), now=clock()
        )
        await store.subscribe(
            not_moscow.id,
            Subscription(not_moscow.id, CATEGORIES, exclude_words=("Москва",)),
            now=clock(),
        )
        await app.storage.feeds.add(url, now=clock())
        await app.run_once()
        feed_server.serve("/rss", rss(BLOCK, ARREST_RU))
        clock.advance(hours=1)
        await app.run_once()
        rows = await app.storage.db.fetchall(
            "SELECT c.external_id, en.uid FROM outbox o JOIN chats c ON c.id = o.chat_id"
            " JOIN events ev ON ev.id = o.event_id JOIN entries en ON en.id = ev.entry_id"
        )
    got = sorted((row["external_id"], row["uid"]) for row in rows)
    assert got == [("1", "a1"), ("1", "b1"), ("2", "a1"), ("3", "a1"), ("4", "b1")]


async def test_feeds_queued_behind_a_busy_host_do_not_hold_up_another_host(
    serve_on: Callable[..., Any], make_settings: Callable[..., Settings], clock: FakeClock
) -> None:
    """An RSS bridge with many feeds due at once: they wait for their host's four slots
    without taking the slots other hosts' feeds need, so those are fetched at once."""
    answered: list[str] = []
    other_asked = asyncio.Event()
    document = rss(WEATHER).encode()

    async def busy(request: web.Request) -> web.Response:
        # Holds its answer until the other host's feed is asked for, or for 2 s: a
        # fetcher that makes that feed wait behind this host's queue fails the test.
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(2):
                await other_asked.wait()
        answered.append("busy")
        return web.Response(body=document, content_type="application/rss+xml")

    async def other(request: web.Request) -> web.Response:
        answered.append("other")
        other_asked.set()
        return web.Response(body=document, content_type="application/rss+xml")

    busy_app, other_app = web.Application(), web.Application()
    busy_app.router.add_get("/{name}", busy)
    other_app.router.add_get("/rss", other)
    busy_base = await serve_on(busy_app, "127.0.0.2")
    other_base = await serve_on(other_app, "127.0.0.3")
    # 6 fetches at once, 4 per host, and 6 + 4 unparsed documents: more of the busy
    # host's feeds are due than that.
    settings = make_settings(fetch_concurrency=6, parse_pool="thread", parse_workers=1)
    async with tocsin(settings, clock, io.StringIO()) as app:
        for n in range(16):
            await app.storage.feeds.add(f"{busy_base}/feed{n}", now=clock())
        await app.storage.feeds.add(f"{other_base}/rss", now=clock())
        report = await app.pipeline.run_cycle()
    assert report.failures == 0 and len(report.feeds) == 17
    assert answered[0] == "other"


async def test_a_feed_whose_failure_cannot_be_stored_does_not_lose_the_cycle(
    feed_server: FeedServer, make_settings: Callable[..., Settings], clock: FakeClock
) -> None:
    """The database refuses one feed's write (here a trigger added from a second
    connection, as an operator's sqlite3 shell could): that feed counts as failed, the
    other feeds' alerts still go out and the admins still hear about long failures."""

    async def broken(request: web.Request) -> web.Response:
        return web.Response(status=500)

    feed_server.handlers["/broken"] = broken
    good = feed_server.serve("/good", rss(WEATHER))
    out = io.StringIO()
    settings = make_settings(console_chat="on", parse_pool="thread")
    async with tocsin(settings, clock, out) as app:
        failing = await app.storage.feeds.add(feed_server.url("/broken"), now=clock())
        await app.storage.feeds.add(good, now=clock())
        await app.run_once()
        feed_server.serve("/good", rss(BLOCK, WEATHER))
        clock.advance(hours=7)  # failing for longer than the admins' notice threshold
        with closing(sqlite3.connect(settings.database_path)) as shell:
            shell.execute(
                "CREATE TRIGGER refuse BEFORE UPDATE OF consecutive_failures ON feeds"
                f" WHEN NEW.id = {failing.id} BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END"
            )
            shell.commit()
        report, delivered = await app.run_once()
    assert {r.url: r.error_kind for r in report.feeds} == {failing.url: "http", good: None}
    assert report.failures == 1 and delivered == 1
    assert "Roskomnadzor blocked" in out.getvalue()
    assert report.notices_sent == 1
