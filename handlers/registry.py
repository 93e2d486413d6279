"""The chat platforms Tocsin can run on: the one list the composition root walks.

Each entry says when the platform is on (its token is set), who its bot admins
are, and how to build its runtime. Runtimes are imported only when their platform
is on, so the embedded default never loads aiogram or discord.py. Adding a platform
is one package under `handlers/` and one entry here (docs/platforms.md).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.delivery.contract import PlatformRuntime
from bot.settings import Settings
from handlers.commands import CommandService

RuntimeFactory = Callable[[Settings, CommandService], PlatformRuntime]


@dataclass(frozen=True)
class PlatformEntry:
    name: str
    enabled: Callable[[Settings], bool]
    admin_ids: Callable[[Settings], frozenset[int]]
    runtime: Callable[[], RuntimeFactory]


def _telegram() -> RuntimeFactory:
    from handlers.telegram.runtime import TelegramRuntime

    return TelegramRuntime


def _discord() -> RuntimeFactory:
    from handlers.discord.runtime import DiscordRuntime

    return DiscordRuntime


PLATFORMS: tuple[PlatformEntry, ...] = (
    PlatformEntry(
        "telegram",
        lambda s: s.telegram_enabled,
        lambda s: frozenset(s.telegram_admin_ids),
        _telegram,
    ),
    PlatformEntry(
        "discord",
        lambda s: s.discord_enabled,
        lambda s: frozenset(s.discord_admin_ids),
        _discord,
    ),
)
