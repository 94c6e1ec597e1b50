-- Queries of the automatic answers (F19).

-- name: claim-automation-send
-- args: conversation_id, kind, occasion, sent_at — a repeat claims nothing (0 rows)
INSERT INTO automation_sends (conversation_id, kind, occasion, sent_at)
VALUES (?, ?, ?, ?)
ON CONFLICT (conversation_id, kind, occasion) DO NOTHING;

-- name: note-automation-message
-- args: message_id, conversation_id, kind, occasion
UPDATE automation_sends SET message_id = ? WHERE conversation_id = ? AND kind = ? AND occasion = ?;
