"""Logging, set up once by the command line: text for people, or JSON for log shippers.

Each line may say what it concerns (a feed, a chat): the code that works on one wraps
its work in `concerning(...)`, and every line logged meanwhile, in that task and the
tasks it starts, carries those fields (a record's own `extra` fields win). In JSON
they are keys of the line's object; in text they follow the message in brackets.

Every record passes a filter on the handler that hides secrets before either
formatter renders it: the configured tokens and passwords (`Settings.secret_values`),
URL credentials and secret query values, and bot tokens in Bot API URLs (see
`feeds.redact`). Code also redacts at the source; the filter is for what a library
puts in its own messages and tracebacks (an aiohttp error quoting the request URL).
"""

from __future__ import annotations

import contextlib
import json
import logging
import sys
from collections.abc import Iterable, Iterator, Mapping
from contextvars import ContextVar
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Literal

from feeds.redact import Redactor

LogFormat = Literal["text", "json"]

# What the current task's log lines concern: {"feed_id": 12, ...}.
_NOTHING: Mapping[str, object] = MappingProxyType({})
_CONCERNS: ContextVar[Mapping[str, object]] = ContextVar("tocsin_log_concerns", default=_NOTHING)
# The fields `concerning` and `extra` may set; nothing else of a record's is emitted.
CONCERN_FIELDS = ("feed_id", "feed_host", "platform", "chat_id", "chat")
_TEXT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"


@contextlib.contextmanager
def concerning(**fields: object) -> Iterator[None]:
    """Lines logged inside (in this task and tasks it starts) carry `fields`."""
    unknown = set(fields) - set(CONCERN_FIELDS)
    if unknown:
        raise ValueError(f"not log concern fields: {sorted(unknown)}")
    token = _CONCERNS.set(MappingProxyType({**_CONCERNS.get(), **fields}))
    try:
        yield
    finally:
        _CONCERNS.reset(token)


def concerns(record: logging.LogRecord) -> dict[str, object]:
    """The fields `record` concerns: the task's, overridden by the record's `extra`."""
    found = dict(_CONCERNS.get())
    for name in CONCERN_FIELDS:
        value = record.__dict__.get(name)
        if value is not None:
            found[name] = value
    return found


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__(_TEXT)

    def formatMessage(self, record: logging.LogRecord) -> str:
        line = super().formatMessage(record)
        fields = concerns(record)
        if not fields:
            return line
        return line + " [" + " ".join(f"{k}={v}" for k, v in fields.items()) + "]"


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC), level, logger, message, the concerns, and
    the exception's traceback as one string when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        line.update(concerns(record))
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            line["exception"] = record.exc_text
        if record.stack_info:
            line["stack"] = self.formatStack(record.stack_info)
        # ensure_ascii=False: Russian stays readable; json escapes newlines, so one
        # record is always one line.
        return json.dumps(line, ensure_ascii=False, default=str)


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


def setup_logging(
    level: str = "INFO", log_format: LogFormat = "text", secrets: Iterable[str] = ()
) -> logging.Handler:
    """Log to stderr, secrets hidden; returns the handler."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if log_format == "json" else TextFormatter())
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
    return handler
