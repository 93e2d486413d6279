"""What every Tocsin button on Discord shares.

A button carries all it needs in its custom id, so that it still works after a
restart (a `DynamicItem` is rebuilt from the id and the label its message shows);
when pressing it fails, the person who pressed it is told so in their language.
"""

from __future__ import annotations

from typing import Any

import discord

from bot.i18n import normalize_language, text
from handlers.commands import Reply

# Discord refuses a button label longer than this.
BUTTON_LABEL_LIMIT = 80
# The label of a button rebuilt from a message that shows none.
NO_LABEL = "…"


def grey_button(custom_id: str, label: str) -> discord.ui.Button[discord.ui.View]:
    """A secondary-style button; `label` must already fit BUTTON_LABEL_LIMIT."""
    return discord.ui.Button(label=label, style=discord.ButtonStyle.secondary, custom_id=custom_id)


def shown_label(item: discord.ui.Item[Any]) -> str:
    """The label of the button that was pressed, as its message shows it."""
    return getattr(item, "label", None) or NO_LABEL


def interaction_language(interaction: discord.Interaction[Any]) -> str:
    """The language of the person's Discord client, or English."""
    return normalize_language(str(interaction.locale)) or "en"


def internal_error(interaction: discord.Interaction[Any]) -> Reply:
    """The answer when pressing a button failed on our side."""
    lang = interaction_language(interaction)
    return Reply(text(lang, "error.internal"), lang, error=True)
