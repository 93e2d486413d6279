"""Admin notices reach the bot admins in their Telegram and Discord private chats.

The app is built by the composition root with the platform tokens set, as
`tocsin run` builds it; a feed fails for longer than FEED_FAILURE_NOTIFY_AFTER_SECONDS
and the poll cycle's notifier tells the admins, through the real aiogram `Bot`
and discord.py client, each talking to its fake server.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from typing import Any

import pytest

from bot.app import Tocsin, build_app
from bot.notices import RETRY_FIRST
from bot.settings import Settings
from tests.conftest import FakeClock, FeedServer, rss
from tests.fakes.discord_api import FakeDiscord
from tests.fakes.telegram_api import BLOCKED, SERVER_ERROR, TOKEN, FakeBotAPI, retry_after

# The bot here paces chats at 50/s (quick tests); the fake Bot API is scaled alike.
pytestmark = pytest.mark.telegram_limits(per_chat_per_second=50)

REACHABLE_ADMIN = 702
BLOCKING_ADMIN = 701
DISCORD_ADMIN = 5551
DISCORD_PRIVATE_ADMIN = 5552
HOSTILE_TITLE = "**Court** @everyone <@&77> <b>watch</b>"


async def failing_feed(app: Tocsin, feed_server: FeedServer, clock: FakeClock) -> str:
    """A feed that has failed for seven hours (the default threshold is six)."""
    url = feed_server.url("/gone.xml")  # nothing is served there: 404
    await app.storage.feeds.add(url, now=clock(), title=HOSTILE_TITLE)
    first = await app.pipeline.refresh()
    assert first.failures == 1 and first.notices_sent == 0
    clock.advance(hours=7)
    return url


async def test_telegram_admins_get_the_notice_and_one_who_blocked_the_bot_stops_nobody(
    telegram_api: FakeBotAPI,
    make_settings: Callable[..., Settings],
    clock: FakeClock,
    feed_server: FeedServer,
) -> None:

    telegram_api.chat_errors[BLOCKING_ADMIN] = BLOCKED
    settings = make_settings(
        telegram_bot_token=TOKEN,
        telegram_api_url=telegram_api.base_url,
        telegram_rate_per_chat_per_second=50,  # a quick test; limits are tested elsewhere
        telegram_admin_ids=f"{BLOCKING_ADMIN},{REACHABLE_ADMIN}",
    )
    async with build_app(settings, clock=clock) as app:
        await app.start_sending()
        url = await failing_feed(app, feed_server, clock)
        report = await app.pipeline.refresh()

        # The cycle polled its feed and went on; the notice was sent once.
        assert report.failures == 1 and report.notices_sent == 1
        assert len(telegram_api.calls_to("sendMessage", BLOCKING_ADMIN)) == 1
        [notice] = telegram_api.delivered_to(REACHABLE_ADMIN)
        assert "has been failing for 7h" in notice.text and url in notice.text
        assert HOSTILE_TITLE in notice.text  # plain text: shown as written, nothing parsed
        assert "parse_mode" not in notice.params
        [stored] = await app.storage.notices.recent()
        assert stored.sent_at is not None

        # Later cycles do not repeat it; the recovery is news of its own.
        assert (await app.pipeline.refresh()).notices_sent == 0
        feed_server.serve("/gone.xml", rss(("w1", "Weather", "Snow.")))
        assert (await app.pipeline.refresh()).notices_sent == 1
    texts = [call.text for call in telegram_api.delivered_to(REACHABLE_ADMIN)]
    assert len(texts) == 2 and "works again" in texts[1]


async def test_a_notice_no_admin_could_get_is_tried_again_on_a_later_cycle(
    telegram_api: FakeBotAPI,
    make_settings: Callable[..., Settings],
    clock: FakeClock,
    feed_server: FeedServer,
) -> None:
    settings = make_settings(
        telegram_bot_token=TOKEN,
        telegram_api_url=telegram_api.base_url,
        telegram_rate_per_chat_per_second=50,  # a quick test; limits are tested elsewhere
        telegram_admin_ids=str(REACHABLE_ADMIN),
    )
    async with build_app(settings, clock=clock) as app:
        await app.start_sending()
        await failing_feed(app, feed_server, clock)
        telegram_api.fail("sendMessage", SERVER_ERROR)

        assert (await app.pipeline.refresh()).notices_sent == 0
        [stored] = await app.storage.notices.recent()
        assert stored.sent_at is None and stored.attempts == 1
        assert "Bad Gateway" in (stored.last_error or "")

        # Not hammered on every cycle: asked again once the first back-off is over.
        assert (await app.pipeline.refresh()).notices_sent == 0
        assert len(telegram_api.calls_to("sendMessage", REACHABLE_ADMIN)) == 1
        clock.advance(seconds=RETRY_FIRST.total_seconds())
        assert (await app.pipeline.refresh()).notices_sent == 1
    [notice] = telegram_api.delivered_to(REACHABLE_ADMIN)
    assert "has been failing" in notice.text


async def test_while_telegram_asks_one_admins_chat_to_wait_the_notice_goes_to_the_other(
    telegram_api: FakeBotAPI,
    make_settings: Callable[..., Settings],
    clock: FakeClock,
    feed_server: FeedServer,
) -> None:
    """The notifier runs inside the poll cycle: sitting out Telegram's "retry after
    30 s" there would stop every feed for that long. The copy for the chat that must
    wait fails at once; the other admin's chat is not held back by it."""
    settings = make_settings(
        telegram_bot_token=TOKEN,
        telegram_api_url=telegram_api.base_url,
        telegram_rate_per_chat_per_second=50,
        telegram_admin_ids=f"{BLOCKING_ADMIN},{REACHABLE_ADMIN}",
    )
    async with build_app(settings, clock=clock) as app:
        await app.start_sending()
        await failing_feed(app, feed_server, clock)
        telegram_api.fail("sendMessage", retry_after(30), chat_id=BLOCKING_ADMIN)
        loop = asyncio.get_running_loop()
        began = loop.time()
        assert (await app.pipeline.refresh()).notices_sent == 1
        assert loop.time() - began < 5
    [notice] = telegram_api.delivered_to(REACHABLE_ADMIN)
    assert "has been failing" in notice.text
    # Only the request that drew the 429 went to the waiting chat.
    assert len(telegram_api.calls_to("sendMessage", BLOCKING_ADMIN)) == 1


