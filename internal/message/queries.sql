-- name: insert-inbound
-- Expanded with DB.Rows, a row per message: conversation_id, channel_id, contact_id, type, text, media_id,
-- payload, reply_to_id, reply_to_wa_id, wa_message_id, created_at, updated_at.
-- Applied once per WhatsApp message id, however often it is delivered: a
-- message already there returns no row.
INSERT INTO messages (conversation_id, channel_id, contact_id, direction, author_type, type, text, media_id, payload,
    reply_to_id, reply_to_wa_id, wa_message_id, status, created_at, updated_at)
VALUES (?, ?, ?, 'in', 'contact', ?, ?, ?, ?, ?, ?, ?, 'received', ?, ?)
ON CONFLICT (channel_id, wa_message_id) DO NOTHING
RETURNING id, channel_id, wa_message_id;

-- name: id-by-wa-id
-- args: channel_id, wa_message_id
SELECT id FROM messages WHERE channel_id = ? AND wa_message_id = ?;

-- name: insert-outbound
-- args: conversation_id, channel_id, contact_id, direction, author_type, author_id, type, text, media_id, payload,
--       reply_to_id, status, idempotency_key, created_at, updated_at
INSERT INTO messages (conversation_id, channel_id, contact_id, direction, author_type, author_id, type, text, media_id,
    payload, reply_to_id, status, idempotency_key, created_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
RETURNING id;

-- name: id-by-idempotency-key
-- args: author_id, idempotency_key
SELECT id FROM messages WHERE author_id = ? AND idempotency_key = ?;

-- name: get-messages
-- Expanded with DB.In.
SELECT id, conversation_id, channel_id, contact_id, direction, author_type, author_id, type, text, media_id, payload,
       reply_to_id, reply_to_wa_id, wa_message_id, status, error_code, error_message, error_retryable, created_at,
       edited_at, revoked_at
FROM messages WHERE id IN (?);

-- name: get-message
-- args: id
SELECT id, conversation_id, channel_id, contact_id, direction, author_type, author_id, type, text, media_id, payload,
       reply_to_id, reply_to_wa_id, wa_message_id, status, error_code, error_message, error_retryable, created_at,
       edited_at, revoked_at
FROM messages WHERE id = ?;

-- name: status-by-wa-id
-- args: channel_id, wa_message_id
SELECT id, status FROM messages WHERE channel_id = ? AND wa_message_id = ?;

-- name: set-status
-- args: status, error_code, error_message, error_retryable, updated_at, id
UPDATE messages SET status = ?, error_code = ?, error_message = ?, error_retryable = ?, updated_at = ? WHERE id = ?;

-- name: set-sent
-- args: wa_message_id, updated_at, id (only a queued message becomes sent here)
UPDATE messages SET wa_message_id = ?, status = CASE WHEN status = 'queued' THEN 'sent' ELSE status END, updated_at = ?
WHERE id = ?;

-- name: upsert-reaction
-- args: message_id, reactor, emoji, at
INSERT INTO message_reactions (message_id, reactor, emoji, at) VALUES (?, ?, ?, ?)
ON CONFLICT (message_id, reactor) DO UPDATE SET emoji = excluded.emoji, at = excluded.at
WHERE excluded.at >= message_reactions.at;

-- name: delete-reaction
-- args: message_id, reactor
DELETE FROM message_reactions WHERE message_id = ? AND reactor = ?;

-- name: reactions-of
-- Expanded with DB.In.
SELECT message_id, reactor, emoji FROM message_reactions WHERE message_id IN (?) ORDER BY at, reactor;

-- name: ticket-numbers-of
-- Expanded with DB.In.
SELECT tm.message_id, t.number FROM ticket_messages tm JOIN tickets t ON t.id = tm.ticket_id
WHERE tm.message_id IN (?) ORDER BY t.number;

-- name: media-of
-- Expanded with DB.In.
SELECT id, mime_type, filename, size, state FROM media WHERE id IN (?);

-- name: user-names
-- Expanded with DB.In.
SELECT id, name FROM users WHERE id IN (?);

-- name: edit-inbound
-- args: text, edited_at, updated_at, id, edited_at — a customer's edit (F18); an older edit arriving late changes nothing.
UPDATE messages SET text = ?, edited_at = ?, updated_at = ?
WHERE id = ? AND direction = 'in' AND revoked_at IS NULL AND (edited_at IS NULL OR edited_at <= ?);

-- name: revoke-inbound
-- args: revoked_at, updated_at, id — the customer deleted the message for everyone (F18).
UPDATE messages SET revoked_at = ?, updated_at = ? WHERE id = ? AND direction = 'in' AND revoked_at IS NULL;

-- name: text-of
-- args: id
SELECT text FROM messages WHERE id = ?;

-- name: set-reply-to
-- args: reply_to_id, id — a reply filed in the same statement as the message it quotes
UPDATE messages SET reply_to_id = ? WHERE id = ?;
