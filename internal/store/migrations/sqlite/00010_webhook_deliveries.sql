-- The WhatsApp webhook's durable inbox (F25, F29): every signed delivery is
-- stored, raw, before papo answers 200 — in the same transaction that applies
-- it. A delivery that could not be applied stays here with its reason and can
-- be re-applied.

-- +goose Up
CREATE TABLE webhook_deliveries (
    id               INTEGER PRIMARY KEY,
    body             BLOB NOT NULL,             -- the bytes exactly as received (and signed)
    received_at      TIMESTAMP NOT NULL,
    -- applied: every item applied (or a duplicate); ignored: nothing for papo
    -- (other fields, unknown phone_number_id); failed: malformed, or an item
    -- could not be applied (see error) — re-applicable.
    state            TEXT NOT NULL CHECK (state IN ('applied', 'ignored', 'failed')),
    error            TEXT NOT NULL DEFAULT '',
    phone_number_ids TEXT NOT NULL DEFAULT '',  -- metadata.phone_number_id of its changes, space separated
    items            INTEGER NOT NULL DEFAULT 0, -- messages + statuses + errors + other changes
    applied_at       TIMESTAMP
);
CREATE INDEX webhook_deliveries_received ON webhook_deliveries (received_at);
CREATE INDEX webhook_deliveries_failed ON webhook_deliveries (received_at) WHERE state = 'failed';

-- +goose Down
DROP TABLE webhook_deliveries;
