"""Chats (delivery destinations) and what each one subscribed to."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime

import aiosqlite

from bot.domain.chat import Chat, Platform, Subscription
from bot.domain.vocabulary import categories_of, severity_of
from bot.storage.sqlite.database import Database
from bot.timeutil import to_db
from feeds.redact import redact_text


def _chat(row: sqlite3.Row) -> Chat:
    return Chat(
        id=row["id"],
        platform=row["platform"],
        external_id=row["external_id"],
        thread_id=row["thread_id"],
        kind=row["kind"],
        title=row["title"],
        language=row["language"],
        active=bool(row["active"]),
        deactivated_reason=row["deactivated_reason"],
    )


def _subscription(row: sqlite3.Row) -> Subscription:
    return Subscription(
        chat_id=row["chat_id"],
        categories=categories_of(json.loads(row["categories"])),
        languages=tuple(json.loads(row["languages"])),
        include_words=tuple(json.loads(row["include_words"])),
        exclude_words=tuple(json.loads(row["exclude_words"])),
        min_severity=severity_of(row["min_severity"]),
        grouped=bool(row["grouped"]),
    )


class ChatStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def upsert(
        self,
        platform: Platform,
        external_id: str,
        *,
        now: datetime,
        kind: str,
        thread_id: str = "",
        title: str | None = None,
        language: str | None = None,
    ) -> Chat:
        """Create the chat, or refresh its kind and title; the language is kept once chosen."""
        async with self._db.transaction() as connection:
            await connection.execute(
                "INSERT INTO chats (platform, external_id, thread_id, kind, title, language,"
                " created_at) VALUES (?, ?, ?, ?, ?, COALESCE(?, 'en'), ?)"
                " ON CONFLICT (platform, external_id, thread_id) DO UPDATE SET"
                " kind = excluded.kind, title = COALESCE(excluded.title, chats.title)",
                (platform, external_id, thread_id, kind, title, language, to_db(now)),
            )
        chat = await self.get(platform, external_id, thread_id)
        assert chat is not None
        return chat

    async def get(self, platform: str, external_id: str, thread_id: str = "") -> Chat | None:
        row = await self._db.fetchone(
            "SELECT * FROM chats WHERE platform = ? AND external_id = ? AND thread_id = ?",
            (platform, external_id, thread_id),
        )
        return _chat(row) if row else None

    async def by_id(self, chat_id: int) -> Chat | None:
        row = await self._db.fetchone("SELECT * FROM chats WHERE id = ?", (chat_id,))
        return _chat(row) if row else None

    async def set_language(self, chat_id: int, language: str) -> None:
        await self._db.execute("UPDATE chats SET language = ? WHERE id = ?", (language, chat_id))

    async def subscribe(
        self, chat_id: int, subscription: Subscription, *, now: datetime, by: str | None = None
    ) -> None:
        """Replace the chat's subscription and reactivate the chat."""
        async with self._db.transaction() as connection:
            await connection.execute(
                "INSERT INTO subscriptions (chat_id, categories, languages, include_words,"
                " exclude_words, min_severity, grouped, created_by, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (chat_id) DO UPDATE SET categories = excluded.categories,"
                " languages = excluded.languages, include_words = excluded.include_words,"
                " exclude_words = excluded.exclude_words, min_severity = excluded.min_severity,"
                " grouped = excluded.grouped, updated_at = excluded.updated_at",
                (
                    chat_id,
                    json.dumps(list(subscription.categories)),
                    json.dumps(list(subscription.languages)),
                    json.dumps(list(subscription.include_words), ensure_ascii=False),
                    json.dumps(list(subscription.exclude_words), ensure_ascii=False),
                    subscription.min_severity,
                    int(subscription.grouped),
                    by,
                    to_db(now),
                    to_db(now),
                ),
            )
            await connection.execute(
                "UPDATE chats SET active = 1, deactivated_reason = NULL, deactivated_at = NULL"
                " WHERE id = ?",
                (chat_id,),
            )

    async def unsubscribe(self, chat_id: int) -> bool:
        return await self._db.execute("DELETE FROM subscriptions WHERE chat_id = ?", (chat_id,)) > 0

    async def subscription(self, chat_id: int) -> Subscription | None:
        row = await self._db.fetchone("SELECT * FROM subscriptions WHERE chat_id = ?", (chat_id,))
        return _subscription(row) if row else None

    async def active_subscriptions(self) -> list[tuple[Chat, Subscription]]:
        rows = await self._db.fetchall(
            "SELECT c.*, s.chat_id, s.categories, s.languages, s.include_words, s.exclude_words,"
            " s.min_severity, s.grouped FROM subscriptions s JOIN chats c ON c.id = s.chat_id"
            " WHERE c.active = 1 ORDER BY c.id"
        )
        return [(_chat(row), _subscription(row)) for row in rows]

    async def deactivate(self, chat_id: int, reason: str, now: datetime) -> None:
        async with self._db.transaction() as connection:
            await deactivate_chat(connection, chat_id, reason, now)

    async def inactive(self) -> list[Chat]:
        rows = await self._db.fetchall("SELECT * FROM chats WHERE active = 0 ORDER BY id")
        return [_chat(row) for row in rows]

    async def inactive_counts(self) -> dict[str, int]:
        """Deactivated chats per platform (for metrics)."""
        rows = await self._db.fetchall(
            "SELECT platform, COUNT(*) AS n FROM chats WHERE active = 0 GROUP BY platform"
        )
        return {row["platform"]: int(row["n"]) for row in rows}

    async def migrate(self, chat_id: int, new_external_id: str, now: datetime) -> int:
        """The chat moved to `new_external_id` (a Telegram group became a supergroup).

        Returns the id of the chat row that holds the subscription afterwards. Usually
        that is the same row with its id changed. If the new id was already a chat of
        its own (someone subscribed the supergroup too), that row is kept: undelivered
        alerts move over unless it already has them, and the old row is deactivated.
        """
        async with self._db.transaction() as connection:
            return await migrate_chat(connection, chat_id, new_external_id, now)


