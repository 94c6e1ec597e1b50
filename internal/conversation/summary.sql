-- The conversation summary (F31): one conversation's events, message counts
-- and tickets, each by its own index.

-- name: summary-events
-- args: conversation_id
SELECT type, from_team_id, to_team_id, assignee_id FROM conversation_events
WHERE conversation_id = ? ORDER BY at, id;

-- name: summary-message-counts
-- args: conversation_id
SELECT direction, COUNT(*) AS n FROM messages WHERE conversation_id = ? GROUP BY direction;

-- name: summary-tickets
-- args: conversation_id (x2)
-- Tickets created from the conversation, then tickets holding one of its messages.
SELECT t.id, t.number, t.title, t.status, 'created' AS relation FROM tickets t WHERE t.conversation_id = ?
UNION
SELECT t.id, t.number, t.title, t.status, 'linked' AS relation
FROM messages m JOIN ticket_messages tm ON tm.message_id = m.id JOIN tickets t ON t.id = tm.ticket_id
WHERE m.conversation_id = ?
ORDER BY 2, 5;

-- name: summary-user-names
-- Expanded with DB.In.
SELECT id, name FROM users WHERE id IN (?);

-- name: summary-team-names
-- Expanded with DB.In.
SELECT id, name FROM teams WHERE id IN (?);
