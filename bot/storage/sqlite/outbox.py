"""The delivery outbox: one row per (event, chat), worked through by the sender.

A row moves pending -> sending -> delivered (or back to pending with a later
`next_attempt_at`, or to failed). The UNIQUE(event_id, chat_id) constraint is what
makes fan-out idempotent: enqueuing the same event twice adds nothing.

The delivery loop reads due rows with `lease_due` (which changes nothing: the rows
stay 'pending' while they wait in memory for their turn under the rate limits) and
marks each one 'sending' with `begin_send_many` only right before its request
leaves. So after a crash the only rows in doubt are those whose request was in
flight. What became of a row is written with `record`, as intents
(`bot.storage.intents.DeliveryOutcome`): many rows' outcomes in one transaction.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Collection, Iterable, Sequence
from datetime import datetime
from typing import assert_never

import aiosqlite

from bot.domain.alert import Alert, MessageKind
from bot.storage import intents
from bot.storage.sqlite.chats import _chat, deactivate_chat, migrate_chat
from bot.storage.sqlite.database import Database
from bot.storage.sqlite.entries import clauses_from
from bot.stories.codec import story_from_dict
from bot.stories.records import EscalationKind
from bot.timeutil import from_db, to_db
from feeds.redact import redact_text, redact_url

_ALERT_COLUMNS = (
    "SELECT o.id AS outbox_id, o.attempts, o.event_id, ev.categories, ev.weak_categories,"
    " ev.severity,"
    " ev.explanation, ev.fields, ev.clauses, en.title AS entry_title, en.summary, en.link,"
    " en.published_at, en.lang AS entry_lang, f.title AS feed_title, f.url AS feed_url,"
    " o.kind AS message_kind, o.note, st.data AS story_data, st.place_names,"
    " sm.platform_message_id AS story_message_id, sm.version AS shown_version,"
    " c.* FROM outbox o"
    " JOIN events ev ON ev.id = o.event_id"
    " JOIN entries en ON en.id = ev.entry_id"
    " JOIN feeds f ON f.id = en.feed_id"
    " JOIN chats c ON c.id = o.chat_id"
    " LEFT JOIN stories st ON st.id = o.story_id"
    " LEFT JOIN story_messages sm ON sm.story_id = o.story_id AND sm.chat_id = o.chat_id"
)


def _alert(row: sqlite3.Row) -> Alert:
    return Alert(
        outbox_id=row["outbox_id"],
        event_id=row["event_id"],
        chat=_chat(row),
        categories=tuple(row["categories"].split()),
        severity=row["severity"],
        explanation=row["explanation"],
        fields=json.loads(row["fields"]),
        title=row["entry_title"],
        summary=row["summary"],
        link=row["link"],
        published_at=from_db(row["published_at"]),
        # An alert is read by people: the feed's URL as they may see it.
        feed_title=row["feed_title"] or redact_url(row["feed_url"]),
        feed_url=redact_url(row["feed_url"]),
        entry_lang=row["entry_lang"],
        attempts=row["attempts"],
        clauses=clauses_from(row["clauses"]),
        weak_categories=tuple(row["weak_categories"].split()),
        kind=_kind(row["message_kind"]),
        story=story_from_dict(json.loads(row["story_data"])) if row["story_data"] else None,
        message_id=row["story_message_id"],
        shown_version=row["shown_version"],
        escalations=escalations_of(row["note"].split()),
        place_names=json.loads(row["place_names"]) if row["place_names"] else {},
    )


_ESCALATIONS: dict[str, EscalationKind] = {
    "category": "category",
    "detained": "detained",
    "court": "court",
}


def escalations_of(words: list[str]) -> tuple[EscalationKind, ...]:
    return tuple(_ESCALATIONS[w] for w in words if w in _ESCALATIONS)


def _kind(value: str) -> MessageKind:
    return "edit" if value == "edit" else "reply" if value == "reply" else "send"


class OutboxStore:
    """Every error text is stored redacted (`feeds.redact`): a platform library's error
    may quote the request URL, and a Bot API URL holds the bot's token."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def enqueue(self, event_id: int, chat_ids: Iterable[int], now: datetime) -> int:
        rows = [(event_id, chat_id, to_db(now), to_db(now)) for chat_id in chat_ids]
        if not rows:
            return 0
        async with self._db.transaction() as connection:
            before = connection.total_changes
            await connection.executemany(
                "INSERT OR IGNORE INTO outbox (event_id, chat_id, next_attempt_at, created_at)"
                " VALUES (?, ?, ?, ?)",
                rows,
            )
            added = connection.total_changes - before
        return added

    async def lease_due(
        self,
        now: datetime,
        platforms: Sequence[str],
        limit: int = 100,
        exclude: Collection[int] = (),
    ) -> list[Alert]:
        """Up to `limit` due rows of active chats, oldest first, without changing them.

        `exclude` holds the ids the caller already has in hand. Nothing is written:
        a row read here and never sent is simply still 'pending' after a crash.
        """
        if not platforms or limit <= 0:
            return []
        marks = ",".join("?" * len(platforms))
        held = list(exclude)
        not_held = f" AND o.id NOT IN ({','.join('?' * len(held))})" if held else ""
        rows = await self._db.fetchall(
            _ALERT_COLUMNS + " WHERE o.status = 'pending' AND o.next_attempt_at <= ?"
            f" AND c.platform IN ({marks}) AND c.active = 1{not_held}"
            # An edit or a reply waits for the story's message to exist.
            " AND (o.kind = 'send' OR sm.platform_message_id IS NOT NULL)"
            " ORDER BY o.next_attempt_at, o.id LIMIT ?",
            (to_db(now), *platforms, *held, limit),
        )
        return [_alert(row) for row in rows]

    async def begin_send_many(self, outbox_ids: Sequence[int]) -> set[int]:
        """`begin_send` for many rows in one transaction; returns the ids that may be sent."""
        started: set[int] = set()
        if not outbox_ids:
            return started
        async with self._db.transaction() as connection:
            for start in range(0, len(outbox_ids), 500):
                chunk = list(outbox_ids[start : start + 500])
                marks = ",".join("?" * len(chunk))
                cursor = await connection.execute(
                    "UPDATE outbox SET status = 'sending', attempts = attempts + 1"
                    f" WHERE status = 'pending' AND id IN ({marks}) RETURNING id",
                    chunk,
                )
                started.update(int(row[0]) for row in await cursor.fetchall())
                await cursor.close()
        return started

    async def record(self, outcomes: Sequence[intents.DeliveryOutcome]) -> None:
        """Write what became of outbox rows (and what it means for their chats), in
        order, in one transaction: all of it or none."""
        if not outcomes:
            return
        async with self._db.transaction() as connection:
            # Deliveries in a row (a fan-out's usual batch) go as one statement: a
            # statement each is a round trip to the database thread each.
            delivered: list[tuple[str | None, str | None, int]] = []
            for outcome in outcomes:
                if isinstance(outcome, intents.Delivered):
                    delivered.append((to_db(outcome.at), outcome.message_id, outcome.outbox_id))
                    continue
                await _mark_delivered(connection, delivered)
                delivered = []
                await _apply(connection, outcome)
            await _mark_delivered(connection, delivered)

    async def fail_older_than(self, created_before: datetime, error: str) -> int:
        """Give up on pending rows queued before `created_before`; returns how many."""
        return await self._db.execute(
            "UPDATE outbox SET status = 'failed', last_error = ?"
            " WHERE status = 'pending' AND created_at < ?",
            (redact_text(error)[:500], to_db(created_before)),
        )

    async def get_status(self, outbox_id: int) -> tuple[str, int] | None:
        """(status, attempts) of one row, for reports and tests."""
        row = await self._db.fetchone(
            "SELECT status, attempts FROM outbox WHERE id = ?", (outbox_id,)
        )
        return (row["status"], int(row["attempts"])) if row else None

    async def recover_inflight(self) -> int:
        """After a crash, rows left 'sending' go back to the queue.

        The process died between claiming a row and recording the platform's answer,
        so Tocsin cannot know whether the message left. It resends: a rare duplicate
        is better for a monitor than a silently lost alert.
        """
        return await self._db.execute(
            "UPDATE outbox SET status = 'pending' WHERE status = 'sending'"
        )

    async def counts(self) -> dict[str, int]:
        """Rows by status, each an index range; 'delivered' rows are counted too, which
        is the costly part once millions are kept (see delivered_since for a window)."""
        counts: dict[str, int] = {}
        for status in ("pending", "sending", "failed", "delivered"):
            row = await self._db.fetchone(
                "SELECT COUNT(*) AS n FROM outbox WHERE status = ?", (status,)
            )
            if row and row["n"]:
                counts[status] = int(row["n"])
        return counts

    async def open_counts(self) -> dict[str, int]:
        """Rows waiting, being sent and given up: what a queue's health is about."""
        rows = await self._db.fetchall(
            "SELECT status, COUNT(*) AS n FROM outbox"
            " WHERE status IN ('pending', 'sending', 'failed') GROUP BY status"
        )
        return {row["status"]: int(row["n"]) for row in rows}

    async def open_counts_by_platform(self) -> dict[tuple[str, str], int]:
        """`open_counts` split by the chats' platform: {(status, platform): rows}."""
        rows = await self._db.fetchall(
            "SELECT o.status, c.platform, COUNT(*) AS n FROM outbox o"
            " JOIN chats c ON c.id = o.chat_id"
            " WHERE o.status IN ('pending', 'sending', 'failed') GROUP BY o.status, c.platform"
        )
        return {(row["status"], row["platform"]): int(row["n"]) for row in rows}

    async def delivered_since(self, since: datetime) -> int:
        row = await self._db.fetchone(
            "SELECT COUNT(*) AS n FROM outbox WHERE status = 'delivered' AND delivered_at >= ?",
            (to_db(since),),
        )
        return int(row["n"]) if row else 0


