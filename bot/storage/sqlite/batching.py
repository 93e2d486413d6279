"""One statement written for many callers in one transaction (see bot.group_commit).

When a feed's poll outcome and a thousand others arrive together, they share one
transaction. One bad row must not fail the others: a batch that fails is written
again row by row, and only the bad row's caller sees the error.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from bot.group_commit import GroupCommit
from bot.storage.sqlite.database import Database

logger = logging.getLogger(__name__)

_Params = Sequence[object]


class GroupWrite:
    def __init__(self, db: Database, sql: str) -> None:
        self._db = db
        self._sql = sql
        self._commit: GroupCommit[_Params, Exception | None] = GroupCommit(self._write_batch)

    async def write(self, params: _Params) -> None:
        """Run the statement with `params`; returns once committed (raises if it failed)."""
        error = await self._commit.submit(params)
        if error is not None:
            raise error

    async def aclose(self) -> None:
        """Wait for the rows already queued to be committed (or to fail)."""
        await self._commit.aclose()

    async def _write_batch(self, batch: list[_Params]) -> list[Exception | None]:
        try:
            async with self._db.transaction() as connection:
                await connection.executemany(self._sql, batch)
        except Exception:
            if len(batch) == 1:
                raise
            logger.debug("a batched write failed; retrying its %d rows one by one", len(batch))
            return [await self._write_one(params) for params in batch]
        return [None] * len(batch)

    async def _write_one(self, params: _Params) -> Exception | None:
        try:
            async with self._db.transaction() as connection:
                await connection.execute(self._sql, params)
        except Exception as exc:
            return exc
        return None
