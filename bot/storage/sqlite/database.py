"""Tocsin's SQLite connections: one that writes, with serialised transactions, and
one that only reads.

aiosqlite runs every statement of a connection on that connection's one worker
thread, so a lock keeps one coroutine's transaction from interleaving with another's.
Reads go to a connection of their own: under WAL they see the last commit and wait
for no writer, so a command such as /status answers at once while a poll cycle is
writing thousands of entries.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiosqlite

from bot.storage.errors import StorageError

logger = logging.getLogger(__name__)

Params = Sequence[Any] | dict[str, Any]


# SQLite's integers are signed 64-bit: a larger id names no row (and cannot be bound).
_MAX_ID = 2**63 - 1


def storable_id(value: int) -> bool:
    """Whether `value` can be a row id at all: ids typed by people may be anything."""
    return 0 < value <= _MAX_ID


class Database:
    def __init__(
        self,
        connection: aiosqlite.Connection,
        path: Path,
        reader: aiosqlite.Connection | None = None,
    ) -> None:
        self._connection = connection
        self._lock = asyncio.Lock()
        # An in-memory database has no second connection to it: reads share the writer.
        self._reader = reader or connection
        self._read_lock = asyncio.Lock() if reader is not None else self._lock
        self.path = path

    @classmethod
    async def open(cls, path: Path) -> Database:
        if str(path) != ":memory:":
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StorageError(f"cannot create the folder for {path}: {exc}") from None
        try:
            connection = await aiosqlite.connect(str(path), isolation_level=None)
        except sqlite3.Error as exc:
            raise StorageError(f"cannot open database {path}: {exc}") from None
        connection.row_factory = sqlite3.Row
        try:
            # Set before the first table exists, so a new database can give pages back
            # to the file system bit by bit (retention); on an existing one a no-op.
            await connection.execute("PRAGMA auto_vacuum=INCREMENTAL")
            # WAL lets the CLI read while the bot writes; NORMAL sync is safe with WAL.
            await connection.execute("PRAGMA journal_mode=WAL")
            await connection.execute("PRAGMA synchronous=NORMAL")
            await connection.execute("PRAGMA foreign_keys=ON")
            await connection.execute("PRAGMA busy_timeout=5000")
        except sqlite3.DatabaseError as exc:
            await connection.close()
            raise StorageError(f"{path} is not a usable SQLite database: {exc}") from None
        if str(path) == ":memory:":
            return cls(connection, path)
        try:
            reader = await aiosqlite.connect(str(path), isolation_level=None)
            reader.row_factory = sqlite3.Row
            await reader.execute("PRAGMA busy_timeout=5000")
            await reader.execute("PRAGMA foreign_keys=ON")
            await reader.execute("PRAGMA query_only=ON")
        except sqlite3.Error as exc:
            await connection.close()
            raise StorageError(f"cannot open database {path}: {exc}") from None
        return cls(connection, path, reader)

    async def close(self) -> None:
        if self._reader is not self._connection:
            await self._reader.close()
        await self._connection.close()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """BEGIN IMMEDIATE ... COMMIT, rolled back on any exception."""
        async with self._lock:
            await self._begin()
            try:
                yield self._connection
            except BaseException:
                await self._connection.execute("ROLLBACK")
                raise
            else:
                await self._connection.execute("COMMIT")

    async def _begin(self) -> None:
        begun = asyncio.ensure_future(self._connection.execute("BEGIN IMMEDIATE"))
        try:
            await asyncio.shield(begun)
        except asyncio.CancelledError:
            # Cancelled (a shutdown) while aiosqlite's thread runs the BEGIN: it runs
            # on regardless, so once it has, undo it; otherwise the next transaction
            # would fail with "cannot start a transaction within a transaction".
            await asyncio.shield(self._roll_back_after(begun))
            raise

    async def _roll_back_after(self, begun: asyncio.Future[aiosqlite.Cursor]) -> None:
        try:
            await begun
        except Exception:  # the BEGIN failed: no transaction to undo
            return
        await self._connection.execute("ROLLBACK")

    async def fetchall(self, sql: str, params: Params = ()) -> list[sqlite3.Row]:
        """Rows of one read, as of the last commit."""
        async with self._read_lock:
            cursor = await self._reader.execute(sql, params)
            rows = await cursor.fetchall()
            await cursor.close()
        return list(rows)

    async def fetchone(self, sql: str, params: Params = ()) -> sqlite3.Row | None:
        async with self._read_lock:
            cursor = await self._reader.execute(sql, params)
            row = await cursor.fetchone()
            await cursor.close()
        return row

    async def execute(self, sql: str, params: Params = ()) -> int:
        """Run one statement in its own transaction; return the rows changed."""
        async with self.transaction() as connection:
            cursor = await connection.execute(sql, params)
            count = cursor.rowcount
            await cursor.close()
        return count

    async def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        async with self.transaction() as connection:
            await connection.executemany(sql, rows)

    async def backup_into(self, target: Path) -> None:
        """Copy the whole database into the file `target` in one step, from the reading
        connection: one read transaction, so the copy is the database as of one
        commit, and the writer is not held up meanwhile."""
        try:
            copy = sqlite3.connect(target, isolation_level=None, check_same_thread=False)
        except sqlite3.Error as exc:
            raise StorageError(f"cannot create {target}: {exc}") from None
        try:
            async with self._read_lock:
                await self._reader.backup(copy)
        except sqlite3.Error as exc:
            raise StorageError(f"the backup to {target} failed: {exc}") from None
        finally:
            copy.close()

    async def rollback_if_open(self) -> None:
        """Undo a transaction a failed script left open.

        Not via executescript: sqlite3 COMMITs a pending transaction before a script.
        """
        async with self._lock:
            if self._connection.in_transaction:
                await self._connection.execute("ROLLBACK")

    async def executescript(self, script: str) -> None:
        async with self._lock:
            await self._connection.executescript(script)
