"""The chat commands, decided once for every platform.

Adapters (Telegram, Discord) translate a platform update into two plain facts,
`ChatRef` (where the command was run) and `Caller` (who ran it and whether the
platform says they may manage that chat), call one `CommandService` method, and
render the `Reply` it returns. Everything else lives here: argument parsing,
authorisation, storage, the audit log and the wording in the chat's language.

Public API (stable; the Discord adapter builds on it):

    service = CommandService(storage, pipeline, admin_ids={"telegram": frozenset({1})})
    reply = await service.subscribe_command(ref, caller, "arrest ru +Moscow")
    reply.text              # plain text in the chat's language (escape for your markup)
    reply.choices           # buttons to offer; pass a pressed one to service.choose()
    reply.chunks(4096)      # the text split at line breaks to fit a message limit

Every method returns a `Reply`; user errors (bad arguments, refusals, unknown
feeds, feeds that fail to load) are replies, never exceptions. Only bugs and
storage failures raise, and adapters answer those with `error.internal`.
"""

from __future__ import annotations

import logging
import shlex
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from bot.alert_text import one_line, utc_minute
from bot.domain.chat import Chat, Platform, Subscription
from bot.domain.feed import Feed
from bot.domain.vocabulary import CATEGORIES, Category
from bot.platform_health import TokenRefusal
from bot.storage import DuplicateFeedError, Storage
from bot.timeutil import Clock, utcnow
from feeds.errors import FeedError
from handlers.texts import (
    ADMIN_COMMANDS,
    DEFAULT_LANGUAGE,
    LANGUAGES,
    USER_COMMANDS,
    command_description,
    normalize_language,
    text,
)

logger = logging.getLogger(__name__)

# Limits on /subscribe words: enough for a newsroom's beat, small enough to match fast.
MAX_WORDS = 20
MAX_WORD_LENGTH = 64
# Long lists are cut so a reply stays readable (adapters still split long text).
MAX_LISTED_FEEDS = 60
MAX_LISTED_ALERTING = 10
MAX_CHOICES = 20

# ISO 639-1 codes: a source-language filter must name a real language.
_ISO_639_1_TEXT = (
    "aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu"
    " cv cy da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he"
    " hi ho hr ht hu hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko"
    " kr ks ku kv kw ky la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd"
    " ne ng nl nn no nr nv ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se"
    " sg si sk sl sm sn so sq sr ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty"
    " ug uk ur uz ve vi vo wa wo xh yi yo za zh zu"
)
_ISO_639_1 = frozenset(_ISO_639_1_TEXT.split())
_CATEGORY_WORDS: dict[str, tuple[Category, ...]] = {
    "censorship": ("censorship",),
    "цензура": ("censorship",),
    "arrest": ("arrest",),
    "arrests": ("arrest",),
    "задержания": ("arrest",),
    "задержание": ("arrest",),
    "аресты": ("arrest",),
    "all": CATEGORIES,
    "both": CATEGORIES,
    "все": CATEGORIES,
    "всё": CATEGORIES,
}
# Optional markers before language codes ("/subscribe arrest lang ru en").
_LANGUAGE_MARKERS = frozenset({"lang", "langs", "language", "languages", "язык", "языки"})
_LANGUAGE_NAMES = {
    "en": "en",
    "english": "en",
    "английский": "en",
    "ru": "ru",
    "russian": "ru",
    "русский": "ru",
}


