-- What readers say about alerts: "false alarm" presses, one per person and event
-- (a second press changes nothing), and links to events the detector missed.
-- A person is named as the platform names them; the chat is where they pressed,
-- kept only while the chat exists.
CREATE TABLE false_alarms (
    id         INTEGER PRIMARY KEY,
    event_id   INTEGER NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    platform   TEXT    NOT NULL,
    user_id    TEXT    NOT NULL,
    chat_id    INTEGER REFERENCES chats (id) ON DELETE SET NULL,
    created_at TEXT    NOT NULL,
    UNIQUE (event_id, platform, user_id)
);
CREATE INDEX false_alarms_created ON false_alarms (created_at);

CREATE TABLE missed_links (
    id         INTEGER PRIMARY KEY,
    url        TEXT    NOT NULL,
    platform   TEXT    NOT NULL,
    user_id    TEXT    NOT NULL,
    chat_id    INTEGER REFERENCES chats (id) ON DELETE SET NULL,
    created_at TEXT    NOT NULL
);
CREATE INDEX missed_links_created ON missed_links (created_at);
