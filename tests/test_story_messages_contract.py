"""Every registered platform's sender keeps the same promise for story messages:
send, edit in place, an edit that changes nothing, a reply, and a message the chat
deleted. Each runs its real client (aiogram, discord.py) against its strict fake."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace

import discord
import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer

from bot.delivery.contract import Outcome, Sender
from bot.delivery.ratelimit import RateLimiter, RateLimits
from bot.domain.alert import Alert
from bot.domain.chat import Chat
from bot.stories.records import Story
from handlers.discord.client import client_options
from handlers.discord.runtime import point_discord_at
from handlers.discord.sender import DiscordSender
from handlers.registry import PLATFORMS
from handlers.telegram.sender import TelegramSender
from tests.alert_support import a_story as story
from tests.alert_support import an_alert
from tests.fakes.discord_api import TEXT, FakeDiscord
from tests.fakes.telegram_api import TOKEN, FakeLimits, running_bot_api

FAST = RateLimits(per_second=100.0, per_chat_per_second=100.0, per_group_per_minute=6000.0)


@dataclass
class Platform:
    """One platform's sender and what its fake shows."""

    sender: Sender
    chat: Chat
    text_of: Callable[[str], str | None]  # a message's visible words; None once gone
    reply_target: Callable[[str], str | None]  # which message a message answers
    delete: Callable[[str], None]


@asynccontextmanager
async def telegram() -> AsyncIterator[Platform]:
    async with running_bot_api(
        FakeLimits(per_chat_per_second=100, per_group_per_minute=6000)
    ) as api:
        bot = Bot(TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(api.base_url)))
        try:
            sender = TelegramSender(bot, RateLimiter(FAST))
            chat = Chat(1, "telegram", "-1001", "", "supergroup", "T", "en", True)

            def text_of(message_id: str) -> str | None:
                found = api.messages.get((-1001, int(message_id)))
                return str(found["text"]) if found else None

            def reply_target(message_id: str) -> str | None:
                found = api.messages.get((-1001, int(message_id))) or {}
                target = found.get("reply_to_message_id")
                return str(target) if target else None

            yield Platform(
                sender,
                chat,
                text_of,
                reply_target,
                lambda message_id: api.delete_message(-1001, int(message_id)),
            )
        finally:
            await bot.session.close()


@asynccontextmanager
async def discord_platform() -> AsyncIterator[Platform]:
    async with FakeDiscord() as fake:
        restore = point_discord_at(fake.url)
        client = discord.Client(**client_options())
        try:
            await client.login(fake.token)
            channel = fake.add_channel(TEXT, "news")
            sender = DiscordSender(client, RateLimiter(FAST))
            chat = Chat(1, "discord", str(channel.id), "", "guild_text", "news", "en", True)

            def find(message_id: str) -> dict[str, object] | None:
                return next((m for m in channel.messages if m["id"] == message_id), None)

            def text_of(message_id: str) -> str | None:
                found = find(message_id)
                if found is None:
                    return None
                embeds = found.get("embeds") or []
                parts = [str(found.get("content") or "")]
                for embed in embeds if isinstance(embeds, list) else []:
                    parts += [str(embed.get("title", "")), str(embed.get("description", ""))]
                    parts += [str(f["value"]) for f in embed.get("fields", [])]
                return "\n".join(parts)

            def reply_target(message_id: str) -> str | None:
                found = find(message_id)
                reference = found.get("message_reference") if found else None
                return str(reference["message_id"]) if isinstance(reference, dict) else None

            def delete(message_id: str) -> None:
                fake.delete_message(channel, int(message_id))

            yield Platform(sender, chat, text_of, reply_target, delete)
        finally:
            await client.close()
            restore()


FACTORIES = {"telegram": telegram, "discord": discord_platform}


def test_every_registered_platform_is_under_the_contract() -> None:
    assert {entry.name for entry in PLATFORMS} == set(FACTORIES)


@pytest.fixture(params=[entry.name for entry in PLATFORMS])
async def platform(request: pytest.FixtureRequest) -> AsyncIterator[Platform]:
    async with FACTORIES[request.param]() as found:
        yield found


def alert(chat: Chat, shown: Story, outbox_id: int, **extra: object) -> Alert:
    places = {"ru/samara": {"en": "Samara", "ru": "Самара"}}
    return an_alert(chat, outbox_id, story=shown, place_names=places, **extra)


async def test_send_edit_unchanged_edit_and_reply(platform: Platform) -> None:
    first = story(1, ("OVD-Info",), 40)
    sent = await platform.sender.send(alert(platform.chat, first, 1))
    assert sent.outcome is Outcome.DELIVERED and sent.message_id
    message_id = sent.message_id
    shown = platform.text_of(message_id) or ""
    assert "40+" in shown and "Samara" in shown and "OVD-Info" in shown

    grown = story(2, ("OVD-Info", "Mediazona", "Meduza", "Novaya", "Dozhd"), 120)
    edit = alert(platform.chat, grown, 2, kind="edit", message_id=message_id, shown_version=1)
    edited = await platform.sender.edit(edit)
    assert edited.outcome is Outcome.DELIVERED and edited.message_id == message_id
    shown = platform.text_of(message_id) or ""
    assert "120+" in shown and "Also reported by: Mediazona, Meduza (+2)" in shown

    # The same words again: the chat already sees them, which is success.
    again = await platform.sender.edit(replace(edit, outbox_id=3))
    assert again.outcome is Outcome.DELIVERED and again.message_id == message_id

    answer = alert(
        platform.chat, grown, 4, kind="reply", message_id=message_id, escalations=("detained",)
    )
    replied = await platform.sender.reply(answer)
    assert replied.outcome is Outcome.DELIVERED and replied.message_id
    assert replied.message_id != message_id
    assert platform.reply_target(replied.message_id) == message_id
    assert "Update: detained 120+ (OVD-Info)" in (platform.text_of(replied.message_id) or "")


async def test_a_deleted_message_is_gone_for_edits_and_still_answered(
    platform: Platform,
) -> None:
    first = story(1, ("OVD-Info",), 40)
    sent = await platform.sender.send(alert(platform.chat, first, 1))
    assert sent.message_id
    platform.delete(sent.message_id)
    grown = story(2, ("OVD-Info", "Mediazona"), 40)
    edit = alert(platform.chat, grown, 2, kind="edit", message_id=sent.message_id)
    gone = await platform.sender.edit(edit)
    assert gone.outcome is Outcome.MESSAGE_GONE
    answer = alert(
        platform.chat, grown, 3, kind="reply", message_id=sent.message_id, escalations=("court",)
    )
    replied = await platform.sender.reply(answer)
    assert replied.outcome is Outcome.DELIVERED and replied.message_id
    assert "a court has ruled" in (platform.text_of(replied.message_id) or "")
