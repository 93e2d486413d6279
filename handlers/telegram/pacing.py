"""Every Bot API call that puts something in a chat waits for its turn in one limiter.

The pacing sits in the bot's HTTP session, as an aiogram request middleware, not at
the call sites: alerts, command replies, button answers, edits, the error handler's
apology and admin notices all leave through `bot.session`, whoever wrote the call,
so none can skip the limiter by forgetting it. The limiter is the one the alert
sender uses; Telegram counts per bot, so replies and alerts share one budget.

What counts, as Telegram counts it: a message sent, copied or forwarded to a chat,
and an edit of one, count toward that chat (and its group window when the chat id
is negative) and toward the overall rate; an answer to a button press goes to no
chat and counts overall only. Other calls (getUpdates, getChatMember, ...) are not
messages and pass straight through.

A 429 ("retry after N") pauses the chat it was for, in the shared limiter, so alerts
to that chat hold back too; Telegram does not say whose limit it was, so a 429 for no
chat, or for a second chat within a second of another's, pauses everyone
(`RateLimiter.refused`). What happens to the refused request depends on who sent it
(`SendPolicy`, set with `sending_as`):
- replies and anything not marked (the default): wait the pause out and try again,
  at most `retries` times, and only while the pause is at most `longest_wait`;
- alerts: no retry here; the 429 goes back to the delivery loop, which requeues the
  row for when the pause ends without using up an attempt;
- admin notices: no waiting at all; the notifier offers the notice again later.
When a request is not retried, the `TelegramRetryAfter` reaches the caller.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from aiogram import Bot
from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.exceptions import TelegramRetryAfter
from aiogram.methods import Response, TelegramMethod
from aiogram.methods.base import TelegramType

from bot.delivery.ratelimit import RateLimiter, Turn, take_prepaid

logger = logging.getLogger(__name__)

# Calls that put a message in a chat (or change one there), besides every send*.
_IN_CHAT = frozenset(
    {
        "copyMessage",
        "copyMessages",
        "forwardMessage",
        "forwardMessages",
        "editMessageText",
        "editMessageCaption",
        "editMessageMedia",
        "editMessageReplyMarkup",
        "editMessageLiveLocation",
        "stopMessageLiveLocation",
        "stopPoll",
    }
)
# Shown to one person, in no chat: counted overall only.
_NO_CHAT = frozenset({"answerCallbackQuery", "answerInlineQuery"})
# Not a message ("typing…"): not counted.
_NOT_MESSAGES = frozenset({"sendChatAction"})


@dataclass(frozen=True)
class PacedTarget:
    """Where a call counts: a chat (and whether it is a group), or None for overall only."""

    chat_key: str | None
    is_group: bool


def paced_target(method: TelegramMethod[Any]) -> PacedTarget | None:
    """Where `method` counts toward Telegram's limits; None when it is not a message."""
    name = method.__api_method__
    if name in _NO_CHAT:
        return PacedTarget(None, False)
    if name in _NOT_MESSAGES or not (name.startswith("send") or name in _IN_CHAT):
        return None
    chat_id = getattr(method, "chat_id", None)
    if chat_id is None:  # an inline message: it lives in no chat we know
        return PacedTarget(None, False)
    key = str(chat_id)
    # Groups, supergroups and channels have negative ids; "@name" is a public channel.
    return PacedTarget(key, key.startswith(("-", "@")))


@dataclass
class SendPolicy:
    """How a request behaves at a 429; see the module docstring."""

    retries: int
    longest_wait: float


REPLY_RETRIES = 3
REPLY_LONGEST_WAIT = 60.0
_POLICY: ContextVar[SendPolicy | None] = ContextVar("telegram_send_policy", default=None)


@contextlib.contextmanager
def sending_as(policy: SendPolicy) -> Iterator[SendPolicy]:
    """Requests made inside (in this task) follow `policy`."""
    token = _POLICY.set(policy)
    try:
        yield policy
    finally:
        _POLICY.reset(token)


class PacingMiddleware(BaseRequestMiddleware):
    def __init__(self, limiter: RateLimiter) -> None:
        self.limiter = limiter

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        if method.__api_method__ == "getUpdates":  # long polling backs off by itself
            return await make_request(bot, method)
        target = paced_target(method)
        policy = _POLICY.get() or SendPolicy(REPLY_RETRIES, REPLY_LONGEST_WAIT)
        tries = 0
        while True:
            turn = await self._turn(method, target, policy)
            try:
                return await make_request(bot, method)
            except TelegramRetryAfter as exc:
                # The chat waits (or everyone does: see `RateLimiter.refused`), alerts
                # included.
                chat_key = target.chat_key if target is not None else None
                self.limiter.refused(float(exc.retry_after), chat_key)
                if tries >= policy.retries or exc.retry_after > policy.longest_wait:
                    raise
                tries += 1
                logger.warning(
                    "Telegram asked to wait %d s before %s; trying again then (%d of %d)",
                    exc.retry_after,
                    method.__api_method__,
                    tries,
                    policy.retries,
                )
                if target is None:
                    # Not paced: nothing else waits for the pause on its behalf.
                    await self.limiter.wait_out_pause(chat_key)
            finally:
                if turn is not None:
                    turn.done()

    async def _turn(
        self, method: TelegramMethod[Any], target: PacedTarget | None, policy: SendPolicy
    ) -> Turn | None:
        """This request's place in the limits (the caller's, when it already has one)."""
        if target is None:
            return None
        turn = take_prepaid()
        if turn is not None:
            return turn
        paused = self.limiter.pause_left(target.chat_key)
        if paused > policy.longest_wait:
            # Longer than this request may wait: say so as Telegram would have.
            raise TelegramRetryAfter(
                method=method,
                message=f"Too Many Requests: paused for {paused:.0f} more seconds",
                retry_after=int(paused) + 1,
            )
        return await self.limiter.acquire(target.chat_key, is_group=target.is_group)


def ensure_paced(bot: Bot, limiter: RateLimiter) -> None:
    """Put the pacing middleware on `bot`'s session, once; one limiter per bot."""
    for middleware in bot.session.middleware:
        if isinstance(middleware, PacingMiddleware):
            if middleware.limiter is not limiter:
                raise ValueError("this bot is already paced by another limiter")
            return
    bot.session.middleware(PacingMiddleware(limiter))
