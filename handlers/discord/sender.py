"""Alerts as Discord embeds, sent through discord.py's own REST client.

Everything an alert carries from a feed is untrusted. Before it leaves, it is made
inert: mentions cannot ping or even render as mentions, masked links cannot hide
their target, markdown cannot restyle the alert, and invisible direction controls
cannot disguise a URL. The text stays readable: Discord hides the backslashes.

Failures are translated into `Outcome`s; what to do about them (retry when,
deactivate which channel) is decided once, in `bot.delivery`, for every platform.
discord.py keeps its own per-route rate-limit buckets and sleeps through short
429s; only waits longer than the client's `max_ratelimit_timeout` surface here.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import re
import textwrap
import unicodedata
from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import Any

import aiohttp
import discord

from bot.delivery.contract import Outcome, SendResult
from bot.delivery.ratelimit import RateLimiter, RateLimits, Turn, prepaid, take_prepaid
from bot.domain.alert import Alert
from bot.notices import NoticeNotDeliveredError, notify_each_admin
from feeds.proxy import PROXY_FAILURES
from handlers.discord.alert_view import false_alarm_view
from handlers.rendering import (
    FIELD_ORDER,
    field_name,
    labels,
    one_line,
    safe_link,
    source_line,
    utf16_len,
)
from handlers.story_text import escalation_text, story_lines

logger = logging.getLogger(__name__)

# Discord's documented embed limits.
TITLE_LIMIT = 256
DESCRIPTION_LIMIT = 4096
FIELD_NAME_LIMIT = 256
FIELD_VALUE_LIMIT = 1024
FOOTER_LIMIT = 2048
AUTHOR_LIMIT = 256
EMBED_TOTAL_LIMIT = 6000
MAX_FIELDS = 25
THREAD_NAME_LIMIT = 100
URL_LIMIT = 2048
MESSAGE_LIMIT = 2000

# An alert is for scanning, not reading the article: a few paragraphs at most.
SUMMARY_EXCERPT = 1200
# Field values and the source line are kept short, well inside Discord's own limits,
# so that the 6,000 in total always leaves the excerpt its room.
FIELD_VALUE_BUDGET = 250
FOOTER_BUDGET = 300

CATEGORY_COLOURS: Mapping[str, int] = {"censorship": 0xE67E22, "arrest": 0xC0392B}
DEFAULT_COLOUR = 0x95A5A6

# A chat's `kind` is Discord's own name for the channel type (API value -> name).
_CHANNEL_KINDS: Mapping[int, str] = {
    0: "guild_text",
    1: "private",  # a DM: the person in it manages it, as in Telegram's private chats
    2: "guild_voice",
    3: "group_dm",
    4: "guild_category",
    5: "guild_announcement",
    10: "announcement_thread",
    11: "public_thread",
    12: "private_thread",
    13: "guild_stage_voice",
    14: "guild_directory",
    15: "guild_forum",
    16: "guild_media",
}
# Chat kinds that take a new post (a thread) per alert instead of a message.
FORUM_KINDS = frozenset({"guild_forum", "guild_media"})
THREAD_KINDS = frozenset({"announcement_thread", "public_thread", "private_thread"})

# How long the delivery loop should leave Discord alone when the bot cannot act at all.
NOT_LOGGED_IN_PAUSE = 30.0
BAD_TOKEN_PAUSE = 600.0
_NOT_LOGGED_IN = SendResult(
    Outcome.RATE_LIMITED, retry_after=NOT_LOGGED_IN_PAUSE, error="not logged in to Discord yet"
)
DEFAULT_429_PAUSE = 60.0

# Discord JSON error codes that mean "this destination will not work until someone acts".
_DESTINATION_CODES: Mapping[int, str] = {
    10003: "the channel no longer exists",
    10004: "the bot is no longer in that server",
    50001: "the bot can no longer see this channel (removed from the server?)",
    50013: "the bot lacks permission to post here",
    50008: "this channel does not take messages",
    50006: "the message was refused as empty: the bot probably lacks Embed Links",
    50007: "the person does not accept direct messages from the bot",
    50083: "the thread is archived",
    160005: "the thread is locked",
    40067: "the forum requires a tag on every post",
}

# Codes that mean the message to edit is not there to edit: the story is sent afresh.
_MESSAGE_GONE_CODES: Mapping[int, str] = {
    10008: "the message is gone (deleted in the channel?)",
    50005: "the message cannot be edited by the bot",
}

# Format characters that change how text is shown without being seen: direction
# overrides and isolates can make "moc.live//:sptth" read as a trusted address.
_INVISIBLE = dict.fromkeys(
    [
        *range(0x202A, 0x202F),
        *range(0x2066, 0x206A),
        0x200B,
        0x200E,
        0x200F,
        0x061C,
        0x2060,
        0xFEFF,
    ]
)
_URL = re.compile(r"https?://[^\s<>\[\]\"'`]+")
_URL_TRAILING = ".,;:!?'\")"
# Inline markdown, masked links, mentions/timestamps/emoji (`<...>`), and the escape itself.
_INLINE = re.compile(r"([\\*_~|`\[\]<])")
# Markers that only mean something at the start of a line: quotes, headings, subtext, lists.
_LINE_START = re.compile(r"^([ \t]*)([>#+-]|\d+(?=\.\s))", re.MULTILINE)
_MASS_MENTION = re.compile(r"@(everyone|here)", re.IGNORECASE)
_SPACES = re.compile(r"[ \t\f\v]+")
_BLANK_LINES = re.compile(r"\n{3,}")


def chat_kind(channel_type: discord.ChannelType | int) -> str:
    value = channel_type if isinstance(channel_type, int) else channel_type.value
    return _CHANNEL_KINDS.get(value, f"type_{value}")


def strip_invisible(text: str) -> str:
    text = text.translate(_INVISIBLE)
    # Other control characters (not newline or tab) have no business in an alert.
    return "".join(
        ch for ch in text if ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cs")
    )


def plain(text: str) -> str:
    """One line of clean text, for the places Discord shows without markdown."""
    return one_line(strip_invisible(text))


def _escape_inline(segment: str) -> str:
    segment = _INLINE.sub(r"\\\1", segment)
    # A zero-width space after the @ keeps the word readable and never a mention.
    return _MASS_MENTION.sub("@\u200b\\1", segment)


def _escape_line_start(match: re.Match[str]) -> str:
    indent, marker = match.group(1), match.group(2)
    if marker.isdigit():
        return f"{indent}{marker}\\"  # "1." becomes "1\." so no list renumbering happens
    return f"{indent}\\{marker}"


def _split_url(url: str) -> tuple[str, str]:
    """Hand trailing punctuation back to the text: "see https://a.b/c." ends at "c"."""
    end = len(url)
    while end > 0 and url[end - 1] in _URL_TRAILING:
        if url[end - 1] == ")" and url[:end].count("(") >= url[:end].count(")"):
            break  # a balanced parenthesis belongs to the URL (Wikipedia-style)
        end -= 1
    return url[:end], url[end:]


def inert(text: str) -> str:
    """Feed text made safe for Discord markdown while reading the same.

    Bare URLs are left whole so Discord still links them, visibly: a link's target
    can only be hidden behind `[text](url)`, and every `[` outside a URL is escaped.
    """
    text = strip_invisible(text)
    parts: list[str] = []
    position = 0
    for match in _URL.finditer(text):
        # Trailing punctuation is left to the next plain-text segment.
        url, _ = _split_url(match.group(0))
        parts.append(_escape_inline(text[position : match.start()]))
        parts.append(url)
        position = match.start() + len(url)
    parts.append(_escape_inline(text[position:]))
    return _LINE_START.sub(_escape_line_start, "".join(parts))


def fit(text: str, limit: int) -> str:
    """Cut escaped text to `limit` Discord characters, ending with an ellipsis if cut."""
    if utf16_len(text) <= limit:
        return text
    budget = limit - 1
    used = 0
    end = 0
    for index, ch in enumerate(text):
        width = 2 if ord(ch) > 0xFFFF else 1
        if used + width > budget:
            break
        used += width
        end = index + 1
    cut = text[:end].rstrip()
    # Never leave half an escape: a lone trailing backslash would escape the ellipsis.
    trailing = len(cut) - len(cut.rstrip("\\"))
    if trailing % 2:
        cut = cut[:-1]
    return cut + "…"


def _excerpt(summary: str) -> str:
    text = strip_invisible(summary)
    text = "\n".join(_SPACES.sub(" ", line).strip() for line in text.splitlines())
    text = _BLANK_LINES.sub("\n\n", text).strip()
    if len(text) > SUMMARY_EXCERPT:
        text = textwrap.shorten(text, SUMMARY_EXCERPT, placeholder=" …")
    return text


def alert_colour(categories: tuple[str, ...]) -> int:
    for category in categories:
        if category in CATEGORY_COLOURS:
            return CATEGORY_COLOURS[category]
    return DEFAULT_COLOUR


def alert_label(alert: Alert) -> str:
    return labels(alert) or "ALERT"


def embed_length(embed: discord.Embed) -> int:
    """What Discord counts toward the 6,000 limit: title, description, fields, footer, author."""
    total = utf16_len(embed.title or "") + utf16_len(embed.description or "")
    total += utf16_len(embed.footer.text or "") + utf16_len(embed.author.name or "")
    for embed_field in embed.fields:
        total += utf16_len(embed_field.name or "") + utf16_len(embed_field.value or "")
    return total


def build_embed(alert: Alert) -> discord.Embed:
    """One alert as one embed, within every Discord limit whatever the feed sent."""
    lang = alert.chat.language
    description = inert(_excerpt(alert.summary))
    if alert.explanation:
        why = inert(plain(alert.explanation))
        description = f"{description}\n\n-# {why}" if description else f"-# {why}"
    embed = discord.Embed(
        title=fit(inert(plain(alert.title)), TITLE_LIMIT) or "—",
        url=safe_link(alert.link, URL_LIMIT),
        description=fit(description, DESCRIPTION_LIMIT) or None,
        colour=alert_colour(alert.categories),
        timestamp=alert.published_at,
    )
    embed.set_author(name=fit(alert_label(alert), AUTHOR_LIMIT))
    values: list[tuple[str, str]] = [
        (field_name(key, lang), fit(inert(plain(alert.fields[key])), FIELD_VALUE_BUDGET))
        for key in FIELD_ORDER
        if plain(alert.fields.get(key) or "")
    ]
    for name, value in values[:MAX_FIELDS]:
        embed.add_field(name=fit(name, FIELD_NAME_LIMIT), value=value, inline=True)
    # The time goes in the embed timestamp, which each reader sees in their own zone.
    source = source_line(dataclasses.replace(alert, published_at=None), lang)
    embed.set_footer(text=fit(plain(source), FOOTER_BUDGET))
    return _within_total(embed)


def _within_total(embed: discord.Embed) -> discord.Embed:
    """Trim the description, then the footer, then field values until the embed fits."""
    over = embed_length(embed) - EMBED_TOTAL_LIMIT
    if over > 0 and embed.description:
        keep = max(utf16_len(embed.description) - over, 0)
        embed.description = fit(embed.description, keep) if keep > 1 else None
        over = embed_length(embed) - EMBED_TOTAL_LIMIT
    if over > 0 and embed.footer.text:
        keep = max(utf16_len(embed.footer.text) - over, 40)
        embed.set_footer(text=fit(embed.footer.text, keep))
        over = embed_length(embed) - EMBED_TOTAL_LIMIT
    for index in reversed(range(len(embed.fields))):
        if over <= 0:
            break
        embed_field = embed.fields[index]
        value = embed_field.value or ""
        keep = max(utf16_len(value) - over, 20)
        embed.set_field_at(index, name=embed_field.name, value=fit(value, keep), inline=True)
        over = embed_length(embed) - EMBED_TOTAL_LIMIT
    return embed


def build_story_embed(alert: Alert) -> discord.Embed:
    """A story's message as one embed: the headline report's title and link, the
    facts as fields, the sources in the description."""
    lines = story_lines(alert)
    story = alert.story
    assert story is not None
    embed = discord.Embed(
        title=fit(inert(plain(lines.title)), TITLE_LIMIT) or "—",
        url=safe_link(lines.link, URL_LIMIT),
        description=fit("\n".join(inert(plain(s)) for s in lines.sources), DESCRIPTION_LIMIT)
        or None,
        colour=alert_colour(story.facts.categories),
    )
    embed.set_author(name=fit(plain(lines.header), AUTHOR_LIMIT))
    for line in lines.facts[:MAX_FIELDS]:
        embed.add_field(name="\u200b", value=fit(inert(plain(line)), FIELD_VALUE_BUDGET))
    embed.set_footer(text=fit(plain(lines.times), FOOTER_BUDGET))
    return _within_total(embed)


def thread_name(alert: Alert) -> str:
    """A forum post's name: plain text (Discord shows it raw), at most 100 characters."""
    return fit(plain(alert.title), THREAD_NAME_LIMIT) or fit(alert_label(alert), THREAD_NAME_LIMIT)


