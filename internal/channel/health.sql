-- Channel health (F29): what the webhook and the Graph API last did for a
-- channel. last_webhook_at is kept by internal/inbound; the send columns by
-- internal/outbound through RecordSend and RecordGraphError.

-- name: channel-health
-- args: id
SELECT id, phone_number_id, last_webhook_at, last_send_at, last_error_code, last_error_message, last_error_at
FROM channels WHERE id = ?;

-- name: channel-failed-messages-since
-- args: channel_id, since — read from the partial index messages_failed only
SELECT COUNT(*) FROM messages WHERE channel_id = ? AND status = 'failed' AND updated_at >= ?;

-- name: channel-send-accepted
-- args: last_send_at, id, last_send_at — concurrent sends commit in any
-- order: the time only moves forward.
UPDATE channels SET last_send_at = ? WHERE id = ? AND (last_send_at IS NULL OR last_send_at < ?);

-- name: channel-graph-error
-- args: code, message, at, id, at — the latest error wins; of two at the same
-- time, the one written last.
UPDATE channels SET last_error_code = ?, last_error_message = ?, last_error_at = ?
WHERE id = ? AND (last_error_at IS NULL OR last_error_at <= ?);
