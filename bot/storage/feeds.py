"""Feeds and their fetch state."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.models import Feed
from bot.storage.batching import GroupWrite
from bot.storage.database import Database, StorageError, storable_id
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
# Whether entry `e` came with its feed's first poll: the backlog, stored without
# alerting. `<=`, not `=`: the feed is marked primed just after its first entries
# are stored; and until it is primed, every entry it has is from that first poll.
# (Not "the oldest first_seen_at": a first poll that found nothing would make the
# second poll's entries, which did alert, look like backlog.)
_FROM_FIRST_POLL = (
    "(SELECT CASE WHEN p.primed THEN e.first_seen_at <= p.primed_at ELSE 1 END"
    " FROM feeds p WHERE p.id = e.feed_id)"
)


@dataclass(frozen=True)
class Arrivals:
    """When a feed's entries appeared, for working out its rhythm.

    An entry "arrives" at its published time, or when Tocsin first saw it if that is
    earlier (a future date is a publisher's mistake) or if it has no date. Undated
    entries found by the very first poll arrived at some unknown earlier time: they
    count for `newest` but not for the rhythm.
    """

    rhythm: list[datetime]
    newest: datetime | None


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
    ) -> Feed:
        existing = await self.get_by_url(url)
        if existing is not None:
            raise DuplicateFeedError(url, existing.id)
        first_check = next_check_at or now
        try:
            async with self._db.transaction() as connection:
                cursor = await connection.execute(
                    "INSERT INTO feeds (url, title, lang, country, kind, added_at, added_by,"
                    " backlog_alerts, next_check_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
        lang: str | None = None,
        new_entries: int = 0,
        url: str | None = None,
        usual_gap_seconds: int | None = None,
        newest_entry_at: datetime | None = None,
        ttl_seconds: int | None = None,
        update_period_seconds: int | None = None,
        document: bool = True,
    ) -> None:
        """Record a successful poll. `document=False` for a 304: the document's own
        hints (ttl, update period) are then kept rather than cleared.

        A permanent redirect moves the feed to `url`, unless another feed already
        has that URL (then the two are the same feed; the operator can remove one).
        """
        await self._successes.write(
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
                lang,
                new_entries,
                to_db(now),
                to_db(now),
                usual_gap_seconds,
                to_db(newest_entry_at),
                document,
                ttl_seconds,
                document,
                update_period_seconds,
                url,
                url,
                url,
                feed_id,
            )
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
        await self._failures.write(
            (to_db(now), to_db(next_check_at), message[:500], kind, to_db(now), feed_id)
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
            f" (e.published_at IS NULL AND {_FROM_FIRST_POLL}) AS backlog"
            " FROM entries e WHERE e.feed_id = ? ORDER BY arrival DESC LIMIT ?",
            (feed_id, limit),
        )
        moments = [(require(row["arrival"]), bool(row["backlog"])) for row in rows]
        return Arrivals(
            rhythm=[moment for moment, backlog in moments if not backlog],
            newest=moments[0][0] if moments else None,
        )

    async def set_failure_notified(self, feed_id: int, episode: datetime | None) -> None:
        """The failing spell an admin was told about (None once its end was told)."""
        await self._db.execute(
            "UPDATE feeds SET failure_notified_at = ? WHERE id = ?", (to_db(episode), feed_id)
        )

    async def set_silent_notified(self, feed_id: int, episode: datetime | None) -> None:
        """The silent spell an admin was told about (None once its end was told)."""
        await self._db.execute(
            "UPDATE feeds SET silent_notified_at = ? WHERE id = ?", (to_db(episode), feed_id)
        )

    async def repeated_content(self, feed_id: int, fresh: Sequence[tuple[int, str]]) -> set[int]:
        """Of these just-stored (entry id, content hash) pairs, the ids whose exact
        content the feed already had under another identity (a republished entry).

        Pass every entry the batch added: content shared only inside the batch is not
        a republication (the caller keeps one entry per content itself)."""
        if not fresh:
            return set()
        ids = [entry_id for entry_id, _ in fresh]
        hashes = sorted({content for _, content in fresh})
        found: set[str] = set()
        for start in range(0, len(hashes), 400):
            chunk = hashes[start : start + 400]
            rows = await self._db.fetchall(
                f"SELECT content_hash FROM entries WHERE feed_id = ?"
                f" AND content_hash IN ({','.join('?' * len(chunk))})"
                f" AND id NOT IN ({','.join('?' * len(ids))})",
                (feed_id, *chunk, *ids),
            )
            found.update(row["content_hash"] for row in rows)
        return {entry_id for entry_id, content in fresh if content in found}

    async def baseline_entries(self, feed_id: int, entry_ids: Sequence[int]) -> set[int]:
        """Of these entry ids, the ones the feed's first poll found: its backlog.

        They were old news when Tocsin first saw them and never classified, so an edit
        (a site re-rendering its summaries) must not turn them into alerts.
        """
        if not entry_ids:
            return set()
        found: set[int] = set()
        for start in range(0, len(entry_ids), 400):
            chunk = list(entry_ids[start : start + 400])
            rows = await self._db.fetchall(
                f"SELECT e.id FROM entries e WHERE e.feed_id = ?"
                f" AND e.id IN ({','.join('?' * len(chunk))}) AND {_FROM_FIRST_POLL}",
                (feed_id, *chunk),
            )
            found.update(int(row["id"]) for row in rows)
        return found
