-- Accounts, teams, customers, channels and settings: the foundation.
-- Times are UTC, written by the driver as "YYYY-MM-DD HH:MM:SS.fffffffff+00:00"
-- so that text comparison orders them.

-- +goose Up
CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL,
    email         TEXT NOT NULL UNIQUE,
    role          TEXT NOT NULL CHECK (role IN ('admin', 'agent')),
    password_hash TEXT NOT NULL,
    active        BOOLEAN NOT NULL DEFAULT TRUE,
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL
);

CREATE TABLE teams (
    id             INTEGER PRIMARY KEY,
    name           TEXT NOT NULL UNIQUE,
    timezone       TEXT NOT NULL,
    business_hours TEXT NOT NULL DEFAULT '[]',
    created_at     TIMESTAMP NOT NULL,
    updated_at     TIMESTAMP NOT NULL
);

CREATE TABLE user_teams (
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    team_id INTEGER NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    PRIMARY KEY (user_id, team_id)
);
CREATE INDEX user_teams_team ON user_teams (team_id, user_id);

CREATE TABLE sessions (
    id           INTEGER PRIMARY KEY,
    token_hash   TEXT NOT NULL UNIQUE,
    csrf_token   TEXT NOT NULL,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   TIMESTAMP NOT NULL,
    last_seen_at TIMESTAMP NOT NULL,
    expires_at   TIMESTAMP NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE login_failures (
    id    INTEGER PRIMARY KEY,
    email TEXT NOT NULL,
    at    TIMESTAMP NOT NULL
);
CREATE INDEX login_failures_email_at ON login_failures (email, at);

CREATE TABLE customers (
    id           INTEGER PRIMARY KEY,
    name         TEXT NOT NULL,
    email        TEXT NOT NULL DEFAULT '',
    organization TEXT NOT NULL DEFAULT '',
    phones       TEXT NOT NULL DEFAULT '[]',
    search_text  TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL
);

-- One row per phone key (a Brazilian mobile has two: with and without the
-- ninth digit), so a wa_id finds its customer by an index lookup.
CREATE TABLE customer_phone_keys (
    match_key   TEXT NOT NULL,
    customer_id INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    PRIMARY KEY (match_key, customer_id)
);
CREATE INDEX customer_phone_keys_customer ON customer_phone_keys (customer_id);

CREATE TABLE channels (
    id                   INTEGER PRIMARY KEY,
    name                 TEXT NOT NULL,
    phone_number_id      TEXT NOT NULL UNIQUE,
    waba_id              TEXT NOT NULL DEFAULT '',
    display_phone_number TEXT NOT NULL DEFAULT '',
    default_team_id      INTEGER NOT NULL REFERENCES teams (id),
    graph_api_url        TEXT NOT NULL,
    graph_api_version    TEXT NOT NULL,
    verify_token         TEXT NOT NULL,
    messages_per_second  INTEGER NOT NULL DEFAULT 80,
    access_token_enc     BLOB,
    app_secret_enc       BLOB,
    created_at           TIMESTAMP NOT NULL,
    updated_at           TIMESTAMP NOT NULL
);
CREATE INDEX channels_default_team ON channels (default_team_id);

CREATE TABLE settings (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    doc        TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

-- +goose Down
DROP TABLE settings;
DROP TABLE channels;
DROP TABLE customer_phone_keys;
DROP TABLE customers;
DROP TABLE login_failures;
DROP TABLE sessions;
DROP TABLE user_teams;
DROP TABLE teams;
DROP TABLE users;
