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

from bot.i18n import text
from handlers.discord.buttons import (
    BUTTON_LABEL_LIMIT,
    NO_LABEL,
    grey_button,
    internal_error,
    shown_label,
)

logger = logging.getLogger(__name__)


class FalseAlarmButton(
    discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]],
    template=r"tocsin-fa:(?P<event>[0-9]{1,19})",
):
    """ "False alarm" under the alert of one event."""

    def __init__(self, event_id: int, label: str = NO_LABEL) -> None:
        super().__init__(grey_button(f"tocsin-fa:{event_id}", label[:BUTTON_LABEL_LIMIT]))
        self.event_id = event_id

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> FalseAlarmButton:
        return cls(int(match["event"]), shown_label(item))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        # Imported here: the context module imports the sender, which imports this one.
        from handlers.discord.context import answer, caller_of, chat_ref, defer, service_of

        await defer(interaction, ephemeral=True)
        try:
            reply = await service_of(interaction).false_alarm(
                chat_ref(interaction), caller_of(interaction), self.event_id
            )
        except Exception:
            logger.exception("Discord false-alarm button for event %d failed", self.event_id)
            reply = internal_error(interaction)
        await answer(interaction, reply, private=True)


def false_alarm_view(event_id: int, lang: str) -> discord.ui.View:
    """What goes under an alert: its "false alarm" button, in the chat's language."""
    view = discord.ui.View(timeout=None)
    view.add_item(FalseAlarmButton(event_id, text(lang, "feedback.button")))
    return view
