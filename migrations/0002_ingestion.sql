-- The ingestion engine's state: how often each feed really publishes, the polling
-- hints it sends, and the notices Tocsin owes the bot admins about it.

-- Mean time between the feed's entries (seconds) over its recent history; NULL while
-- Tocsin has not seen enough entries to tell.
ALTER TABLE feeds ADD COLUMN usual_gap_seconds INTEGER;
-- When the newest entry appeared (its published time, or when Tocsin first saw it,
-- whichever is earlier). Silence is measured from here.
ALTER TABLE feeds ADD COLUMN newest_entry_at TEXT;
-- The publisher's own hints from the document: <ttl> (a "do not refetch before"),
-- and sy:updatePeriod/sy:updateFrequency (how often it says it publishes).
ALTER TABLE feeds ADD COLUMN ttl_seconds INTEGER;
ALTER TABLE feeds ADD COLUMN update_period_seconds INTEGER;

-- Notices to the bot admins about a feed: failing for long, working again, gone
-- silent, publishing again. `episode` is when the failing or silent spell began, so
-- the UNIQUE constraint makes each notice happen once per spell, even across restarts.
CREATE TABLE feed_notices (
    id         INTEGER PRIMARY KEY,
    feed_id    INTEGER NOT NULL REFERENCES feeds (id) ON DELETE CASCADE,
    kind       TEXT    NOT NULL CHECK (kind IN ('failing', 'recovered', 'silent', 'resumed')),
    episode    TEXT    NOT NULL,
    text       TEXT    NOT NULL,
    created_at TEXT    NOT NULL,
    sent_at    TEXT,
    attempts   INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    UNIQUE (feed_id, kind, episode)
);
CREATE INDEX feed_notices_unsent ON feed_notices (sent_at);
