"""/missed URL on Discord: a reader reports a news item Tocsin should have alerted about.
(The "false alarm" button under alerts is in `alert_view`.)"""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from handlers.discord.client import TocsinBot, described
from handlers.discord.context import answer, caller_of, chat_ref, defer, service_of


class Feedback(commands.Cog):
    def __init__(self, bot: TocsinBot) -> None:
        self.bot = bot

    @app_commands.command(name="missed", description=described("cmd.missed"))
    @app_commands.describe(link=described("opt.link"))
    async def missed(self, interaction: discord.Interaction[TocsinBot], link: str) -> None:
        await defer(interaction, ephemeral=True)
        reply = await service_of(interaction).missed(
            chat_ref(interaction), caller_of(interaction), link
        )
        await answer(interaction, reply, private=True)


async def setup(bot: TocsinBot) -> None:
    await bot.add_cog(Feedback(bot))
