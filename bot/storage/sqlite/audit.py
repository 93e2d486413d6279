"""The admin audit log: who added, removed or changed what, and when."""

from __future__ import annotations

from datetime import datetime

from bot.domain.audit import AuditRecord
from bot.storage.sqlite.database import Database
from bot.timeutil import require, to_db
from feeds.redact import redact_text


class AuditStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def record(self, actor: str, action: str, detail: str, now: datetime) -> None:
        await self._db.execute(
            "INSERT INTO audit_log (at, actor, action, detail) VALUES (?, ?, ?, ?)",
            (to_db(now), actor, action, redact_text(detail)),
        )

    async def recent(self, limit: int = 50) -> list[AuditRecord]:
        rows = await self._db.fetchall(
            "SELECT at, actor, action, detail FROM audit_log ORDER BY id DESC LIMIT ?", (limit,)
        )
        return [AuditRecord(require(r["at"]), r["actor"], r["action"], r["detail"]) for r in rows]
