"""Discord delivery: real storage, the real delivery loop, discord.py's real HTTP client,
and a fake Discord REST server on loopback. No gateway connection is needed to send."""

from __future__ import annotations

import itertools
import re
import time
from datetime import UTC, datetime
from typing import Any

import discord
import pytest

from bot.delivery import Delivery
from bot.delivery.contract import RETRY_AFTER_CAP_SECONDS, Outcome
from bot.delivery.ratelimit import RateLimiter
from bot.domain.chat import Chat, Subscription
from bot.storage import Storage
from feeds.models import NormalizedEntry
from handlers.discord.client import client_options
from handlers.discord.runtime import point_discord_at
from handlers.discord.sender import DISCORD_LIMITS, DiscordSender
from tests.conftest import FakeClock
from tests.fakes.discord_api import (
    CANNOT_DM,
    DM,
    FORUM,
    PUBLIC_THREAD,
    TEXT,
    Channel,
    Failure,
    FakeDiscord,
)
from tests.storage_support import claim_due, detection, store_entry

_serial = itertools.count(1)
PUBLISHED = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)


@pytest.fixture
def delivery(storage: Storage, discord_client: discord.Client, clock: FakeClock) -> Delivery:
    limiter = RateLimiter(DISCORD_LIMITS, clock=clock.monotonic)
    return Delivery(storage, {"discord": DiscordSender(discord_client, limiter)}, clock=clock)


async def discord_chat(
    storage: Storage, clock: FakeClock, channel: Channel, kind: str = "guild_text"
) -> Chat:
    chat = await storage.chats.upsert(
        "discord", str(channel.id), now=clock(), kind=kind, title=channel.name
    )
    await storage.chats.subscribe(chat.id, Subscription(chat.id, ("arrest",)), now=clock())
    return chat


async def queue_alert(
    storage: Storage,
    clock: FakeClock,
    chat: Chat,
    *,
    title: str = "Police detained 12 people at a rally in Moscow",
    summary: str = "OVD-Info reports that 12 people were detained on Pushkin Square.",
    link: str | None = "https://example.org/news/1",
    fields: dict[str, str] | None = None,
    feed_title: str = "Example News",
    categories: tuple[str, ...] = ("arrest",),
) -> int:
    """One event from one new entry, fanned out to `chat`; returns the event id."""
    n = next(_serial)
    feed = await storage.feeds.add(
        f"https://example.org/feed{n}.xml", now=clock(), title=feed_title
    )
    entry = NormalizedEntry(
        uid=f"uid-{n}",
        content_hash=f"hash-{n}",
        title=title,
        summary=summary,
        link=link,
        published_at=PUBLISHED,
        lang="en",
    )
    event_id = await store_entry(
        storage,
        feed.id,
        entry,
        clock(),
        verdict=detection(
            categories,
            explanation="“detained” near a protest word",
            fields=fields if fields is not None else {"detained": "12", "place": "Moscow"},
        ),
    )
    assert event_id is not None
    await storage.outbox.enqueue(event_id, [chat.id], clock())
    return event_id


async def outbox_rows(storage: Storage) -> list[dict[str, Any]]:
    rows = await storage.db.fetchall("SELECT * FROM outbox ORDER BY id")
    return [dict(row) for row in rows]


def only_embed(message: dict[str, Any]) -> dict[str, Any]:
    assert len(message["embeds"]) == 1
    embed: dict[str, Any] = message["embeds"][0]
    return embed


def shown(markdown: str) -> str:
    """What a reader sees: Discord hides a backslash before punctuation."""
    return re.sub(r"\\([^\w\s])", r"\1", markdown).replace("\u200b", "")


async def test_an_alert_arrives_as_one_embed_with_label_colour_fields_source_and_link(
    discord_api: FakeDiscord, storage: Storage, clock: FakeClock, delivery: Delivery
) -> None:
    channel = discord_api.add_channel(TEXT, "alerts")
    chat = await discord_chat(storage, clock, channel)
    await queue_alert(storage, clock, chat)

    assert await delivery.drain() == 1

    [message] = discord_api.messages(channel)
    embed = only_embed(message)
    assert embed["author"]["name"] == "ARRESTS"
    assert embed["color"] == 0xC0392B
    assert embed["title"] == "Police detained 12 people at a rally in Moscow"
    assert embed["url"] == "https://example.org/news/1"
    assert "12 people were detained on Pushkin Square" in embed["description"]
    assert [(f["name"], f["value"]) for f in embed["fields"]] == [
        ("Detained", "12"),
        ("Where", "Moscow"),
    ]
    assert embed["footer"]["text"] == "Source: Example News"
    assert datetime.fromisoformat(embed["timestamp"]) == PUBLISHED
    assert message["allowed_mentions"] == {"parse": []}
    [row] = await outbox_rows(storage)
    assert row["status"] == "delivered"
    assert row["platform_message_id"] == message["id"]


