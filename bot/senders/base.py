"""What a platform sender promises the delivery loop.

A sender turns one `Alert` into one platform message and reports what happened in
terms the delivery loop can act on; it never touches storage itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Protocol

from bot.models import Alert


class Outcome(Enum):
    DELIVERED = "delivered"
    # A transient failure of this message: try it again later, with backoff.
    RETRY = "retry"
    # The platform cannot be reached or refuses the bot itself (network down, 5xx, a
    # revoked token, a wrong API URL): nothing is the message's fault, so everything
    # for the platform waits and retries, and no message uses up an attempt.
    UNAVAILABLE = "unavailable"
    # The platform asked the whole sender to slow down for `retry_after` seconds.
    RATE_LIMITED = "rate_limited"
    # The chat is gone, or the bot was removed or lost permission: stop sending there.
    CHAT_GONE = "chat_gone"
    # The chat moved (a Telegram group upgraded to a supergroup): resend to `new_chat_id`.
    MIGRATED = "migrated"
    # The platform refused this message for good; retrying would not help.
    FAILED = "failed"


@dataclass(frozen=True)
class SendResult:
    outcome: Outcome
    message_id: str | None = None
    retry_after: float | None = None
    new_chat_id: str | None = None
    error: str | None = None


class Sender(Protocol):
    platform: str

    async def send(self, alert: Alert) -> SendResult: ...
