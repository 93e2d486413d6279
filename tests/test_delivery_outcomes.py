"""What the delivery loop records for each answer a platform gives, and what each
record leaves in the outbox a person would notice: whether and when an alert goes
out again, the error an admin sees, the message later edits refer to."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from bot.delivery.contract import Outcome, SendResult
from bot.delivery.decisions import outcome_writes
from bot.domain.alert import Alert
from bot.domain.chat import Chat, Subscription
from bot.domain.vocabulary import CATEGORIES
from bot.pipeline.plan import text_hash
from bot.storage import Storage
from bot.storage.intents import (
    ChatGone,
    ChatMoved,
    ChatPaused,
    Delivered,
    DeliveryOutcome,
    Failed,
    IngestBatch,
    NewEntry,
    Requeued,
    RetryLater,
    StoryMessageGone,
    StoryShown,
    StoryWrite,
    Verdict,
)
from bot.stories.records import (
    Action,
    FeedKey,
    Report,
    Story,
    TimeSpan,
)
from bot.timeutil import from_db
from feeds.models import NormalizedEntry
from tests.alert_support import a_story, an_alert
from tests.conftest import TEST_START, FakeClock
from tests.storage_support import claim_due, detection, store_entry

NOW = TEST_START
LATER = NOW + timedelta(seconds=30)
CHAT = Chat(7, "telegram", "-1001", "", "supergroup", "Newsroom", "en", True)


def story(version: int) -> Story:
    """The story as stored at `version`: one outlet's report per version."""
    return a_story(version, tuple(f"outlet{n}" for n in range(version)), 10)


def alert(**extra: object) -> Alert:
    """Row 41 of a chat, on its third attempt."""
    return an_alert(CHAT, 41, title="Rally dispersed", attempts=2, **extra)


PLAIN = alert()
EDIT = alert(kind="edit", story=story(3), message_id="m9", shown_version=2)
SEND = alert(story=story(3))
TOKEN_URL = "https://api.telegram.org/bot123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw/sendMessage"


@pytest.mark.parametrize(
    ("sent", "answer", "expected"),
    [
        pytest.param(
            PLAIN,
            SendResult(Outcome.DELIVERED, message_id="m1"),
            (Delivered(41, NOW, "m1"),),
            id="delivered",
        ),
        pytest.param(
            SEND,
            SendResult(Outcome.DELIVERED, message_id="m1"),
            (StoryShown(41, NOW, "m1", 3),),
            id="story-sent",
        ),
        pytest.param(
            EDIT,
            SendResult(Outcome.DELIVERED, message_id="m9"),
            (StoryShown(41, NOW, "m9", 3),),
            id="story-edited",
        ),
        pytest.param(
            PLAIN,
            SendResult(Outcome.RETRY, error="HTTP 502"),
            # The third attempt waits 5 s * 2^2.
            (RetryLater(41, NOW + timedelta(seconds=20), "HTTP 502"),),
            id="retry",
        ),
        pytest.param(
            PLAIN,
            SendResult(Outcome.RETRY, error=f"cannot reach {TOKEN_URL}"),
            (
                RetryLater(
                    41,
                    NOW + timedelta(seconds=20),
                    "cannot reach https://api.telegram.org/bot***/sendMessage",
                ),
            ),
            id="retry-token-hidden",
        ),
        pytest.param(
            PLAIN,
            SendResult(Outcome.UNAVAILABLE, error="HTTP 503"),
            (Requeued(41, LATER, "HTTP 503"),),
            id="unavailable",
        ),
        pytest.param(
            PLAIN,
            SendResult(Outcome.RATE_LIMITED, retry_after=30, error="Too Many Requests"),
            (Requeued(41, LATER, "Too Many Requests"),),
            id="rate-limited-platform",
        ),
        pytest.param(
            PLAIN,
            SendResult(Outcome.RATE_LIMITED, retry_after=30, chat_only=True),
            (ChatPaused(7, LATER), Requeued(41, LATER, "rate_limited")),
            id="rate-limited-chat",
        ),
        pytest.param(
            PLAIN,
            SendResult(Outcome.CHAT_GONE, error="Forbidden: bot was kicked"),
            (
                Failed(41, "Forbidden: bot was kicked"),
                ChatGone(7, NOW, "Forbidden: bot was kicked"),
            ),
            id="chat-gone",
        ),
        pytest.param(
            PLAIN,
            SendResult(Outcome.MIGRATED, new_chat_id="-1009"),
            (ChatMoved(7, "-1009", NOW), Requeued(41, NOW, "moved to -1009")),
            id="migrated",
        ),
        pytest.param(
            PLAIN,
            SendResult(Outcome.MIGRATED, error="moved somewhere"),
            (RetryLater(41, NOW + timedelta(seconds=20), "moved somewhere"),),
            id="migrated-without-id",
        ),
        pytest.param(
            PLAIN,
            SendResult(Outcome.FAILED, error="Bad Request: message is too long"),
            (Failed(41, "Bad Request: message is too long"),),
            id="failed",
        ),
        pytest.param(
            EDIT,
            SendResult(Outcome.MESSAGE_GONE, error="message to edit not found"),
            (StoryMessageGone(41, NOW, "message to edit not found"),),
            id="story-message-gone",
        ),
        pytest.param(
            PLAIN,
            SendResult(Outcome.MESSAGE_GONE, error="message to edit not found"),
            (Failed(41, "message to edit not found"),),
            id="message-gone-not-an-edit",
        ),
    ],
)
def test_each_answer_becomes_what_the_loop_records(
    sent: Alert, answer: SendResult, expected: tuple[DeliveryOutcome, ...]
) -> None:
    assert outcome_writes(sent, answer, NOW, resume=LATER) == expected


