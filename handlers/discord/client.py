"""The discord.py client Tocsin runs: a `commands.Bot` whose cogs hold the slash commands."""

from __future__ import annotations

import logging
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.i18n import text
from handlers.commands import CommandService
from handlers.discord.alert_view import FalseAlarmButton
from handlers.discord.buttons import interaction_language
from handlers.discord.context import ChoiceButton
from handlers.discord.wording import has_wording, wording

logger = logging.getLogger(__name__)

# One extension per feature, loaded one by one so a broken one is logged, not fatal.
EXTENSIONS: tuple[str, ...] = (
    "handlers.discord.subscriptions",
    "handlers.discord.feeds",
    "handlers.discord.feedback",
)

# discord.py sleeps through 429s shorter than this itself; longer ones come back to
# the sender as `RateLimited`, so the delivery loop pauses Discord instead of blocking.
# 30 s is the smallest value discord.py accepts.
MAX_RATELIMIT_WAIT = 30.0


def described(key: str) -> app_commands.locale_str:
    """An English command/option text that the translator can render in Russian."""
    return app_commands.locale_str(wording("en", key), key=key)


class WordingTranslator(app_commands.Translator):
    """Gives Russian-speaking Discord users the command menu in Russian."""

    async def translate(
        self,
        string: app_commands.locale_str,
        locale: discord.Locale,
        context: app_commands.TranslationContextTypes,
    ) -> str | None:
        key = string.extras.get("key")
        if locale is not discord.Locale.russian or not key or not has_wording(key):
            return None
        return wording("ru", key)


class TocsinTree(app_commands.CommandTree["TocsinBot"]):
    async def on_error(
        self, interaction: discord.Interaction[TocsinBot], error: app_commands.AppCommandError
    ) -> None:
        """A bug or a storage failure: log it whole, tell the person in one plain line."""
        name = interaction.command.qualified_name if interaction.command else "?"
        logger.error("Discord command /%s failed", name, exc_info=error)
        if interaction.type is discord.InteractionType.autocomplete:
            return
        message = text(interaction_language(interaction), "error.internal")
        try:
            if interaction.response.is_done():
                await interaction.followup.send(message, ephemeral=True)
            else:
                await interaction.response.send_message(message, ephemeral=True)
        except discord.HTTPException:
            logger.warning("could not tell the user about the failure of /%s", name)


def client_options() -> dict[str, Any]:
    """How every Tocsin Discord client is configured (the bot, and senders in tests)."""
    return {
        # Guild events only: enough to know channels and the bot's own roles.
        "intents": discord.Intents(guilds=True),
        # Feed text must never ping anyone, wherever it ends up in a message.
        "allowed_mentions": discord.AllowedMentions.none(),
        "max_ratelimit_timeout": MAX_RATELIMIT_WAIT,
    }


class TocsinBot(commands.Bot):
    """Carries the shared `CommandService` to the cogs (`interaction.client.service`)."""

    def __init__(self, service: CommandService, **options: Any) -> None:
        """`options` go to discord.py's client as they are (a proxy, an HTTP trace)."""
        # Tocsin never joins voice channels: a warning about voice libraries at every
        # start would only alarm operators.
        discord.VoiceClient.warn_nacl = False
        discord.VoiceClient.warn_dave = False
        super().__init__(
            # Slash commands only: without the message-content intent a prefix never fires.
            command_prefix=commands.when_mentioned,
            help_command=None,
            tree_cls=TocsinTree,
            **client_options(),
            **options,
        )
        self.service = service

    async def setup_hook(self) -> None:
        await self.tree.set_translator(WordingTranslator())
        self.add_dynamic_items(ChoiceButton, FalseAlarmButton)
        for extension in EXTENSIONS:
            try:
                await self.load_extension(extension)
            except Exception:
                logger.exception("could not load Discord extension %s", extension)
