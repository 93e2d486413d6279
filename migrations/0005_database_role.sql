-- What a database is for, claimed by the first run that opens it: 'demo' (the
-- embedded demo's feeds and its terminal chat) or 'live' (a real deployment). A run
-- of the other kind is refused, so demo data never reaches real subscribers.
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
