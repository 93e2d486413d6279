"""Stories from the feeds to the chats: five feeds report one detention in English
and Russian within an hour, beside a near miss (detentions in another city the same
day). Real feeds over loopback HTTP, the real pipeline, storage and delivery loop,
the real aiogram and discord.py clients against the strict fake servers.

Each grouped chat gets exactly two stories; the first is edited in place as the
sources arrive and gets one escalation reply when the count triples; a restart
between reports keeps exactly-once; a story message deleted by the chat leads to a
fresh message; the chat that asked for every report gets every report.
"""

from __future__ import annotations

import html
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import format_datetime
from typing import Any

import discord
import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer

from bot.app import Tocsin, build_app
from bot.delivery.contract import Sender
from bot.delivery.ratelimit import RateLimiter, RateLimits
from bot.domain.chat import Subscription
from bot.domain.vocabulary import CATEGORIES
from bot.settings import Settings
from handlers.discord.client import client_options
from handlers.discord.runtime import point_discord_at
from handlers.discord.sender import DiscordSender
from handlers.telegram.sender import TelegramSender
from tests.conftest import FakeClock, FeedServer
from tests.fakes.discord_api import TEXT, FakeDiscord
from tests.fakes.telegram_api import TOKEN, FakeLimits, running_bot_api

FAST = RateLimits(per_second=100.0, per_chat_per_second=100.0, per_group_per_minute=6000.0)
HOLD_BACK = 60

# Our own words: a protest against a theatre's closure in Yekaterinburg, reported by
# five outlets in two languages; picketers detained in Novosibirsk the same day.
REPORTS = [
    (
        "Ural Monitor",
        "en",
        "Police detain 40 protesters in Yekaterinburg",
        "At least 40 people were detained on Tuesday at a rally in Yekaterinburg against"
        " the closure of the city's drama theatre, a rights group said.",
    ),
    (
        "Уральский вестник",
        "ru",
        "В Екатеринбурге задержали более 40 участников акции",
        "Во вторник в Екатеринбурге полиция задержала более 40 человек на акции против"
        " закрытия драматического театра.",
    ),
    (
        "Rights Wire",
        "en",
        "Theatre protest in Yekaterinburg: detentions go on",
        "Police in Yekaterinburg kept detaining people who came out on Tuesday against the"
        " closure of the drama theatre.",
    ),
    (
        "Правозащитная лента",
        "ru",
        "Число задержанных на акции в Екатеринбурге превысило 120",
        "На акции против закрытия драматического театра в Екатеринбурге во вторник"
        " задержаны более 120 человек, сообщают правозащитники.",
    ),
    (
        "City Beat",
        "en",
        "Yekaterinburg theatre rally: rights group lists the detained",
        "A rights group published the names of people detained in Yekaterinburg on Tuesday"
        " at the rally for the drama theatre.",
    ),
]
NEAR_MISS = (
    "Siberia Desk",
    "en",
    "Police detain a dozen picketers in Novosibirsk",
    "Twelve people were detained on Tuesday at a picket in Novosibirsk against new fees"
    " for public transport, local activists said.",
)


def rss(title: str, items: list[tuple[str, str, str, datetime]], lang: str) -> str:
    body = "".join(
        f"<item><guid>{guid}</guid><title>{html.escape(t)}</title>"
        f"<link>https://news.example/{guid}</link>"
        f"<description>{html.escape(s)}</description>"
        f"<pubDate>{format_datetime(when)}</pubDate></item>"
        for guid, t, s, when in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{html.escape(title)}</title><link>https://news.example/</link>"
        f"<language>{lang}</language>{body}</channel></rss>"
    )


@dataclass
class Post:
    message_id: str
    text: str
    reply_to: str | None


@dataclass
class Side:
    """One platform as the test sees it: three chats and what the fake shows in them."""

    name: str
    sender: Sender
    chats: tuple[str, str, str]  # grouped (en), grouped (ru), every report (en)
    kind: str
    posts: Callable[[str], list[Post]]  # messages now in the chat, oldest first
    edits: Callable[[str], int]  # edit requests that reached the chat
    delete: Callable[[str, str], None]


