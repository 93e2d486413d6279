"""Tocsin's storage layer: every SQL statement in the project lives under this package.

`Storage.open()` connects, applies pending migrations, and exposes one narrow store
per concern (feeds, entries, chats, outbox, audit, notices).
"""

from __future__ import annotations

from pathlib import Path

from bot.storage.audit import AuditStore
from bot.storage.chats import ChatStore
from bot.storage.database import Database, StorageError
from bot.storage.entries import DetectedEvent, EntryChanges, EntryStore, StoredEntry
from bot.storage.feeds import DuplicateFeedError, FeedStore
from bot.storage.migrations import MigrationError, migrate
from bot.storage.notices import NoticeStore
from bot.storage.outbox import OutboxStore
from bot.storage.role import DatabaseRole, RoleStore

__all__ = [
    "DatabaseRole",
    "DetectedEvent",
    "DuplicateFeedError",
    "EntryChanges",
    "MigrationError",
    "Storage",
    "StorageError",
    "StoredEntry",
]


class Storage:
    def __init__(self, db: Database) -> None:
        self.db = db
        self.feeds = FeedStore(db)
        self.entries = EntryStore(db)
        self.chats = ChatStore(db)
        self.outbox = OutboxStore(db)
        self.audit = AuditStore(db)
        self.notices = NoticeStore(db)
        self.role = RoleStore(db)

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

    async def close(self) -> None:
        # Group-committed writes still in flight first: their callers may be gone.
        await self.feeds.aclose()
        await self.db.close()
