"""Tocsin's storage layer: narrow protocols (protocols.py) and the SQLite backend.

`Storage.open()` connects, applies pending migrations, and exposes one store per
concern (feeds, entries, chats, outbox, notices, audit, role, feedback). Code outside this
package uses only the stores' protocol methods; `Storage.db` is the SQLite backend's
own connection, for that backend's tests and nothing else.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from bot.storage import protocols
from bot.storage.errors import DuplicateFeedError, MigrationError, StorageError
from bot.storage.protocols import DatabaseRole, SenderLease
from bot.storage.sqlite import lease
from bot.storage.sqlite.audit import AuditStore
from bot.storage.sqlite.chats import ChatStore
from bot.storage.sqlite.database import Database
from bot.storage.sqlite.entries import EntryStore
from bot.storage.sqlite.feedback import FeedbackStore
from bot.storage.sqlite.feeds import FeedStore
from bot.storage.sqlite.lease import FileLease
from bot.storage.sqlite.migrations import applied_versions, migrate
from bot.storage.sqlite.notices import NoticeStore
from bot.storage.sqlite.outbox import OutboxStore
from bot.storage.sqlite.role import RoleStore

__all__ = [
    "DatabaseRole",
    "DuplicateFeedError",
    "MigrationError",
    "SenderLease",
    "Storage",
    "StorageError",
]


class Storage:
    """The stores of one database. Typed by their protocols: that is all callers get."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.feeds: protocols.FeedStore = FeedStore(db)
        self.entries: protocols.EntryStore = EntryStore(db)
        self.chats: protocols.ChatStore = ChatStore(db)
        self.outbox: protocols.OutboxStore = OutboxStore(db)
        self.audit: protocols.AuditStore = AuditStore(db)
        self.notices: protocols.NoticeStore = NoticeStore(db)
        self.role: protocols.RoleStore = RoleStore(db)
        self.feedback: protocols.FeedbackStore = FeedbackStore(db)

    @classmethod
    async def open(cls, path: Path, *, role: DatabaseRole | None = None) -> Storage:
        """Open the database and bring its schema up to date before anything else runs.

        With `role`, the database is claimed for the demo or for a real deployment,
        and refused (StorageError) when it belongs to the other.
        """
        db = await Database.open(path)
        try:
            await migrate(db)
            storage = cls(db)
            if role is not None:
                await storage.role.claim(role)
        except BaseException:
            await db.close()
            raise
        return storage

    @property
    def location(self) -> str:
        """Where the data lives, for messages to the operator."""
        return str(self.db.path)

    async def take_sender_lease(self) -> SenderLease | str:
        """The right to deliver from this database, held until released or the process
        ends; or, when another process holds it, who that is (for the operator)."""
        if str(self.db.path) == ":memory:":
            return FileLease(os.open(os.devnull, os.O_RDONLY), self.db.path)
        return await asyncio.to_thread(lease.take, self.db.path)

    async def schema_version(self) -> int:
        return max(await applied_versions(self.db), default=0)

    async def close(self) -> None:
        # Group-committed writes still in flight first: their callers may be gone.
        await self.feeds.aclose()
        await self.db.close()
