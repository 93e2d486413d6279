"""One statement written for many callers in one transaction (see bot.group_commit).

When a feed's poll outcome and a thousand others arrive together, they share one
transaction. One bad row must not fail the others: `GroupCommit` writes a batch
that fails again row by row, and only the bad row's caller sees the error.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.group_commit import GroupCommit
from bot.storage.sqlite.database import Database

_Params = Sequence[object]


class GroupWrite:
    def __init__(self, db: Database, sql: str) -> None:
        self._db = db
        self._sql = sql
        self._commit: GroupCommit[_Params, None] = GroupCommit(self._write_batch)

    async def write(self, params: _Params) -> None:
        """Run the statement with `params`; returns once committed (raises if it failed)."""
        await self._commit.submit(params)

    async def aclose(self) -> None:
        """Wait for the rows already queued to be committed (or to fail)."""
        await self._commit.aclose()

    async def _write_batch(self, batch: list[_Params]) -> list[None]:
        async with self._db.transaction() as connection:
            await connection.executemany(self._sql, batch)
        return [None] * len(batch)
