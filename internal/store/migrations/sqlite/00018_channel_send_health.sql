-- Channel health (F29), the sending side: when the Graph API last accepted a
-- send of the channel, and its latest error (WhatsApp's code as text, the
-- readable reason, when), so that an expired token shows on the channel at
-- once. An accepted send leaves the error in place: the times tell which
-- came last.
--
-- messages_failed counts a channel's failed messages of the last 24 hours
-- from the failed rows alone (a tiny fraction of messages).

-- +goose Up
ALTER TABLE channels ADD COLUMN last_send_at TIMESTAMP;
ALTER TABLE channels ADD COLUMN last_error_code TEXT;
ALTER TABLE channels ADD COLUMN last_error_message TEXT;
ALTER TABLE channels ADD COLUMN last_error_at TIMESTAMP;
CREATE INDEX messages_failed ON messages (channel_id, updated_at) WHERE status = 'failed';

-- +goose Down
DROP INDEX messages_failed;
ALTER TABLE channels DROP COLUMN last_error_at;
ALTER TABLE channels DROP COLUMN last_error_message;
ALTER TABLE channels DROP COLUMN last_error_code;
ALTER TABLE channels DROP COLUMN last_send_at;
