"""Readers' reports: the "false alarm" button under each alert, and /missed URL."""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.filters import Command, CommandObject
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from bot.i18n import text
from handlers.commands import Caller, CommandService
from handlers.telegram.context import (
    CALLBACK_ALERT_LIMIT,
    answer,
    chat_ref,
    command_argument,
    message_caller,
    message_ref,
    on_command,
)


class FalseAlarmData(CallbackData, prefix="fa"):
    """A "false alarm" press under the alert of event `event` (a few bytes of the 64)."""

    event: int


def false_alarm_keyboard(event_id: int, lang: str) -> InlineKeyboardMarkup:
    button = InlineKeyboardButton(
        text=text(lang, "feedback.button"),
        callback_data=FalseAlarmData(event=event_id).pack(),
    )
    return InlineKeyboardMarkup(inline_keyboard=[[button]])


async def on_false_alarm(
    query: CallbackQuery, callback_data: FalseAlarmData, service: CommandService
) -> None:
    """Anyone who reads the alert may press; the answer is shown to them alone."""
    message = query.message
    if message is None:  # too old for Telegram to say where it was
        await query.answer()
        return
    ref = message_ref(message) if isinstance(message, Message) else chat_ref(message.chat)
    user = query.from_user
    caller = Caller(user.id, False, user.username or user.full_name, user.language_code)
    reply = await service.false_alarm(ref, caller, callback_data.event)
    await query.answer(reply.text[:CALLBACK_ALERT_LIMIT], show_alert=reply.refused or reply.error)


async def missed(
    message: Message, command: CommandObject, bot: Bot, service: CommandService
) -> None:
    caller = await message_caller(message, bot, check_admin=False)
    reply = await service.missed(message_ref(message), caller, command_argument(command.args))
    await answer(message, reply)


def router() -> Router:
    """A fresh router (a router can belong to one dispatcher only)."""
    built = Router(name="feedback")
    built.callback_query.register(on_false_alarm, FalseAlarmData.filter())
    on_command(built, missed, Command("missed"))
    return built