async def deactivate_chat(
    connection: aiosqlite.Connection, chat_id: int, reason: str, now: datetime
) -> None:
    """Stop sending to the chat, keeping why (redacted) and since when; inside the
    caller's transaction."""
    await connection.execute(
        "UPDATE chats SET active = 0, deactivated_reason = ?, deactivated_at = ? WHERE id = ?",
        (redact_text(reason)[:300], to_db(now), chat_id),
    )


async def migrate_chat(
    connection: aiosqlite.Connection, chat_id: int, new_external_id: str, now: datetime
) -> int:
    """`ChatStore.migrate` inside the caller's transaction."""
    cursor = await connection.execute(
        "SELECT o.platform, o.thread_id, n.id AS new_id FROM chats o"
        " LEFT JOIN chats n ON n.platform = o.platform AND n.external_id = ?"
        " AND n.thread_id = o.thread_id WHERE o.id = ?",
        (new_external_id, chat_id),
    )
    row = await cursor.fetchone()
    await cursor.close()
    if row is None:
        return chat_id
    if row["new_id"] is None:
        await connection.execute(
            "UPDATE chats SET external_id = ? WHERE id = ?", (new_external_id, chat_id)
        )
        return chat_id
    target = int(row["new_id"])
    if target == chat_id:
        return chat_id
    await connection.execute(
        "UPDATE OR IGNORE outbox SET chat_id = ?"
        " WHERE chat_id = ? AND status IN ('pending', 'sending')",
        (target, chat_id),
    )
    await connection.execute(
        "UPDATE outbox SET status = 'failed', last_error = 'chat moved; the new chat"
        " already had this alert' WHERE chat_id = ? AND status IN ('pending', 'sending')",
        (chat_id,),
    )
    await connection.execute(
        "UPDATE chats SET active = 0, deactivated_reason = ?, deactivated_at = ? WHERE id = ?",
        (f"moved to {new_external_id}", to_db(now), chat_id),
    )
    return target
