"""Neither platform's failure stops the other, nor the polling.

Both runtimes run in one process as `tocsin run` runs them (`Tocsin.run_forever`:
the runtimes, the poll scheduler and the delivery loop); one platform's server is
unreachable for the whole run. The feed is still polled, the other platform's chat
still gets its alert exactly once, and the unreachable platform's alert waits in
the outbox instead of being lost or counted as refused.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable

import pytest

from bot.app import build_app
from bot.domain.chat import Platform, Subscription
from bot.domain.vocabulary import CATEGORIES
from bot.settings import Settings
from bot.storage import Storage
from tests.conftest import FakeClock, FeedServer, rss
from tests.fakes.discord_api import TEXT, FakeDiscord
from tests.fakes.telegram_api import TOKEN, FakeBotAPI

TELEGRAM_CHAT = 7001
ARREST = (
    "a1",
    "Police detained 12 protesters at a rally in Moscow",
    "OVD-Info reports that twelve people were detained at the rally on Pushkin Square.",
)


def closed_port_url() -> str:
    """A loopback address where nothing listens: connections are refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{probe.getsockname()[1]}"


async def subscribe(
    storage: Storage, clock: FakeClock, platform: Platform, external_id: str
) -> int:
    chat = await storage.chats.upsert(platform, external_id, now=clock(), kind="guild_text")
    await storage.chats.subscribe(chat.id, Subscription(chat.id, CATEGORIES), now=clock())
    return chat.id


async def outbox_status(storage: Storage, chat_id: int) -> str:
    [row] = await storage.db.fetchall("SELECT status FROM outbox WHERE chat_id = ?", (chat_id,))
    return str(row["status"])


@pytest.mark.parametrize("down", ["telegram", "discord"])
async def test_one_platform_down_the_other_and_the_polling_carry_on(
    make_settings: Callable[..., Settings],
    clock: FakeClock,
    feed_server: FeedServer,
    down: str,
    telegram_api: FakeBotAPI,
) -> None:
    async with FakeDiscord() as discord_fake:
        channel = discord_fake.add_channel(TEXT, "newsroom")
        settings = make_settings(
            telegram_bot_token=TOKEN,
            telegram_api_url=closed_port_url() if down == "telegram" else telegram_api.base_url,
            discord_bot_token=discord_fake.token,
            discord_api_url=closed_port_url() if down == "discord" else discord_fake.url,
            backlog_alerts=1,
            tick_seconds=0.1,
            parse_pool="thread",
        )
        async with build_app(settings, clock=clock) as app:
            on_telegram = await subscribe(app.storage, clock, "telegram", str(TELEGRAM_CHAT))
            on_discord = await subscribe(app.storage, clock, "discord", str(channel.id))
            feed = await app.storage.feeds.add(feed_server.serve("/rss", rss(ARREST)), now=clock())
            stop = asyncio.Event()
            running = asyncio.create_task(app.run_forever(stop))
            try:
                if down == "telegram":
                    await discord_fake.wait_for(lambda: len(channel.messages) >= 1)
                else:
                    await telegram_api.wait_for("sendMessage", chat_id=TELEGRAM_CHAT, within=10)
                await asyncio.sleep(0.5)  # a few more rounds of polling and delivery
            finally:
                stop.set()
                await asyncio.wait_for(running, 20)

            polled = await app.storage.feeds.get(feed.id)
            assert polled is not None and polled.last_success_at is not None
            alive, dead = (
                (on_discord, on_telegram) if down == "telegram" else (on_telegram, on_discord)
            )
            assert await outbox_status(app.storage, alive) == "delivered"
            assert await outbox_status(app.storage, dead) == "pending"
            dead_chat = await app.storage.chats.by_id(dead)
            assert dead_chat is not None and dead_chat.active
    if down == "telegram":
        assert len(channel.messages) == 1
    else:
        assert len(telegram_api.delivered_to(TELEGRAM_CHAT)) == 1
        assert channel.messages == []
