-- Which sinks (console, telegram, discord) already have each admin notice, so that a
-- platform that was down when a notice was recorded still gets it on a later cycle,
-- and a platform that had it never gets it twice.
CREATE TABLE feed_notice_deliveries (
    notice_id INTEGER NOT NULL REFERENCES feed_notices (id) ON DELETE CASCADE,
    sink      TEXT    NOT NULL,
    sent_at   TEXT    NOT NULL,
    PRIMARY KEY (notice_id, sink)
);
