-- Outbound WhatsApp: templates (F15, F26), uploaded media, and the checks of
-- the send worker. Every block is named outbound-* so it never collides with
-- another package's.

-- name: outbound-template-get
-- args: channel_id, name, language
SELECT id, channel_id, wa_template_id, name, language, status, category, components, parameter_format, synced_at
FROM templates WHERE channel_id = ? AND name = ? AND language = ?;

-- name: outbound-templates-by-name
-- args: channel_id, name
SELECT id, channel_id, wa_template_id, name, language, status, category, components, parameter_format, synced_at
FROM templates WHERE channel_id = ? AND name = ? ORDER BY language;

-- name: outbound-template-list
-- args: channel_id
SELECT id, channel_id, wa_template_id, name, language, status, category, components, parameter_format, synced_at
FROM templates WHERE channel_id = ? ORDER BY name, language;

-- name: outbound-template-upsert
-- args: channel_id, wa_template_id, name, language, status, category, components, parameter_format, synced_at
INSERT INTO templates (channel_id, wa_template_id, name, language, status, category, components, parameter_format, synced_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (channel_id, name, language) DO UPDATE SET
    wa_template_id = excluded.wa_template_id, status = excluded.status, category = excluded.category,
    components = excluded.components, parameter_format = excluded.parameter_format, synced_at = excluded.synced_at;

-- name: outbound-template-delete-all
-- args: channel_id
-- A sync replaces a channel's templates: those WhatsApp no longer lists go.
DELETE FROM templates WHERE channel_id = ?;

-- name: outbound-channel-exists
-- args: id
SELECT EXISTS (SELECT 1 FROM channels WHERE id = ?);

-- name: outbound-media-insert
-- args: mime_type, filename, size, sha256, uploaded_by, created_at, updated_at
INSERT INTO media (mime_type, filename, size, sha256, state, uploaded_by, created_at, updated_at)
VALUES (?, ?, ?, ?, 'ready', ?, ?, ?)
RETURNING id;

-- name: outbound-blob-insert
-- args: media_id, data
INSERT INTO media_blobs (media_id, data) VALUES (?, ?);

-- name: outbound-media-get
-- args: id
SELECT id, channel_id, wa_media_id, mime_type, filename, size, state, uploaded_by, updated_at FROM media WHERE id = ?;

-- name: outbound-blob-get
-- args: media_id
SELECT data FROM media_blobs WHERE media_id = ?;

-- name: outbound-media-conversations
-- args: media_id
-- The conversations whose messages hold a file: who may see one may see it.
SELECT DISTINCT conversation_id FROM messages WHERE media_id = ?;

-- name: outbound-media-uploaded
-- args: channel_id, wa_media_id, updated_at, id
-- The file was uploaded to WhatsApp for a channel (its id lives ~30 days).
UPDATE media SET channel_id = ?, wa_media_id = ?, updated_at = ? WHERE id = ?;

-- name: outbound-earlier-queued
-- args: conversation_id, id, created_after
-- An earlier message of the conversation still waiting to be sent (recent
-- enough to keep the later ones waiting for it).
SELECT EXISTS (
    SELECT 1 FROM messages
    WHERE conversation_id = ? AND status = 'queued' AND id < ? AND direction = 'out' AND created_at > ?
);

-- name: outbound-message-wa-id
-- args: id
SELECT wa_message_id FROM messages WHERE id = ?;

-- name: outbound-message-by-key
-- args: author_id, idempotency_key
SELECT id, conversation_id FROM messages WHERE author_id = ? AND idempotency_key = ?;
