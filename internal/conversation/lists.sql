-- The inbox lists (F01, F02) and their counts, per view. Each block is one
-- "stream": a partial index read in order (last_activity_at DESC, id DESC)
-- from a keyset position, never OFFSET; lists.go merges the streams of a
-- caller (one per team for agents) and keeps limit+1 rows.
--
-- Together the blocks express exactly conversation.Visible (visibility.go):
--   admins: every conversation;
--   agents: team_id in their teams, and with segmentation on only
--           unassigned ones or their own (closed ones keep their assignee).
-- lists.go picks the blocks per role and segmentation; lists_test.go checks
-- the lists against Visible row by row.
--
-- Every list block ends with the same arguments:
--   status, status ('' = any), at, at, id (the keyset: strictly after), limit

-- name: list-open
-- Admins' All: every open conversation.
SELECT id, channel_id, contact_id, team_id, assignee_id, status, unread_count, last_message_id,
       last_activity_at, last_inbound_at, created_at, closed_at, closed_reason
FROM conversations
WHERE status <> 'closed'
  AND (? = '' OR status = ?)
  AND last_activity_at <= ? AND (last_activity_at < ? OR id < ?)
ORDER BY last_activity_at DESC, id DESC LIMIT ?;

-- name: list-open-team
-- args: team_id, …
-- All, one team (an agent's teams are one stream each).
SELECT id, channel_id, contact_id, team_id, assignee_id, status, unread_count, last_message_id,
       last_activity_at, last_inbound_at, created_at, closed_at, closed_reason
FROM conversations
WHERE status <> 'closed' AND team_id = ?
  AND (? = '' OR status = ?)
  AND last_activity_at <= ? AND (last_activity_at < ? OR id < ?)
ORDER BY last_activity_at DESC, id DESC LIMIT ?;

-- name: list-new
-- Admins' New: open and unassigned, every team.
SELECT id, channel_id, contact_id, team_id, assignee_id, status, unread_count, last_message_id,
       last_activity_at, last_inbound_at, created_at, closed_at, closed_reason
FROM conversations
WHERE status <> 'closed' AND assignee_id IS NULL
  AND (? = '' OR status = ?)
  AND last_activity_at <= ? AND (last_activity_at < ? OR id < ?)
ORDER BY last_activity_at DESC, id DESC LIMIT ?;

-- name: list-new-team
-- args: team_id, …
SELECT id, channel_id, contact_id, team_id, assignee_id, status, unread_count, last_message_id,
       last_activity_at, last_inbound_at, created_at, closed_at, closed_reason
FROM conversations
WHERE status <> 'closed' AND assignee_id IS NULL AND team_id = ?
  AND (? = '' OR status = ?)
  AND last_activity_at <= ? AND (last_activity_at < ? OR id < ?)
ORDER BY last_activity_at DESC, id DESC LIMIT ?;

-- name: list-mine
-- args: assignee_id, …
-- An admin's Mine (admins see every team).
SELECT id, channel_id, contact_id, team_id, assignee_id, status, unread_count, last_message_id,
       last_activity_at, last_inbound_at, created_at, closed_at, closed_reason
FROM conversations
WHERE status <> 'closed' AND assignee_id = ?
  AND (? = '' OR status = ?)
  AND last_activity_at <= ? AND (last_activity_at < ? OR id < ?)
ORDER BY last_activity_at DESC, id DESC LIMIT ?;

-- name: list-mine-teams
-- args: assignee_id, team_ids (expanded with DB.In), …
-- An agent's Mine: assigned to them and in one of their teams (an agent
-- who left a team no longer sees what they held there).
SELECT id, channel_id, contact_id, team_id, assignee_id, status, unread_count, last_message_id,
       last_activity_at, last_inbound_at, created_at, closed_at, closed_reason
FROM conversations
WHERE status <> 'closed' AND assignee_id = ? AND team_id IN (?)
  AND (? = '' OR status = ?)
  AND last_activity_at <= ? AND (last_activity_at < ? OR id < ?)
ORDER BY last_activity_at DESC, id DESC LIMIT ?;

-- name: list-others
-- args: caller id, …
-- Admins' Others: open and assigned to someone else.
SELECT id, channel_id, contact_id, team_id, assignee_id, status, unread_count, last_message_id,
       last_activity_at, last_inbound_at, created_at, closed_at, closed_reason
FROM conversations
WHERE status <> 'closed' AND assignee_id IS NOT NULL AND assignee_id <> ?
  AND (? = '' OR status = ?)
  AND last_activity_at <= ? AND (last_activity_at < ? OR id < ?)
ORDER BY last_activity_at DESC, id DESC LIMIT ?;

-- name: list-others-team
-- args: team_id, caller id, …
SELECT id, channel_id, contact_id, team_id, assignee_id, status, unread_count, last_message_id,
       last_activity_at, last_inbound_at, created_at, closed_at, closed_reason
FROM conversations
WHERE status <> 'closed' AND team_id = ? AND assignee_id IS NOT NULL AND assignee_id <> ?
  AND (? = '' OR status = ?)
  AND last_activity_at <= ? AND (last_activity_at < ? OR id < ?)
ORDER BY last_activity_at DESC, id DESC LIMIT ?;

-- name: list-closed
-- Admins' Closed: every closed conversation.
SELECT id, channel_id, contact_id, team_id, assignee_id, status, unread_count, last_message_id,
       last_activity_at, last_inbound_at, created_at, closed_at, closed_reason
FROM conversations
WHERE status = 'closed'
  AND (? = '' OR status = ?)
  AND last_activity_at <= ? AND (last_activity_at < ? OR id < ?)
