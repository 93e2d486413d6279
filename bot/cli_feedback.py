"""`tocsin feedback`: events readers called false alarms, as labelled JSON lines."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from bot.app import open_storage
from bot.feedback_export import feedback_record, parse_span
from bot.settings import Settings
from bot.timeutil import Clock


async def cmd_feedback(settings: Settings, args: argparse.Namespace, clock: Clock) -> int:
    since = clock() - args.since
    storage = await open_storage(settings)
    try:
        flagged = await storage.feedback.flagged(since)
        missed = await storage.feedback.missed(since, limit=1000)
    finally:
        await storage.close()
    for event in flagged:
        sys.stdout.write(json.dumps(feedback_record(event), ensure_ascii=False) + "\n")
    # The operator's summary goes to stderr, so stdout stays a clean data file.
    print(
        f"{len(flagged)} flagged event(s), {len(missed)} missed link(s) since "
        f"{since.strftime('%Y-%m-%d %H:%M UTC')}",
        file=sys.stderr,
    )
    for link in missed:
        print(f"missed: {link.url}", file=sys.stderr)
    return 0


def add_commands(commands: Any, usage_error: type[Exception]) -> None:
    def span(value: str) -> Any:
        try:
            return parse_span(value)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    feedback = commands.add_parser(
        "feedback",
        help="events readers marked as false alarms, as labelled JSON lines (detect_dev form)",
    )
    feedback.add_argument(
        "--since", type=span, default=parse_span("30d"), help="how far back: 30d (default), 12h"
    )
    feedback.set_defaults(handler=cmd_feedback)
