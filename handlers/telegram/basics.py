"""/start, /help and /lang."""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.filters import Command, CommandObject, CommandStart
from aiogram.types import Message

from handlers.commands import CommandService
from handlers.telegram.context import (
    answer,
    command_argument,
    message_caller,
    message_ref,
    on_command,
)


async def start(message: Message, bot: Bot, service: CommandService) -> None:
    caller = await message_caller(message, bot, check_admin=False)
    await answer(message, await service.start(message_ref(message), caller))


async def help_(message: Message, bot: Bot, service: CommandService) -> None:
    caller = await message_caller(message, bot, check_admin=False)
    await answer(message, await service.help(message_ref(message), caller))


async def lang(message: Message, command: CommandObject, bot: Bot, service: CommandService) -> None:
    caller = await message_caller(message, bot, check_admin=True)
    reply = await service.set_language(message_ref(message), caller, command_argument(command.args))
    await answer(message, reply)


def router() -> Router:
    """A fresh router (a router can belong to one dispatcher only)."""
    built = Router(name="basics")
    on_command(built, start, CommandStart())
    on_command(built, help_, Command("help"))
    on_command(built, lang, Command("lang"))
    return built
