-- Delivery statuses received from WhatsApp, one row per (message id, status):
-- the key that makes each status apply once however often it is delivered
-- (F25). A status for a message papo does not know yet (its send is still
-- being recorded) waits here, applied = false, until the message gets its
-- WhatsApp id.

-- +goose Up
CREATE TABLE webhook_statuses (
    channel_id      INTEGER NOT NULL REFERENCES channels (id),
    wa_message_id   TEXT NOT NULL,
    status          TEXT NOT NULL,
    at              TIMESTAMP NOT NULL,          -- WhatsApp's timestamp
    error_code      TEXT,
    error_message   TEXT,
    error_retryable BOOLEAN,
    applied         BOOLEAN NOT NULL,
    received_at     TIMESTAMP NOT NULL,
    PRIMARY KEY (channel_id, wa_message_id, status)
);
CREATE INDEX webhook_statuses_waiting ON webhook_statuses (received_at) WHERE NOT applied;

-- +goose Down
DROP TABLE webhook_statuses;
