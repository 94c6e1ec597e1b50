-- Inbound media are downloaded from WhatsApp in the background (F18): a
-- pending media row is claimed by moving next_attempt_at past now (a lease),
-- so several workers or instances never fetch the same file at once, and a
-- crashed attempt is retried when its lease expires.

-- +goose Up
ALTER TABLE media ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE media ADD COLUMN next_attempt_at TIMESTAMP;
CREATE INDEX media_pending ON media (next_attempt_at) WHERE state = 'pending';

-- +goose Down
DROP INDEX media_pending;
ALTER TABLE media DROP COLUMN next_attempt_at;
ALTER TABLE media DROP COLUMN attempts;
