"""`tocsin db stats`, `tocsin db prune`, `tocsin backup FILE`, `tocsin health`: the
operator's view of the database, its upkeep, and the check a container runs."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import Any

from bot.app import open_storage
from bot.domain.maintenance import DatabaseStats
from bot.retention import RetentionJob, RetentionPolicy, describe
from bot.settings import Settings
from bot.timeutil import Clock

_usage_error: type[Exception] = ValueError


def _size(value: int | None) -> str:
    if value is None:
        return "-"
    for unit, scale in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if value >= scale:
            return f"{value / scale:.1f} {unit}"
    return f"{value} B"


def format_stats(stats: DatabaseStats, policy: RetentionPolicy) -> str:
    kept = ", ".join(
        f"{what} {days} days" if days else f"{what} forever"
        for what, days in (
            ("entry texts", policy.entry_text_days),
            ("events", policy.event_days),
            ("delivered alerts", policy.outbox_days),
            ("audit log", policy.audit_days),
        )
    )
    last = stats.last_prune_at.isoformat(timespec="minutes") if stats.last_prune_at else "never"
    lines = [
        f"database  {stats.path}",
        f"size      {_size(stats.file_bytes)} (+ {_size(stats.wal_bytes)} write-ahead log);"
        f" {stats.free_pages} of {stats.pages} pages free; auto-vacuum {stats.auto_vacuum}",
        f"retention {kept}; daily at {policy.hour:02d}:00 UTC; last prune {last};"
        f" {stats.entries_pruned} entries pruned so far",
        "",
    ]
    rows = [("TABLE", "ROWS", "SIZE")] + [
        (table.name, str(table.rows), _size(table.bytes)) for table in stats.tables
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(2)]
    lines += [f"{row[0].ljust(widths[0])}  {row[1].rjust(widths[1])}  {row[2]}" for row in rows]
    return "\n".join(lines)


async def cmd_stats(settings: Settings, args: argparse.Namespace, clock: Clock) -> int:
    storage = await open_storage(settings)
    try:
        stats = await storage.maintenance.stats()
    finally:
        await storage.close()
    print(format_stats(stats, RetentionPolicy.from_settings(settings)))
    return 0


async def cmd_prune(settings: Settings, args: argparse.Namespace, clock: Clock) -> int:
    storage = await open_storage(settings)
    try:
        result = await RetentionJob(
            storage, RetentionPolicy.from_settings(settings), clock
        ).prune_now()
    finally:
        await storage.close()
    print(describe(result))
    return 0


async def cmd_backup(settings: Settings, args: argparse.Namespace, clock: Clock) -> int:
    target: Path = args.file
    problem = await asyncio.to_thread(_backup_target_problem, target, settings.database_in_use)
    if problem:
        raise _usage_error(problem)
    storage = await open_storage(settings)
    try:
        await storage.maintenance.backup(target)
    finally:
        await storage.close()
    size = (await asyncio.to_thread(target.stat)).st_size
    print(f"backed up {settings.database_in_use} to {target} ({_size(size)})")
    return 0


def _backup_target_problem(target: Path, database: Path) -> str | None:
    if target.resolve() == database.resolve():
        return f"{target} is the database itself: name another file"
    if not target.parent.is_dir():
        return f"no folder {target.parent} to write the backup in"
    return None


async def cmd_health(settings: Settings, args: argparse.Namespace, clock: Clock) -> int:
    """0 when the database opens and answers and a `tocsin run` delivers from it."""
    storage = await open_storage(settings)
    try:
        version = await storage.schema_version()
        running = await storage.sender_running()
    finally:
        await storage.close()
    if running is None:
        print(f"unhealthy: no Tocsin is running on {settings.database_in_use}", file=sys.stderr)
        return 1
    print(f"ok: {settings.database_in_use} schema version {version}; running ({running})")
    return 0


def add_commands(commands: Any, usage_error: type[Exception]) -> None:
    global _usage_error
    _usage_error = usage_error
    db = commands.add_parser("db", help="database size and upkeep")
    sub = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    sub.add_parser("stats", help="sizes, rows per table, retention").set_defaults(handler=cmd_stats)
    sub.add_parser(
        "prune", help="prune old data now (the running bot does it daily by itself)"
    ).set_defaults(handler=cmd_prune)

    backup = commands.add_parser(
        "backup", help="copy the database to FILE, consistent even while the bot runs"
    )
    backup.add_argument("file", type=Path, metavar="FILE")
    backup.set_defaults(handler=cmd_backup)

    commands.add_parser(
        "health", help="exit 0 when the database answers and the bot runs on it"
    ).set_defaults(handler=cmd_health)
