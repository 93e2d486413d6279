"""Starting and stopping `tocsin run` while a platform misbehaves.

Tocsin runs as `Tocsin.run_forever` runs it: the poll scheduler, the delivery loop and
the platform runtimes, each bot talking to its fake server. A platform that hangs
(its command menus, its admin notices) must delay neither the feeds nor the other
platform; a webhook takes only Telegram's own requests; stopping waits for the poll
cycle under way before the storage is closed.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from bot.app import Tocsin, build_app
from bot.settings import Settings
from tests.conftest import FakeClock, FeedServer, rss
from tests.fakes import telegram_api as bot_api_fake
from tests.fakes.discord_api import FakeDiscord
from tests.fakes.telegram_api import TOKEN, FakeBotAPI
from tests.fakes.telegram_bot import telegram_bot, telegram_settings

# The bot here paces chats at 50/s (quick tests); the fake Bot API is scaled alike.
pytestmark = pytest.mark.telegram_limits(per_chat_per_second=50)


ADMIN = 702
USER = 42


class HangingMenus(FakeBotAPI):
    """A Bot API server that receives setMyCommands and never answers it."""

    def __init__(self) -> None:
        super().__init__()
        self.menus_asked = asyncio.Event()
        self.hold = asyncio.Event()

    async def _m_setMyCommands(self, params: dict[str, Any]) -> Any:
        self.menus_asked.set()
        await self.hold.wait()
        return True

    async def stop(self) -> None:
        self.hold.set()
        await super().stop()


class HangingWebhook(FakeBotAPI):
    """A Bot API server that receives setWebhook and never answers it."""

    def __init__(self) -> None:
        super().__init__()
        self.webhook_asked = asyncio.Event()
        self.hold = asyncio.Event()

    async def _m_setWebhook(self, params: dict[str, Any]) -> Any:
        self.webhook_asked.set()
        await self.hold.wait()
        return True

    async def stop(self) -> None:
        self.hold.set()
        await super().stop()


def polled_route(feed_server: FeedServer, path: str) -> asyncio.Event:
    """Serve a feed at `path`; the event is set when it is first fetched."""
    polled = asyncio.Event()
    body = rss(("n1", "Weather", "Snow in the hills."))

    async def handle(request: web.Request) -> web.Response:
        polled.set()
        return web.Response(text=body, content_type="application/rss+xml")

    feed_server.handlers[path] = handle
    return polled


async def failing_for_hours(app: Tocsin, feed_server: FeedServer, clock: FakeClock) -> None:
    """A feed that has failed for seven hours: its admin notice is due."""
    await app.storage.feeds.add(feed_server.url("/gone.xml"), now=clock())  # 404
    await app.pipeline.refresh()
    clock.advance(hours=7)


async def test_a_hanging_admin_notice_does_not_hold_up_the_polling(
    telegram_api: FakeBotAPI,
    make_settings: Callable[..., Settings],
    clock: FakeClock,
    feed_server: FeedServer,
) -> None:
    settings = make_settings(
        telegram_bot_token=TOKEN,
        telegram_api_url=telegram_api.base_url,
        telegram_rate_per_chat_per_second=50,
        telegram_admin_ids=str(ADMIN),
        tick_seconds=0.1,
        parse_pool="thread",
    )
    async with build_app(settings, clock=clock) as app:
        notifier = app.pipeline.notifier
        assert notifier is not None
        notifier.sink_timeout = 1.0
        await failing_for_hours(app, feed_server, clock)
        telegram_api.answering.clear()  # sendMessage is received, never answered
        stop = asyncio.Event()
        running = asyncio.create_task(app.run_forever(stop))
        try:
            await telegram_api.wait_for("sendMessage", chat_id=ADMIN, within=10)
            loop = asyncio.get_running_loop()
            asked_at = loop.time()
            polled = polled_route(feed_server, "/news.xml")
            await app.storage.feeds.add(feed_server.url("/news.xml"), now=clock())
            # The next cycle comes once the notice's bound is over, not the
            # Bot API's own timeout (a minute) later.
            await asyncio.wait_for(polled.wait(), 5)
            assert loop.time() - asked_at < notifier.sink_timeout + 2
        finally:
            stop.set()
            await asyncio.wait_for(running, 20)
        # The timed-out try counts as Telegram's failure; it is asked again later.
        [stored] = await app.storage.notices.recent()
        assert stored.sent_at is None
        assert "telegram: no answer within 1 s" in (stored.last_error or "")
    assert telegram_api.delivered_to(ADMIN) == []


async def test_a_hanging_menu_call_delays_neither_feeds_nor_commands_nor_discord(
    make_settings: Callable[..., Settings], clock: FakeClock, feed_server: FeedServer
) -> None:
    telegram_api = HangingMenus()
    await telegram_api.start()
    try:
        async with FakeDiscord() as discord_fake:
            settings = make_settings(
                telegram_bot_token=TOKEN,
                telegram_api_url=telegram_api.base_url,
                telegram_admin_ids=str(ADMIN),
                discord_bot_token=discord_fake.token,
                discord_api_url=discord_fake.url,
                tick_seconds=0.1,
                parse_pool="thread",
            )
            async with build_app(settings, clock=clock) as app:
                polled = polled_route(feed_server, "/rss")
                await app.storage.feeds.add(feed_server.url("/rss"), now=clock())
                stop = asyncio.Event()
                running = asyncio.create_task(app.run_forever(stop))
                try:
                    await asyncio.wait_for(telegram_api.menus_asked.wait(), 5)
                    await asyncio.wait_for(polled.wait(), 5)
                    await asyncio.wait_for(discord_fake.identified.wait(), 10)
                    # Telegram's own commands work while the menu call still hangs.
                    chat = {"id": USER, "type": "private", "first_name": "Ann"}
                    telegram_api.push_update(
                        {
                            "message": bot_api_fake.message(
                                chat, "/help", sender=bot_api_fake.user(USER)
                            )
                        }
                    )
                    [reply] = await telegram_api.wait_for("sendMessage", chat_id=USER, within=5)
                    assert "/subscribe" in reply.text
                    assert not telegram_api.hold.is_set()
                finally:
                    stop.set()
                    await asyncio.wait_for(running, 20)
    finally:
        await telegram_api.stop()


async def test_a_platform_whose_start_hangs_delays_neither_feeds_nor_discord(
    make_settings: Callable[..., Settings], clock: FakeClock, feed_server: FeedServer
) -> None:
    """Telegram's start (registering the webhook) never returns; Discord logs in and
    the feeds are polled all the same, and stopping does not wait for Telegram."""
    telegram_api = HangingWebhook()
    await telegram_api.start()
    try:
        async with FakeDiscord() as discord_fake:
            settings = make_settings(
                telegram_bot_token=TOKEN,
                telegram_api_url=telegram_api.base_url,
                telegram_webhook_url="https://bot.example.org/tg/hook",
                telegram_webhook_port=0,
                discord_bot_token=discord_fake.token,
                discord_api_url=discord_fake.url,
                tick_seconds=0.1,
                parse_pool="thread",
            )
            async with build_app(settings, clock=clock) as app:
                polled = polled_route(feed_server, "/rss")
                await app.storage.feeds.add(feed_server.url("/rss"), now=clock())
                stop = asyncio.Event()
                running = asyncio.create_task(app.run_forever(stop))
                try:
                    await asyncio.wait_for(telegram_api.webhook_asked.wait(), 5)
                    await asyncio.wait_for(polled.wait(), 5)
                    await asyncio.wait_for(discord_fake.identified.wait(), 10)
                    assert not telegram_api.hold.is_set()
                finally:
                    stop.set()
                    await asyncio.wait_for(running, 20)
    finally:
        await telegram_api.stop()


async def test_a_webhook_without_a_configured_secret_refuses_forged_updates(
    telegram_api: FakeBotAPI,
    make_settings: Callable[..., Settings],
    clock: FakeClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    settings = telegram_settings(
        make_settings,
        telegram_api,
        telegram_webhook_url="https://bot.example.org/tg/hook",
        telegram_webhook_port=0,
    )
    assert settings.telegram_webhook_secret is None
    async with telegram_bot(settings, clock, telegram_api) as harness:
        assert telegram_api.webhook is not None
        secret = str(telegram_api.webhook.get("secret_token") or "")
        assert len(secret) >= 32  # registered with Telegram, which repeats it
        url = f"http://127.0.0.1:{harness.runtime.webhook_port}/tg/hook"
        # An operator command, as anyone who found the URL could try to forge it.
        forged = {
            "update_id": 1,
            "message": bot_api_fake.message(
                {"id": 700, "type": "private", "first_name": "Op"},
                "/help",
                sender=bot_api_fake.user(700),
            ),
        }
        async with aiohttp.ClientSession() as session:
            for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "guess"}):
                async with session.post(url, json=forged, headers=headers) as response:
                    assert response.status == 401  # aiogram's refusal
            headers = {"X-Telegram-Bot-Api-Secret-Token": secret}
            async with session.post(url, json=forged, headers=headers) as response:
                assert response.status == 200
        [reply] = await telegram_api.wait_for("sendMessage", chat_id=700)
        assert "/subscribe" in reply.text
    assert "random secret" in caplog.text
    assert secret not in caplog.text


class SlowToCancelSink:
    """An admin-notice sink that hangs, and when cancelled needs a moment to tidy up
    (as a client closing its connection does)."""

    name = "slow"
    language = "en"

    def __init__(self) -> None:
        self.asked = asyncio.Event()
        self.cancelled = asyncio.Event()
        self.release = asyncio.Event()
        self.finished = False

    async def notify_admins(self, text: str) -> None:
        self.asked.set()
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            self.cancelled.set()
            await self.release.wait()
            self.finished = True
            raise


async def test_stopping_waits_for_the_poll_cycle_under_way(
    make_settings: Callable[..., Settings], clock: FakeClock, feed_server: FeedServer
) -> None:
    settings = make_settings(tick_seconds=0.1, parse_pool="thread")
    async with build_app(settings, clock=clock, with_platforms=False) as app:
        sink = SlowToCancelSink()
        assert app.pipeline.notifier is not None
        app.pipeline.notifier.add_sink(sink)
        await failing_for_hours(app, feed_server, clock)
        stop = asyncio.Event()
        running = asyncio.create_task(app.run_forever(stop))
        await asyncio.wait_for(sink.asked.wait(), 5)
        stop.set()
        await asyncio.wait_for(sink.cancelled.wait(), 5)
        # The cycle is still unwinding: run_forever must not return (and let the
        # storage be closed) before it has.
        done, _ = await asyncio.wait({running}, timeout=0.5)
        assert not done
        sink.release.set()
        await asyncio.wait_for(running, 10)
        assert sink.finished
        # The storage is still open and consistent for whatever closes it next.
        assert len(await app.storage.notices.recent()) == 1


async def test_a_stopped_telegram_bot_asks_for_no_more_updates(
    telegram_api: FakeBotAPI, make_settings: Callable[..., Settings], clock: FakeClock
) -> None:
    """Nothing polls a closed bot: a poll after stop would open a new HTTP session
    that nobody closes, and keep asking a server that may be gone."""
    settings = telegram_settings(make_settings, telegram_api)
    async with telegram_bot(settings, clock, telegram_api):
        for _ in range(100):
            if telegram_api.polls:
                break
            await asyncio.sleep(0.05)
        assert telegram_api.polls
    polls = telegram_api.polls
    await asyncio.sleep(1.5)  # longer than the harness's long-poll timeout
    assert telegram_api.polls == polls
