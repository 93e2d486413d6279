-- When a feed's first poll was recorded. Entries first seen then (or before) are its
-- backlog: stored without alerting, never re-classified when edited, and, when
-- undated, left out of its publishing rhythm. Working that out as "the oldest
-- first_seen_at" was wrong for a feed whose first poll found nothing: its second
-- poll's entries, which did alert, looked like backlog.
ALTER TABLE feeds ADD COLUMN primed_at TEXT;

-- Existing feeds: the oldest entries are the best guess there is. A primed feed with
-- no entries gets its last success, so that every entry it finds later is news.
UPDATE feeds
SET primed_at = COALESCE(
    (SELECT MIN(e.first_seen_at) FROM entries e WHERE e.feed_id = feeds.id),
    last_success_at,
    added_at
)
WHERE primed = 1;

-- repeated_content looks entries up by content within a feed on every new entry.
CREATE INDEX entries_feed_content ON entries (feed_id, content_hash);
