-- name: list-canned
-- Expanded with DB.In.
-- args: every_team (bool: no team restriction), team ids (responses of these teams, besides the ones for every
--       team), four LIKE patterns over the folded shortcut, title and body ('%' when unused), after_shortcut, limit
SELECT id, shortcut, title, body, team_id FROM canned_responses
WHERE (team_id IS NULL OR ? OR team_id IN (?))
  AND search_text LIKE ? ESCAPE '\' AND search_text LIKE ? ESCAPE '\'
  AND search_text LIKE ? ESCAPE '\' AND search_text LIKE ? ESCAPE '\'
  AND shortcut > ?
ORDER BY shortcut LIMIT ?;

-- name: get-canned
-- args: id
SELECT id, shortcut, title, body, team_id FROM canned_responses WHERE id = ?;

-- name: insert-canned
-- args: shortcut, title, body, team_id, search_text, created_at, updated_at
INSERT INTO canned_responses (shortcut, title, body, team_id, search_text, created_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id;

-- name: update-canned
-- args: shortcut, title, body, team_id, search_text, updated_at, id
UPDATE canned_responses SET shortcut = ?, title = ?, body = ?, team_id = ?, search_text = ?, updated_at = ? WHERE id = ?;

-- name: delete-canned
-- args: id
DELETE FROM canned_responses WHERE id = ?;

-- name: canned-team-exists
-- args: id
SELECT EXISTS (SELECT 1 FROM teams WHERE id = ?);

-- name: last-whatsapp-ticket-of-customer
-- args: requester_id
SELECT number, created_at FROM tickets WHERE requester_id = ? AND origin = 'whatsapp'
ORDER BY created_at DESC LIMIT 1;

-- name: last-whatsapp-ticket-of-contact
-- args: contact_id
SELECT number, created_at FROM tickets WHERE contact_id = ? AND origin = 'whatsapp'
ORDER BY created_at DESC LIMIT 1;
