-- Search (F05): the conversation list's `q` over contact names (the
-- registered customer's name and the WhatsApp profile name), phone digits and
-- message text, served from GIN indexes. Text is folded (lowercase, accents
-- removed) by papo_fold, which does what internal/search.Fold does (NFD,
-- combining marks removed, lowercase) without the unaccent extension (that
-- needs a superuser; normalize() is built in), split into
-- words of letters and digits (as SQLite's unicode61 tokenizer and
-- search.Terms do), and stored as tsvectors in tables of their own, kept in
-- step by triggers: messages are written by several packages
-- (message.Service.InsertInbound/InsertOutbound), contacts by the webhook and
-- customers by the registry, and none of them needs to know.
-- internal/conversation/lists.postgres.sql reads them.

-- +goose Up
CREATE FUNCTION papo_fold(t text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN regexp_replace(normalize(lower(t), NFD),
        '[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]', '', 'g');

-- Words only (strip: no positions — search needs no phrases or ranking),
-- which keeps a message's vector about half as large.
CREATE FUNCTION papo_search_vector(t text) RETURNS tsvector
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN strip(to_tsvector('simple', regexp_replace(papo_fold(t), '[^[:alnum:]]+', ' ', 'g')));

-- A contact's searchable text: names, then the number as WhatsApp gives it,
-- in E.164 digits and, for Brazil (+55), without the country code and
-- without the area code too, so "11 98765" and "98765" find +55 11 98765-4321.
CREATE FUNCTION papo_contact_search_text(customer_name text, profile_name text, wa_id text, phone text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN concat_ws(' ', customer_name, profile_name, wa_id, ltrim(phone, '+'),
        CASE WHEN phone LIKE '+55%' THEN substr(phone, 4) || ' ' || substr(phone, 6) END,
        CASE WHEN wa_id LIKE '55%' THEN substr(wa_id, 3) || ' ' || substr(wa_id, 5) END);

CREATE TABLE message_search (
    message_id      BIGINT PRIMARY KEY,
    conversation_id BIGINT NOT NULL,
    tsv             tsvector NOT NULL
);
CREATE INDEX message_search_tsv ON message_search USING GIN (tsv);
CREATE INDEX message_search_conversation ON message_search (conversation_id);

CREATE TABLE contact_search (
    contact_id BIGINT PRIMARY KEY REFERENCES contacts (id) ON DELETE CASCADE,
    tsv        tsvector NOT NULL
);
CREATE INDEX contact_search_tsv ON contact_search USING GIN (tsv);

-- +goose StatementBegin
CREATE FUNCTION papo_message_search_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        DELETE FROM message_search WHERE message_id = OLD.id;
    ELSIF TG_OP = 'INSERT' THEN
        INSERT INTO message_search (message_id, conversation_id, tsv)
        VALUES (NEW.id, NEW.conversation_id, papo_search_vector(NEW.text));
    ELSE
        UPDATE message_search SET conversation_id = NEW.conversation_id, tsv = papo_search_vector(NEW.text)
        WHERE message_id = NEW.id;
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER messages_search_insert AFTER INSERT ON messages
    FOR EACH ROW EXECUTE FUNCTION papo_message_search_sync();
CREATE TRIGGER messages_search_update AFTER UPDATE OF text, conversation_id ON messages
    FOR EACH ROW WHEN (OLD.text IS DISTINCT FROM NEW.text OR OLD.conversation_id IS DISTINCT FROM NEW.conversation_id)
    EXECUTE FUNCTION papo_message_search_sync();
CREATE TRIGGER messages_search_delete AFTER DELETE ON messages
    FOR EACH ROW EXECUTE FUNCTION papo_message_search_sync();

-- +goose StatementBegin
CREATE FUNCTION papo_contact_search_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO contact_search (contact_id, tsv)
    VALUES (NEW.id, papo_search_vector(papo_contact_search_text(
        (SELECT name FROM customers WHERE id = NEW.customer_id), NEW.profile_name, NEW.wa_id, NEW.phone)))
    ON CONFLICT (contact_id) DO UPDATE SET tsv = excluded.tsv;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER contacts_search_insert AFTER INSERT ON contacts
    FOR EACH ROW EXECUTE FUNCTION papo_contact_search_sync();
-- Every inbound message upserts its contact: only real changes reindex it.
CREATE TRIGGER contacts_search_update AFTER UPDATE OF customer_id, profile_name, wa_id, phone ON contacts
    FOR EACH ROW WHEN (OLD.customer_id IS DISTINCT FROM NEW.customer_id OR OLD.profile_name IS DISTINCT FROM NEW.profile_name
        OR OLD.wa_id IS DISTINCT FROM NEW.wa_id OR OLD.phone IS DISTINCT FROM NEW.phone)
    EXECUTE FUNCTION papo_contact_search_sync();

-- +goose StatementBegin
CREATE FUNCTION papo_customer_search_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE contact_search cs
    SET tsv = papo_search_vector(papo_contact_search_text(NEW.name, c.profile_name, c.wa_id, c.phone))
    FROM contacts c
    WHERE c.customer_id = NEW.id AND cs.contact_id = c.id;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

-- A customer renamed: the contacts matched to it are found by the new name (F04).
CREATE TRIGGER customers_search_name AFTER UPDATE OF name ON customers
    FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name)
    EXECUTE FUNCTION papo_customer_search_sync();

-- Rows written before this migration.
INSERT INTO message_search (message_id, conversation_id, tsv)
SELECT id, conversation_id, papo_search_vector(text) FROM messages;
INSERT INTO contact_search (contact_id, tsv)
SELECT ct.id, papo_search_vector(papo_contact_search_text(cu.name, ct.profile_name, ct.wa_id, ct.phone))
FROM contacts ct LEFT JOIN customers cu ON cu.id = ct.customer_id;

-- +goose Down
DROP TRIGGER customers_search_name ON customers;
DROP TRIGGER contacts_search_update ON contacts;
DROP TRIGGER contacts_search_insert ON contacts;
DROP TRIGGER messages_search_delete ON messages;
DROP TRIGGER messages_search_update ON messages;
DROP TRIGGER messages_search_insert ON messages;
DROP FUNCTION papo_customer_search_sync();
DROP FUNCTION papo_contact_search_sync();
DROP FUNCTION papo_message_search_sync();
DROP TABLE contact_search;
DROP TABLE message_search;
DROP FUNCTION papo_contact_search_text(text, text, text, text);
DROP FUNCTION papo_search_vector(text);
DROP FUNCTION papo_fold(text);
