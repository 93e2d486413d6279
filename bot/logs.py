"""Logging, set up once by the command line.

Every record passes a filter that hides secrets before any handler writes it: the
configured tokens and passwords (`Settings.secret_values`), URL credentials and
secret query values, and bot tokens in Bot API URLs (see `feeds.redact`). Code also
redacts at the source; the filter is for what a library puts in its own messages
and tracebacks (an aiohttp error quoting the request URL).
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable

from feeds.redact import Redactor

_FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"


class RedactingFilter(logging.Filter):
    """Rewrites a record's message, traceback and stack with the secrets hidden."""

    def __init__(self, redactor: Redactor) -> None:
        super().__init__()
        self.redactor = redactor
        self._formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed call: let the handler report it as it would
            return True
        record.msg, record.args = self.redactor(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = self._formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redactor(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redactor(record.stack_info)
        return True


def setup_logging(level: str = "INFO", secrets: Iterable[str] = ()) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(_FORMAT))
    # On the handler, not the root logger: a logger's filters do not see records
    # that reach it from its children.
    handler.addFilter(RedactingFilter(Redactor(secrets)))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # Libraries' chatter at INFO drowns out Tocsin's own lines.
    for noisy in (
        "aiohttp.access",
        "apscheduler",
        "aiogram.event",
        "discord.gateway",
        "discord.client",
        "discord.http",
        "pymorphy3",
    ):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLevelName(level)))
