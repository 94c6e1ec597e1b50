-- Search over a ticket's title and description answers from the FTS5 index
-- tickets_fts (migration 00030), kept in step with tickets.search_text by
-- triggers. The index drives the query: it yields matching rowids newest
-- first (ORDER BY its rowid DESC, which FTS5 serves without sorting), each
-- ticket is read by primary key and the filters applied, until the page is
-- full.

-- name: list-tickets-search
-- args: FTS5 query of folded word prefixes ("joao"* "boleto"*)
SELECT t.id, t.number, t.title, t.description, t.status, t.origin, t.requester_id, t.contact_id, t.conversation_id,
       t.team_id, t.assignee_id, t.created_at, t.updated_at
FROM tickets_fts f JOIN tickets t ON t.id = f.rowid
WHERE tickets_fts MATCH ?

-- name: list-tickets-search-after
-- args: id of the last ticket of the previous page
AND f.rowid < ?

-- name: list-tickets-search-order
-- args: limit
ORDER BY f.rowid DESC
LIMIT ?

-- name: list-tickets-search-filter
-- The words as a filter of the plain head, for lists already narrowed by a
-- selective index (a requester's tickets): each candidate is checked
-- against the index by rowid instead of walking every match.
-- args: FTS5 query
AND EXISTS (SELECT 1 FROM tickets_fts WHERE tickets_fts MATCH ? AND rowid = t.id)
