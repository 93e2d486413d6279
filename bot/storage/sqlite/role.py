"""Which kind of run a database belongs to: the embedded demo, or a real deployment."""

from __future__ import annotations

import logging

from bot.storage.errors import StorageError
from bot.storage.protocols import DatabaseRole
from bot.storage.sqlite.database import Database

logger = logging.getLogger(__name__)


class RoleStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def get(self) -> DatabaseRole | None:
        row = await self._db.fetchone("SELECT value FROM meta WHERE key = 'role'")
        if row is None:
            return None
        return "demo" if row["value"] == "demo" else "live"

    async def claim(self, role: DatabaseRole) -> None:
        """Mark the database as `role`'s, or refuse it (StorageError) when it is the other's.

        A database from before roles existed is the real one if a platform has used it;
        taken over as live, it loses what earlier demo runs left in it (the demo feeds
        and the terminal chat), which would otherwise be polled and queued for ever.
        """
        current = await self.get()
        if current == role:
            return
        if current is not None:
            raise StorageError(_refusal(self._db, current))
        platform_chats = await self._db.fetchone(
            "SELECT COUNT(*) AS n FROM chats WHERE platform <> 'console'"
        )
        used_by_platform = bool(platform_chats and platform_chats["n"])
        if role == "demo" and used_by_platform:
            raise StorageError(_refusal(self._db, "live"))
        async with self._db.transaction() as connection:
            if role == "live":
                feeds = await connection.execute("DELETE FROM feeds WHERE kind = 'demo'")
                chats = await connection.execute("DELETE FROM chats WHERE platform = 'console'")
                if feeds.rowcount > 0 or chats.rowcount > 0:
                    logger.warning(
                        "removed what earlier demo runs left in %s: %d feeds, %d terminal chat",
                        self._db.path,
                        feeds.rowcount,
                        chats.rowcount,
                    )
            await connection.execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES ('role', ?)", (role,)
            )


def _refusal(db: Database, role: DatabaseRole) -> str:
    if role == "demo":
        return (
            f"{db.path} holds the embedded demo's data; a real run needs a database of its "
            "own: point DATABASE_PATH at another file"
        )
    return (
        f"{db.path} belongs to a real deployment (Telegram or Discord has used it); the "
        "demo never writes there: point DEMO_DATABASE_PATH at another file, or set a "
        "platform token (is .env in this folder?)"
    )
