"""Outages of a whole platform, and stops mid-fan-out: nothing queued may be lost.

Real storage, the real delivery loop, the real aiogram and discord.py clients, and
fake platform servers on loopback that go down (or refuse the bot) for longer than
a retry limit by count would ever have allowed, then come back.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable
from urllib.parse import urlsplit

import discord
import pytest

from bot.delivery import Delivery
from bot.storage import Storage
from handlers.discord.client import client_options
from handlers.discord.runtime import point_discord_at
from handlers.discord.sender import DiscordSender
from tests.conftest import FakeClock
from tests.fakes.discord_api import TEXT, FakeDiscord
from tests.fakes.telegram_api import NOT_FOUND_METHOD, SERVER_ERROR, TOO_LONG, Failure, FakeBotAPI
from tests.fakes.telegram_bot import (
    TelegramHarness,
    add_event,
    subscribed_chat,
)
from tests.test_discord_sender import discord_chat, outbox_rows, queue_alert

# The bot here paces chats at 50/s (quick tests); the fake Bot API is scaled alike.
pytestmark = pytest.mark.telegram_limits(per_chat_per_second=50)

CHATS = 4
EVENTS = 3


class Outage:
    """Takes the fake Bot API down in one of the ways Telegram can be unusable."""

    def __init__(self, telegram_api: FakeBotAPI, kind: str) -> None:
        self.api = telegram_api
        self.kind = kind
        self.down = False
        failure = {
            "5xx": SERVER_ERROR,
            "revoked-token": Failure(401, "Unauthorized"),
            "wrong-telegram_api-url": NOT_FOUND_METHOD,
        }.get(kind)
        if failure is not None:
            telegram_api.fail("sendMessage", failure, times=10**9, when=lambda _: self.down)

    async def begin(self) -> None:
        self.down = True
        if self.kind == "network":  # nothing listens: connections are refused
            await self.api.stop()

    async def end(self) -> None:
        self.down = False
        if self.kind == "network":
            await self.api.start(port=urlsplit(self.api.base_url).port or 0)


@pytest.mark.parametrize("kind", ["network", "5xx", "revoked-token", "wrong-telegram_api-url"])
async def test_an_outage_of_hours_then_recovery_delivers_every_alert_once(
    tg: TelegramHarness, telegram_api: FakeBotAPI, clock: FakeClock, kind: str
) -> None:
    chats = [await subscribed_chat(tg.storage, clock(), 100 + n) for n in range(CHATS)]
    for n in range(EVENTS):
        event = await add_event(tg.storage, clock(), title=f"Event {n}")
        await tg.storage.outbox.enqueue(event, chats, clock())
    outage = Outage(telegram_api, kind)
    await outage.begin()

    # Three hours down: far past ten tries 5 s apart, doubling (about 43 minutes).
    for _ in range(18):
        assert await tg.app.delivery.drain() == 0
        clock.advance(minutes=10)
    counts = await tg.storage.outbox.counts()
    assert counts == {"pending": CHATS * EVENTS}
    assert all(chat.active for chat, _ in await tg.storage.chats.active_subscriptions())

    await outage.end()
    # Telegram is probed at least every five minutes, so alerts flow again soon.
    clock.advance(minutes=5)
    assert await tg.app.delivery.drain() == CHATS * EVENTS
    assert await tg.storage.outbox.counts() == {"delivered": CHATS * EVENTS}
    for n in range(CHATS):
        titles = [c.text.split("\n")[1] for c in telegram_api.delivered_to(100 + n)]
        assert titles == [f"<b>Event {e}</b>" for e in range(EVENTS)]


async def test_an_alert_still_undelivered_a_day_later_is_given_up(
    tg: TelegramHarness, telegram_api: FakeBotAPI, clock: FakeClock
) -> None:
    chat = await subscribed_chat(tg.storage, clock(), 42)
    await tg.storage.outbox.enqueue(await add_event(tg.storage, clock()), [chat], clock())
    outage = Outage(telegram_api, "5xx")
    await outage.begin()
    for _ in range(25):
        await tg.app.delivery.drain()
        clock.advance(hours=1)
    # A newer alert, queued late in the outage, is still worth sending.
    fresh = await add_event(tg.storage, clock(), title="Fresh")
    await tg.storage.outbox.enqueue(fresh, [chat], clock())
    await outage.end()

    assert await tg.app.delivery.drain() == 1

    rows = await tg.storage.db.fetchall("SELECT status, last_error FROM outbox ORDER BY id")
    assert [r["status"] for r in rows] == ["failed", "delivered"]
    assert "not delivered within 24 h" in rows[0]["last_error"]
    [sent] = telegram_api.delivered
    assert "Fresh" in sent.text


async def test_a_message_telegram_refuses_for_good_fails_at_once(
    tg: TelegramHarness, telegram_api: FakeBotAPI, clock: FakeClock
) -> None:
    chat = await subscribed_chat(tg.storage, clock(), 42)
    telegram_api.fail("sendMessage", TOO_LONG)
    await tg.storage.outbox.enqueue(await add_event(tg.storage, clock()), [chat], clock())

    assert await tg.app.delivery.drain() == 0

    assert await tg.storage.outbox.counts() == {"failed": 1}
    stays = await tg.storage.chats.by_id(chat)
    assert stays is not None and stays.active


async def test_a_stop_while_rows_are_being_marked_leaves_no_row_in_doubt(
    tg: TelegramHarness, telegram_api: FakeBotAPI, clock: FakeClock
) -> None:
    """Delivery stopped while its lanes wait for their rows to be marked 'sending' (the
    write held up by another connection's lock): once the write lands, the rows are
    given back, so nothing is left 'sending' and each alert goes out once later."""
    chats = [await subscribed_chat(tg.storage, clock(), 500 + n) for n in range(5)]
    assert await tg.app.delivery.drain() == 0  # the periodic expiry check is done
    await tg.storage.outbox.enqueue(await add_event(tg.storage, clock()), chats, clock())
    blocker = sqlite3.connect(tg.app.settings.database_path, isolation_level=None)
    try:
        blocker.execute("BEGIN IMMEDIATE")  # every write now waits (busy_timeout)
        drain = asyncio.create_task(tg.app.delivery.drain())
        await wait_until(lambda: lanes() == 5)
        await asyncio.sleep(0)  # the lanes take their first step: asking for the mark
        drain.cancel()
        blocker.execute("COMMIT")
        with pytest.raises(asyncio.CancelledError):
            await drain
    finally:
        blocker.close()
    assert telegram_api.calls_to("sendMessage") == []
    assert await tg.storage.outbox.counts() == {"pending": 5}
    assert await tg.app.delivery.drain() == 5
    assert sorted(c.chat_id or 0 for c in telegram_api.delivered) == [500 + n for n in range(5)]


def lanes() -> int:
    """Delivery lanes alive (their tasks are named after the chat they serve)."""
    return sum(1 for t in asyncio.all_tasks() if t.get_name().startswith("delivery-chat-"))


async def wait_until(condition: Callable[[], bool], within: float = 5.0) -> None:
    deadline = asyncio.get_running_loop().time() + within
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.01)


async def test_a_404_without_a_discord_error_code_pauses_discord_and_deactivates_nothing(
    discord_api: FakeDiscord, storage: Storage, clock: FakeClock, discord_client: discord.Client
) -> None:
    """A wrong DISCORD_API_URL path (or a proxy) answers 404 with no Discord error code:
    that says nothing about the channels, so none may be deactivated."""
    channels = [discord_api.add_channel(TEXT, f"alerts-{n}") for n in range(3)]
    chats = [await discord_chat(storage, clock, channel) for channel in channels]
    for chat in chats:
        await queue_alert(storage, clock, chat)
    delivery = Delivery(storage, {"discord": DiscordSender(discord_client)}, clock=clock)
    restore = point_discord_at(discord_api.url + "/wrong/path")
    try:
        assert await delivery.drain() == 0
    finally:
        restore()
    assert discord_api.unexpected  # the requests did hit the wrong path

    assert [c.id for c in await storage.chats.inactive()] == []
    rows = await outbox_rows(storage)
    assert [r["status"] for r in rows] == ["pending"] * 3
    # The first answer paused Discord: rows still waiting for their turn were not sent.
    assert any("Discord 404" in r["last_error"] for r in rows)
    assert all("Discord 404" in r["last_error"] or "paused" in r["last_error"] for r in rows)

    clock.advance(minutes=5)
    assert await delivery.drain() == 3
    assert [len(discord_api.messages(channel)) for channel in channels] == [1, 1, 1]


async def test_a_fan_out_to_many_channels_keeps_under_discords_limits(
    storage: Storage, clock: FakeClock
) -> None:
    async with FakeDiscord() as discord_api:
        restore = point_discord_at(discord_api.url)
        discord_client = discord.Client(**client_options())
        try:
            await discord_client.login(discord_api.token)
            channels = [discord_api.add_channel(TEXT, f"alerts-{n}") for n in range(120)]
            for channel in channels:
                await queue_alert(storage, clock, await discord_chat(storage, clock, channel))
            delivery = Delivery(storage, {"discord": DiscordSender(discord_client)}, clock=clock)

            assert await delivery.drain() == 120
        finally:
            await discord_client.close()
            restore()
    assert (discord_api.global_violations, discord_api.rate_limit_violations) == (0, 0)
    assert all(len(discord_api.messages(channel)) == 1 for channel in channels)
