"""The migration runner: fresh, upgrade, idempotent, refusal, rollback on failure."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.storage import MigrationError, Storage
from bot.storage.sqlite.database import Database
from bot.storage.sqlite.migrations import applied_versions, load_migrations, migrate


def write(folder: Path, name: str, sql: str) -> None:
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(sql, encoding="utf-8")


async def tables(db: Database) -> set[str]:
    rows = await db.fetchall("SELECT name FROM sqlite_master WHERE type = 'table'")
    return {row["name"] for row in rows}


async def test_fresh_database_gets_every_bundled_migration(tmp_path: Path) -> None:
    storage = await Storage.open(tmp_path / "fresh.sqlite3")
    try:
        versions = await applied_versions(storage.db)
        assert versions == [m.version for m in load_migrations()]
        assert {"feeds", "entries", "events", "chats", "subscriptions", "outbox", "audit_log"} <= (
            await tables(storage.db)
        )
        mode = await storage.db.fetchone("PRAGMA journal_mode")
        assert mode is not None and mode[0] == "wal"
        fk = await storage.db.fetchone("PRAGMA foreign_keys")
        assert fk is not None and fk[0] == 1
    finally:
        await storage.close()


async def test_reopening_applies_nothing_twice(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    await (await Storage.open(path)).close()
    db = await Database.open(path)
    try:
        assert await migrate(db) == []
    finally:
        await db.close()


async def test_upgrade_applies_only_the_new_file_in_its_own_transaction(tmp_path: Path) -> None:
    folder = tmp_path / "migrations"
    write(folder, "0001_one.sql", "CREATE TABLE a (x INTEGER);")
    db = await Database.open(tmp_path / "db.sqlite3")
    try:
        assert [m.version for m in await migrate(db, load_migrations(folder))] == [1]
        await db.execute("INSERT INTO a VALUES (1)")
        write(folder, "0002_two.sql", "ALTER TABLE a ADD COLUMN y TEXT DEFAULT 'kept';")
        assert [m.version for m in await migrate(db, load_migrations(folder))] == [2]
        row = await db.fetchone("SELECT x, y FROM a")
        assert row is not None and (row["x"], row["y"]) == (1, "kept")
    finally:
        await db.close()


async def test_failing_migration_leaves_no_trace_and_names_the_file(tmp_path: Path) -> None:
    folder = tmp_path / "migrations"
    write(folder, "0001_one.sql", "CREATE TABLE a (x INTEGER);")
    write(
        folder, "0002_broken.sql", "CREATE TABLE half (x INTEGER);\nINSERT INTO nowhere VALUES (1);"
    )
    db = await Database.open(tmp_path / "db.sqlite3")
    try:
        with pytest.raises(MigrationError, match="0002_broken"):
            await migrate(db, load_migrations(folder))
        assert await applied_versions(db) == [1]
        assert "half" not in await tables(db)
    finally:
        await db.close()


async def test_database_newer_than_the_code_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "migrations"
    write(folder, "0001_one.sql", "CREATE TABLE a (x INTEGER);")
    write(folder, "0002_two.sql", "CREATE TABLE b (x INTEGER);")
    db = await Database.open(tmp_path / "db.sqlite3")
    try:
        await migrate(db, load_migrations(folder))
        (folder / "0002_two.sql").unlink()
        with pytest.raises(MigrationError, match="newer than this Tocsin"):
            await migrate(db, load_migrations(folder))
    finally:
        await db.close()


@pytest.mark.parametrize(
    ("name", "sql", "message"),
    [
        ("1_short.sql", "SELECT 1;", "not named NNNN_name.sql"),
        ("0001_tx.sql", "BEGIN;\nCREATE TABLE a (x);\nCOMMIT;", "must not contain"),
    ],
)
def test_malformed_migration_folders_are_refused(
    tmp_path: Path, name: str, sql: str, message: str
) -> None:
    write(tmp_path / "m", name, sql)
    with pytest.raises(MigrationError, match=message):
        load_migrations(tmp_path / "m")


async def test_a_version_that_arrives_after_a_later_one_still_applies(tmp_path: Path) -> None:
    """Migration numbers are handed out before the work that needs them is merged: a
    database may have 0001 and 0003 when 0002 arrives."""
    folder = tmp_path / "migrations"
    write(folder, "0001_one.sql", "CREATE TABLE a (x INTEGER);")
    write(folder, "0003_three.sql", "ALTER TABLE a ADD COLUMN z TEXT;")
    db = await Database.open(tmp_path / "db.sqlite3")
    try:
        assert [m.version for m in await migrate(db, load_migrations(folder))] == [1, 3]
        write(folder, "0002_two.sql", "ALTER TABLE a ADD COLUMN y TEXT;")
        assert [m.version for m in await migrate(db, load_migrations(folder))] == [2]
        assert await applied_versions(db) == [1, 2, 3]
    finally:
        await db.close()


async def test_a_file_that_is_not_sqlite_gives_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "not.sqlite3"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(Exception, match=r"not a usable SQLite database|file is not a database"):
        await Storage.open(path)


async def test_upgrading_to_0004_marks_when_each_primed_feed_was_primed(tmp_path: Path) -> None:
    """A database from before 0004: a primed feed's first poll is its oldest entries
    (or, with none, its last success); a feed never polled stays unprimed."""
    db = await Database.open(tmp_path / "db.sqlite3")
    try:
        await migrate(db, [m for m in load_migrations() if m.version <= 3])
        add = (
            "INSERT INTO feeds (id, url, added_at, next_check_at, primed, last_success_at)"
            " VALUES (?, ?, '2026-01-01T00:00:00+00:00', '2026-01-01T00:00:00+00:00', ?, ?)"
        )
        await db.execute(add, (1, "https://a.example/rss", 1, "2026-03-01T00:00:00+00:00"))
        await db.execute(add, (2, "https://b.example/rss", 1, "2026-03-01T00:00:00+00:00"))
        await db.execute(add, (3, "https://c.example/rss", 0, None))
        for uid, seen in (
            ("old", "2026-02-01T00:00:00+00:00"),
            ("new", "2026-02-02T00:00:00+00:00"),
        ):
            await db.execute(
                "INSERT INTO entries (feed_id, uid, content_hash, title, summary, first_seen_at)"
                " VALUES (1, ?, ?, '', '', ?)",
                (uid, uid, seen),
            )
        applied = await migrate(db)
        assert applied[0].version == 4
        rows = await db.fetchall("SELECT id, primed_at FROM feeds ORDER BY id")
        assert [(row["id"], row["primed_at"]) for row in rows] == [
            (1, "2026-02-01T00:00:00+00:00"),
            (2, "2026-03-01T00:00:00+00:00"),
            (3, None),
        ]
        plan = await db.fetchall(
            "EXPLAIN QUERY PLAN SELECT id FROM entries WHERE feed_id = 1 AND content_hash = 'x'"
        )
        assert any("entries_feed_content" in row["detail"] for row in plan)
    finally:
        await db.close()


async def test_opening_chats_to_any_platform_keeps_every_subscription_and_alert(
    tmp_path: Path,
) -> None:
    db = await Database.open(tmp_path / "old.sqlite3")
    try:
        await migrate(db, [m for m in load_migrations() if m.version < 8])
        await db.executescript(
            "INSERT INTO feeds (url, added_at, next_check_at) VALUES"
            " ('https://x.example/rss', '2026-11-24T12:00:00+00:00', '2026-11-24T12:00:00+00:00');"
            "INSERT INTO entries (feed_id, uid, content_hash, title, summary, first_seen_at)"
            " VALUES (1, 'u', 'h', 't', 's', '2026-11-24T12:00:00+00:00');"
            "INSERT INTO events (entry_id, categories, weak_categories, modality, score, severity,"
            " explanation, created_at) VALUES (1, 'arrest', '', 'event', 0.9, 'high', 'why',"
            " '2026-11-24T12:00:00+00:00');"
            "INSERT INTO chats (platform, external_id, kind, created_at)"
            " VALUES ('telegram', '42', 'private', '2026-11-24T12:00:00+00:00');"
            "INSERT INTO subscriptions (chat_id, created_at, updated_at)"
            " VALUES (1, '2026-11-24T12:00:00+00:00', '2026-11-24T12:00:00+00:00');"
            "INSERT INTO outbox (event_id, chat_id, next_attempt_at, created_at)"
            " VALUES (1, 1, '2026-11-24T12:00:00+00:00', '2026-11-24T12:00:00+00:00');"
        )
        await migrate(db)
        assert len(await db.fetchall("SELECT * FROM subscriptions")) == 1
        assert len(await db.fetchall("SELECT * FROM outbox")) == 1
        await db.execute(
            "INSERT INTO chats (platform, external_id, kind, created_at)"
            " VALUES ('matrix', '!room:example.org', 'room', '2026-11-24T12:00:00+00:00')"
        )
        # The keys still hold: a chat's removal still takes its subscription along.
        await db.execute("DELETE FROM chats WHERE id = 1")
        assert await db.fetchall("SELECT * FROM subscriptions") == []
    finally:
        await db.close()


async def test_upgrading_to_0020_cuts_stored_texts_where_a_secret_begins(tmp_path: Path) -> None:
    """Texts stored before redaction: an error quoting a Bot API URL (the token), an
    audit entry and a feed error quoting a feed URL with credentials or a token."""
    token = "123456789:AAsecret-token-of-the-bot-0000000000"
    db = await Database.open(tmp_path / "db.sqlite3")
    try:
        await migrate(db, [m for m in load_migrations() if m.version <= 10])
        now = "2026-01-01T00:00:00+00:00"
        await db.execute(
            "INSERT INTO feeds (id, url, added_at, next_check_at, last_error)"
            " VALUES (1, 'https://u:pw@a.example/rss', ?, ?, ?)",
            (now, now, "not a valid URL: 'https://u:pw@a.example:99999/rss'"),
        )
        await db.execute(
            "INSERT INTO feeds (id, url, added_at, next_check_at, last_error)"
            " VALUES (2, 'https://b.example/rss', ?, ?, 'HTTP 503')",
            (now, now),
        )
        await db.execute(
            "INSERT INTO audit_log (at, actor, action, detail) VALUES (?, 'cli', 'addfeed', ?)",
            (now, "#3 https://c.example/rss?api_key=k3y"),
        )
        await db.execute(
            "INSERT INTO chats (id, platform, external_id, kind, created_at, active,"
            " deactivated_reason) VALUES (1, 'telegram', '5', 'private', ?, 0, ?)",
            (now, f"url='http://h/bot{token}/sendMessage'"),
        )
        await db.execute(
            "INSERT INTO entries (id, feed_id, uid, content_hash, title, summary, first_seen_at)"
            " VALUES (1, 2, 'u', 'h', 't', 's', ?)",
            (now,),
        )
        await db.execute(
            "INSERT INTO events (id, entry_id, categories, score, severity, explanation,"
            " created_at) VALUES (1, 1, 'censorship', 1.0, 'high', 'x', ?)",
            (now,),
        )
        await db.execute(
            "INSERT INTO outbox (event_id, chat_id, next_attempt_at, created_at, last_error)"
            " VALUES (1, 1, ?, ?, ?)",
            (now, now, f"TooManyRedirects: url='http://h/bot{token}/sendMessage'"),
        )
        await migrate(db)
        outbox = await db.fetchone("SELECT last_error FROM outbox")
        chat = await db.fetchone("SELECT deactivated_reason FROM chats")
        feeds = await db.fetchall("SELECT url, last_error FROM feeds ORDER BY id")
        audit = await db.fetchone("SELECT detail FROM audit_log")
    finally:
        await db.close()
    assert outbox is not None and outbox[0] == "TooManyRedirects: url='http://h/bot***"
    assert chat is not None and chat[0] == "url='http://h/bot***"
    assert [(f["url"], f["last_error"]) for f in feeds] == [
        ("https://u:pw@a.example/rss", "not a valid URL: 'https://***"),  # the URL is kept
        ("https://b.example/rss", "HTTP 503"),
    ]
    assert audit is not None and audit[0] == "#3 https://***"