@asynccontextmanager
async def telegram_side() -> AsyncIterator[Side]:
    limits = FakeLimits(per_chat_per_second=100, per_group_per_minute=6000)
    async with running_bot_api(limits) as api:
        bot = Bot(TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(api.base_url)))
        chats = ("-1001", "-1002", "-1003")

        def posts(chat: str) -> list[Post]:
            found = [m for (c, _), m in sorted(api.messages.items()) if c == int(chat)]
            return [
                Post(
                    str(m["message_id"]),
                    str(m["text"]),
                    str(m["reply_to_message_id"]) if m.get("reply_to_message_id") else None,
                )
                for m in found
            ]

        def edits(chat: str) -> int:
            return len(api.calls_to("editMessageText", int(chat)))

        def delete(chat: str, message_id: str) -> None:
            api.delete_message(int(chat), int(message_id))

        try:
            yield Side(
                "telegram",
                TelegramSender(bot, RateLimiter(FAST)),
                chats,
                "supergroup",
                posts,
                edits,
                delete,
            )
        finally:
            await bot.session.close()


def _embed_text(message: dict[str, Any]) -> str:
    parts = [str(message.get("content") or "")]
    for embed in message.get("embeds") or []:
        parts.append(str((embed.get("author") or {}).get("name", "")))
        parts += [str(embed.get("title", "")), str(embed.get("description", ""))]
        parts += [str(f["value"]) for f in embed.get("fields", [])]
        parts.append(str((embed.get("footer") or {}).get("text", "")))
    return "\n".join(parts)


@asynccontextmanager
async def discord_side() -> AsyncIterator[Side]:
    async with FakeDiscord() as fake:
        fake.rate_limit = (100, 1.0)
        restore = point_discord_at(fake.url)
        client = discord.Client(**client_options())
        try:
            await client.login(fake.token)
            channels = {str(c.id): c for c in (fake.add_channel(TEXT, f"c{n}") for n in range(3))}
            ids = tuple(channels)

            def posts(chat: str) -> list[Post]:
                return [
                    Post(
                        str(m["id"]),
                        _embed_text(m),
                        str(m["message_reference"]["message_id"])
                        if m.get("message_reference")
                        else None,
                    )
                    for m in channels[chat].messages
                ]

            def edits(chat: str) -> int:
                return sum(
                    1
                    for r in fake.requests
                    if r.method == "PATCH" and r.path.startswith(f"/channels/{chat}/messages/")
                )

            def delete(chat: str, message_id: str) -> None:
                fake.delete_message(channels[chat], int(message_id))

            yield Side(
                "discord",
                DiscordSender(client, RateLimiter(FAST)),
                (ids[0], ids[1], ids[2]),
                "guild_text",
                posts,
                edits,
                delete,
            )
        finally:
            await client.close()
            restore()


SIDES = {"telegram": telegram_side, "discord": discord_side}


@pytest.fixture(params=sorted(SIDES))
async def side(request: pytest.FixtureRequest) -> AsyncIterator[Side]:
    async with SIDES[request.param]() as found:
        yield found


class World:
    def __init__(self, side: Side, settings: Settings, clock: FakeClock, feeds: FeedServer) -> None:
        self.side = side
        self.settings = settings
        self.clock = clock
        self.feeds = feeds
        self.app: Tocsin | None = None
        self._stack: AsyncExitStack | None = None
        self.feed_ids: list[int] = []

    async def start(self) -> Tocsin:
        self._stack = AsyncExitStack()
        self.app = await self._stack.enter_async_context(
            build_app(self.settings, clock=self.clock, with_platforms=False, embedded=False)
        )
        self.app.delivery.add_sender(self.side.sender)
        return self.app

    async def stop(self) -> None:
        assert self._stack is not None
        await self._stack.aclose()
        self.app = None

    async def restart(self) -> None:
        await self.stop()
        await self.start()

    async def publish(self, feed: int, report: tuple[str, str, str, str], minutes: int) -> None:
        """Feed `feed` lists one report, published `minutes` before now; then it is polled."""
        outlet, lang, title, summary = report
        when = self.clock() - timedelta(minutes=minutes)
        self.feeds.serve(f"/f{feed}", rss(outlet, [(f"item-{feed}", title, summary, when)], lang))
        assert self.app is not None
        await self.app.pipeline.refresh([self.feed_ids[feed]])

    async def deliver(self, *, after_hold_back: bool) -> None:
        assert self.app is not None
        if after_hold_back:
            self.clock.advance(seconds=HOLD_BACK + 1)
        await self.app.delivery.drain()


