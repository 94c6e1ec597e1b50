-- Search (F05): the conversation list's `q` over contact names (the
-- registered customer's name and the WhatsApp profile name), phone digits and
-- message text, served from FTS5 indexes (unicode61 folds case and removes
-- accents, like internal/search.Fold; prefix queries "term"*). They are kept
-- in step by triggers: messages are written by several packages
-- (message.Service.InsertInbound/InsertOutbound), contacts by the webhook and
-- customers by the registry, and none of them needs to know.
-- internal/conversation/lists.sqlite.sql reads them.

-- +goose Up
-- Message text (external content: the text stays in messages). Prefix
-- indexes of 3 and 4 characters keep a typed-so-far word ("bol", "bole")
-- one doclist read lazily, instead of a merge of every word it begins.
CREATE VIRTUAL TABLE message_fts USING fts5(
    text,
    content = 'messages',
    content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '3 4'
);

-- +goose StatementBegin
CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
    INSERT INTO message_fts (rowid, text) VALUES (new.id, new.text);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER messages_fts_update AFTER UPDATE OF text ON messages WHEN old.text IS NOT new.text BEGIN
    INSERT INTO message_fts (message_fts, rowid, text) VALUES ('delete', old.id, old.text);
    INSERT INTO message_fts (rowid, text) VALUES (new.id, new.text);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
    INSERT INTO message_fts (message_fts, rowid, text) VALUES ('delete', old.id, old.text);
END;
-- +goose StatementEnd

-- A contact's names (registered customer's, WhatsApp profile's) and its
-- number as WhatsApp gives it, in E.164 digits and, for Brazil (+55),
-- without the country code and without the area code too, so that
-- "11 98765" and "98765" find +55 11 98765-4321. rowid = contacts.id.
CREATE VIRTUAL TABLE contact_fts USING fts5(
    name,
    phone,
    tokenize = 'unicode61 remove_diacritics 2'
);

-- +goose StatementBegin
CREATE TRIGGER contacts_fts_insert AFTER INSERT ON contacts BEGIN
    INSERT INTO contact_fts (rowid, name, phone) VALUES (new.id,
        COALESCE((SELECT name FROM customers WHERE id = new.customer_id), '') || ' ' || new.profile_name,
        COALESCE(new.wa_id, '') || ' ' || substr(new.phone, 2)
        || CASE WHEN new.phone LIKE '+55%' THEN ' ' || substr(new.phone, 4) || ' ' || substr(new.phone, 6) ELSE '' END
        || CASE WHEN new.wa_id LIKE '55%' THEN ' ' || substr(new.wa_id, 3) || ' ' || substr(new.wa_id, 5) ELSE '' END);
END;
-- +goose StatementEnd

-- Every inbound message upserts its contact: only real changes reindex it.
-- +goose StatementBegin
CREATE TRIGGER contacts_fts_update AFTER UPDATE OF customer_id, profile_name, wa_id, phone ON contacts
WHEN old.customer_id IS NOT new.customer_id OR old.profile_name IS NOT new.profile_name
  OR old.wa_id IS NOT new.wa_id OR old.phone IS NOT new.phone BEGIN
    DELETE FROM contact_fts WHERE rowid = old.id;
    INSERT INTO contact_fts (rowid, name, phone) VALUES (new.id,
        COALESCE((SELECT name FROM customers WHERE id = new.customer_id), '') || ' ' || new.profile_name,
        COALESCE(new.wa_id, '') || ' ' || substr(new.phone, 2)
        || CASE WHEN new.phone LIKE '+55%' THEN ' ' || substr(new.phone, 4) || ' ' || substr(new.phone, 6) ELSE '' END
        || CASE WHEN new.wa_id LIKE '55%' THEN ' ' || substr(new.wa_id, 3) || ' ' || substr(new.wa_id, 5) ELSE '' END);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER contacts_fts_delete AFTER DELETE ON contacts BEGIN
    DELETE FROM contact_fts WHERE rowid = old.id;
END;
-- +goose StatementEnd

-- A customer renamed: the contacts matched to it are found by the new name (F04).
-- +goose StatementBegin
CREATE TRIGGER customers_fts_name AFTER UPDATE OF name ON customers WHEN old.name IS NOT new.name BEGIN
    DELETE FROM contact_fts WHERE rowid IN (SELECT id FROM contacts WHERE customer_id = new.id);
    INSERT INTO contact_fts (rowid, name, phone)
    SELECT id, new.name || ' ' || profile_name,
        COALESCE(wa_id, '') || ' ' || substr(phone, 2)
        || CASE WHEN phone LIKE '+55%' THEN ' ' || substr(phone, 4) || ' ' || substr(phone, 6) ELSE '' END
        || CASE WHEN wa_id LIKE '55%' THEN ' ' || substr(wa_id, 3) || ' ' || substr(wa_id, 5) ELSE '' END
    FROM contacts WHERE customer_id = new.id;
END;
-- +goose StatementEnd

-- Rows written before this migration.
INSERT INTO message_fts (message_fts) VALUES ('rebuild');
INSERT INTO contact_fts (rowid, name, phone)
SELECT ct.id, COALESCE(cu.name, '') || ' ' || ct.profile_name,
    COALESCE(ct.wa_id, '') || ' ' || substr(ct.phone, 2)
    || CASE WHEN ct.phone LIKE '+55%' THEN ' ' || substr(ct.phone, 4) || ' ' || substr(ct.phone, 6) ELSE '' END
    || CASE WHEN ct.wa_id LIKE '55%' THEN ' ' || substr(ct.wa_id, 3) || ' ' || substr(ct.wa_id, 5) ELSE '' END
FROM contacts ct LEFT JOIN customers cu ON cu.id = ct.customer_id;

-- +goose Down
DROP TRIGGER customers_fts_name;
DROP TRIGGER contacts_fts_delete;
DROP TRIGGER contacts_fts_update;
DROP TRIGGER contacts_fts_insert;
DROP TABLE contact_fts;
DROP TRIGGER messages_fts_delete;
DROP TRIGGER messages_fts_update;
DROP TRIGGER messages_fts_insert;
DROP TABLE message_fts;
