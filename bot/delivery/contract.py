"""What a platform sender promises the delivery loop.

A sender turns one `Alert` into one platform message and reports what happened in
terms the delivery loop can act on; it never touches storage itself. A story row
(`Alert.story` set) is one of three kinds: `send` posts the story's message,
`edit` changes that message (`Alert.message_id`) in place to show the story as
it is now, `reply` answers it with a short escalation. Every platform gives the
same outcomes for the same cases: an edit that changes nothing is DELIVERED (the
message already shows it); an edit of a message the chat deleted or the platform
no longer lets the bot edit is MESSAGE_GONE (the loop posts the story afresh); a
reply to a message that is gone is posted without the reference.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Protocol

from bot.domain.alert import Alert
from bot.i18n import text

if TYPE_CHECKING:
    from bot.notices import NoticeSink
    from bot.observability.recorder import Recorder


class Outcome(Enum):
    DELIVERED = "delivered"
    # A transient failure of this message: try it again later, with backoff.
    RETRY = "retry"
    # The platform cannot be reached or refuses the bot itself (network down, 5xx, a
    # revoked token, a wrong API URL): nothing is the message's fault, so everything
    # for the platform waits and retries, and no message uses up an attempt.
    UNAVAILABLE = "unavailable"
    # The platform asked us to wait `retry_after` seconds: before sending to this chat
    # again (`SendResult.chat_only`), or before sending anything at all.
    RATE_LIMITED = "rate_limited"
    # The chat is gone, or the bot was removed or lost permission: stop sending there.
    CHAT_GONE = "chat_gone"
    # The chat moved (a Telegram group upgraded to a supergroup): resend to `new_chat_id`.
    MIGRATED = "migrated"
    # The platform refused this message for good; retrying would not help.
    FAILED = "failed"
    # The message to edit is gone (deleted by the chat, too old to edit): the story
    # is sent again as a new message.
    MESSAGE_GONE = "message_gone"


@dataclass(frozen=True)
class SendResult:
    outcome: Outcome
    message_id: str | None = None
    retry_after: float | None = None
    new_chat_id: str | None = None
    error: str | None = None
    # For RATE_LIMITED: the wait concerns this chat alone (its own flood limit, its
    # route's bucket), and every other chat goes on.
    chat_only: bool = False


# The longest "retry after" taken at its word. Platforms ask for seconds, at most
# minutes, from a bot that keeps within their limits; anything longer is a flood ban
# or a bogus value (10^12 s would overflow a datetime and stop sending for good). A
# wait cut short only costs one request that is refused again with the time still
# left, once per chat per RETRY_AFTER_CAP_SECONDS, while trusting a huge value costs
# every alert after it; and an alert held longer than this is already late news.
RETRY_AFTER_CAP_SECONDS = 900.0
# When a platform's answer gives no usable wait.
RETRY_AFTER_DEFAULT_SECONDS = 1.0


def bounded_retry_after(seconds: float | None) -> float:
    """A platform's "retry after", as a wait we will keep: finite, 0..RETRY_AFTER_CAP_SECONDS."""
    if seconds is None or seconds != seconds:  # None or NaN
        return RETRY_AFTER_DEFAULT_SECONDS
    return min(max(float(seconds), 0.0), RETRY_AFTER_CAP_SECONDS)


class Sender(Protocol):
    platform: str

    async def send(self, alert: Alert) -> SendResult: ...

    async def edit(self, alert: Alert) -> SendResult:
        """Show `alert.story` in the message `alert.message_id`, in place."""
        ...

    async def reply(self, alert: Alert) -> SendResult:
        """Answer the message `alert.message_id` with `alert.escalations`, worded."""
        ...


# A platform that refuses the bot's token never starts working by itself: the operator
# must act. So the refusal is one line naming the variable to fix, the same wherever
# it is shown (the log, the command line's last words, /status, an admin notice).
@dataclass(frozen=True)
class TokenRefusal:
    platform: str  # as people write it: "Telegram", "Discord"
    variable: str  # the setting to fix: "TELEGRAM_BOT_TOKEN"
    status: str  # what the platform answered: "401 Unauthorized"

    def line(self) -> str:
        return f"{self.platform} refused {self.variable} ({self.status}): check the token"


def refusal_notice(refusal: TokenRefusal, working: list[str], lang: str) -> str:
    """The admin notice for the platforms that still work, in their admins' language."""
    return text(
        lang,
        "notice.refused",
        platform=refusal.platform,
        variable=refusal.variable,
        status=refusal.status,
        working=text(lang, "notice.and").join(working),
    )


class PlatformRuntime(Protocol):
    @property
    def sender(self) -> Sender: ...

    @property
    def refused(self) -> TokenRefusal | None:
        """Set once the platform refused the bot's token (at start)."""

    @property
    def notice_sink(self) -> NoticeSink | None:
        """Where admin notices go on this platform; None when it has no admins."""

    async def start(self) -> None:
        """Receive commands and send alerts (`tocsin run`)."""

    async def start_sending(self) -> None:
        """Send alerts and notices only, receiving nothing (`tocsin run --once`)."""

    async def stop(self) -> None: ...

    def readiness(self) -> str | None:
        """None while connected to the platform; otherwise why not, in a few words
        (for /readyz)."""

    def observe(self, recorder: Recorder) -> None:
        """Count this platform's rate-limit waits and 429 answers in `recorder`."""