@pytest.fixture
async def world(
    side: Side, make_settings: Callable[..., Settings], clock: FakeClock, feed_server: FeedServer
) -> AsyncIterator[World]:
    """The app with stories on, six feeds polled once (their baseline), no chat yet."""
    settings = make_settings(stories=True, story_hold_back_seconds=HOLD_BACK)
    found = World(side, settings, clock, feed_server)
    app = await found.start()
    for n, (outlet, lang, _, _) in enumerate([*REPORTS, NEAR_MISS]):
        feed_server.serve(f"/f{n}", rss(outlet, [], lang))
        feed = await app.storage.feeds.add(feed_server.url(f"/f{n}"), now=clock(), title=outlet)
        found.feed_ids.append(feed.id)
    await app.pipeline.refresh(found.feed_ids)
    clock.advance(minutes=1)
    try:
        yield found
    finally:
        if found.app is not None:
            await found.stop()


async def subscribe(world: World, external: str, language: str, grouped: bool) -> None:
    assert world.app is not None
    chats = world.app.storage.chats
    chat = await chats.upsert(
        world.side.name, external, now=world.clock(), kind=world.side.kind, language=language
    )
    subscription = Subscription(chat.id, CATEGORIES, grouped=grouped)
    await chats.subscribe(chat.id, subscription, now=world.clock())


async def story_text_of(side: Side, chat: str, message_id: str) -> str:
    return next(p.text for p in side.posts(chat) if p.message_id == message_id)


async def test_five_feeds_one_detention_one_story_message_kept_current(
    world: World, side: Side
) -> None:
    grouped_en, grouped_ru, every = side.chats
    await subscribe(world, grouped_en, "en", grouped=True)
    await subscribe(world, grouped_ru, "ru", grouped=True)
    await subscribe(world, every, "en", grouped=False)

    # The first report and the near miss: the chat that wants every report has them at
    # once; the grouped chats get theirs after the hold-back, one message per story.
    await world.publish(0, REPORTS[0], minutes=50)
    await world.publish(5, NEAR_MISS, minutes=48)
    await world.deliver(after_hold_back=False)
    assert len(side.posts(every)) == 2
    assert side.posts(grouped_en) == [] and side.posts(grouped_ru) == []
    await world.deliver(after_hold_back=True)
    first_en, near_en = side.posts(grouped_en)
    first_ru, _near_ru = side.posts(grouped_ru)
    assert "Yekaterinburg" in first_en.text and "Detained: 40" in first_en.text
    assert "Novosibirsk" in near_en.text
    assert "Екатеринбург" in first_ru.text and "сюжет" in first_ru.text

    # A second outlet, in Russian: the English chat's message is edited in place.
    await world.publish(1, REPORTS[1], minutes=40)
    await world.deliver(after_hold_back=False)
    assert side.edits(grouped_en) == 0  # edits wait for the burst to settle
    await world.deliver(after_hold_back=True)
    assert side.edits(grouped_en) == 1
    shown = await story_text_of(side, grouped_en, first_en.message_id)
    assert "Also reported by: Уральский вестник" in shown

    # A restart between reports: the story is restored, nothing is sent twice.
    await world.restart()
    await world.publish(2, REPORTS[2], minutes=30)
    await world.deliver(after_hold_back=True)
    assert [p.message_id for p in side.posts(grouped_en)] == [
        first_en.message_id,
        near_en.message_id,
    ]
    shown = await story_text_of(side, grouped_en, first_en.message_id)
    assert "Rights Wire" in shown

    # The count triples: one short reply to the story's message, then the edit.
    await world.publish(3, REPORTS[3], minutes=20)
    await world.deliver(after_hold_back=False)
    replies = [p for p in side.posts(grouped_en) if p.reply_to is not None]
    assert len(replies) == 1 and replies[0].reply_to == first_en.message_id
    assert "Update: detained 120+" in replies[0].text
    ru_replies = [p for p in side.posts(grouped_ru) if p.reply_to is not None]
    assert len(ru_replies) == 1 and "Обновление: задержано 120+" in ru_replies[0].text
    await world.deliver(after_hold_back=True)
    assert "120+" in await story_text_of(side, grouped_en, first_en.message_id)

    # The chat deletes the story's message: the next change sends it afresh.
    side.delete(grouped_en, first_en.message_id)
    await world.publish(4, REPORTS[4], minutes=10)
    await world.deliver(after_hold_back=True)
    await world.deliver(after_hold_back=False)
    en_posts = side.posts(grouped_en)
    fresh = [p for p in en_posts if p.reply_to is None and p.message_id != near_en.message_id]
    assert len(fresh) == 1 and "Yekaterinburg" in fresh[0].text
    # Five outlets: the first, two named, and the rest counted.
    assert "Also reported by: Уральский вестник, Rights Wire (+2)" in fresh[0].text
    assert "120+" in fresh[0].text
    # The Russian chat's message was simply edited again.
    shown_ru = await story_text_of(side, grouped_ru, first_ru.message_id)
    assert "Также сообщили: Уральский вестник, Rights Wire (+2)" in shown_ru

    # Two stories in all, each chat one message per story (and one reply).
    assert world.app is not None
    assert len(await world.app.storage.stories.recent(world.clock() - timedelta(days=1))) == 2
    assert len([p for p in side.posts(grouped_ru) if p.reply_to is None]) == 2
    # The chat that asked for every report got every report, and no edits or replies.
    assert len(side.posts(every)) == 6
    assert side.edits(every) == 0
    assert all(p.reply_to is None for p in side.posts(every))


