-- Messages' search vectors (00021) written once per INSERT statement rather
-- than once per row: the webhook stores a batch's messages in one statement
-- (F25), and a row trigger paid a PL/pgSQL call and an SPI insert for each
-- of them. Updates and deletes (rare, one row at a time) keep their row
-- triggers.

-- +goose Up
DROP TRIGGER messages_search_insert ON messages;

-- +goose StatementBegin
CREATE FUNCTION papo_message_search_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO message_search (message_id, conversation_id, tsv)
    SELECT id, conversation_id, papo_search_vector(text) FROM new_messages;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER messages_search_insert AFTER INSERT ON messages
    REFERENCING NEW TABLE AS new_messages
    FOR EACH STATEMENT EXECUTE FUNCTION papo_message_search_insert();

-- +goose Down
DROP TRIGGER messages_search_insert ON messages;
DROP FUNCTION papo_message_search_insert();
CREATE TRIGGER messages_search_insert AFTER INSERT ON messages
    FOR EACH ROW EXECUTE FUNCTION papo_message_search_sync();
