"""Readers' feedback on Telegram, through the real aiogram Bot and Dispatcher against the
strict fake Bot API: the "false alarm" button under alerts, /missed, weak signals as an
option of /subscribe, and source languages the detector does not read."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import timedelta

import pytest

from bot.settings import Settings
from tests.conftest import FakeClock, FeedServer, rss
from tests.fakes.telegram_api import (
    TOKEN,
    FakeBotAPI,
    callback_query,
    markup_refusal,
    message,
    user,
)
from tests.fakes.telegram_bot import (
    ADMIN_ID,
    TelegramHarness,
    add_event,
    subscribed_chat,
    telegram_bot,
    telegram_settings,
)

pytestmark = pytest.mark.telegram_limits(per_chat_per_second=50)

GROUP_ID = -100500
GROUP = {"id": GROUP_ID, "type": "supergroup", "title": "Monitors"}
GROUP_ADMIN_ID = 52
READER_ID = 61
ADMIN_CHAT = {"id": ADMIN_ID, "type": "private", "first_name": "Op"}


@pytest.fixture
async def bot(
    telegram_api: FakeBotAPI, make_settings: Callable[..., Settings], clock: FakeClock
) -> AsyncIterator[TelegramHarness]:
    telegram_api.add_chat(GROUP_ID, "supergroup", "Monitors")
    telegram_api.set_member(GROUP_ID, GROUP_ADMIN_ID, "administrator")
    settings = telegram_settings(make_settings, telegram_api, telegram_rate_per_chat_per_second=50)
    async with telegram_bot(settings, clock, telegram_api) as harness:
        yield harness


async def say(api: FakeBotAPI, chat: dict[str, object], text: str, sender: int) -> str:
    chat_id = int(str(chat["id"]))
    before = len(api.calls_to("sendMessage", chat_id))
    lang = "ru" if sender % 2 else "en"
    api.push_update({"message": message(chat, text, sender=user(sender, lang))})
    calls = await api.wait_for("sendMessage", chat_id=chat_id, count=before + 1)
    return calls[-1].text


async def press(
    api: FakeBotAPI, who: int, shown: dict[str, object], data: str
) -> dict[str, object]:
    """Press a button of a message the bot sent; the bot's answer to that press."""
    before = len(api.callback_answers)
    api.push_update(callback_query(user(who), shown, data))
    await api.wait_for("answerCallbackQuery", count=len(api.calls_to("answerCallbackQuery")) + 1)
    assert len(api.callback_answers) == before + 1, "the press was answered as Telegram refuses"
    return api.callback_answers[-1]


def as_alert(answer: dict[str, object]) -> bool:
    """Whether the answer pops up as an alert (form values arrive as text)."""
    return str(answer.get("show_alert", "false")).lower() == "true"


async def delivered_alert(
    tg: TelegramHarness, api: FakeBotAPI, clock: FakeClock, language: str
) -> tuple[int, dict[str, object], str]:
    """An alert delivered to the group in `language`: (event id, message shown, button data)."""
    chat_id = await subscribed_chat(
        tg.storage, clock(), GROUP_ID, kind="supergroup", language=language
    )
    event = await add_event(tg.storage, clock())
    await tg.storage.outbox.enqueue(event, [chat_id], clock())
    assert await tg.app.delivery.drain() == 1
    [sent] = api.calls_to("sendMessage", GROUP_ID)
    [[button]] = sent.params["reply_markup"]["inline_keyboard"]
    shown = {"message_id": 1000, "date": 0, "chat": GROUP, "text": "alert"}
    return event, shown | {"reply_markup": sent.params["reply_markup"]}, button


