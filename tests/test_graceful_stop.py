"""SIGTERM in the middle of a fan-out: the bot stops within 10 s and loses nothing.

A real `python -m bot run` sends one event to many chats through a fake Bot API that
is slow to answer; the stop comes while some requests wait for their answers and
others have not left yet. The next start sends what is left, each chat getting the
alert exactly once.
"""

from __future__ import annotations

import asyncio
import signal
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from bot.storage import Storage
from tests.conftest import ARREST_ITEM, FakeClock, FeedServer, rss
from tests.fakes.telegram_api import FakeBotAPI
from tests.processes import Printed, reap, start_telegram_bot
from tests.storage_support import prepare_database

pytestmark = pytest.mark.telegram_limits(per_chat_per_second=50)

CHATS = [9100 + n for n in range(24)]
ARREST = ARREST_ITEM
# What the bot promises: stopped within this long after SIGTERM.
STOP_LIMIT = 10.0
# Ten messages a second: the fan-out lasts a few seconds, so the stop lands inside it.
SETTINGS = {"TELEGRAM_RATE_PER_SECOND": "10", "BACKLOG_ALERTS": "1"}


@dataclass
class Running:
    process: asyncio.subprocess.Process
    log: Printed


async def start(now: datetime, tmp_path: Path, database: Path, api: FakeBotAPI) -> Running:
    process = await start_telegram_bot(now, tmp_path, database, api.base_url, **SETTINGS)
    assert process.stderr is not None
    return Running(process, Printed(process.stderr))


async def stop(bot: Running, *, while_waiting: float = 0.0, api: FakeBotAPI) -> float:
    """SIGTERM; the Bot API answers the held requests `while_waiting` seconds later
    (never, when 0); returns how long the process took to exit."""
    process, log = bot.process, bot.log
    loop = asyncio.get_running_loop()
    signalled = loop.time()
    process.send_signal(signal.SIGTERM)
    try:
        if while_waiting:
            await asyncio.sleep(while_waiting)
            api.release()
        await asyncio.wait_for(process.wait(), 30)
        took = loop.time() - signalled
    finally:
        await reap(process, log)
    assert process.returncode == 0, log.text
    assert "Traceback" not in log.text and " ERROR " not in log.text, log.text
    return took


def alerts(api: FakeBotAPI) -> dict[int, int]:
    return {chat: sum(ARREST[1] in c.text for c in api.delivered_to(chat)) for chat in CHATS}


async def outbox(database: Path) -> dict[str, int]:
    storage = await Storage.open(database)
    try:
        return await storage.outbox.counts()
    finally:
        await storage.close()


@pytest.mark.parametrize("answered", [True, False], ids=["answers-late", "never-answers"])
async def test_sigterm_mid_fan_out_stops_within_10_s_and_loses_nothing(
    answered: bool,
    telegram_api: FakeBotAPI,
    clock: FakeClock,
    feed_server: FeedServer,
    tmp_path: Path,
) -> None:
    database = tmp_path / "tocsin.sqlite3"
    await prepare_database(
        database, clock(), telegram_chats=CHATS, feed_urls=[feed_server.serve("/rss", rss(ARREST))]
    )
    # Four answers, then the Bot API keeps every request waiting.
    telegram_api.hold_after(4)
    bot = await start(clock(), tmp_path, database, telegram_api)
    await telegram_api.wait_for("sendMessage", count=8, within=90)
    took = await stop(bot, while_waiting=2.0 if answered else 0.0, api=telegram_api)
    assert took < STOP_LIMIT, f"stopped after {took:.1f} s"

    first = alerts(telegram_api)
    counts = await outbox(database)
    assert counts["delivered"] == sum(first.values())
    if answered:
        # Answers that came during the stop were recorded.
        assert counts["delivered"] == 4 + telegram_api.held
        assert "sending" not in counts
    else:
        assert counts["delivered"] == 4
    # Requests never answered are marked to be sent again (pending, or 'sending' that
    # the next start re-queues); the rest never left.
    assert counts["pending"] > 0
    assert sum(counts.values()) == len(CHATS)

    telegram_api.release()
    bot = await start(clock() + timedelta(minutes=1), tmp_path, database, telegram_api)
    await telegram_api.wait_for(
        "sendMessage", count=len(CHATS) + (0 if answered else telegram_api.held), within=90
    )
    async with asyncio.timeout(30):
        while (await outbox(database)).get("delivered", 0) < len(CHATS):  # noqa: ASYNC110
            await asyncio.sleep(0.2)
    await stop(bot, api=telegram_api)
    assert alerts(telegram_api) == dict.fromkeys(CHATS, 1)
