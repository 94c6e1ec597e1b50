-- name: list-teams
SELECT id, name, timezone, business_hours FROM teams ORDER BY name, id;

-- name: get-team
-- args: id
SELECT id, name, timezone, business_hours FROM teams WHERE id = ?;

-- name: insert-team
-- args: name, timezone, business_hours, created_at, updated_at
INSERT INTO teams (name, timezone, business_hours, created_at, updated_at) VALUES (?, ?, ?, ?, ?) RETURNING id;

-- name: update-team
-- args: name, timezone, business_hours, updated_at, id
UPDATE teams SET name = ?, timezone = ?, business_hours = ?, updated_at = ? WHERE id = ?;

-- name: team-in-use
-- args: id (x1): whether a channel routes new conversations to the team
SELECT EXISTS (SELECT 1 FROM channels WHERE default_team_id = ?);

-- name: delete-team
-- args: id
DELETE FROM teams WHERE id = ?;
