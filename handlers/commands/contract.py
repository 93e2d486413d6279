"""What an adapter hands the command service, and what it gets back."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from bot.domain.chat import Platform
from bot.domain.feed import Feed
from bot.i18n import DEFAULT_LANGUAGE
from handlers.commands.splitting import split_text

logger = logging.getLogger(__name__)


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
    @property
    def lang(self) -> str | None: ...


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

    What the platform does, said as capabilities rather than by its name:
    `named_as_channel` when replies should call the place a channel (a Telegram
    channel, every Discord place but a DM), and `replies_public` when everyone there
    sees the bot's answer to a command (Telegram groups; Discord's operator answers
    are seen by the asker alone).
    """

    platform: Platform
    external_id: str
    kind: str
    thread_id: str = ""
    title: str | None = None
    bot_lacks: tuple[str, ...] = ()
    holds_messages: bool = True
    named_as_channel: bool = False
    replies_public: bool = False

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
