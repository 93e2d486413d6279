"""What every command feature shares."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime

from bot.delivery.contract import TokenRefusal
from bot.detect.languages import detector_languages
from bot.domain.chat import Chat, Subscription
from bot.domain.feed import Feed
from bot.i18n import DEFAULT_LANGUAGE, has_text, normalize_language, text
from bot.storage import Storage
from bot.timeutil import Clock, utcnow
from feeds.redact import redact_text
from handlers.commands.arguments import ArgumentError, language_code, parse_subscribe_args
from handlers.commands.contract import Caller, ChatRef, FeedAdder, Reply
from handlers.rendering import one_line, utc_minute

logger = logging.getLogger(__name__)

# Long lists are cut so a reply stays readable (adapters still split long text).
MAX_LISTED_FEEDS = 60
MAX_LISTED_ALERTING = 10
MAX_CHOICES = 20


def _format_time(moment: datetime | None) -> str:
    return utc_minute(moment) if moment else "—"


def _one_line(value: str, limit: int = 200) -> str:
    flat = one_line(value)
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


class CommandBase:
    """What every feature shares: storage, the clock, who administers the bot, and the
    wording helpers that name a chat, an actor or a time."""

    def __init__(
        self,
        storage: Storage,
        pipeline: FeedAdder,
        *,
        admin_ids: Mapping[str, frozenset[int]],
        clock: Clock = utcnow,
        refusals: Callable[[], Sequence[TokenRefusal]] = tuple,
    ) -> None:
        self._storage = storage
        self._pipeline = pipeline
        self._admin_ids = {platform: frozenset(ids) for platform, ids in admin_ids.items()}
        self._clock = clock
        # Platforms that refused the bot's token, for /status (first, it matters most).
        self._refusals = refusals

    # ---- facts -------------------------------------------------------------------

    def is_bot_admin(self, platform: str, user_id: int | None) -> bool:
        return user_id is not None and user_id in self._admin_ids.get(platform, frozenset())

    def may_manage(self, ref: ChatRef, caller: Caller) -> bool:
        """Private chats are the caller's own; elsewhere the platform's admin check decides."""
        return ref.is_private or caller.can_manage_chat

    def would_change(self, ref: ChatRef, caller: Caller, action: str, argument: str = "") -> bool:
        """Whether `action` ("subscribe", "unsubscribe", "lang", "weak") would change the chat,
        which makes its answer news for everyone there; False when it would be
        refused, fail on its argument or offer buttons instead.

        Decided without storage, so an adapter can choose before the slow part how
        its answer will be shown (Discord fixes that when it defers a reply).
        """
        if not self.may_manage(ref, caller):
            return False
        if action == "unsubscribe":
            return True
        if action == "lang":
            return language_code(argument) is not None
        if action == "weak":
            return argument in ("on", "off")
        if action != "subscribe" or self._posting_problem(ref):
            return False
        try:
            request = parse_subscribe_args(argument)
        except ArgumentError:
            return False
        return request is not None and not unread_languages(request.languages)

    async def language_of(self, ref: ChatRef, caller: Caller) -> str:
        """The chat's chosen language, else the caller's, else English."""
        chat = await self._storage.chats.get(ref.platform, ref.external_id, ref.thread_id)
        if chat is not None:
            return chat.language
        return normalize_language(caller.language_hint) or DEFAULT_LANGUAGE

    async def feed_list(self) -> list[Feed]:
        """Every feed, for adapters that suggest them as you type (Discord autocomplete)."""
        return await self._storage.feeds.all()

    # ---- helpers -------------------------------------------------------------------

    async def _chat_row(self, ref: ChatRef, lang: str, now: datetime) -> Chat:
        return await self._storage.chats.upsert(
            ref.platform,
            ref.external_id,
            now=now,
            kind=ref.kind,
            thread_id=ref.thread_id,
            title=ref.title,
            language=lang,
        )

    def _refuse_manage(self, lang: str) -> Reply:
        return Reply(text(lang, "refuse.manage"), lang, refused=True)

    def _refuse_bot_admin(self, lang: str) -> Reply:
        return Reply(text(lang, "refuse.bot_admin"), lang, refused=True)

    @staticmethod
    def _posting_problem(ref: ChatRef) -> str | None:
        """Why alerts could never be delivered to `ref`, as a text key, or None."""
        if not ref.holds_messages:
            return "bot.not_a_destination"
        if ref.bot_lacks:
            return "bot.cannot_post"
        return None

    def _refuse_posting(self, ref: ChatRef, lang: str, key: str) -> Reply:
        where = self._where(ref, lang)
        message = text(lang, key, where=where, missing=", ".join(ref.bot_lacks))
        return Reply(_capital(message), lang, refused=True)

    @staticmethod
    def _answer_seen_by_others(ref: ChatRef) -> bool:
        """Whether everyone in the chat sees the answer (the adapter says so)."""
        return ref.replies_public and not ref.is_private

    @staticmethod
    def _where(ref: ChatRef, lang: str) -> str:
        if ref.named_as_channel:
            if ref.title:
                return text(lang, "where.channel", title=_one_line(ref.title, 80))
            return text(lang, "where.channel_untitled")
        if ref.thread_id:
            return text(lang, "where.topic")
        return text(lang, "where.private" if ref.is_private else "where.group")

    @staticmethod
    def _actor(ref: ChatRef, caller: Caller) -> str:
        who = str(caller.user_id) if caller.user_id is not None else "anonymous"
        return f"{ref.platform}:{who}" + (f" ({caller.name})" if caller.name else "")

    @staticmethod
    def _chat_name(ref: ChatRef) -> str:
        thread = f"/{ref.thread_id}" if ref.thread_id else ""
        return f"{ref.platform} {ref.kind} {ref.external_id}{thread}"

    @staticmethod
    def _stored_chat_name(chat: Chat) -> str:
        thread = f"/{chat.thread_id}" if chat.thread_id else ""
        title = f" «{_one_line(chat.title, 40)}»" if chat.title else ""
        return f"{chat.external_id}{thread}{title}"

    @staticmethod
    def _summary(subscription: Subscription) -> str:
        parts = [",".join(subscription.categories)]
        parts += subscription.languages
        parts += [f"+{w}" for w in subscription.include_words]
        parts += [f"-{w}" for w in subscription.exclude_words]
        if subscription.min_severity == "low":
            parts.append("weak")
        return " ".join(parts)

    @staticmethod
    def _feed_line(feed: Feed, lang: str) -> str:
        title = _one_line(feed.name, 80)
        if not feed.enabled:
            return text(lang, "feeds.disabled", id=feed.id, title=title)
        if feed.consecutive_failures > 0:
            return text(
                lang,
                "feeds.failing",
                id=feed.id,
                title=title,
                since=_format_time(feed.failing_since),
                failures=feed.consecutive_failures,
                error=feed_error_text(feed.last_error_kind, feed.last_error, lang),
            )
        if feed.last_checked_at is None:
            return text(lang, "feeds.new", id=feed.id, title=title)
        return text(
            lang,
            "feeds.ok",
            id=feed.id,
            title=title,
            checked=_format_time(feed.last_checked_at),
            entries=feed.entry_count,
        )


def feed_error_text(kind: str | None, message: str | None, lang: str) -> str:
    """Why a feed fails, in the chat's language. The operator's own words (the log,
    `feeds list`) stay as they are; an HTTP status is the same in every language."""
    key = f"feed_error.{kind}"
    # Errors recorded before they were redacted may still quote a feed's secrets.
    message = redact_text(message or "")
    if kind is None or not has_text(key):
        return _one_line(message or "?", 150)
    detail = _one_line(message, 80) if kind == "http" else ""
    return text(lang, key, detail=detail)


def unread_languages(codes: Sequence[str]) -> list[str]:
    """The source languages among `codes` the detector does not read."""
    return [code for code in codes if code not in detector_languages()]


def _capital(sentence: str) -> str:
    return sentence[:1].upper() + sentence[1:]