def nonce_for(alert: Alert) -> str:
    """Discord drops a second message with the same nonce sent within a few minutes,
    so a POST that discord.py retries after a lost response cannot post twice. A
    story's row may be sent again on purpose (its message was deleted): each of its
    attempts has a nonce of its own."""
    if alert.story is not None:
        return f"tocsin-{alert.outbox_id}-{alert.attempts}"[:25]
    return f"tocsin-{alert.outbox_id}"[:25]


def _describe(exc: discord.HTTPException) -> str:
    reason = _DESTINATION_CODES.get(exc.code) or _MESSAGE_GONE_CODES.get(exc.code)
    detail = exc.text.splitlines()[0] if exc.text else ""
    head = f"Discord {exc.status}" + (f" (code {exc.code})" if exc.code else "")
    return f"{head}: {reason or detail or 'no detail'}"


def _retry_after_header(exc: discord.HTTPException) -> float:
    headers = getattr(exc.response, "headers", None) or {}
    try:
        return max(float(headers.get("Retry-After", DEFAULT_429_PAUSE)), 1.0)
    except (TypeError, ValueError):
        return DEFAULT_429_PAUSE


class NotADestinationError(Exception):
    """The channel exists but can hold neither messages nor posts (a category, a voice stage)."""


def result_for_error(exc: BaseException) -> SendResult:
    """Decide what a failed send means for the delivery loop."""
    if isinstance(exc, NotADestinationError):
        return SendResult(Outcome.CHAT_GONE, error=str(exc))
    if isinstance(exc, discord.RateLimited):
        return SendResult(
            Outcome.RATE_LIMITED,
            retry_after=exc.retry_after,
            error=f"Discord rate limit: retry in {exc.retry_after:.1f} s",
        )
    if isinstance(exc, discord.HTTPException):
        error = _describe(exc)
        if exc.status == 401:
            return SendResult(Outcome.RATE_LIMITED, retry_after=BAD_TOKEN_PAUSE, error=error)
        if exc.status == 429:  # refused at Discord's edge, without a JSON body to go by
            return SendResult(
                Outcome.RATE_LIMITED, retry_after=_retry_after_header(exc), error=error
            )
        if exc.code in _MESSAGE_GONE_CODES:
            return SendResult(Outcome.MESSAGE_GONE, error=error)
        if exc.code in _DESTINATION_CODES:
            return SendResult(Outcome.CHAT_GONE, error=error)
        if exc.status in (403, 404) and not exc.code:
            # Not Discord speaking about this channel (that comes with a JSON error
            # code) but a proxy or a wrong DISCORD_API_URL: true of every channel, so
            # pause Discord rather than deactivate them all.
            return SendResult(Outcome.UNAVAILABLE, error=error)
        if exc.status >= 500:
            return SendResult(Outcome.UNAVAILABLE, error=error)
        return SendResult(Outcome.FAILED, error=error)
    if isinstance(exc, (aiohttp.ClientError, OSError, asyncio.TimeoutError, *PROXY_FAILURES)):
        return SendResult(Outcome.UNAVAILABLE, error=f"network error talking to Discord: {exc!r}")
    return SendResult(Outcome.RETRY, error=f"unexpected error sending to Discord: {exc!r}")


