"""A platform that refuses the bot's token, said plainly.

A refused token never starts working by itself: the operator must act. So the
refusal is one line naming the variable to fix, the same wherever it is shown
(the log, the command line's last words, /status, an admin notice).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TokenRefusal:
    platform: str  # as people write it: "Telegram", "Discord"
    variable: str  # the setting to fix: "TELEGRAM_BOT_TOKEN"
    status: str  # what the platform answered: "401 Unauthorized"

    def line(self) -> str:
        return f"{self.platform} refused {self.variable} ({self.status}): check the token"


def refusal_notice(refusal: TokenRefusal, working: list[str]) -> str:
    """The admin notice for the platforms that still work."""
    still = " and ".join(working)
    return (
        f"{refusal.line()}. Tocsin keeps running on {still}; "
        f"{refusal.platform} alerts wait in the queue until the token is fixed and "
        "Tocsin restarted."
    )
