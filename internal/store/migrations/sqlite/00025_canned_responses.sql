-- Canned responses (F14): texts agents insert by shortcut, for every team
-- (team_id NULL) or one team; and an index for the conversation summary's
-- tickets created from a conversation (F31).

-- +goose Up
CREATE TABLE canned_responses (
    id          INTEGER PRIMARY KEY,
    shortcut    TEXT NOT NULL UNIQUE,            -- [a-z0-9_-]{1,32}, typed as /shortcut
    title       TEXT NOT NULL,
    body        TEXT NOT NULL,                   -- may hold {{contact.name}} and the other placeholders
    team_id     INTEGER REFERENCES teams (id) ON DELETE CASCADE,  -- NULL: every team
    search_text TEXT NOT NULL DEFAULT '',        -- folded shortcut, title and body
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL
);
CREATE INDEX canned_responses_team ON canned_responses (team_id, shortcut);

CREATE INDEX tickets_from_conversation ON tickets (conversation_id);

-- +goose Down
DROP INDEX tickets_from_conversation;
DROP TABLE canned_responses;
