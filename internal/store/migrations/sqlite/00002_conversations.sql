-- WhatsApp contacts, conversations, messages (notes included), reactions,
-- timeline events, media, tickets and their links, and the webhook's
-- durable inbox. Later issues add their own migrations; this one holds the
-- shapes every one of them shares.

-- +goose Up
CREATE TABLE contacts (
    id                 INTEGER PRIMARY KEY,
    wa_id              TEXT UNIQUE,            -- digits exactly as WhatsApp gives them; NULL for username-only users
    bsuid              TEXT UNIQUE,            -- business-scoped user id (2026), when WhatsApp sends one
    phone              TEXT NOT NULL DEFAULT '', -- E.164 of wa_id
    profile_name       TEXT NOT NULL DEFAULT '',
    customer_id        INTEGER REFERENCES customers (id) ON DELETE SET NULL,
    automation_blocked BOOLEAN NOT NULL DEFAULT FALSE,
    created_at         TIMESTAMP NOT NULL,
    updated_at         TIMESTAMP NOT NULL
);
CREATE INDEX contacts_customer ON contacts (customer_id);

CREATE TABLE conversations (
    id               INTEGER PRIMARY KEY,
    channel_id       INTEGER NOT NULL REFERENCES channels (id),
    contact_id       INTEGER NOT NULL REFERENCES contacts (id),
    team_id          INTEGER NOT NULL REFERENCES teams (id),
    assignee_id      INTEGER REFERENCES users (id),
    status           TEXT NOT NULL CHECK (status IN ('pending', 'resolved', 'closed')),
    unread_count     INTEGER NOT NULL DEFAULT 0,
    last_message_id  INTEGER,
    last_activity_at TIMESTAMP NOT NULL,
    last_inbound_at  TIMESTAMP,                    -- the 24-hour window runs from here
    created_at       TIMESTAMP NOT NULL,
    closed_at        TIMESTAMP,
    closed_reason    TEXT CHECK (closed_reason IN ('manual', 'inactivity')),
    closed_by        INTEGER REFERENCES users (id)
);
-- At most one conversation that is not closed per contact and channel, even
-- when a contact's first messages arrive at once.
CREATE UNIQUE INDEX conversations_open_per_contact ON conversations (channel_id, contact_id) WHERE status <> 'closed';
CREATE INDEX conversations_contact ON conversations (contact_id, channel_id, created_at);
-- Inbox lists, newest activity first (views new / mine / others / all / closed).
CREATE INDEX conversations_open_activity ON conversations (last_activity_at DESC, id DESC) WHERE status <> 'closed';
CREATE INDEX conversations_open_team ON conversations (team_id, last_activity_at DESC, id DESC) WHERE status <> 'closed';
CREATE INDEX conversations_unassigned_team ON conversations (team_id, last_activity_at DESC, id DESC) WHERE status <> 'closed' AND assignee_id IS NULL;
CREATE INDEX conversations_assignee ON conversations (assignee_id, last_activity_at DESC, id DESC) WHERE status <> 'closed';
CREATE INDEX conversations_closed ON conversations (last_activity_at DESC, id DESC) WHERE status = 'closed';
-- A closed conversation keeps its assignee: the agent who held it last.
CREATE INDEX conversations_closed_assignee ON conversations (assignee_id, last_activity_at DESC, id DESC) WHERE status = 'closed';
CREATE INDEX conversations_closed_team ON conversations (team_id, last_activity_at DESC, id DESC) WHERE status = 'closed';

CREATE TABLE media (
    id          INTEGER PRIMARY KEY,
    channel_id  INTEGER REFERENCES channels (id),
    wa_media_id TEXT,                    -- WhatsApp's id (inbound: to download; outbound: after upload)
    mime_type   TEXT NOT NULL DEFAULT '',
    filename    TEXT NOT NULL DEFAULT '',
    size        INTEGER NOT NULL DEFAULT 0,
    sha256      TEXT NOT NULL DEFAULT '',
    state       TEXT NOT NULL DEFAULT 'ready' CHECK (state IN ('pending', 'ready', 'failed')),
    error       TEXT NOT NULL DEFAULT '',
    uploaded_by INTEGER REFERENCES users (id),
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL
);
CREATE INDEX media_wa ON media (channel_id, wa_media_id);

-- Bytes apart from the row, so listing media never reads them.
CREATE TABLE media_blobs (
    media_id INTEGER PRIMARY KEY REFERENCES media (id) ON DELETE CASCADE,
    data     BLOB NOT NULL
);

