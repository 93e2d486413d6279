"""Admin notices about feeds: recorded once per spell, then sent (and retried) until out."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from bot.domain.notice import NoticeKind, StoredNotice
from bot.storage.sqlite.database import Database
from bot.timeutil import from_db, require, to_db
from feeds.redact import redact_text

# Which feed column remembers the open spell a notice kind is about.
_SPELL_COLUMN = {
    "failing": "failure_notified_at",
    "recovered": "failure_notified_at",
    "silent": "silent_notified_at",
    "resumed": "silent_notified_at",
}
_OPENS = {"failing", "silent"}


def _notice(row: sqlite3.Row) -> StoredNotice:
    return StoredNotice(
        id=row["id"],
        feed_id=row["feed_id"],
        kind=row["kind"],
        episode=require(row["episode"]),
        text=row["text"],
        created_at=require(row["created_at"]),
        sent_at=from_db(row["sent_at"]),
        attempts=row["attempts"],
        last_error=row["last_error"],
    )


class NoticeStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def record(
        self, feed_id: int, kind: NoticeKind, episode: datetime, text: str, now: datetime
    ) -> StoredNotice | None:
        """Record a notice and open or close the feed's spell, in one transaction.

        None when this notice was already recorded for this spell: each is sent once.
        """
        column = _SPELL_COLUMN[kind]
        async with self._db.transaction() as connection:
            cursor = await connection.execute(
                "INSERT OR IGNORE INTO feed_notices (feed_id, kind, episode, text, created_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (feed_id, kind, to_db(episode), text, to_db(now)),
            )
            inserted, notice_id = cursor.rowcount, cursor.lastrowid
            await cursor.close()
            spell = to_db(episode) if kind in _OPENS else None
            await connection.execute(
                f"UPDATE feeds SET {column} = ? WHERE id = ?",  # fixed column names, never input
                (spell, feed_id),
            )
        if not inserted:
            return None
        row = await self._db.fetchone("SELECT * FROM feed_notices WHERE id = ?", (notice_id,))
        return _notice(row) if row else None

    async def unsent(self, created_after: datetime, limit: int = 100) -> list[StoredNotice]:
        """Notices some sink still lacks, oldest first; older ones are given up."""
        rows = await self._db.fetchall(
            "SELECT * FROM feed_notices WHERE sent_at IS NULL AND created_at >= ?"
            " ORDER BY id LIMIT ?",
            (to_db(created_after), limit),
        )
        return [_notice(row) for row in rows]

    async def sinks_done(self, notice_id: int) -> set[str]:
        """The sinks that already delivered this notice."""
        rows = await self._db.fetchall(
            "SELECT sink FROM feed_notice_deliveries WHERE notice_id = ?", (notice_id,)
        )
        return {row["sink"] for row in rows}

    async def mark_sink_done(self, notice_id: int, sink: str, now: datetime) -> None:
        await self._db.execute(
            "INSERT OR IGNORE INTO feed_notice_deliveries (notice_id, sink, sent_at)"
            " VALUES (?, ?, ?)",
            (notice_id, sink, to_db(now)),
        )

    async def mark_sent(self, notice_id: int, now: datetime) -> None:
        await self._db.execute(
            "UPDATE feed_notices SET sent_at = ?, attempts = attempts + 1 WHERE id = ?",
            (to_db(now), notice_id),
        )

    async def mark_failed(self, notice_id: int, error: str) -> None:
        await self._db.execute(
            "UPDATE feed_notices SET attempts = attempts + 1, last_error = ? WHERE id = ?",
            (redact_text(error)[:500], notice_id),
        )

    async def for_feed(self, feed_id: int) -> list[StoredNotice]:
        rows = await self._db.fetchall(
            "SELECT * FROM feed_notices WHERE feed_id = ? ORDER BY id", (feed_id,)
        )
        return [_notice(row) for row in rows]

    async def recent(self, limit: int = 50) -> list[StoredNotice]:
        rows = await self._db.fetchall(
            "SELECT * FROM feed_notices ORDER BY id DESC LIMIT ?", (limit,)
        )
        return [_notice(row) for row in rows]
