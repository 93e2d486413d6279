"""Every command through the real aiogram Bot and Dispatcher, polling a fake Bot API server.

Updates go in as Telegram would send them; what the bot answers is read from the
calls the fake server recorded.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest

from bot.settings import Settings
from bot.storage.intents import PollFailure
from tests.conftest import FakeClock, FeedServer, rss
from tests.fakes.telegram_api import (
    BOT_ID,
    NOT_FOUND_METHOD,
    FakeBotAPI,
    callback_query,
    message,
    user,
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

PRIVATE_ID = 42
PRIVATE = {"id": PRIVATE_ID, "type": "private", "first_name": "Ann"}
GROUP_ID = -100500
GROUP = {"id": GROUP_ID, "type": "supergroup", "title": "Monitors"}
FORUM_ID = -100600
FORUM = {"id": FORUM_ID, "type": "supergroup", "title": "Newsroom", "is_forum": True}
CHANNEL_ID = -100700
CHANNEL = {"id": CHANNEL_ID, "type": "channel", "title": "Alerts channel"}
MEMBER_ID = 51
GROUP_ADMIN_ID = 52


@pytest.fixture
def telegram_api(telegram_api: FakeBotAPI) -> FakeBotAPI:
    """The shared fake, with the chats and memberships these tests talk about."""
    telegram_api.add_chat(GROUP_ID, "supergroup", "Monitors")
    telegram_api.add_chat(FORUM_ID, "supergroup", "Newsroom", is_forum=True)
    telegram_api.add_chat(CHANNEL_ID, "channel", "Alerts channel")
    telegram_api.set_member(GROUP_ID, GROUP_ADMIN_ID, "administrator")
    telegram_api.set_member(FORUM_ID, GROUP_ADMIN_ID, "creator")
    telegram_api.set_member(CHANNEL_ID, GROUP_ADMIN_ID, "administrator")
    telegram_api.set_member(CHANNEL_ID, BOT_ID, "administrator")
    return telegram_api


@pytest.fixture
async def bot(
    telegram_api: FakeBotAPI, make_settings: Callable[..., Settings], clock: FakeClock
) -> AsyncIterator[TelegramHarness]:
    async with telegram_bot(
        telegram_settings(make_settings, telegram_api), clock, telegram_api
    ) as harness:
        yield harness


async def say(
    telegram_api: FakeBotAPI, chat: dict[str, object], text: str, **kwargs: object
) -> str:
    """Send `text` into `chat` and return the bot's (last) answer there."""
    before = len(telegram_api.calls_to("sendMessage", int(str(chat["id"]))))
    telegram_api.push_update({"message": message(chat, text, **kwargs)})  # type: ignore[arg-type]
    calls = await telegram_api.wait_for(
        "sendMessage", chat_id=int(str(chat["id"])), count=before + 1
    )
    return calls[-1].text


async def test_start_and_help_in_a_private_chat_in_the_users_language(
    bot: TelegramHarness, telegram_api: FakeBotAPI
) -> None:
    answer = await say(telegram_api, PRIVATE, "/start", sender=user(42, "en"))
    assert "Tocsin" in answer and "/subscribe" in answer and "/addfeed" not in answer
    ru_user = {"id": 43, "type": "private", "first_name": "Иван"}
    answer = await say(telegram_api, ru_user, "/help", sender=user(43, "ru"))
    assert "Команды" in answer and "/subscribe" in answer


async def test_bot_admin_sees_admin_commands_in_help(
    bot: TelegramHarness, telegram_api: FakeBotAPI
) -> None:
    chat = {"id": ADMIN_ID, "type": "private", "first_name": "Op"}
    answer = await say(telegram_api, chat, "/help", sender=user(ADMIN_ID))
    assert "/addfeed" in answer and "/status" in answer


async def test_private_subscribe_with_arguments_and_subscriptions(
    bot: TelegramHarness, telegram_api: FakeBotAPI
) -> None:
    answer = await say(
        telegram_api, PRIVATE, "/subscribe arrest ru +Москва -football", sender=user(42)
    )
    assert "arrests at protests" in answer and "censorship" not in answer
    chat = await bot.storage.chats.get("telegram", "42")
    assert chat is not None and chat.kind == "private"
    subscription = await bot.storage.chats.subscription(chat.id)
    assert subscription is not None
    assert subscription.categories == ("arrest",)
    assert subscription.languages == ("ru",)
    assert subscription.include_words == ("москва",)
    assert subscription.exclude_words == ("football",)
    answer = await say(telegram_api, PRIVATE, "/subscriptions", sender=user(42))
    assert "arrests at protests" in answer and "ru" in answer and "“москва”" in answer


