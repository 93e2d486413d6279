"""Entries (deduplicated per feed) and the events detected in them."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.models import Event
from bot.storage.database import Database
from bot.timeutil import require, to_db
from feeds.models import NormalizedEntry


@dataclass(frozen=True)
class StoredEntry:
    id: int
    feed_id: int
    entry: NormalizedEntry


@dataclass(frozen=True)
class EntryChanges:
    new: list[StoredEntry]
    updated: list[StoredEntry]


@dataclass(frozen=True)
class DetectedEvent:
    """The detector's verdict on one entry, as the storage layer records it."""

    categories: tuple[str, ...]
    weak_categories: tuple[str, ...]
    modality: str
    score: float
    severity: str
    explanation: str
    fields: dict[str, str]
    lang: str | None


# 9 parameters a row: 900 per statement stays under SQLite's oldest limit (999).
_ROWS_PER_INSERT = 100


class EntryStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def add(
        self, feed_id: int, entries: Sequence[NormalizedEntry], now: datetime
    ) -> EntryChanges:
        """Insert unseen entries; update edited ones. Same-uid repeats in one batch count once."""
        unique: dict[str, NormalizedEntry] = {}
        for entry in entries:
            unique.setdefault(entry.uid, entry)
        if not unique:
            return EntryChanges([], [])
        new: list[StoredEntry] = []
        updated: list[StoredEntry] = []
        async with self._db.transaction() as connection:
            known: dict[str, tuple[int, str]] = {}
            uids = list(unique)
            # SQLite caps bound parameters; 500 per query stays well under it.
            for start in range(0, len(uids), 500):
                chunk = uids[start : start + 500]
                marks = ",".join("?" * len(chunk))
                cursor = await connection.execute(
                    "SELECT id, uid, content_hash FROM entries"
                    f" WHERE feed_id = ? AND uid IN ({marks})",
                    (feed_id, *chunk),
                )
                for row in await cursor.fetchall():
                    known[row["uid"]] = (row["id"], row["content_hash"])
                await cursor.close()
            edits: list[tuple[object, ...]] = []
            fresh: list[NormalizedEntry] = []
            for uid, entry in unique.items():
                if uid not in known:
                    fresh.append(entry)
                    continue
                entry_id, old_hash = known[uid]
                if old_hash != entry.content_hash:
                    edits.append(
                        (
                            entry.content_hash,
                            entry.title,
                            entry.summary,
                            entry.link,
                            to_db(now),
                            entry_id,
                        )
                    )
                    updated.append(StoredEntry(entry_id, feed_id, entry))
            if edits:
                await connection.executemany(
                    "UPDATE entries SET content_hash = ?, title = ?, summary = ?, link = ?,"
                    " updated_at = ? WHERE id = ?",
                    edits,
                )
            # Many rows per INSERT: each statement is a round trip to the database
            # thread, and a first poll stores a whole feed at once.
            ids: dict[str, int] = {}
            seen_at = to_db(now)
            for start in range(0, len(fresh), _ROWS_PER_INSERT):
                rows = fresh[start : start + _ROWS_PER_INSERT]
                params: list[object] = []
                for entry in rows:
                    params += (
                        feed_id,
                        entry.uid,
                        entry.content_hash,
                        entry.title,
                        entry.summary,
                        entry.link,
                        entry.lang,
                        to_db(entry.published_at),
                        seen_at,
                    )
                cursor = await connection.execute(
                    "INSERT INTO entries (feed_id, uid, content_hash, title, summary, link, lang,"
                    " published_at, first_seen_at) VALUES "
                    + ",".join(["(?, ?, ?, ?, ?, ?, ?, ?, ?)"] * len(rows))
                    + " RETURNING id, uid",
                    params,
                )
                # RETURNING gives rows in no promised order: match them by uid.
                for row in await cursor.fetchall():
                    ids[row["uid"]] = row["id"]
                await cursor.close()
            new = [StoredEntry(ids[entry.uid], feed_id, entry) for entry in fresh]
        return EntryChanges(new, updated)

    async def add_event(self, entry_id: int, event: DetectedEvent, now: datetime) -> int | None:
        """Record an event; None when the entry already had one (an edit never alerts twice)."""
        async with self._db.transaction() as connection:
            cursor = await connection.execute(
                "INSERT OR IGNORE INTO events (entry_id, categories, weak_categories, modality,"
                " score, severity, explanation, fields, lang, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    entry_id,
                    " ".join(event.categories),
                    " ".join(event.weak_categories),
                    event.modality,
                    event.score,
                    event.severity,
                    event.explanation,
                    json.dumps(event.fields, ensure_ascii=False),
                    event.lang,
                    to_db(now),
                ),
            )
            inserted = cursor.rowcount
            event_id = cursor.lastrowid
            await cursor.close()
        return int(event_id or 0) if inserted else None

    async def event(self, event_id: int) -> Event | None:
        row = await self._db.fetchone("SELECT * FROM events WHERE id = ?", (event_id,))
        if row is None:
            return None
        return Event(
            id=row["id"],
            entry_id=row["entry_id"],
            categories=tuple(row["categories"].split()),
            weak_categories=tuple(row["weak_categories"].split()),
            modality=row["modality"],
            score=row["score"],
            severity=row["severity"],
            explanation=row["explanation"],
            fields=json.loads(row["fields"]),
            lang=row["lang"],
            created_at=require(row["created_at"]),
        )

    async def count_events_since(self, since: datetime) -> int:
        row = await self._db.fetchone(
            "SELECT COUNT(*) AS n FROM events WHERE created_at >= ?", (to_db(since),)
        )
        return int(row["n"]) if row else 0