def dm_text(fake: FakeDiscord, user_id: int) -> list[dict[str, Any]]:
    channel = fake.dm_with(user_id)
    return [] if channel is None else fake.messages(channel)


async def test_discord_admins_get_an_inert_dm_and_closed_dms_stop_nobody(
    make_settings: Callable[..., Settings], clock: FakeClock, feed_server: FeedServer
) -> None:
    async with FakeDiscord() as fake:
        fake.refuse_dms.add(DISCORD_PRIVATE_ADMIN)
        settings = make_settings(
            discord_bot_token=fake.token,
            discord_api_url=fake.url,
            discord_admin_ids=f"{DISCORD_PRIVATE_ADMIN},{DISCORD_ADMIN}",
        )
        async with build_app(settings, clock=clock) as app:
            await app.start_sending()
            url = await failing_feed(app, feed_server, clock)
            report = await app.pipeline.refresh()
        assert report.notices_sent == 1
        assert dm_text(fake, DISCORD_PRIVATE_ADMIN) == []
        [message] = dm_text(fake, DISCORD_ADMIN)
        body = message["content"]
        assert "has been failing for 7h" in body and url in body
        # The feed's title cannot ping, bold or hide anything, yet reads the same.
        assert message["allowed_mentions"] == {"parse": []}
        assert not re.search(r"@everyone|(?<!\\)<@|(?<!\\)\*\*", body)
        assert re.sub(r"\\(.)", r"\1", body.replace("\u200b", "")).count(HOSTILE_TITLE) == 1
        assert not fake.identified.is_set()  # REST only: no gateway for a notice
        assert fake.unexpected == []


async def test_both_platforms_admins_are_told_in_one_process(
    telegram_api: FakeBotAPI,
    make_settings: Callable[..., Settings],
    clock: FakeClock,
    feed_server: FeedServer,
) -> None:
    async with FakeDiscord() as fake:
        settings = make_settings(
            telegram_bot_token=TOKEN,
            telegram_api_url=telegram_api.base_url,
            telegram_rate_per_chat_per_second=50,
            telegram_admin_ids=str(REACHABLE_ADMIN),
            discord_bot_token=fake.token,
            discord_api_url=fake.url,
            discord_admin_ids=str(DISCORD_ADMIN),
        )
        async with build_app(settings, clock=clock) as app:
            await app.start_sending()
            await failing_feed(app, feed_server, clock)
            assert (await app.pipeline.refresh()).notices_sent == 1
        assert len(telegram_api.delivered_to(REACHABLE_ADMIN)) == 1
        assert len(dm_text(fake, DISCORD_ADMIN)) == 1


async def test_without_platform_admins_notices_go_to_the_log(
    telegram_api: FakeBotAPI,
    make_settings: Callable[..., Settings],
    clock: FakeClock,
    feed_server: FeedServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings = make_settings(
        telegram_bot_token=TOKEN,
        telegram_api_url=telegram_api.base_url,
        telegram_rate_per_chat_per_second=50,
    )
    async with build_app(settings, clock=clock) as app:
        await app.start_sending()
        await failing_feed(app, feed_server, clock)
        assert (await app.pipeline.refresh()).notices_sent == 1
    assert telegram_api.calls_to("sendMessage") == []
    assert "admin notice: Feed #1" in caplog.text