async def test_subscribe_with_a_typo_explains_instead_of_subscribing(
    bot: TelegramHarness, telegram_api: FakeBotAPI
) -> None:
    answer = await say(telegram_api, PRIVATE, "/subscribe censorhip", sender=user(42))
    assert "censorhip" in answer and "don't understand" in answer
    assert await bot.storage.chats.get("telegram", "42") is None


async def test_subscribe_without_arguments_offers_buttons_that_subscribe(
    bot: TelegramHarness, telegram_api: FakeBotAPI
) -> None:
    await say(telegram_api, PRIVATE, "/subscribe", sender=user(42))
    offer = telegram_api.calls_to("sendMessage", 42)[-1]
    buttons = [row[0] for row in offer.params["reply_markup"]["inline_keyboard"]]
    assert [b["text"] for b in buttons] == ["Censorship", "Arrests", "Both"]
    shown = {"message_id": 1000, "date": 0, "chat": PRIVATE, "text": offer.text}
    telegram_api.push_update(callback_query(user(42), shown, buttons[0]["callback_data"]))
    edits = await telegram_api.wait_for("editMessageText", chat_id=42)
    assert "censorship demands" in edits[-1].text
    await telegram_api.wait_for("answerCallbackQuery")
    chat = await bot.storage.chats.get("telegram", "42")
    assert chat is not None
    subscription = await bot.storage.chats.subscription(chat.id)
    assert subscription is not None and subscription.categories == ("censorship",)


async def test_group_admin_may_subscribe_and_others_are_refused_politely(
    bot: TelegramHarness, telegram_api: FakeBotAPI
) -> None:
    answer = await say(telegram_api, GROUP, "/subscribe all", sender=user(MEMBER_ID))
    assert "only administrators" in answer
    assert await bot.storage.chats.get("telegram", str(GROUP_ID)) is None
    assert telegram_api.calls_to("getChatMember")[-1].params["user_id"] == str(MEMBER_ID)

    answer = await say(telegram_api, GROUP, "/subscribe all", sender=user(GROUP_ADMIN_ID))
    assert "this group will now receive" in answer
    chat = await bot.storage.chats.get("telegram", str(GROUP_ID))
    assert chat is not None and chat.kind == "supergroup" and chat.title == "Monitors"

    # A member may still ask what the group gets, but not switch it off.
    answer = await say(telegram_api, GROUP, "/subscriptions", sender=user(MEMBER_ID))
    assert "receives" in answer
    answer = await say(telegram_api, GROUP, "/unsubscribe", sender=user(MEMBER_ID))
    assert "only administrators" in answer
    assert await bot.storage.chats.subscription(chat.id) is not None
    answer = await say(telegram_api, GROUP, "/unsubscribe", sender=user(GROUP_ADMIN_ID))
    assert "no longer receive" in answer
    assert await bot.storage.chats.subscription(chat.id) is None


async def test_anonymous_group_admin_is_an_admin(
    bot: TelegramHarness, telegram_api: FakeBotAPI
) -> None:
    anonymous = {"id": 1087968824, "is_bot": True, "first_name": "Group"}
    answer = await say(
        telegram_api, GROUP, "/subscribe arrest", sender=anonymous, sender_chat=GROUP
    )
    assert "will now receive" in answer


async def test_group_buttons_pressed_by_a_member_are_refused_with_an_alert(
    bot: TelegramHarness, telegram_api: FakeBotAPI
) -> None:
    await say(telegram_api, GROUP, "/subscribe", sender=user(GROUP_ADMIN_ID))
    offer = telegram_api.calls_to("sendMessage", GROUP_ID)[-1]
    data = offer.params["reply_markup"]["inline_keyboard"][2][0]["callback_data"]
    shown = {"message_id": 1000, "date": 0, "chat": GROUP, "text": offer.text}
    telegram_api.push_update(callback_query(user(MEMBER_ID), shown, data))
    answers = await telegram_api.wait_for("answerCallbackQuery")
    assert answers[-1].params["show_alert"] == "true"
    assert "only administrators" in answers[-1].params["text"]
    assert await bot.storage.chats.get("telegram", str(GROUP_ID)) is None


