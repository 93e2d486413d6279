"""`tocsin run --once` delivers to every platform: one poll, one drain, and exit.

The platform senders are built and used without receiving anything: no long
polling on Telegram, no gateway on Discord, just the REST calls that send.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.app import build_app
from bot.domain.chat import Platform, Subscription
from bot.domain.vocabulary import CATEGORIES
from bot.settings import Settings
from bot.storage import Storage
from tests.conftest import FakeClock, FeedServer, rss
from tests.fakes.discord_api import TEXT, Channel, FakeDiscord
from tests.fakes.telegram_api import TOKEN, FakeBotAPI
from tests.processes import start_cli

# The bot here paces chats at 50/s (quick tests); the fake Bot API is scaled alike.
pytestmark = pytest.mark.telegram_limits(per_chat_per_second=50)

TELEGRAM_CHAT = 6001
ARREST = (
    "a1",
    "Police detained 12 protesters at a rally in Moscow",
    "OVD-Info reports that twelve people were detained at the rally on Pushkin Square.",
)
CENSORSHIP = (
    "c1",
    "Roskomnadzor blocked access to the Signal messenger",
    "The regulator restricted access to Signal across Russia.",
)


async def subscribe_both(storage: Storage, clock: FakeClock, channel: Channel) -> None:
    chats: list[tuple[Platform, str, str]] = [
        ("telegram", str(TELEGRAM_CHAT), "private"),
        ("discord", str(channel.id), "guild_text"),
    ]
    for platform, external_id, kind in chats:
        chat = await storage.chats.upsert(platform, external_id, now=clock(), kind=kind)
        await storage.chats.subscribe(chat.id, Subscription(chat.id, CATEGORIES), now=clock())


def alerts_on_telegram(telegram_api: FakeBotAPI) -> list[str]:
    return [c.text for c in telegram_api.delivered_to(TELEGRAM_CHAT) if ARREST[1] in c.text]


async def test_run_once_sends_to_telegram_and_discord_without_polling_or_gateway(
    telegram_api: FakeBotAPI,
    make_settings: Callable[..., Settings],
    clock: FakeClock,
    feed_server: FeedServer,
) -> None:
    async with FakeDiscord() as discord_fake:
        channel = discord_fake.add_channel(TEXT, "newsroom")
        settings = make_settings(
            telegram_bot_token=TOKEN,
            telegram_api_url=telegram_api.base_url,
            telegram_rate_per_chat_per_second=50,  # a quick test; limits are tested elsewhere
            discord_bot_token=discord_fake.token,
            discord_api_url=discord_fake.url,
            backlog_alerts=1,
            parse_pool="thread",  # worker processes would only slow the test down
        )
        async with build_app(settings, clock=clock) as app:
            await subscribe_both(app.storage, clock, channel)
            await app.storage.feeds.add(feed_server.serve("/rss", rss(ARREST)), now=clock())
            report, delivered = await app.run_once()
            assert (report.alerts, delivered) == (2, 2)
            # The next run sends what is new, and nothing twice.
            feed_server.serve("/rss", rss(ARREST, CENSORSHIP))
            clock.advance(hours=1)
            assert (await app.run_once())[1] == 2
            counts = await app.storage.outbox.counts()
            assert counts == {"delivered": 4}
    assert len(alerts_on_telegram(telegram_api)) == 1
    assert sum(CENSORSHIP[1] in c.text for c in telegram_api.delivered_to(TELEGRAM_CHAT)) == 1
    titles = [message["embeds"][0]["title"] for message in channel.messages]
    assert titles == [ARREST[1], CENSORSHIP[1]]
    assert telegram_api.polls == 0 and telegram_api.calls_to("setMyCommands") == []
    assert not discord_fake.identified.is_set() and discord_fake.commands is None


async def test_run_once_with_discord_unreachable_still_delivers_to_telegram(
    telegram_api: FakeBotAPI,
    make_settings: Callable[..., Settings],
    clock: FakeClock,
    feed_server: FeedServer,
) -> None:
    async with FakeDiscord() as discord_fake:
        channel = discord_fake.add_channel(TEXT, "newsroom")
        settings = make_settings(
            telegram_bot_token=TOKEN,
            telegram_api_url=telegram_api.base_url,
            discord_bot_token="a-token-discord-rejects",
            discord_api_url=discord_fake.url,
            backlog_alerts=1,
            parse_pool="thread",  # worker processes would only slow the test down
        )
        async with build_app(settings, clock=clock) as app:
            await subscribe_both(app.storage, clock, channel)
            await app.storage.feeds.add(feed_server.serve("/rss", rss(ARREST)), now=clock())
            _, delivered = await asyncio.wait_for(app.run_once(), 20)
            assert delivered == 1
            counts = await app.storage.outbox.counts()
    # The Discord alert waits in the outbox for a run that can log in.
    assert counts == {"delivered": 1, "pending": 1}
    assert len(alerts_on_telegram(telegram_api)) == 1
    assert channel.messages == []


async def test_the_command_line_run_once_delivers_to_both_platforms(
    telegram_api: FakeBotAPI, clock: FakeClock, feed_server: FeedServer, tmp_path: Path
) -> None:
    database = tmp_path / "once.sqlite3"
    async with FakeDiscord() as discord_fake:
        channel = discord_fake.add_channel(TEXT, "newsroom")
        storage = await Storage.open(database)
        try:
            await subscribe_both(storage, clock, channel)
            await storage.feeds.add(feed_server.serve("/rss", rss(ARREST)), now=clock())
        finally:
            await storage.close()
        process = await start_cli(
            clock(),
            "run",
            "--once",
            cwd=tmp_path,
            DATABASE_PATH=str(database),
            TELEGRAM_BOT_TOKEN=TOKEN,
            TELEGRAM_API_URL=telegram_api.base_url,
            DISCORD_BOT_TOKEN=discord_fake.token,
            DISCORD_API_URL=discord_fake.url,
            FETCH_ALLOW_PRIVATE_NETWORKS="true",
            BACKLOG_ALERTS="1",
        )
        out, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 0, err.decode()
    assert out.decode().strip().splitlines()[-1].endswith("2 alerts delivered")
    assert len(alerts_on_telegram(telegram_api)) == 1
    assert len(channel.messages) == 1