def _error(text: str) -> str:
    return redact_text(text)[:500]


async def _mark_delivered(
    connection: aiosqlite.Connection, rows: Sequence[tuple[str | None, str | None, int]]
) -> None:
    """Rows delivered: (when, platform message id, outbox id) each."""
    if rows:
        await connection.executemany(
            "UPDATE outbox SET status = 'delivered', delivered_at = ?,"
            " platform_message_id = ?, last_error = NULL WHERE id = ?",
            rows,
        )


async def _apply(connection: aiosqlite.Connection, outcome: intents.DeliveryOutcome) -> None:
    match outcome:
        case intents.Delivered(outbox_id, at, message_id):
            await _mark_delivered(connection, [(to_db(at), message_id, outbox_id)])
        case intents.StoryShown():
            await _story_shown(connection, outcome)
        case intents.RetryLater(outbox_id, at, error):
            await connection.execute(
                "UPDATE outbox SET status = 'pending', next_attempt_at = ?, last_error = ?"
                " WHERE id = ?",
                (to_db(at), _error(error), outbox_id),
            )
        case intents.Requeued(outbox_id, at, error):
            await connection.execute(
                "UPDATE outbox SET status = 'pending', next_attempt_at = ?, last_error = ?,"
                " attempts = MAX(attempts - 1, 0) WHERE id = ? AND status = 'sending'",
                (to_db(at), _error(error), outbox_id),
            )
        case intents.Failed(outbox_id, error):
            await connection.execute(
                "UPDATE outbox SET status = 'failed', last_error = ? WHERE id = ?",
                (_error(error), outbox_id),
            )
        case intents.StoryMessageGone():
            await _story_message_gone(connection, outcome)
        case intents.ChatPaused(chat_id, until):
            await connection.execute(
                "UPDATE outbox SET next_attempt_at = ?"
                " WHERE chat_id = ? AND status = 'pending' AND next_attempt_at < ?",
                (to_db(until), chat_id, to_db(until)),
            )
        case intents.ChatGone(chat_id, at, reason):
            await deactivate_chat(connection, chat_id, reason, at)
            await connection.execute(
                "UPDATE outbox SET status = 'failed', last_error = ?"
                " WHERE chat_id = ? AND status IN ('pending', 'sending')",
                (_error(f"chat deactivated: {reason}"), chat_id),
            )
        case intents.ChatMoved(chat_id, new_external_id, at):
            await migrate_chat(connection, chat_id, new_external_id, at)
        case _:
            assert_never(outcome)


