"""A write cancelled by a shutdown leaves the database usable for the writes after it."""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot.storage.sqlite.database import Database


async def test_a_transaction_cancelled_while_it_begins_leaves_none_open(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "t.sqlite3")
    try:
        await db.execute("CREATE TABLE t (n INTEGER)")
        for turns in range(1, 6):
            # Cancelled after `turns` turns of the loop: while BEGIN runs in
            # aiosqlite's thread, or a little later.
            write = asyncio.ensure_future(db.execute("INSERT INTO t VALUES (?)", (turns,)))
            for _ in range(turns):
                await asyncio.sleep(0)
            write.cancel()
            await asyncio.gather(write, return_exceptions=True)
            # The next write does not find a transaction left open.
            await db.execute("INSERT INTO t VALUES (0)")
        rows = await db.fetchall("SELECT n FROM t WHERE n = 0")
        assert len(rows) == 5
    finally:
        await db.close()
