-- What the automation sent on its own, one row per occasion (F19): the
-- greeting of a conversation (occasion ''), the out-of-hours reply of a
-- closed period (occasion: when the team's hours last ended). The key
-- makes each go out once, whatever retries, restarts or other instances
-- do: the insert that finds its row taken sends nothing. Numbers 00040–
-- 00049 are the automation's.

-- +goose Up
CREATE TABLE automation_sends (
    conversation_id BIGINT NOT NULL REFERENCES conversations (id),
    kind            TEXT NOT NULL,
    occasion        TEXT NOT NULL DEFAULT '',
    message_id      BIGINT,
    sent_at         TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (conversation_id, kind, occasion)
);

-- +goose Down
DROP TABLE automation_sends;