# Paced on our side, under Discord's limits (50 requests a second per bot; about 5
# messages per 5 s per channel): discord.py only learns a limit from a first answer or
# a 429, and every 429 counts toward Discord's ban on invalid requests (10,000 per
# 10 minutes). Each channel is treated as a "group" with a 5-second window.
DISCORD_LIMITS = RateLimits(
    per_second=45.0, per_chat_per_second=10.0, per_group_per_minute=60.0, group_window_seconds=5.0
)


# Routes that post in a channel: they count toward that channel's window too.
_CHANNEL_POSTS = frozenset(
    {("POST", "/channels/{channel_id}/messages"), ("POST", "/channels/{channel_id}/threads")}
)


def pace_requests(client: discord.Client, limiter: RateLimiter) -> None:
    """Every REST request `client` makes with the bot's token waits for its turn.

    discord.py sends all of them through `client.http.request`, whatever code asked
    (alerts, admin notices and the DM channels they open, fetching a channel,
    publishing commands), so wrapping it once leaves nothing to forget. Those are
    exactly the requests Discord counts against the bot's global limit; replies to
    interactions go through the interaction's webhook, which Discord exempts from
    it (and which must answer within three seconds, so they are not queued here).
    A 429 that discord.py does not sleep through itself pauses the limiter for the
    route's channel (Discord's buckets are per channel), or for everyone when the
    route names none or a second channel is refused within a second: discord.py
    sleeps through global 429s itself and drops their `global` flag when it gives up
    on one, so that is how a global limit shows here (`RateLimiter.refused`).
    """
    http = client.http
    current = http.request
    if getattr(current, "tocsin_limiter", None) is limiter:
        return
    if hasattr(current, "tocsin_limiter"):
        raise ValueError("this client is already paced by another limiter")

    async def request(route: discord.http.Route, **kwargs: Any) -> Any:
        turn = take_prepaid()
        if turn is None:
            posts = (route.method, route.path) in _CHANNEL_POSTS
            key = str(route.channel_id) if posts and route.channel_id else None
            turn = await limiter.acquire(key, is_group=posts)
        try:
            return await current(route, **kwargs)
        except discord.RateLimited as exc:
            channel = str(route.channel_id) if route.channel_id else None
            limiter.refused(exc.retry_after, channel)
            raise
        finally:
            turn.done()

    request.tocsin_limiter = limiter  # type: ignore[attr-defined]
    # An instance attribute: only this client's requests are paced.
    setattr(http, "request", request)  # noqa: B010