CREATE TABLE messages (
    id              INTEGER PRIMARY KEY,
    conversation_id INTEGER NOT NULL REFERENCES conversations (id),
    channel_id      INTEGER NOT NULL REFERENCES channels (id),
    contact_id      INTEGER NOT NULL REFERENCES contacts (id),
    direction       TEXT NOT NULL CHECK (direction IN ('in', 'out', 'note')),
    author_type     TEXT NOT NULL CHECK (author_type IN ('contact', 'agent', 'system')),
    author_id       INTEGER REFERENCES users (id),
    type            TEXT NOT NULL,
    text            TEXT NOT NULL DEFAULT '',
    media_id        INTEGER REFERENCES media (id),
    payload         TEXT NOT NULL DEFAULT '{}',
    reply_to_id     INTEGER REFERENCES messages (id),
    reply_to_wa_id  TEXT,                  -- quoted wamid, kept when the quoted message is unknown
    wa_message_id   TEXT,
    status          TEXT NOT NULL CHECK (status IN ('queued', 'sent', 'delivered', 'read', 'failed', 'received')),
    error_code      TEXT,
    error_message   TEXT,
    error_retryable BOOLEAN,
    idempotency_key TEXT,
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX messages_wa_id ON messages (channel_id, wa_message_id);
CREATE UNIQUE INDEX messages_idempotency ON messages (author_id, idempotency_key);
CREATE INDEX messages_conversation ON messages (conversation_id, created_at, id);
CREATE INDEX messages_timeline ON messages (contact_id, channel_id, created_at, id);

CREATE TABLE message_reactions (
    message_id INTEGER NOT NULL REFERENCES messages (id),
    reactor    TEXT NOT NULL,              -- 'contact:<wa_id>' or 'user:<id>'
    emoji      TEXT NOT NULL,
    at         TIMESTAMP NOT NULL,
    PRIMARY KEY (message_id, reactor)
);

CREATE TABLE conversation_events (
    id              INTEGER PRIMARY KEY,
    conversation_id INTEGER NOT NULL REFERENCES conversations (id),
    channel_id      INTEGER NOT NULL REFERENCES channels (id),
    contact_id      INTEGER NOT NULL REFERENCES contacts (id),
    type            TEXT NOT NULL,         -- forwarded, assigned, unassigned, status_changed, closed, opened
    actor_id        INTEGER REFERENCES users (id),
    from_team_id    INTEGER REFERENCES teams (id),
    to_team_id      INTEGER REFERENCES teams (id),
    assignee_id     INTEGER REFERENCES users (id),
    status          TEXT,
    note            TEXT NOT NULL DEFAULT '',
    at              TIMESTAMP NOT NULL
);
CREATE INDEX conversation_events_timeline ON conversation_events (contact_id, channel_id, at, id);
CREATE INDEX conversation_events_conversation ON conversation_events (conversation_id, at);

CREATE TABLE counters (
    name  TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);

CREATE TABLE tickets (
    id                     INTEGER PRIMARY KEY,
    number                 INTEGER NOT NULL UNIQUE,
    title                  TEXT NOT NULL,
    description            TEXT NOT NULL DEFAULT '',
    status                 TEXT NOT NULL CHECK (status IN ('open', 'in_progress', 'resolved', 'closed')),
    origin                 TEXT NOT NULL CHECK (origin IN ('whatsapp', 'email', 'phone', 'web')),
    requester_id           INTEGER REFERENCES customers (id),
    contact_id             INTEGER REFERENCES contacts (id),      -- for tickets of unregistered WhatsApp contacts
    conversation_id        INTEGER REFERENCES conversations (id), -- created from
    team_id                INTEGER NOT NULL REFERENCES teams (id),
    assignee_id            INTEGER REFERENCES users (id),
    created_by             INTEGER REFERENCES users (id),
    search_text            TEXT NOT NULL DEFAULT '',
    created_at             TIMESTAMP NOT NULL,
    updated_at             TIMESTAMP NOT NULL
);
CREATE INDEX tickets_team ON tickets (team_id, created_at DESC, id DESC);
CREATE INDEX tickets_created ON tickets (created_at DESC, id DESC);
CREATE INDEX tickets_requester_origin ON tickets (requester_id, origin, created_at DESC);
CREATE INDEX tickets_contact_origin ON tickets (contact_id, origin, created_at DESC);

CREATE TABLE ticket_messages (
    ticket_id  INTEGER NOT NULL REFERENCES tickets (id),
    message_id INTEGER NOT NULL REFERENCES messages (id),
    linked_by  INTEGER REFERENCES users (id),
    linked_at  TIMESTAMP NOT NULL,
    PRIMARY KEY (ticket_id, message_id)
);
CREATE INDEX ticket_messages_message ON ticket_messages (message_id);

-- +goose Down
DROP TABLE ticket_messages;
DROP TABLE tickets;
DROP TABLE counters;
DROP TABLE conversation_events;
DROP TABLE message_reactions;
DROP TABLE messages;
DROP TABLE media_blobs;
DROP TABLE media;
DROP TABLE conversations;
DROP TABLE contacts;