async def test_russian_chat_gets_russian_label_and_field_names(
    discord_api: FakeDiscord, storage: Storage, clock: FakeClock, delivery: Delivery
) -> None:
    channel = discord_api.add_channel(TEXT, "новости")
    chat = await discord_chat(storage, clock, channel)
    await storage.chats.set_language(chat.id, "ru")
    await queue_alert(storage, clock, chat)

    await delivery.drain()

    embed = only_embed(discord_api.messages(channel)[0])
    assert embed["author"]["name"] == "ЗАДЕРЖАНИЯ"
    assert [f["name"] for f in embed["fields"]] == ["Задержано", "Где"]
    assert embed["footer"]["text"].startswith("Источник: ")


async def test_mentions_and_link_tricks_from_a_feed_arrive_as_inert_readable_text(
    discord_api: FakeDiscord, storage: Storage, clock: FakeClock, delivery: Delivery
) -> None:
    channel = discord_api.add_channel(TEXT, "alerts")
    chat = await discord_chat(storage, clock, channel)
    hostile = (
        "@everyone @here <@&123456789012345678> <@98765> read "
        "[https://www.gov.ru/official](https://evil.example/phish) now\n"
        "# HUGE HEADING\n> fake quote ||spoiler|| **bold** `code` <t:1700000000:R>"
    )
    await queue_alert(
        storage,
        clock,
        chat,
        title="@everyone [click](https://evil.example/t) detained",
        summary=hostile,
        fields={"actor": "<@&42> police", "place": "@here Moscow"},
    )

    await delivery.drain()

    [message] = discord_api.messages(channel)
    embed = only_embed(message)
    rendered = [embed["title"], embed["description"]] + [f["value"] for f in embed["fields"]]
    for text in rendered:
        # No mention syntax Discord would parse, no masked link, no raw @everyone/@here.
        assert not re.search(r"(?<!\\)<[@#/:at]", text), text
        assert not re.search(r"(?<!\\)\[[^\]]*(?<!\\)\]\(", text), text
        assert not re.search(r"@(everyone|here)", text), text
        assert not re.search(r"(?m)^(#|>)", text), text
    # The reader still sees every word the feed wrote, links included.
    seen = shown(embed["description"])
    assert "@everyone @here <@&123456789012345678> <@98765> read" in seen
    assert "[https://www.gov.ru/official](https://evil.example/phish)" in seen
    assert "# HUGE HEADING" in seen and "||spoiler|| **bold** `code`" in seen
    assert shown(embed["title"]) == "@everyone [click](https://evil.example/t) detained"
    # Nobody can be pinged whatever the text says.
    assert message["allowed_mentions"]["parse"] == []