async def test_forum_topic_subscribes_on_its_own(
    bot: TelegramHarness, telegram_api: FakeBotAPI
) -> None:
    answer = await say(
        telegram_api, FORUM, "/subscribe censorship", sender=user(GROUP_ADMIN_ID), thread_id=7
    )
    assert "this topic will now receive" in answer
    reply = telegram_api.calls_to("sendMessage", FORUM_ID)[-1]
    assert reply.params["message_thread_id"] == "7"
    topic = await bot.storage.chats.get("telegram", str(FORUM_ID), "7")
    assert topic is not None
    assert await bot.storage.chats.get("telegram", str(FORUM_ID)) is None


async def test_channel_post_command_subscribes_the_channel(
    bot: TelegramHarness, telegram_api: FakeBotAPI
) -> None:
    telegram_api.push_update(
        {"channel_post": message(CHANNEL, "/subscribe all", sender_chat=CHANNEL)}
    )
    calls = await telegram_api.wait_for("sendMessage", chat_id=CHANNEL_ID)
    assert "the channel «Alerts channel» will now receive" in calls[-1].text
    chat = await bot.storage.chats.get("telegram", str(CHANNEL_ID))
    assert chat is not None and chat.kind == "channel"


async def test_forward_from_a_channel_lets_its_admin_subscribe_it(
    bot: TelegramHarness, telegram_api: FakeBotAPI
) -> None:
    admin_chat = {"id": GROUP_ADMIN_ID, "type": "private", "first_name": "Ed"}
    answer = await say(
        telegram_api, admin_chat, "a post", sender=user(GROUP_ADMIN_ID), forward_from_chat=CHANNEL
    )
    assert "«Alerts channel»" in answer
    offer = telegram_api.calls_to("sendMessage", GROUP_ADMIN_ID)[-1]
    data = offer.params["reply_markup"]["inline_keyboard"][1][0]["callback_data"]
    shown = {"message_id": 1000, "date": 0, "chat": admin_chat, "text": offer.text}
    telegram_api.push_update(callback_query(user(GROUP_ADMIN_ID), shown, data))
    edits = await telegram_api.wait_for("editMessageText", chat_id=GROUP_ADMIN_ID)
    assert "arrests at protests" in edits[-1].text
    chat = await bot.storage.chats.get("telegram", str(CHANNEL_ID))
    assert chat is not None and chat.kind == "channel" and chat.title == "Alerts channel"
    subscription = await bot.storage.chats.subscription(chat.id)
    assert subscription is not None and subscription.categories == ("arrest",)


async def test_forward_from_a_channel_by_a_non_admin_is_refused(
    bot: TelegramHarness, telegram_api: FakeBotAPI
) -> None:
    stranger = {"id": MEMBER_ID, "type": "private", "first_name": "Stan"}
    answer = await say(
        telegram_api, stranger, "a post", sender=user(MEMBER_ID), forward_from_chat=CHANNEL
    )
    assert "only administrators" in answer
    assert await bot.storage.chats.get("telegram", str(CHANNEL_ID)) is None


async def test_lang_switches_the_chat_to_russian(
    bot: TelegramHarness, telegram_api: FakeBotAPI
) -> None:
    answer = await say(telegram_api, PRIVATE, "/lang ru", sender=user(42, "en"))
    assert "на русском" in answer
    answer = await say(telegram_api, PRIVATE, "/subscribe arrest", sender=user(42, "en"))
    assert "задержания на протестах" in answer
    answer = await say(telegram_api, GROUP, "/lang ru", sender=user(MEMBER_ID))
    assert "only administrators" in answer


async def test_admin_commands_are_refused_to_others(
    bot: TelegramHarness, telegram_api: FakeBotAPI
) -> None:
    for command in ("/addfeed https://example.org/rss", "/removefeed 1", "/status"):
        answer = await say(telegram_api, PRIVATE, command, sender=user(42))
        assert "operators only" in answer
    assert await bot.storage.feeds.all() == []


