-- Reactions received from WhatsApp, keyed by the reaction's own message id so
-- that each applies once; a reaction to a message papo does not know yet
-- waits here (applied = false) until that message appears. The latest
-- reaction of a reactor on a target wins, removals included (F18).

-- +goose Up
CREATE TABLE webhook_reactions (
    channel_id    INTEGER NOT NULL REFERENCES channels (id),
    wa_message_id TEXT NOT NULL,           -- the reaction's own wamid
    target_wa_id  TEXT NOT NULL,           -- the message reacted to
    reactor       TEXT NOT NULL,           -- 'contact:<wa_id>'
    emoji         TEXT NOT NULL DEFAULT '', -- empty: the reaction was removed
    at            TIMESTAMP NOT NULL,
    applied       BOOLEAN NOT NULL,
    received_at   TIMESTAMP NOT NULL,
    PRIMARY KEY (channel_id, wa_message_id)
);
CREATE INDEX webhook_reactions_target ON webhook_reactions (channel_id, target_wa_id, reactor, at);

-- +goose Down
DROP TABLE webhook_reactions;
