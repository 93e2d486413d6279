"""Batched writes (bench/ingest.py's optimisations) keep every row a caller asked for."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest

from bot.storage import Storage
from bot.storage.batching import GroupWrite
from feeds.models import NormalizedEntry
from tests.conftest import FakeClock


async def test_a_whole_feed_is_stored_with_each_entry_under_its_own_id(
    storage: Storage, clock: FakeClock
) -> None:
    feed = await storage.feeds.add("https://a.example/rss", now=clock())
    # More entries than one INSERT statement carries, so the batches' ids must line up.
    entries = [
        NormalizedEntry(f"uid-{n}", f"hash-{n}", f"Title {n}", f"Summary {n}", None, None, "en")
        for n in range(250)
    ]
    changes = await storage.entries.add(feed.id, entries, clock())
    assert [s.entry.uid for s in changes.new] == [e.uid for e in entries]
    rows = await storage.db.fetchall("SELECT id, uid, title FROM entries")
    stored = {row["id"]: (row["uid"], row["title"]) for row in rows}
    assert {s.id: (s.entry.uid, s.entry.title) for s in changes.new} == stored

    edited = [*entries[:5], NormalizedEntry("uid-7", "new-hash", "Edited", "", None, None, "en")]
    again = await storage.entries.add(feed.id, edited, clock())
    assert again.new == []
    assert [(s.entry.uid, s.entry.title) for s in again.updated] == [("uid-7", "Edited")]
    [row] = await storage.db.fetchall("SELECT title FROM entries WHERE uid = 'uid-7'")
    assert row["title"] == "Edited"


async def test_polls_recorded_together_are_all_saved(storage: Storage, clock: FakeClock) -> None:
    feeds = [await storage.feeds.add(f"https://{n}.example/rss", now=clock()) for n in range(40)]
    await asyncio.gather(
        *(
            storage.feeds.record_success(
                feed.id,
                now=clock(),
                next_check_at=clock() + timedelta(minutes=10),
                interval_seconds=600,
                etag=f'"v{feed.id}"',
                last_modified=None,
                title=f"Feed {feed.id}",
            )
            for feed in feeds
        )
    )
    saved = await storage.feeds.all()
    assert [(f.etag, f.title, f.primed) for f in saved] == [
        (f'"v{f.id}"', f"Feed {f.id}", True) for f in feeds
    ]
    assert await storage.feeds.due(clock()) == []


async def test_one_bad_row_fails_only_its_own_caller(storage: Storage) -> None:
    await storage.db.execute("CREATE TABLE numbers (n INTEGER NOT NULL UNIQUE)")
    writer = GroupWrite(storage.db, "INSERT INTO numbers (n) VALUES (?)")
    outcomes = await asyncio.gather(
        *(writer.write((n,)) for n in (1, 2, 2, 3)), return_exceptions=True
    )
    assert outcomes[:2] == [None, None] and outcomes[3] is None
    assert isinstance(outcomes[2], sqlite3.IntegrityError)
    rows = await storage.db.fetchall("SELECT n FROM numbers ORDER BY n")
    assert [row["n"] for row in rows] == [1, 2, 3]
    with pytest.raises(sqlite3.IntegrityError):
        await writer.write((3,))


async def test_closing_the_storage_first_commits_the_rows_already_queued(
    tmp_path: Path, clock: FakeClock
) -> None:
    """At shutdown the polls are cancelled while their rows wait in a batch: the rows
    are still committed, and the connection is closed only after."""
    path = tmp_path / "tocsin.sqlite3"
    storage = await Storage.open(path)
    feeds = [await storage.feeds.add(f"https://{n}.example/rss", now=clock()) for n in range(30)]
    later = clock() + timedelta(minutes=10)
    polls = [
        asyncio.ensure_future(
            storage.feeds.record_success(
                feed.id,
                now=clock(),
                next_check_at=later,
                interval_seconds=600,
                etag=f'"v{feed.id}"',
                last_modified=None,
            )
            if feed.id % 2
            else storage.feeds.record_failure(
                feed.id, now=clock(), next_check_at=later, kind="http", message="HTTP 500"
            )
        )
        for feed in feeds
    ]
    await asyncio.sleep(0)  # one turn of the loop: every row is queued
    for poll in polls:
        poll.cancel()
    await asyncio.gather(*polls, return_exceptions=True)
    await storage.close()

    reopened = await Storage.open(path)
    try:
        saved = await reopened.feeds.all()
    finally:
        await reopened.close()
    assert [(f.etag, f.consecutive_failures) for f in saved] == [
        (f'"v{f.id}"', 0) if f.id % 2 else (None, 1) for f in feeds
    ]
    assert all(f.next_check_at == later for f in saved)
