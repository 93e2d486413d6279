"""Alerts through the outbox, the real aiogram Bot and a fake Bot API server that misbehaves."""

from __future__ import annotations

import asyncio
import html
import re
from collections.abc import Callable

import pytest

from bot.delivery.ratelimit import RateLimiter, RateLimits
from bot.settings import Settings
from handlers.commands import Caller, ChatRef
from tests.conftest import FakeClock
from tests.fakes.telegram_api import (
    BLOCKED,
    CANT_PARSE,
    CHAT_NOT_FOUND,
    DROP_CONNECTION,
    FORBIDDEN,
    SERVER_ERROR,
    Failure,
    FakeBotAPI,
    FakeLimits,
    migrate_to,
    parse_html,
    retry_after,
    running_bot_api,
    utf16_len,
)
from tests.fakes.telegram_bot import (
    ADMIN_ID,
    TelegramHarness,
    add_event,
    subscribed_chat,
    telegram_bot,
    telegram_settings,
)

# The bot here paces chats at 50/s (quick tests); the fake Bot API is scaled alike.
pytestmark = pytest.mark.telegram_limits(per_chat_per_second=50)


async def outbox_state(tg: TelegramHarness) -> dict[str, int]:
    return await tg.storage.outbox.counts()


async def test_alert_reaches_a_private_chat_as_escaped_html(
    tg: TelegramHarness, telegram_api: FakeBotAPI, clock: FakeClock
) -> None:

    await subscribed_chat(tg.storage, clock(), 42)
    event = await add_event(
        tg.storage,
        clock(),
        title='Court <b>blocks</b> "X" & co',
        link='https://example.org/a?x=1&y="2"',
        fields={"actor": "Roskomnadzor", "target": "X <platform>"},
    )
    assert await tg.storage.outbox.enqueue(event, [1], clock()) == 1
    assert await tg.app.delivery.drain() == 1
    [sent] = telegram_api.calls_to("sendMessage", 42)
    assert sent.params["parse_mode"] == "HTML"
    assert "Court &lt;b&gt;blocks&lt;/b&gt; &quot;X&quot; &amp; co" in sent.text
    assert 'href="https://example.org/a?x=1&amp;y=&quot;2&quot;"' in sent.text
    assert "CENSORSHIP" in sent.text and "Roskomnadzor" in sent.text
    assert "X &lt;platform&gt;" in sent.text
    assert sent.params["link_preview_options"] == {"is_disabled": True}
    assert await outbox_state(tg) == {"delivered": 1}


async def test_link_previews_follow_the_setting(
    telegram_api: FakeBotAPI, make_settings: Callable[..., Settings], clock: FakeClock
) -> None:
    settings = telegram_settings(make_settings, telegram_api, telegram_link_previews=True)
    async with telegram_bot(settings, clock, telegram_api, start=False) as tg:
        chat_id = await subscribed_chat(tg.storage, clock(), 42)
        await tg.storage.outbox.enqueue(await add_event(tg.storage, clock()), [chat_id], clock())
        await tg.app.delivery.drain()
    assert telegram_api.calls_to("sendMessage")[0].params["link_preview_options"] == {
        "is_disabled": False
    }


async def test_forum_topic_alerts_go_to_the_subscribed_topic(
    tg: TelegramHarness, telegram_api: FakeBotAPI, clock: FakeClock
) -> None:
    topic = await subscribed_chat(tg.storage, clock(), -100600, kind="supergroup", thread_id="7")
    await tg.storage.outbox.enqueue(await add_event(tg.storage, clock()), [topic], clock())
    assert await tg.app.delivery.drain() == 1
    [sent] = telegram_api.calls_to("sendMessage", -100600)
    assert sent.params["message_thread_id"] == "7"


async def test_html_the_api_refuses_is_resent_as_plain_text(
    tg: TelegramHarness, telegram_api: FakeBotAPI, clock: FakeClock
) -> None:
    chat = await subscribed_chat(tg.storage, clock(), 42)
    telegram_api.fail("sendMessage", CANT_PARSE, when=lambda p: p.get("parse_mode") == "HTML")
    event = await add_event(tg.storage, clock(), title="Blocked <maybe>")
    await tg.storage.outbox.enqueue(event, [chat], clock())
    assert await tg.app.delivery.drain() == 1
    first, second = telegram_api.calls_to("sendMessage", 42)
    assert first.params["parse_mode"] == "HTML"
    assert "parse_mode" not in second.params
    assert "Blocked <maybe>" in second.text
    assert len(telegram_api.delivered) == 1


