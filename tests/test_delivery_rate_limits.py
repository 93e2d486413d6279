"""429s pause only what they concern, for a bounded time; outages end in seconds.

(Discord's side is in tests/test_discord_sender.py, beside its fixtures.)

Real storage, the real delivery loop, the real aiogram and discord.py clients, the
strict fake platforms, and the test's clock for every wait (the rate limiters run
on it too, so an hour's pause costs the test nothing).
"""

from __future__ import annotations

import pytest

from bot.delivery.contract import RETRY_AFTER_CAP_SECONDS
from bot.delivery.decisions import OUTAGE_PAUSE_CAP_SECONDS
from bot.delivery.ratelimit import RateLimiter, RateLimits
from tests.conftest import FakeClock
from tests.fakes.telegram_api import SERVER_ERROR, FakeBotAPI, retry_after
from tests.fakes.telegram_bot import (
    TelegramHarness,
    add_event,
    subscribed_chat,
)

# The bot here paces chats at 50/s (quick tests); the fake Bot API is scaled alike.
pytestmark = pytest.mark.telegram_limits(per_chat_per_second=50)


@pytest.fixture
def telegram_limiter(clock: FakeClock) -> RateLimiter:
    # On the test's clock: an hour's pause costs the test nothing.
    return RateLimiter(RateLimits(per_chat_per_second=50), clock=clock.monotonic)


async def alert_to(tg: TelegramHarness, clock: FakeClock, chats: list[int], title: str) -> None:
    event = await add_event(tg.storage, clock(), title=title)
    await tg.storage.outbox.enqueue(event, chats, clock())


def titles(telegram_api: FakeBotAPI, chat_id: int) -> list[str]:
    return [c.text.split("\n")[1] for c in telegram_api.delivered_to(chat_id)]


async def test_one_chats_flood_wait_of_an_hour_holds_back_that_chat_alone(
    tg: TelegramHarness, telegram_api: FakeBotAPI, clock: FakeClock
) -> None:
    flooded = await subscribed_chat(tg.storage, clock(), 40)
    other = await subscribed_chat(tg.storage, clock(), 41)
    telegram_api.fail("sendMessage", retry_after(3600), chat_id=40)
    await alert_to(tg, clock, [flooded, other], "First")
    assert await tg.app.delivery.drain() == 1

    # A minute later the other chat gets its next alert at once; the flooded chat
    # is not even asked (a request there would only be refused again).
    clock.advance(minutes=1)
    await alert_to(tg, clock, [flooded, other], "Second")
    assert await tg.app.delivery.drain() == 1
    assert titles(telegram_api, 41) == ["<b>First</b>", "<b>Second</b>"]
    assert len(telegram_api.calls_to("sendMessage", 40)) == 1
    assert await tg.storage.outbox.counts() == {"delivered": 2, "pending": 2}

    # The wait is bounded: the chat is asked again once the cap has passed, and gets
    # both alerts, in order, without either losing an attempt.
    clock.advance(seconds=RETRY_AFTER_CAP_SECONDS - 60)
    assert await tg.app.delivery.drain() == 2
    assert titles(telegram_api, 40) == ["<b>First</b>", "<b>Second</b>"]


async def test_an_absurd_retry_after_is_bounded_and_leaves_no_row_sending(
    tg: TelegramHarness, telegram_api: FakeBotAPI, clock: FakeClock
) -> None:
    """10^12 seconds overflowed a datetime: the row stayed 'sending' and Telegram
    stayed paused until a restart."""
    chat = await subscribed_chat(tg.storage, clock(), 40)
    other = await subscribed_chat(tg.storage, clock(), 41)
    telegram_api.fail("sendMessage", retry_after(10**12), chat_id=40)
    await alert_to(tg, clock, [chat, other], "Blocked")

    assert await tg.app.delivery.drain() == 1
    rows = await tg.storage.db.fetchall("SELECT status, attempts FROM outbox ORDER BY id")
    assert [(r["status"], r["attempts"]) for r in rows] == [("pending", 0), ("delivered", 1)]

    clock.advance(seconds=RETRY_AFTER_CAP_SECONDS)
    assert await tg.app.delivery.drain() == 1
    assert titles(telegram_api, 40) == ["<b>Blocked</b>"]


async def test_two_chats_refused_at_once_is_the_bots_limit_and_every_chat_waits(
    tg: TelegramHarness, telegram_api: FakeBotAPI, clock: FakeClock
) -> None:
    """Telegram does not say whose limit a 429 was; refusals for different chats within
    a second can only be the bot's overall limit."""
    chats = [await subscribed_chat(tg.storage, clock(), 40 + n) for n in range(3)]
    for chat_id in (40, 41):
        telegram_api.fail("sendMessage", retry_after(30), chat_id=chat_id)
    await alert_to(tg, clock, chats[:2], "First")
    assert await tg.app.delivery.drain() == 0

    await alert_to(tg, clock, chats[2:], "Second")
    assert await tg.app.delivery.drain() == 0
    assert telegram_api.calls_to("sendMessage", 42) == []

    clock.advance(seconds=31)
    assert await tg.app.delivery.drain() == 3


async def test_after_a_three_minute_outage_delivery_resumes_within_seconds(
    tg: TelegramHarness, telegram_api: FakeBotAPI, clock: FakeClock
) -> None:
    chats = [await subscribed_chat(tg.storage, clock(), 40 + n) for n in range(3)]
    await alert_to(tg, clock, chats, "During the outage")
    down = True
    telegram_api.fail("sendMessage", SERVER_ERROR, times=10**9, when=lambda _: down)

    # The loop drains about once a second (Delivery.run's idle tick); so does this.
    for _ in range(180):
        assert await tg.app.delivery.drain() == 0
        clock.advance(seconds=1)
    probes = len(telegram_api.calls_to("sendMessage"))
    down = False
    waited = 0
    while await tg.app.delivery.drain() == 0:
        clock.advance(seconds=1)
        waited += 1
        assert waited <= 60, "delivery did not resume within a minute of recovery"

    # Back within the cap of the outage backoff (it was 135 s with a five-minute cap).
    assert waited <= OUTAGE_PAUSE_CAP_SECONDS
    assert await tg.storage.outbox.counts() == {"delivered": 3}
    # Each probe (after 2, 4, 8, then every 10 s: 21 in three minutes) costs about one
    # request: rows still waiting for their turn when the first answer paused the
    # platform stay unsent (a request already in flight may still go).
    assert probes <= 45
