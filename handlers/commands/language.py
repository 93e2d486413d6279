"""/lang: the chat's language."""

from __future__ import annotations

import logging

from bot.i18n import text
from handlers.commands.arguments import language_code
from handlers.commands.base import CommandBase, _one_line
from handlers.commands.contract import Caller, ChatRef, Choice, Reply

logger = logging.getLogger(__name__)


class LanguageCommands(CommandBase):
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
        code = language_code(wanted)
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