class DiscordSender:
    """Sends alerts with a logged-in `discord.Client`; needs no gateway connection.

    Pacing is on the client itself (`pace_requests`); `wait_turn` lets the delivery
    loop wait for an alert's turn before its row's request starts, and that turn
    is then used by the alert's first request.
    """

    platform = "discord"

    def __init__(self, client: discord.Client, limiter: RateLimiter | None = None) -> None:
        self._client = client
        self.limiter = limiter or RateLimiter(DISCORD_LIMITS)
        pace_requests(client, self.limiter)
        self._forums: dict[int, discord.ForumChannel] = {}
        self._turns: dict[int, Turn] = {}

    async def wait_turn(self, alert: Alert) -> None:
        turn = await self.limiter.acquire(alert.chat.external_id, is_group=True)
        stale = self._turns.pop(alert.outbox_id, None)
        if stale is not None:
            stale.done()
        self._turns[alert.outbox_id] = turn

    async def send(self, alert: Alert) -> SendResult:
        with prepaid(self._turns.pop(alert.outbox_id, None)):
            return await self._send_alert(alert)

    async def _send_alert(self, alert: Alert) -> SendResult:
        if self._client.user is None:
            return _NOT_LOGGED_IN
        try:
            channel_id = int(alert.chat.external_id)
        except ValueError:
            return SendResult(
                Outcome.CHAT_GONE, error=f"not a Discord channel id: {alert.chat.external_id!r}"
            )
        embed = build_story_embed(alert) if alert.story is not None else build_embed(alert)
        try:
            if alert.chat.kind in FORUM_KINDS:
                message_id = await self._post_in_forum(channel_id, alert, embed)
            else:
                channel = self._client.get_partial_messageable(channel_id)
                message = await channel.send(
                    embed=embed,
                    nonce=nonce_for(alert),
                    allowed_mentions=discord.AllowedMentions.none(),
                    view=false_alarm_view(alert.event_id, alert.chat.language),
                )
                message_id = message.id
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            self._forums.pop(channel_id, None)
            return self._failure(channel_id, exc)
        return SendResult(Outcome.DELIVERED, message_id=str(message_id))

    async def edit(self, alert: Alert) -> SendResult:
        """Edit the story's message in place (a forum post: its first message)."""

        async def change(channel: discord.PartialMessageable, message_id: int) -> str | None:
            # Discord answers an edit that changes nothing like any other.
            await channel.get_partial_message(message_id).edit(
                embed=build_story_embed(alert), allowed_mentions=discord.AllowedMentions.none()
            )
            return alert.message_id

        return await self._at_story_message(alert, change)

    async def reply(self, alert: Alert) -> SendResult:
        """A short message that references the story's message; posted even when
        that message is gone."""

        async def answer(channel: discord.PartialMessageable, message_id: int) -> str | None:
            message = await channel.send(
                fit(inert(escalation_text(alert)), MESSAGE_LIMIT),
                nonce=nonce_for(alert),
                reference=discord.MessageReference(
                    message_id=message_id, channel_id=channel.id, fail_if_not_exists=False
                ),
                allowed_mentions=discord.AllowedMentions.none(),
            )
            return str(message.id)

        return await self._at_story_message(alert, answer)

    async def _at_story_message(
        self,
        alert: Alert,
        act: Callable[[discord.PartialMessageable, int], Awaitable[str | None]],
    ) -> SendResult:
        with prepaid(self._turns.pop(alert.outbox_id, None)):
            where = self._story_message(alert)
            if isinstance(where, SendResult):
                return where
            channel_id, message_id = where
            try:
                sent = await act(self._client.get_partial_messageable(channel_id), message_id)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                return self._failure(channel_id, exc)
            return SendResult(Outcome.DELIVERED, message_id=sent)

    def _story_message(self, alert: Alert) -> tuple[int, int] | SendResult:
        """(channel id, message id) of the story's message: a forum post's first
        message lives in the post's thread, whose id is the message's."""
        if self._client.user is None:
            return _NOT_LOGGED_IN
        try:
            channel_id, message_id = int(alert.chat.external_id), int(alert.message_id or "")
        except ValueError:
            return SendResult(Outcome.MESSAGE_GONE, error="no Discord message to edit")
        if alert.chat.kind in FORUM_KINDS:
            channel_id = message_id
        return channel_id, message_id

    def _failure(self, channel_id: int, exc: BaseException) -> SendResult:
        result = result_for_error(exc)
        if isinstance(exc, discord.RateLimited):
            # As the pacing decided: this channel's bucket, or everyone.
            result = dataclasses.replace(result, chat_only=self.limiter.paused_for == 0)
        logger.info("discord channel %s: %s", channel_id, result.error)
        if isinstance(exc, discord.HTTPException) and exc.status == 401:
            logger.error("Discord rejected the bot token; check DISCORD_BOT_TOKEN")
        return result

    async def _post_in_forum(self, channel_id: int, alert: Alert, embed: discord.Embed) -> int:
        forum = self._forums.get(channel_id)
        if forum is None:
            channel = await self._client.fetch_channel(channel_id)
            if not isinstance(channel, discord.ForumChannel):
                # The channel changed type since it subscribed: post as a plain message.
                if not isinstance(channel, discord.abc.Messageable):
                    raise NotADestinationError(
                        f"channel {channel_id} takes neither posts nor messages"
                    )
                message = await channel.send(
                    embed=embed,
                    nonce=nonce_for(alert),
                    allowed_mentions=discord.AllowedMentions.none(),
                    view=false_alarm_view(alert.event_id, alert.chat.language),
                )
                return message.id
            forum = self._forums[channel_id] = channel
        created = await forum.create_thread(
            name=thread_name(alert),
            embed=embed,
            allowed_mentions=discord.AllowedMentions.none(),
            view=false_alarm_view(alert.event_id, alert.chat.language),
        )
        return created.message.id


