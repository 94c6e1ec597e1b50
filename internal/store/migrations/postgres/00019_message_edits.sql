-- Customers edit and delete ("delete for everyone") their WhatsApp
-- messages (F18): the change arrives as a message of type edit or revoke
-- naming the original. It is kept here, keyed by its own wamid so that it
-- applies once, and waits (applied = false) for an original papo does not
-- know yet, as reactions do. Applying sets the original's text and
-- edited_at (the newest edit wins) or its revoked_at; previous_text keeps
-- what an edit replaced, so nothing a customer wrote is lost to agents.

-- +goose Up
CREATE TABLE webhook_message_changes (
    channel_id    BIGINT NOT NULL REFERENCES channels (id),
    wa_message_id TEXT NOT NULL,            -- the edit's or revoke's own wamid
    target_wa_id  TEXT NOT NULL,            -- the original message
    kind          TEXT NOT NULL CHECK (kind IN ('edit', 'revoke')),
    text          TEXT NOT NULL DEFAULT '', -- an edit's new text
    previous_text TEXT,                     -- what the edit replaced, once applied
    at            TIMESTAMPTZ NOT NULL,
    applied       BOOLEAN NOT NULL,
    received_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (channel_id, wa_message_id)
);
CREATE INDEX webhook_message_changes_target ON webhook_message_changes (channel_id, target_wa_id, at);

ALTER TABLE messages ADD COLUMN edited_at TIMESTAMPTZ;
ALTER TABLE messages ADD COLUMN revoked_at TIMESTAMPTZ;

-- +goose Down
ALTER TABLE messages DROP COLUMN revoked_at;
ALTER TABLE messages DROP COLUMN edited_at;
DROP TABLE webhook_message_changes;