# Storage: each intent on a real SQLite file.


async def subscribed_chat(storage: Storage, external_id: str, now: datetime) -> Chat:
    chat = await storage.chats.upsert("telegram", external_id, now=now, kind="supergroup")
    await storage.chats.subscribe(chat.id, Subscription(chat.id, CATEGORIES), now=now)
    return chat


async def plain_rows(storage: Storage, clock: FakeClock, count: int) -> tuple[Chat, list[int]]:
    """A chat with `count` alerts queued, the first one being sent."""
    feed = await storage.feeds.add("https://news.example/rss", now=clock())
    chat = await subscribed_chat(storage, "-1001", clock())
    for n in range(count):
        item = NormalizedEntry(f"uid-{n}", f"h{n}", f"Site {n} blocked", "", None, None, "en")
        await store_entry(storage, feed.id, item, clock(), verdict=detection(), chat_ids=[chat.id])
        clock.advance(seconds=1)
    rows = await storage.db.fetchall("SELECT id FROM outbox ORDER BY id")
    ids = [int(row["id"]) for row in rows]
    await storage.outbox.begin_send_many(ids[:1])
    return chat, ids


async def row_state(storage: Storage, outbox_id: int) -> tuple[object, ...]:
    """(status, next attempt, error, platform message id, attempts) of one row."""
    row = await storage.db.fetchone(
        "SELECT status, next_attempt_at, last_error, platform_message_id, attempts"
        " FROM outbox WHERE id = ?",
        (outbox_id,),
    )
    assert row is not None
    return (
        row["status"],
        from_db(row["next_attempt_at"]),
        row["last_error"],
        row["platform_message_id"],
        row["attempts"],
    )


async def test_a_delivered_row_keeps_its_message_and_loses_its_error(
    storage: Storage, clock: FakeClock
) -> None:
    _, [row] = await plain_rows(storage, clock, 1)
    due = clock.now - timedelta(seconds=1)
    await storage.outbox.record([RetryLater(row, due, "HTTP 502")])
    await storage.outbox.begin_send_many([row])
    await storage.outbox.record([Delivered(row, clock(), "m1")])
    assert await row_state(storage, row) == ("delivered", due, None, "m1", 2)
    assert await storage.outbox.lease_due(clock.now + timedelta(days=1), ["telegram"]) == []


async def test_a_retry_waits_and_keeps_its_attempt_a_requeue_gives_it_back(
    storage: Storage, clock: FakeClock
) -> None:
    _, [first, second] = await plain_rows(storage, clock, 2)
    await storage.outbox.begin_send_many([second])
    later = clock() + timedelta(seconds=20)
    await storage.outbox.record(
        [RetryLater(first, later, "HTTP 502"), Requeued(second, later, "Too Many Requests")]
    )
    assert await row_state(storage, first) == ("pending", later, "HTTP 502", None, 1)
    assert await row_state(storage, second) == ("pending", later, "Too Many Requests", None, 0)
    assert await storage.outbox.lease_due(clock(), ["telegram"]) == []
    due = await storage.outbox.lease_due(later, ["telegram"])
    assert [a.outbox_id for a in due] == [first, second]


async def test_a_requeue_leaves_a_row_settled_meanwhile_as_it_is(
    storage: Storage, clock: FakeClock
) -> None:
    _, [row] = await plain_rows(storage, clock, 1)
    await storage.outbox.record([Failed(row, "chat moved"), Requeued(row, clock(), "moved")])
    assert (await row_state(storage, row))[0::2] == ("failed", "chat moved", 1)


