"""The terminal as a chat: alerts printed for a person to read."""

from __future__ import annotations

import sys
import textwrap
from typing import TextIO

from bot.delivery.contract import Outcome, SendResult
from bot.domain.alert import Alert
from handlers.rendering import field_lines, labels, severity_word, source_line, why_line
from handlers.story_text import escalation_text, story_lines

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


def format_console_story(alert: Alert, width: int = 78) -> str:
    lines = story_lines(alert)
    out = [f"━━ {lines.header} ━━", *(textwrap.wrap(lines.title, width) or ["—"])]
    for line in (*lines.facts, *lines.sources, lines.times):
        out.extend(textwrap.wrap(line, width) or [""])
    if lines.link:
        out.append(lines.link)
    return "\n".join(out) + "\n"


class ConsoleSender:
    platform = "console"

    def __init__(self, stream: TextIO | None = None) -> None:
        self._stream = stream

    async def send(self, alert: Alert) -> SendResult:
        if alert.story is not None:
            return self._print(alert, format_console_story(alert), str(alert.outbox_id))
        return self._print(alert, format_console_alert(alert), str(alert.outbox_id))

    async def edit(self, alert: Alert) -> SendResult:
        """A terminal cannot change what it printed: the update is printed, marked."""
        return self._print(alert, "✎ " + format_console_story(alert), alert.message_id)

    async def reply(self, alert: Alert) -> SendResult:
        return self._print(alert, f"↳ {escalation_text(alert)}\n", str(alert.outbox_id))

    def _print(self, alert: Alert, body: str, message_id: str | None) -> SendResult:
        stream = self._stream or sys.stdout
        try:
            stream.write(body + "\n")
            stream.flush()
        except OSError as exc:
            return SendResult(Outcome.RETRY, error=f"terminal write failed: {exc}")
        return SendResult(Outcome.DELIVERED, message_id=message_id or str(alert.outbox_id))
