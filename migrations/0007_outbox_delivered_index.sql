-- /status counts the alerts delivered in the last day: with millions of delivered
-- rows kept, that must be an index range, not a scan.
CREATE INDEX outbox_delivered ON outbox (status, delivered_at);
