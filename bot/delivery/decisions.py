"""The delivery loop's pure rules: how long to wait before a retry or after an
outage, and what storage records for an outbox row once its platform answered.

The loop keeps the pauses in memory and does the I/O; everything here takes data
and returns data, so each answer of each platform can be checked on its own.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.delivery.contract import Outcome, SendResult
from bot.domain.alert import Alert
from bot.storage import intents
from feeds.redact import redact_text

# The longest pause while a platform is unavailable: once it is back, alerts flow
# again within this long. A probe costs about one request (rows still waiting for
# their turn when the first answer pauses the platform stay unsent), so probing an
# outage of hours this often costs the platform nothing it would notice.
OUTAGE_PAUSE_CAP_SECONDS = 10


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff from 5 s, capped at one hour."""
    return timedelta(seconds=min(5 * 2 ** max(attempts - 1, 0), 3600))


def outage_pause(failures: int) -> timedelta:
    """How long a platform rests after `failures` unavailable probes in a row: from 2 s,
    doubling, capped at OUTAGE_PAUSE_CAP_SECONDS."""
    exponent = min(max(failures - 1, 0), 16)
    return timedelta(seconds=min(2 * 2**exponent, OUTAGE_PAUSE_CAP_SECONDS))


def already_shown(alert: Alert) -> bool:
    """An edit whose story version the chat's message already shows."""
    return (
        alert.kind == "edit"
        and alert.story is not None
        and alert.shown_version is not None
        and alert.shown_version >= alert.story.version
    )


def error_text(result: SendResult) -> str:
    """The answer's error as the log and the database keep it: no platform library's
    quote of a request URL may carry a token there."""
    return redact_text(result.error or result.outcome.value)


def shown(alert: Alert, at: datetime, message_id: str | None) -> intents.DeliveryOutcome:
    """The row delivered: a story's row records which version its message shows
    (what later edits and replies refer to)."""
    if alert.story is not None:
        return intents.StoryShown(alert.outbox_id, at, message_id, alert.story.version)
    return intents.Delivered(alert.outbox_id, at, message_id)


def outcome_writes(
    alert: Alert, result: SendResult, now: datetime, *, resume: datetime
) -> tuple[intents.DeliveryOutcome, ...]:
    """What storage records, in order, for `alert` after its platform answered `result`
    at `now`. `resume` is when the platform (or the chat, for a chat-only rate limit)
    may be asked again after a RATE_LIMITED or UNAVAILABLE answer; the loop holds the
    pauses, so it says."""
    row = alert.outbox_id
    error = error_text(result)
    match result.outcome:
        case Outcome.DELIVERED:
            return (shown(alert, now, result.message_id),)
        case Outcome.MESSAGE_GONE if alert.kind == "edit":
            return (intents.StoryMessageGone(row, now, error),)
        case Outcome.RATE_LIMITED:
            # The message itself was not at fault: it does not use up an attempt.
            requeued = intents.Requeued(row, resume, error)
            if result.chat_only:
                return intents.ChatPaused(alert.chat.id, resume), requeued
            return (requeued,)
        case Outcome.CHAT_GONE:
            return intents.Failed(row, error), intents.ChatGone(alert.chat.id, now, error)
        case Outcome.MIGRATED if result.new_chat_id:
            # Not the message's fault either: resend at once to the new id. (If the new
            # chat already had this alert, the move fails the row, and it stays so.)
            moved = intents.ChatMoved(alert.chat.id, result.new_chat_id, now)
            return moved, intents.Requeued(row, now, f"moved to {result.new_chat_id}")
        case Outcome.FAILED | Outcome.MESSAGE_GONE:
            return (intents.Failed(row, error),)
        case Outcome.UNAVAILABLE:
            # The platform's trouble, not the message's: no attempt used up, so an
            # outage of any length loses nothing (stale rows expire by age).
            return (intents.Requeued(row, resume, error),)
        case _:
            # Given up by age, not by count: the backoff is capped. The row's attempt
            # was counted when it was marked 'sending'.
            return (intents.RetryLater(row, now + retry_delay(alert.attempts + 1), error),)
