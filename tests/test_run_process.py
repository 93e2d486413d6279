"""`tocsin run` as an operator runs it: a real process, stopped by a signal."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO, Any

from aiohttp import web

from bot.storage import Storage
from tests.conftest import TEST_START, FeedServer
from tests.ingest_support import Item, rss_feed
from tests.processes import Printed, tocsin, tocsin_env

# A real deployment's commands with the terminal as its chat, fetching from loopback.
ENV = {
    "DEMO_FEEDS": "off",
    "CONSOLE_CHAT": "on",
    "FETCH_ALLOW_PRIVATE_NETWORKS": "127.0.0.0/8",
}


async def test_sigterm_during_a_poll_cycle_stops_cleanly_without_an_error(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    asked, release = asyncio.Event(), asyncio.Event()

    async def slow(request: web.Request) -> web.Response:
        asked.set()
        await release.wait()  # the cycle is under way when the signal comes
        return web.Response(status=500)

    feed_server.handlers["/slow"] = slow
    added = await asyncio.to_thread(
        tocsin, "feeds", "add", "--no-check", feed_server.url("/slow"), cwd=tmp_path, env=ENV
    )
    assert added.returncode == 0, added.stderr
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        cwd=tmp_path,
        env=tocsin_env(ENV),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        await asyncio.wait_for(asked.wait(), 30)
        process.send_signal(signal.SIGTERM)
        _, err = await asyncio.wait_for(process.communicate(), 15)
    finally:
        release.set()
        if process.returncode is None:
            process.kill()
            await process.wait()
    log = err.decode()
    assert process.returncode == 0, log
    assert "Tocsin stopped" in log
    assert " ERROR " not in log and "Traceback" not in log, log


FEEDS = 40
NEW_PER_FEED = 3


def busy_feed(feed: int) -> str:
    return rss_feed(
        [
            Item(f"f{feed}-i{item}", f"Roskomnadzor blocked access to news site {feed} item {item}")
            for item in range(NEW_PER_FEED)
        ]
    )


async def start_run(
    cwd: Path, env: dict[str, str], out: IO[bytes], started: datetime
) -> asyncio.subprocess.Process:
    # Output to a file, not a pipe: parse workers outlive a killed bot for a moment
    # and would hold a pipe open.
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        cwd=cwd,
        env=tocsin_env(env, clock=lambda: started),
        stdout=out,
        stderr=asyncio.subprocess.DEVNULL,
    )


async def test_a_stop_at_any_point_of_a_busy_cycle_loses_no_alert(
    tmp_path: Path, serve_on: Callable[..., Any]
) -> None:
    """Stopped (SIGTERM) and killed (SIGKILL) again and again while the first cycle after
    downtime polls 40 feeds at once: afterwards every entry reached the chat."""
    served = 0
    asked = asyncio.Event()

    async def answer(request: web.Request) -> web.Response:
        nonlocal served
        served += 1
        asked.set()
        await asyncio.sleep(0.05 + (served % 7) * 0.04)  # a slow, uneven web
        feed = int(request.match_info["feed"])
        return web.Response(text=busy_feed(feed), content_type="application/rss+xml")

    app = web.Application()
    app.router.add_get("/{feed}.xml", answer)
    base = await serve_on(app, "127.0.0.3")
    env = {**ENV, "BACKLOG_ALERTS": str(NEW_PER_FEED), "FETCH_PER_HOST": "3"}
    database = tmp_path / "data" / "tocsin.sqlite3"
    storage = await Storage.open(database, role="live")
    try:
        for feed in range(FEEDS):
            await storage.feeds.add(f"{base}/{feed}.xml", now=TEST_START)
    finally:
        await storage.close()

    printed: list[str] = []
    for run, (stop_after, how) in enumerate(
        [
            (0.4, signal.SIGTERM),
            (0.9, signal.SIGKILL),
            (1.5, signal.SIGTERM),
            (0.7, signal.SIGKILL),
            (2.5, signal.SIGTERM),
        ]
    ):
        asked.clear()
        log = tmp_path / f"run-{run}.out"
        with log.open("wb") as out:
            # Each restart a minute later than the one before, as time goes.
            started = TEST_START + timedelta(minutes=run)
            process = await start_run(tmp_path, env, out, started)
            try:
                # The clock starts once the cycle is fetching, not while Python imports
                # (after the first runs every feed may be done: then it stops anyway).
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(asked.wait(), 20)
                await asyncio.sleep(stop_after)
                process.send_signal(how)
                await asyncio.wait_for(process.wait(), 15)
            finally:
                if process.returncode is None:
                    process.kill()
                    await process.wait()
        if how == signal.SIGTERM:
            assert process.returncode == 0
        printed.append(log.read_text())
    # Then it runs to the end.
    finish = await asyncio.to_thread(
        tocsin,
        "run",
        "--once",
        cwd=tmp_path,
        env=env,
        clock=lambda: TEST_START + timedelta(hours=1),
    )
    assert finish.returncode == 0, finish.stderr
    printed.append(finish.stdout)

    output = "\n".join(printed)
    counts = Counter(
        output.count(f"Roskomnadzor blocked access to news site {feed} item {item}\n")
        for feed in range(FEEDS)
        for item in range(NEW_PER_FEED)
    )
    # Every alert arrived; a kill -9 may resend the one alert it caught in flight.
    assert counts[0] == 0, f"{counts[0]} alerts lost"
    assert sum(n for times, n in counts.items() if times > 1) <= 2, counts


async def test_one_process_delivers_and_the_others_hand_over_or_refuse(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    first = "Roskomnadzor blocked access to the Signal messenger"
    later = "Roskomnadzor blocked access to the Threema messenger"
    feed_server.serve("/rss", rss_feed([Item("a", first)]))
    env = {**ENV, "BACKLOG_ALERTS": "5"}
    added = await asyncio.to_thread(
        tocsin, "feeds", "add", "--no-check", feed_server.url("/rss"), cwd=tmp_path, env=env
    )
    assert added.returncode == 0, added.stderr
    bot = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        cwd=tmp_path,
        env=tocsin_env(env),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
    )
    assert bot.stdout is not None
    printed = Printed(bot.stdout)
    try:
        await printed.wait_for(first)
        feed_server.serve("/rss", rss_feed([Item("b", later), Item("a", first)]))
        second, once, refresh, listed = await asyncio.gather(
            asyncio.to_thread(tocsin, "run", cwd=tmp_path, env=env),
            asyncio.to_thread(tocsin, "run", "--once", cwd=tmp_path, env=env),
            asyncio.to_thread(tocsin, "feeds", "refresh", "--all", cwd=tmp_path, env=env),
            asyncio.to_thread(tocsin, "feeds", "list", cwd=tmp_path, env=env),
        )
        # The refresh stored and queued the new story; the running bot sends it.
        await printed.wait_for(later)
    finally:
        bot.send_signal(signal.SIGTERM)
        await asyncio.wait_for(bot.wait(), 15)
        await printed.close()
    for refused in (second, once):
        assert refused.returncode == 1
        assert f"already running on data/tocsin.sqlite3 (pid {bot.pid})" in refused.stderr
    assert refresh.returncode == 0, refresh.stderr
    assert f"1 alerts queued: the Tocsin running on this database (pid {bot.pid})" in (
        refresh.stdout
    )
    assert first not in refresh.stdout and later not in refresh.stdout  # it sent nothing
    assert listed.returncode == 0 and feed_server.url("/rss") in listed.stdout
    for other in (second, once, refresh, listed):
        assert "re-queued" not in other.stderr  # nobody touched the bot's rows
    assert printed.text.count(first + "\n") == 1 and printed.text.count(later + "\n") == 1