class DiscordNoticeSink:
    """Admin notices as direct messages to each DISCORD_ADMIN_IDS user.

    The text names feeds, whose titles are untrusted: it is made inert and sent
    with no mentions allowed. Delivery to each admin, and what counts as
    undelivered, is `notify_each_admin`'s.
    """

    name = "discord"

    def __init__(
        self,
        client: discord.Client,
        admin_ids: Iterable[int],
        limiter: RateLimiter,
        *,
        language: str = "en",
    ) -> None:
        pace_requests(client, limiter)  # notices share the bot's budget with alerts
        self.language = language
        self._client = client
        self._admin_ids = tuple(dict.fromkeys(admin_ids))

    async def notify_admins(self, message: str) -> None:
        if self._client.user is None:
            raise NoticeNotDeliveredError("not logged in to Discord yet")
        body = fit(inert(f"⚠️ {message}"), MESSAGE_LIMIT)

        async def send_one(admin_id: int) -> None:
            channel = await self._client.create_dm(discord.Object(id=admin_id))
            await channel.send(body, allowed_mentions=discord.AllowedMentions.none())

        await notify_each_admin("Discord", self._admin_ids, send_one, self._describe)

    @staticmethod
    def _describe(exc: Exception) -> str:
        return _describe(exc) if isinstance(exc, discord.HTTPException) else repr(exc)