async def test_reports_arriving_within_the_hold_back_make_one_edit(
    world: World, side: Side, clock: FakeClock
) -> None:
    grouped = side.chats[0]
    await subscribe(world, grouped, "en", grouped=True)
    await world.publish(0, REPORTS[0], minutes=50)
    await world.deliver(after_hold_back=True)
    [story_message] = side.posts(grouped)

    # Four outlets within twenty seconds: one edit once they have settled.
    for n in range(1, 5):
        await world.publish(n, REPORTS[n], minutes=40 - n)
        clock.advance(seconds=5)
        await world.deliver(after_hold_back=False)
    assert side.edits(grouped) == 0
    await world.deliver(after_hold_back=True)
    assert side.edits(grouped) == 1
    shown = await story_text_of(side, grouped, story_message.message_id)
    assert "(+2)" in shown and "120+" in shown
    # Nothing more to say: later passes leave the message alone.
    await world.deliver(after_hold_back=True)
    assert side.edits(grouped) == 1


async def test_an_entry_updated_by_its_feed_updates_its_story(world: World, side: Side) -> None:
    grouped, _, every = side.chats
    await subscribe(world, grouped, "en", grouped=True)
    await subscribe(world, every, "en", grouped=False)
    await world.publish(0, REPORTS[0], minutes=50)
    await world.deliver(after_hold_back=True)
    [story_message] = side.posts(grouped)
    # The same entry (same guid), its text corrected by the outlet.
    outlet, lang, title, _ = REPORTS[0]
    corrected = (
        "At least 300 people were detained on Tuesday at a rally in Yekaterinburg against"
        " the closure of the city's drama theatre, a rights group said."
    )
    await world.publish(0, (outlet, lang, title.replace("40", "300"), corrected), minutes=50)
    await world.deliver(after_hold_back=True)
    assert [p.message_id for p in side.posts(grouped) if p.reply_to is None] == [
        story_message.message_id
    ]
    assert side.edits(grouped) == 1
    assert "Detained: 300" in await story_text_of(side, grouped, story_message.message_id)
    # An edit never alerts twice: the every-report chat keeps its one message.
    assert len(side.posts(every)) == 1
    assert world.app is not None
    [story] = await world.app.storage.stories.recent(world.clock() - timedelta(days=1))
    assert len(story.members) == 1


