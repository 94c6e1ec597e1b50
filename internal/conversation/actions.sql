-- Actions on one conversation: take/assign (F06), forward (F08), status
-- (F09), close (F16), read, and the events they leave in the timeline (F07).
-- Every state change is one conditional UPDATE whose row count decides
-- between concurrent callers (no read-then-write race).

-- name: take-conversation
-- args: assignee_id, id, team_id
-- An agent takes an unassigned conversation: only one of several racing takes
-- changes a row.
UPDATE conversations SET assignee_id = ?
WHERE id = ? AND team_id = ? AND assignee_id IS NULL AND status <> 'closed';

-- name: assign-conversation
-- args: assignee_id, id, team_id
-- An admin assigns (or reassigns) a conversation that is not closed and is
-- still in the team the assignee was checked against.
UPDATE conversations SET assignee_id = ? WHERE id = ? AND team_id = ? AND status <> 'closed';

-- name: assignable-user
-- args: user_id, team_id
-- Whether the user is an active agent or admin of the team.
SELECT EXISTS (
    SELECT 1 FROM users u JOIN user_teams ut ON ut.user_id = u.id
    WHERE u.id = ? AND ut.team_id = ? AND u.active AND u.role IN ('agent', 'admin')
);

-- name: team-exists
-- args: id
SELECT EXISTS (SELECT 1 FROM teams WHERE id = ?);

-- name: forward-conversation
-- args: to_team_id, id, from_team_id
-- Moves a conversation that is not closed (and is still in from_team) to
-- another team's New list.
UPDATE conversations SET team_id = ?, assignee_id = NULL WHERE id = ? AND team_id = ? AND status <> 'closed';

-- name: set-conversation-status
-- args: status, id
UPDATE conversations SET status = ? WHERE id = ? AND status <> 'closed';

-- name: close-conversation
-- args: closed_at, closed_by, id
-- The conversation keeps its assignee: the agent who held it last (F03).
UPDATE conversations SET status = 'closed', closed_at = ?, closed_reason = 'manual', closed_by = ?
WHERE id = ? AND status <> 'closed';

-- name: mark-conversation-read
-- args: id
UPDATE conversations SET unread_count = 0 WHERE id = ?;

-- name: latest-inbound-wa-id
-- args: conversation_id
SELECT wa_message_id FROM messages
WHERE conversation_id = ? AND direction = 'in' AND wa_message_id IS NOT NULL
ORDER BY created_at DESC, id DESC LIMIT 1;

-- name: insert-event
-- args: conversation_id, channel_id, contact_id, type, actor_id, from_team_id, to_team_id, assignee_id, status, note, at
INSERT INTO conversation_events (conversation_id, channel_id, contact_id, type, actor_id, from_team_id, to_team_id,
    assignee_id, status, note, at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?);

-- name: conversations-of-contact
-- args: contact_id
-- For the visibility of a contact: it is visible when one of these is.
SELECT id, channel_id, contact_id, team_id, assignee_id, status, unread_count, last_message_id,
       last_activity_at, last_inbound_at, created_at, closed_at, closed_reason
FROM conversations WHERE contact_id = ?;

-- name: inactive-conversations
-- args: cutoff, after_id, limit — open conversations whose customer last wrote (or that began)
-- before cutoff (F19), a page at a time in id order
SELECT id FROM conversations
WHERE status <> 'closed' AND COALESCE(last_inbound_at, created_at) < ? AND id > ?
ORDER BY id LIMIT ?;

-- name: close-inactive-conversation
-- args: closed_at, id, cutoff — only if the customer has still not written since cutoff
UPDATE conversations SET status = 'closed', closed_at = ?, closed_reason = 'inactivity', closed_by = NULL
WHERE id = ? AND status <> 'closed' AND COALESCE(last_inbound_at, created_at) < ?;
