-- Taking a conversation by replying to it (F06): the first reply sent to an
-- unassigned conversation assigns it to the sender. The row count of the
-- conditional UPDATE decides between racing senders.

-- name: reply-take
-- args: assignee_id, id
UPDATE conversations SET assignee_id = ? WHERE id = ? AND assignee_id IS NULL AND status <> 'closed';

-- name: reply-assigned-event
-- args: conversation_id, channel_id, contact_id, actor_id, assignee_id, at
INSERT INTO conversation_events (conversation_id, channel_id, contact_id, type, actor_id, assignee_id, note, at)
VALUES (?, ?, ?, 'assigned', ?, ?, '', ?);
