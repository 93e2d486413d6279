"""Slash commands end to end: the real runtime logs in to a fake Discord, syncs its
commands and connects to the fake gateway; each test sends realistic
INTERACTION_CREATE events through that gateway and reads the bot's answers back
from the fake REST API, then checks what changed in the real database."""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import pytest

from bot.app import Tocsin, build_app
from bot.delivery import Delivery
from bot.domain.chat import Subscription
from bot.settings import Settings
from handlers.commands import CommandService
from handlers.discord.runtime import DiscordRuntime
from tests.conftest import FakeClock, FeedServer, rss
from tests.fakes.discord_api import (
    BOT_PERMISSIONS,
    CATEGORY,
    DM,
    EMBED_LINKS,
    FORUM,
    MANAGE_CHANNELS,
    MEMBER_PERMISSIONS,
    PUBLIC_THREAD,
    TEXT,
    Channel,
    Failure,
    FakeDiscord,
)
from tests.test_discord_sender import queue_alert

ADMIN = 111
MANAGER = MEMBER_PERMISSIONS | MANAGE_CHANNELS
EPHEMERAL = 64


@dataclass
class World:
    fake: FakeDiscord
    app: Tocsin
    runtime: DiscordRuntime
    channel: Channel


@pytest.fixture
async def world(make_settings: Callable[..., Settings], clock: FakeClock) -> AsyncIterator[World]:
    async with running_world(make_settings, clock) as started:
        yield started


@asynccontextmanager
async def running_world(
    make_settings: Callable[..., Settings], clock: FakeClock
) -> AsyncIterator[World]:
    """The runtime logged in to a fake Discord and connected to its gateway."""
    async with FakeDiscord() as fake:
        settings = make_settings(
            discord_bot_token=fake.token, discord_api_url=fake.url, discord_admin_ids=str(ADMIN)
        )
        async with build_app(settings, clock=clock, with_platforms=False) as app:
            service = CommandService(
                app.storage, app.pipeline, admin_ids={"discord": frozenset({ADMIN})}, clock=clock
            )
            runtime = DiscordRuntime(settings, service)
            await runtime.start()
            try:
                await asyncio.wait_for(fake.identified.wait(), 10)
                yield World(fake, app, runtime, fake.add_channel(TEXT, "newsroom"))
            finally:
                await runtime.stop()


def content(reply: dict[str, Any]) -> str:
    if "webhook" in reply:
        return str(reply.get("content") or "")
    return str((reply.get("data") or {}).get("content") or "")


