-- The inbox counts (F01, F02: the tabs' badges and the WhatsApp pending
-- badge), kept incrementally: one row per (team, assignee, status) holding
-- how many conversations are in it, maintained by a trigger on every write
-- to conversations, whoever makes it. A caller's counts add up a few of
-- these rows (internal/conversation/lists.sql, "counts-*") instead of
-- counting conversations, so they cost the same at any size.
--
-- Concurrency: a transaction moving a conversation locks the two rows it
-- changes until it commits; the trigger always takes them in key order, so
-- two moves in opposite directions wait for each other instead of
-- deadlocking.

-- +goose Up
CREATE TABLE conversation_counts (
    team_id     BIGINT NOT NULL,
    assignee_id BIGINT NOT NULL,   -- 0: unassigned
    status      TEXT NOT NULL,
    n           BIGINT NOT NULL,
    PRIMARY KEY (team_id, assignee_id, status)
);

-- +goose StatementBegin
CREATE FUNCTION papo_conversation_counts() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    old_first boolean;
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO conversation_counts (team_id, assignee_id, status, n)
        VALUES (NEW.team_id, COALESCE(NEW.assignee_id, 0), NEW.status, 1)
        ON CONFLICT (team_id, assignee_id, status) DO UPDATE SET n = conversation_counts.n + 1;
        RETURN NULL;
    END IF;
    IF TG_OP = 'DELETE' THEN
        UPDATE conversation_counts SET n = n - 1
        WHERE team_id = OLD.team_id AND assignee_id = COALESCE(OLD.assignee_id, 0) AND status = OLD.status;
        RETURN NULL;
    END IF;
    old_first := (OLD.team_id, COALESCE(OLD.assignee_id, 0), OLD.status) < (NEW.team_id, COALESCE(NEW.assignee_id, 0), NEW.status);
    IF old_first THEN
        UPDATE conversation_counts SET n = n - 1
        WHERE team_id = OLD.team_id AND assignee_id = COALESCE(OLD.assignee_id, 0) AND status = OLD.status;
    END IF;
    INSERT INTO conversation_counts (team_id, assignee_id, status, n)
    VALUES (NEW.team_id, COALESCE(NEW.assignee_id, 0), NEW.status, 1)
    ON CONFLICT (team_id, assignee_id, status) DO UPDATE SET n = conversation_counts.n + 1;
    IF NOT old_first THEN
        UPDATE conversation_counts SET n = n - 1
        WHERE team_id = OLD.team_id AND assignee_id = COALESCE(OLD.assignee_id, 0) AND status = OLD.status;
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER conversations_counts_insert AFTER INSERT ON conversations
    FOR EACH ROW EXECUTE FUNCTION papo_conversation_counts();
CREATE TRIGGER conversations_counts_update AFTER UPDATE OF team_id, assignee_id, status ON conversations
    FOR EACH ROW WHEN (OLD.team_id IS DISTINCT FROM NEW.team_id OR OLD.assignee_id IS DISTINCT FROM NEW.assignee_id
        OR OLD.status IS DISTINCT FROM NEW.status)
    EXECUTE FUNCTION papo_conversation_counts();
CREATE TRIGGER conversations_counts_delete AFTER DELETE ON conversations
    FOR EACH ROW EXECUTE FUNCTION papo_conversation_counts();

-- Conversations written before this migration.
INSERT INTO conversation_counts (team_id, assignee_id, status, n)
SELECT team_id, COALESCE(assignee_id, 0), status, COUNT(*) FROM conversations GROUP BY 1, 2, 3;

-- +goose Down
DROP TRIGGER conversations_counts_delete ON conversations;
DROP TRIGGER conversations_counts_update ON conversations;
DROP TRIGGER conversations_counts_insert ON conversations;
DROP FUNCTION papo_conversation_counts();
DROP TABLE conversation_counts;
