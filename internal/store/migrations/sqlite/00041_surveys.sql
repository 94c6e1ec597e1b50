-- Satisfaction surveys (F20): one per closed conversation that was sent
-- one. The customer's next message on the channel, before expires_at and
-- matching an option, is its answer (state answered, filed in the closed
-- conversation); any other next message, or none before expires_at, leaves
-- it unanswered (state expired — set when the next message comes; the
-- report also counts sent ones past expires_at as expired).

-- +goose Up
CREATE TABLE surveys (
    id INTEGER PRIMARY KEY,
    conversation_id   INTEGER NOT NULL UNIQUE REFERENCES conversations (id),
    channel_id        INTEGER NOT NULL REFERENCES channels (id),
    contact_id        INTEGER NOT NULL REFERENCES contacts (id),
    team_id           INTEGER NOT NULL,
    agent_id          INTEGER,                 -- who held the conversation when it closed
    message_id        INTEGER NOT NULL,        -- the survey as sent
    options           TEXT NOT NULL,       -- JSON array of the options as asked
    sent_at           TIMESTAMP NOT NULL,
    expires_at        TIMESTAMP NOT NULL,
    state             TEXT NOT NULL CHECK (state IN ('sent', 'answered', 'expired')),
    answer            TEXT,                -- the option chosen, as asked
    score             INTEGER,             -- its value: the option as a number, else its position (1…)
    answered_at       TIMESTAMP,
    answer_message_id INTEGER
);
CREATE INDEX surveys_waiting ON surveys (contact_id, channel_id) WHERE state = 'sent';
CREATE INDEX surveys_sent ON surveys (sent_at);

-- +goose Down
DROP TABLE surveys;
