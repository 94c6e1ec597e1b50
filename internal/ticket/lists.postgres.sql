-- Search over a ticket's title and description answers from the GIN index
-- tickets_search (migration 00030) on the stored
-- search_vector = to_tsvector('simple', search_text). With statistics the
-- planner chooses between the index (rare words) and the primary key
-- walked backwards with the match as a filter (words in many tickets).

-- name: list-tickets-search
-- args: tsquery of folded word prefixes (joao:* & boleto:*)
SELECT t.id, t.number, t.title, t.description, t.status, t.origin, t.requester_id, t.contact_id, t.conversation_id,
       t.team_id, t.assignee_id, t.created_at, t.updated_at
FROM tickets t
WHERE t.search_vector @@ to_tsquery('simple', ?)

-- name: list-tickets-search-after
-- args: id of the last ticket of the previous page
AND t.id < ?

-- name: list-tickets-search-order
-- args: limit
ORDER BY t.id DESC
LIMIT ?

-- name: list-tickets-search-filter
-- The words as a filter of the plain head, for lists already narrowed by a
-- selective index (a requester's tickets).
-- args: tsquery
AND t.search_vector @@ to_tsquery('simple', ?)
