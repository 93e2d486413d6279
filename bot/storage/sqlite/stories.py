"""Stories, their reports and the message that shows each story in each chat.

A story's record and its reports' evidence are kept as the JSON of
`bot.stories.codec`, so the grouper is rebuilt exactly after a restart. The
outbox rows a story change queues are written here too, in the transaction that
stores the entry (`write_story`, called by `EntryStore.record`), so that a stop
at any moment either stored the report, the story and its messages' rows, or
none of them.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime

import aiosqlite

from bot.storage.errors import StoriesChangedError
from bot.storage.intents import StoriesStamp, StoryWrite
from bot.storage.sqlite.database import Database
from bot.stories.codec import report_from_dict, report_to_dict, story_from_dict, story_to_dict
from bot.stories.records import Report, Story
from bot.timeutil import to_db

# The stamp every write of stories leaves (see StoriesStamp), in the meta table.
_STAMP_KEY = "stories_stamp"


async def read_stamp(connection: aiosqlite.Connection) -> str | None:
    cursor = await connection.execute("SELECT value FROM meta WHERE key = ?", (_STAMP_KEY,))
    row = await cursor.fetchone()
    await cursor.close()
    return None if row is None else str(row[0])


async def check_and_stamp(connection: aiosqlite.Connection, stamp: StoriesStamp) -> None:
    """Inside the write's transaction: refuse it when another process wrote stories
    since `stamp.expected` was read, else leave `stamp.new`."""
    if await read_stamp(connection) != stamp.expected:
        raise StoriesChangedError()
    await connection.execute(
        "INSERT INTO meta (key, value) VALUES (?, ?)"
        " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (_STAMP_KEY, stamp.new),
    )


_UPSERT_STORY = (
    "INSERT INTO stories (id, version, state, first_report_at, latest_report_at, updated_at,"
    " data, place_names) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
    " ON CONFLICT (id) DO UPDATE SET version = excluded.version, state = excluded.state,"
    " first_report_at = excluded.first_report_at,"
    " latest_report_at = excluded.latest_report_at, updated_at = excluded.updated_at,"
    " data = excluded.data, place_names = CASE WHEN excluded.place_names = '{}'"
    " THEN stories.place_names ELSE excluded.place_names END"
    # A newer version never gives way to an older one written late.
    " WHERE excluded.version > stories.version"
)

# An edit row per (story message, chat), re-armed by every newer version: while it
# waits, a newer version only raises the version it will show (a burst makes one
# edit); once sent, it waits `hold_back` again. A row being sent stays so; the
# delivery records it pending again when the version it showed is not the latest.
_ARM_EDIT = (
    "INSERT INTO outbox (event_id, chat_id, kind, story_id, story_version, next_attempt_at,"
    " created_at) VALUES (?, ?, 'edit', ?, ?, ?, ?)"
    " ON CONFLICT (event_id, chat_id, kind) DO UPDATE SET"
    " story_version = MAX(COALESCE(outbox.story_version, 0), excluded.story_version),"
    " status = CASE WHEN outbox.status = 'sending' THEN 'sending' ELSE 'pending' END,"
    " next_attempt_at = CASE WHEN outbox.status = 'pending' THEN outbox.next_attempt_at"
    " ELSE excluded.next_attempt_at END,"
    " attempts = CASE WHEN outbox.status IN ('pending', 'sending') THEN outbox.attempts"
    " ELSE 0 END,"
    " created_at = CASE WHEN outbox.status IN ('pending', 'sending') THEN outbox.created_at"
    " ELSE excluded.created_at END"
)


def _story_row(
    story: Story, now: str, place_names: Mapping[str, Mapping[str, str]] | None = None
) -> tuple[object, ...]:
    return (
        story.id,
        story.version,
        story.state,
        to_db(story.facts.first_report_at),
        to_db(story.facts.latest_report_at),
        now,
        json.dumps(story_to_dict(story), ensure_ascii=False),
        json.dumps(place_names or {}, ensure_ascii=False, sort_keys=True),
    )


async def _event_of(connection: aiosqlite.Connection, entry_id: int) -> int | None:
    cursor = await connection.execute("SELECT id FROM events WHERE entry_id = ?", (entry_id,))
    row = await cursor.fetchone()
    await cursor.close()
    return int(row[0]) if row else None


async def write_story(
    connection: aiosqlite.Connection,
    write: StoryWrite,
    entry_id: int,
    new_event: int | None,
    now: datetime,
) -> int:
    """Store the story change of one entry and queue what it means for each chat;
    returns the outbox rows added or re-armed. `new_event`: the event this write
    created; None for an entry that already had one (an edited entry): its story's
    messages are edited and answered, but no chat gets a new message for it, as an
    edit never alerts twice."""
    seen_at = to_db(now) or ""
    story = write.story
    await connection.execute(_UPSERT_STORY, _story_row(story, seen_at, write.place_names))
    await connection.execute(
        "INSERT INTO story_reports (id, story_id, entry_id, data) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (id) DO UPDATE SET story_id = excluded.story_id,"
        " entry_id = excluded.entry_id, data = excluded.data",
        (
            write.report.id,
            story.id,
            entry_id,
            json.dumps(report_to_dict(write.report), ensure_ascii=False),
        ),
    )
    event_id = new_event if new_event is not None else await _event_of(connection, entry_id)
    due = to_db(now + write.hold_back) or seen_at
    # The chats that have (or are about to get) the story's message: one send row each.
    cursor = await connection.execute(
        "SELECT chat_id, event_id, status FROM outbox"
        " WHERE story_id = ? AND kind = 'send' AND status != 'failed'",
        (story.id,),
    )
    holders = {
        int(r["chat_id"]): (int(r["event_id"]), str(r["status"])) for r in await cursor.fetchall()
    }
    await cursor.close()
    before = connection.total_changes
    note = " ".join(write.escalations)
    for chat_id, (send_event, status) in sorted(holders.items()):
        if status == "pending":
            continue  # not sent yet: it will show the story as it is when it leaves
        await connection.execute(
            _ARM_EDIT, (send_event, chat_id, story.id, story.version, due, seen_at)
        )
        if note and event_id is not None:
            # Edits are silent: an escalation also gets a short reply, at once.
            await connection.execute(
                "INSERT OR IGNORE INTO outbox (event_id, chat_id, kind, story_id,"
                " story_version, note, next_attempt_at, created_at)"
                " VALUES (?, ?, 'reply', ?, ?, ?, ?, ?)",
                (event_id, chat_id, story.id, story.version, note, seen_at, seen_at),
            )
    newcomers = [c for c in write.chat_ids if c not in holders]
    if newcomers and new_event is not None:
        await connection.executemany(
            "INSERT OR IGNORE INTO outbox (event_id, chat_id, kind, story_id, story_version,"
            " next_attempt_at, created_at) VALUES (?, ?, 'send', ?, ?, ?, ?)",
            [(new_event, c, story.id, story.version, due, seen_at) for c in newcomers],
        )
    return connection.total_changes - before


class StoryStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def save(
        self, stories: Sequence[Story], now: datetime, stamp: StoriesStamp | None = None
    ) -> None:
        """Store new versions of stories (closed ones, after `Grouper.close_expired`),
        decided against the stories as of `stamp.expected` (see StoriesStamp). With no
        stamp (a tool's write), a fresh one tells every process to read them again."""
        if not stories:
            return
        async with self._db.transaction() as connection:
            if stamp is None:
                stamp = StoriesStamp(await read_stamp(connection), uuid.uuid4().hex)
            await check_and_stamp(connection, stamp)
            await connection.executemany(
                _UPSERT_STORY, [_story_row(s, to_db(now) or "") for s in stories]
            )

    async def stamp(self) -> str | None:
        """The stamp of the stored stories now (None before any stamped write)."""
        row = await self._db.fetchone("SELECT value FROM meta WHERE key = ?", (_STAMP_KEY,))
        return None if row is None else str(row["value"])

    async def for_grouper(self, since: datetime) -> tuple[list[Story], list[Report]]:
        """What `Grouper.restore` needs after a restart: the open stories, the closed
        ones changed since `since`, and their reports."""
        rows = await self._db.fetchall(
            "SELECT data FROM stories WHERE state = 'open' OR updated_at >= ? ORDER BY rowid",
            (to_db(since),),
        )
        stories = [story_from_dict(json.loads(r["data"])) for r in rows]
        reports: list[Report] = []
        if stories:
            found = await self._db.fetchall(
                "SELECT r.data FROM story_reports r JOIN stories s ON s.id = r.story_id"
                " WHERE s.state = 'open' OR s.updated_at >= ? ORDER BY r.rowid",
                (to_db(since),),
            )
            reports = [report_from_dict(json.loads(r["data"])) for r in found]
        return stories, reports

    async def recent(self, since: datetime, limit: int = 200) -> list[Story]:
        """Stories with a report since `since`, the latest first."""
        rows = await self._db.fetchall(
            "SELECT data FROM stories WHERE latest_report_at >= ?"
            " ORDER BY latest_report_at DESC, id LIMIT ?",
            (to_db(since), limit),
        )
        return [story_from_dict(json.loads(r["data"])) for r in rows]

    async def get(self, story_id: str) -> Story | None:
        row = await self._db.fetchone("SELECT data FROM stories WHERE id = ?", (story_id,))
        return story_from_dict(json.loads(row["data"])) if row else None

    async def message(self, story_id: str, chat_id: int) -> tuple[str, int] | None:
        """The platform message id that shows the story in the chat, and its version."""
        row = await self._db.fetchone(
            "SELECT platform_message_id, version FROM story_messages"
            " WHERE story_id = ? AND chat_id = ?",
            (story_id, chat_id),
        )
        return (str(row["platform_message_id"]), int(row["version"])) if row else None
