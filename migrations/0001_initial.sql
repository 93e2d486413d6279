-- Tocsin's first schema: feeds with their fetch state, entries, events, chats,
-- subscriptions, the delivery outbox and the admin audit log.
-- Times are ISO 8601 UTC strings ("2026-11-24T12:00:00+00:00"), which sort as text.

CREATE TABLE feeds (
    id                   INTEGER PRIMARY KEY,
    url                  TEXT    NOT NULL UNIQUE,
    title                TEXT    NOT NULL DEFAULT '',
    site_url             TEXT,
    lang                 TEXT,
    country              TEXT,
    kind                 TEXT    NOT NULL DEFAULT 'news',
    enabled              INTEGER NOT NULL DEFAULT 1,
    added_at             TEXT    NOT NULL,
    added_by             TEXT,
    -- How many of the newest entries already present at the first poll may alert.
    -- NULL means the global BACKLOG_ALERTS setting.
    backlog_alerts       INTEGER,
    -- Fetch state, owned by the poller.
    etag                 TEXT,
    last_modified        TEXT,
    next_check_at        TEXT    NOT NULL,
    interval_seconds     INTEGER,
    last_checked_at      TEXT,
    last_success_at      TEXT,
    last_new_entry_at    TEXT,
    last_error           TEXT,
    last_error_kind      TEXT,
    consecutive_failures INTEGER NOT NULL DEFAULT 0,
    failing_since        TEXT,
    failure_notified_at  TEXT,
    silent_notified_at   TEXT,
    primed               INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX feeds_due ON feeds (enabled, next_check_at);

CREATE TABLE entries (
    id            INTEGER PRIMARY KEY,
    feed_id       INTEGER NOT NULL REFERENCES feeds (id) ON DELETE CASCADE,
    uid           TEXT    NOT NULL,
    content_hash  TEXT    NOT NULL,
    title         TEXT    NOT NULL,
    summary       TEXT    NOT NULL,
    link          TEXT,
    lang          TEXT,
    published_at  TEXT,
    first_seen_at TEXT    NOT NULL,
    updated_at    TEXT,
    UNIQUE (feed_id, uid)
);

-- One event per entry: an entry about both a blocking and detentions is one alert
-- carrying both labels, not two messages.
CREATE TABLE events (
    id              INTEGER PRIMARY KEY,
    entry_id        INTEGER NOT NULL UNIQUE REFERENCES entries (id) ON DELETE CASCADE,
    categories      TEXT    NOT NULL,
    weak_categories TEXT    NOT NULL DEFAULT '',
    modality        TEXT    NOT NULL DEFAULT 'event',
    score           REAL    NOT NULL,
    severity        TEXT    NOT NULL,
    explanation     TEXT    NOT NULL,
    fields          TEXT    NOT NULL DEFAULT '{}',
    lang            TEXT,
    created_at      TEXT    NOT NULL
);
CREATE INDEX events_created ON events (created_at);

-- A chat is a destination: a Telegram chat, one forum topic of it, a Discord
-- channel or thread, or the terminal.
CREATE TABLE chats (
    id                 INTEGER PRIMARY KEY,
    platform           TEXT    NOT NULL CHECK (platform IN ('console', 'telegram', 'discord')),
    external_id        TEXT    NOT NULL,
    thread_id          TEXT    NOT NULL DEFAULT '',
    kind               TEXT    NOT NULL,
    title              TEXT,
    language           TEXT    NOT NULL DEFAULT 'en',
    active             INTEGER NOT NULL DEFAULT 1,
    deactivated_reason TEXT,
    deactivated_at     TEXT,
    created_at         TEXT    NOT NULL,
    UNIQUE (platform, external_id, thread_id)
);

-- What a chat asked for. Lists are JSON arrays; an empty list means "any".
CREATE TABLE subscriptions (
    id            INTEGER PRIMARY KEY,
    chat_id       INTEGER NOT NULL UNIQUE REFERENCES chats (id) ON DELETE CASCADE,
    categories    TEXT    NOT NULL DEFAULT '["censorship", "arrest"]',
    languages     TEXT    NOT NULL DEFAULT '[]',
    include_words TEXT    NOT NULL DEFAULT '[]',
    exclude_words TEXT    NOT NULL DEFAULT '[]',
    min_severity  TEXT    NOT NULL DEFAULT 'medium',
    created_by    TEXT,
    created_at    TEXT    NOT NULL,
    updated_at    TEXT    NOT NULL
);

CREATE TABLE outbox (
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
    UNIQUE (event_id, chat_id)
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);

CREATE TABLE audit_log (
    id     INTEGER PRIMARY KEY,
    at     TEXT NOT NULL,
    actor  TEXT NOT NULL,
    action TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT ''
);