@pytest.mark.parametrize(
    ("language", "label", "thanks", "again"),
    [
        ("en", "False alarm", "Thank you: marked as a false alarm", "already marked"),
        ("ru", "Ложная тревога", "Спасибо: отмечено как ложная тревога", "уже отметили"),
    ],
)
async def test_a_reader_marks_an_alert_a_false_alarm_once_and_is_answered_alone(
    bot: TelegramHarness,
    telegram_api: FakeBotAPI,
    clock: FakeClock,
    language: str,
    label: str,
    thanks: str,
    again: str,
) -> None:
    event, shown, button = await delivered_alert(bot, telegram_api, clock, language)
    assert button["text"] == label
    answer = await press(telegram_api, READER_ID, shown, str(button["callback_data"]))
    assert thanks in str(answer["text"]) and not as_alert(answer)
    answer = await press(telegram_api, READER_ID, shown, str(button["callback_data"]))
    assert again in str(answer["text"])
    await press(telegram_api, READER_ID + 2, shown, str(button["callback_data"]))
    # Two people, one event; nothing was posted in the group for it.
    [flagged] = await bot.storage.feedback.flagged(clock() - timedelta(days=1))
    assert (flagged.event_id, flagged.flags) == (event, 2)
    assert len(telegram_api.calls_to("sendMessage", GROUP_ID)) == 1
    assert not telegram_api.calls_to("editMessageText")


async def test_status_shows_the_operators_the_marks_and_missed_links(
    bot: TelegramHarness, telegram_api: FakeBotAPI, clock: FakeClock
) -> None:
    _, shown, button = await delivered_alert(bot, telegram_api, clock, "en")
    await press(telegram_api, READER_ID, shown, str(button["callback_data"]))
    answer = await say(telegram_api, GROUP, "/missed https://example.org/news/77", READER_ID + 1)
    assert "the link is recorded for the operators" in answer
    answer = await say(telegram_api, ADMIN_CHAT, "/status", ADMIN_ID)
    assert "1 false-alarm marks on 1 alerts; 1 missed links" in answer
    assert "https://example.org/news/77" in answer
    audit = await bot.storage.audit.recent()
    assert audit[0].action == "missed" and "https://example.org/news/77" in audit[0].detail


@pytest.mark.parametrize(
    ("argument", "expected"),
    [
        ("", "Usage: /missed URL"),
        ("javascript:alert(1)", "is not a web address"),
        ("https://exa mple.org/x", "is not a web address"),
        ("ftp://example.org/file", "is not a web address"),
    ],
)
async def test_missed_takes_only_a_web_address(
    bot: TelegramHarness, telegram_api: FakeBotAPI, clock: FakeClock, argument: str, expected: str
) -> None:
    private = {"id": 42, "type": "private", "first_name": "Ann"}
    answer = await say(telegram_api, private, f"/missed {argument}".strip(), 42)
    assert expected in answer
    assert (await bot.storage.feedback.counts(clock() - timedelta(days=1))).missed == 0


async def test_missed_answers_in_russian_in_a_russian_chat(
    bot: TelegramHarness, telegram_api: FakeBotAPI
) -> None:
    private = {"id": 43, "type": "private", "first_name": "Иван"}
    answer = await say(telegram_api, private, "/missed not-a-link", 43)
    assert "не веб-адрес" in answer


async def test_subscribe_buttons_then_weak_signals_by_a_second_button(
    bot: TelegramHarness, telegram_api: FakeBotAPI
) -> None:
    private = {"id": 42, "type": "private", "first_name": "Ann"}
    await say(telegram_api, private, "/subscribe", 42)
    offer = telegram_api.calls_to("sendMessage", 42)[-1]
    censorship = offer.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    shown = {"message_id": 1000, "date": 0, "chat": private, "text": offer.text}
    telegram_api.push_update(callback_query(user(42), shown, censorship))
    edits = await telegram_api.wait_for("editMessageText", chat_id=42)
    [[weak]] = edits[-1].params["reply_markup"]["inline_keyboard"]
    assert weak["text"] == "Also weak signals"
    telegram_api.push_update(callback_query(user(42), shown, weak["callback_data"]))
    edits = await telegram_api.wait_for("editMessageText", chat_id=42, count=2)
    assert "also receive weak signals" in edits[-1].text
    [[back]] = edits[-1].params["reply_markup"]["inline_keyboard"]
    assert back["text"] == "Events only"
    chat = await bot.storage.chats.get("telegram", "42")
    assert chat is not None
    subscription = await bot.storage.chats.subscription(chat.id)
    assert subscription is not None
    assert (subscription.categories, subscription.min_severity) == (("censorship",), "low")
    answer = await say(telegram_api, private, "/subscriptions", 42)
    assert "also weak signals (threats, plans, bills, lifted bans)" in answer