async def test_retry_after_for_one_chat_holds_back_that_chat_only(
    tg: TelegramHarness, telegram_api: FakeBotAPI, clock: FakeClock
) -> None:
    chats = [await subscribed_chat(tg.storage, clock(), 40 + n) for n in range(3)]
    telegram_api.fail("sendMessage", retry_after(1), chat_id=40)
    await tg.storage.outbox.enqueue(await add_event(tg.storage, clock()), chats, clock())
    assert await tg.app.delivery.drain() == 2
    assert len(telegram_api.calls_to("sendMessage", 40)) == 1
    assert sorted(c.chat_id or 0 for c in telegram_api.delivered) == [41, 42]
    # The paused row is due again after retry_after, without losing an attempt.
    clock.advance(seconds=2)
    assert await tg.app.delivery.drain() == 1
    assert [c.chat_id for c in telegram_api.delivered].count(40) == 1
    status = await tg.storage.outbox.get_status(1)
    assert status == ("delivered", 1)


@pytest.mark.parametrize(
    "failure", [FORBIDDEN, BLOCKED, CHAT_NOT_FOUND], ids=["kicked", "blocked", "not-found"]
)
async def test_a_gone_chat_is_deactivated_and_shown_in_status(
    tg: TelegramHarness, telegram_api: FakeBotAPI, clock: FakeClock, failure: object
) -> None:
    gone = await subscribed_chat(tg.storage, clock(), -100800, kind="supergroup")
    fine = await subscribed_chat(tg.storage, clock(), 42)
    telegram_api.chat_errors[-100800] = failure  # type: ignore[assignment]
    for n in range(2):
        event = await add_event(tg.storage, clock(), title=f"Blocked {n}")
        await tg.storage.outbox.enqueue(event, [gone, fine], clock())
    assert await tg.app.delivery.drain() == 2
    # One attempt told us the chat is gone; the second alert was not even tried.
    assert len(telegram_api.calls_to("sendMessage", -100800)) == 1
    chat = await tg.storage.chats.by_id(gone)
    assert chat is not None and not chat.active
    assert await outbox_state(tg) == {"delivered": 2, "failed": 2}
    assert [c.id for c, _ in await tg.storage.chats.active_subscriptions()] == [fine]
    admin = Caller(ADMIN_ID)
    status = await tg.service.status(ChatRef("telegram", str(ADMIN_ID), "private"), admin)
    assert "-100800" in status.text
    assert str(failure.description) in status.text  # type: ignore[attr-defined]


async def test_migrated_group_moves_the_subscription_and_resends(
    tg: TelegramHarness, telegram_api: FakeBotAPI, clock: FakeClock
) -> None:
    chat = await subscribed_chat(tg.storage, clock(), -500, kind="group")
    telegram_api.fail("sendMessage", migrate_to(-100500), chat_id=-500)
    await tg.storage.outbox.enqueue(await add_event(tg.storage, clock()), [chat], clock())
    assert await tg.app.delivery.drain() == 1
    assert len(telegram_api.delivered_to(-100500)) == 1 and telegram_api.delivered_to(-500) == []
    moved = await tg.storage.chats.by_id(chat)
    assert moved is not None and moved.external_id == "-100500" and moved.active
    # Later alerts go straight to the new id.
    event = await add_event(tg.storage, clock(), title="Second")
    await tg.storage.outbox.enqueue(event, [chat], clock())
    assert await tg.app.delivery.drain() == 1
    assert len(telegram_api.calls_to("sendMessage", -500)) == 1
    assert len(telegram_api.delivered_to(-100500)) == 2


