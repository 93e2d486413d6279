"""Retention: old words, events and delivered alerts go; identities and pending alerts stay."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

from bot.domain.chat import Subscription
from bot.domain.feedback import Reporter
from bot.domain.maintenance import PruneCutoffs
from bot.domain.notice import NoticeKind
from bot.domain.vocabulary import CATEGORIES
from bot.retention import RetentionJob, RetentionPolicy
from bot.storage import Storage
from feeds.models import NormalizedEntry
from tests.alert_support import a_story
from tests.conftest import TEST_START, FakeClock
from tests.storage_support import detection, store_entry, store_poll

OLD = TEST_START - timedelta(days=100)
RECENT = TEST_START - timedelta(days=10)


def item(uid: str, title: str, summary: str = "", link: str | None = None) -> NormalizedEntry:
    words = summary or f"{title}, as the regulator announced in a statement on its website."
    return NormalizedEntry(
        uid, f"h-{uid}-{title}", title, words, link or f"https://example.org/{uid}", None, "en"
    )


async def chat_id(storage: Storage) -> int:
    chat = await storage.chats.upsert("console", "terminal", now=OLD, kind="console")
    await storage.chats.subscribe(chat.id, Subscription(chat.id, CATEGORIES), now=OLD)
    return chat.id


async def entry(storage: Storage, uid: str) -> sqlite3.Row:
    row = await storage.db.fetchone("SELECT * FROM entries WHERE uid = ?", (uid,))
    assert row is not None
    return row


async def outbox_statuses(storage: Storage) -> dict[str, str]:
    rows = await storage.db.fetchall(
        "SELECT en.uid, o.status FROM outbox o JOIN events ev ON ev.id = o.event_id"
        " JOIN entries en ON en.id = ev.entry_id"
    )
    return {row["uid"]: row["status"] for row in rows}


async def test_prune_keeps_identities_and_pending_alerts_and_never_alerts_again(
    storage: Storage,
) -> None:
    feed = await storage.feeds.add("https://example.org/rss", now=OLD)
    chat = await chat_id(storage)
    sent = item("sent", "Roskomnadzor blocked access to the Signal messenger")
    waiting = item("waiting", "Roskomnadzor blocked access to the Threema messenger")
    quiet = item("quiet", "The ministry opened a new library in the city centre")
    fresh = item("fresh", "Roskomnadzor blocked access to the Wire messenger")
    for old in (sent, waiting):
        await store_entry(storage, feed.id, old, OLD, verdict=detection(), chat_ids=[chat])
    await store_entry(storage, feed.id, quiet, OLD)
    await store_entry(storage, feed.id, fresh, RECENT, verdict=detection(), chat_ids=[chat])
    # Everything was delivered except one old alert, still waiting (its chat was away).
    await storage.db.execute(
        "UPDATE outbox SET status = 'delivered', delivered_at = created_at"
        " WHERE event_id NOT IN (SELECT ev.id FROM events ev JOIN entries en"
        " ON en.id = ev.entry_id WHERE en.uid = 'waiting')"
    )

    result = await RetentionJob(storage, RetentionPolicy(), FakeClock()).prune_now()

    assert (result.entry_texts, result.events, result.outbox) == (2, 1, 1)
    for uid in ("sent", "quiet"):
        pruned = await entry(storage, uid)
        assert (pruned["title"], pruned["summary"], pruned["link"]) == ("", "", None)
        assert pruned["content_hash"] == f"h-{uid}-{(sent if uid == 'sent' else quiet).title}"
        assert pruned["text_hash"] is not None and pruned["pruned_at"] is not None
    # The waiting alert still has everything it will show; the recent one is untouched.
    assert (await entry(storage, "waiting"))["title"] == waiting.title
    assert (await entry(storage, "fresh"))["title"] == fresh.title
    assert await outbox_statuses(storage) == {"waiting": "pending", "fresh": "delivered"}

    # The feed still lists the old story, edited; and again under a new guid.
    edited = item("sent", sent.title + " and in three more regions")
    renamed = item("sent-again", sent.title)
    plan = await store_poll(storage, feed.id, [edited, renamed, quiet], TEST_START)
    assert [p.may_alert for p in plan.edited] == [False]
    assert plan.to_classify == [] and plan.new == [] and plan.reidentified == 1
    after_edit = await entry(storage, "sent")
    assert (after_edit["title"], after_edit["summary"]) == ("", "")


async def test_delivered_alerts_go_after_their_own_period(storage: Storage) -> None:
    feed = await storage.feeds.add("https://example.org/rss", now=OLD)
    chat = await chat_id(storage)
    story = item("a", "Roskomnadzor blocked access to the Signal messenger")
    await store_entry(storage, feed.id, story, RECENT, verdict=detection(), chat_ids=[chat])
    await storage.db.execute("UPDATE outbox SET status = 'delivered', delivered_at = created_at")
    cutoffs = RetentionPolicy(outbox_days=7).cutoffs(TEST_START)
    result = await storage.maintenance.prune(cutoffs, TEST_START)
    assert (result.entry_texts, result.events, result.outbox) == (0, 0, 1)
    assert await outbox_statuses(storage) == {}
    # 0 days keeps everything forever.
    assert RetentionPolicy(0, 0, 0, 0).cutoffs(TEST_START) == PruneCutoffs(None, None, None)


async def stored_story(storage: Storage, story_id: str, latest: datetime) -> None:
    """A story last reported at `latest`, with one report and its message in a chat."""
    story = a_story(1, ("Rights Wire",), 12)
    facts = replace(story.facts, first_report_at=latest, latest_report_at=latest)
    await storage.stories.save([replace(story, id=story_id, facts=facts)], latest)
    await storage.db.execute(
        "INSERT INTO story_reports (id, story_id, data) VALUES (?, ?, ?)",
        (f"{story_id}/r0", story_id, '{"title": "Police detain dozens at a rally"}'),
    )


async def test_old_stories_notices_missed_links_and_audit_entries_go_too(
    storage: Storage,
) -> None:
    feed = await storage.feeds.add("https://example.org/rss", now=OLD)
    chat = await chat_id(storage)
    for story_id, latest in (("story:old", OLD), ("story:shown", OLD), ("story:new", RECENT)):
        await stored_story(storage, story_id, latest)
        await storage.db.execute(
            "INSERT INTO story_messages (story_id, chat_id, platform_message_id, version,"
            " updated_at) VALUES (?, ?, '7', 1, '2026-01-01T00:00:00+00:00')",
            (story_id, chat),
        )
    # An edit of an old story still waits to be sent: that story stays.
    event = await store_entry(
        storage,
        feed.id,
        item("e", "Roskomnadzor blocked Signal"),
        OLD,
        verdict=detection(),
        chat_ids=[chat],
    )
    await storage.db.execute("UPDATE outbox SET story_id = 'story:shown', kind = 'edit'")
    assert event is not None

    # A failure told and over, then a second failure still going on since long ago.
    first, second = OLD - timedelta(days=30), OLD - timedelta(days=10)
    spells: list[tuple[NoticeKind, datetime, datetime]] = [
        ("failing", first, first),
        ("recovered", first, first + timedelta(days=5)),
        ("failing", second, second),
    ]
    for kind, episode, at in spells:
        notice = await storage.notices.record(feed.id, kind, episode, "text", at)
        assert notice is not None
        await storage.notices.mark_sent(notice.id, at)
    reader = Reporter("telegram", "42", chat)
    await storage.feedback.record_missed("https://example.org/old", reader, OLD, per_day=20)
    await storage.feedback.record_missed("https://example.org/new", reader, RECENT, per_day=20)
    await storage.audit.record("admin", "feed added", "old", TEST_START - timedelta(days=400))
    await storage.audit.record("admin", "feed added", "new", OLD)

    result = await RetentionJob(storage, RetentionPolicy(), FakeClock()).prune_now()

    assert (result.stories, result.notices, result.missed, result.audit) == (1, 1, 1, 1)
    stories = await storage.db.fetchall("SELECT id FROM stories ORDER BY id")
    assert [row["id"] for row in stories] == ["story:new", "story:shown"]
    # The story's reports (the words of its entries) and its message ids went with it.
    reports = await storage.db.fetchall("SELECT story_id FROM story_reports ORDER BY 1")
    assert [row["story_id"] for row in reports] == ["story:new", "story:shown"]
    messages = await storage.db.fetchall("SELECT story_id FROM story_messages ORDER BY 1")
    assert [row["story_id"] for row in messages] == ["story:new", "story:shown"]
    kept = await storage.notices.for_feed(feed.id)
    assert sorted((n.kind, n.episode) for n in kept) == [("failing", second), ("recovered", first)]
    # The failure still going on is not told again.
    assert await storage.notices.record(feed.id, "failing", second, "text", TEST_START) is None
    missed = await storage.db.fetchall("SELECT url FROM missed_links")
    assert [row["url"] for row in missed] == ["https://example.org/new"]
    audit = await storage.audit.recent()
    assert [entry.detail for entry in audit] == ["new"]


async def test_the_prune_gives_the_space_back_to_the_file_system(storage: Storage) -> None:
    feed = await storage.feeds.add("https://example.org/rss", now=OLD)
    for n in range(1500):
        summary = f"Entry {n}: " + "a long summary of the story, " * 60
        await store_entry(storage, feed.id, item(f"u{n}", f"Story number {n}", summary), OLD)
    before = await storage.maintenance.stats()
    result = await RetentionJob(storage, RetentionPolicy(), FakeClock()).prune_now()
    after = await storage.maintenance.stats()
    assert result.entry_texts == 1500
    assert after.pages < before.pages / 3
    assert after.file_bytes + after.wal_bytes < before.pages * before.page_size / 3
    assert after.free_pages == 0 and after.auto_vacuum == "incremental"
    assert after.entries_pruned == 1500 and after.last_prune_at == TEST_START
    assert {t.name: t.rows for t in after.tables}["entries"] == 1500


async def test_a_database_from_before_retention_is_converted_once(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    old = sqlite3.connect(path)
    old.execute("CREATE TABLE leftover (x)")  # made without incremental auto-vacuum
    old.close()
    storage = await Storage.open(path)
    try:
        assert (await storage.maintenance.stats()).auto_vacuum == "none"
        await storage.maintenance.prune(RetentionPolicy().cutoffs(TEST_START), TEST_START)
        assert (await storage.maintenance.stats()).auto_vacuum == "incremental"
    finally:
        await storage.close()


def test_the_prune_is_due_once_a_day_at_its_hour_and_catches_up_after_downtime() -> None:
    policy = RetentionPolicy(hour=4)
    day = TEST_START.replace(hour=0)
    at = day.replace(hour=4, minute=10)
    assert policy.due(at, None)
    assert not policy.due(day.replace(hour=12), None)  # never pruned: wait for the hour
    assert not policy.due(at + timedelta(hours=3), at)  # done today
    assert not policy.due(day.replace(hour=3, minute=59) + timedelta(days=1), at)
    assert policy.due(day.replace(hour=4) + timedelta(days=1), at)
    # Down at the quiet hour for two days: the next start catches up.
    assert policy.due(day.replace(hour=15) + timedelta(days=2), at)
