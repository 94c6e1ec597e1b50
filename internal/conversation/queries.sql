-- name: get-conversation
-- args: id
SELECT id, channel_id, contact_id, team_id, assignee_id, status, unread_count, last_message_id,
       last_activity_at, last_inbound_at, created_at, closed_at, closed_reason
FROM conversations WHERE id = ?;

-- name: get-conversations
-- Expanded with DB.In.
SELECT id, channel_id, contact_id, team_id, assignee_id, status, unread_count, last_message_id,
       last_activity_at, last_inbound_at, created_at, closed_at, closed_reason
FROM conversations WHERE id IN (?);

-- name: open-conversation
-- args: channel_id, contact_id, team_id, last_activity_at, created_at
-- Creates the contact's open conversation on the channel unless one exists
-- (the partial unique index decides between racing inserts).
INSERT INTO conversations (channel_id, contact_id, team_id, status, unread_count, last_activity_at, created_at)
VALUES (?, ?, ?, 'pending', 0, ?, ?)
ON CONFLICT (channel_id, contact_id) WHERE status <> 'closed' DO NOTHING;

-- name: find-open-conversation
-- args: channel_id, contact_id
SELECT id, channel_id, contact_id, team_id, assignee_id, status, unread_count, last_message_id,
       last_activity_at, last_inbound_at, created_at, closed_at, closed_reason
FROM conversations WHERE channel_id = ? AND contact_id = ? AND status <> 'closed';

-- name: record-inbound
-- Expanded with DB.Rows, a row per conversation: id, last_message_id (the
-- newest of its new messages), at (that message's time), n (how many).
-- Customer messages: newest activity, the window restarts, n more unread,
-- and a resolved conversation needs work again (F09). A message WhatsApp
-- delivers late (older than the activity) is no new preview.
WITH v (id, msg, at, n) AS (VALUES (?, ?, ?, ?))
UPDATE conversations SET
    last_message_id = CASE WHEN last_activity_at > v.at THEN last_message_id ELSE v.msg END,
    last_activity_at = CASE WHEN last_activity_at > v.at THEN last_activity_at ELSE v.at END,
    last_inbound_at = CASE WHEN last_inbound_at IS NOT NULL AND last_inbound_at > v.at THEN last_inbound_at ELSE v.at END,
    unread_count = unread_count + v.n,
    status = CASE WHEN status = 'resolved' THEN 'pending' ELSE status END
FROM v WHERE conversations.id = v.id;

-- name: find-open-conversations
-- Expanded with DB.In: args channel_id, contact ids.
SELECT id, channel_id, contact_id, team_id, assignee_id, status, unread_count, last_message_id,
       last_activity_at, last_inbound_at, created_at, closed_at, closed_reason
FROM conversations WHERE channel_id = ? AND contact_id IN (?) AND status <> 'closed';

-- name: record-outbound
-- args: at, last_message_id, at (x2), id
UPDATE conversations SET
    last_message_id = CASE WHEN last_activity_at > ? THEN last_message_id ELSE ? END,
    last_activity_at = CASE WHEN last_activity_at > ? THEN last_activity_at ELSE ? END
WHERE id = ?;

-- name: last-messages
-- Expanded with DB.In: the summary of each conversation's last message.
SELECT id, direction, type, text, status, created_at FROM messages WHERE id IN (?);