async def test_a_failure_is_stored_without_the_bot_token(
    storage: Storage, clock: FakeClock
) -> None:
    _, [row] = await plain_rows(storage, clock, 1)
    await storage.outbox.record([Failed(row, f"Bad Request from {TOKEN_URL}")])
    status, _, error, message_id, _ = await row_state(storage, row)
    assert (status, message_id) == ("failed", None)
    assert error == "Bad Request from https://api.telegram.org/bot***/sendMessage"


async def test_a_paused_chat_holds_back_only_rows_due_before_the_pause_ends(
    storage: Storage, clock: FakeClock
) -> None:
    chat, [first, second, third] = await plain_rows(storage, clock, 3)
    until = clock() + timedelta(minutes=1)
    beyond = until + timedelta(minutes=5)
    await storage.outbox.record([RetryLater(third, beyond, "HTTP 502")])
    await storage.outbox.record([ChatPaused(chat.id, until), Requeued(first, until, "429")])
    assert [(await row_state(storage, r))[:2] for r in (first, second, third)] == [
        ("pending", until),
        ("pending", until),
        ("pending", beyond),
    ]


async def test_a_gone_chat_is_deactivated_and_nothing_more_is_sent_there(
    storage: Storage, clock: FakeClock
) -> None:
    chat, [first, second] = await plain_rows(storage, clock, 2)
    reason = "Forbidden: bot was kicked"
    await storage.outbox.record([Failed(first, reason), ChatGone(chat.id, clock(), reason)])
    assert (await row_state(storage, first))[0::2] == ("failed", reason, 1)
    assert (await row_state(storage, second))[0::2] == (
        "failed",
        f"chat deactivated: {reason}",
        0,
    )
    [gone] = await storage.chats.inactive()
    assert (gone.id, gone.deactivated_reason) == (chat.id, reason)
    assert await storage.outbox.lease_due(clock.now + timedelta(days=1), ["telegram"]) == []


async def test_a_moved_chat_gets_its_alert_at_once_under_its_new_id(
    storage: Storage, clock: FakeClock
) -> None:
    chat, [row] = await plain_rows(storage, clock, 1)
    await storage.outbox.record(
        [ChatMoved(chat.id, "-1009", clock()), Requeued(row, clock(), "moved to -1009")]
    )
    assert await row_state(storage, row) == ("pending", clock(), "moved to -1009", None, 0)
    [again] = await storage.outbox.lease_due(clock(), ["telegram"])
    assert (again.outbox_id, again.chat.id, again.chat.external_id) == (row, chat.id, "-1009")


async def test_a_chat_moved_onto_one_that_had_the_alert_is_not_sent_it_twice(
    storage: Storage, clock: FakeClock
) -> None:
    feed = await storage.feeds.add("https://news.example/rss", now=clock())
    old = await subscribed_chat(storage, "-1001", clock())
    new = await subscribed_chat(storage, "-1009", clock())
    item = NormalizedEntry("uid", "h", "Site blocked", "", None, None, "en")
    await store_entry(
        storage, feed.id, item, clock(), verdict=detection(), chat_ids=[old.id, new.id]
    )
    [sending] = [a for a in await claim_due(storage, clock(), ["telegram"]) if a.chat.id == old.id]
    await storage.outbox.record(
        [
            ChatMoved(old.id, "-1009", clock()),
            Requeued(sending.outbox_id, clock(), "moved to -1009"),
        ]
    )
    status, _, error, _, _ = await row_state(storage, sending.outbox_id)
    assert (status, error) == ("failed", "chat moved; the new chat already had this alert")


async def test_a_batch_of_many_rows_answers_leaves_each_row_as_its_own_answer_says(
    storage: Storage, clock: FakeClock
) -> None:
    _, rows = await plain_rows(storage, clock, 4)
    await storage.outbox.begin_send_many(rows)
    later = clock() + timedelta(seconds=20)
    await storage.outbox.record(
        [
            Delivered(rows[0], clock(), "m1"),
            Delivered(rows[1], clock(), "m2"),
            RetryLater(rows[2], later, "HTTP 502"),
            Delivered(rows[3], clock(), "m4"),
        ]
    )
    assert [await row_state(storage, r) for r in rows] == [
        ("delivered", NOW, None, "m1", 1),
        ("delivered", NOW + timedelta(seconds=1), None, "m2", 1),
        ("pending", later, "HTTP 502", None, 1),
        ("delivered", NOW + timedelta(seconds=3), None, "m4", 1),
    ]


