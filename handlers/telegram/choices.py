"""Inline buttons: a pressed `Choice` runs its action, with the same checks as the command."""

from __future__ import annotations

import logging

from aiogram import Bot, Router
from aiogram.enums import ChatType
from aiogram.exceptions import TelegramAPIError
from aiogram.types import CallbackQuery, Message

from handlers.commands import ChatRef, CommandService
from handlers.rendering import utf16_len
from handlers.telegram.context import (
    CALLBACK_ALERT_LIMIT,
    MESSAGE_LIMIT,
    ChoiceData,
    callback_caller,
    chat_ref,
    keyboard,
    message_ref,
    telegram_ref,
)

logger = logging.getLogger(__name__)


async def _target(query: CallbackQuery, data: ChoiceData, bot: Bot) -> ChatRef | None:
    if data.target:
        # Buttons offered in a private chat on behalf of a channel.
        try:
            return chat_ref(await bot.get_chat(int(data.target)))
        except (TelegramAPIError, ValueError):
            return telegram_ref(data.target, ChatType.CHANNEL)
    if isinstance(query.message, Message):
        return message_ref(query.message)
    return None


async def on_choice(
    query: CallbackQuery, callback_data: ChoiceData, bot: Bot, service: CommandService
) -> None:
    ref = await _target(query, callback_data, bot)
    if ref is None:  # the message is too old for Telegram to show us
        await query.answer()
        return
    caller = await callback_caller(query, bot, ref)
    reply = await service.choose(ref, caller, callback_data.action, callback_data.argument)
    if reply.refused or reply.error:
        # A polite refusal, shown to the person who pressed; the buttons stay for others.
        await query.answer(reply.text[:CALLBACK_ALERT_LIMIT], show_alert=True)
        return
    await query.answer()
    message = query.message
    if not isinstance(message, Message):
        return
    body = reply.chunks(MESSAGE_LIMIT, utf16_len)[0]
    try:
        await message.edit_text(
            body, parse_mode=None, reply_markup=keyboard(reply.choices, callback_data.target)
        )
    except TelegramAPIError as exc:
        # Pressed twice ("message is not modified") or too old to edit: say it anew.
        logger.info("could not edit the choice message: %s", exc)
        await message.answer(body, parse_mode=None)


def router() -> Router:
    """A fresh router (a router can belong to one dispatcher only)."""
    built = Router(name="choices")
    built.callback_query.register(on_choice, ChoiceData.filter())
    return built
