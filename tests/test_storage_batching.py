"""Batched writes (bench/ingest.py's optimisations) keep every row a caller asked for."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest

from bot.pipeline.plan import text_hash
from bot.storage import Storage
from bot.storage.intents import (
    DocumentFacts,
    EditedEntry,
    IngestBatch,
    NewEntry,
    PollFailure,
    PollSuccess,
)
from bot.storage.sqlite.batching import GroupWrite
from feeds.models import NormalizedEntry
from tests.conftest import FakeClock


def success(at: object, next_check_at: object, etag: str, title: str | None = None) -> PollSuccess:
    document = DocumentFacts(title, None, None, 0, None, None, None, None) if title else None
    return PollSuccess(at, next_check_at, 600, etag, None, document=document)  # type: ignore[arg-type]


async def test_a_whole_feed_is_stored_with_each_entry_under_its_own_id(
    storage: Storage, clock: FakeClock
) -> None:
    feed = await storage.feeds.add("https://a.example/rss", now=clock())
    # More entries than one INSERT statement carries, so the batches' ids must line up.
    entries = [
        NormalizedEntry(f"uid-{n}", f"hash-{n}", f"Title {n}", f"Summary {n}", None, None, "en")
        for n in range(250)
    ]
    batch = IngestBatch(feed.id, new=tuple(NewEntry(e, text_hash(e)) for e in entries))
    assert (await storage.entries.record(batch, clock())).new_entries == 250
    rows = await storage.db.fetchall("SELECT id, uid, title FROM entries")
    stored = {row["id"]: (row["uid"], row["title"]) for row in rows}
    known = await storage.entries.known(feed.id, [e.uid for e in entries])
    assert {k.id: (uid, f"Title {uid[4:]}") for uid, k in known.items()} == stored

    edited = NormalizedEntry("uid-7", "new-hash", "Edited", "", None, None, "en")
    edit = EditedEntry(known["uid-7"].id, edited, text_hash(edited))
    await storage.entries.record(IngestBatch(feed.id, edited=(edit,)), clock())
    [row] = await storage.db.fetchall("SELECT title FROM entries WHERE uid = 'uid-7'")
    assert row["title"] == "Edited"


async def test_polls_recorded_together_are_all_saved(storage: Storage, clock: FakeClock) -> None:
    feeds = [await storage.feeds.add(f"https://{n}.example/rss", now=clock()) for n in range(40)]
    await asyncio.gather(
        *(
            storage.feeds.record_poll(
                feed.id,
                success(
                    clock(), clock() + timedelta(minutes=10), f'"v{feed.id}"', f"Feed {feed.id}"
                ),
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
            storage.feeds.record_poll(feed.id, success(clock(), later, f'"v{feed.id}"'))
            if feed.id % 2
            else storage.feeds.record_poll(
                feed.id,
                PollFailure(at=clock(), next_check_at=later, kind="http", message="HTTP 500"),
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