async def test_addfeed_previews_then_polls_and_feeds_shows_it(
    bot: TelegramHarness, telegram_api: FakeBotAPI, feed_server: FeedServer
) -> None:
    admin = {"id": ADMIN_ID, "type": "private", "first_name": "Op"}
    url = feed_server.serve(
        "/rss",
        rss(
            ("b1", "Roskomnadzor blocked access to Signal messenger", "The regulator acted."),
            ("w1", "Snow expected in Moscow on Friday", "Icy roads."),
            title="Regulator watch",
        ),
    )
    answer = await say(telegram_api, admin, f"/addfeed {url}", sender=user(ADMIN_ID))
    assert "Regulator watch" in answer and "2 entries" in answer
    assert "Roskomnadzor blocked access to Signal" in answer and "Snow" not in answer
    feeds = await bot.storage.feeds.all()
    assert [f.url for f in feeds] == [url]
    answer = await say(telegram_api, PRIVATE, "/feeds", sender=user(42))
    assert f"#{feeds[0].id} Regulator watch" in answer
    records = await bot.storage.audit.recent()
    assert any(r.action == "addfeed" and url in r.detail for r in records)

    answer = await say(telegram_api, admin, f"/addfeed {url}", sender=user(ADMIN_ID))
    assert "already there" in answer
    answer = await say(telegram_api, admin, f"/removefeed {feeds[0].id}", sender=user(ADMIN_ID))
    assert "Removed feed" in answer
    assert await bot.storage.feeds.all() == []


async def test_addfeed_refuses_a_page_that_is_not_a_feed_with_the_reason(
    bot: TelegramHarness, telegram_api: FakeBotAPI, feed_server: FeedServer
) -> None:
    admin = {"id": ADMIN_ID, "type": "private", "first_name": "Op"}
    url = feed_server.serve("/page", "<!doctype html><html><body>hi</body></html>", "text/html")
    answer = await say(telegram_api, admin, f"/addfeed {url}", sender=user(ADMIN_ID))
    assert answer.startswith("Not added: ")
    assert await bot.storage.feeds.all() == []
    answer = await say(telegram_api, admin, "/addfeed ftp://example.org/x", sender=user(ADMIN_ID))
    assert "not an http:// or https:// address" in answer


async def test_status_reports_feeds_queue_and_deactivated_chats(
    bot: TelegramHarness, telegram_api: FakeBotAPI, clock: FakeClock
) -> None:
    chat = await bot.storage.chats.upsert("telegram", "-100999", now=clock(), kind="group")
    await bot.storage.chats.deactivate(chat.id, "Forbidden: bot was kicked", clock())
    admin = {"id": ADMIN_ID, "type": "private", "first_name": "Op"}
    answer = await say(telegram_api, admin, "/status", sender=user(ADMIN_ID))
    assert "Feeds: 0 ok, 0 failing" in answer
    assert "Queue: 0 waiting" in answer
    assert "Last 24 hours: 0 events detected, 0 alerts delivered" in answer
    assert "-100999" in answer and "bot was kicked" in answer


async def test_status_in_a_group_sends_the_operator_to_a_private_chat(
    bot: TelegramHarness, telegram_api: FakeBotAPI, clock: FakeClock
) -> None:
    """/status names other chats and their errors: never in front of a group."""
    chat = await bot.storage.chats.upsert(
        "telegram", "-100999", now=clock(), kind="group", title="Secret newsroom"
    )
    await bot.storage.chats.deactivate(chat.id, "Forbidden: bot was kicked", clock())

    answer = await say(telegram_api, GROUP, "/status", sender=user(ADMIN_ID))
    assert "Send /status to me in a private chat" in answer
    assert "-100999" not in answer and "Secret newsroom" not in answer

    await say(telegram_api, GROUP, "/lang ru", sender=user(GROUP_ADMIN_ID))
    answer = await say(telegram_api, GROUP, "/status", sender=user(ADMIN_ID))
    assert answer.startswith("Отправьте мне /status в личном чате")
    assert "-100999" not in answer

    admin = {"id": ADMIN_ID, "type": "private", "first_name": "Op"}
    answer = await say(telegram_api, admin, "/status", sender=user(ADMIN_ID))
    assert "-100999" in answer and "Secret newsroom" in answer