async def test_migration_onto_an_already_subscribed_supergroup_sends_once(
    tg: TelegramHarness, telegram_api: FakeBotAPI, clock: FakeClock
) -> None:
    old = await subscribed_chat(tg.storage, clock(), -500, kind="group")
    new = await subscribed_chat(tg.storage, clock(), -100500, kind="supergroup")
    telegram_api.chat_errors[-500] = migrate_to(-100500)
    await tg.storage.outbox.enqueue(await add_event(tg.storage, clock()), [old, new], clock())
    assert await tg.app.delivery.drain() == 1
    assert len(telegram_api.delivered_to(-100500)) == 1
    old_chat = await tg.storage.chats.by_id(old)
    assert old_chat is not None and not old_chat.active
    # The old group's copy is settled, not left pending forever on a deactivated chat.
    assert await outbox_state(tg) == {"delivered": 1, "failed": 1}


# A dropped connection reaches aiogram as aiohttp's own 500 page, which it cannot
# decode: like a 5xx, Telegram's trouble rather than the alert's. Real network
# failures are in tests/test_delivery_outages.py.
@pytest.mark.parametrize(
    ("failure", "attempts"), [(SERVER_ERROR, 1), (DROP_CONNECTION, 1)], ids=["5xx", "dropped"]
)
async def test_server_errors_and_dropped_connections_retry_with_backoff(
    tg: TelegramHarness, telegram_api: FakeBotAPI, clock: FakeClock, failure: object, attempts: int
) -> None:
    chat = await subscribed_chat(tg.storage, clock(), 42)
    telegram_api.fail("sendMessage", failure, times=2)  # type: ignore[arg-type]
    await tg.storage.outbox.enqueue(await add_event(tg.storage, clock()), [chat], clock())
    assert await tg.app.delivery.drain() == 0
    assert await tg.app.delivery.drain() == 0  # not due yet: backing off
    assert len(telegram_api.calls_to("sendMessage")) == 1
    clock.advance(seconds=2)
    assert await tg.app.delivery.drain() == 0
    clock.advance(seconds=2)
    assert await tg.app.delivery.drain() == 0  # second backoff is 4 s
    clock.advance(seconds=2)
    assert await tg.app.delivery.drain() == 1
    assert len(telegram_api.calls_to("sendMessage")) == 3 and len(telegram_api.delivered) == 1
    # Telegram's trouble, not the alert's: those tries used up no attempt.
    assert await tg.storage.outbox.get_status(1) == ("delivered", attempts)


async def test_sender_keeps_every_limit_so_the_server_never_says_429(
    make_settings: Callable[..., Settings], clock: FakeClock
) -> None:
    # Limits scaled so the test is quick: 40/s overall, 5/s per chat, 4 per 2 s per group.
    fake_limits = FakeLimits(
        per_second=40, per_chat_per_second=5, per_group_per_minute=120, group_window_seconds=2
    )
    limits = RateLimits(
        per_second=40, per_chat_per_second=5, per_group_per_minute=120, group_window_seconds=2
    )
    async with running_bot_api(fake_limits) as telegram_api:
        settings = telegram_settings(make_settings, telegram_api)
        async with telegram_bot(
            settings, clock, telegram_api, start=False, limiter=RateLimiter(limits)
        ) as tg:
            private = [await subscribed_chat(tg.storage, clock(), 1000 + n) for n in range(30)]
            group = await subscribed_chat(tg.storage, clock(), -100900, kind="supergroup")
            busy = await subscribed_chat(tg.storage, clock(), 999)
            for n in range(6):
                event = await add_event(tg.storage, clock(), title=f"Event {n}")
                chats = [group, busy] + (private if n == 0 else [])
                await tg.storage.outbox.enqueue(event, chats, clock())
            started = asyncio.get_running_loop().time()
            delivered = await tg.app.delivery.drain()
            assert (delivered, telegram_api.too_many_reasons) == (42, [])
            elapsed = asyncio.get_running_loop().time() - started
    assert telegram_api.too_many == 0
    # The group's six alerts needed two 2-second windows beyond the first.
    assert elapsed >= 2.0
    # Each chat got its alerts in the order they were detected.
    for chat_id in (-100900, 999):
        titles = [c.text.split("\n")[1] for c in telegram_api.delivered_to(chat_id)]
        assert titles == [f"<b>Event {n}</b>" for n in range(6)]


