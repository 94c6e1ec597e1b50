-- Search (F05) on PostgreSQL: the GIN-indexed tsvectors of migration 00021
-- (message_search per message, contact_search per contact). lists_search.go
-- builds the tsquery: 'term' or 'term':* per word, all of them required (&),
-- and has these planned for their actual arguments: how many rows a term
-- matches decides between the GIN index (rare) and a scan that stops at the
-- limit (common).

-- name: search-message-ids
-- args: tsquery, limit
SELECT message_id AS id FROM message_search WHERE tsv @@ to_tsquery('simple', ?) LIMIT ?;

-- name: search-message-hits
-- args: tsquery, limit
SELECT conversation_id FROM message_search WHERE tsv @@ to_tsquery('simple', ?) LIMIT ?;

-- name: search-contact-hits
-- args: tsquery, limit
SELECT contact_id AS id FROM contact_search WHERE tsv @@ to_tsquery('simple', ?) LIMIT ?;

-- name: search-contacts-among
-- args: tsquery, contact ids (expanded with DB.In)
SELECT contact_id AS id FROM contact_search WHERE tsv @@ to_tsquery('simple', ?) AND contact_id IN (?);
