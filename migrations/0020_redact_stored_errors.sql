-- Texts stored before Tocsin redacted them may hold secrets: an error quoting a Bot
-- API URL holds the bot's token (".../bot123456:AA.../sendMessage"), and a feed's
-- error or an audit entry may quote a feed URL with its credentials or a token in its
-- query. SQL has no patterns to redact precisely, so each such text is cut where the
-- secret begins ("***" marks the cut); what comes before it still says what happened.

UPDATE outbox SET last_error = substr(last_error, 1, instr(last_error, '/bot') + 3) || '***'
WHERE last_error GLOB '*/bot[0-9]*';

UPDATE chats SET deactivated_reason =
    substr(deactivated_reason, 1, instr(deactivated_reason, '/bot') + 3) || '***'
WHERE deactivated_reason GLOB '*/bot[0-9]*';

UPDATE feed_notices SET last_error = substr(last_error, 1, instr(last_error, '/bot') + 3) || '***'
WHERE last_error GLOB '*/bot[0-9]*';

UPDATE feeds SET last_error = substr(last_error, 1, instr(last_error, '://') + 2) || '***'
WHERE last_error GLOB '*://*@*'
   OR lower(last_error) GLOB '*[?&]*token=*'
   OR lower(last_error) GLOB '*[?&]*key=*'
   OR lower(last_error) GLOB '*[?&]*secret=*'
   OR lower(last_error) GLOB '*[?&]*passw*=*';

UPDATE audit_log SET detail = substr(detail, 1, instr(detail, '://') + 2) || '***'
WHERE detail GLOB '*://*@*'
   OR lower(detail) GLOB '*[?&]*token=*'
   OR lower(detail) GLOB '*[?&]*key=*'
   OR lower(detail) GLOB '*[?&]*secret=*'
   OR lower(detail) GLOB '*[?&]*passw*=*';
