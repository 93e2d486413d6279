"""The one SQLite connection Tocsin uses, with serialised write transactions.

aiosqlite runs every statement on a single worker thread, so one connection is
shared by the whole process. A lock keeps one coroutine's transaction from
interleaving with another's on that connection.
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
    def __init__(self, connection: aiosqlite.Connection, path: Path) -> None:
        self._connection = connection
        self._lock = asyncio.Lock()
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
            # WAL lets the CLI read while the bot writes; NORMAL sync is safe with WAL.
            await connection.execute("PRAGMA journal_mode=WAL")
            await connection.execute("PRAGMA synchronous=NORMAL")
            await connection.execute("PRAGMA foreign_keys=ON")
            await connection.execute("PRAGMA busy_timeout=5000")
        except sqlite3.DatabaseError as exc:
            await connection.close()
            raise StorageError(f"{path} is not a usable SQLite database: {exc}") from None
        return cls(connection, path)

    async def close(self) -> None:
        await self._connection.close()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """BEGIN IMMEDIATE ... COMMIT, rolled back on any exception."""
        async with self._lock:
            await self._connection.execute("BEGIN IMMEDIATE")
            try:
                yield self._connection
            except BaseException:
                await self._connection.execute("ROLLBACK")
                raise
            else:
                await self._connection.execute("COMMIT")

    async def fetchall(self, sql: str, params: Params = ()) -> list[sqlite3.Row]:
        async with self._lock:
            cursor = await self._connection.execute(sql, params)
            rows = await cursor.fetchall()
            await cursor.close()
        return list(rows)

    async def fetchone(self, sql: str, params: Params = ()) -> sqlite3.Row | None:
        async with self._lock:
            cursor = await self._connection.execute(sql, params)
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
