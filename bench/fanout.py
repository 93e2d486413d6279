"""Telegram delivery against a Bot API as strict as Telegram's, through the real aiogram client.

Run: .venv/bin/python bench/fanout.py [--users 300] [--chats 5000] [--rate 500] [--runs 3]

The fake Bot API (`tests.fakes.telegram_api`, the same strict fake the tests use)
runs in its own process on 127.0.0.1 and judges every message when it ARRIVES:
sliding windows of N per second overall, one per second per chat, 20 per minute
per group; anything over them is answered 429 and counted.

Two scenarios, each run `--runs` times on a fresh server and database; the median
is reported, with every run's figures beside it:

1. Commands, then an alert (Telegram's own limits: 30/s overall). USERS private
   chats send `/subscribe all` within one second; the bot, polling, answers each
   (replies share the limiter with alerts); then one alert fans out to the same
   chats. The alert wave's rate is (n-1) over the span of its arrivals at the server.
2. Fan-out (scaled: RATE/s overall): one alert to CHATS chats through the outbox.

Passes (exit 0) when every message arrived exactly once, the server answered no
429, and the alert wave's median rate is at least 95% of the 30/s allowed. The
scaled fan-out is reported, not judged: at 500/s the client's own CPU is the
bottleneck on a shared 2-core machine, and every request waits for the answer of
the one RATE places before it (see `bot/ratelimit.py`).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from aiogram import Bot  # noqa: E402
from aiogram.client.session.aiohttp import AiohttpSession  # noqa: E402
from aiogram.client.telegram import TelegramAPIServer  # noqa: E402

from bot.app import Tocsin, build_app  # noqa: E402
from bot.delivery import Delivery  # noqa: E402
from bot.delivery.ratelimit import RateLimiter, RateLimits  # noqa: E402
from bot.detect import Detection  # noqa: E402
from bot.domain.chat import Subscription  # noqa: E402
from bot.domain.vocabulary import CATEGORIES  # noqa: E402
from bot.settings import Settings  # noqa: E402
from bot.storage import Storage  # noqa: E402
from bot.storage.intents import IngestBatch, NewEntry, Verdict  # noqa: E402
from feeds.models import NormalizedEntry  # noqa: E402
from handlers.telegram.sender import TelegramSender  # noqa: E402
from tests.fakes.telegram_api import TOKEN, message, user  # noqa: E402


@dataclass(frozen=True)
class Run:
    delivered: int
    expected: int
    too_many: int
    span: float
    rate: float
    allowed: float
    replies: int = 0

    @property
    def share(self) -> float:
        return self.rate / self.allowed


async def start_server(rate: float) -> tuple[asyncio.subprocess.Process, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.fakes.telegram_api",
        "--port",
        "0",
        "--per-second",
        str(rate),
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=asyncio.subprocess.PIPE,
    )
    assert process.stdout is not None
    line = (await asyncio.wait_for(process.stdout.readline(), 30)).decode()
    port = line.strip().rsplit(" ", 1)[-1]
    return process, f"http://127.0.0.1:{port}"


async def stats(session: aiohttp.ClientSession, base_url: str, since: float) -> dict[str, Any]:
    async with session.get(f"{base_url}/_stats", params={"since": repr(since)}) as response:
        result: dict[str, Any] = json.loads(await response.text())
        return result


def wave(counted: dict[str, Any], expected: int, allowed: float, **extra: int) -> Run:
    span = (counted["last"] - counted["first"]) if counted["delivered"] > 1 else 0.0
    # n messages spread over `span` seconds is n-1 intervals.
    rate = (counted["delivered"] - 1) / span if span > 0 else 0.0
    return Run(counted["delivered"], expected, counted["too_many"], span, rate, allowed, **extra)


async def add_alert(storage: Storage, now: datetime) -> int:
    feed = await storage.feeds.add("https://example.org/feed.xml", now=now, title="Bench")
    entry = NormalizedEntry(
        uid="bench-1",
        content_hash="h",
        title="Roskomnadzor blocked a messenger",
        summary="The regulator restricted access to the app across the country.",
        link="https://example.org/news/1",
        published_at=now,
        lang="en",
    )
    verdict = Verdict(Detection(("censorship",), (), "event", 1.0, "high", "bench", ()), ())
    await storage.entries.record(IngestBatch(feed.id, new=(NewEntry(entry, None, verdict),)), now)
    [event_id] = [row["id"] for row in await storage.db.fetchall("SELECT id FROM events")]
    return int(event_id)


async def commands_then_alert(users: int) -> Run:
    """Scenario 1, with Telegram's real limits and Tocsin's default settings."""
    server, base_url = await start_server(30.0)
    try:
        with tempfile.TemporaryDirectory() as folder:
            settings = Settings(  # type: ignore[call-arg]
                _env_file=None,
                database_path=Path(folder) / "bench.sqlite3",
                telegram_bot_token=TOKEN,
                telegram_api_url=base_url,
                demo_feeds="off",
                console_chat="off",
            )
            async with (
                aiohttp.ClientSession() as session,
                build_app(settings, embedded=False) as app,
            ):
                [runtime] = app.runtimes
                await runtime.start()
                try:
                    return await _subscribe_then_alert(session, base_url, app, users)
                finally:
                    await runtime.stop()
    finally:
        server.terminate()
        await server.wait()


async def _subscribe_then_alert(
    session: aiohttp.ClientSession, base_url: str, app: Tocsin, users: int
) -> Run:
    ids = range(10_000, 10_000 + users)
    # Everyone within one second: ten bursts, 0.1 s apart.
    per_burst = -(-users // 10)
    for start in range(0, users, per_burst):
        burst = [
            {
                "message": message(
                    {"id": uid, "type": "private", "first_name": f"U{uid}"},
                    "/subscribe all",
                    sender=user(uid),
                )
            }
            for uid in ids[start : start + per_burst]
        ]
        async with session.post(f"{base_url}/_updates", json=burst) as response:
            response.raise_for_status()
        await asyncio.sleep(0.1)
    deadline = time.monotonic() + 120
    while (await stats(session, base_url, float("-inf")))["delivered"] < users:
        if time.monotonic() > deadline:
            break
        await asyncio.sleep(0.2)
    replies = (await stats(session, base_url, float("-inf")))["delivered"]
    now = datetime.now(UTC)
    event_id = await add_alert(app.storage, now)
    chats = [chat.id for chat, _ in await app.storage.chats.active_subscriptions()]
    await app.storage.outbox.enqueue(event_id, chats, now)
    mark = time.monotonic()
    await app.delivery.drain()
    counted = await stats(session, base_url, mark)
    return wave(counted, users, 30.0, replies=replies)


async def fan_out(chats: int, rate: float) -> Run:
    """Scenario 2: the outbox to CHATS chats at a scaled overall rate."""
    server, base_url = await start_server(rate)
    try:
        with tempfile.TemporaryDirectory() as folder:
            storage = await Storage.open(Path(folder) / "bench.sqlite3")
            try:
                now = datetime.now(UTC)
                event_id = await add_alert(storage, now)
                chat_ids = []
                for n in range(chats):
                    chat = await storage.chats.upsert(
                        "telegram", str(10_000 + n), now=now, kind="private"
                    )
                    await storage.chats.subscribe(
                        chat.id, Subscription(chat.id, CATEGORIES), now=now
                    )
                    chat_ids.append(chat.id)
                await storage.outbox.enqueue(event_id, chat_ids, now)
                bot = Bot(TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(base_url)))
                sender = TelegramSender(bot, RateLimiter(RateLimits(per_second=rate)))
                await Delivery(storage, {"telegram": sender}).drain()
                await bot.session.close()
            finally:
                await storage.close()
        async with aiohttp.ClientSession() as session:
            counted = await stats(session, base_url, float("-inf"))
        return wave(counted, chats, rate)
    finally:
        server.terminate()
        await server.wait()


def report(title: str, runs: list[Run], *, floor: float | None) -> bool:
    median = statistics.median(run.rate for run in runs)
    allowed = runs[0].allowed
    print(title)
    for number, run in enumerate(runs, 1):
        replies = f", replies {run.replies}" if run.replies else ""
        print(
            f"  run {number}: {run.delivered}/{run.expected} delivered{replies}, "
            f"{run.too_many} answers 429, {run.span:.2f} s, "
            f"{run.rate:.2f} messages/s ({run.share:.1%})"
        )
    print(f"  median: {median:.2f} messages/s = {median / allowed:.1%} of {allowed:g}/s allowed")
    return all(
        run.too_many == 0
        and run.delivered == run.expected
        and (not run.replies or run.replies == run.expected)
        for run in runs
    ) and (floor is None or median >= floor * allowed)


async def main(users: int, chats: int, rate: float, runs: int) -> int:
    print(f"load: os.getloadavg() at start = {os.getloadavg()}")
    first = [await commands_then_alert(users) for _ in range(runs)]
    ok = report(
        f"{users} users send /subscribe within 1 s, then one alert to all "
        "(30/s overall, 1/s per chat; alert wave):",
        first,
        floor=0.95,
    )
    second = [await fan_out(chats, rate) for _ in range(runs)]
    title = f"one alert to {chats} chats ({rate:g}/s overall, 1/s per chat):"
    ok = report(title, second, floor=None) and ok
    print(f"load: os.getloadavg() at end = {os.getloadavg()}")
    print("result: " + ("PASS" if ok else "FAIL"))
    return 0 if ok else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=300)
    parser.add_argument("--chats", type=int, default=5000)
    parser.add_argument("--rate", type=float, default=500.0)
    parser.add_argument("--runs", type=int, default=3)
    arguments = parser.parse_args()
    sys.exit(asyncio.run(main(arguments.users, arguments.chats, arguments.rate, arguments.runs)))