async def test_one_transaction_writes_all_of_a_batch_or_none_of_it(
    storage: Storage, clock: FakeClock
) -> None:
    _, [first, second] = await plain_rows(storage, clock, 2)
    with pytest.raises(Exception):  # noqa: B017 - whatever the database raises
        # A date SQLite cannot be told: the second write fails, the first is undone.
        await storage.outbox.record(
            [Failed(first, "refused"), RetryLater(second, object(), "x")]  # type: ignore[arg-type]
        )
    assert [(await row_state(storage, r))[0] for r in (first, second)] == ["sending", "pending"]


# Story rows: the message a chat has of a story, edited in place.


def report(n: int) -> Report:
    return Report(
        id=f"r{n}",
        feed=FeedKey("https://news.example/rss", f"uid-{n}"),
        title=f"Rally dispersed, report {n}",
        summary="",
        lang="en",
        published=TimeSpan(NOW, NOW, "moment"),
        outlet=f"outlet{n}",
        link=f"https://news.example/{n}",
        categories=("arrest",),
        weak_categories=(),
        modality="event",
        phase="event",
    )


async def story_report(
    storage: Storage, clock: FakeClock, feed_id: int, chat_id: int, version: int, action: Action
) -> None:
    """The story's `version`th report arrives: the chat's message is sent or edited."""
    n = version - 1
    item = NormalizedEntry(
        f"uid-{n}", f"h{n}", f"Rally dispersed, report {n}", "", None, None, "en"
    )
    write = StoryWrite(report(n), story(version), action, (), (chat_id,))
    verdict = Verdict(detection(("arrest",)), (), story=write)
    await storage.entries.record(
        IngestBatch(feed_id, new=(NewEntry(item, text_hash(item), verdict),)), clock()
    )
    clock.advance(seconds=1)


async def story_message_sent(storage: Storage, clock: FakeClock) -> tuple[int, int, int]:
    """A story whose message the chat has (version 1), and the edit its second report
    queued, being sent: (chat id, send row, edit row)."""
    feed = await storage.feeds.add("https://news.example/rss", now=clock())
    chat = await subscribed_chat(storage, "-1001", clock())
    await story_report(storage, clock, feed.id, chat.id, 1, "new")
    [send] = await claim_due(storage, clock(), ["telegram"])
    await storage.outbox.record([StoryShown(send.outbox_id, clock(), "m1", 1)])
    assert await storage.stories.message("story:r0", chat.id) == ("m1", 1)
    await story_report(storage, clock, feed.id, chat.id, 2, "join")
    [edit] = await claim_due(storage, clock(), ["telegram"])
    assert (edit.kind, edit.message_id) == ("edit", "m1")
    return chat.id, send.outbox_id, edit.outbox_id


async def test_an_edit_shown_moves_the_chats_message_to_the_new_version(
    storage: Storage, clock: FakeClock
) -> None:
    chat_id, _, edit = await story_message_sent(storage, clock)
    await storage.outbox.record([StoryShown(edit, clock(), "m1", 2)])
    assert (await row_state(storage, edit))[0] == "delivered"
    assert await storage.stories.message("story:r0", chat_id) == ("m1", 2)


async def test_an_edit_overtaken_by_a_newer_version_goes_out_again(
    storage: Storage, clock: FakeClock
) -> None:
    chat_id, _, edit = await story_message_sent(storage, clock)
    feed = await storage.feeds.get_by_url("https://news.example/rss")
    assert feed is not None
    await story_report(storage, clock, feed.id, chat_id, 3, "join")
    await storage.outbox.record([StoryShown(edit, clock(), "m1", 2)])
    assert (await row_state(storage, edit))[0] == "pending"
    assert await storage.stories.message("story:r0", chat_id) == ("m1", 2)
    [again] = await storage.outbox.lease_due(clock.now + timedelta(minutes=1), ["telegram"])
    assert (again.outbox_id, again.story and again.story.version) == (edit, 3)


async def test_a_story_message_gone_is_sent_afresh_at_once(
    storage: Storage, clock: FakeClock
) -> None:
    chat_id, send, edit = await story_message_sent(storage, clock)
    await storage.outbox.record([StoryMessageGone(edit, clock(), "message to edit not found")])
    assert (await row_state(storage, edit))[0::2] == (
        "delivered",
        "message to edit not found",
        1,
    )
    assert await row_state(storage, send) == (
        "pending",
        clock(),
        "message to edit not found",
        None,
        1,
    )
    assert await storage.stories.message("story:r0", chat_id) is None
    [fresh] = await storage.outbox.lease_due(clock(), ["telegram"])
    assert (fresh.outbox_id, fresh.kind, fresh.story and fresh.story.version) == (send, "send", 2)
