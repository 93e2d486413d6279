"""Feeds and their fetch state."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import datetime

from bot.models import Feed
from bot.storage.database import Database, StorageError
from bot.timeutil import from_db, require, to_db


class DuplicateFeedError(StorageError):
    def __init__(self, url: str, feed_id: int) -> None:
        super().__init__(f"feed {url} is already added (id {feed_id})")
        self.url = url
        self.feed_id = feed_id


_SELECT = """
SELECT f.*, (SELECT COUNT(*) FROM entries e WHERE e.feed_id = f.id) AS entry_count
FROM feeds f
"""


def _feed(row: sqlite3.Row) -> Feed:
    return Feed(
        id=row["id"],
        url=row["url"],
        title=row["title"],
        site_url=row["site_url"],
        lang=row["lang"],
        country=row["country"],
        kind=row["kind"],
        enabled=bool(row["enabled"]),
        added_at=require(row["added_at"]),
        backlog_alerts=row["backlog_alerts"],
        etag=row["etag"],
        last_modified=row["last_modified"],
        next_check_at=require(row["next_check_at"]),
        interval_seconds=row["interval_seconds"],
        last_checked_at=from_db(row["last_checked_at"]),
        last_success_at=from_db(row["last_success_at"]),
        last_new_entry_at=from_db(row["last_new_entry_at"]),
        last_error=row["last_error"],
        last_error_kind=row["last_error_kind"],
        consecutive_failures=row["consecutive_failures"],
        failing_since=from_db(row["failing_since"]),
        primed=bool(row["primed"]),
        entry_count=row["entry_count"] if "entry_count" in row.keys() else 0,  # noqa: SIM118
    )


class FeedStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def add(
        self,
        url: str,
        *,
        now: datetime,
        title: str = "",
        lang: str | None = None,
        country: str | None = None,
        kind: str = "news",
        added_by: str | None = None,
        backlog_alerts: int | None = None,
    ) -> Feed:
        existing = await self.get_by_url(url)
        if existing is not None:
            raise DuplicateFeedError(url, existing.id)
        async with self._db.transaction() as connection:
            cursor = await connection.execute(
                "INSERT INTO feeds (url, title, lang, country, kind, added_at, added_by,"
                " backlog_alerts, next_check_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (url, title, lang, country, kind, to_db(now), added_by, backlog_alerts, to_db(now)),
            )
            feed_id = cursor.lastrowid
        feed = await self.get(int(feed_id or 0))
        assert feed is not None
        return feed

    async def get(self, feed_id: int) -> Feed | None:
        row = await self._db.fetchone(_SELECT + " WHERE f.id = ?", (feed_id,))
        return _feed(row) if row else None

    async def get_by_url(self, url: str) -> Feed | None:
        row = await self._db.fetchone(_SELECT + " WHERE f.url = ?", (url,))
        return _feed(row) if row else None

    async def all(self) -> list[Feed]:
        return [_feed(row) for row in await self._db.fetchall(_SELECT + " ORDER BY f.id")]

    async def remove(self, feed_id: int) -> bool:
        return await self._db.execute("DELETE FROM feeds WHERE id = ?", (feed_id,)) > 0

    async def due(self, now: datetime, limit: int = 10_000) -> list[Feed]:
        rows = await self._db.fetchall(
            "SELECT f.*, 0 AS entry_count FROM feeds f"
            " WHERE f.enabled = 1 AND f.next_check_at <= ? ORDER BY f.next_check_at LIMIT ?",
            (to_db(now), limit),
        )
        return [_feed(row) for row in rows]

    async def by_ids(self, feed_ids: Sequence[int]) -> list[Feed]:
        wanted = set(feed_ids)
        return [feed for feed in await self.all() if feed.id in wanted]

    async def set_url(self, feed_id: int, url: str) -> None:
        await self._db.execute("UPDATE feeds SET url = ? WHERE id = ?", (url, feed_id))

    async def record_success(
        self,
        feed_id: int,
        *,
        now: datetime,
        next_check_at: datetime,
        interval_seconds: int,
        etag: str | None,
        last_modified: str | None,
        title: str | None = None,
        site_url: str | None = None,
        new_entries: int = 0,
        url: str | None = None,
    ) -> None:
        async with self._db.transaction() as connection:
            await connection.execute(
                "UPDATE feeds SET last_checked_at = ?, last_success_at = ?, next_check_at = ?,"
                " interval_seconds = ?, etag = ?, last_modified = ?,"
                " title = CASE WHEN ? IS NOT NULL AND title = '' THEN ? ELSE title END,"
                " site_url = COALESCE(?, site_url),"
                " last_new_entry_at = CASE WHEN ? > 0 THEN ? ELSE last_new_entry_at END,"
                " last_error = NULL, last_error_kind = NULL, consecutive_failures = 0,"
                " failing_since = NULL, primed = 1, url = COALESCE(?, url)"
                " WHERE id = ?",
                (
                    to_db(now),
                    to_db(now),
                    to_db(next_check_at),
                    interval_seconds,
                    etag,
                    last_modified,
                    title,
                    title,
                    site_url,
                    new_entries,
                    to_db(now),
                    url,
                    feed_id,
                ),
            )

    async def record_failure(
        self,
        feed_id: int,
        *,
        now: datetime,
        next_check_at: datetime,
        kind: str,
        message: str,
    ) -> None:
        await self._db.execute(
            "UPDATE feeds SET last_checked_at = ?, next_check_at = ?, last_error = ?,"
            " last_error_kind = ?, consecutive_failures = consecutive_failures + 1,"
            " failing_since = COALESCE(failing_since, ?) WHERE id = ?",
            (to_db(now), to_db(next_check_at), message[:500], kind, to_db(now), feed_id),
        )

    async def schedule_now(self, feed_ids: Sequence[int], now: datetime) -> None:
        await self._db.executemany(
            "UPDATE feeds SET next_check_at = ? WHERE id = ?",
            [(to_db(now), feed_id) for feed_id in feed_ids],
        )
