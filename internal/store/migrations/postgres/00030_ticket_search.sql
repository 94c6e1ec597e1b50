-- Tickets (F22): the search index over each ticket's folded title and
-- description (tickets.search_text, written by internal/ticket: lowercase,
-- accents removed), and indexes for the list, which shows the newest
-- tickets first by id (ids, like numbers, follow the order of creation).
--
-- The tsvector is stored (a generated column) rather than only indexed as an
-- expression: when the planner walks the primary key newest first and tests
-- each row (a word in many tickets), computing to_tsvector per row costs
-- ~30 µs, reading a stored one ~1 µs.

-- +goose Up
ALTER TABLE tickets ADD COLUMN search_vector tsvector
    GENERATED ALWAYS AS (to_tsvector('simple', search_text)) STORED;
CREATE INDEX tickets_search ON tickets USING GIN (search_vector);
CREATE INDEX tickets_team_newest ON tickets (team_id, id);
CREATE INDEX tickets_team_status_newest ON tickets (team_id, status, id);
CREATE INDEX tickets_status_newest ON tickets (status, id);

-- +goose Down
DROP INDEX tickets_status_newest;
DROP INDEX tickets_team_status_newest;
DROP INDEX tickets_team_newest;
DROP INDEX tickets_search;
ALTER TABLE tickets DROP COLUMN search_vector;
