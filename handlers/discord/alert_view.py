"""The button under every Discord alert: "false alarm", pressed by any reader.

It survives restarts (everything it needs is in its custom id) and answers the
person who pressed it alone. Kept apart from the sender's imports: the sender puts
it under each alert, the client registers it, and pressing it uses the commands.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import discord

from bot.i18n import normalize_language, text

logger = logging.getLogger(__name__)

BUTTON_LABEL_LIMIT = 80


class FalseAlarmButton(
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]],
    template=r"tocsin-fa:(?P<event>[0-9]{1,19})",
):
    """ "False alarm" under the alert of one event."""

    def __init__(self, event_id: int, label: str = "…") -> None:
        super().__init__(
            discord.ui.Button(
                label=label[:BUTTON_LABEL_LIMIT],
                style=discord.ButtonStyle.secondary,
                custom_id=f"tocsin-fa:{event_id}",
            )
        )
        self.event_id = event_id

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> FalseAlarmButton:
        return cls(int(match["event"]), getattr(item, "label", None) or "…")

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        # Imported here: the context module imports the sender, which imports this one.
        from handlers.commands import Reply
        from handlers.discord.context import answer, caller_of, chat_ref, defer, service_of

        await defer(interaction, ephemeral=True)
        try:
            reply = await service_of(interaction).false_alarm(
                chat_ref(interaction), caller_of(interaction), self.event_id
            )
        except Exception:
            logger.exception("Discord false-alarm button for event %d failed", self.event_id)
            lang = normalize_language(str(interaction.locale)) or "en"
            reply = Reply(text(lang, "error.internal"), lang, error=True)
        await answer(interaction, reply, private=True)


def false_alarm_view(event_id: int, lang: str) -> discord.ui.View:
    """What goes under an alert: its "false alarm" button, in the chat's language."""
    view = discord.ui.View(timeout=None)
    view.add_item(FalseAlarmButton(event_id, text(lang, "feedback.button")))
    return view