async def _story_shown(connection: aiosqlite.Connection, shown: intents.StoryShown) -> None:
    cursor = await connection.execute(
        "UPDATE outbox SET status = CASE WHEN kind = 'edit' AND story_version > ?"
        " THEN 'pending' ELSE 'delivered' END, delivered_at = ?,"
        " platform_message_id = COALESCE(?, platform_message_id), last_error = NULL"
        " WHERE id = ? RETURNING kind, story_id, chat_id",
        (shown.version, to_db(shown.at), shown.message_id, shown.outbox_id),
    )
    row = await cursor.fetchone()
    await cursor.close()
    if row is None or row["story_id"] is None or row["kind"] == "reply" or not shown.message_id:
        return
    await connection.execute(
        "INSERT INTO story_messages (story_id, chat_id, platform_message_id, version,"
        " updated_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (story_id, chat_id) DO UPDATE"
        " SET platform_message_id = excluded.platform_message_id,"
        " version = MAX(story_messages.version, excluded.version),"
        " updated_at = excluded.updated_at",
        (row["story_id"], row["chat_id"], shown.message_id, shown.version, to_db(shown.at)),
    )


async def _story_message_gone(
    connection: aiosqlite.Connection, gone: intents.StoryMessageGone
) -> None:
    now, error = to_db(gone.at), _error(gone.error)
    cursor = await connection.execute(
        "UPDATE outbox SET status = 'delivered', delivered_at = ?, last_error = ?"
        " WHERE id = ? AND kind = 'edit' RETURNING event_id, story_id, chat_id",
        (now, error, gone.outbox_id),
    )
    row = await cursor.fetchone()
    await cursor.close()
    if row is None:
        return
    await connection.execute(
        "DELETE FROM story_messages WHERE story_id = ? AND chat_id = ?",
        (row["story_id"], row["chat_id"]),
    )
    await connection.execute(
        "UPDATE outbox SET status = 'pending', next_attempt_at = ?, created_at = ?,"
        " platform_message_id = NULL, last_error = ?"
        " WHERE event_id = ? AND chat_id = ? AND kind = 'send'",
        (now, now, error, row["event_id"], row["chat_id"]),
    )
