"""Numbered SQL migrations, applied once each, in order, each in its own transaction.

The applied versions live in the database itself (table `schema_migrations`), so a
copied database carries its own history. A database that knows a version this code
does not is refused rather than guessed at.
"""

from __future__ import annotations

import logging
import re
import sqlite3
from dataclasses import dataclass
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path

from bot.storage.errors import MigrationError
from bot.storage.sqlite.database import Database
from bot.timeutil import to_db, utcnow

logger = logging.getLogger(__name__)

_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")
_TRANSACTION_WORDS = re.compile(r"^\s*(BEGIN|COMMIT|END|ROLLBACK)\b", re.IGNORECASE | re.MULTILINE)


# The first line of a migration that rebuilds tables (SQLite's way of changing a
# constraint): it runs with foreign keys off, so the drop of the old table neither
# cascades nor fails, and the keys are checked once it is done.
REBUILDS_MARK = "-- tocsin: rebuilds tables"


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str

    @property
    def rebuilds_tables(self) -> bool:
        return self.sql.lstrip().startswith(REBUILDS_MARK)


def bundled_migrations() -> Traversable:
    return resources.files("migrations")


def load_migrations(source: Traversable | Path | None = None) -> list[Migration]:
    folder = source if source is not None else bundled_migrations()
    found: dict[int, Migration] = {}
    for item in folder.iterdir():
        if not item.name.endswith(".sql"):
            continue
        match = _NAME.match(item.name)
        if match is None:
            raise MigrationError(f"migration file {item.name!r} is not named NNNN_name.sql")
        version = int(match.group(1))
        if version in found:
            raise MigrationError(f"two migration files share version {version:04d}")
        sql = item.read_text(encoding="utf-8")
        if _TRANSACTION_WORDS.search(sql):
            # The runner owns the transaction; a file that commits on its own would
            # leave a half-applied version behind on failure.
            raise MigrationError(f"{item.name} must not contain BEGIN/COMMIT/ROLLBACK")
        found[version] = Migration(version, match.group(2), sql)
    # Numbers may leave gaps: they are handed out to pieces of work before those are
    # merged, so a branch may carry 0010 before 0008 exists. Each version applies once,
    # whenever it arrives; a database newer than the code is still refused (`migrate`).
    return [found[v] for v in sorted(found)]


async def applied_versions(db: Database) -> list[int]:
    await db.executescript(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL);"
    )
    rows = await db.fetchall("SELECT version FROM schema_migrations ORDER BY version")
    return [int(row["version"]) for row in rows]


async def migrate(db: Database, migrations: list[Migration] | None = None) -> list[Migration]:
    """Apply what is pending; return the migrations applied by this call."""
    known = migrations if migrations is not None else load_migrations()
    newest_known = known[-1].version if known else 0
    done = set(await applied_versions(db))
    if done and max(done) > newest_known:
        raise MigrationError(
            f"the database {db.path} has schema version {max(done)}, newer than this "
            f"Tocsin knows ({newest_known}); upgrade Tocsin or use another DATABASE_PATH"
        )
    applied: list[Migration] = []
    for migration in known:
        if migration.version in done:
            continue
        script = (
            "BEGIN IMMEDIATE;\n"
            f"{migration.sql}\n;\n"
            "INSERT INTO schema_migrations (version, name, applied_at) VALUES "
            f"({migration.version}, '{migration.name}', '{to_db(utcnow())}');\n"
            "COMMIT;\n"
        )
        try:
            if migration.rebuilds_tables:
                await db.executescript("PRAGMA foreign_keys=OFF;")
            try:
                await db.executescript(script)
            finally:
                if migration.rebuilds_tables:
                    await db.executescript("PRAGMA foreign_keys=ON;")
        except sqlite3.Error as exc:
            await db.rollback_if_open()
            if migration.version in set(await applied_versions(db)):
                # Another process applied it between our check and our attempt.
                continue
            raise MigrationError(
                f"migration {migration.version:04d}_{migration.name} failed: {exc}"
            ) from None
        logger.info("applied migration %04d_%s", migration.version, migration.name)
        applied.append(migration)
    problems = await db.fetchall("PRAGMA foreign_key_check")
    if problems:
        raise MigrationError(f"foreign key check failed after migrating: {len(problems)} rows")
    return applied
