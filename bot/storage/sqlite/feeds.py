"""Feeds and their fetch state."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import datetime

from bot.domain.feed import Arrivals, Feed, FeedHealth
from bot.storage.errors import DuplicateFeedError
from bot.storage.intents import PollFailure, PollOutcome
from bot.storage.sqlite.batching import GroupWrite
from bot.storage.sqlite.database import Database, storable_id
from bot.storage.sqlite.entries import FROM_FIRST_POLL
from bot.timeutil import from_db, require, to_db
from feeds.redact import redact_text

# Entry counts in one pass over the entries index, not one count per feed.
_SELECT = """
SELECT f.*, COALESCE(c.n, 0) AS entry_count
FROM feeds f LEFT JOIN (SELECT feed_id, COUNT(*) AS n FROM entries GROUP BY feed_id) c
ON c.feed_id = f.id
"""


def _feed(row: sqlite3.Row) -> Feed:
    keys = set(row.keys())
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
        entry_count=row["entry_count"] if "entry_count" in keys else 0,
        usual_gap_seconds=row["usual_gap_seconds"],
        newest_entry_at=from_db(row["newest_entry_at"]),
        ttl_seconds=row["ttl_seconds"],
        update_period_seconds=row["update_period_seconds"],
        failure_notified_at=from_db(row["failure_notified_at"]),
        silent_notified_at=from_db(row["silent_notified_at"]),
        reidentified=row["reidentified"],
        proxy=row["proxy"],
    )


_RECORD_SUCCESS = (
    "UPDATE feeds SET last_checked_at = ?, last_success_at = ?, next_check_at = ?,"
    " interval_seconds = ?, etag = ?, last_modified = ?,"
    " title = CASE WHEN ? IS NOT NULL AND title = '' THEN ? ELSE title END,"
    " site_url = COALESCE(?, site_url), lang = COALESCE(lang, ?),"
    " last_new_entry_at = CASE WHEN ? > 0 THEN ? ELSE last_new_entry_at END,"
    " last_error = NULL, last_error_kind = NULL, consecutive_failures = 0,"
    " failing_since = NULL, primed = 1,"
    " primed_at = CASE WHEN primed THEN primed_at ELSE ? END,"
    " usual_gap_seconds = COALESCE(?, usual_gap_seconds),"
    " newest_entry_at = COALESCE(?, newest_entry_at),"
    " ttl_seconds = CASE WHEN ? THEN ? ELSE ttl_seconds END,"
    " update_period_seconds = CASE WHEN ? THEN ? ELSE update_period_seconds END,"
    " reidentified = CASE WHEN ? THEN ? ELSE reidentified END,"
    " url = CASE WHEN ? IS NOT NULL AND NOT EXISTS"
    "   (SELECT 1 FROM feeds other WHERE other.url = ? AND other.id != feeds.id)"
    "   THEN ? ELSE url END"
    " WHERE id = ?"
)
_RECORD_FAILURE = (
    "UPDATE feeds SET last_checked_at = ?, next_check_at = ?, last_error = ?,"
    " last_error_kind = ?, consecutive_failures = consecutive_failures + 1,"
    " failing_since = COALESCE(failing_since, ?) WHERE id = ?"
)


class FeedStore:
    def __init__(self, db: Database) -> None:
        self._db = db
        self._successes = GroupWrite(db, _RECORD_SUCCESS)
        # A network outage fails hundreds of feeds within a second.
        self._failures = GroupWrite(db, _RECORD_FAILURE)

    async def aclose(self) -> None:
        """Let the group-committed writes still queued finish (see Storage.close)."""
        await self._successes.aclose()
        await self._failures.aclose()

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
        next_check_at: datetime | None = None,
        proxy: str | None = None,
    ) -> Feed:
        existing = await self.get_by_url(url)
        if existing is not None:
            raise DuplicateFeedError(url, existing.id)
        first_check = next_check_at or now
        try:
            async with self._db.transaction() as connection:
                cursor = await connection.execute(
                    "INSERT INTO feeds (url, title, lang, country, kind, added_at, added_by,"
                    " backlog_alerts, next_check_at, proxy)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        url,
                        title,
                        lang,
                        country,
                        kind,
                        to_db(now),
                        added_by,
                        backlog_alerts,
                        to_db(first_check),
                        proxy,
                    ),
                )
                feed_id = cursor.lastrowid
        except sqlite3.IntegrityError:
            # Added by someone else between the check and the insert.
            raced = await self.get_by_url(url)
            raise DuplicateFeedError(url, raced.id if raced else 0) from None
        feed = await self.get(int(feed_id or 0))
        assert feed is not None
        return feed

    async def get(self, feed_id: int) -> Feed | None:
        if not storable_id(feed_id):
            return None
        row = await self._db.fetchone(_SELECT + " WHERE f.id = ?", (feed_id,))
        return _feed(row) if row else None

    async def get_by_url(self, url: str) -> Feed | None:
        row = await self._db.fetchone(_SELECT + " WHERE f.url = ?", (url,))
        return _feed(row) if row else None

    async def all(self) -> list[Feed]:
        return [_feed(row) for row in await self._db.fetchall(_SELECT + " ORDER BY f.id")]

    async def health(self, listed: int = 20) -> FeedHealth:
        row = await self._db.fetchone(
            "SELECT COUNT(*) AS n,"
            " SUM(enabled AND consecutive_failures > 0) AS failing,"
            " SUM(enabled AND consecutive_failures = 0 AND last_checked_at IS NULL) AS new,"
            " SUM(NOT enabled) AS disabled FROM feeds"
        )
        total, failing, new, disabled = (
            (
                int(row["n"]),
                int(row["failing"] or 0),
                int(row["new"] or 0),
                int(row["disabled"] or 0),
            )
            if row
            else (0, 0, 0, 0)
        )
        rows = await self._db.fetchall(
            "SELECT f.*, 0 AS entry_count FROM feeds f"
            " WHERE f.enabled AND f.consecutive_failures > 0"
            " ORDER BY f.failing_since, f.id LIMIT ?",
            (listed,),
        )
        return FeedHealth(
            ok=total - failing - new - disabled,
            failing=failing,
            new=new,
            disabled=disabled,
            failing_feeds=tuple(_feed(r) for r in rows),
        )

    async def count(self) -> int:
        row = await self._db.fetchone("SELECT COUNT(*) AS n FROM feeds")
        return int(row["n"]) if row else 0

    async def remove(self, feed_id: int) -> bool:
        if not storable_id(feed_id):
            return False
        return await self._db.execute("DELETE FROM feeds WHERE id = ?", (feed_id,)) > 0

    async def due(self, now: datetime, limit: int = 10_000) -> list[Feed]:
        rows = await self._db.fetchall(
            "SELECT f.*, 0 AS entry_count FROM feeds f"
            " WHERE f.enabled = 1 AND f.next_check_at <= ? ORDER BY f.next_check_at LIMIT ?",
            (to_db(now), limit),
        )
        return [_feed(row) for row in rows]

    async def by_ids(self, feed_ids: Sequence[int]) -> list[Feed]:
        """These feeds (unknown ids skipped, repeats once), in id order."""
        wanted = sorted({i for i in feed_ids if storable_id(i)})
        rows: list[sqlite3.Row] = []
        # SQLite caps bound parameters; 500 per query stays well under it.
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            rows += await self._db.fetchall(
                _SELECT + f" WHERE f.id IN ({','.join('?' * len(chunk))}) ORDER BY f.id",
                chunk,
            )
        return [_feed(row) for row in rows]

    async def watched(self) -> list[Feed]:
        """Enabled feeds an admin notice may concern: failing, or with an open notice,
        or with a known rhythm (they may have gone silent)."""
        rows = await self._db.fetchall(
            "SELECT f.*, 0 AS entry_count FROM feeds f WHERE f.enabled = 1 AND ("
            " f.consecutive_failures > 0 OR f.failure_notified_at IS NOT NULL"
            " OR f.silent_notified_at IS NOT NULL OR f.usual_gap_seconds IS NOT NULL)"
            " ORDER BY f.id"
        )
        return [_feed(row) for row in rows]

    async def set_url(self, feed_id: int, url: str) -> None:
        await self._db.execute("UPDATE feeds SET url = ? WHERE id = ?", (url, feed_id))

    async def record_poll(self, feed_id: int, outcome: PollOutcome) -> None:
        """Record a poll's outcome (group-committed with other feeds' outcomes).

        A permanent redirect moves the feed to `moved_to`, unless another feed already
        has that URL (then the two are the same feed; the operator can remove one).
        """
        if isinstance(outcome, PollFailure):
            await self._failures.write(
                (
                    to_db(outcome.at),
                    to_db(outcome.next_check_at),
                    redact_text(outcome.message)[:500],
                    outcome.kind,
                    to_db(outcome.at),
                    feed_id,
                )
            )
            return
        doc = outcome.document
        has_doc = doc is not None
        now = to_db(outcome.at)
        url = outcome.moved_to
        await self._successes.write(
            (
                now,
                now,
                to_db(outcome.next_check_at),
                outcome.interval_seconds,
                outcome.etag,
                outcome.last_modified,
                doc.title if doc else None,
                doc.title if doc else None,
                doc.site_url if doc else None,
                doc.lang if doc else None,
                doc.new_entries if doc else 0,
                now,
                now,
                doc.usual_gap_seconds if doc else None,
                to_db(doc.newest_entry_at) if doc else None,
                has_doc,
                doc.ttl_seconds if doc else None,
                has_doc,
                doc.update_period_seconds if doc else None,
                has_doc,
                doc.reidentified if doc else 0,
                url,
                url,
                url,
                feed_id,
            )
        )

    async def schedule_now(self, feed_ids: Sequence[int], now: datetime) -> None:
        await self._db.executemany(
            "UPDATE feeds SET next_check_at = ? WHERE id = ?",
            [(to_db(now), feed_id) for feed_id in feed_ids],
        )

    async def arrivals(self, feed_id: int, limit: int = 200) -> Arrivals:
        rows = await self._db.fetchall(
            "SELECT CASE WHEN e.published_at IS NOT NULL AND e.published_at < e.first_seen_at"
            "   THEN e.published_at ELSE e.first_seen_at END AS arrival,"
            f" (e.published_at IS NULL AND {FROM_FIRST_POLL}) AS backlog"
            " FROM entries e WHERE e.feed_id = ? ORDER BY arrival DESC LIMIT ?",
            (feed_id, limit),
        )
        moments = [(require(row["arrival"]), bool(row["backlog"])) for row in rows]
        return Arrivals(
            rhythm=[moment for moment, backlog in moments if not backlog],
            newest=moments[0][0] if moments else None,
        )
