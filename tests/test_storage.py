"""The storage layer against a real SQLite file."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.domain.chat import Subscription
from bot.pipeline.plan import text_hash
from bot.storage import DuplicateFeedError, Storage
from bot.storage.intents import (
    Delivered,
    DocumentFacts,
    EditedEntry,
    IngestBatch,
    NewEntry,
    PollFailure,
    PollSuccess,
    Verdict,
)
from feeds.models import NormalizedEntry
from tests.conftest import FakeClock
from tests.storage_support import detection, store_entry


def entry(uid: str, title: str = "t", summary: str = "s") -> NormalizedEntry:
    return NormalizedEntry(uid, f"h-{title}-{summary}", title, summary, None, None, "en")


EVENT = detection(fields={"actor": "RKN"})


def facts(**overrides: object) -> DocumentFacts:
    values: dict[str, object] = {
        "title": None,
        "site_url": None,
        "lang": None,
        "new_entries": 0,
        "usual_gap_seconds": None,
        "newest_entry_at": None,
        "ttl_seconds": None,
        "update_period_seconds": None,
    }
    values.update(overrides)
    return DocumentFacts(**values)  # type: ignore[arg-type]


async def test_feeds_are_unique_by_url_and_due_by_time(storage: Storage, clock: FakeClock) -> None:
    feed = await storage.feeds.add("https://a.example/rss", now=clock())
    with pytest.raises(DuplicateFeedError):
        await storage.feeds.add("https://a.example/rss", now=clock())
    assert [f.id for f in await storage.feeds.due(clock())] == [feed.id]
    await storage.feeds.record_poll(
        feed.id,
        PollSuccess(
            at=clock(),
            next_check_at=clock() + timedelta(minutes=10),
            interval_seconds=600,
            etag='"v1"',
            last_modified=None,
            document=facts(title="A", new_entries=3),
        ),
    )
    assert await storage.feeds.due(clock()) == []
    clock.advance(minutes=11)
    [due] = await storage.feeds.due(clock())
    assert (due.etag, due.title, due.primed) == ('"v1"', "A", True)


async def test_failures_count_up_and_reset_on_success(storage: Storage, clock: FakeClock) -> None:
    feed = await storage.feeds.add("https://a.example/rss", now=clock())
    for _ in range(3):
        await storage.feeds.record_poll(
            feed.id, PollFailure(at=clock(), next_check_at=clock(), kind="timeout", message="slow")
        )
        clock.advance(minutes=5)
    failing = await storage.feeds.get(feed.id)
    assert failing is not None and failing.consecutive_failures == 3
    assert failing.failing_since == clock() - timedelta(minutes=15)
    await storage.feeds.record_poll(
        feed.id,
        PollSuccess(
            at=clock(), next_check_at=clock(), interval_seconds=600, etag=None, last_modified=None
        ),
    )
    healed = await storage.feeds.get(feed.id)
    assert healed is not None and healed.consecutive_failures == 0
    assert healed.failing_since is None and healed.last_error is None


async def test_an_entry_is_stored_once_and_an_edit_updates_it(
    storage: Storage, clock: FakeClock
) -> None:
    feed = await storage.feeds.add("https://a.example/rss", now=clock())
    first = IngestBatch(
        feed.id, new=tuple(NewEntry(e, text_hash(e)) for e in (entry("1"), entry("2")))
    )
    assert (await storage.entries.record(first, clock())).new_entries == 2
    # Stored again (another process got there first): nothing new, nothing doubled.
    assert (await storage.entries.record(first, clock())).new_entries == 0
    known = await storage.entries.known(feed.id, ["1", "2", "3"])
    assert sorted(known) == ["1", "2"]
    edited = entry("2", summary="edited into a summary long enough to tell a story")
    await storage.entries.record(
        IngestBatch(feed.id, edited=(EditedEntry(known["2"].id, edited, text_hash(edited)),)),
        clock(),
    )
    again = await storage.entries.known(feed.id, ["2"])
    assert again["2"].content_hash == edited.content_hash
    assert (await storage.feeds.get(feed.id)).entry_count == 2  # type: ignore[union-attr]
    words = text_hash(edited)
    assert words is not None
    assert await storage.entries.texts_seen(feed.id, [words, "x"], []) == {words}


async def test_an_entry_has_at_most_one_event(storage: Storage, clock: FakeClock) -> None:
    feed = await storage.feeds.add("https://a.example/rss", now=clock())
    event_id = await store_entry(storage, feed.id, entry("1"), clock(), verdict=EVENT)
    assert event_id is not None
    known = await storage.entries.known(feed.id, ["1"])
    result = await storage.entries.record(
        IngestBatch(
            feed.id,
            edited=(EditedEntry(known["1"].id, entry("1", "t2"), "h", Verdict(EVENT, ())),),
        ),
        clock(),
    )
    assert result.events == 0  # an edited entry that had an event keeps that one
    event = await storage.entries.event(event_id)
    assert event is not None and event.detection.fields == {"actor": "RKN"}


async def test_entries_events_and_alerts_are_stored_together(
    storage: Storage, clock: FakeClock
) -> None:
    feed = await storage.feeds.add("https://a.example/rss", now=clock())
    chats = [
        await storage.chats.upsert("telegram", str(n), now=clock(), kind="private")
        for n in range(3)
    ]
    batch = IngestBatch(
        feed.id,
        new=(
            NewEntry(entry("1", "Blocked"), "h1", Verdict(EVENT, tuple(c.id for c in chats))),
            NewEntry(entry("2", "Weather"), "h2"),
        ),
    )
    result = await storage.entries.record(batch, clock())
    assert (result.new_entries, result.events, result.alerts) == (2, 1, 3)
    assert await storage.outbox.counts() == {"pending": 3}


async def test_outbox_fanout_is_idempotent_and_recovers_after_a_crash(
    storage: Storage, clock: FakeClock
) -> None:
    feed = await storage.feeds.add("https://a.example/rss", now=clock())
    event_id = await store_entry(storage, feed.id, entry("1", "Blocked"), clock(), verdict=EVENT)
    assert event_id is not None
    chats = [
        await storage.chats.upsert("telegram", str(n), now=clock(), kind="private")
        for n in range(3)
    ]
    assert await storage.outbox.enqueue(event_id, [c.id for c in chats], clock()) == 3
    assert await storage.outbox.enqueue(event_id, [c.id for c in chats], clock()) == 0
    leased = await storage.outbox.lease_due(clock(), ["telegram"], limit=2)
    assert [a.title for a in leased] == ["Blocked", "Blocked"]
    assert await storage.outbox.lease_due(clock(), ["discord"]) == []
    assert await storage.outbox.begin_send_many([a.outbox_id for a in leased]) == {
        a.outbox_id for a in leased
    }
    await storage.outbox.record([Delivered(leased[0].outbox_id, clock(), "m1")])
    # The process dies here with leased[1] in flight.
    assert await storage.outbox.recover_inflight() == 1
    rest = await storage.outbox.lease_due(clock(), ["telegram"])
    # The interrupted one is sent again, with the one never begun; the delivered one is not.
    assert len(rest) == 2
    assert leased[1].outbox_id in {a.outbox_id for a in rest}
    assert leased[0].outbox_id not in {a.outbox_id for a in rest}
    assert await storage.outbox.counts() == {"delivered": 1, "pending": 2}


async def test_subscriptions_replace_and_deactivated_chats_get_nothing(
    storage: Storage, clock: FakeClock
) -> None:
    chat = await storage.chats.upsert("telegram", "-100", now=clock(), kind="supergroup")
    await storage.chats.subscribe(chat.id, Subscription(chat.id, ("arrest",)), now=clock())
    await storage.chats.subscribe(
        chat.id, Subscription(chat.id, ("censorship",), include_words=("Москва",)), now=clock()
    )
    [(_, sub)] = await storage.chats.active_subscriptions()
    assert sub.categories == ("censorship",) and sub.include_words == ("Москва",)
    await storage.chats.deactivate(chat.id, "bot was kicked", clock())
    assert await storage.chats.active_subscriptions() == []
    assert [c.deactivated_reason for c in await storage.chats.inactive()] == ["bot was kicked"]
    # Subscribing again is how a chat comes back.
    await storage.chats.subscribe(chat.id, Subscription(chat.id, ("arrest",)), now=clock())
    assert len(await storage.chats.active_subscriptions()) == 1


async def test_removing_a_feed_removes_its_entries_events_and_deliveries(
    storage: Storage, clock: FakeClock
) -> None:
    feed = await storage.feeds.add("https://a.example/rss", now=clock())
    event_id = await store_entry(storage, feed.id, entry("1"), clock(), verdict=EVENT)
    chat = await storage.chats.upsert("console", "terminal", now=clock(), kind="console")
    await storage.outbox.enqueue(event_id or 0, [chat.id], clock())
    assert await storage.feeds.remove(feed.id)
    assert await storage.outbox.counts() == {}


async def test_feeds_by_ids_are_the_ones_asked_for_in_id_order(
    storage: Storage, clock: FakeClock
) -> None:
    feeds = [await storage.feeds.add(f"https://{n}.example/rss", now=clock()) for n in range(5)]
    asked = [feeds[3].id, feeds[1].id, feeds[3].id, 999]
    assert [f.url for f in await storage.feeds.by_ids(asked)] == [feeds[1].url, feeds[3].url]
    assert await storage.feeds.by_ids([]) == []
