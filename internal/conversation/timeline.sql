-- The timeline (F07) of a contact on a channel — every conversation, earlier
-- closed ones included — and the selection of recent messages (F10). Pages
-- go backwards by keyset over (time, id) on the messages_timeline and
-- conversation_events_timeline indexes: no OFFSET, the same cost at any depth.

-- name: timeline-messages
-- args: contact_id, channel_id, before_at, before_id, limit
-- Messages and notes strictly older than (before_at, before_id), newest first.
SELECT id, direction, created_at FROM messages
WHERE contact_id = ? AND channel_id = ? AND (created_at, id) < (?, ?)
ORDER BY created_at DESC, id DESC LIMIT ?;

-- name: timeline-events
-- args: contact_id, channel_id, before_at, before_id, include_changes (bool), limit
-- Events strictly older than (before_at, before_id), newest first; without
-- include_changes, forwards and assignment changes are left out.
SELECT e.id, e.conversation_id, e.type, e.actor_id, COALESCE(a.name, '') AS actor_name,
       e.from_team_id, COALESCE(ft.name, '') AS from_team_name, e.to_team_id, COALESCE(tt.name, '') AS to_team_name,
       e.assignee_id, COALESCE(u.name, '') AS assignee_name, e.status, e.note, e.at
FROM conversation_events e
LEFT JOIN users a ON a.id = e.actor_id
LEFT JOIN users u ON u.id = e.assignee_id
LEFT JOIN teams ft ON ft.id = e.from_team_id
LEFT JOIN teams tt ON tt.id = e.to_team_id
WHERE e.contact_id = ? AND e.channel_id = ? AND (e.at, e.id) < (?, ?)
  AND (? OR e.type NOT IN ('forwarded', 'assigned', 'unassigned'))
ORDER BY e.at DESC, e.id DESC LIMIT ?;

-- name: messages-since
-- args: conversation_id, since, limit
-- The messages and notes of one conversation from since on, oldest first (F10).
SELECT id FROM messages WHERE conversation_id = ? AND created_at >= ?
ORDER BY created_at, id LIMIT ?;
