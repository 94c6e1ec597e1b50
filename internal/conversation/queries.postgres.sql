-- PostgreSQL forms of queries.sql's queries.

-- name: record-inbound
-- As in queries.sql; PostgreSQL needs the types of a VALUES list's parameters.
WITH v (id, msg, at, n) AS (VALUES (?::bigint, ?::bigint, ?::timestamptz, ?::integer))
UPDATE conversations SET
    last_message_id = CASE WHEN last_activity_at > v.at THEN last_message_id ELSE v.msg END,
    last_activity_at = CASE WHEN last_activity_at > v.at THEN last_activity_at ELSE v.at END,
    last_inbound_at = CASE WHEN last_inbound_at IS NOT NULL AND last_inbound_at > v.at THEN last_inbound_at ELSE v.at END,
    unread_count = unread_count + v.n,
    status = CASE WHEN status = 'resolved' THEN 'pending' ELSE status END
FROM v WHERE conversations.id = v.id;
