"""Entries (deduplicated per feed), the events detected in them and the alerts they queue."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from datetime import datetime

import aiosqlite

from bot.domain.detection import Clause, Detection, clause_from_json
from bot.domain.event import Event
from bot.domain.vocabulary import categories_of
from bot.storage.intents import IngestBatch, IngestResult, KnownEntry, Verdict
from bot.storage.sqlite.database import Database
from bot.storage.sqlite.stories import check_and_stamp, write_story
from bot.timeutil import require, to_db

# 10 parameters a row: 900 per statement stays under SQLite's oldest limit (999).
_ROWS_PER_INSERT = 90
# Bound parameters per IN (...) list.
_CHUNK = 400

# Whether entry `e` came with its feed's first poll: the backlog, stored without
# alerting. `<=`, not `=`: the feed is marked primed just after its first entries
# are stored; and until it is primed, every entry it has is from that first poll.
# (Not "the oldest first_seen_at": a first poll that found nothing would make the
# second poll's entries, which did alert, look like backlog.)
FROM_FIRST_POLL = (
    "(SELECT CASE WHEN p.primed THEN e.first_seen_at <= p.primed_at ELSE 1 END"
    " FROM feeds p WHERE p.id = e.feed_id)"
)


def _chunks(values: Sequence[str]) -> Iterable[Sequence[str]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]


def _detection(row: sqlite3.Row) -> Detection:
    return Detection(
        categories=categories_of(row["categories"].split()),
        weak_categories=categories_of(row["weak_categories"].split()),
        modality=row["modality"],
        score=row["score"],
        severity=row["severity"],
        explanation=row["explanation"],
        spans=(),
        fields=json.loads(row["fields"]),
        lang=row["lang"] or "",
        entities=tuple(json.loads(row["entities"])),
        clauses=clauses_from(row["clauses"]),
    )


def clauses_from(stored: str) -> tuple[Clause, ...]:
    found = (clause_from_json(item) for item in json.loads(stored) if isinstance(item, dict))
    return tuple(c for c in found if c is not None)


class EntryStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def known(self, feed_id: int, uids: Sequence[str]) -> dict[str, KnownEntry]:
        """The feed's entries with these ids, by id."""
        found: dict[str, KnownEntry] = {}
        for chunk in _chunks(sorted(set(uids))):
            rows = await self._db.fetchall(
                f"SELECT e.id, e.uid, e.content_hash,"
                f" ({FROM_FIRST_POLL} OR e.pruned_at IS NOT NULL) AS baseline"
                f" FROM entries e WHERE e.feed_id = ? AND e.uid IN ({','.join('?' * len(chunk))})",
                (feed_id, *chunk),
            )
            for row in rows:
                found[row["uid"]] = KnownEntry(
                    row["id"], row["uid"], row["content_hash"], bool(row["baseline"])
                )
        return found

    async def texts_seen(
        self, feed_id: int, text_hashes: Sequence[str], content_hashes: Sequence[str]
    ) -> set[str]:
        """Which of these text or content hashes the feed already has (under any id)."""
        seen: set[str] = set()
        for column, values in (("text_hash", text_hashes), ("content_hash", content_hashes)):
            for chunk in _chunks(sorted(set(values))):
                rows = await self._db.fetchall(
                    f"SELECT DISTINCT {column} AS h FROM entries"  # a fixed name, never input
                    f" WHERE feed_id = ? AND {column} IN ({','.join('?' * len(chunk))})",
                    (feed_id, *chunk),
                )
                seen.update(row["h"] for row in rows)
        return seen

    async def record(self, batch: IngestBatch, now: datetime) -> IngestResult:
        """Store a poll's new and edited entries, their events and their outbox rows in
        one transaction (see IngestBatch). An entry another process stored meanwhile
        is left as it is, with no second event."""
        if not batch.new and not batch.edited:
            return IngestResult(0, 0, 0)
        seen_at = to_db(now) or ""
        events = alerts = 0
        async with self._db.transaction() as connection:
            if batch.stories_stamp is not None:
                await check_and_stamp(connection, batch.stories_stamp)
            ids = await self._insert_new(connection, batch, seen_at)
            if batch.edited:
                await connection.executemany(
                    # A pruned entry keeps no words, even when its feed edits it.
                    "UPDATE entries SET content_hash = ?, text_hash = ?,"
                    " title = iif(pruned_at IS NULL, ?, ''),"
                    " summary = iif(pruned_at IS NULL, ?, ''),"
                    " link = iif(pruned_at IS NULL, ?, NULL), updated_at = ? WHERE id = ?",
                    [
                        (
                            e.item.content_hash,
                            e.text_hash,
                            e.item.title,
                            e.item.summary,
                            e.item.link,
                            seen_at,
                            e.entry_id,
                        )
                        for e in batch.edited
                    ],
                )
            verdicts: list[tuple[int, Verdict]] = [
                (ids[n.item.uid], n.verdict)
                for n in batch.new
                if n.verdict is not None and n.item.uid in ids
            ]
            verdicts += [(e.entry_id, e.verdict) for e in batch.edited if e.verdict is not None]
            for entry_id, verdict in verdicts:
                event_id = await _insert_event(connection, entry_id, verdict.detection, seen_at)
                if event_id is not None:
                    events += 1
                    alerts += await _enqueue(connection, event_id, verdict.chat_ids, seen_at)
                if verdict.story is not None:
                    # An edited entry keeps its event; its story still moves on.
                    alerts += await write_story(connection, verdict.story, entry_id, event_id, now)
        return IngestResult(len(ids), events, alerts)

    async def _insert_new(
        self, connection: aiosqlite.Connection, batch: IngestBatch, seen_at: str
    ) -> dict[str, int]:
        """Insert the new entries, many rows per statement (each is a round trip to
        the database thread, and a first poll stores a whole feed); ids by uid."""
        ids: dict[str, int] = {}
        for start in range(0, len(batch.new), _ROWS_PER_INSERT):
            rows = batch.new[start : start + _ROWS_PER_INSERT]
            params: list[object] = []
            for new in rows:
                item = new.item
                params += (
                    batch.feed_id,
                    item.uid,
                    item.content_hash,
                    new.text_hash,
                    item.title,
                    item.summary,
                    item.link,
                    item.lang,
                    to_db(item.published_at),
                    seen_at,
                )
            cursor = await connection.execute(
                "INSERT OR IGNORE INTO entries (feed_id, uid, content_hash, text_hash, title,"
                " summary, link, lang, published_at, first_seen_at) VALUES "
                + ",".join(["(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"] * len(rows))
                + " RETURNING id, uid",
                params,
            )
            # RETURNING gives rows in no promised order: match them by uid.
            for row in await cursor.fetchall():
                ids[row["uid"]] = row["id"]
            await cursor.close()
        return ids

    async def event(self, event_id: int) -> Event | None:
        row = await self._db.fetchone("SELECT * FROM events WHERE id = ?", (event_id,))
        if row is None:
            return None
        return Event(
            id=row["id"],
            entry_id=row["entry_id"],
            detection=_detection(row),
            created_at=require(row["created_at"]),
        )

    async def count_events_since(self, since: datetime) -> int:
        row = await self._db.fetchone(
            "SELECT COUNT(*) AS n FROM events WHERE created_at >= ?", (to_db(since),)
        )
        return int(row["n"]) if row else 0


