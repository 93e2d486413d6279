"""The chat commands, decided once for every platform.

Adapters (Telegram, Discord) translate a platform update into two plain facts,
`ChatRef` (where the command was run, and what the platform lets the bot do there)
and `Caller` (who ran it and whether the platform says they may manage that chat),
call one `CommandService` method, and render the `Reply` it returns. Everything else
lives here, one module per feature: argument parsing, authorisation, storage, the
audit log and the wording in the chat's language.

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

import dataclasses

from bot.i18n import text
from handlers.commands.arguments import ArgumentError, SubscribeRequest, parse_subscribe_args
from handlers.commands.contract import Caller, ChatRef, Choice, FeedAdder, Reply
from handlers.commands.feedback import FeedbackCommands, weak_choice
from handlers.commands.feeds import FeedCommands
from handlers.commands.help import ADMIN_COMMANDS, USER_COMMANDS, HelpCommands, command_description
from handlers.commands.language import LanguageCommands
from handlers.commands.splitting import split_text
from handlers.commands.status import StatusCommands
from handlers.commands.subscriptions import SubscriptionCommands

__all__ = [
    "ADMIN_COMMANDS",
    "USER_COMMANDS",
    "ArgumentError",
    "Caller",
    "ChatRef",
    "Choice",
    "CommandService",
    "FeedAdder",
    "Reply",
    "SubscribeRequest",
    "command_description",
    "parse_subscribe_args",
    "split_text",
]


class CommandService(
    HelpCommands,
    SubscriptionCommands,
    FeedCommands,
    StatusCommands,
    LanguageCommands,
    FeedbackCommands,
):
    """Every command feature over one storage, clock and set of bot admins."""

    async def choose(self, ref: ChatRef, caller: Caller, action: str, argument: str) -> Reply:
        """A `Choice` was pressed: run its action with the same authorisation as the command."""
        if action == "subscribe":
            reply = await self.subscribe_command(ref, caller, argument)
            if reply.refused or reply.error or reply.choices:
                return reply
            # Subscribed by buttons: one more offers weak signals as notes.
            return dataclasses.replace(reply, choices=(weak_choice(True, reply.language),))
        if action == "weak":
            return await self.set_weak(ref, caller, argument)
        if action == "lang":
            return await self.set_language(ref, caller, argument)
        if action == "removefeed" and argument:
            return await self.remove_feed(ref, caller, argument)
        lang = await self.language_of(ref, caller)
        return Reply(text(lang, "error.unknown_choice"), lang, error=True)
