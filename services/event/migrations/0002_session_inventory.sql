-- Sessions get a stable id (unique within the event, see Session.id) and what is on
-- sale: ticket tiers and, for assigned seating, the seat map (both small JSON arrays
-- read with the session; ticketing keeps the live inventory in its own database).
ALTER TABLE event_sessions ADD COLUMN session_id text NOT NULL DEFAULT '';
ALTER TABLE event_sessions ADD COLUMN tiers jsonb NOT NULL DEFAULT '[]';
ALTER TABLE event_sessions ADD COLUMN seats jsonb NOT NULL DEFAULT '[]';
-- Sessions published before ids existed get the id publishing them now would derive.
UPDATE event_sessions SET session_id = to_char(start_time AT TIME ZONE 'UTC', 'YYYYMMDD-HH24MI');
