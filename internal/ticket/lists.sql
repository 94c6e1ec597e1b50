-- The ticket list (F22) is put together from the fragments below: a head
-- (list-tickets, or list-tickets-search when there are words to search),
-- the page's start (…-after), one fragment per filter in use, and the order
-- (…-order). Each filter is its own fragment, so both engines plan every
-- combination with exact predicates (and their indexes) instead of
-- "? IS NULL OR …" guards. Fragments keep raw "?" placeholders; the whole
-- query is expanded and rebound at once (DB.In).
--
-- Newest first is by id: ids, like numbers, follow the order in which
-- tickets were created (the number is taken under the counter's lock just
-- before the insert), and the primary key serves the order on both engines.
-- The search head and its -after/-order fragments are per engine
-- (lists.sqlite.sql, lists.postgres.sql).

-- name: list-tickets
SELECT t.id, t.number, t.title, t.description, t.status, t.origin, t.requester_id, t.contact_id, t.conversation_id,
       t.team_id, t.assignee_id, t.created_at, t.updated_at
FROM tickets t
WHERE 1 = 1

-- name: list-tickets-after
-- args: id of the last ticket of the previous page
AND t.id < ?

-- name: list-tickets-order
-- args: limit
ORDER BY t.id DESC
LIMIT ?

-- name: list-tickets-in-teams
-- args: the agent's team ids (visibility)
AND t.team_id IN (?)

-- name: list-tickets-team
-- args: team_id
AND t.team_id = ?

-- name: list-tickets-status
-- args: status
AND t.status = ?

-- name: list-tickets-origin
-- args: origin
AND t.origin = ?

-- name: list-tickets-requester
-- args: requester_id
AND t.requester_id = ?

-- name: list-tickets-number
-- args: number. A query that is a number runs twice: the words (search
-- head) and this exact number (plain head); List merges the two pages.
AND t.number = ?