def split(replies: list[dict[str, Any]]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    return replies[0], replies[1:]


def ephemeral(reply: dict[str, Any]) -> bool:
    flags = reply.get("flags") if "webhook" in reply else (reply.get("data") or {}).get("flags")
    return bool((flags or 0) & EPHEMERAL)


async def run(
    world: World,
    command: str,
    options: dict[str, Any] | None = None,
    *,
    replies: int = 1,
    **kwargs: Any,
) -> list[dict[str, Any]]:
    kwargs.setdefault("channel", world.channel)
    payload = world.fake.interaction(command, options, **kwargs)
    return await world.fake.interact(payload, replies=replies)


async def ask(
    world: World, command: str, options: dict[str, Any] | None = None, **kwargs: Any
) -> list[dict[str, Any]]:
    """A command that touches storage: Discord's "thinking…" comes first, then the
    answer as follow-ups, which Discord shows as ephemeral as the deferral was."""
    pieces = kwargs.pop("pieces", 1)
    deferred, *answers = await run(world, command, options, replies=pieces + 1, **kwargs)
    return deferred_answers(deferred, answers)


def deferred_answers(
    deferred: dict[str, Any], answers: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    assert deferred["type"] == 5, deferred
    assert all(a.get("webhook") == "POST" for a in answers), answers
    # The follow-ups ask for what the deferral already promised (Discord goes by the latter).
    assert all(ephemeral(a) == ephemeral(deferred) for a in answers), (deferred, answers)
    return answers


async def subscription_of(world: World, channel: Channel) -> Subscription | None:
    chat = await world.app.storage.chats.get("discord", str(channel.id))
    return await world.app.storage.chats.subscription(chat.id) if chat else None


async def test_commands_are_synced_at_start_with_permissions_choices_and_russian(
    world: World,
) -> None:
    commands = {c["name"]: c for c in world.fake.commands or []}
    assert set(commands) == {
        "subscribe",
        "unsubscribe",
        "subscriptions",
        "feeds",
        "lang",
        "addfeed",
        "removefeed",
        "status",
        "missed",
    }
    subscribe = commands["subscribe"]
    assert int(subscribe["default_member_permissions"]) == MANAGE_CHANNELS
    assert commands["feeds"]["default_member_permissions"] is None
    category = next(o for o in subscribe["options"] if o["name"] == "category")
    assert [c["value"] for c in category["choices"]] == ["censorship", "arrest", "all"]
    assert subscribe["description_localizations"]["ru"].startswith("Получать")
    assert world.fake.identify_payload is not None
    assert world.fake.unexpected == []


async def test_a_channel_manager_subscribes_with_categories_languages_and_words(
    world: World,
) -> None:
    options = {
        "category": "arrest",
        "languages": "ru, en",
        "include": "Moscow, Red Square",
        "exclude": "football",
    }
    [reply] = await ask(world, "subscribe", options, permissions=MANAGER)

    assert not ephemeral(reply)  # the channel sees what it will now receive
    assert content(reply).startswith("Done: the channel «newsroom» will now receive")
    subscription = await subscription_of(world, world.channel)
    assert subscription is not None
    assert subscription.categories == ("arrest",)
    assert subscription.languages == ("ru", "en")
    assert subscription.include_words == ("moscow", "red square")
    assert subscription.exclude_words == ("football",)
    chat = await world.app.storage.chats.get("discord", str(world.channel.id))
    assert chat is not None and (chat.kind, chat.thread_id) == ("guild_text", "")


async def test_without_manage_channels_subscribing_is_refused_privately(world: World) -> None:
    [reply] = await ask(world, "subscribe", {"category": "all"}, permissions=MEMBER_PERMISSIONS)

    assert ephemeral(reply)
    assert "only administrators" in content(reply)
    assert await subscription_of(world, world.channel) is None


async def test_a_bad_option_gets_a_clear_private_message(world: World) -> None:
    [reply] = await ask(world, "subscribe", {"languages": "klingon"}, permissions=MANAGER)

    assert ephemeral(reply)
    assert "I don't understand “klingon”" in content(reply)
    assert await subscription_of(world, world.channel) is None


async def test_subscribe_without_options_offers_buttons_that_check_the_presser(
    world: World,
) -> None:
    [prompt] = await ask(world, "subscribe", permissions=MANAGER)
    assert ephemeral(prompt)
    components = prompt["components"]
    ids = [b["custom_id"] for row in components for b in row["components"]]
    assert ids == ["tocsin:subscribe:censorship", "tocsin:subscribe:arrest", "tocsin:subscribe:all"]

    outsider = world.fake.component(
        ids[0], channel=world.channel, permissions=MEMBER_PERMISSIONS, components=components
    )
    [refused] = deferred_answers(*split(await world.fake.interact(outsider, replies=2)))
    assert ephemeral(refused) and "only administrators" in content(refused)
    assert await subscription_of(world, world.channel) is None

    press = world.fake.component(
        ids[0], channel=world.channel, permissions=MANAGER, components=components
    )
    [done] = deferred_answers(*split(await world.fake.interact(press, replies=2)))
    assert content(done).startswith("Done:")
    subscription = await subscription_of(world, world.channel)
    assert subscription is not None and subscription.categories == ("censorship",)


async def test_subscribing_where_the_bot_cannot_post_embeds_names_the_permission(
    world: World,
) -> None:
    [reply] = await ask(
        world,
        "subscribe",
        {"category": "all"},
        permissions=MANAGER,
        app_permissions=BOT_PERMISSIONS & ~EMBED_LINKS,
    )

    assert ephemeral(reply)
    assert "Embed Links" in content(reply)
    assert await subscription_of(world, world.channel) is None


async def test_a_subscribe_button_where_the_bot_cannot_post_embeds_is_refused(
    world: World,
) -> None:
    """The buttons lead to the same check as the options: no subscription that the
    first alert would only deactivate."""
    [prompt] = await ask(world, "subscribe", permissions=MANAGER)
    components = prompt["components"]
    press = world.fake.component(
        "tocsin:subscribe:all",
        channel=world.channel,
        permissions=MANAGER,
        components=components,
        app_permissions=BOT_PERMISSIONS & ~EMBED_LINKS,  # revoked since the prompt
    )

    [refused] = deferred_answers(*split(await world.fake.interact(press, replies=2)))

    assert ephemeral(refused)
    assert content(refused).startswith("I can't post alerts in the channel «newsroom»")
    assert "Embed Links" in content(refused)
    assert await subscription_of(world, world.channel) is None


async def test_every_command_that_reads_storage_defers_first(world: World) -> None:
    """Discord waits three seconds for the first answer; storage may take longer."""
    for command, options, kwargs in [
        ("subscribe", {"category": "all"}, {"permissions": MANAGER}),
        ("subscriptions", None, {}),
        ("lang", {"language": "en"}, {"permissions": MANAGER}),
        ("unsubscribe", None, {"permissions": MANAGER}),
        ("feeds", None, {}),
        ("removefeed", {"feed": "7"}, {"user_id": ADMIN}),
        ("status", None, {"user_id": ADMIN}),
    ]:
        first, answer = await run(world, command, options, replies=2, **kwargs)
        assert first["type"] == 5, command  # "thinking…", before any storage access
        assert answer.get("webhook") == "POST" and content(answer), command
    # Good news for the channel is deferred in public, listings to the asker alone.
    _, done = await run(world, "subscribe", {"category": "all"}, permissions=MANAGER, replies=2)
    assert not ephemeral(done)


async def test_a_forum_subscribed_from_another_channel_gets_one_post_per_alert(
    world: World, clock: FakeClock
) -> None:
    forum = world.fake.add_channel(FORUM, "alerts-forum")
    [reply] = await ask(
        world,
        "subscribe",
        {"category": "censorship", "channel": forum},
        permissions=MEMBER_PERMISSIONS,  # no right in #newsroom, but in the forum:
        resolved_channels=[(forum, MANAGER)],
    )
    assert content(reply).startswith("Done: the channel «alerts-forum»")
    chat = await world.app.storage.chats.get("discord", str(forum.id))
    assert chat is not None and chat.kind == "guild_forum"
    assert await subscription_of(world, world.channel) is None

    # The runtime's own sender then posts each alert as a new forum post.
    delivery = Delivery(world.app.storage, {"discord": world.runtime.sender}, clock=clock)
    await queue_alert(world.app.storage, clock, chat, title="Signal blocked")
    await queue_alert(world.app.storage, clock, chat, title="Telegram throttled")
    assert await delivery.drain() == 2
    assert [post.name for post in world.fake.threads_of(forum)] == [
        "Signal blocked",
        "Telegram throttled",
    ]


async def test_another_channel_needs_manage_channels_there(world: World) -> None:
    other = world.fake.add_channel(TEXT, "other")
    [reply] = await ask(
        world,
        "subscribe",
        {"category": "all", "channel": other},
        permissions=MANAGER,
        resolved_channels=[(other, MEMBER_PERMISSIONS)],
    )

    assert ephemeral(reply) and "only administrators" in content(reply)
    assert await subscription_of(world, other) is None


async def test_a_category_is_not_a_destination(world: World) -> None:
    category = world.fake.add_channel(CATEGORY, "Text Channels")
    [reply] = await ask(
        world,
        "subscribe",
        {"channel": category},
        permissions=MANAGER,
        resolved_channels=[(category, MANAGER)],
    )

    assert ephemeral(reply) and "cannot hold messages" in content(reply)


async def test_threads_and_direct_messages_are_destinations_of_their_own(
    world: World,
) -> None:
    thread = world.fake.add_channel(PUBLIC_THREAD, "arrests", parent=world.channel)
    dm = world.fake.add_channel(DM, "")

    [in_thread] = await ask(
        world, "subscribe", {"category": "arrest"}, channel=thread, permissions=MANAGER
    )
    [in_dm] = await ask(world, "subscribe", {"category": "censorship"}, channel=dm)

    assert content(in_thread).startswith("Done: the channel «arrests»")
    assert content(in_dm).startswith("Done: this chat")  # a DM is the person's own
    thread_chat = await world.app.storage.chats.get("discord", str(thread.id))
    dm_chat = await world.app.storage.chats.get("discord", str(dm.id))
    assert thread_chat is not None and thread_chat.kind == "public_thread"
    assert dm_chat is not None and dm_chat.kind == "private"
    assert await subscription_of(world, world.channel) is None


async def test_unsubscribe_is_for_managers_and_subscriptions_for_everyone(
    world: World,
) -> None:
    await ask(world, "subscribe", {"category": "all"}, permissions=MANAGER)

    [seen] = await ask(world, "subscriptions", permissions=MEMBER_PERMISSIONS)
    assert ephemeral(seen)
    assert "censorship demands and arrests at protests" in content(seen)

    [refused] = await ask(world, "unsubscribe", permissions=MEMBER_PERMISSIONS)
    assert ephemeral(refused) and await subscription_of(world, world.channel) is not None

    [done] = await ask(world, "unsubscribe", permissions=MANAGER)
    assert not ephemeral(done) and "will no longer receive" in content(done)
    assert await subscription_of(world, world.channel) is None


async def test_lang_switches_the_channel_to_russian_for_managers_only(world: World) -> None:
    [refused] = await ask(world, "lang", {"language": "ru"}, permissions=MEMBER_PERMISSIONS)
    assert ephemeral(refused)

    [done] = await ask(world, "lang", {"language": "ru"}, permissions=MANAGER)
    assert not ephemeral(done)
    assert content(done) == "Готово: этот чат теперь на русском."
    [seen] = await ask(world, "subscriptions", permissions=MEMBER_PERMISSIONS)
    assert content(seen).startswith("Канал «newsroom» пока ничего не получает")


async def test_a_russian_discord_user_gets_russian_replies_in_a_new_channel(
    world: World,
) -> None:
    [reply] = await ask(
        world, "subscribe", {"category": "all"}, permissions=MEMBER_PERMISSIONS, locale="ru"
    )
    assert content(reply).startswith("Извините, менять подписку этого чата могут только")


async def test_feeds_lists_feeds_with_untrusted_titles_made_inert(
    world: World, clock: FakeClock
) -> None:
    await world.app.storage.feeds.add(
        "https://example.org/rss", now=clock(), title="**Evil** @everyone <@&1> [x](https://e.x)"
    )

    [reply] = await ask(world, "feeds", permissions=MEMBER_PERMISSIONS)

    text = content(reply)
    assert ephemeral(reply)
    assert "#1" in text and "\\*\\*Evil\\*\\*" in text
    assert "@everyone" not in text and "\\<@&1>" in text and "\\[x\\]" in text
    assert reply["allowed_mentions"] == {"parse": []}


async def test_addfeed_checks_the_feed_for_an_operator_and_refuses_others(
    world: World, feed_server: FeedServer
) -> None:
    url = feed_server.serve(
        "/rss", rss(("b1", "Roskomnadzor blocked access to Signal", "The regulator acted."))
    )

    [refused] = await ask(world, "addfeed", {"url": url}, user_id=222)
    assert ephemeral(refused) and "operators only" in content(refused)
    assert await world.app.storage.feeds.all() == []

    deferred, followup = await run(world, "addfeed", {"url": url}, user_id=ADMIN, replies=2)
    assert deferred["type"] == 5 and ephemeral(deferred)  # "thinking…" while it fetches
    assert content(followup).startswith("Added feed #1")
    assert "Roskomnadzor blocked access to Signal" in content(followup)
    assert [f.url for f in await world.app.storage.feeds.all()] == [url]

    _, broken = await run(world, "addfeed", {"url": url + "-missing"}, user_id=ADMIN, replies=2)
    assert content(broken).startswith("Not added:")


async def test_removefeed_autocompletes_for_operators_and_removes(
    world: World, clock: FakeClock
) -> None:
    for n in range(30):
        await world.app.storage.feeds.add(f"https://ex.org/{n}", now=clock(), title=f"Feed {n}")

    [suggested] = await run(world, "removefeed", {"feed": "feed 1"}, user_id=ADMIN, focused="feed")
    assert suggested["type"] == 8
    names = [c["name"] for c in suggested["data"]["choices"]]
    assert names[:3] == ["#2 Feed 1", "#11 Feed 10", "#12 Feed 11"]
    [hidden] = await run(world, "removefeed", {"feed": ""}, user_id=222, focused="feed")
    assert hidden["data"]["choices"] == []

    [refused] = await ask(world, "removefeed", {"feed": "2"}, user_id=222)
    assert ephemeral(refused) and len(await world.app.storage.feeds.all()) == 30

    [done] = await ask(world, "removefeed", {"feed": "2"}, user_id=ADMIN)
    assert content(done) == "Removed feed #2 “Feed 1”."
    assert len(await world.app.storage.feeds.all()) == 29


async def test_status_shows_operators_a_channel_deactivated_by_delivery(
    world: World, clock: FakeClock
) -> None:
    storage = world.app.storage
    chat = await storage.chats.upsert(
        "discord", str(world.channel.id), now=clock(), kind="guild_text", title="newsroom"
    )
    await storage.chats.deactivate(
        chat.id, "Discord 403 (code 50013): the bot lacks permission to post here", clock()
    )

    [refused] = await ask(world, "status", user_id=222)
    assert ephemeral(refused) and "operators only" in content(refused)

    [reply] = await ask(world, "status", user_id=ADMIN)
    assert ephemeral(reply)
    assert "Deactivated chats (1)" in content(reply)
    assert "the bot lacks permission to post here" in content(reply)


async def test_a_failing_command_gets_one_plain_line_and_the_log_gets_the_traceback(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    await world.app.storage.db.execute("ALTER TABLE feeds RENAME TO feeds_gone")
    with caplog.at_level(logging.ERROR, logger="handlers.discord.client"):
        [reply] = await ask(world, "feeds")

    assert ephemeral(reply)
    assert content(reply) == "Something went wrong on my side; the operators can see it in the log."
    assert any(r.exc_info for r in caplog.records)
    await world.app.storage.db.execute("ALTER TABLE feeds_gone RENAME TO feeds")


async def test_a_failed_sync_is_logged_and_the_bot_still_answers(
    make_settings: Callable[..., Settings], clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    async with FakeDiscord() as fake:
        fake.sync_failure = Failure(403, 50001, "Missing Access")
        settings = make_settings(discord_bot_token=fake.token, discord_api_url=fake.url)
        async with build_app(settings, clock=clock, with_platforms=False) as app:
            service = CommandService(app.storage, app.pipeline, admin_ids={}, clock=clock)
            runtime = DiscordRuntime(settings, service)
            with caplog.at_level(logging.WARNING, logger="handlers.discord.runtime"):
                await runtime.start()
                try:
                    await asyncio.wait_for(fake.identified.wait(), 10)
                    channel = fake.add_channel(TEXT, "x")
                    payload = fake.interaction("feeds", channel=channel)
                    _, reply = await fake.interact(payload, replies=2)
                finally:
                    await runtime.stop()
    assert content(reply) == "No feeds yet."
    assert fake.commands is None
    assert "could not sync Discord slash commands" in caplog.text


async def test_a_rejected_token_leaves_start_quiet_and_alerts_queued(
    make_settings: Callable[..., Settings], clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    async with FakeDiscord() as fake:
        settings = make_settings(discord_bot_token="wrong", discord_api_url=fake.url)
        async with build_app(settings, clock=clock, with_platforms=False) as app:
            service = CommandService(app.storage, app.pipeline, admin_ids={}, clock=clock)
            runtime = DiscordRuntime(settings, service)
            with caplog.at_level(logging.ERROR, logger="handlers.discord.runtime"):
                await runtime.start()  # does not raise
            await runtime.stop()
    assert "Discord refused DISCORD_BOT_TOKEN (401 Unauthorized): check the token" in caplog.text
    assert runtime.refused is not None
    assert not fake.identified.is_set()


async def test_languages_are_suggested_as_you_type(world: World) -> None:
    [reply] = await run(
        world, "subscribe", {"languages": "ru e"}, permissions=MANAGER, focused="languages"
    )

    assert reply["type"] == 8
    assert [c["value"] for c in reply["data"]["choices"]] == ["ru en"]


async def test_a_long_answer_arrives_in_several_messages_within_discords_limit(
    world: World, clock: FakeClock
) -> None:
    for n in range(60):
        await world.app.storage.feeds.add(
            f"https://example.org/{n}.xml", now=clock(), title=f"Regional news {n} " + "x" * 70
        )

    replies = await ask(world, "feeds", pieces=4)
    await asyncio.sleep(0.2)  # nothing more follows

    assert len(replies) == 4

    assert all(ephemeral(r) for r in replies)
    texts = [content(r) for r in replies]
    assert all(0 < len(t) <= 2000 for t in texts)
    joined = "\n".join(texts)
    assert joined.startswith("Feeds (60):")
    assert all(f"#{n} Regional news {n - 1} " in joined for n in range(1, 61))


async def test_discord_down_at_start_is_retried_while_alerts_wait(
    make_settings: Callable[..., Settings], clock: FakeClock
) -> None:
    with socket.socket() as probe:  # a loopback port with nothing listening yet
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings = make_settings(
        discord_bot_token=FakeDiscord().token, discord_api_url=f"http://127.0.0.1:{port}"
    )
    async with build_app(settings, clock=clock, with_platforms=False) as app:
        service = CommandService(app.storage, app.pipeline, admin_ids={}, clock=clock)
        runtime = DiscordRuntime(settings, service, retry_first=0.05)
        try:
            await asyncio.wait_for(runtime.start(), 5)  # returns although Discord is down
            chat = await app.storage.chats.upsert("discord", "1234", now=clock(), kind="guild_text")
            await queue_alert(app.storage, clock, chat)
            delivery = Delivery(app.storage, {"discord": runtime.sender}, clock=clock)
            assert await delivery.drain() == 0  # waits: not logged in yet
            rows = await app.storage.db.fetchall("SELECT status, attempts FROM outbox")
            assert [(r["status"], r["attempts"]) for r in rows] == [("pending", 0)]

            async with FakeDiscord(port=port) as fake:
                await asyncio.wait_for(fake.identified.wait(), 10)
                assert fake.commands is not None  # synced once it could
                await runtime.stop()
        finally:
            await runtime.stop()


async def test_a_long_answer_full_of_emoji_loses_nothing_to_discords_limit(
    world: World, clock: FakeClock
) -> None:
    """Discord counts UTF-16 units: an emoji counts twice, so pieces are measured so."""
    for n in range(30):
        await world.app.storage.feeds.add(
            f"https://example.org/{n}.xml", now=clock(), title="🚨" * 90
        )

    replies = await ask(world, "feeds", pieces=3)  # about 5,500 units

    texts = [content(r) for r in replies]
    assert all(len(t.encode("utf-16-le")) // 2 <= 2000 for t in texts)
    joined = "\n".join(texts)
    assert all(f"#{n} " in joined for n in range(1, 31))
    assert joined.count(": not checked yet") == 30
