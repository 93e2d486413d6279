"""`python -m bot` / `tocsin`: run the bot, manage feeds, classify text.

Exit status: 0 success, 1 the command ran but failed, 2 bad usage or configuration.
Errors reach the user as one line on stderr, never as a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import logging
import os
import signal
import sys
from collections.abc import Callable, Coroutine, Sequence
from pathlib import Path
from typing import Any

from bot import cli_db, cli_feedback, cli_feeds, cli_stories
from bot.app import PlatformsRefusedError, build_app, open_storage, process_clock
from bot.delivery.contract import TokenRefusal
from bot.logs import setup_logging
from bot.settings import ConfigError, Settings, load_settings
from bot.storage import StorageError
from bot.timeutil import Clock

logger = logging.getLogger(__name__)

Handler = Callable[[Settings, argparse.Namespace, Clock], Coroutine[Any, Any, int]]


DEFAULT_EVAL_DATA = Path("tests/data/detect_dev.jsonl")
# Labelled real news, kept beside the worktrees and never in the repository.
DEFAULT_REAL_DATA = Path("../shared/realtext/detect_real.tsv")


class UsageError(Exception):
    """Bad arguments or input file; exit status 2."""


def _refused(refusals: list[TokenRefusal]) -> int:
    for refusal in refusals:
        print(refusal.line(), file=sys.stderr)
    return 2


NO_FEEDS_HINT = (
    "no feeds to poll yet: add the bundled catalog of real sources with "
    "`tocsin feeds add-catalog`, or one feed with `tocsin feeds add URL`"
)


async def cmd_run(settings: Settings, args: argparse.Namespace, clock: Clock) -> int:
    async with build_app(settings, clock=clock) as app:
        if app.delivered_by is not None:
            print(
                f"error: a Tocsin is already running on {app.storage.location}"
                f" ({app.delivered_by}); it polls and delivers by itself: stop it first",
                file=sys.stderr,
            )
            return 1
        if not settings.demo_enabled and not await app.storage.feeds.count():
            logger.warning(NO_FEEDS_HINT)
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


async def cmd_migrate(settings: Settings, args: argparse.Namespace, clock: Clock) -> int:
    storage = await open_storage(settings)
    try:
        version = await storage.schema_version()
    finally:
        await storage.close()
    print(f"{settings.database_in_use}: schema version {version}")
    return 0


async def cmd_classify(settings: Settings, args: argparse.Namespace, clock: Clock) -> int:
    from bot.detect import Detector
    from bot.detect.jsonl import classify_stream

    bad = classify_stream(Detector.load(), sys.stdin, sys.stdout)
    if bad:
        print(f"{bad} input line(s) could not be classified", file=sys.stderr)
    return 1 if bad else 0


async def cmd_eval(settings: Settings, args: argparse.Namespace, clock: Clock) -> int:
    from bot.detect import Detector
    from bot.detect.evaluate import evaluate, format_report, is_tsv

    given: list[Path] | None = args.data
    paths: list[Path] = given or [DEFAULT_EVAL_DATA]
    for path in paths:
        if not await asyncio.to_thread(path.is_file):
            raise UsageError(f"no labelled data at {path}")
    # Real published text is reported apart from the sets written to test the
    # detector: the two answer different questions.
    written = [p for p in paths if not is_tsv(p)]
    real = [p for p in paths if is_tsv(p)]
    real_missing = False
    if given is None:
        if await asyncio.to_thread(DEFAULT_REAL_DATA.is_file):
            real.append(DEFAULT_REAL_DATA)
        else:
            real_missing = True
    detector = Detector.load()
    try:
        sections = [format_report(evaluate(detector, *written))] if written else []
        if real:
            sections.append(format_report(evaluate(detector, *real), "real text"))
    except ValueError as exc:  # a malformed record, named by file and line
        raise UsageError(str(exc)) from None
    if real_missing:
        sections.append(f"real text {DEFAULT_REAL_DATA}: skipped: not found")
    print("\n\n".join(sections))
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
        help=(
            "labelled JSON lines (written sets) or TSV (real text, reported apart); repeat to "
            "pool several (default: tests/data/detect_dev.jsonl, plus "
            "../shared/realtext/detect_real.tsv when it exists)"
        ),
    )
    evaluate.set_defaults(handler=cmd_eval)

    cli_feeds.add_commands(commands, UsageError)
    cli_stories.add_commands(commands, UsageError)
    cli_db.add_commands(commands, UsageError)
    cli_feedback.add_commands(commands, UsageError)
    return parser


async def _dispatch(handler: Handler, settings: Settings, args: argparse.Namespace) -> int:
    return await handler(settings, args, process_clock(settings))


def _run(handler: Handler, settings: Settings, args: argparse.Namespace) -> int:
    try:
        return asyncio.run(_dispatch(handler, settings, args))
    finally:
        # The interpreter's last garbage collection walks every object still there
        # (the detector's tables, aiogram's models): seconds on a busy machine once
        # the work is done, and a stop must end within 10 s. Frozen, they are left
        # to the operating system and the process exits at once.
        gc.freeze()


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        args = parser.parse_args([*(argv or sys.argv[1:]), "run"])
    try:
        settings = load_settings(args.env_file)
    except ConfigError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return 2
    setup_logging(settings.log_level, settings.log_format, settings.secret_values())
    if settings.demo_enabled and args.command in ("feeds", "migrate", "db", "backup"):
        # A real deployment's command run where its .env is not found lands here.
        print(
            f"note: no platform token set, so this is the demo's database "
            f"({settings.demo_database_path}); a real deployment's commands run where "
            "its .env is (or with --env-file)",
            file=sys.stderr,
        )
    try:
        return _run(args.handler, settings, args)
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
