-- name: insert-user
-- args: name, email, role, password_hash, active, created_at, updated_at
INSERT INTO users (name, email, role, password_hash, active, created_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id;

-- name: get-user
-- args: id
SELECT id, name, email, role, active, password_hash FROM users WHERE id = ?;

-- name: get-user-by-email
-- args: email (lowercase)
SELECT id, name, email, role, active, password_hash FROM users WHERE email = ?;

-- name: list-users
SELECT id, name, email, role, active, password_hash FROM users ORDER BY name, id;

-- name: list-users-in-teams
-- args: the caller's user id (its teams)
SELECT u.id, u.name, u.email, u.role, u.active, u.password_hash FROM users u
WHERE EXISTS (
    SELECT 1 FROM user_teams mine JOIN user_teams theirs ON theirs.team_id = mine.team_id
    WHERE mine.user_id = ? AND theirs.user_id = u.id
)
ORDER BY u.name, u.id;

-- name: count-users
SELECT COUNT(*) FROM users;

-- name: update-user
-- args: name, email, role, password_hash, active, updated_at, id
UPDATE users SET name = ?, email = ?, role = ?, password_hash = ?, active = ?, updated_at = ? WHERE id = ?;

-- name: user-team-ids
-- args: user_id
SELECT team_id FROM user_teams WHERE user_id = ? ORDER BY team_id;

-- name: all-user-team-ids
SELECT user_id, team_id FROM user_teams ORDER BY user_id, team_id;

-- name: delete-user-teams
-- args: user_id
DELETE FROM user_teams WHERE user_id = ?;

-- name: insert-user-team
-- args: user_id, team_id
INSERT INTO user_teams (user_id, team_id) VALUES (?, ?);

-- name: count-teams-in
-- Used with a list expanded by sqlx.In: how many of the given team ids exist.
SELECT COUNT(*) FROM teams WHERE id IN (?);

-- name: insert-session
-- args: token_hash, csrf_token, user_id, created_at, last_seen_at, expires_at
INSERT INTO sessions (token_hash, csrf_token, user_id, created_at, last_seen_at, expires_at)
VALUES (?, ?, ?, ?, ?, ?) RETURNING id;

-- name: get-session
-- args: token_hash, now
SELECT s.id, s.csrf_token, s.last_seen_at, u.id AS user_id, u.name, u.email, u.role, u.active
FROM sessions s JOIN users u ON u.id = s.user_id
WHERE s.token_hash = ? AND s.expires_at > ? AND u.active;

-- name: touch-session
-- args: last_seen_at, expires_at, id
UPDATE sessions SET last_seen_at = ?, expires_at = ? WHERE id = ?;

-- name: delete-session
-- args: id
DELETE FROM sessions WHERE id = ?;

-- name: delete-user-sessions
-- args: user_id
DELETE FROM sessions WHERE user_id = ?;

-- name: delete-expired-sessions
-- args: now
DELETE FROM sessions WHERE expires_at <= ?;

-- name: recent-login-failures
-- args: email, since, limit (the throttle threshold): newest first
SELECT at FROM login_failures WHERE email = ? AND at > ? ORDER BY at DESC LIMIT ?;

-- name: insert-login-failure
-- args: email, at
INSERT INTO login_failures (email, at) VALUES (?, ?);

-- name: prune-login-failures
-- args: email, before
DELETE FROM login_failures WHERE email = ? AND at <= ?;

-- name: clear-login-failures
-- args: email
DELETE FROM login_failures WHERE email = ?;