async def _insert_event(
    connection: aiosqlite.Connection, entry_id: int, detection: Detection, now: str
) -> int | None:
    """The new event's id; None when the entry already had one."""
    cursor = await connection.execute(
        "INSERT OR IGNORE INTO events (entry_id, categories, weak_categories, modality,"
        " score, severity, explanation, fields, lang, created_at, clauses, entities)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            entry_id,
            " ".join(detection.categories),
            " ".join(detection.weak_categories),
            detection.modality,
            detection.score,
            detection.severity,
            detection.explanation,
            json.dumps(dict(detection.fields), ensure_ascii=False),
            detection.lang or None,
            now,
            json.dumps([c.to_json() for c in detection.clauses], ensure_ascii=False),
            json.dumps(list(detection.entities)),
        ),
    )
    inserted, event_id = cursor.rowcount, cursor.lastrowid
    await cursor.close()
    return int(event_id or 0) if inserted else None


async def _enqueue(
    connection: aiosqlite.Connection, event_id: int, chat_ids: Sequence[int], now: str
) -> int:
    if not chat_ids:
        return 0
    before = connection.total_changes
    await connection.executemany(
        "INSERT OR IGNORE INTO outbox (event_id, chat_id, next_attempt_at, created_at)"
        " VALUES (?, ?, ?, ?)",
        [(event_id, chat_id, now, now) for chat_id in chat_ids],
    )
    return connection.total_changes - before
