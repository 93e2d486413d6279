"""Slash commands that change or show what a channel receives: /subscribe, /unsubscribe,
/subscriptions, /lang. Changing needs Manage Channels in the channel concerned."""

from __future__ import annotations

import re
import shlex

import discord
from discord import app_commands
from discord.ext import commands

from handlers.discord.client import TocsinBot, described
from handlers.discord.context import Target, answer, caller_of, chat_ref, defer, service_of

SUGGESTED_LANGUAGES = ("ru", "en", "uk", "be", "kk")
_LIST_SEPARATORS = re.compile(r"[,;\n]+")


def category_choices() -> list[app_commands.Choice[str]]:
    return [
        app_commands.Choice(name=described(f"choice.{value}"), value=value)
        for value in ("censorship", "arrest", "all")
    ]


def subscribe_argument(
    category: str | None,
    languages: str | None,
    include: str | None,
    exclude: str | None,
    weak: bool | None = None,
) -> str:
    """The options as the shared `/subscribe` syntax, so both platforms parse alike.

    Word lists are comma-separated (a word may hold spaces: "Red Square"); each word
    is quoted, so nothing a user types can turn into another kind of argument.
    """
    tokens: list[str] = [category] if category else []
    tokens += (languages or "").replace(",", " ").split()
    if weak:
        tokens.append("weak")
    for sign, words in (("+", include), ("-", exclude)):
        for word in _LIST_SEPARATORS.split(words or ""):
            if word.strip():
                tokens.append(sign + shlex.quote(word.strip()))
    return " ".join(tokens)


def language_suggestions(current: str) -> list[str]:
    """'ru e' -> ['ru en']: complete the last code, keep the ones already typed."""
    typed = current.replace(",", " ").split()
    ends_with_space = not current or current[-1:] in " ,"
    done = typed if ends_with_space else typed[:-1]
    prefix = "" if ends_with_space else typed[-1].lower()
    options = [
        " ".join([*done, code])
        for code in SUGGESTED_LANGUAGES
        if code.startswith(prefix) and code not in done
    ]
    if not current.strip():
        options.insert(2, "ru en")
    return options[:25]


class Subscriptions(commands.Cog):
    def __init__(self, bot: TocsinBot) -> None:
        self.bot = bot

    @app_commands.command(name="subscribe", description=described("cmd.subscribe"))
    @app_commands.describe(
        category=described("opt.category"),
        languages=described("opt.languages"),
        include=described("opt.include"),
        exclude=described("opt.exclude"),
        channel=described("opt.channel"),
        weak=described("opt.weak"),
    )
    @app_commands.choices(category=category_choices())
    @app_commands.default_permissions(manage_channels=True)
    async def subscribe(
        self,
        interaction: discord.Interaction[TocsinBot],
        category: str | None = None,
        languages: str | None = None,
        include: str | None = None,
        exclude: str | None = None,
        channel: Target | None = None,
        weak: bool | None = None,
    ) -> None:
        service = service_of(interaction)
        ref = chat_ref(interaction, channel)
        caller = caller_of(interaction, channel)
        argument = subscribe_argument(category, languages, include, exclude, weak)
        if channel is not None and not argument:
            # Buttons would act on the channel they are pressed in, not on `channel`.
            argument = "all"
        await defer(
            interaction, ephemeral=not service.would_change(ref, caller, "subscribe", argument)
        )
        reply = await service.subscribe_command(ref, caller, argument)
        # The category buttons are for the person who asked, not the whole channel.
        await answer(interaction, reply, private=bool(reply.choices))

    @subscribe.autocomplete("languages")
    async def languages_autocomplete(
        self, interaction: discord.Interaction[TocsinBot], current: str
    ) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=s, value=s) for s in language_suggestions(current)]

    @app_commands.command(name="unsubscribe", description=described("cmd.unsubscribe"))
    @app_commands.describe(channel=described("opt.channel"))
    @app_commands.default_permissions(manage_channels=True)
    async def unsubscribe(
        self, interaction: discord.Interaction[TocsinBot], channel: Target | None = None
    ) -> None:
        service = service_of(interaction)
        ref, caller = chat_ref(interaction, channel), caller_of(interaction, channel)
        await defer(interaction, ephemeral=not service.would_change(ref, caller, "unsubscribe"))
        reply = await service.unsubscribe(ref, caller)
        await answer(interaction, reply)

    @app_commands.command(name="subscriptions", description=described("cmd.subscriptions"))
    @app_commands.describe(channel=described("opt.channel"))
    async def subscriptions(
        self, interaction: discord.Interaction[TocsinBot], channel: Target | None = None
    ) -> None:
        await defer(interaction, ephemeral=True)
        reply = await service_of(interaction).subscriptions(
            chat_ref(interaction, channel), caller_of(interaction, channel)
        )
        await answer(interaction, reply, private=True)

    @app_commands.command(name="lang", description=described("cmd.lang"))
    @app_commands.describe(language=described("opt.language"))
    @app_commands.choices(
        language=[
            app_commands.Choice(name="English", value="en"),
            app_commands.Choice(name="Русский", value="ru"),
        ]
    )
    @app_commands.default_permissions(manage_channels=True)
    async def lang(
        self, interaction: discord.Interaction[TocsinBot], language: str | None = None
    ) -> None:
        service = service_of(interaction)
        ref, caller = chat_ref(interaction), caller_of(interaction)
        public = service.would_change(ref, caller, "lang", language or "")
        await defer(interaction, ephemeral=not public)
        reply = await service.set_language(ref, caller, language or "")
        await answer(interaction, reply, private=bool(reply.choices))


async def setup(bot: TocsinBot) -> None:
    await bot.add_cog(Subscriptions(bot))
