"""/start and /help."""

from __future__ import annotations

import logging

from bot.i18n import text
from handlers.commands.base import CommandBase
from handlers.commands.contract import Caller, ChatRef, Reply

logger = logging.getLogger(__name__)

# The command menu, in the order it is shown. Admin commands are listed separately.
USER_COMMANDS: tuple[str, ...] = (
    "start",
    "help",
    "subscribe",
    "unsubscribe",
    "subscriptions",
    "feeds",
    "lang",
    "missed",
)
ADMIN_COMMANDS: tuple[str, ...] = ("addfeed", "removefeed", "status")


def command_description(lang: str, command: str) -> str:
    return text(lang, f"cmd.{command}")


class HelpCommands(CommandBase):
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
