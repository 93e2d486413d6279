-- tocsin: rebuilds tables
-- A chat's platform is the name of any platform the code registers
-- (handlers/registry.py), not a list fixed in the schema. SQLite cannot drop a CHECK,
-- so the table is rebuilt, with foreign keys off meanwhile so that the rows that
-- refer to chats (subscriptions, outbox) stay as they are.
CREATE TABLE chats_new (
    id                 INTEGER PRIMARY KEY,
    platform           TEXT    NOT NULL,
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
INSERT INTO chats_new (id, platform, external_id, thread_id, kind, title, language, active,
                       deactivated_reason, deactivated_at, created_at)
SELECT id, platform, external_id, thread_id, kind, title, language, active,
       deactivated_reason, deactivated_at, created_at
FROM chats;
DROP TABLE chats;
ALTER TABLE chats_new RENAME TO chats;
