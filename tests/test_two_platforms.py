"""Telegram and Discord in one process, as `tocsin run` runs them: both runtimes, the
poll scheduler and the delivery loop started by `Tocsin.run_forever`, each bot
talking to its own fake server. One event must reach the Telegram chat and the
Discord channel that subscribed to it, exactly once each."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from bot.app import build_app
from bot.settings import Settings
from tests.conftest import FakeClock, FeedServer, rss
from tests.fakes import telegram_api as bot_api_fake
from tests.fakes.discord_api import MANAGE_CHANNELS, MEMBER_PERMISSIONS, TEXT, FakeDiscord
from tests.fakes.telegram_api import FakeBotAPI

TELEGRAM_CHAT = 5001
ARREST = (
    "a1",
    "Police detained 12 protesters at a rally in Moscow",
    "OVD-Info reports that twelve people were detained at the rally on Pushkin Square.",
)


async def test_one_event_reaches_a_telegram_chat_and_a_discord_channel_once_each(
    make_settings: Callable[..., Settings],
    clock: FakeClock,
    feed_server: FeedServer,
    telegram_api: FakeBotAPI,
) -> None:
    async with FakeDiscord() as discord_fake:
        settings = make_settings(
            telegram_bot_token=bot_api_fake.TOKEN,
            telegram_api_url=telegram_api.base_url,
            discord_bot_token=discord_fake.token,
            discord_api_url=discord_fake.url,
            backlog_alerts=1,  # the feed's newest entry may alert on its first poll
            tick_seconds=0.1,
        )
        # The composition root builds both runtimes because both tokens are set.
        async with build_app(settings, clock=clock) as app:
            assert sorted(type(r).__name__ for r in app.runtimes) == [
                "DiscordRuntime",
                "TelegramRuntime",
            ]
            stop = asyncio.Event()
            running = asyncio.create_task(app.run_forever(stop))
            try:
                # Each platform's user subscribes with that platform's command.
                chat = {"id": TELEGRAM_CHAT, "type": "private", "first_name": "Ann"}
                telegram_api.push_update(
                    {
                        "message": bot_api_fake.message(
                            chat, "/subscribe arrest", sender=bot_api_fake.user(TELEGRAM_CHAT)
                        )
                    }
                )
                await telegram_api.wait_for("sendMessage", chat_id=TELEGRAM_CHAT, within=10)
                channel = discord_fake.add_channel(TEXT, "newsroom")
                _, reply = await discord_fake.interact(
                    discord_fake.interaction(
                        "subscribe",
                        {"category": "arrest"},
                        channel=channel,
                        permissions=MEMBER_PERMISSIONS | MANAGE_CHANNELS,
                    ),
                    replies=2,  # "thinking…", then the answer as a follow-up
                )
                assert reply["content"].startswith("Done:")

                # A feed reports arrests; the running scheduler polls it.
                url = feed_server.serve("/rss", rss(ARREST))
                await app.storage.feeds.add(url, now=clock())

                await discord_fake.wait_for(lambda: len(channel.messages) >= 1)
                await telegram_api.wait_for(
                    "sendMessage",
                    chat_id=TELEGRAM_CHAT,
                    count=2,  # the /subscribe reply, then the alert
                    within=10,
                )
                # Let the scheduler and the delivery loop go round a few more times.
                await asyncio.sleep(0.5)
            finally:
                stop.set()
                await asyncio.wait_for(running, 20)

            alerts_on_telegram = [
                call
                for call in telegram_api.delivered_to(TELEGRAM_CHAT)
                if "Police detained 12 protesters" in call.text
            ]
            assert len(alerts_on_telegram) == 1
            assert len(channel.messages) == 1
            embed = channel.messages[0]["embeds"][0]
            assert embed["title"] == ARREST[1]
            assert embed["author"]["name"] == "ARRESTS"
            rows = await app.storage.db.fetchall("SELECT status FROM outbox")
            assert [row["status"] for row in rows] == ["delivered", "delivered"]
