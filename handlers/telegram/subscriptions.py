"""/subscribe, /unsubscribe, /subscriptions, and subscribing a channel by forwarding from it."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.enums import ChatType
from aiogram.filters import Command, CommandObject
from aiogram.types import Message, MessageOriginChannel

from bot.i18n import text
from handlers.commands import Caller, CommandService, Reply
from handlers.telegram.context import (
    answer,
    chat_ref,
    command_argument,
    is_chat_admin,
    message_caller,
    message_ref,
    on_command,
)


async def subscribe(
    message: Message, command: CommandObject, bot: Bot, service: CommandService
) -> None:
    caller = await message_caller(message, bot, check_admin=True)
    reply = await service.subscribe_command(
        message_ref(message), caller, command_argument(command.args)
    )
    await answer(message, reply)


async def unsubscribe(message: Message, bot: Bot, service: CommandService) -> None:
    caller = await message_caller(message, bot, check_admin=True)
    await answer(message, await service.unsubscribe(message_ref(message), caller))


async def subscriptions(message: Message, bot: Bot, service: CommandService) -> None:
    caller = await message_caller(message, bot, check_admin=False)
    await answer(message, await service.subscriptions(message_ref(message), caller))


async def forwarded_from_channel(message: Message, bot: Bot, service: CommandService) -> None:
    """A channel admin forwards a post to the bot: offer to subscribe that channel.

    The buttons carry the channel's id; pressing one checks admin rights again.
    """
    origin = message.forward_origin
    assert isinstance(origin, MessageOriginChannel)  # guaranteed by the filter
    ref = chat_ref(origin.chat)
    user = message.from_user
    hint = user.language_code if user else None
    is_admin = user is not None and await is_chat_admin(bot, origin.chat.id, user.id)
    caller = Caller(user.id if user else None, is_admin, user.full_name if user else None, hint)
    lang = await service.language_of(ref, caller)
    if is_admin and not await is_chat_admin(bot, origin.chat.id, bot.id):
        await answer(message, Reply(text(lang, "channel.bot_not_admin"), lang, refused=True))
        return
    reply = await service.subscribe_command(ref, caller, "")
    await answer(message, reply, target=ref.external_id)


def router() -> Router:
    """A fresh router (a router can belong to one dispatcher only)."""
    built = Router(name="subscriptions")
    on_command(built, subscribe, Command("subscribe"))
    on_command(built, unsubscribe, Command("unsubscribe"))
    on_command(built, subscriptions, Command("subscriptions"))
    built.message.register(
        forwarded_from_channel, F.chat.type == ChatType.PRIVATE, F.forward_origin.type == "channel"
    )
    return built