ORDER BY last_activity_at DESC, id DESC LIMIT ?;

-- name: list-closed-team
-- args: team_id, …
-- Closed, one team (agents without segmentation; admins filtering a team).
SELECT id, channel_id, contact_id, team_id, assignee_id, status, unread_count, last_message_id,
       last_activity_at, last_inbound_at, created_at, closed_at, closed_reason
FROM conversations
WHERE status = 'closed' AND team_id = ?
  AND (? = '' OR status = ?)
  AND last_activity_at <= ? AND (last_activity_at < ? OR id < ?)
ORDER BY last_activity_at DESC, id DESC LIMIT ?;

-- name: list-closed-team-segmented
-- args: team_id, caller id, …
-- Closed for an agent with segmentation on: held by them last, or closed
-- unassigned, in one of their teams.
SELECT id, channel_id, contact_id, team_id, assignee_id, status, unread_count, last_message_id,
       last_activity_at, last_inbound_at, created_at, closed_at, closed_reason
FROM conversations
WHERE status = 'closed' AND team_id = ? AND (assignee_id IS NULL OR assignee_id = ?)
  AND (? = '' OR status = ?)
  AND last_activity_at <= ? AND (last_activity_at < ? OR id < ?)
ORDER BY last_activity_at DESC, id DESC LIMIT ?;

-- The counts add up rows of conversation_counts (migration 00022: one row
-- per team, assignee — 0 for none — and status, kept by triggers), under
-- the same rule as the lists.

-- name: counts-admin
-- args: caller id (mine), caller id (others)
-- An admin's counts over every team.
SELECT
  CAST(COALESCE(SUM(CASE WHEN status <> 'closed' AND assignee_id = 0 THEN n END), 0) AS BIGINT) AS new,
  CAST(COALESCE(SUM(CASE WHEN status <> 'closed' AND assignee_id = ? THEN n END), 0) AS BIGINT) AS mine,
  CAST(COALESCE(SUM(CASE WHEN status <> 'closed' AND assignee_id <> 0 AND assignee_id <> ? THEN n END), 0) AS BIGINT) AS others,
  CAST(COALESCE(SUM(CASE WHEN status = 'closed' THEN n END), 0) AS BIGINT) AS closed,
  CAST(COALESCE(SUM(CASE WHEN status = 'pending' THEN n END), 0) AS BIGINT) AS pending
FROM conversation_counts;

-- name: counts-admin-team
-- args: caller id, caller id, team_id
SELECT
  CAST(COALESCE(SUM(CASE WHEN status <> 'closed' AND assignee_id = 0 THEN n END), 0) AS BIGINT) AS new,
  CAST(COALESCE(SUM(CASE WHEN status <> 'closed' AND assignee_id = ? THEN n END), 0) AS BIGINT) AS mine,
  CAST(COALESCE(SUM(CASE WHEN status <> 'closed' AND assignee_id <> 0 AND assignee_id <> ? THEN n END), 0) AS BIGINT) AS others,
  CAST(COALESCE(SUM(CASE WHEN status = 'closed' THEN n END), 0) AS BIGINT) AS closed,
  CAST(COALESCE(SUM(CASE WHEN status = 'pending' THEN n END), 0) AS BIGINT) AS pending
FROM conversation_counts WHERE team_id = ?;

-- name: counts-agent
-- args: caller id, team ids (expanded with DB.In)
-- An agent without segmentation sees everything of their teams; Others is
-- an admin's view.
SELECT
  CAST(COALESCE(SUM(CASE WHEN status <> 'closed' AND assignee_id = 0 THEN n END), 0) AS BIGINT) AS new,
  CAST(COALESCE(SUM(CASE WHEN status <> 'closed' AND assignee_id = ? THEN n END), 0) AS BIGINT) AS mine,
  0 AS others,
  CAST(COALESCE(SUM(CASE WHEN status = 'closed' THEN n END), 0) AS BIGINT) AS closed,
  CAST(COALESCE(SUM(CASE WHEN status = 'pending' THEN n END), 0) AS BIGINT) AS pending
FROM conversation_counts WHERE team_id IN (?);

-- name: counts-agent-segmented
-- args: caller id, team ids (expanded with DB.In), caller id
-- With segmentation on: unassigned ones or their own, in their teams.
SELECT
  CAST(COALESCE(SUM(CASE WHEN status <> 'closed' AND assignee_id = 0 THEN n END), 0) AS BIGINT) AS new,
  CAST(COALESCE(SUM(CASE WHEN status <> 'closed' AND assignee_id <> 0 THEN n END), 0) AS BIGINT) AS mine,
  0 AS others,
  CAST(COALESCE(SUM(CASE WHEN status = 'closed' THEN n END), 0) AS BIGINT) AS closed,
  CAST(COALESCE(SUM(CASE WHEN status = 'pending' THEN n END), 0) AS BIGINT) AS pending
FROM conversation_counts WHERE team_id IN (?) AND (assignee_id = 0 OR assignee_id = ?);

-- name: search-message-texts
-- Expanded with DB.In: the messages of a batch of conversations, which
-- lists_search.go matches against the terms when they are too common for
-- the index to list every match.
SELECT conversation_id, text FROM messages WHERE conversation_id IN (?);

-- name: conversations-of-contacts
-- Expanded with DB.In: the conversations of contacts a search matched.
SELECT id, channel_id, contact_id, team_id, assignee_id, status, unread_count, last_message_id,
       last_activity_at, last_inbound_at, created_at, closed_at, closed_reason
FROM conversations WHERE contact_id IN (?);
