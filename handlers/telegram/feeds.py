"""/feeds for everyone; /addfeed, /removefeed and /status for the bot's operators."""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.filters import Command, CommandObject
from aiogram.types import Message

from handlers.commands import CommandService
from handlers.telegram.context import (
    answer,
    command_argument,
    message_caller,
    message_ref,
    on_command,
)


async def feeds(message: Message, bot: Bot, service: CommandService) -> None:
    caller = await message_caller(message, bot, check_admin=False)
    await answer(message, await service.feeds(message_ref(message), caller))


async def add_feed(
    message: Message, command: CommandObject, bot: Bot, service: CommandService
) -> None:
    caller = await message_caller(message, bot, check_admin=False)
    reply = await service.add_feed(message_ref(message), caller, command_argument(command.args))
    await answer(message, reply)


async def remove_feed(
    message: Message, command: CommandObject, bot: Bot, service: CommandService
) -> None:
    caller = await message_caller(message, bot, check_admin=False)
    reply = await service.remove_feed(message_ref(message), caller, command_argument(command.args))
    await answer(message, reply)


async def status(message: Message, bot: Bot, service: CommandService) -> None:
    caller = await message_caller(message, bot, check_admin=False)
    await answer(message, await service.status(message_ref(message), caller))


def router() -> Router:
    """A fresh router (a router can belong to one dispatcher only)."""
    built = Router(name="feeds")
    on_command(built, feeds, Command("feeds"))
    on_command(built, add_feed, Command("addfeed"))
    on_command(built, remove_feed, Command("removefeed"))
    on_command(built, status, Command("status"))
    return built