async def test_huge_feed_text_is_cut_to_discord_limits_and_accepted(
    discord_api: FakeDiscord, storage: Storage, clock: FakeClock, delivery: Delivery
) -> None:
    channel = discord_api.add_channel(TEXT, "alerts")
    chat = await discord_chat(storage, clock, channel)
    await queue_alert(
        storage,
        clock,
        chat,
        title="Задержания " * 200,
        summary="**жирный** _текст_ 😀 " * 2000,
        fields={
            k: "очень длинное значение " * 200 for k in ("actor", "target", "detained", "place")
        },
        feed_title="Лента " * 1000,
        link="javascript:alert(1)",
    )

    assert await delivery.drain() == 1  # the fake refuses anything over a limit, as Discord does

    embed = only_embed(discord_api.messages(channel)[0])
    assert len(embed["title"]) <= 256 and embed["title"].endswith("…")
    assert "url" not in embed  # a non-web link is never offered as the title's target
    assert len(embed["fields"]) == 4
    # Discord counts UTF-16 units; the emoji count double.
    description = len(embed["description"].encode("utf-16-le")) // 2
    assert 1000 < description <= 4096
    parts = [embed["title"], embed["description"], embed["footer"]["text"]]
    parts += [embed["author"]["name"]] + [f["name"] + f["value"] for f in embed["fields"]]
    assert sum(len(p.encode("utf-16-le")) // 2 for p in parts) <= 6000


async def test_alerts_reach_a_thread_as_messages_and_a_forum_as_one_post_each(
    discord_api: FakeDiscord, storage: Storage, clock: FakeClock, delivery: Delivery
) -> None:
    text_channel = discord_api.add_channel(TEXT, "general")
    thread = discord_api.add_channel(PUBLIC_THREAD, "arrests-thread", parent=text_channel)
    forum = discord_api.add_channel(FORUM, "alerts-forum")
    thread_chat = await discord_chat(storage, clock, thread, kind="public_thread")
    forum_chat = await discord_chat(storage, clock, forum, kind="guild_forum")
    await queue_alert(storage, clock, thread_chat, title="First")
    await queue_alert(storage, clock, forum_chat, title="Second [x](https://evil.example)")
    await queue_alert(storage, clock, forum_chat, title="Third")

    assert await delivery.drain() == 3

    assert [only_embed(m)["title"] for m in discord_api.messages(thread)] == ["First"]
    assert discord_api.messages(text_channel) == []
    posts = discord_api.threads_of(forum)
    # A post's name is shown raw by Discord, so it is plain text, not escaped markdown.
    assert [p.name for p in posts] == ["Second [x](https://evil.example)", "Third"]
    assert [len(p.messages) for p in posts] == [1, 1]
    assert only_embed(posts[1].messages[0])["title"] == "Third"
    fetches = [
        r for r in discord_api.requests if r.method == "GET" and r.path.startswith("/channels/")
    ]
    assert len(fetches) == 1  # the forum is looked up once, then remembered


@pytest.mark.parametrize(
    ("break_channel", "reason"),
    [
        (FakeDiscord.delete_channel, "the channel no longer exists"),
        (FakeDiscord.remove_bot, "the bot can no longer see this channel"),
        (FakeDiscord.revoke_permissions, "the bot lacks permission to post here"),
    ],
)
async def test_a_gone_channel_is_deactivated_with_a_reason_and_its_queue_dropped(
    discord_api: FakeDiscord,
    storage: Storage,
    clock: FakeClock,
    delivery: Delivery,
    break_channel: Any,
    reason: str,
) -> None:
    dead = discord_api.add_channel(TEXT, "dead")
    alive = discord_api.add_channel(TEXT, "alive")
    dead_chat = await discord_chat(storage, clock, dead)
    alive_chat = await discord_chat(storage, clock, alive)
    await queue_alert(storage, clock, dead_chat)
    await queue_alert(storage, clock, dead_chat)
    await queue_alert(storage, clock, alive_chat)
    break_channel(discord_api, dead)

    assert await delivery.drain() == 1

    chat = await storage.chats.by_id(dead_chat.id)
    assert chat is not None and not chat.active
    assert reason in (chat.deactivated_reason or "")
    assert [c.id for c in await storage.chats.inactive()] == [dead_chat.id]
    rows = await outbox_rows(storage)
    assert [r["status"] for r in rows] == ["failed", "failed", "delivered"]
    assert len(discord_api.sent_to(dead)) == 1  # the second alert was not even tried
    assert len(discord_api.messages(alive)) == 1


async def test_a_server_error_is_retried_later_and_then_delivered_once(
    discord_api: FakeDiscord, storage: Storage, clock: FakeClock, delivery: Delivery
) -> None:
    channel = discord_api.add_channel(TEXT, "alerts")
    chat = await discord_chat(storage, clock, channel)
    await queue_alert(storage, clock, chat)
    discord_api.fail_next(channel, Failure(503, 0, "Service Unavailable"))

    assert await delivery.drain() == 0
    [row] = await outbox_rows(storage)
    assert row["status"] == "pending" and "Discord 503" in row["last_error"]
    assert await delivery.drain() == 0  # not due yet

    clock.advance(seconds=10)
    assert await delivery.drain() == 1
    assert len(discord_api.messages(channel)) == 1
    chat_now = await storage.chats.by_id(chat.id)
    assert chat_now is not None and chat_now.active


async def test_a_lost_response_retried_by_discord_py_still_posts_once(
    discord_api: FakeDiscord, storage: Storage, clock: FakeClock, delivery: Delivery
) -> None:
    """Discord made the message but the 500 hid it; discord.py resends with the same nonce."""
    channel = discord_api.add_channel(TEXT, "alerts")
    chat = await discord_chat(storage, clock, channel)
    await queue_alert(storage, clock, chat)
    discord_api.fail_next(channel, Failure(500, 0, "Internal Server Error", deliver_first=True))

    assert await delivery.drain() == 1

    assert len(discord_api.sent_to(channel)) == 2
    assert len(discord_api.messages(channel)) == 1


async def test_a_short_rate_limit_is_waited_out_by_discord_py(
    discord_api: FakeDiscord, storage: Storage, clock: FakeClock, delivery: Delivery
) -> None:
    channel = discord_api.add_channel(TEXT, "alerts")
    chat = await discord_chat(storage, clock, channel)
    await queue_alert(storage, clock, chat)
    discord_api.fail_next(channel, Failure(429, 0, "You are being rate limited.", retry_after=0.05))

    assert await delivery.drain() == 1

    assert len(discord_api.sent_to(channel)) == 2
    assert len(discord_api.messages(channel)) == 1


async def test_a_long_rate_limit_pauses_discord_without_using_up_an_attempt(
    discord_api: FakeDiscord, storage: Storage, clock: FakeClock, delivery: Delivery
) -> None:
    channel = discord_api.add_channel(TEXT, "alerts")
    chat = await discord_chat(storage, clock, channel)
    await queue_alert(storage, clock, chat)
    await queue_alert(storage, clock, chat)
    discord_api.fail_next(channel, Failure(429, 0, "You are being rate limited.", retry_after=120))

    assert await delivery.drain() == 0

    assert len(discord_api.sent_to(channel)) == 1  # discord.py did not sit out two minutes
    rows = await outbox_rows(storage)
    assert [r["status"] for r in rows] == ["pending", "pending"]
    assert [r["attempts"] for r in rows] == [0, 0]
    clock.advance(seconds=121)
    assert await delivery.drain() == 2


@pytest.mark.parametrize("seconds", [120.0, 1e12])
async def test_a_discord_channels_rate_limit_holds_back_that_channel_alone(
    discord_api: FakeDiscord, storage: Storage, clock: FakeClock, delivery: Delivery, seconds: float
) -> None:
    """Discord's message buckets are per channel: one channel's long 429 (longer than
    discord.py sleeps through, or absurd) leaves the others alone, for a bounded time."""
    limited, other = (
        discord_api.add_channel(TEXT, "limited"),
        discord_api.add_channel(TEXT, "other"),
    )
    limited_chat = await discord_chat(storage, clock, limited)
    other_chat = await discord_chat(storage, clock, other)
    discord_api.fail_next(
        limited, Failure(429, 0, "You are being rate limited.", retry_after=seconds)
    )
    await queue_alert(storage, clock, limited_chat)
    await queue_alert(storage, clock, other_chat)
    assert await delivery.drain() == 1

    clock.advance(seconds=5)
    await queue_alert(storage, clock, other_chat)
    assert await delivery.drain() == 1
    assert (len(discord_api.messages(limited)), len(discord_api.messages(other))) == (0, 2)
    rows = await outbox_rows(storage)
    assert [r["status"] for r in rows] == ["pending", "delivered", "delivered"]

    clock.advance(seconds=min(seconds, RETRY_AFTER_CAP_SECONDS))
    assert await delivery.drain() == 1
    assert len(discord_api.messages(limited)) == 1


async def test_an_edge_rate_limit_without_json_pauses_for_retry_after(
    discord_api: FakeDiscord, storage: Storage, clock: FakeClock, discord_client: discord.Client
) -> None:
    channel = discord_api.add_channel(TEXT, "alerts")
    chat = await discord_chat(storage, clock, channel)
    await queue_alert(storage, clock, chat)
    discord_api.fail_next(channel, Failure(429, retry_after=90, via=False))
    [alert] = await claim_due(storage, clock(), ["discord"])

    result = await DiscordSender(discord_client).send(alert)

    assert result.outcome is Outcome.RATE_LIMITED
    assert result.retry_after == 90


async def test_sends_keep_within_discords_rate_limit_buckets(
    discord_api: FakeDiscord, storage: Storage, clock: FakeClock, delivery: Delivery
) -> None:
    discord_api.rate_limit = (2, 0.4)
    channel = discord_api.add_channel(TEXT, "busy")
    chat = await discord_chat(storage, clock, channel)
    for _ in range(5):
        await queue_alert(storage, clock, chat)
    started = time.monotonic()

    assert await delivery.drain() == 5

    assert discord_api.rate_limit_violations == 0
    assert time.monotonic() - started >= 0.7  # three windows of 0.4 s were needed
    assert len(discord_api.messages(channel)) == 5


async def test_a_revoked_token_pauses_discord_and_keeps_the_channel(
    discord_api: FakeDiscord, storage: Storage, clock: FakeClock, delivery: Delivery
) -> None:
    channel = discord_api.add_channel(TEXT, "alerts")
    chat = await discord_chat(storage, clock, channel)
    await queue_alert(storage, clock, chat)
    discord_api.token = "rotated-by-the-operator"

    assert await delivery.drain() == 0

    chat_now = await storage.chats.by_id(chat.id)
    assert chat_now is not None and chat_now.active
    [row] = await outbox_rows(storage)
    assert row["status"] == "pending" and "Discord 401" in row["last_error"]


async def test_before_login_the_sender_asks_to_wait_and_sends_nothing(
    discord_api: FakeDiscord, storage: Storage, clock: FakeClock
) -> None:
    channel = discord_api.add_channel(TEXT, "alerts")
    chat = await discord_chat(storage, clock, channel)
    await queue_alert(storage, clock, chat)
    [alert] = await claim_due(storage, clock(), ["discord"])
    discord_client = discord.Client(**client_options())
    try:
        result = await DiscordSender(discord_client).send(alert)
    finally:
        await discord_client.close()

    assert result.outcome is Outcome.RATE_LIMITED
    assert discord_api.requests == []


async def test_an_unreachable_discord_means_retry(
    storage: Storage, clock: FakeClock, discord_client: discord.Client, discord_api: FakeDiscord
) -> None:
    channel = discord_api.add_channel(TEXT, "alerts")
    chat = await discord_chat(storage, clock, channel)
    await queue_alert(storage, clock, chat)
    [alert] = await claim_due(storage, clock(), ["discord"])
    restore = point_discord_at("http://127.0.0.1:9")  # discard port: nothing listens
    try:
        result = await DiscordSender(discord_client).send(alert)
    finally:
        restore()

    assert result.outcome is Outcome.UNAVAILABLE
    assert "network error" in (result.error or "")


@pytest.mark.parametrize(
    ("categories", "label", "colour"),
    [
        (("censorship",), "CENSORSHIP", 0xE67E22),
        (("censorship", "arrest"), "CENSORSHIP + ARRESTS", 0xE67E22),
    ],
)
async def test_each_category_has_its_label_and_colour(
    discord_api: FakeDiscord,
    storage: Storage,
    clock: FakeClock,
    delivery: Delivery,
    categories: tuple[str, ...],
    label: str,
    colour: int,
) -> None:
    channel = discord_api.add_channel(TEXT, "alerts")
    chat = await discord_chat(storage, clock, channel)
    await queue_alert(storage, clock, chat, categories=categories)

    assert await delivery.drain() == 1

    embed = only_embed(discord_api.messages(channel)[0])
    assert (embed["author"]["name"], embed["color"]) == (label, colour)


async def test_a_dm_whose_person_closed_their_dms_is_deactivated_with_the_reason(
    discord_api: FakeDiscord, storage: Storage, clock: FakeClock, delivery: Delivery
) -> None:
    dm = discord_api.add_channel(DM, "")
    dm.refusal = CANNOT_DM
    chat = await discord_chat(storage, clock, dm, kind="private")
    await queue_alert(storage, clock, chat)

    assert await delivery.drain() == 0

    stopped = await storage.chats.by_id(chat.id)
    assert stopped is not None and not stopped.active
    assert "does not accept direct messages" in (stopped.deactivated_reason or "")
