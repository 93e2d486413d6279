"""The terminal as a chat: alerts printed for a person to read."""

from __future__ import annotations

import sys
import textwrap
from typing import TextIO

from bot.alert_text import field_lines, labels, source_line
from bot.models import Alert
from bot.senders.base import Outcome, SendResult

CONSOLE_CHAT_ID = "terminal"


def format_console_alert(alert: Alert, width: int = 78) -> str:
    lang = alert.chat.language
    lines = [
        f"━━ {labels(alert)} ━━ ({alert.severity})",
        *(textwrap.wrap(alert.title, width) or ["—"]),
    ]
    lines.append(source_line(alert, lang))
    lines.extend(field_lines(alert, lang))
    if alert.summary:
        excerpt = textwrap.shorten(alert.summary, width=300, placeholder=" …")
        lines.extend(textwrap.wrap(excerpt, width))
    if alert.link:
        lines.append(alert.link)
    lines.append(f"why: {alert.explanation}")
    return "\n".join(lines) + "\n"


class ConsoleSender:
    platform = "console"

    def __init__(self, stream: TextIO | None = None) -> None:
        self._stream = stream

    async def send(self, alert: Alert) -> SendResult:
        stream = self._stream or sys.stdout
        try:
            stream.write(format_console_alert(alert) + "\n")
            stream.flush()
        except OSError as exc:
            return SendResult(Outcome.RETRY, error=f"terminal write failed: {exc}")
        return SendResult(Outcome.DELIVERED, message_id=str(alert.outbox_id))
