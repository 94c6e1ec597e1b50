-- The inbox lists (F01, F02) beside the indexes of 00002: each view of
-- internal/conversation/lists.sql reads one partial index in order
-- (last_activity_at DESC, id DESC) from a keyset cursor (the counts come
-- from 00022).

-- +goose Up
-- (An admin's New list over every team reads conversations_assignee with
-- assignee_id IS NULL here; PostgreSQL needs an index of its own.)
-- An admin's Others list: open and assigned.
CREATE INDEX conversations_open_assigned ON conversations (last_activity_at DESC, id DESC)
    WHERE status <> 'closed' AND assignee_id IS NOT NULL;

-- +goose Down
DROP INDEX conversations_open_assigned;
