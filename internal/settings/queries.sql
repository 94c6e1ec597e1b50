-- name: get-settings
SELECT doc FROM settings WHERE id = 1;

-- name: put-settings
-- args: doc, updated_at
INSERT INTO settings (id, doc, updated_at) VALUES (1, ?, ?)
ON CONFLICT (id) DO UPDATE SET doc = excluded.doc, updated_at = excluded.updated_at;
