-- Retention: an old entry's words (title, summary, link) are dropped after a while,
-- while its identity (feed, uid, content hash, text hash, dates) stays, so that the
-- feed listing it again is still recognised and never alerts twice. `pruned_at` says
-- when the words went; such an entry is never classified again, even when edited.
ALTER TABLE entries ADD COLUMN pruned_at TEXT;
-- The entries still holding their words, by age: what the daily prune looks at. Only
-- those rows are in it, so it stays as small as the retention period.
CREATE INDEX entries_unpruned ON entries (first_seen_at) WHERE pruned_at IS NULL;

-- When each periodic housekeeping task last ran ('retention': the daily prune), so a
-- restart neither repeats it nor forgets it.
CREATE TABLE maintenance_runs (
    task        TEXT PRIMARY KEY,
    last_run_at TEXT NOT NULL
);
