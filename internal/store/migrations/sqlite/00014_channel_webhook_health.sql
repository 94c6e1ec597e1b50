-- Channel health (F29): when the webhook last brought something for the
-- channel.

-- +goose Up
ALTER TABLE channels ADD COLUMN last_webhook_at TIMESTAMP;

-- +goose Down
ALTER TABLE channels DROP COLUMN last_webhook_at;
