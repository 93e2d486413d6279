"""From a Telegram update to the service's facts, and from a `Reply` back to messages.

The only Telegram-specific decision here is who may manage a chat: a private chat
is the user's own; in a channel, only admins can post, so a command that arrives
as a channel post is an admin's; an anonymous group admin writes as the group
itself; anyone else is checked with getChatMember.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from aiogram import Bot, Router
from aiogram.enums import ChatMemberStatus, ChatType
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Filter
from aiogram.filters.callback_data import CallbackData
from aiogram.types import (
    CallbackQuery,
    Chat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    Message,
)

from bot.domain.chat import Platform
from handlers.commands import Caller, ChatRef, Choice, Reply
from handlers.rendering import utf16_len

logger = logging.getLogger(__name__)


def on_command(router: Router, handler: Callable[..., Awaitable[None]], command: Filter) -> None:
    """Let `handler` answer `command` wherever it is written: in a private chat or a
    group (a message) and in a channel (a post)."""
    router.message.register(handler, command)
    router.channel_post.register(handler, command)


PLATFORM: Platform = "telegram"
MESSAGE_LIMIT = 4096
CALLBACK_ALERT_LIMIT = 200
_MANAGERS = frozenset({ChatMemberStatus.CREATOR, ChatMemberStatus.ADMINISTRATOR})
_NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


class ChoiceData(CallbackData, prefix="t"):
    """A pressed `Choice`. `target` is a channel id when the buttons were offered in a
    private chat on behalf of that channel (a forwarded post), else empty."""

    action: str
    argument: str
    target: str = ""


def chat_ref(chat: Chat, thread_id: int | None = None) -> ChatRef:
    title = chat.title or chat.full_name
    return telegram_ref(str(chat.id), str(chat.type), str(thread_id) if thread_id else "", title)


def telegram_ref(chat_id: str, kind: str, thread_id: str = "", title: str | None = None) -> ChatRef:
    """A Telegram place: answers to commands are seen by everyone in it, and only a
    channel is called a channel."""
    return ChatRef(
        platform=PLATFORM,
        external_id=chat_id,
        kind=kind,
        thread_id=thread_id,
        title=title,
        named_as_channel=kind == ChatType.CHANNEL,
        replies_public=True,
    )


def message_ref(message: Message) -> ChatRef:
    """Where the message was written; a forum topic is a destination of its own."""
    thread = message.message_thread_id if message.is_topic_message else None
    return chat_ref(message.chat, thread)


async def is_chat_admin(bot: Bot, chat_id: int | str, user_id: int) -> bool:
    """getChatMember says creator or administrator; any API failure counts as no."""
    try:
        member = await bot.get_chat_member(chat_id=chat_id, user_id=user_id)
    except TelegramAPIError as exc:
        logger.info("getChatMember(%s, %s) failed: %s", chat_id, user_id, exc)
        return False
    return member.status in _MANAGERS


async def message_caller(message: Message, bot: Bot, *, check_admin: bool) -> Caller:
    """The facts about who wrote `message`; getChatMember only when `check_admin`."""
    user = message.from_user
    chat = message.chat
    name = user.username or user.full_name if user else None
    hint = user.language_code if user else None
    user_id = user.id if user else None
    if chat.type == ChatType.PRIVATE:
        return Caller(user_id, True, name, hint)
    if chat.type == ChatType.CHANNEL:
        # Only the channel's admins can post in it.
        return Caller(user_id, True, message.author_signature or name, hint)
    if message.sender_chat is not None and message.sender_chat.id == chat.id:
        # An anonymous group admin writes as the group itself.
        return Caller(None, True, "anonymous admin", hint)
    if message.sender_chat is not None:
        # Someone writing as a channel (a linked channel, or a personal one): no admin.
        return Caller(None, False, message.sender_chat.title, hint)
    can_manage = False
    if check_admin and user is not None:
        can_manage = await is_chat_admin(bot, chat.id, user.id)
    return Caller(user_id, can_manage, name, hint)


async def callback_caller(query: CallbackQuery, bot: Bot, ref: ChatRef) -> Caller:
    user = query.from_user
    name = user.username or user.full_name
    if ref.is_private and ref.external_id == str(user.id):
        return Caller(user.id, True, name, user.language_code)
    # In groups and channels alike, whoever pressed must be an admin of the target.
    can_manage = await is_chat_admin(bot, int(ref.external_id), user.id)
    return Caller(user.id, can_manage, name, user.language_code)


def keyboard(choices: tuple[Choice, ...], target: str = "") -> InlineKeyboardMarkup | None:
    if not choices:
        return None
    rows = [
        [
            InlineKeyboardButton(
                text=choice.label,
                callback_data=ChoiceData(
                    action=choice.action, argument=choice.argument, target=target
                ).pack(),
            )
        ]
        for choice in choices
    ]
    return InlineKeyboardMarkup(inline_keyboard=rows)


async def answer(message: Message, reply: Reply, *, target: str = "") -> None:
    """Send the reply as plain text (nothing is parsed), split to fit, buttons on the last."""
    chunks = reply.chunks(MESSAGE_LIMIT, utf16_len)
    markup = keyboard(reply.choices, target)
    for index, chunk in enumerate(chunks):
        last = index == len(chunks) - 1
        await message.answer(
            chunk,
            parse_mode=None,
            reply_markup=markup if last else None,
            link_preview_options=_NO_PREVIEW,
        )


def command_argument(args: str | None) -> str:
    return (args or "").strip()
