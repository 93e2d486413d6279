"""Group commit: writes that many coroutines ask for at once, done in one go.

Every database statement is a round trip, and a transaction adds two more. When a
thousand feeds answer 304 within a second, or a fan-out records hundreds of
deliveries, one transaction each costs more than the work itself. A `GroupCommit`
queues each caller's item, and a single flusher hands everything that queued while
the previous batch was being written to one write call. Nothing waits for a timer
unless asked to (`gather_seconds`), so a lone write is not delayed; each caller
returns only once its own item is written, so nothing a caller relies on changes.

The write call is the storage's business (one transaction, all or nothing); when a
batch fails, its items are written again one by one, so that only the caller of a
bad item sees the error. This module knows no database.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

logger = logging.getLogger(__name__)


class GroupCommit(Generic[Item, Result]):
    def __init__(
        self,
        write: Callable[[list[Item]], Awaitable[Sequence[Result]]],
        *,
        gather_seconds: float = 0.0,
    ) -> None:
        self._write = write
        self._gather = gather_seconds
        self._queue: list[tuple[Item, asyncio.Future[Result]]] = []
        self._flusher: asyncio.Task[None] | None = None

    async def submit(self, item: Item) -> Result:
        """Write `item` with whatever else is queued; its result once written.

        A caller that is cancelled stops waiting, but its item stays in the batch:
        cancelling one caller must not cancel its neighbours' write.
        """
        return await asyncio.shield(self.enqueue(item))

    def enqueue(self, item: Item) -> asyncio.Future[Result]:
        """Queue `item` for the next flush; the future holds its result once written."""
        future: asyncio.Future[Result] = asyncio.get_running_loop().create_future()
        self._queue.append((item, future))
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.ensure_future(self._flush())
        return future

    async def aclose(self) -> None:
        """Wait for the items already queued to be written (or to fail).

        Call before closing what the write call uses: an item whose caller was
        cancelled at shutdown is still with the flusher.
        """
        while self._flusher is not None and not self._flusher.done():
            # wait(), not await: the flusher's outcome belongs to its callers, and a
            # closer that is cancelled must not cancel the batch with it.
            await asyncio.wait({self._flusher})

    async def _flush(self) -> None:
        if self._gather > 0:
            await asyncio.sleep(self._gather)
        while self._queue:
            batch, self._queue = self._queue, []
            try:
                await self._write_batch(batch)
            except BaseException:
                # Shut down mid-batch: the callers must not wait forever.
                for _, future in (*batch, *self._queue):
                    if not future.done():
                        future.cancel()
                raise

    async def _write_batch(self, batch: list[tuple[Item, asyncio.Future[Result]]]) -> None:
        try:
            results = await self._write([item for item, _ in batch])
        except Exception as exc:
            if len(batch) == 1:
                _, future = batch[0]
                if not future.done():
                    future.set_exception(exc)
                return
            # One bad item must not fail its neighbours: each is written again on
            # its own, and only the bad one's caller sees the error.
            logger.debug("a batch of %d writes failed; writing them one by one", len(batch))
            for single in batch:
                await self._write_batch([single])
            return
        for (_, future), result in zip(batch, results, strict=True):
            if not future.done():
                future.set_result(result)
