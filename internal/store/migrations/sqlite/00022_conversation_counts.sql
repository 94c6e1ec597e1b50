-- The inbox counts (F01, F02: the tabs' badges and the WhatsApp pending
-- badge), kept incrementally: one row per (team, assignee, status) holding
-- how many conversations are in it, maintained by triggers on every write
-- to conversations, whoever makes it. A caller's counts add up a few of
-- these rows (internal/conversation/lists.sql, "counts-*") instead of
-- counting conversations, so they cost the same at any size.

-- +goose Up
CREATE TABLE conversation_counts (
    team_id     INTEGER NOT NULL,
    assignee_id INTEGER NOT NULL,   -- 0: unassigned
    status      TEXT NOT NULL,
    n           INTEGER NOT NULL,
    PRIMARY KEY (team_id, assignee_id, status)
) WITHOUT ROWID;

-- +goose StatementBegin
CREATE TRIGGER conversations_counts_insert AFTER INSERT ON conversations BEGIN
    INSERT INTO conversation_counts (team_id, assignee_id, status, n)
    VALUES (new.team_id, COALESCE(new.assignee_id, 0), new.status, 1)
    ON CONFLICT (team_id, assignee_id, status) DO UPDATE SET n = n + 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER conversations_counts_update AFTER UPDATE OF team_id, assignee_id, status ON conversations
WHEN old.team_id IS NOT new.team_id OR old.assignee_id IS NOT new.assignee_id OR old.status IS NOT new.status BEGIN
    UPDATE conversation_counts SET n = n - 1
    WHERE team_id = old.team_id AND assignee_id = COALESCE(old.assignee_id, 0) AND status = old.status;
    INSERT INTO conversation_counts (team_id, assignee_id, status, n)
    VALUES (new.team_id, COALESCE(new.assignee_id, 0), new.status, 1)
    ON CONFLICT (team_id, assignee_id, status) DO UPDATE SET n = n + 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER conversations_counts_delete AFTER DELETE ON conversations BEGIN
    UPDATE conversation_counts SET n = n - 1
    WHERE team_id = old.team_id AND assignee_id = COALESCE(old.assignee_id, 0) AND status = old.status;
END;
-- +goose StatementEnd

-- Conversations written before this migration.
INSERT INTO conversation_counts (team_id, assignee_id, status, n)
SELECT team_id, COALESCE(assignee_id, 0), status, COUNT(*) FROM conversations GROUP BY 1, 2, 3;

-- +goose Down
DROP TRIGGER conversations_counts_delete;
DROP TRIGGER conversations_counts_update;
DROP TRIGGER conversations_counts_insert;
DROP TABLE conversation_counts;
