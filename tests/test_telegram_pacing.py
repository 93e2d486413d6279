"""Every message the bot sends shares one limiter, against a Bot API as strict as Telegram's.

The fake Bot API counts Telegram's limits (30 messages a second overall, one a
second per chat, 20 a minute per group) at the moment each request arrives, and
answers 429 to anything over them. Replies, button answers, edits and alerts must
all wait for their turn in the same limiter, or a burst of commands followed by a
fan-out would meet those 429s.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

import pytest

from bot.delivery.ratelimit import RateLimiter, RateLimits
from bot.settings import Settings
from handlers.telegram.context import ChoiceData
from tests.conftest import FakeClock
from tests.fakes.telegram_api import (
    FakeBotAPI,
    callback_query,
    message,
    retry_after,
    user,
)
from tests.fakes.telegram_bot import add_event, telegram_bot, telegram_settings

USERS = range(5000, 5300)


def errors(caplog: pytest.LogCaptureFixture) -> list[str]:
    """ERROR lines, except aiogram's own about a long poll cut short (loopback churn)."""
    return [
        r.getMessage()
        for r in caplog.records
        if r.levelno >= logging.ERROR and not r.getMessage().startswith("Failed to fetch updates")
    ]


def private_chat(user_id: int) -> dict[str, object]:
    return {"id": user_id, "type": "private", "first_name": f"User{user_id}"}


async def test_300_users_subscribe_within_a_second_then_one_alert_reaches_each_once(
    telegram_api: FakeBotAPI, make_settings: Callable[..., Settings], clock: FakeClock
) -> None:
    settings = telegram_settings(make_settings, telegram_api)
    async with telegram_bot(settings, clock, telegram_api) as tg:
        # 300 people send /subscribe within one second.
        for batch in range(10):
            for user_id in USERS[batch * 30 : (batch + 1) * 30]:
                telegram_api.push_update(
                    {
                        "message": message(
                            private_chat(user_id), "/subscribe all", sender=user(user_id)
                        )
                    }
                )
            await asyncio.sleep(0.09)
        replies = await telegram_api.wait_for(
            "sendMessage", count=len(USERS), within=60, where=lambda c: c.chat_id in USERS
        )
        assert len(replies) == len(USERS)
        subscribed = await tg.storage.chats.active_subscriptions()
        assert len(subscribed) == len(USERS)

        # Then one alert fans out to the same 300 chats, right after their replies.
        event = await add_event(tg.storage, clock())
        await tg.storage.outbox.enqueue(event, [chat.id for chat, _ in subscribed], clock())
        assert await tg.app.delivery.drain() == len(USERS)

    assert (telegram_api.too_many, telegram_api.too_many_reasons) == (0, [])
    for user_id in USERS:
        got = [call.text for call in telegram_api.delivered_to(user_id)]
        assert len(got) == 2, (user_id, got)
        reply, alert = got
        assert reply.startswith("Done:") and "🚨" not in reply
        assert alert.startswith("<b>🚨")


# Scaled so the test is quick: 5 a second per chat, 10 a second overall.
SCALED = {"per_second": 10, "per_chat_per_second": 5}


@pytest.mark.telegram_limits(**SCALED)
async def test_button_presses_answers_and_edits_keep_the_limits(
    telegram_api: FakeBotAPI, make_settings: Callable[..., Settings], clock: FakeClock
) -> None:
    """Each press is an answerCallbackQuery (overall) and an edit (in the chat)."""
    settings = telegram_settings(make_settings, telegram_api)
    limiter = RateLimiter(RateLimits(per_second=10, per_chat_per_second=5))
    async with telegram_bot(settings, clock, telegram_api, limiter=limiter):
        chat = private_chat(5000)
        shown = message(chat, "choose", sender=user(5000))
        data = ChoiceData(action="subscribe", argument="arrest").pack()
        presses = 12
        for _ in range(presses):
            telegram_api.push_update(callback_query(user(5000), shown, data))
        await telegram_api.wait_for("answerCallbackQuery", count=presses, within=30)
        await telegram_api.wait_for("editMessageText", count=presses, within=30)
    assert (telegram_api.too_many, telegram_api.too_many_reasons) == (0, [])
    # Overall 10 a second: 24 messages cannot have arrived in much under two seconds.
    counted = ("answerCallbackQuery", "editMessageText")
    stamps = sorted(c.at for c in telegram_api.calls if c.method in counted)
    assert len(stamps) == 2 * presses
    assert stamps[-1] - stamps[0] >= 2.0


async def test_a_reply_that_meets_a_429_waits_and_arrives_and_alerts_to_that_chat_hold_back(
    telegram_api: FakeBotAPI,
    make_settings: Callable[..., Settings],
    clock: FakeClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings = telegram_settings(make_settings, telegram_api)
    telegram_api.fail("sendMessage", retry_after(2), chat_id=5000)
    async with telegram_bot(settings, clock, telegram_api) as tg:
        telegram_api.push_update(
            {"message": message(private_chat(5000), "/help", sender=user(5000))}
        )
        [first] = await telegram_api.wait_for("sendMessage", chat_id=5000, within=10)
        # Telegram's pause reaches the shared limiter (once its answer is read):
        # alerts to that chat wait for it too; other chats do not.
        for _ in range(100):
            if tg.runtime.limiter.pause_left("5000") > 0:
                break
            await asyncio.sleep(0.01)
        assert tg.runtime.limiter.pause_left("5000") > 0.5
        assert tg.runtime.limiter.pause_left("5001") == 0
        tries = await telegram_api.wait_for("sendMessage", chat_id=5000, count=2, within=10)
        assert tries[1].at - first.at >= 2.0
    [answer] = telegram_api.delivered_to(5000)
    assert "/subscribe" in answer.text
    assert not errors(caplog)


async def test_a_reply_telegram_keeps_refusing_is_given_up_with_one_warning(
    telegram_api: FakeBotAPI,
    make_settings: Callable[..., Settings],
    clock: FakeClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A pause longer than a reply may wait: one warning line, no traceback, no ERROR."""
    telegram_api.fail("sendMessage", retry_after(600), chat_id=5000)
    settings = telegram_settings(make_settings, telegram_api)
    async with telegram_bot(settings, clock, telegram_api) as tg:
        with caplog.at_level(logging.WARNING):
            telegram_api.push_update(
                {"message": message(private_chat(5000), "/help", sender=user(5000))}
            )
            await telegram_api.wait_for("sendMessage", chat_id=5000, within=10)
            for _ in range(100):
                if any("reply not sent" in r.getMessage() for r in caplog.records):
                    break
                await asyncio.sleep(0.05)
        # The pause stays with the limiter, for alerts to that chat too.
        assert tg.runtime.limiter.pause_left("5000") > 500
    assert len(telegram_api.calls_to("sendMessage", 5000)) == 1
    assert not errors(caplog)
    [line] = [r for r in caplog.records if "reply not sent" in r.getMessage()]
    assert line.levelno == logging.WARNING and line.exc_info is None
    assert "600" in line.getMessage()
