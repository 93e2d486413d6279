"""The database's upkeep: retention (pruning old data), giving space back, sizes, backups.

Pruning works in slices of rows, each its own short transaction, so a poll cycle or
the sender waiting for the write lock waits for one slice, never for the whole prune.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
from datetime import datetime
from pathlib import Path

from bot.domain.maintenance import DatabaseStats, PruneCutoffs, PruneResult, TableStats
from bot.storage.errors import StorageError
from bot.storage.sqlite.database import Database
from bot.timeutil import from_db, to_db

# Rows changed per transaction while pruning.
_SLICE = 2000

# An alert still to be sent needs its event and its entry's words.
_OPEN = "('pending', 'sending')"

_PRUNE_TEXTS = (
    "UPDATE entries SET title = '', summary = '', link = NULL, pruned_at = ?"
    " WHERE id IN (SELECT e.id FROM entries e WHERE e.pruned_at IS NULL"
    " AND e.first_seen_at < ? AND NOT EXISTS (SELECT 1 FROM events ev"
    f" JOIN outbox o ON o.event_id = ev.id WHERE ev.entry_id = e.id AND o.status IN {_OPEN})"
    " LIMIT ?)"
)
# Deleting an event deletes its (finished) outbox rows with it: ON DELETE CASCADE.
_PRUNE_EVENTS = (
    "DELETE FROM events WHERE id IN (SELECT ev.id FROM events ev WHERE ev.created_at < ?"
    " AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.event_id = ev.id"
    f" AND o.status IN {_OPEN}) LIMIT ?)"
)
_PRUNE_OUTBOX = (
    "DELETE FROM outbox WHERE id IN (SELECT id FROM outbox WHERE"
    " (status = 'delivered' AND delivered_at < ?)"
    " OR (status = 'failed' AND created_at < ?) LIMIT ?)"
)
# A story goes with its reports and its messages' ids (ON DELETE CASCADE) once its
# latest report is old, unless an alert still to be sent shows it.
_PRUNE_STORIES = (
    "DELETE FROM stories WHERE id IN (SELECT s.id FROM stories s WHERE"
    " s.latest_report_at < ? AND NOT EXISTS (SELECT 1 FROM outbox o"
    f" WHERE o.story_id = s.id AND o.status IN {_OPEN}) LIMIT ?)"
)
# Each feed's latest notice of each kind stays: a failure or silence still going on
# is told once because its notice is already there (feed, kind, episode are unique).
_PRUNE_NOTICES = (
    "DELETE FROM feed_notices WHERE id IN (SELECT n.id FROM feed_notices n WHERE"
    " COALESCE(n.sent_at, n.created_at) < ? AND n.id <> (SELECT MAX(m.id)"
    " FROM feed_notices m WHERE m.feed_id = n.feed_id AND m.kind = n.kind) LIMIT ?)"
)
_PRUNE_MISSED = (
    "DELETE FROM missed_links WHERE id IN (SELECT id FROM missed_links WHERE created_at < ?"
    " LIMIT ?)"
)
_PRUNE_AUDIT = "DELETE FROM audit_log WHERE id IN (SELECT id FROM audit_log WHERE at < ? LIMIT ?)"

# Unused space inside the entries table's pages, as a share of its size, that makes
# the prune compact the file with a full VACUUM. Each day's prune empties about one
# day's entries' pages, so this is reached every few weeks, not every day.
VACUUM_SLACK = 0.25

_AUTO_VACUUM = {0: "none", 1: "full", 2: "incremental"}


def _file_bytes(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _wal(path: Path) -> Path:
    return path.with_name(path.name + "-wal")


class MaintenanceStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def prune(self, cutoffs: PruneCutoffs, now: datetime) -> PruneResult:
        """Remove what `cutoffs` says is old enough, then give the space back."""
        outbox = events = texts = 0
        if cutoffs.outbox is not None:
            at = to_db(cutoffs.outbox)
            outbox = await self._in_slices(_PRUNE_OUTBOX, (at, at))
        if cutoffs.events is not None:
            events = await self._in_slices(_PRUNE_EVENTS, (to_db(cutoffs.events),))
        if cutoffs.entry_texts is not None:
            texts = await self._in_slices(_PRUNE_TEXTS, (to_db(now), to_db(cutoffs.entry_texts)))
        stories = await self._before(_PRUNE_STORIES, cutoffs.stories)
        notices = await self._before(_PRUNE_NOTICES, cutoffs.notices)
        missed = await self._before(_PRUNE_MISSED, cutoffs.missed)
        audit = await self._before(_PRUNE_AUDIT, cutoffs.audit)
        freed = await self.give_back_space()
        return PruneResult(
            texts,
            events,
            outbox,
            freed,
            stories=stories,
            notices=notices,
            missed=missed,
            audit=audit,
        )

    async def _before(self, sql: str, cutoff: datetime | None) -> int:
        return 0 if cutoff is None else await self._in_slices(sql, (to_db(cutoff),))

    async def _in_slices(self, sql: str, params: tuple[object, ...]) -> int:
        total = 0
        while True:
            changed = await self._db.execute(sql, (*params, _SLICE))
            total += max(changed, 0)
            if changed < _SLICE:
                return total
            await asyncio.sleep(0)  # let the poll cycle and the sender have the lock

    async def give_back_space(self) -> int:
        """Return free pages to the file system; the bytes the files shrank by.

        Deleted rows leave free pages, which incremental auto-vacuum hands back
        cheaply. Rows that only shrink (entries losing their words) leave pages mostly
        empty, which only a full VACUUM (a rewrite of the file) compacts: it runs when
        such slack has grown past VACUUM_SLACK of the file, and once to convert a
        database made before retention existed (no incremental auto-vacuum yet).
        """
        path = self._db.path
        if str(path) == ":memory:":
            return 0
        before = await asyncio.to_thread(lambda: _file_bytes(path) + _file_bytes(_wal(path)))
        row = await self._db.fetchone("PRAGMA auto_vacuum")
        incremental = row is not None and int(row[0]) == 2
        if incremental and await self._slack() < VACUUM_SLACK:
            await self._db.executescript("PRAGMA incremental_vacuum;")
        else:
            await self._db.executescript("PRAGMA auto_vacuum=INCREMENTAL; VACUUM;")
        # The freed pages leave the main file at a checkpoint; TRUNCATE empties the log.
        await self._db.executescript("PRAGMA wal_checkpoint(TRUNCATE);")
        after = await asyncio.to_thread(lambda: _file_bytes(path) + _file_bytes(_wal(path)))
        return max(before - after, 0)

    async def _slack(self) -> float:
        """The share of the entries table's pages left unused; 1.0 when SQLite cannot
        tell (no dbstat table), so a full VACUUM compacts the file anyway.

        Only that table: its rows are appended in order and fill their pages, so its
        slack is what pruning left; indexes are never full and would always look slack.
        """
        try:
            row = await self._db.fetchone(
                "SELECT SUM(unused) AS unused, SUM(pgsize) AS size FROM dbstat"
                " WHERE name = 'entries'"
            )
        except sqlite3.OperationalError:
            return 1.0
        if row is None or not row["size"]:
            return 0.0
        return float(row["unused"]) / float(row["size"])

    async def last_run(self, task: str) -> datetime | None:
        row = await self._db.fetchone(
            "SELECT last_run_at FROM maintenance_runs WHERE task = ?", (task,)
        )
        return from_db(row["last_run_at"]) if row is not None else None

    async def record_run(self, task: str, at: datetime) -> None:
        await self._db.execute(
            "INSERT INTO maintenance_runs (task, last_run_at) VALUES (?, ?)"
            " ON CONFLICT (task) DO UPDATE SET last_run_at = excluded.last_run_at",
            (task, to_db(at)),
        )

    async def stats(self) -> DatabaseStats:
        path = self._db.path
        names = [
            str(row["name"])
            for row in await self._db.fetchall(
                "SELECT name FROM sqlite_schema WHERE type = 'table'"
                " AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        sizes = await self._sizes()
        tables = []
        for name in names:
            # Names come from sqlite_schema itself, quoted: never input.
            row = await self._db.fetchone(f'SELECT COUNT(*) AS n FROM "{name}"')
            tables.append(
                TableStats(name, int(row["n"]) if row else 0, sizes.get(name) if sizes else None)
            )
        pruned = await self._db.fetchone(
            "SELECT COUNT(*) AS n FROM entries WHERE pruned_at IS NOT NULL"
        )
        page_size, pages, free, vacuum = [
            int(row[0]) if row is not None else 0
            for row in [
                await self._db.fetchone(f"PRAGMA {pragma}")
                for pragma in ("page_size", "page_count", "freelist_count", "auto_vacuum")
            ]
        ]
        file_bytes, wal_bytes = await asyncio.to_thread(
            lambda: (_file_bytes(path), _file_bytes(_wal(path)))
        )
        return DatabaseStats(
            path=str(path),
            file_bytes=file_bytes,
            wal_bytes=wal_bytes,
            page_size=page_size,
            pages=pages,
            free_pages=free,
            auto_vacuum=_AUTO_VACUUM.get(vacuum, str(vacuum)),
            tables=tuple(tables),
            entries_pruned=int(pruned["n"]) if pruned else 0,
            last_prune_at=await self.last_run("retention"),
        )

    async def _sizes(self) -> dict[str, int] | None:
        """Bytes per table, its indexes included; None when SQLite was built without
        the dbstat table."""
        try:
            rows = await self._db.fetchall(
                "SELECT COALESCE(i.tbl_name, d.name) AS tbl, SUM(d.pgsize) AS bytes"
                " FROM dbstat d LEFT JOIN sqlite_schema i ON i.name = d.name"
                " GROUP BY tbl"
            )
        except sqlite3.OperationalError:
            return None
        return {str(row["tbl"]): int(row["bytes"]) for row in rows}

    async def backup(self, target: Path) -> None:
        """A consistent copy of the database as of one moment, taken while the bot may
        be writing (SQLite's online backup), written beside `target` and renamed onto
        it, so `target` is never a half-written file. The copy is one self-contained
        file (no write-ahead log beside it)."""
        partial = target.with_name(f".{target.name}.partial")
        await asyncio.to_thread(_remove, partial)
        await self._db.backup_into(partial)
        await asyncio.to_thread(_finish_copy, partial, target)


def _remove(path: Path) -> None:
    for leftover in (path, _wal(path), path.with_name(path.name + "-shm")):
        leftover.unlink(missing_ok=True)


def _finish_copy(partial: Path, target: Path) -> None:
    copy = sqlite3.connect(partial, isolation_level=None)
    try:
        copy.execute("PRAGMA journal_mode=DELETE")
        ok = copy.execute("PRAGMA quick_check").fetchone()
    finally:
        copy.close()
    if ok is None or ok[0] != "ok":
        _remove(partial)
        raise StorageError(f"the copy failed its check: {ok[0] if ok else 'no answer'}")
    try:
        os.replace(partial, target)
    except OSError as exc:
        _remove(partial)
        raise StorageError(f"cannot write {target}: {exc}") from None
