-- Search (F05) on SQLite: the FTS5 indexes of migration 00021 (message_fts
-- over messages.text, contact_fts over contact names and phone digits).
-- lists_search.go builds the MATCH expressions: "term" or "term"* per word,
-- all of them required.

-- name: search-message-ids
-- args: match, limit
-- Messages matching, at most limit: counting them reads the index alone.
SELECT rowid AS id FROM message_fts WHERE message_fts MATCH ? LIMIT ?;

-- name: search-message-hits
-- args: match, limit
-- The conversations of messages matching, at most limit (one per message).
SELECT m.conversation_id FROM message_fts f JOIN messages m ON m.id = f.rowid
WHERE message_fts MATCH ? LIMIT ?;

-- name: search-contact-hits
-- args: match, limit
SELECT rowid AS id FROM contact_fts WHERE contact_fts MATCH ? LIMIT ?;

-- name: search-contacts-among
-- args: match, contact ids (expanded with DB.In)
SELECT rowid AS id FROM contact_fts WHERE contact_fts MATCH ? AND rowid IN (?);
