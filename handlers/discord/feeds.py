"""Slash commands about feeds: /feeds for everyone; /addfeed, /removefeed and /status
for the bot's operators (DISCORD_ADMIN_IDS). Answers go to the asker alone, deferred
first: reading storage (or fetching a feed) can outlast Discord's three seconds."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from handlers.discord.client import TocsinBot, described
from handlers.discord.context import answer, caller_of, chat_ref, defer, service_of
from handlers.discord.sender import fit, plain

AUTOCOMPLETE_LIMIT = 25
CHOICE_NAME_LIMIT = 100


class Feeds(commands.Cog):
    def __init__(self, bot: TocsinBot) -> None:
        self.bot = bot

    @app_commands.command(name="feeds", description=described("cmd.feeds"))
    async def feeds(self, interaction: discord.Interaction[TocsinBot]) -> None:
        await defer(interaction, ephemeral=True)
        reply = await service_of(interaction).feeds(chat_ref(interaction), caller_of(interaction))
        await answer(interaction, reply, private=True)

    @app_commands.command(name="addfeed", description=described("cmd.addfeed"))
    @app_commands.describe(url=described("opt.url"))
    async def addfeed(self, interaction: discord.Interaction[TocsinBot], url: str) -> None:
        service = service_of(interaction)
        await defer(interaction, ephemeral=True)
        reply = await service.add_feed(chat_ref(interaction), caller_of(interaction), url)
        await answer(interaction, reply, private=True)

    @app_commands.command(name="removefeed", description=described("cmd.removefeed"))
    @app_commands.describe(feed=described("opt.feed"))
    async def removefeed(
        self, interaction: discord.Interaction[TocsinBot], feed: str | None = None
    ) -> None:
        await defer(interaction, ephemeral=True)
        reply = await service_of(interaction).remove_feed(
            chat_ref(interaction), caller_of(interaction), feed or ""
        )
        await answer(interaction, reply, private=True)

    @removefeed.autocomplete("feed")
    async def feed_autocomplete(
        self, interaction: discord.Interaction[TocsinBot], current: str
    ) -> list[app_commands.Choice[str]]:
        service = service_of(interaction)
        if not service.is_bot_admin("discord", interaction.user.id):
            return []
        needle = current.strip().lstrip("#").lower()
        choices = []
        for feed in await service.feed_list():
            haystack = f"{feed.id} {feed.name} {feed.shown_url}".lower()
            if needle and needle not in haystack:
                continue
            name = fit(plain(f"#{feed.id} {feed.name}"), CHOICE_NAME_LIMIT)
            choices.append(app_commands.Choice(name=name, value=str(feed.id)))
            if len(choices) == AUTOCOMPLETE_LIMIT:
                break
        return choices

    @app_commands.command(name="status", description=described("cmd.status"))
    async def status(self, interaction: discord.Interaction[TocsinBot]) -> None:
        await defer(interaction, ephemeral=True)
        reply = await service_of(interaction).status(chat_ref(interaction), caller_of(interaction))
        await answer(interaction, reply, private=True)


async def setup(bot: TocsinBot) -> None:
    await bot.add_cog(Feeds(bot))