@pytest.mark.telegram_limits(per_second=100, per_chat_per_second=50)
async def test_graceful_stop_mid_fan_out_then_restart_sends_each_alert_once(
    telegram_api: FakeBotAPI, make_settings: Callable[..., Settings], clock: FakeClock
) -> None:
    settings = telegram_settings(make_settings, telegram_api, telegram_rate_per_second=100)
    async with telegram_bot(settings, clock, telegram_api, start=False) as tg:
        chats = [await subscribed_chat(tg.storage, clock(), 2000 + n) for n in range(60)]
        await tg.storage.outbox.enqueue(await add_event(tg.storage, clock()), chats, clock())
        stop = asyncio.Event()
        run = asyncio.create_task(tg.app.delivery.run(stop))
        await telegram_api.wait_for("sendMessage", count=20)
        stop.set()
        await asyncio.wait_for(run, 5)
        sent_before = len(telegram_api.delivered)
        assert 20 <= sent_before < 60
        counts = await tg.storage.outbox.counts()
        # A clean stop waits for answers already on their way: nothing is left in doubt.
        assert counts.get("sending", 0) == 0
        assert counts["delivered"] == sent_before
    async with telegram_bot(settings, clock, telegram_api, start=False) as tg:
        assert await tg.storage.outbox.recover_inflight() == 0
        assert await tg.app.delivery.drain() == 60 - sent_before
    assert sorted(c.chat_id or 0 for c in telegram_api.delivered) == [2000 + n for n in range(60)]


HUGE = {
    "title": 'Суд <заблокировал> "всё" & всех 🚨 ' * 120,
    "summary": '<b>Роскомнадзор</b> & co: «ограничить» "доступ" 😀 ' * 600,
    "fields": {
        "actor": "<Роскомнадзор> & " * 100,
        "target": '"Signal" <a href="x">' * 100,
        "detained": "12 " * 400,
        "place": "Москва & " * 300,
    },
    "link": 'https://example.org/news?id=1&q="x"&' + "p=1&" * 200,
}


@pytest.mark.parametrize("html_refused", [False, True], ids=["html", "plain-fallback"])
async def test_huge_hostile_alert_fits_4096_characters_and_is_delivered(
    tg: TelegramHarness, telegram_api: FakeBotAPI, clock: FakeClock, html_refused: bool
) -> None:
    """The fake refuses what Telegram refuses: HTML that does not parse, and more than
    4,096 UTF-16 units of text once parsed; the alert arrives all the same."""
    chat = await subscribed_chat(tg.storage, clock(), 42, language="ru")
    if html_refused:
        telegram_api.fail("sendMessage", CANT_PARSE, when=lambda p: p.get("parse_mode") == "HTML")
    event = await add_event(tg.storage, clock(), **HUGE)  # type: ignore[arg-type]
    await tg.storage.outbox.enqueue(event, [chat], clock())

    assert await tg.app.delivery.drain() == 1

    [sent] = telegram_api.delivered
    problem, visible = parse_html(sent.text) if not html_refused else (None, sent.text)
    assert problem is None
    assert 1000 < utf16_len(visible) <= utf16_len(sent.text) <= 4096
    assert visible.startswith('🚨 ЦЕНЗУРА\nСуд <заблокировал> "всё" & всех')
    assert "Кто: <Роскомнадзор> & " in visible and "Источник: Example News" in visible
    if not html_refused:
        [anchor] = re.findall(r'<a href="([^"]*)">', sent.text)
        assert html.unescape(anchor) == HUGE["link"]


async def test_a_deleted_forum_topic_stops_only_that_topic(
    tg: TelegramHarness, telegram_api: FakeBotAPI, clock: FakeClock
) -> None:
    gone = await subscribed_chat(tg.storage, clock(), -100600, kind="supergroup", thread_id="7")
    alive = await subscribed_chat(tg.storage, clock(), -100600, kind="supergroup", thread_id="9")
    telegram_api.fail(
        "sendMessage",
        Failure(400, "Bad Request: message thread not found"),
        when=lambda p: p.get("message_thread_id") == "7",
    )
    await tg.storage.outbox.enqueue(await add_event(tg.storage, clock()), [gone, alive], clock())

    assert await tg.app.delivery.drain() == 1

    [sent] = telegram_api.delivered
    assert sent.params["message_thread_id"] == "9"
    topic = await tg.storage.chats.by_id(gone)
    assert topic is not None and not topic.active
    assert "message thread not found" in (topic.deactivated_reason or "")
    other = await tg.storage.chats.by_id(alive)
    assert other is not None and other.active
