"""A delivery process killed (SIGKILL) in the middle of a fan-out, then restarted.

The guarantee under test: every alert the fake Bot API answered before the crash
is recorded as delivered and never sent again; every alert not yet sent goes out
after the restart; the only rows in doubt are the requests that were in flight,
and those are exactly the ones resent.
"""

from __future__ import annotations

import asyncio
import signal
import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.settings import Settings
from bot.storage import Storage
from tests.conftest import FakeClock
from tests.fakes.telegram_api import FakeBotAPI
from tests.fakes.telegram_bot import add_event, subscribed_chat, telegram_bot, telegram_settings
from tests.processes import tocsin_env

ROOT = Path(__file__).resolve().parent.parent
CHATS = 80


def delivered_rows(path: Path) -> int:
    connection = sqlite3.connect(path)
    try:
        row = connection.execute("SELECT COUNT(*) FROM outbox WHERE status = 'delivered'")
        return int(row.fetchone()[0])
    finally:
        connection.close()


async def wait_until(
    condition: Callable[[], bool], extra: Callable[[], object] = lambda: "", within: float = 90.0
) -> None:
    deadline = asyncio.get_running_loop().time() + within
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"condition not reached in time: {extra()}")
        await asyncio.sleep(0.02)


# The worker paces at 200 messages a second; the fake Bot API is scaled alike.
@pytest.mark.telegram_limits(per_second=200)
async def test_killed_mid_fan_out_each_chat_gets_the_alert_exactly_once(
    make_settings: Callable[..., Settings],
    clock: FakeClock,
    tmp_path: Path,
    telegram_api: FakeBotAPI,
) -> None:
    settings = telegram_settings(make_settings, telegram_api)
    storage = await Storage.open(settings.database_path)
    try:
        chats = [await subscribed_chat(storage, clock(), 3000 + n) for n in range(CHATS)]
        event = await add_event(storage, clock())
        await storage.outbox.enqueue(event, chats, clock())
    finally:
        await storage.close()

    # 25 alerts are answered; later requests arrive but get no answer yet.
    telegram_api.hold_after(25)
    worker = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.fakes.delivery_worker",
        str(settings.database_path),
        telegram_api.base_url,
        clock().isoformat(),  # the worker's clock starts at the test's
        cwd=ROOT,
        env=tocsin_env(clock=clock),
    )
    try:
        await wait_until(
            lambda: len(telegram_api.delivered) == 25 and telegram_api.held > 0,
            lambda: (
                len(telegram_api.delivered),
                telegram_api.held,
                len(telegram_api.calls),
                worker.returncode,
            ),
        )
        # Let the worker record the answers it has (its own writes are quick).
        await wait_until(lambda: delivered_rows(settings.database_path) == 25)
    finally:
        worker.send_signal(signal.SIGKILL)
        await worker.wait()
    in_flight = telegram_api.held
    telegram_api.release()
    await asyncio.sleep(0.1)  # the held handlers notice their client is gone
    assert len(telegram_api.delivered) == 25  # nothing answered to a dead process counts

    storage = await Storage.open(settings.database_path)
    try:
        # Only the requests that were in flight are in doubt; rows merely read
        # into memory were never marked and are simply still pending.
        counts = await storage.outbox.counts()
    finally:
        await storage.close()
    assert counts["delivered"] == 25
    # Rows in doubt: every request the server held, plus any row marked 'sending'
    # whose request had not left the dead process yet.
    assert counts["sending"] >= in_flight
    assert counts["sending"] + counts.get("pending", 0) == CHATS - 25
    # The held requests did arrive, and Telegram counts a chat's limit at arrival: a
    # new process knows nothing of them, so it starts (as a real restart would) a
    # second later.
    await asyncio.sleep(1.0)
    # The restart (build_app) re-queues the rows in doubt, then delivery resumes.
    async with telegram_bot(settings, clock, telegram_api, start=False) as tg:
        assert await tg.app.delivery.drain() == CHATS - 25
        assert await tg.storage.outbox.counts() == {"delivered": CHATS}
    per_chat = [len(telegram_api.delivered_to(3000 + n)) for n in range(CHATS)]
    assert per_chat == [1] * CHATS
