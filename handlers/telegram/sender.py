"""Alerts as Telegram messages: HTML formatting, sending through aiogram, outcomes.

Everything that comes from a feed is untrusted: it is escaped (quotes included, so
it cannot leave an `href`), links other than http(s) are dropped, and the message
is cut to fit Telegram's 4,096-character limit. If Telegram still refuses the HTML,
the alert is resent as plain text rather than dropped.
"""

from __future__ import annotations

import dataclasses
import html
import logging
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from aiogram import Bot
from aiogram.exceptions import (
    ClientDecodeError,
    TelegramAPIError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramMigrateToChat,
    TelegramNetworkError,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.types import LinkPreviewOptions, ReplyParameters

from bot.delivery.contract import Outcome, SendResult
from bot.delivery.ratelimit import RateLimiter, Turn, prepaid
from bot.domain.alert import Alert
from bot.notices import NoticeNotDeliveredError, notify_each_admin
from feeds.redact import redact_text
from handlers.rendering import (
    FIELD_ORDER,
    alert_icon,
    field_name,
    labels,
    one_line,
    safe_link,
    source_line,
    utf16_len,
    why_line,
)
from handlers.story_text import escalation_text, story_lines
from handlers.telegram.feedback import false_alarm_keyboard
from handlers.telegram.pacing import SendPolicy, ensure_paced, sending_as

logger = logging.getLogger(__name__)

MESSAGE_LIMIT = 4096
# Per-part budgets in UTF-16 code units of the final (escaped) text; the excerpt
# gets whatever is left, so the sum can never pass MESSAGE_LIMIT.
_TITLE_BUDGET = 600
_SOURCE_BUDGET = 300
_FIELD_BUDGET = 250
# The "why" line yields only to the link: it may take this much, or what the link leaves.
_WHY_BUDGET = 400
_EXCERPT_CHARS = 700
_MAX_HREF = 1024

# Telegram's descriptions for a 400 that means "you can no longer post here".
_GONE_MARKERS = (
    "chat not found",
    "chat_not_found",
    "peer_id_invalid",
    "not enough rights",
    "need administrator rights",
    "have no rights to send",
    "chat_write_forbidden",
    "chat_restricted",
    "message thread not found",
    "topic_closed",
    "topic_deleted",
    "bot was kicked",
    "user is deactivated",
    "group chat was deactivated",
    "chat_admin_required",
)
# An edit of a message that is no longer there to edit: deleted by the chat, or one
# the Bot API no longer lets the bot edit.
_MESSAGE_GONE_MARKERS = ("message to edit not found", "message can't be edited")
_NOT_MODIFIED = "message is not modified"
_PARSE_MARKERS = ("can't parse entities", "can't find end of", "unsupported start tag")


def clip(value: str, budget: int, *, escape: bool) -> str:
    """The longest prefix of `value` that fits `budget` units (after escaping), with "…"."""
    rendered = html.escape(value, quote=True) if escape else value
    if utf16_len(rendered) <= budget:
        return rendered
    low, high = 0, len(value)
    while low < high:  # binary search on the raw prefix: escaping only grows text
        middle = (low + high + 1) // 2
        candidate = value[:middle].rstrip() + "…"
        size = utf16_len(html.escape(candidate, quote=True) if escape else candidate)
        if size <= budget:
            low = middle
        else:
            high = middle - 1
    prefix = value[:low].rstrip() + "…"
    return html.escape(prefix, quote=True) if escape else prefix


def _link_label(link: str) -> str:
    host = urlsplit(link).hostname or link
    return host.removeprefix("www.")


@dataclass(frozen=True)
class _Parts:
    header: str
    title: str
    source: str
    fields: Sequence[tuple[str, str]]
    excerpt: str
    link: str | None
    why: str


def _parts(alert: Alert) -> _Parts:
    lang = alert.chat.language
    fields = [
        (field_name(key, lang), one_line(alert.fields[key]))
        for key in FIELD_ORDER
        if alert.fields.get(key)
    ]
    return _Parts(
        header=f"{alert_icon(alert)} {labels(alert) or 'ALERT'}",
        title=one_line(alert.title) or "—",
        source=one_line(source_line(alert, lang)),
        fields=fields,
        excerpt=one_line(alert.summary),
        link=safe_link(alert.link, _MAX_HREF),
        why=one_line(why_line(alert, lang)),
    )


def _excerpt_raw(excerpt: str) -> str:
    if len(excerpt) <= _EXCERPT_CHARS:
        return excerpt
    return excerpt[:_EXCERPT_CHARS].rsplit(" ", 1)[0] + " …"


def format_html(alert: Alert) -> str:
    """The alert as Telegram HTML, every feed value escaped.

    Telegram's 4,096-unit limit applies to the text once the HTML is parsed; this
    keeps the escaped text itself within it (the `href` included), which is stricter.
    """
    parts = _parts(alert)
    lines = [f"<b>{html.escape(parts.header)}</b>"]
    lines.append(f"<b>{clip(parts.title, _TITLE_BUDGET, escape=True)}</b>")
    lines.append(f"<i>{clip(parts.source, _SOURCE_BUDGET, escape=True)}</i>")
    for name, value in parts.fields:
        lines.append(f"{html.escape(name)}: {clip(value, _FIELD_BUDGET, escape=True)}")
    tail: list[str] = []
    if parts.link:
        href = html.escape(parts.link, quote=True)
        anchor = f'🔗 <a href="{href}">{html.escape(_link_label(parts.link))}</a>'
        # Only a link made of little but quotes and ampersands could not fit.
        if utf16_len("\n".join([*lines, anchor])) <= MESSAGE_LIMIT:
            tail.append(anchor)
    if parts.why:
        room = MESSAGE_LIMIT - utf16_len("\n".join(lines + tail)) - len("\n<i></i>")
        if room > 20:
            tail.insert(0, f"<i>{clip(parts.why, min(room, _WHY_BUDGET), escape=True)}</i>")
    used = utf16_len("\n".join(lines + tail)) + 2  # the newlines around the excerpt
    if parts.excerpt:
        room = MESSAGE_LIMIT - used
        if room > 20:
            lines.append(clip(_excerpt_raw(parts.excerpt), room, escape=True))
    return "\n".join(lines + tail)


def format_plain(alert: Alert) -> str:
    """The same alert as plain text, for when Telegram refuses the HTML."""
    parts = _parts(alert)
    lines = [parts.header, clip(parts.title, _TITLE_BUDGET, escape=False)]
    lines.append(clip(parts.source, _SOURCE_BUDGET, escape=False))
    lines += [f"{name}: {clip(value, _FIELD_BUDGET, escape=False)}" for name, value in parts.fields]
    tail = [parts.link] if parts.link else []
    if parts.why:
        room = MESSAGE_LIMIT - utf16_len("\n".join(lines + tail)) - 1
        if room > 20:
            tail.insert(0, clip(parts.why, min(room, _WHY_BUDGET), escape=False))
    used = utf16_len("\n".join(lines + tail)) + 2
    if parts.excerpt and MESSAGE_LIMIT - used > 20:
        lines.append(clip(_excerpt_raw(parts.excerpt), MESSAGE_LIMIT - used, escape=False))
    return "\n".join(lines + tail)


def format_story_html(alert: Alert) -> str:
    """A story's message as Telegram HTML, every feed value escaped, within the limit."""
    lines = story_lines(alert)
    out = [f"<b>🚨 {html.escape(lines.header)}</b>"]
    out.append(f"<b>{clip(lines.title or '—', _TITLE_BUDGET, escape=True)}</b>")
    out += [clip(line, _FIELD_BUDGET, escape=True) for line in lines.facts]
    out += [f"<i>{clip(line, _SOURCE_BUDGET, escape=True)}</i>" for line in lines.sources]
    out.append(f"<i>{html.escape(lines.times)}</i>")
    link = safe_link(lines.link, _MAX_HREF)
    if link:
        href = html.escape(link, quote=True)
        anchor = f'🔗 <a href="{href}">{html.escape(_link_label(link))}</a>'
        if utf16_len("\n".join([*out, anchor])) <= MESSAGE_LIMIT:
            out.append(anchor)
    return "\n".join(out)


def format_story_plain(alert: Alert) -> str:
    """The same story as plain text, for when Telegram refuses the HTML."""
    lines = story_lines(alert)
    out = [f"🚨 {lines.header}", clip(lines.title or "—", _TITLE_BUDGET, escape=False)]
    out += [clip(line, _FIELD_BUDGET, escape=False) for line in lines.facts]
    out += [clip(line, _SOURCE_BUDGET, escape=False) for line in lines.sources]
    out.append(lines.times)
    link = safe_link(lines.link, _MAX_HREF)
    if link:
        out.append(link)
    return clip("\n".join(out), MESSAGE_LIMIT, escape=False)


def _bodies(alert: Alert) -> tuple[str, str]:
    """The message as HTML and as plain text (the fallback)."""
    if alert.story is not None:
        return format_story_html(alert), format_story_plain(alert)
    return format_html(alert), format_plain(alert)


def is_group_chat(external_id: str) -> bool:
    """Groups, supergroups and channels have negative ids in the Bot API."""
    return external_id.startswith("-")


def classify_error(exc: TelegramAPIError) -> SendResult:
    """What an aiogram exception means for the outbox row."""
    # A network error quotes the request URL, and a Bot API URL holds the bot's token.
    message = redact_text(f"{type(exc).__name__}: {exc.message}")
    lowered = exc.message.lower()
    if isinstance(exc, TelegramRetryAfter):
        return SendResult(Outcome.RATE_LIMITED, retry_after=float(exc.retry_after), error=message)
    if isinstance(exc, TelegramMigrateToChat):
        return SendResult(Outcome.MIGRATED, new_chat_id=str(exc.migrate_to_chat_id), error=message)
    if isinstance(exc, TelegramForbiddenError):
        return SendResult(Outcome.CHAT_GONE, error=message)
    if isinstance(exc, TelegramBadRequest):
        if any(marker in lowered for marker in _MESSAGE_GONE_MARKERS):
            return SendResult(Outcome.MESSAGE_GONE, error=message)
        if any(marker in lowered for marker in _GONE_MARKERS):
            return SendResult(Outcome.CHAT_GONE, error=message)
        return SendResult(Outcome.FAILED, error=message)
    if isinstance(exc, TelegramServerError | TelegramNetworkError):
        # Telegram itself is down or out of reach: every chat waits, none gives up.
        return SendResult(Outcome.UNAVAILABLE, error=message)
    if isinstance(exc, TelegramUnauthorizedError | TelegramNotFound):
        # A revoked token or a wrong API URL: our fault, not the chat's. Pause and keep
        # trying rather than deactivating every chat or giving up on every alert.
        return SendResult(Outcome.UNAVAILABLE, error=message)
    return SendResult(Outcome.RETRY, error=message)


def _undecodable(exc: ClientDecodeError) -> SendResult:
    # An answer that is not the Bot API's JSON (a proxy's error page, a dropped
    # connection): the server is in trouble, not this chat or this alert.
    return SendResult(
        Outcome.UNAVAILABLE, error=redact_text(f"undecodable Bot API answer: {exc}")[:500]
    )


def _thread(alert: Alert) -> int | None:
    thread = alert.chat.thread_id
    return int(thread) if thread else None


_Post = Callable[[Alert, str, str | None], Awaitable[SendResult]]


class TelegramSender:
    """Sends alerts with an aiogram `Bot`, within the rate limits it holds.

    The limits themselves are kept by the pacing middleware on the bot's session
    (`handlers.telegram.pacing`), which every call of this bot passes through;
    `wait_turn` lets the delivery loop wait for an alert's turn before the row's
    request is started, and that turn is then used by the alert's request.
    """

    platform = "telegram"

    def __init__(self, bot: Bot, limiter: RateLimiter, *, link_previews: bool = False) -> None:
        ensure_paced(bot, limiter)
        self._bot = bot
        self.limiter = limiter
        self._previews = LinkPreviewOptions(is_disabled=not link_previews)
        # Turns waited for by `wait_turn`, by outbox row, until its `send`.
        self._turns: dict[int, Turn] = {}

    async def wait_turn(self, alert: Alert) -> None:
        external_id = alert.chat.external_id
        turn = await self.limiter.acquire(external_id, is_group=is_group_chat(external_id))
        stale = self._turns.pop(alert.outbox_id, None)
        if stale is not None:
            stale.done()
        self._turns[alert.outbox_id] = turn

    async def send(self, alert: Alert) -> SendResult:
        # No retry inside: a 429 goes back to the delivery loop, which requeues the row.
        turn = self._turns.pop(alert.outbox_id, None)
        with sending_as(SendPolicy(retries=0, longest_wait=0.0)), prepaid(turn):
            return await self._send_alert(alert, self._send)

    async def edit(self, alert: Alert) -> SendResult:
        turn = self._turns.pop(alert.outbox_id, None)
        with sending_as(SendPolicy(retries=0, longest_wait=0.0)), prepaid(turn):
            return await self._send_alert(alert, self._edit)

    async def reply(self, alert: Alert) -> SendResult:
        turn = self._turns.pop(alert.outbox_id, None)
        body = clip(escalation_text(alert), MESSAGE_LIMIT, escape=False)
        with sending_as(SendPolicy(retries=0, longest_wait=0.0)), prepaid(turn):
            try:
                message = await self._bot.send_message(
                    chat_id=int(alert.chat.external_id),
                    text=body,
                    parse_mode=None,
                    message_thread_id=_thread(alert),
                    link_preview_options=self._previews,
                    # A reply to a message the chat deleted is still worth reading.
                    reply_parameters=ReplyParameters(
                        message_id=int(alert.message_id or 0),
                        allow_sending_without_reply=True,
                    ),
                )
            except TelegramAPIError as exc:
                return self._failure(alert, exc)
            except ClientDecodeError as exc:
                return _undecodable(exc)
        return SendResult(Outcome.DELIVERED, message_id=str(message.message_id))

    async def _send_alert(self, alert: Alert, post: _Post) -> SendResult:
        html_body, plain_body = _bodies(alert)
        try:
            return await post(alert, html_body, "HTML")
        except TelegramBadRequest as exc:
            if not any(marker in exc.message.lower() for marker in _PARSE_MARKERS):
                return self._failure(alert, exc)
            logger.warning(
                "Telegram refused the HTML of outbox row %d (%s); resending as plain text",
                alert.outbox_id,
                exc.message,
            )
        except TelegramAPIError as exc:
            return self._failure(alert, exc)
        except ClientDecodeError as exc:
            return _undecodable(exc)
        # The refused message did not arrive, but the request still counted toward the
        # chat's limits: the resend takes a new turn (the pacing middleware sees to it).
        try:
            return await post(alert, plain_body, None)
        except TelegramAPIError as exc:
            return self._failure(alert, exc)
        except ClientDecodeError as exc:
            return _undecodable(exc)

    async def _send(self, alert: Alert, body: str, parse_mode: str | None) -> SendResult:
        message = await self._bot.send_message(
            chat_id=int(alert.chat.external_id),
            text=body,
            parse_mode=parse_mode,
            message_thread_id=_thread(alert),
            link_preview_options=self._previews,
            reply_markup=false_alarm_keyboard(alert.event_id, alert.chat.language),
        )
        return SendResult(Outcome.DELIVERED, message_id=str(message.message_id))

    async def _edit(self, alert: Alert, body: str, parse_mode: str | None) -> SendResult:
        try:
            await self._bot.edit_message_text(
                chat_id=int(alert.chat.external_id),
                message_id=int(alert.message_id or 0),
                text=body,
                parse_mode=parse_mode,
                link_preview_options=self._previews,
                # An edit without a keyboard removes the one the message has.
                reply_markup=false_alarm_keyboard(alert.event_id, alert.chat.language),
            )
        except TelegramBadRequest as exc:
            if _NOT_MODIFIED in exc.message.lower():
                # The message already says this: the chat sees the latest version.
                return SendResult(Outcome.DELIVERED, message_id=alert.message_id)
            raise
        return SendResult(Outcome.DELIVERED, message_id=alert.message_id)

    def _failure(self, alert: Alert, exc: TelegramAPIError) -> SendResult:
        result = classify_error(exc)
        if result.outcome is Outcome.RATE_LIMITED:
            # The pacing middleware has already paused the chat, or everyone when the
            # 429 looked like the bot's overall limit: the delivery loop does the same.
            result = dataclasses.replace(result, chat_only=self.limiter.paused_for == 0)
        logger.info(
            "telegram chat %s, outbox row %d: %s",
            alert.chat.external_id,
            alert.outbox_id,
            result.error,
        )
        return result


class TelegramNoticeSink:
    """Admin notices as plain private messages to each TELEGRAM_ADMIN_IDS user.

    Delivery to each admin, and what counts as undelivered, is `notify_each_admin`'s.
    Notices share the bot's budget with alerts (the pacing middleware). While
    Telegram has asked the bot to wait, a notice fails at once instead of waiting:
    the notifier runs inside the poll cycle, and it asks again later.
    """

    name = "telegram"

    def __init__(
        self, bot: Bot, admin_ids: Iterable[int], limiter: RateLimiter, *, language: str = "en"
    ) -> None:
        ensure_paced(bot, limiter)
        self.language = language
        self._bot = bot
        self._admin_ids = tuple(dict.fromkeys(admin_ids))

    async def notify_admins(self, message: str) -> None:
        body = clip(f"⚠️ {_flat_lines(message)}", MESSAGE_LIMIT, escape=False)

        async def send_one(admin_id: int) -> None:
            try:
                with sending_as(SendPolicy(retries=0, longest_wait=0.0)):
                    await self._bot.send_message(
                        chat_id=admin_id,
                        text=body,
                        parse_mode=None,
                        link_preview_options=LinkPreviewOptions(is_disabled=True),
                    )
            except TelegramRetryAfter as exc:
                raise NoticeNotDeliveredError(
                    f"Telegram asked to wait {exc.retry_after} s"
                ) from None

        await notify_each_admin("Telegram", self._admin_ids, send_one, self._describe)

    @staticmethod
    def _describe(exc: Exception) -> str:
        return exc.message if isinstance(exc, TelegramAPIError) else repr(exc)


def _flat_lines(text: str) -> str:
    """Runs of spaces from feed titles collapse; the notice's own line breaks stay."""
    return "\n".join(" ".join(line.split()) for line in text.splitlines()).strip()
