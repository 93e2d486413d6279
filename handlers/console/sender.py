"""The terminal as a chat: alerts printed for a person to read."""

from __future__ import annotations

import sys
import textwrap
from typing import TextIO

from bot.delivery.contract import Outcome, SendResult
from bot.domain.alert import Alert
from handlers.rendering import field_lines, labels, severity_word, source_line, why_line

CONSOLE_CHAT_ID = "terminal"


def format_console_alert(alert: Alert, width: int = 78) -> str:
    lang = alert.chat.language
    lines = [
        f"━━ {labels(alert)} ━━ ({severity_word(alert.severity, lang)})",
        *(textwrap.wrap(alert.title, width) or ["—"]),
    ]
    lines.append(source_line(alert, lang))
    lines.extend(field_lines(alert, lang))
    if alert.summary:
        excerpt = textwrap.shorten(alert.summary, width=300, placeholder=" …")
        lines.extend(textwrap.wrap(excerpt, width))
    if alert.link:
        lines.append(alert.link)
    why = why_line(alert, lang)
    if why:
        lines.append(why)
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
