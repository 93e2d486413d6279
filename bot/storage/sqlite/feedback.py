"""False-alarm presses and missed links, as readers report them."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta

from bot.domain.feedback import (
    FeedbackCounts,
    FlaggedEvent,
    FlagOutcome,
    MissedLink,
    MissedOutcome,
    Reporter,
)
from bot.domain.vocabulary import MODALITIES, categories_of
from bot.storage.sqlite.database import Database, storable_id
from bot.timeutil import require, to_db


class FeedbackStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def flag_false(self, event_id: int, reporter: Reporter, now: datetime) -> FlagOutcome:
        """Count one person's "false alarm" on an event, once."""
        if not storable_id(event_id):
            return "unknown"
        async with self._db.transaction() as connection:
            cursor = await connection.execute("SELECT 1 FROM events WHERE id = ?", (event_id,))
            exists = await cursor.fetchone()
            await cursor.close()
            if exists is None:
                return "unknown"
            cursor = await connection.execute(
                "INSERT OR IGNORE INTO false_alarms (event_id, platform, user_id, chat_id,"
                " created_at) VALUES (?, ?, ?, (SELECT id FROM chats WHERE id = ?), ?)",
                (event_id, reporter.platform, reporter.user_id, reporter.chat_id, to_db(now)),
            )
            inserted = cursor.rowcount
            await cursor.close()
        return "recorded" if inserted else "again"

    async def record_missed(
        self, url: str, reporter: Reporter, now: datetime, *, per_day: int
    ) -> MissedOutcome:
        """Store a link once per person, and at most `per_day` of one person's links
        in the 24 hours before `now`."""
        person = (reporter.platform, reporter.user_id)
        async with self._db.transaction() as connection:
            cursor = await connection.execute(
                "SELECT COUNT(*) AS n, COALESCE(SUM(url = ?), 0) AS same,"
                " COALESCE(SUM(created_at > ?), 0) AS recent"
                " FROM missed_links WHERE platform = ? AND user_id = ?",
                (url, to_db(now - timedelta(days=1)), *person),
            )
            row = await cursor.fetchone()
            await cursor.close()
            if row is not None and int(row["same"]) > 0:
                return "again"
            if row is not None and int(row["recent"]) >= per_day:
                return "limit"
            await connection.execute(
                "INSERT INTO missed_links (url, platform, user_id, chat_id, created_at)"
                " VALUES (?, ?, ?, (SELECT id FROM chats WHERE id = ?), ?)",
                (url, *person, reporter.chat_id, to_db(now)),
            )
        return "recorded"

    async def counts(self, since: datetime) -> FeedbackCounts:
        flags = await self._db.fetchone(
            "SELECT COUNT(*) AS n, COUNT(DISTINCT event_id) AS events FROM false_alarms"
            " WHERE created_at >= ?",
            (to_db(since),),
        )
        missed = await self._db.fetchone(
            "SELECT COUNT(*) AS n FROM missed_links WHERE created_at >= ?", (to_db(since),)
        )
        return FeedbackCounts(
            flags=int(flags["n"]) if flags else 0,
            flagged_events=int(flags["events"]) if flags else 0,
            missed=int(missed["n"]) if missed else 0,
        )

    async def flagged(self, since: datetime) -> list[FlaggedEvent]:
        """Events flagged from `since` on, oldest first, with every flag they have."""
        rows = await self._db.fetchall(
            "SELECT ev.id, en.title, en.summary, en.link, COALESCE(ev.lang, en.lang, '') AS lang,"
            " ev.categories, ev.weak_categories, ev.modality, COUNT(*) AS flags,"
            " MAX(fa.created_at) AS last_at"
            " FROM false_alarms fa JOIN events ev ON ev.id = fa.event_id"
            " JOIN entries en ON en.id = ev.entry_id"
            " GROUP BY ev.id HAVING MAX(fa.created_at) >= ? ORDER BY ev.id",
            (to_db(since),),
        )
        return [_flagged(row) for row in rows]

    async def missed(self, since: datetime, limit: int = 50) -> list[MissedLink]:
        """Missed links from `since` on, newest first."""
        rows = await self._db.fetchall(
            "SELECT url, platform, user_id, chat_id, created_at FROM missed_links"
            " WHERE created_at >= ? ORDER BY id DESC LIMIT ?",
            (to_db(since), limit),
        )
        return [
            MissedLink(
                row["url"],
                Reporter(row["platform"], row["user_id"], row["chat_id"]),
                require(row["created_at"]),
            )
            for row in rows
        ]


def _flagged(row: sqlite3.Row) -> FlaggedEvent:
    modality = row["modality"]
    return FlaggedEvent(
        event_id=row["id"],
        title=row["title"],
        summary=row["summary"],
        link=row["link"],
        lang=row["lang"],
        categories=categories_of(row["categories"].split()),
        weak_categories=categories_of(row["weak_categories"].split()),
        modality=modality if modality in MODALITIES else "none",
        flags=int(row["flags"]),
        last_flagged_at=require(row["last_at"]),
    )
