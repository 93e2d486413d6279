"""Discord: every request with the bot's token waits in one limiter, against a strict fake.

The fake Discord judges its limits when each request arrives: 50 requests a second
per bot (interactions excepted, as Discord excepts them) and 5 messages per 5 s
per channel. Many people subscribing at once, then an alert to each of their
channels and a notice to the admins, must meet no 429.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from bot.app import build_app
from bot.settings import Settings
from handlers.commands import CommandService
from handlers.discord.runtime import DiscordRuntime
from tests.conftest import FakeClock
from tests.fakes.discord_api import MANAGE_CHANNELS, MEMBER_PERMISSIONS, TEXT, FakeDiscord
from tests.fakes.telegram_bot import add_event

CHANNELS = 60
# Each notice is two requests (open the DM, post): ten admins are twenty requests
# on top of the alert wave, which alone runs close to the per-bot limit.
ADMINS = tuple(range(111, 121))


async def test_commands_then_an_alert_and_a_notice_meet_no_429(
    make_settings: Callable[..., Settings], clock: FakeClock
) -> None:
    async with FakeDiscord() as fake:
        settings = make_settings(
            discord_bot_token=fake.token,
            discord_api_url=fake.url,
            discord_admin_ids=",".join(map(str, ADMINS)),
        )
        async with build_app(settings, clock=clock, with_platforms=False) as app:
            service = CommandService(
                app.storage, app.pipeline, admin_ids={"discord": frozenset(ADMINS)}, clock=clock
            )
            runtime = DiscordRuntime(settings, service)
            app.delivery.add_sender(runtime.sender)
            await runtime.start()
            try:
                await asyncio.wait_for(fake.identified.wait(), 10)
                channels = [fake.add_channel(TEXT, f"news-{n}") for n in range(CHANNELS)]
                # Everyone subscribes at once: each is a "thinking…" and a follow-up.
                replies = await asyncio.gather(
                    *(
                        fake.interact(
                            fake.interaction(
                                "subscribe",
                                {"category": "all"},
                                channel=channel,
                                permissions=MEMBER_PERMISSIONS | MANAGE_CHANNELS,
                            ),
                            replies=2,
                            within=60,
                        )
                        for channel in channels
                    )
                )
                assert all(str(r[-1].get("content", "")).startswith("Done:") for r in replies)
                subscribed = await app.storage.chats.active_subscriptions()
                assert len(subscribed) == CHANNELS

                # Then an alert to every channel, and a notice to every admin.
                event = await add_event(app.storage, clock())
                await app.storage.outbox.enqueue(event, [c.id for c, _ in subscribed], clock())
                assert runtime.notice_sink is not None
                notice = asyncio.create_task(runtime.notice_sink.notify_admins("a test notice"))
                assert await app.delivery.drain() == CHANNELS
                await notice
            finally:
                await runtime.stop()
    assert (fake.global_violations, fake.rate_limit_violations) == (0, 0)
    assert all(len(channel.messages) == 1 for channel in channels)
    for admin in ADMINS:
        dm = fake.dm_with(admin)
        assert dm is not None and len(dm.messages) == 1
