-- Queries of the WhatsApp webhook's inbound side (F18, F25, F29).

-- name: insert-delivery
-- args: body, received_at, state, error, phone_number_ids, items, applied_at
INSERT INTO webhook_deliveries (body, received_at, state, error, phone_number_ids, items, applied_at)
VALUES (?, ?, ?, ?, ?, ?, ?)
RETURNING id;

-- name: get-delivery
-- args: id
SELECT id, body, received_at, state, error, phone_number_ids, items, applied_at
FROM webhook_deliveries WHERE id = ?;

-- name: set-delivery-state
-- args: state, error, applied_at, id
UPDATE webhook_deliveries SET state = ?, error = ?, applied_at = ? WHERE id = ?;

-- name: failed-deliveries
-- args: phone_number_id ('' for every channel), its LIKE pattern, first_page, after_received_at, after_id, limit
-- — the newest deliveries that could not be applied (F29), a page at a time: of every channel, or of one
-- (its phone_number_id among the delivery's, or none at all: a malformed body names no channel)
SELECT id, received_at, state, error, phone_number_ids, items, applied_at
FROM webhook_deliveries
WHERE state = 'failed'
  AND (? = '' OR phone_number_ids = '' OR (' ' || phone_number_ids || ' ') LIKE ?)
  AND (? OR (received_at, id) < (?, ?))
ORDER BY received_at DESC, id DESC LIMIT ?;

-- name: count-failed-deliveries
-- args: phone_number_id LIKE pattern — a channel's failed deliveries, the malformed ones included (F29)
SELECT COUNT(*) FROM webhook_deliveries
WHERE state = 'failed' AND (phone_number_ids = '' OR (' ' || phone_number_ids || ' ') LIKE ?);

-- name: count-channel-waiting-statuses
-- args: channel_id — "+channel_id" keeps both planners on the small partial index of waiting statuses
-- instead of the primary key's channel prefix (every status of the channel's last two weeks)
SELECT COUNT(*) FROM webhook_statuses WHERE NOT applied AND +channel_id = ?;

-- name: channel-by-phone-number-id
-- args: phone_number_id
SELECT id, default_team_id FROM channels WHERE phone_number_id = ?;

-- name: touch-channel
-- args: last_webhook_at, id, last_webhook_at
UPDATE channels SET last_webhook_at = ? WHERE id = ? AND (last_webhook_at IS NULL OR last_webhook_at < ?);

-- name: insert-status
-- args: channel_id, wa_message_id, status, at, error_code, error_message, error_retryable, received_at
-- A status is applied once per (message, status): a repeat inserts nothing.
INSERT INTO webhook_statuses (channel_id, wa_message_id, status, at, error_code, error_message, error_retryable,
    applied, received_at)
VALUES (?, ?, ?, ?, ?, ?, ?, FALSE, ?)
ON CONFLICT (channel_id, wa_message_id, status) DO NOTHING;

-- name: mark-status-applied
-- args: channel_id, wa_message_id, status
UPDATE webhook_statuses SET applied = TRUE WHERE channel_id = ? AND wa_message_id = ? AND status = ?;

-- name: waiting-statuses
-- args: channel_id, wa_message_id
SELECT status, at, error_code, error_message, error_retryable FROM webhook_statuses
WHERE channel_id = ? AND wa_message_id = ? AND NOT applied ORDER BY at, status;

-- name: insert-reaction
-- args: channel_id, wa_message_id, target_wa_id, reactor, emoji, at, received_at
-- A reaction is applied once per its own message id: a repeat inserts nothing.
INSERT INTO webhook_reactions (channel_id, wa_message_id, target_wa_id, reactor, emoji, at, applied, received_at)
VALUES (?, ?, ?, ?, ?, ?, FALSE, ?)
ON CONFLICT (channel_id, wa_message_id) DO NOTHING;

-- name: newer-reaction-exists
-- args: channel_id, target_wa_id, reactor, at
SELECT COUNT(*) FROM webhook_reactions WHERE channel_id = ? AND target_wa_id = ? AND reactor = ? AND at > ?;

-- name: mark-reaction-applied
-- args: channel_id, wa_message_id
UPDATE webhook_reactions SET applied = TRUE WHERE channel_id = ? AND wa_message_id = ?;

-- name: waiting-reactions
-- args: channel_id, target_wa_id — newest first, so the first per reactor wins
SELECT wa_message_id, reactor, emoji, at FROM webhook_reactions
WHERE channel_id = ? AND target_wa_id = ? AND NOT applied ORDER BY at DESC, wa_message_id DESC;

-- name: mark-target-reactions-applied
-- args: channel_id, target_wa_id
UPDATE webhook_reactions SET applied = TRUE WHERE channel_id = ? AND target_wa_id = ? AND NOT applied;

-- name: insert-media
-- args: channel_id, wa_media_id, mime_type, filename, sha256, next_attempt_at, created_at, updated_at
INSERT INTO media (channel_id, wa_media_id, mime_type, filename, size, sha256, state, error, attempts, next_attempt_at,
    created_at, updated_at)
