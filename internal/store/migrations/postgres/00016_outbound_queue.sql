-- Outbound bookkeeping: the send worker keeps each conversation's messages in
-- order by checking for an earlier one still queued; this partial index keeps
-- that check a short lookup. (River's own tables are migrated by River at
-- start, internal/jobs.)

-- +goose Up
CREATE INDEX messages_queued ON messages (conversation_id, id) WHERE status = 'queued';

-- +goose Down
DROP INDEX messages_queued;
