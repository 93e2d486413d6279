-- tocsin: rebuilds tables
-- Stories: one per real-world event, the reports they hold, and per chat the
-- message that shows each story (docs/stories.md, "Delivery").
--
-- A story's record and each report's evidence are stored as the JSON of
-- bot/stories/codec.py, so the grouper is rebuilt exactly after a restart; the
-- columns beside the JSON are what queries select on.
CREATE TABLE stories (
    id               TEXT    PRIMARY KEY,
    version          INTEGER NOT NULL,
    state            TEXT    NOT NULL CHECK (state IN ('open', 'closed')),
    first_report_at  TEXT    NOT NULL,
    latest_report_at TEXT    NOT NULL,
    updated_at       TEXT    NOT NULL,
    data             TEXT    NOT NULL,
    -- The names of the story's places in every language ({"ru/moscow": {"en": ...}}).
    place_names      TEXT    NOT NULL DEFAULT '{}'
);
CREATE INDEX stories_latest ON stories (latest_report_at);

CREATE TABLE story_reports (
    id       TEXT    PRIMARY KEY,
    story_id TEXT    NOT NULL REFERENCES stories (id) ON DELETE CASCADE,
    -- The entry the report was read from; NULL once its feed was removed.
    entry_id INTEGER REFERENCES entries (id) ON DELETE SET NULL,
    data     TEXT    NOT NULL
);
CREATE INDEX story_reports_story ON story_reports (story_id);

-- The message that shows a story in a chat, and the story version it shows.
CREATE TABLE story_messages (
    story_id            TEXT    NOT NULL REFERENCES stories (id) ON DELETE CASCADE,
    chat_id             INTEGER NOT NULL REFERENCES chats (id) ON DELETE CASCADE,
    platform_message_id TEXT    NOT NULL,
    version             INTEGER NOT NULL,
    updated_at          TEXT    NOT NULL,
    PRIMARY KEY (story_id, chat_id)
);

-- The outbox learns kinds: 'send' a new message (an alert, or a story's first
-- message), 'edit' a story's message in place, 'reply' to it (an escalation).
-- Story rows name their story and the version that queued them; an edit row is
-- re-armed with each newer version, so a burst of reports makes one edit. SQLite
-- cannot change a UNIQUE constraint, so the table is rebuilt.
CREATE TABLE outbox_new (
    id                  INTEGER PRIMARY KEY,
    event_id            INTEGER NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    chat_id             INTEGER NOT NULL REFERENCES chats (id) ON DELETE CASCADE,
    status              TEXT    NOT NULL DEFAULT 'pending'
                        CHECK (status IN ('pending', 'sending', 'delivered', 'failed')),
    attempts            INTEGER NOT NULL DEFAULT 0,
    next_attempt_at     TEXT    NOT NULL,
    last_error          TEXT,
    created_at          TEXT    NOT NULL,
    delivered_at        TEXT,
    platform_message_id TEXT,
    kind                TEXT    NOT NULL DEFAULT 'send' CHECK (kind IN ('send', 'edit', 'reply')),
    story_id            TEXT    REFERENCES stories (id) ON DELETE SET NULL,
    story_version       INTEGER,
    -- For a reply: the escalations it announces ("detained court").
    note                TEXT    NOT NULL DEFAULT '',
    UNIQUE (event_id, chat_id, kind)
);
INSERT INTO outbox_new (id, event_id, chat_id, status, attempts, next_attempt_at, last_error,
                        created_at, delivered_at, platform_message_id)
SELECT id, event_id, chat_id, status, attempts, next_attempt_at, last_error,
       created_at, delivered_at, platform_message_id
FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_new RENAME TO outbox;
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
CREATE INDEX outbox_delivered ON outbox (status, delivered_at);
CREATE INDEX outbox_story ON outbox (story_id, chat_id) WHERE story_id IS NOT NULL;

-- What a chat gets: one message per story, kept current (1, the default), or a
-- message for every report (0).
ALTER TABLE subscriptions ADD COLUMN grouped INTEGER NOT NULL DEFAULT 1;
