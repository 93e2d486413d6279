"""`python -m bot` / `tocsin`: run the bot, manage feeds, classify text.

Exit status: 0 success, 1 the command ran but failed, 2 bad usage or configuration.
Errors reach the user as one line on stderr, never as a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import signal
import sys
from collections.abc import Callable, Coroutine, Sequence
from pathlib import Path
from typing import Any

from bot import cli_feeds
from bot.app import PlatformsRefusedError, build_app
from bot.logs import setup_logging
from bot.platform_health import TokenRefusal
from bot.settings import ConfigError, Settings, load_settings
from bot.storage import Storage, StorageError
from bot.storage.migrations import applied_versions
from bot.timeutil import Clock, utcnow

logger = logging.getLogger(__name__)

Handler = Callable[[Settings, argparse.Namespace], Coroutine[Any, Any, int]]


class UsageError(Exception):
    """Bad arguments or input file; exit status 2."""


def _refused(refusals: list[TokenRefusal]) -> int:
    for refusal in refusals:
        print(refusal.line(), file=sys.stderr)
    return 2


async def cmd_run(settings: Settings, args: argparse.Namespace) -> int:
    async with build_app(settings, clock=args.clock) as app:
        if args.once:
            try:
                report, delivered = await app.run_once()
            except PlatformsRefusedError as exc:
                return _refused(exc.refusals)
            print(report.summary(delivered))
            # A platform that refused its token failed this run, whatever else worked.
            return 1 if app.refusals() else 0
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError):
                loop.add_signal_handler(signum, stop.set)
        mode = (
            "demo feeds, alerts in this terminal" if settings.demo_enabled else "configured feeds"
        )
        logger.info("Tocsin is running (%s); press Ctrl+C to stop", mode)
        await app.run_forever(stop)
        if app.all_platforms_refused:
            return _refused(app.refusals())
        logger.info("Tocsin stopped")
        return 0


async def cmd_migrate(settings: Settings, args: argparse.Namespace) -> int:
    storage = await Storage.open(settings.database_path)
    try:
        versions = await applied_versions(storage.db)
    finally:
        await storage.close()
    print(f"{settings.database_path}: schema version {max(versions, default=0)}")
    return 0


async def cmd_classify(settings: Settings, args: argparse.Namespace) -> int:
    from bot.detect import Detector
    from bot.detect.jsonl import classify_stream

    bad = classify_stream(Detector.load(), sys.stdin, sys.stdout)
    if bad:
        print(f"{bad} input line(s) could not be classified", file=sys.stderr)
    return 1 if bad else 0


async def cmd_eval(settings: Settings, args: argparse.Namespace) -> int:
    from bot.detect import Detector
    from bot.detect.evaluate import evaluate, format_report

    paths: list[Path] = args.data or [Path("tests/data/detect_dev.jsonl")]
    for path in paths:
        if not await asyncio.to_thread(path.is_file):
            raise UsageError(f"no labelled data at {path}")
    try:
        report = evaluate(Detector.load(), *paths)
    except ValueError as exc:  # a malformed record, named by file and line
        raise UsageError(str(exc)) from None
    print(format_report(report))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tocsin",
        description="Alerts on censorship demands and protest arrests from RSS/Atom feeds.",
    )
    parser.add_argument("--env-file", type=Path, default=Path(".env"), help="default: .env")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    run = commands.add_parser("run", help="poll feeds and deliver alerts (the default)")
    run.add_argument("--once", action="store_true", help="one cycle, print a summary, exit")
    run.set_defaults(handler=cmd_run)

    migrate = commands.add_parser("migrate", help="apply pending database migrations")
    migrate.set_defaults(handler=cmd_migrate)

    classify = commands.add_parser(
        "classify", help="classify JSON lines from stdin (title, summary, link, lang)"
    )
    classify.set_defaults(handler=cmd_classify)

    evaluate = commands.add_parser("eval", help="precision/recall of the detector on labelled data")
    evaluate.add_argument(
        "--data",
        type=Path,
        action="append",
        help="JSON lines file; repeat to pool several (default: tests/data/detect_dev.jsonl)",
    )
    evaluate.set_defaults(handler=cmd_eval)

    cli_feeds.add_commands(commands, UsageError)
    return parser


async def _dispatch(handler: Handler, settings: Settings, args: argparse.Namespace) -> int:
    return await handler(settings, args)


def main(argv: Sequence[str] | None = None, *, clock: Clock = utcnow) -> int:
    """`clock` is for a test that starts the real command line in a process of its own."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        args = parser.parse_args([*(argv or sys.argv[1:]), "run"])
    args.clock = clock
    try:
        settings = load_settings(args.env_file)
    except ConfigError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return 2
    setup_logging(settings.log_level)
    try:
        return asyncio.run(_dispatch(args.handler, settings, args))
    except KeyboardInterrupt:
        return 130
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except ConfigError as exc:
        # Some values (a malformed token) can only be judged when a client is built.
        print(f"configuration error: {exc}", file=sys.stderr)
        return 2
    except StorageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        # The reader went away (`tocsin feeds catalog | head -1`): nothing left to say.
        # Point stdout at /dev/null so the final flush at exit cannot fail again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
