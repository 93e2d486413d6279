"""The one place where an unexpected error in a handler is logged and answered."""

from __future__ import annotations

import contextlib
import logging

from aiogram import Router
from aiogram.exceptions import TelegramAPIError, TelegramRetryAfter
from aiogram.types import ErrorEvent, Message

from bot.i18n import DEFAULT_LANGUAGE, text
from handlers.commands import CommandService
from handlers.telegram.context import callback_caller, message_caller, message_ref

logger = logging.getLogger(__name__)


async def on_error(event: ErrorEvent, service: CommandService) -> bool:
    """Log with the traceback; tell the user something went wrong, never how.

    Telegram's flood control is not a bug: the pacing middleware already waited and
    tried again as long as a reply may wait, so this is one line at WARNING, and no
    apology (it would only meet the same pause).
    """
    update = event.update
    if isinstance(event.exception, TelegramRetryAfter):
        logger.warning(
            "update %s: reply not sent, Telegram asked to wait %d s",
            update.update_id,
            event.exception.retry_after,
        )
        return True
    logger.error(
        "update %s failed: %r", update.update_id, event.exception, exc_info=event.exception
    )
    message = update.message or update.channel_post
    lang = DEFAULT_LANGUAGE
    with contextlib.suppress(Exception):  # the error may be in storage itself
        if message is not None and message.bot is not None:
            caller = await message_caller(message, message.bot, check_admin=False)
            lang = await service.language_of(message_ref(message), caller)
    with contextlib.suppress(TelegramAPIError):
        if message is not None:
            await message.answer(text(lang, "error.internal"), parse_mode=None)
        elif update.callback_query is not None:
            query = update.callback_query
            if query.bot is not None and isinstance(query.message, Message):
                with contextlib.suppress(Exception):
                    ref = message_ref(query.message)
                    caller = await callback_caller(query, query.bot, ref)
                    lang = await service.language_of(ref, caller)
            await query.answer(text(lang, "error.internal")[:200], show_alert=True)
    return True


def router() -> Router:
    """A fresh router (a router can belong to one dispatcher only)."""
    built = Router(name="errors")
    built.errors.register(on_error)
    return built