async def test_command_menus_are_set_per_language_and_for_admins(
    bot: TelegramHarness, telegram_api: FakeBotAPI
) -> None:
    # The menus are set in the background: default and the admin's, in two languages.
    await telegram_api.wait_for("setMyCommands", count=4)
    calls = telegram_api.calls_to("setMyCommands")
    by_scope = {
        (c.params["scope"]["type"], c.params.get("language_code"), c.params["scope"].get("chat_id"))
        for c in calls
    }
    assert ("default", None, None) in by_scope and ("default", "ru", None) in by_scope
    assert ("chat", "ru", ADMIN_ID) in by_scope
    default_ru = next(
        c for c in calls if c.params["scope"]["type"] == "default" and c.params.get("language_code")
    )
    names = [command["command"] for command in default_ru.params["commands"]]
    assert "subscribe" in names and "addfeed" not in names


async def test_a_server_without_setmycommands_does_not_stop_the_bot(
    telegram_api: FakeBotAPI, make_settings: Callable[..., Settings], clock: FakeClock
) -> None:
    telegram_api.unsupported |= {"setMyCommands", "deleteWebhook"}
    assert NOT_FOUND_METHOD.status == 404
    async with telegram_bot(telegram_settings(make_settings, telegram_api), clock, telegram_api):
        answer = await say(telegram_api, PRIVATE, "/help", sender=user(42))
    assert "/subscribe" in answer
    assert telegram_api.calls_to("setMyCommands") and telegram_api.calls_to("deleteWebhook")


async def test_webhook_mode_registers_and_answers_updates(
    telegram_api: FakeBotAPI, make_settings: Callable[..., Settings], clock: FakeClock
) -> None:
    import aiohttp

    settings = telegram_settings(
        make_settings,
        telegram_api,
        telegram_webhook_url="https://bot.example.org/tg/hook",
        telegram_webhook_port=0,
        telegram_webhook_secret="s3cret",
    )
    async with telegram_bot(settings, clock, telegram_api) as harness:
        assert telegram_api.webhook is not None
        assert telegram_api.webhook["url"] == "https://bot.example.org/tg/hook"
        port = harness.runtime.webhook_port
        update = {"update_id": 1, "message": message(PRIVATE, "/help", sender=user(42))}
        async with aiohttp.ClientSession() as session:
            url = f"http://127.0.0.1:{port}/tg/hook"
            async with session.post(url, json=update) as response:
                assert response.status == 401  # no secret: refused
            headers = {"X-Telegram-Bot-Api-Secret-Token": "s3cret"}
            async with session.post(url, json=update, headers=headers) as response:
                assert response.status == 200
        calls = await telegram_api.wait_for("sendMessage", chat_id=42)
        assert "/subscribe" in calls[-1].text


# ---- every command in every kind of chat ---------------------------------------------

TOPIC = 7
ASK_AS = {
    # context: (chat, sender, thread, is the update a channel post)
    "private": (PRIVATE, user(42), None, False),
    "group-admin": (GROUP, user(GROUP_ADMIN_ID), None, False),
    "group-member": (GROUP, user(MEMBER_ID), None, False),
    "forum-topic": (FORUM, user(GROUP_ADMIN_ID), TOPIC, False),
    "channel": (CHANNEL, None, None, True),
}
WHERE = {
    "private": "this chat",
    "group-admin": "this group",
    "group-member": "this group",
    "forum-topic": "this topic",
    "channel": "the channel «Alerts channel»",
}
REFUSED = "only administrators of this chat"
OPERATORS_ONLY = "for the bot's operators only"


def expected_answers(context: str) -> list[tuple[str, str]]:
    where = WHERE[context]
    manager = context != "group-member"
    capital = where[0].upper() + where[1:]
    return [
        ("/start", "Hello! I am Tocsin."),
        ("/help", "/subscribe"),
        ("/subscribe arrest", f"Done: {where} will now receive" if manager else REFUSED),
        ("/subscriptions", f"{capital} receives: arrests" if manager else "receives nothing yet"),
        ("/lang en", "Done: this chat now speaks English." if manager else REFUSED),
        ("/feeds", "No feeds yet."),
        ("/unsubscribe", f"Done: {where} will no longer receive" if manager else REFUSED),
        ("/addfeed https://example.org/rss", OPERATORS_ONLY),
        ("/removefeed 1", OPERATORS_ONLY),
        ("/status", OPERATORS_ONLY),
    ]


