"""Group commit: many coroutines' writes of one statement, committed together.

Every statement is a round trip to aiosqlite's thread, and a transaction is three
(BEGIN, the statement, COMMIT). When a thousand feeds answer 304 within a second,
each recording its own poll in its own transaction costs more than the HTTP did.
A `GroupWrite` queues each caller's parameters, and a single flusher writes all
that queued while the previous batch was being committed, in one transaction.
Each caller still returns only once its own row is committed, so nothing a caller
relies on changes; a batch forms only when writes really arrive together.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from bot.storage.sqlite.database import Database

logger = logging.getLogger(__name__)

_Pending = tuple[Sequence[object], asyncio.Future[None]]


class GroupWrite:
    def __init__(self, db: Database, sql: str) -> None:
        self._db = db
        self._sql = sql
        self._pending: list[_Pending] = []
        self._flusher: asyncio.Task[None] | None = None

    async def write(self, params: Sequence[object]) -> None:
        """Run the statement with `params`; returns once committed (raises if it failed)."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._pending.append((params, future))
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.ensure_future(self._flush())
        # Shielded: a caller that gives up must not cancel its neighbours' batch.
        await asyncio.shield(future)

    async def aclose(self) -> None:
        """Wait for the rows already queued to be committed (or to fail).

        Call before closing the connection: a caller cancelled at shutdown leaves its
        row with the flusher, which must not find the connection closed under it.
        """
        while self._flusher is not None and not self._flusher.done():
            # wait(), not await: the flusher's own outcome was handed to its callers,
            # and a closer that is cancelled must not cancel the batch with it.
            await asyncio.wait({self._flusher})

    async def _flush(self) -> None:
        while self._pending:
            batch, self._pending = self._pending, []
            try:
                await self._write_batch(batch)
            except Exception as exc:
                for _, future in batch:
                    if not future.done():
                        future.set_exception(exc)
            except BaseException:
                # Shut down mid-batch: the callers must not wait forever.
                for _, future in (*batch, *self._pending):
                    future.cancel()
                raise

    async def _write_batch(self, batch: list[_Pending]) -> None:
        try:
            async with self._db.transaction() as connection:
                await connection.executemany(self._sql, [params for params, _ in batch])
        except Exception:
            if len(batch) == 1:
                raise
            # One bad row must not fail the others: find it by writing them one by one.
            logger.debug("a batched write failed; retrying its %d rows one by one", len(batch))
            for params, future in batch:
                try:
                    async with self._db.transaction() as connection:
                        await connection.execute(self._sql, params)
                except Exception as exc:
                    future.set_exception(exc)
                else:
                    future.set_result(None)
            return
        for _, future in batch:
            future.set_result(None)