async def test_weak_signals_buttons_in_a_group_are_for_its_admins(
    bot: TelegramHarness, telegram_api: FakeBotAPI, clock: FakeClock
) -> None:
    await subscribed_chat(bot.storage, clock(), GROUP_ID, kind="supergroup")
    shown = {"message_id": 1000, "date": 0, "chat": GROUP, "text": "subscribed"}
    data = "t:weak:on:"
    answer = await press(telegram_api, READER_ID, shown, data)
    assert as_alert(answer) and "only administrators" in str(answer["text"])
    chat = await bot.storage.chats.get("telegram", str(GROUP_ID))
    assert chat is not None
    subscription = await bot.storage.chats.subscription(chat.id)
    assert subscription is not None and subscription.min_severity == "medium"


@pytest.mark.parametrize(
    ("sender", "command", "expected"),
    [
        (42, "/subscribe all uk", "reads only en, ru: it cannot find events in sources in “uk”"),
        (43, "/subscribe всё tr", "Распознавание работает только для языков: en, ru"),
    ],
)
async def test_subscribe_refuses_a_source_language_the_detector_does_not_read(
    bot: TelegramHarness, telegram_api: FakeBotAPI, sender: int, command: str, expected: str
) -> None:
    private = {"id": sender, "type": "private", "first_name": "Ann"}
    answer = await say(telegram_api, private, command, sender)
    assert expected in answer
    assert await bot.storage.chats.get("telegram", str(sender)) is None


async def test_subscribe_weak_by_word_in_both_languages(
    bot: TelegramHarness, telegram_api: FakeBotAPI
) -> None:
    for sender, command, expected in (
        (42, "/subscribe arrest ru weak", "also weak signals"),
        (43, "/subscribe задержания слабые", "а также слабые сигналы"),
    ):
        private = {"id": sender, "type": "private", "first_name": "Ann"}
        answer = await say(telegram_api, private, command, sender)
        assert expected in answer
        chat = await bot.storage.chats.get("telegram", str(sender))
        assert chat is not None
        subscription = await bot.storage.chats.subscription(chat.id)
        assert subscription is not None and subscription.min_severity == "low"


async def test_a_threat_reaches_only_the_chats_that_asked_marked_as_a_note(
    bot: TelegramHarness, telegram_api: FakeBotAPI, feed_server: FeedServer, clock: FakeClock
) -> None:
    """The whole way: a feed's threat is stored as a weak event, matched to the chat
    that asked for weak signals, and sent there as a low-severity note."""
    wants, events_only = 42, 44
    for chat_id, command in ((wants, "/subscribe all weak"), (events_only, "/subscribe all")):
        private = {"id": chat_id, "type": "private", "first_name": "Ann"}
        await say(telegram_api, private, command, chat_id)
    feed_server.documents["/feed.xml"] = (rss(("old", "Weather", "Sunny")).encode(), {})
    await bot.app.pipeline.add_feed(f"{feed_server.base_url}/feed.xml", "test")
    await bot.app.pipeline.refresh()  # the first poll is the baseline
    threat = ("t1", "Regulator threatens to block Telegram over extremist channels", "")
    blocked = ("b1", "Roskomnadzor blocked Signal", "The regulator restricted access.")
    document = rss(("old", "Weather", "Sunny"), threat, blocked)
    feed_server.documents["/feed.xml"] = (document.encode(), {})
    clock.advance(hours=1)
    report = await bot.app.pipeline.refresh()
    assert report.events == 2
    await bot.app.delivery.drain()
    to_weak = [c.text for c in telegram_api.calls_to("sendMessage", wants)[1:]]
    to_events = [c.text for c in telegram_api.calls_to("sendMessage", events_only)[1:]]
    assert len(to_weak) == 2 and len(to_events) == 1
    [note] = [t for t in to_weak if "threatens" in t]
    assert "LOW-SEVERITY NOTE: CENSORSHIP" in note and "ℹ️" in note
    assert "threatened" in note  # the reason says what kind of weak signal it is
    assert "Signal" in to_events[0] and "🚨" in to_events[0]


