"""Retention and backups on real processes, as an operator runs them."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import signal
import sqlite3
import sys
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from bot.domain.chat import Subscription
from bot.domain.vocabulary import CATEGORIES
from bot.storage import Storage
from tests.conftest import TEST_START, FeedServer
from tests.fakes.telegram_api import TOKEN, FakeBotAPI
from tests.ingest_support import Item, rss_feed
from tests.processes import no_traceback, tocsin, tocsin_env

ENV = {
    "DEMO_FEEDS": "off",
    "CONSOLE_CHAT": "on",
    "FETCH_ALLOW_PRIVATE_NETWORKS": "127.0.0.0/8",
    "BACKLOG_ALERTS": "5",
    "PARSE_POOL": "thread",
}
SIGNAL = "Roskomnadzor blocked access to the Signal messenger"
THREEMA = "Roskomnadzor blocked access to the Threema messenger"
SUMMARY = "Access to the messenger was restricted across the country on Monday."


def query(database: Path, sql: str) -> list[tuple[object, ...]]:
    connection = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        return connection.execute(sql).fetchall()
    finally:
        connection.close()


async def wait_until(check: Callable[[], bool], within: float = 60) -> None:
    """Until `check()` (which reads files, so it runs in a thread) holds."""
    async with asyncio.timeout(within):
        while True:
            if await asyncio.to_thread(check):
                return
            await asyncio.sleep(0.2)


async def start_run(
    cwd: Path, env: dict[str, str], log: Path, *, out: Path | None = None, at: datetime = TEST_START
) -> asyncio.subprocess.Process:
    """`tocsin run` on a clock started at `at`; its log to `log`, what it prints to
    `out`: files, not pipes, which nobody would read while it runs."""
    with log.open("wb") as err, (out or Path(os.devnull)).open("wb") as printed:
        return await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "run",
            cwd=cwd,
            env=tocsin_env(env, clock=lambda: at),
            stdout=printed,
            stderr=err,
        )


# Four and three Tocsin processes one after another: slow on a busy machine.
@pytest.mark.timeout(300)
async def test_the_running_bot_prunes_at_its_hour_and_a_pruned_story_never_alerts_again(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    url = feed_server.serve("/rss", rss_feed([Item("a", SIGNAL, SUMMARY)]))
    database = tmp_path / "data" / "tocsin.sqlite3"
    storage = await Storage.open(database, role="live")
    try:
        await storage.feeds.add(url, now=TEST_START)
    finally:
        await storage.close()
    first = await asyncio.to_thread(tocsin, "run", "--once", cwd=tmp_path, env=ENV)
    assert first.returncode == 0 and SIGNAL in first.stdout, first.stderr

    # A hundred days later, at the hour the prune runs, the feed still lists the story.
    later = TEST_START + timedelta(days=100)
    env = {**ENV, "RETENTION_HOUR": str(later.hour)}
    output, log = tmp_path / "run.out", tmp_path / "run.log"
    bot = await start_run(tmp_path, env, log, out=output, at=later)
    try:
        await wait_until(
            lambda: (
                query(database, "SELECT COUNT(*) FROM maintenance_runs") == [(1,)]
                or bot.returncode is not None
            )
        )
        assert query(database, "SELECT title, summary, link FROM entries") == [("", "", None)]
        assert query(database, "SELECT COUNT(*) FROM events") == [(0,)]
        # Then the feed edits the old story, lists it again under a new id, and
        # publishes a new one: only the new one alerts.
        feed_server.serve(
            "/rss",
            rss_feed(
                [
                    Item("b", THREEMA, SUMMARY),
                    Item("a", SIGNAL + " and in three more regions", SUMMARY),
                    Item("a-again", SIGNAL, SUMMARY),
                ]
            ),
        )
        refreshed = await asyncio.to_thread(
            tocsin,
            "feeds",
            "refresh",
            "--all",
            cwd=tmp_path,
            env=env,
            clock=lambda: later + timedelta(minutes=1),
        )
        assert refreshed.returncode == 0, refreshed.stderr
        await wait_until(lambda: THREEMA in output.read_text())
    finally:
        bot.send_signal(signal.SIGTERM)
        await asyncio.wait_for(bot.wait(), 30)
    logged = log.read_text()
    assert bot.returncode == 0, logged
    assert "retention: 1 entry texts, 1 events and 1 delivered alerts pruned" in logged
    printed = output.read_text()
    assert SIGNAL not in printed and printed.count(THREEMA) == 1
    assert query(database, "SELECT uid, title FROM entries ORDER BY uid") == [
        ("a", ""),
        ("b", THREEMA),
    ]


CHATS = 450


@pytest.mark.timeout(420)
async def test_a_backup_taken_during_a_fan_out_restores_to_a_working_database(
    tmp_path: Path, feed_server: FeedServer, telegram_api: FakeBotAPI
) -> None:
    database = tmp_path / "tocsin.sqlite3"
    storage = await Storage.open(database, role="live")
    try:
        for n in range(CHATS):
            chat = await storage.chats.upsert(
                "telegram", str(7000 + n), now=TEST_START, kind="private"
            )
            await storage.chats.subscribe(
                chat.id, Subscription(chat.id, CATEGORIES), now=TEST_START
            )
        url = feed_server.serve("/rss", rss_feed([Item("a", SIGNAL, SUMMARY)]))
        await storage.feeds.add(url, now=TEST_START)
    finally:
        await storage.close()
    env = {
        **ENV,
        "CONSOLE_CHAT": "off",
        "BACKLOG_ALERTS": "1",
        "DATABASE_PATH": str(database),
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_URL": telegram_api.base_url,
    }
    log = tmp_path / "run.log"
    bot = await start_run(tmp_path, env, log)
    copy = tmp_path / "backups" / "tocsin-copy.sqlite3"
    copy.parent.mkdir()
    try:
        try:
            await wait_until(lambda: len(telegram_api.delivered) >= 30, within=100)
        except TimeoutError:
            outbox = query(database, "SELECT status, COUNT(*) FROM outbox GROUP BY status")
            pytest.fail(f"no fan-out under way: {outbox} {log.read_text()[-2000:]}")
        backup = await asyncio.to_thread(
            tocsin, "backup", str(copy), cwd=tmp_path, env=env, timeout=120
        )
        sent_by_then = len(telegram_api.delivered)
    finally:
        bot.send_signal(signal.SIGTERM)
        await asyncio.wait_for(bot.wait(), 30)
    assert bot.returncode == 0, log.read_text()
    assert backup.returncode == 0, backup.stderr
    assert f"backed up {database} to {copy}" in backup.stdout
    assert sorted(p.name for p in copy.parent.iterdir()) == [copy.name]  # one whole file

    # The copy is the database as of one moment in the middle of the fan-out.
    assert query(copy, "PRAGMA integrity_check") == [("ok",)]
    statuses = dict(query(copy, "SELECT status, COUNT(*) FROM outbox GROUP BY status"))
    assert sum(int(str(n)) for n in statuses.values()) == CHATS
    in_copy = int(str(statuses.get("delivered", 0)))
    assert 0 < in_copy < CHATS and in_copy <= sent_by_then

    # Restored as docs/deploy.md says (the bot stopped; the file put in place, the old
    # write-ahead log removed), the bot picks up where the copy stood.
    for leftover in (database, *database.parent.glob(database.name + "-*")):
        leftover.unlink()
    shutil.copyfile(copy, database)
    resumed = await asyncio.to_thread(
        tocsin,
        "run",
        "--once",
        cwd=tmp_path,
        env=env,
        timeout=180,
        clock=lambda: TEST_START + timedelta(minutes=30),  # after the first run's last write
    )
    no_traceback(resumed)
    assert resumed.returncode == 0, resumed.stderr
    assert resumed.stdout.strip().endswith(f"{CHATS - in_copy} alerts delivered")
    assert query(database, "SELECT status, COUNT(*) FROM outbox GROUP BY status") == [
        ("delivered", CHATS)
    ]
    missed = [n for n in range(CHATS) if not telegram_api.delivered_to(7000 + n)]
    assert missed == []
    stats = await asyncio.to_thread(tocsin, "db", "stats", cwd=tmp_path, env=env)
    assert stats.returncode == 0 and re.search(rf"^outbox +{CHATS} ", stats.stdout, re.M)
