-- Only messages agents send carry an Idempotency-Key; every customer message
-- (the webhook's bulk, F25) had an entry with NULLs in this index all the
-- same. Keeping only keyed rows makes each inbound insert one index write
-- cheaper and the index as small as the keys; the look-up by (author, key)
-- implies the key is not NULL, so it still uses it.

-- +goose Up
DROP INDEX messages_idempotency;
CREATE UNIQUE INDEX messages_idempotency ON messages (author_id, idempotency_key) WHERE idempotency_key IS NOT NULL;

-- +goose Down
DROP INDEX messages_idempotency;
CREATE UNIQUE INDEX messages_idempotency ON messages (author_id, idempotency_key);
