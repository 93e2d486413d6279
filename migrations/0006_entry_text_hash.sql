-- An entry's text (title and summary) apart from its identity: a feed that lists the
-- same story again under a new guid or link has it already, and it must not alert
-- again nor be stored again. Older entries have none; their content_hash still
-- recognises an exact repeat.
ALTER TABLE entries ADD COLUMN text_hash TEXT;
CREATE INDEX entries_feed_text ON entries (feed_id, text_hash);

-- How many entries the feed's last document listed again under new ids: a feed whose
-- guids or links change on every poll shows it in `feeds list`.
ALTER TABLE feeds ADD COLUMN reidentified INTEGER NOT NULL DEFAULT 0;