class FeedPreviewLike(Protocol):
    """What `bot.pipeline.FeedPreview` offers (read-only attributes)."""

    @property
    def url(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def entry_count(self) -> int: ...
    @property
    def alerting(self) -> Sequence[tuple[str, tuple[str, ...]]]: ...


class FeedAdder(Protocol):
    """The part of `bot.pipeline.Pipeline` the commands use."""

    async def add_feed(self, url: str, added_by: str) -> tuple[Feed, FeedPreviewLike]: ...


@dataclass(frozen=True)
class ChatRef:
    """Where a command was run, or where alerts go.

    `kind` is "private" for a one-to-one chat with the bot (always manageable by
    the person in it); other values ("group", "supergroup", "channel", Discord's
    "guild_text" ...) are stored as given. `thread_id` is "" for the chat itself,
    or the forum topic / Discord thread id the subscription belongs to.

    `bot_lacks` names, as the platform does, the permissions the bot is missing to
    post alerts there, and `holds_messages` is False for a place that takes no
    messages at all (a Discord category): both as far as the adapter could tell,
    so a subscription that could never be delivered is refused up front.
    """

    platform: Platform
    external_id: str
    kind: str
    thread_id: str = ""
    title: str | None = None
    bot_lacks: tuple[str, ...] = ()
    holds_messages: bool = True

    @property
    def is_private(self) -> bool:
        return self.kind == "private"


@dataclass(frozen=True)
class Caller:
    """Who ran a command, as the adapter found out from the platform.

    `can_manage_chat`: the platform says this person administers the chat in
    `ChatRef` (Telegram: getChatMember is creator/administrator, or the command is
    a channel post; Discord: Manage Channels). `user_id` is None for an anonymous
    sender. `language_hint` is the person's interface language, used for chats
    that have not chosen one.
    """

    user_id: int | None
    can_manage_chat: bool = False
    name: str | None = None
    language_hint: str | None = None


@dataclass(frozen=True)
class Choice:
    """A button an adapter may render; when pressed, call `service.choose(..., action, argument)`.

    `action` and `argument` are short ASCII (they fit Telegram's 64-byte callback data).
    """

    label: str
    action: str
    argument: str


@dataclass(frozen=True)
class Reply:
    """The answer to one command: plain text in the chat's language, and optional buttons.

    `refused` marks a polite refusal (not allowed) and `error` a user mistake, so an
    adapter may show them differently (a callback alert, an ephemeral message).
    """

    text: str
    language: str = DEFAULT_LANGUAGE
    choices: tuple[Choice, ...] = ()
    refused: bool = False
    error: bool = False

    def chunks(self, limit: int, measure: Callable[[str], int] = len) -> list[str]:
        """The text cut into pieces of at most `limit`, at line breaks if possible.

        `measure` is how the platform counts (Telegram and Discord count UTF-16 units).
        """
        return split_text(self.text, limit, measure)


@dataclass(frozen=True)
class SubscribeRequest:
    """Parsed `/subscribe` arguments. Empty lists mean "any"."""

    categories: tuple[Category, ...] = CATEGORIES
    languages: tuple[str, ...] = ()
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()


@dataclass
class ArgumentError(ValueError):
    """A `/subscribe` argument is wrong; `message(lang)` explains it to the user."""

    key: str
    params: dict[str, object] = field(default_factory=dict)

    def message(self, lang: str) -> str:
        return text(lang, self.key, **self.params)

    def __str__(self) -> str:
        return self.message(DEFAULT_LANGUAGE)


def parse_subscribe_args(argument_text: str) -> SubscribeRequest | None:
    """Parse `[censorship|arrest|all] [lang ...] [+word ...] [-word ...]` in any order.

    Returns None when there are no arguments (the adapter offers buttons then);
    raises `ArgumentError` on anything it does not understand. Words may be quoted
    to hold spaces (+"Red Square"); they are kept lowercased.
    """
    try:
        tokens = shlex.split(argument_text)
    except ValueError:
        raise ArgumentError("args.unclosed_quote") from None
    if not tokens:
        return None
    categories: list[Category] = []
    languages: list[str] = []
    include: list[str] = []
    exclude: list[str] = []
    for token in tokens:
        lowered = token.strip().lower()
        if not lowered:
            continue
        if lowered[0] in "+-":
            word = one_line(lowered[1:])
            if not word:
                raise ArgumentError("args.empty_word", {"token": token})
            if len(word) > MAX_WORD_LENGTH:
                raise ArgumentError("args.word_too_long", {"word": word, "limit": MAX_WORD_LENGTH})
            target = include if lowered[0] == "+" else exclude
            if word not in target:
                target.append(word)
        elif lowered in _CATEGORY_WORDS:
            categories.extend(c for c in _CATEGORY_WORDS[lowered] if c not in categories)
        elif lowered in _LANGUAGE_MARKERS:
            continue
        elif lowered in _ISO_639_1:
            if lowered not in languages:
                languages.append(lowered)
        else:
            raise ArgumentError("args.unknown", {"token": token})
    if len(include) > MAX_WORDS or len(exclude) > MAX_WORDS:
        raise ArgumentError("args.too_many_words", {"limit": MAX_WORDS})
    for word in include:
        if word in exclude:
            raise ArgumentError("args.both_ways", {"word": word})
    ordered = tuple(c for c in CATEGORIES if c in categories) or CATEGORIES
    return SubscribeRequest(ordered, tuple(languages), tuple(include), tuple(exclude))


def split_text(body: str, limit: int, measure: Callable[[str], int] = len) -> list[str]:
    """Split `body` into pieces of at most `limit` (as `measure` counts), preferring line breaks."""
    if limit < 2:
        raise ValueError("limit must leave room for any character")
    pieces: list[str] = []
    current = ""
    for line in body.split("\n"):
        while measure(line) > limit:
            if current:
                pieces.append(current)
                current = ""
            cut = _longest_prefix(line, limit, measure)
            pieces.append(line[:cut])
            line = line[cut:]
        candidate = f"{current}\n{line}" if current else line
        if measure(candidate) > limit:
            pieces.append(current)
            current = line
        else:
            current = candidate
    if current or not pieces:
        pieces.append(current)
    return pieces


def _longest_prefix(line: str, limit: int, measure: Callable[[str], int]) -> int:
    """How many characters of `line` fit in `limit` (at least one, so splitting ends)."""
    low, high = 1, len(line)
    while low < high:
        middle = (low + high + 1) // 2
        if measure(line[:middle]) <= limit:
            low = middle
        else:
            high = middle - 1
    return low


def _format_time(moment: datetime | None) -> str:
    return utc_minute(moment) if moment else "—"


def _language_code(argument: str) -> str | None:
    """'en', 'Russian', 'ru-RU' -> a language Tocsin speaks; anything else -> None."""
    wanted = argument.strip().lower()
    code = _LANGUAGE_NAMES.get(wanted) or normalize_language(wanted)
    return code if code in LANGUAGES else None


def _one_line(value: str, limit: int = 200) -> str:
    flat = one_line(value)
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


class CommandService:
    """The chat commands: parse, authorise, act on storage, answer in the chat's language."""

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
        """Whether `action` ("subscribe", "unsubscribe", "lang") would change the chat,
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
            return _language_code(argument) is not None
        if action != "subscribe" or self._posting_problem(ref):
            return False
        try:
            return parse_subscribe_args(argument) is not None
        except ArgumentError:
            return False

    async def language_of(self, ref: ChatRef, caller: Caller) -> str:
        """The chat's chosen language, else the caller's, else English."""
        chat = await self._storage.chats.get(ref.platform, ref.external_id, ref.thread_id)
        if chat is not None:
            return chat.language
        return normalize_language(caller.language_hint) or DEFAULT_LANGUAGE

    async def feed_list(self) -> list[Feed]:
        """Every feed, for adapters that suggest them as you type (Discord autocomplete)."""
        return await self._storage.feeds.all()

    # ---- /start, /help -----------------------------------------------------------

    async def start(self, ref: ChatRef, caller: Caller) -> Reply:
        lang = await self.language_of(ref, caller)
        body = await self.help(ref, caller)
        return Reply(f"{text(lang, 'start.greeting')}\n{body.text}", lang)

    async def help(self, ref: ChatRef, caller: Caller) -> Reply:
        lang = await self.language_of(ref, caller)
        lines = [text(lang, "help.about"), "", text(lang, "help.commands")]
        lines += [f"/{name} — {command_description(lang, name)}" for name in USER_COMMANDS]
        lines += ["", text(lang, "help.example")]
        if self.is_bot_admin(ref.platform, caller.user_id):
            lines += ["", text(lang, "help.admin_commands")]
            lines += [f"/{name} — {command_description(lang, name)}" for name in ADMIN_COMMANDS]
        return Reply("\n".join(lines), lang)

    # ---- subscriptions -----------------------------------------------------------

    async def subscribe_command(self, ref: ChatRef, caller: Caller, argument_text: str) -> Reply:
        """`/subscribe ARGS`: parse, then subscribe; no arguments -> category buttons."""
        lang = await self.language_of(ref, caller)
        if not self.may_manage(ref, caller):
            return self._refuse_manage(lang)
        problem = self._posting_problem(ref)
        if problem is not None:
            return self._refuse_posting(ref, lang, problem)
        try:
            request = parse_subscribe_args(argument_text)
        except ArgumentError as exc:
            return Reply(exc.message(lang), lang, error=True)
        if request is None:
            choices = tuple(
                Choice(text(lang, f"choice.{value}"), "subscribe", value)
                for value in ("censorship", "arrest", "all")
            )
            where = self._where(ref, lang)
            return Reply(text(lang, "subscribe.choose", where=where), lang, choices)
        return await self._subscribe(ref, caller, request, lang)

    async def subscribe(self, ref: ChatRef, caller: Caller, request: SubscribeRequest) -> Reply:
        """Replace the chat's subscription with `request` and (re)activate the chat."""
        lang = await self.language_of(ref, caller)
        if not self.may_manage(ref, caller):
            return self._refuse_manage(lang)
        problem = self._posting_problem(ref)
        if problem is not None:
            return self._refuse_posting(ref, lang, problem)
        return await self._subscribe(ref, caller, request, lang)

    async def _subscribe(
        self, ref: ChatRef, caller: Caller, request: SubscribeRequest, lang: str
    ) -> Reply:
        """`subscribe` once the caller may manage the chat and `lang` is known."""
        now = self._clock()
        chat = await self._chat_row(ref, lang, now)
        subscription = Subscription(
            chat_id=chat.id,
            categories=request.categories,
            languages=request.languages,
            include_words=request.include,
            exclude_words=request.exclude,
        )
        actor = self._actor(ref, caller)
        await self._storage.chats.subscribe(chat.id, subscription, now=now, by=actor)
        await self._storage.audit.record(
            actor, "subscribe", f"{self._chat_name(ref)}: {self._summary(subscription)}", now
        )
        description = self.describe(subscription, lang)
        where = self._where(ref, lang)
        return Reply(text(lang, "subscribe.done", where=where, description=description), lang)

    async def unsubscribe(self, ref: ChatRef, caller: Caller) -> Reply:
        lang = await self.language_of(ref, caller)
        if not self.may_manage(ref, caller):
            return self._refuse_manage(lang)
        where = self._where(ref, lang)
        chat = await self._storage.chats.get(ref.platform, ref.external_id, ref.thread_id)
        if chat is None or not await self._storage.chats.unsubscribe(chat.id):
            return Reply(_capital(text(lang, "unsubscribe.none", where=where)), lang)
        await self._storage.audit.record(
            self._actor(ref, caller), "unsubscribe", self._chat_name(ref), self._clock()
        )
        return Reply(_capital(text(lang, "unsubscribe.done", where=where)), lang)

    async def subscriptions(self, ref: ChatRef, caller: Caller) -> Reply:
        """What this chat receives, in words (anyone may ask)."""
        lang = await self.language_of(ref, caller)
        where = self._where(ref, lang)
        chat = await self._storage.chats.get(ref.platform, ref.external_id, ref.thread_id)
        subscription = await self._storage.chats.subscription(chat.id) if chat else None
        if chat is None or subscription is None:
            return Reply(_capital(text(lang, "subscriptions.none", where=where)), lang)
        lines = [
            _capital(
                text(
                    lang,
                    "subscriptions.some",
                    where=where,
                    description=self.describe(subscription, lang),
                )
            )
        ]
        if not chat.active:
            reason = _one_line(chat.deactivated_reason or "?")
            lines.append(text(lang, "subscriptions.paused", reason=reason))
        return Reply("\n".join(lines), lang)

    @staticmethod
    def describe(subscription: Subscription, lang: str) -> str:
        """A subscription in words: "arrests at protests, from sources in ru; only ..."."""
        joiner = text(lang, "describe.and")
        parts = [joiner.join(text(lang, f"describe.{c}") for c in subscription.categories)]
        if subscription.languages:
            parts.append(
                text(lang, "describe.languages", languages=", ".join(subscription.languages))
            )
        else:
            parts.append(text(lang, "describe.any_language"))
        if subscription.include_words:
            words = ", ".join(f"“{w}”" for w in subscription.include_words)
            parts.append(text(lang, "describe.include", words=words))
        if subscription.exclude_words:
            words = ", ".join(f"“{w}”" for w in subscription.exclude_words)
            parts.append(text(lang, "describe.exclude", words=words))
        parts.append(text(lang, "describe.severity", severity=subscription.min_severity))
        return "; ".join(parts) + "."

    # ---- feeds -------------------------------------------------------------------

    async def feeds(self, ref: ChatRef, caller: Caller) -> Reply:
        """Every feed with its health (anyone may ask: it shows where alerts come from)."""
        lang = await self.language_of(ref, caller)
        feeds = await self._storage.feeds.all()
        if not feeds:
            return Reply(text(lang, "feeds.none"), lang)
        lines = [text(lang, "feeds.header", count=len(feeds))]
        lines += [self._feed_line(feed, lang) for feed in feeds[:MAX_LISTED_FEEDS]]
        if len(feeds) > MAX_LISTED_FEEDS:
            lines.append(text(lang, "feeds.more", count=len(feeds) - MAX_LISTED_FEEDS))
        return Reply("\n".join(lines), lang)

    async def add_feed(self, ref: ChatRef, caller: Caller, url: str) -> Reply:
        """Fetch, parse and preview the feed; store it only if all of that worked."""
        lang = await self.language_of(ref, caller)
        if not self.is_bot_admin(ref.platform, caller.user_id):
            return self._refuse_bot_admin(lang)
        url = url.strip()
        if not url:
            return Reply(text(lang, "addfeed.usage"), lang, error=True)
        if " " in url or not url.lower().startswith(("http://", "https://")):
            return Reply(text(lang, "addfeed.bad_url", url=_one_line(url)), lang, error=True)
        actor = self._actor(ref, caller)
        try:
            feed, preview = await self._pipeline.add_feed(url, actor)
        except DuplicateFeedError as exc:
            return Reply(text(lang, "addfeed.duplicate", id=exc.feed_id), lang, error=True)
        except FeedError as exc:
            reason = _one_line(str(exc), 400)
            logger.info("refused feed %s for %s: %s", url, actor, reason)
            return Reply(text(lang, "addfeed.failed", reason=reason), lang, error=True)
        await self._storage.audit.record(actor, "addfeed", f"#{feed.id} {url}", self._clock())
        title = _one_line(preview.title or feed.title or url)
        lines = [text(lang, "addfeed.done", id=feed.id, title=title, entries=preview.entry_count)]
        alerting = list(preview.alerting)
        if not alerting:
            lines.append(text(lang, "addfeed.alerting_none"))
        else:
            lines.append(text(lang, "addfeed.alerting", count=len(alerting)))
            for entry_title, categories in alerting[:MAX_LISTED_ALERTING]:
                lines.append(
                    text(
                        lang,
                        "addfeed.alerting_item",
                        title=_one_line(entry_title, 150),
                        categories=", ".join(categories),
                    )
                )
            if len(alerting) > MAX_LISTED_ALERTING:
                lines.append(text(lang, "feeds.more", count=len(alerting) - MAX_LISTED_ALERTING))
        return Reply("\n".join(lines), lang)

    async def remove_feed(self, ref: ChatRef, caller: Caller, argument: str) -> Reply:
        """Remove by number (as /feeds shows it); no argument -> one button per feed."""
        lang = await self.language_of(ref, caller)
        if not self.is_bot_admin(ref.platform, caller.user_id):
            return self._refuse_bot_admin(lang)
        argument = argument.strip().lstrip("#")
        if not argument:
            feeds = await self._storage.feeds.all()
            if not feeds:
                return Reply(text(lang, "feeds.none"), lang)
            choices = tuple(
                Choice(f"#{f.id} {_one_line(f.name, 40)}", "removefeed", str(f.id))
                for f in feeds[:MAX_CHOICES]
            )
            return Reply(text(lang, "removefeed.choose"), lang, choices)
        # ASCII digits only: str.isdigit() also takes "²", which int() refuses.
        if not (argument.isascii() and argument.isdigit()):
            return Reply(
                text(lang, "removefeed.bad_id", argument=_one_line(argument, 60)), lang, error=True
            )
        feed_id = int(argument)
        feed = await self._storage.feeds.get(feed_id)
        if feed is None or not await self._storage.feeds.remove(feed_id):
            return Reply(text(lang, "removefeed.missing", id=feed_id), lang, error=True)
        await self._storage.audit.record(
            self._actor(ref, caller), "removefeed", f"#{feed.id} {feed.url}", self._clock()
        )
        return Reply(text(lang, "removefeed.done", id=feed.id, title=_one_line(feed.name)), lang)

    async def status(self, ref: ChatRef, caller: Caller) -> Reply:
        """Feeds ok and failing, queue depth, alerts in the last 24 hours, dead chats."""
        lang = await self.language_of(ref, caller)
        if not self.is_bot_admin(ref.platform, caller.user_id):
            return self._refuse_bot_admin(lang)
        if self._answer_seen_by_others(ref):
            # It names deactivated chats (ids, titles) and their errors: not for a group.
            return Reply(text(lang, "status.private_only"), lang, refused=True)
        now = self._clock()
        health = await self._storage.feeds.health(listed=MAX_LISTED_FEEDS)
        lines = [
            text(
                lang,
                "status.token_refused",
                platform=refusal.platform,
                variable=refusal.variable,
                status=refusal.status,
            )
            for refusal in self._refusals()
        ]
        lines += [
            text(
                lang,
                "status.feeds",
                ok=health.ok,
                failing=health.failing,
                new=health.new,
                disabled=health.disabled,
            )
        ]
        lines += [
            text(
                lang,
                "status.failing_item",
                id=f.id,
                title=_one_line(f.name, 60),
                error=_one_line(f.last_error or "?", 150),
            )
            for f in health.failing_feeds
        ]
        counts = await self._storage.outbox.open_counts()
        lines.append(
            text(
                lang,
                "status.queue",
                pending=counts.get("pending", 0),
                sending=counts.get("sending", 0),
                failed=counts.get("failed", 0),
            )
        )
        since = now - timedelta(hours=24)
        lines.append(
            text(
                lang,
                "status.alerts",
                events=await self._storage.entries.count_events_since(since),
                delivered=await self._storage.outbox.delivered_since(since),
            )
        )
        active = await self._storage.chats.active_subscriptions()
        lines.append(text(lang, "status.chats", active=len(active)))
        inactive = await self._storage.chats.inactive()
        if inactive:
            lines.append(text(lang, "status.inactive_header", count=len(inactive)))
            lines += [
                text(
                    lang,
                    "status.inactive_item",
                    platform=chat.platform,
                    chat=self._stored_chat_name(chat),
                    reason=_one_line(chat.deactivated_reason or "?", 150),
                )
                for chat in inactive[:MAX_LISTED_FEEDS]
            ]
        return Reply("\n".join(lines), lang)

    # ---- /lang ---------------------------------------------------------------------

    async def set_language(self, ref: ChatRef, caller: Caller, argument: str) -> Reply:
        """`/lang en|ru`; no argument -> one button per language."""
        lang = await self.language_of(ref, caller)
        if not self.may_manage(ref, caller):
            return self._refuse_manage(lang)
        wanted = argument.strip().lower()
        if not wanted:
            choices = tuple(
                Choice(label, "lang", code)
                for code, label in (("en", "English"), ("ru", "Русский"))
            )
            return Reply(text(lang, "lang.choose"), lang, choices)
        code = _language_code(wanted)
        if code is None:
            return Reply(
                text(lang, "lang.unknown", argument=_one_line(argument, 40)), lang, error=True
            )
        now = self._clock()
        chat = await self._chat_row(ref, code, now)
        await self._storage.chats.set_language(chat.id, code)
        await self._storage.audit.record(
            self._actor(ref, caller), "lang", f"{self._chat_name(ref)}: {code}", now
        )
        return Reply(text(code, "lang.done"), code)

    # ---- buttons -------------------------------------------------------------------

    async def choose(self, ref: ChatRef, caller: Caller, action: str, argument: str) -> Reply:
        """A `Choice` was pressed: run its action with the same authorisation as the command."""
        if action == "subscribe":
            return await self.subscribe_command(ref, caller, argument)
        if action == "lang":
            return await self.set_language(ref, caller, argument)
        if action == "removefeed" and argument:
            return await self.remove_feed(ref, caller, argument)
        lang = await self.language_of(ref, caller)
        return Reply(text(lang, "error.unknown_choice"), lang, error=True)

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
        """Whether everyone in the chat sees the answer. Telegram answers in the chat
        itself; the Discord adapter answers operator commands to the asker alone."""
        return ref.platform == "telegram" and not ref.is_private

    @staticmethod
    def _where(ref: ChatRef, lang: str) -> str:
        # Every Discord destination but a DM is a channel (or a thread, named like one).
        if ref.kind == "channel" or (ref.platform == "discord" and not ref.is_private):
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
                error=_one_line(feed.last_error or "?", 150),
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


def _capital(sentence: str) -> str:
    return sentence[:1].upper() + sentence[1:]
