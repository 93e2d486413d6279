"""From a Discord interaction to the service's plain facts, and from a `Reply` back to Discord.

Chat identity on Discord: platform "discord", `external_id` the channel (or
thread) id, `thread_id` always "". The caller may manage that chat when Discord
says they hold Manage Channels there, which is what changing a channel's alerts
is about; in a DM the person manages their own chat.
"""

from __future__ import annotations

import dataclasses
import logging
import re
from typing import TYPE_CHECKING, Any, cast

import discord

from handlers.commands import Caller, ChatRef, CommandService, Reply, split_text
from handlers.discord.buttons import (
    BUTTON_LABEL_LIMIT,
    NO_LABEL,
    grey_button,
    internal_error,
    shown_label,
)
from handlers.discord.sender import FORUM_KINDS, THREAD_KINDS, chat_kind, fit, inert
from handlers.rendering import utf16_len

if TYPE_CHECKING:
    from handlers.discord.client import TocsinBot

logger = logging.getLogger(__name__)

MESSAGE_LIMIT = 2000
Target = discord.app_commands.AppCommandChannel | discord.app_commands.AppCommandThread
# Channels that hold no messages at all.
NOT_DESTINATIONS = frozenset({"guild_category", "guild_directory"})


def service_of(interaction: discord.Interaction[Any]) -> CommandService:
    return cast("TocsinBot", interaction.client).service


def chat_ref(interaction: discord.Interaction[Any], target: Target | None = None) -> ChatRef:
    """Where the command acts: the `channel` option when given, else where it was run;
    with what Discord tells us about the bot's ability to post alerts there."""
    ref = _place(interaction, target)
    return dataclasses.replace(
        ref,
        bot_lacks=tuple(missing_bot_permissions(interaction, ref, target)),
        holds_messages=ref.kind not in NOT_DESTINATIONS,
    )


def discord_ref(channel_id: str, kind: str, title: str | None = None) -> ChatRef:
    """A Discord place: every one but a DM is named as a channel; operator answers
    are ephemeral, seen by the asker alone."""
    return ChatRef(
        "discord",
        channel_id,
        kind,
        title=title,
        named_as_channel=kind != "private",
        replies_public=False,
    )


def _place(interaction: discord.Interaction[Any], target: Target | None) -> ChatRef:
    if target is not None:
        return discord_ref(str(target.id), chat_kind(target.type), title=target.name)
    channel = interaction.channel
    if channel is None:
        return discord_ref(str(interaction.channel_id), "unknown")
    title = getattr(channel, "name", None)
    return discord_ref(str(channel.id), chat_kind(channel.type), title=title)


def caller_of(interaction: discord.Interaction[Any], target: Target | None = None) -> Caller:
    """Who asked; Manage Channels is checked in the channel the command acts on."""
    permissions = target.permissions if target is not None else interaction.permissions
    user = interaction.user
    return Caller(
        user_id=user.id,
        can_manage_chat=permissions.manage_channels,
        name=user.name,
        language_hint=str(interaction.locale),
    )


def missing_bot_permissions(
    interaction: discord.Interaction[Any], ref: ChatRef, target: Target | None
) -> list[str]:
    """What the bot lacks to post alerts in the chosen channel, when Discord lets us know.

    For the channel the command ran in, Discord sends the bot's permissions along;
    for another channel they are computed from the guild cache, if it has it.
    """
    if ref.kind == "private":
        return []
    permissions: discord.Permissions | None = None
    if target is None:
        permissions = interaction.app_permissions
    else:
        channel = interaction.client.get_channel(target.id)
        guild = interaction.guild
        me = guild.me if guild is not None else None
        if isinstance(channel, discord.abc.GuildChannel | discord.Thread) and me is not None:
            permissions = channel.permissions_for(me)
    if permissions is None:
        return []
    wanted = {"view_channel": "View Channel", "embed_links": "Embed Links"}
    if ref.kind in THREAD_KINDS:
        wanted["send_messages_in_threads"] = "Send Messages in Threads"
    elif ref.kind in FORUM_KINDS:
        wanted["send_messages"] = "Create Posts"
    else:
        wanted["send_messages"] = "Send Messages"
    return [label for name, label in wanted.items() if not getattr(permissions, name)]


def render(reply_text: str) -> list[str]:
    """Reply text as Discord messages: inert markdown, at most 2,000 characters each."""
    pieces = split_text(inert(reply_text), MESSAGE_LIMIT, utf16_len)
    # `fit` only guards: every piece already fits, as Discord counts (UTF-16 units).
    return [fit(piece, MESSAGE_LIMIT) for piece in pieces]


def choice_view(reply: Reply) -> discord.ui.View | None:
    if not reply.choices:
        return None
    view = discord.ui.View(timeout=None)
    for choice in reply.choices[:25]:
        view.add_item(ChoiceButton(choice.action, choice.argument, choice.label))
    return view


async def defer(interaction: discord.Interaction[Any], *, ephemeral: bool) -> None:
    """Tell Discord an answer is coming, before anything touches storage.

    Discord gives up on a reply after three seconds ("did not respond"), which a
    busy database can outlast while the change itself is saved. The answer then
    comes as follow-ups, and Discord shows them as `ephemeral` says here, whatever
    they ask later: so pass what the answer will be (`CommandService.would_change`).
    """
    if not interaction.response.is_done():
        await interaction.response.defer(ephemeral=ephemeral, thinking=True)


async def answer(
    interaction: discord.Interaction[Any], reply: Reply, *, private: bool = False
) -> None:
    """Send `reply`; refusals and mistakes only to the person who asked.

    `private` keeps an answer to the asker alone even when it is good news
    (listings, operator commands), so channels are not flooded with them. After
    `defer`, every piece is a follow-up.
    """
    ephemeral = private or reply.refused or reply.error
    pieces = render(reply.text)
    view = choice_view(reply)
    for index, piece in enumerate(pieces):
        extra: dict[str, Any] = {}
        if view is not None and index == len(pieces) - 1:
            extra["view"] = view
        if index == 0 and not interaction.response.is_done():
            await interaction.response.send_message(piece, ephemeral=ephemeral, **extra)
        else:
            await interaction.followup.send(piece, ephemeral=ephemeral, **extra)


class ChoiceButton(
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]],
    template=r"tocsin:(?P<action>[a-z]+):(?P<argument>[A-Za-z0-9_.-]*)",
):
    """A `Choice` from a reply as a button that survives restarts.

    Everything needed is in its custom id; pressing it runs `service.choose` with the
    presser's own permissions, so a button never lends anyone rights.
    """

    def __init__(self, action: str, argument: str, label: str = NO_LABEL) -> None:
        super().__init__(grey_button(f"tocsin:{action}:{argument}", fit(label, BUTTON_LABEL_LIMIT)))
        self.action = action
        self.argument = argument

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> ChoiceButton:
        return cls(match["action"], match["argument"], shown_label(item))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        service = service_of(interaction)
        try:
            ref, caller = chat_ref(interaction), caller_of(interaction)
            public = service.would_change(ref, caller, self.action, self.argument)
            await defer(interaction, ephemeral=not public)
            reply = await service.choose(ref, caller, self.action, self.argument)
        except Exception:
            logger.exception("Discord button %s:%s failed", self.action, self.argument)
            reply = internal_error(interaction)
        await answer(interaction, reply)