@pytest.mark.parametrize("context", list(ASK_AS))
async def test_every_command_is_answered_where_it_was_asked(
    bot: TelegramHarness, telegram_api: FakeBotAPI, context: str
) -> None:
    """Never silence: each command gets its answer (or a polite refusal) in the chat,
    and in a forum, in the topic it was asked in."""
    chat, sender, thread, is_channel_post = ASK_AS[context]
    chat_id = int(str(chat["id"]))
    for command, expected in expected_answers(context):
        before = len(telegram_api.calls_to("sendMessage", chat_id))
        update = message(
            chat,
            command,
            sender=sender,
            thread_id=thread,
            sender_chat=chat if is_channel_post else None,
        )
        telegram_api.push_update({"channel_post" if is_channel_post else "message": update})
        calls = await telegram_api.wait_for("sendMessage", chat_id=chat_id, count=before + 1)
        answer = calls[-1]
        assert expected in answer.text, (command, answer.text)
        assert answer.params.get("message_thread_id") == (str(thread) if thread else None)
    assert not any(c.method == "sendMessage" and c.chat_id != chat_id for c in telegram_api.calls)


async def test_lang_is_per_chat_switches_back_and_offers_buttons(
    bot: TelegramHarness, telegram_api: FakeBotAPI
) -> None:
    assert "на русском" in await say(telegram_api, PRIVATE, "/lang ru", sender=user(42))
    # Another chat keeps its own language, whatever this one chose.
    answer = await say(telegram_api, GROUP, "/subscriptions", sender=user(GROUP_ADMIN_ID))
    assert answer.startswith("This group receives nothing yet")
    assert (await say(telegram_api, PRIVATE, "/help", sender=user(42))).startswith("Я слежу")
    answer = await say(telegram_api, PRIVATE, "/lang klingon", sender=user(42))
    assert "«klingon» ни то, ни другое" in answer

    await say(telegram_api, PRIVATE, "/lang", sender=user(42))
    offer = telegram_api.calls_to("sendMessage", 42)[-1]
    buttons = [row[0] for row in offer.params["reply_markup"]["inline_keyboard"]]
    assert [b["text"] for b in buttons] == ["English", "Русский"]
    shown = {"message_id": 1000, "date": 0, "chat": PRIVATE, "text": offer.text}
    telegram_api.push_update(callback_query(user(42), shown, buttons[0]["callback_data"]))
    edits = await telegram_api.wait_for("editMessageText", chat_id=42)
    assert edits[-1].text == "Done: this chat now speaks English."
    assert (await say(telegram_api, PRIVATE, "/help", sender=user(42))).startswith("I watch")


async def test_status_counts_failing_feeds_queue_and_alerts_of_the_last_24_hours(
    bot: TelegramHarness, telegram_api: FakeBotAPI, clock: FakeClock
) -> None:
    storage = bot.storage
    reader = await subscribed_chat(storage, clock(), 42)
    clock.advance(hours=-48)
    old = await add_event(storage, clock(), title="Old news")
    await storage.outbox.enqueue(old, [reader], clock())
    assert await bot.app.delivery.drain() == 1  # delivered two days ago
    clock.advance(hours=48)
    fresh = await add_event(storage, clock(), title="Fresh news")
    # Another reader: the same chat would wait out its one-per-second limit.
    await storage.outbox.enqueue(fresh, [await subscribed_chat(storage, clock(), 45)], clock())
    assert await bot.app.delivery.drain() == 1
    waiting = await add_event(storage, clock(), title="Waiting news")
    others = [await subscribed_chat(storage, clock(), n) for n in (43, 44)]
    await storage.outbox.enqueue(waiting, others, clock())  # not drained: the queue
    broken = await storage.feeds.add("https://broken.example/rss", now=clock(), title="Broken")
    await storage.feeds.record_poll(
        broken.id, PollFailure(at=clock(), next_check_at=clock(), kind="http", message="HTTP 503")
    )

    admin = {"id": ADMIN_ID, "type": "private", "first_name": "Op"}
    answer = await say(telegram_api, admin, "/status", sender=user(ADMIN_ID))

    assert "Feeds: 0 ok, 1 failing, 1 not checked yet, 0 disabled" in answer
    assert f"⚠️ #{broken.id} Broken: the site answered HTTP 503" in answer
    assert "Queue: 2 waiting, 0 being sent, 0 failed for good" in answer
    assert "Last 24 hours: 2 events detected, 1 alerts delivered" in answer
    assert "Chats: 4 active subscriptions" in answer