VALUES (?, ?, ?, ?, 0, ?, 'pending', '', 0, ?, ?, ?)
RETURNING id;

-- name: delete-media
-- args: id
DELETE FROM media WHERE id = ?;

-- name: claim-media
-- args: lease_until, updated_at, now, now, limit
-- Claims due downloads by moving next_attempt_at to the end of a lease; the
-- outer condition is checked again under the row lock, so two workers never
-- claim the same row.
UPDATE media SET next_attempt_at = ?, attempts = attempts + 1, updated_at = ?
WHERE state = 'pending' AND wa_media_id IS NOT NULL AND next_attempt_at <= ?
  AND id IN (SELECT id FROM media WHERE state = 'pending' AND wa_media_id IS NOT NULL AND next_attempt_at <= ?
             ORDER BY next_attempt_at, id LIMIT ?)
RETURNING id, channel_id, wa_media_id, mime_type, sha256, attempts;

-- name: put-media-blob
-- args: media_id, data
INSERT INTO media_blobs (media_id, data) VALUES (?, ?)
ON CONFLICT (media_id) DO UPDATE SET data = excluded.data;

-- name: media-ready
-- args: size, mime_type, updated_at, id
UPDATE media SET state = 'ready', size = ?, mime_type = CASE WHEN mime_type = '' THEN ? ELSE mime_type END,
    error = '', next_attempt_at = NULL, updated_at = ?
WHERE id = ? AND state = 'pending';

-- name: media-retry
-- args: error, next_attempt_at, updated_at, id
UPDATE media SET error = ?, next_attempt_at = ?, updated_at = ? WHERE id = ? AND state = 'pending';

-- name: media-failed
-- args: error, updated_at, id
UPDATE media SET state = 'failed', error = ?, next_attempt_at = NULL, updated_at = ? WHERE id = ? AND state = 'pending';

-- name: messages-of-media
-- args: media_id
SELECT id FROM messages WHERE media_id = ?;

-- name: channel-for-media
-- args: id
SELECT phone_number_id, waba_id, graph_api_url, graph_api_version FROM channels WHERE id = ?;

-- name: delete-old-deliveries
-- args: before, limit — applied and ignored deliveries past WhatsApp's redelivery horizon, a chunk at a
-- time so that the write lock is never held long; failed ones stay (F29)
DELETE FROM webhook_deliveries WHERE id IN (
    SELECT id FROM webhook_deliveries WHERE state IN ('applied', 'ignored') AND received_at < ? LIMIT ?);

-- name: delete-old-statuses
-- args: before, limit — applied status keys older than any redelivery
DELETE FROM webhook_statuses WHERE (channel_id, wa_message_id, status) IN (
    SELECT channel_id, wa_message_id, status FROM webhook_statuses WHERE applied AND received_at < ? LIMIT ?);

-- name: delete-old-reactions
-- args: before, limit
DELETE FROM webhook_reactions WHERE (channel_id, wa_message_id) IN (
    SELECT channel_id, wa_message_id FROM webhook_reactions WHERE applied AND received_at < ? LIMIT ?);

-- name: count-waiting-statuses
SELECT COUNT(*) FROM webhook_statuses WHERE NOT applied;

-- name: batch-look-up
-- Expanded with DB.In: args channel_id, wa_message_ids (three times) — which
-- of a batch's messages papo has already ('known') and which have reactions,
-- edits or revokes waiting for them ('waiting').
SELECT wa_message_id AS wa, 'known' AS what FROM messages WHERE channel_id = ? AND wa_message_id IN (?)
UNION ALL
SELECT DISTINCT target_wa_id, 'waiting' FROM webhook_reactions WHERE channel_id = ? AND NOT applied AND target_wa_id IN (?)
UNION ALL
SELECT DISTINCT target_wa_id, 'waiting' FROM webhook_message_changes WHERE channel_id = ? AND NOT applied AND target_wa_id IN (?);

-- name: media-due
-- args: now — whether any download is due (a read, so an idle worker writes nothing)
SELECT COUNT(*) FROM (SELECT 1 FROM media WHERE state = 'pending' AND wa_media_id IS NOT NULL AND next_attempt_at <= ? LIMIT 1) due;

-- name: insert-message-change
-- args: channel_id, wa_message_id, target_wa_id, kind, text, at, received_at
-- An edit or revoke is applied once per its own message id: a repeat inserts nothing.
INSERT INTO webhook_message_changes (channel_id, wa_message_id, target_wa_id, kind, text, at, applied, received_at)
VALUES (?, ?, ?, ?, ?, ?, FALSE, ?)
ON CONFLICT (channel_id, wa_message_id) DO NOTHING;

-- name: waiting-message-changes
-- args: channel_id, target_wa_id — oldest first: the newest edit is applied last and wins
SELECT wa_message_id, kind, text, at FROM webhook_message_changes
WHERE channel_id = ? AND target_wa_id = ? AND NOT applied ORDER BY at, wa_message_id;

-- name: mark-message-change-applied
-- args: previous_text, channel_id, wa_message_id
UPDATE webhook_message_changes SET applied = TRUE, previous_text = ? WHERE channel_id = ? AND wa_message_id = ?;
