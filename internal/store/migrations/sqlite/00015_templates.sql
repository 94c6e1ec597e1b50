-- WhatsApp message templates of each channel, as last synced from the Graph
-- API (F15, F26): what agents may send outside the 24-hour window.

-- +goose Up
CREATE TABLE templates (
    id               INTEGER PRIMARY KEY,
    channel_id       INTEGER NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    wa_template_id   TEXT NOT NULL DEFAULT '',
    name             TEXT NOT NULL,
    language         TEXT NOT NULL,            -- "pt_BR", "en_US"
    status           TEXT NOT NULL,            -- as Meta spells it: APPROVED, PENDING, ...
    category         TEXT NOT NULL DEFAULT '', -- UTILITY, MARKETING, AUTHENTICATION
    components       TEXT NOT NULL DEFAULT '[]',
    parameter_format TEXT NOT NULL DEFAULT 'positional' CHECK (parameter_format IN ('positional', 'named')),
    synced_at        TIMESTAMP NOT NULL,
    UNIQUE (channel_id, name, language)
);

-- +goose Down
DROP TABLE templates;
