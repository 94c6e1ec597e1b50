-- name: next-ticket-number
-- The next ticket number, taken in the creating transaction: on PostgreSQL
-- the upsert locks the counter row until commit, so concurrent creations
-- queue and numbers stay sequential with no gaps (a rolled-back creation
-- gives its number back); on SQLite the single writer serialises them.
INSERT INTO counters (name, value) VALUES ('ticket_number', 1)
ON CONFLICT (name) DO UPDATE SET value = counters.value + 1
RETURNING value;

-- name: insert-ticket
-- args: number, title, description, status, origin, requester_id, contact_id, conversation_id, team_id,
--       assignee_id, created_by, search_text, created_at, updated_at
INSERT INTO tickets (number, title, description, status, origin, requester_id, contact_id, conversation_id, team_id,
    assignee_id, created_by, search_text, created_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
RETURNING id;

-- name: get-ticket-by-number
-- args: number
SELECT id, number, title, description, status, origin, requester_id, contact_id, conversation_id, team_id,
       assignee_id, created_at, updated_at
FROM tickets WHERE number = ?;

-- name: update-ticket
-- args: title, description, status, requester_id, team_id, assignee_id, search_text, updated_at, id
UPDATE tickets SET title = ?, description = ?, status = ?, requester_id = ?, team_id = ?, assignee_id = ?,
    search_text = ?, updated_at = ?
WHERE id = ?;

-- name: touch-ticket
-- args: updated_at, id
UPDATE tickets SET updated_at = ? WHERE id = ?;

-- name: team-exists
-- args: id
SELECT COUNT(*) FROM teams WHERE id = ?;

-- name: customer-exists
-- args: id
SELECT COUNT(*) FROM customers WHERE id = ?;

-- name: active-team-member
-- args: user_id, team_id: whether the user is active and belongs to the team
SELECT COUNT(*) FROM users u JOIN user_teams ut ON ut.user_id = u.id
WHERE u.id = ? AND ut.team_id = ? AND u.active;

-- name: customers-of
-- Expanded with DB.In: the requesters shown on a page of tickets.
SELECT id, name, email, organization, phones FROM customers WHERE id IN (?);

-- name: contact-customer
-- args: contact_id
SELECT customer_id FROM contacts WHERE id = ?;

-- name: message-conversations
-- Expanded with DB.In: the conversation of each message to link.
SELECT id, conversation_id FROM messages WHERE id IN (?);

-- name: link-message
-- args: ticket_id, message_id, linked_by, linked_at
-- Linking a message twice changes nothing (the caller counts new links).
INSERT INTO ticket_messages (ticket_id, message_id, linked_by, linked_at) VALUES (?, ?, ?, ?)
ON CONFLICT (ticket_id, message_id) DO NOTHING;

-- name: linked-message-ids
-- args: ticket_id: the transcript, in the order the messages were sent
SELECT tm.message_id FROM ticket_messages tm JOIN messages m ON m.id = tm.message_id
WHERE tm.ticket_id = ?
ORDER BY m.created_at, m.id;

-- name: last-whatsapp-tickets
-- Expanded with DB.In: for each contact, the newest ticket of origin
-- WhatsApp (F13) whose requester is the contact's customer, and the newest
-- one created from the contact's own conversations; the caller keeps the
-- newer of the two. Each subquery walks tickets_requester_origin or
-- tickets_contact_origin.
WITH refs AS (
    SELECT c.id AS contact_id,
        (SELECT r.id FROM tickets r
         WHERE r.requester_id = c.customer_id AND r.origin = 'whatsapp'
         ORDER BY r.created_at DESC, r.id DESC LIMIT 1) AS by_customer,
        (SELECT u.id FROM tickets u
         WHERE u.contact_id = c.id AND u.origin = 'whatsapp'
         ORDER BY u.created_at DESC, u.id DESC LIMIT 1) AS by_contact
    FROM contacts c
    WHERE c.id IN (?)
)
SELECT refs.contact_id, t.id, t.number, t.title, t.status, t.created_at
FROM refs JOIN tickets t ON t.id = refs.by_customer
UNION ALL
SELECT refs.contact_id, t.id, t.number, t.title, t.status, t.created_at
FROM refs JOIN tickets t ON t.id = refs.by_contact;