async def test_addfeed_says_when_the_feed_is_in_a_language_the_detector_does_not_read(
    bot: TelegramHarness, telegram_api: FakeBotAPI, feed_server: FeedServer
) -> None:
    feed_server.documents["/kk.xml"] = (rss(("1", "Жаңалықтар", "Мәтін"), lang="kk").encode(), {})
    feed_server.documents["/tr.xml"] = (rss(("1", "Haberler", "Metin"), lang="tr").encode(), {})
    feed_server.documents["/en.xml"] = (rss(("1", "News", "Text"), lang="en").encode(), {})
    answer = await say(
        telegram_api, ADMIN_CHAT, f"/addfeed {feed_server.base_url}/kk.xml", ADMIN_ID
    )
    assert "Added feed" in answer
    assert "this feed is in “kk”, which the detector does not read (it reads en, ru)" in answer
    answer = await say(
        telegram_api, ADMIN_CHAT, f"/addfeed {feed_server.base_url}/en.xml", ADMIN_ID
    )
    assert "Added feed" in answer and "does not read" not in answer
    await say(telegram_api, ADMIN_CHAT, "/lang ru", ADMIN_ID)
    answer = await say(
        telegram_api, ADMIN_CHAT, f"/addfeed {feed_server.base_url}/tr.xml", ADMIN_ID
    )
    assert "язык этой ленты «tr», его распознавание не читает" in answer


@pytest.mark.parametrize(
    ("button", "refusal"),
    [
        ({"text": "x", "callback_data": "d" * 65}, "BUTTON_DATA_INVALID"),
        ({"text": "x", "callback_data": "ж" * 33}, "BUTTON_DATA_INVALID"),  # 66 bytes
        ({"text": "x", "callback_data": ""}, "BUTTON_DATA_INVALID"),
        ({"text": "x"}, "can't parse inline keyboard button"),
        ({"text": "x", "callback_data": "a", "url": "https://a.b"}, "can't parse inline"),
        ({"text": " ", "callback_data": "a"}, "text buttons are unallowed"),
    ],
)
def test_the_fake_bot_api_refuses_keyboards_telegram_refuses(
    button: dict[str, str], refusal: str
) -> None:
    problem = markup_refusal({"reply_markup": {"inline_keyboard": [[button]]}})
    assert problem is not None and refusal in problem.description
    fine = {"text": "x", "callback_data": "d" * 64}
    assert markup_refusal({"reply_markup": {"inline_keyboard": [[fine]]}}) is None


async def test_the_fake_bot_api_takes_one_answer_per_press_it_sent(
    telegram_api: FakeBotAPI,
) -> None:
    import aiohttp

    shown = {"message_id": 1, "date": 0, "chat": GROUP, "text": "x"}
    update = callback_query(user(5), shown, "d")
    telegram_api.push_update(update)
    query_id = update["callback_query"]["id"]
    url = f"{telegram_api.base_url}/bot{TOKEN}/answerCallbackQuery"
    async with aiohttp.ClientSession() as session:
        statuses = []
        for data in (
            {"callback_query_id": "nope"},
            {"callback_query_id": query_id, "text": "y" * 201},
            {"callback_query_id": query_id},
            {"callback_query_id": query_id},
        ):
            async with session.post(url, json=data) as response:
                statuses.append(response.status)
    assert statuses == [400, 400, 200, 400]