async def test_a_story_closes_once_no_report_can_join_it(world: World, side: Side) -> None:
    await subscribe(world, side.chats[0], "en", grouped=True)
    await world.publish(0, REPORTS[0], minutes=50)
    await world.deliver(after_hold_back=True)
    assert world.app is not None
    [story] = await world.app.storage.stories.recent(world.clock() - timedelta(days=1))
    assert story.state == "open"
    # Detentions take follow-ups for three days; a poll cycle after that closes it.
    world.clock.advance(days=4)
    await world.app.pipeline.refresh([world.feed_ids[1]])
    closed = await world.app.storage.stories.get(story.id)
    assert closed is not None and closed.state == "closed"
    assert closed.version == story.version + 1
    # A later report of the same kind is another story, with a message of its own.
    await world.publish(2, REPORTS[2], minutes=5)
    await world.deliver(after_hold_back=True)
    assert len([p for p in side.posts(side.chats[0]) if p.reply_to is None]) == 2


async def test_a_feed_polled_for_the_first_time_is_named_by_its_document(
    world: World, side: Side, feed_server: FeedServer
) -> None:
    """A feed added by its URL alone has no stored title when its first entries
    alert: the story still names the outlet as its document does, not by its host."""
    grouped = side.chats[0]
    await subscribe(world, grouped, "en", grouped=True)
    outlet, lang, title, summary = REPORTS[0]
    when = world.clock() - timedelta(minutes=5)
    feed_server.serve("/untitled", rss(outlet, [("first", title, summary, when)], lang))
    assert world.app is not None
    feed = await world.app.storage.feeds.add(
        feed_server.url("/untitled"), now=world.clock(), backlog_alerts=1
    )
    await world.app.pipeline.refresh([feed.id])
    await world.deliver(after_hold_back=True)
    [message] = side.posts(grouped)
    assert f"First: {outlet}" in message.text
    assert "127.0.0.1" not in message.text.replace(feed_server.url(""), "")


async def test_a_weak_signal_reaches_a_grouped_chat_as_a_note_not_a_story(
    world: World, side: Side
) -> None:
    """A threat alone is no event to tell as a story: a chat that asked for weak
    signals gets it as its own low-severity note, even when it gets stories."""
    grouped = side.chats[0]
    assert world.app is not None
    chats = world.app.storage.chats
    chat = await chats.upsert(side.name, grouped, now=world.clock(), kind=side.kind, language="en")
    wants_notes = Subscription(chat.id, CATEGORIES, min_severity="low", grouped=True)
    await chats.subscribe(chat.id, wants_notes, now=world.clock())
    threat = ("Ural Monitor", "en", "Regulator threatens to block Telegram over channels", "")
    await world.publish(0, threat, minutes=5)
    await world.deliver(after_hold_back=True)
    [note] = side.posts(grouped)
    assert "LOW-SEVERITY NOTE" in note.text
    assert "story" not in note.text.lower()


async def test_a_refresh_in_another_process_beside_the_bot_keeps_one_story(
    world: World, side: Side
) -> None:
    """`feeds refresh` beside the running bot assigns with a grouper of its own; the
    bot's next report must join the story as that process left it, not overwrite it."""
    grouped_en = side.chats[0]
    await subscribe(world, grouped_en, "en", grouped=True)
    await world.publish(0, REPORTS[0], minutes=50)
    # Another process on the same database (its own grouper, read from storage).
    async with build_app(
        world.settings, clock=world.clock, with_platforms=False, embedded=False
    ) as other:
        outlet, lang, title, summary = REPORTS[1]
        when = world.clock() - timedelta(minutes=40)
        world.feeds.serve("/f1", rss(outlet, [("item-1", title, summary, when)], lang))
        await other.pipeline.refresh([world.feed_ids[1]])
    await world.publish(2, REPORTS[2], minutes=30)
    await world.deliver(after_hold_back=True)

    [message] = side.posts(grouped_en)
    for outlet in ("Ural Monitor", "Уральский вестник", "Rights Wire"):
        assert outlet in message.text, message.text
    assert world.app is not None
    stories = await world.app.storage.stories.recent(world.clock() - timedelta(days=1))
    assert [len(story.facts.sources) for story in stories] == [3]
