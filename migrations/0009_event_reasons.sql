-- Why an event was detected, as records (category, modality, (role, text) parts),
-- so every alert words it in its chat's language; and the language-neutral ids of
-- the actors and targets it names. Older events have none (their English
-- explanation stays, shown only to English chats).
ALTER TABLE events ADD COLUMN clauses TEXT NOT NULL DEFAULT '[]';
ALTER TABLE events ADD COLUMN entities TEXT NOT NULL DEFAULT '[]';