async def test_removefeed_without_a_number_offers_the_feeds_as_buttons(
    bot: TelegramHarness, telegram_api: FakeBotAPI, clock: FakeClock
) -> None:
    feed = await bot.storage.feeds.add("https://example.org/rss", now=clock(), title="Mediazona")
    admin = {"id": ADMIN_ID, "type": "private", "first_name": "Op"}
    answer = await say(telegram_api, admin, "/removefeed", sender=user(ADMIN_ID))
    assert answer == "Which feed should I remove?"
    offer = telegram_api.calls_to("sendMessage", ADMIN_ID)[-1]
    [[button]] = offer.params["reply_markup"]["inline_keyboard"]
    assert button["text"] == f"#{feed.id} Mediazona"
    shown = {"message_id": 1000, "date": 0, "chat": admin, "text": offer.text}
    telegram_api.push_update(callback_query(user(ADMIN_ID), shown, button["callback_data"]))
    edits = await telegram_api.wait_for("editMessageText", chat_id=ADMIN_ID)
    assert edits[-1].text == f"Removed feed #{feed.id} “Mediazona”."
    assert await bot.storage.feeds.all() == []


async def test_forward_from_a_channel_where_the_bot_is_not_admin_says_what_to_do(
    bot: TelegramHarness, telegram_api: FakeBotAPI
) -> None:
    other = {"id": -100701, "type": "channel", "title": "Not yet"}
    telegram_api.add_chat(-100701, "channel", "Not yet")
    telegram_api.set_member(-100701, GROUP_ADMIN_ID, "administrator")
    admin_chat = {"id": GROUP_ADMIN_ID, "type": "private", "first_name": "Ed"}
    answer = await say(
        telegram_api, admin_chat, "a post", sender=user(GROUP_ADMIN_ID), forward_from_chat=other
    )
    assert "I am not an administrator of that channel yet" in answer
    assert await bot.storage.chats.get("telegram", "-100701") is None


async def test_commands_addressed_to_this_bot_by_name_work_and_others_are_left_alone(
    bot: TelegramHarness, telegram_api: FakeBotAPI
) -> None:
    """In a group with privacy mode on, Telegram delivers "/cmd@bot" commands."""
    telegram_api.push_update(
        {"message": message(GROUP, "/subscribe@other_bot all", sender=user(GROUP_ADMIN_ID))}
    )
    answer = await say(
        telegram_api, GROUP, "/subscribe@tocsin_test_bot arrest", sender=user(GROUP_ADMIN_ID)
    )
    assert "this group will now receive: arrests at protests" in answer
    answer = await say(
        telegram_api, GROUP, "/subscriptions@tocsin_test_bot", sender=user(MEMBER_ID)
    )
    assert answer.startswith("This group receives: arrests")
    # The other bot's command got no answer, and changed nothing.
    assert len(telegram_api.calls_to("sendMessage", GROUP_ID)) == 2


async def test_a_long_answer_full_of_emoji_is_split_within_telegrams_4096_units(
    bot: TelegramHarness, telegram_api: FakeBotAPI, clock: FakeClock
) -> None:
    """Telegram counts UTF-16 units: an emoji counts twice. Feed titles are untrusted."""
    for n in range(60):
        await bot.storage.feeds.add(f"https://example.org/{n}.xml", now=clock(), title="🚨" * 90)
    telegram_api.push_update({"message": message(PRIVATE, "/feeds", sender=user(42))})
    await telegram_api.wait_for("sendMessage", chat_id=42, where=lambda call: "#60 " in call.text)

    pieces = [c.text for c in telegram_api.delivered_to(42)]
    assert len(pieces) == 3  # about 11,000 units
    assert all(utf16_len(piece) <= 4096 for piece in pieces)
    joined = "\n".join(pieces)
    assert joined.startswith("Feeds (60):")
    assert all(f"#{n} " in joined for n in range(1, 61))
