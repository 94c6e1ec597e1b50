-- Queries of the automatic answers (F19).

-- name: claim-automation-send
-- args: conversation_id, kind, occasion, sent_at — a repeat claims nothing (0 rows)
INSERT INTO automation_sends (conversation_id, kind, occasion, sent_at)
VALUES (?, ?, ?, ?)
ON CONFLICT (conversation_id, kind, occasion) DO NOTHING;

-- name: note-automation-message
-- args: message_id, conversation_id, kind, occasion
UPDATE automation_sends SET message_id = ? WHERE conversation_id = ? AND kind = ? AND occasion = ?;

-- Satisfaction surveys (F20).

-- name: insert-survey
-- args: conversation_id, channel_id, contact_id, team_id, agent_id, message_id, options, sent_at, expires_at
INSERT INTO surveys (conversation_id, channel_id, contact_id, team_id, agent_id, message_id, options, sent_at,
    expires_at, state)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'sent');

-- name: waiting-surveys
-- Expanded with DB.In: args contact ids — the surveys waiting for these contacts' answers.
SELECT id, conversation_id, channel_id, contact_id, options, sent_at, expires_at
FROM surveys WHERE state = 'sent' AND contact_id IN (?);

-- name: answer-survey
-- args: answer, score, answered_at, id
UPDATE surveys SET state = 'answered', answer = ?, score = ?, answered_at = ? WHERE id = ? AND state = 'sent';

-- name: expire-survey
-- args: id
UPDATE surveys SET state = 'expired' WHERE id = ? AND state = 'sent';

-- name: note-survey-answer
-- args: answer_message_id, conversation_id
UPDATE surveys SET answer_message_id = ?
WHERE conversation_id = ? AND state = 'answered' AND answer_message_id IS NULL;

-- name: survey-report
-- args: now, from, to, team_id, team_id, agent_id, agent_id
SELECT COUNT(*) AS sent,
       COALESCE(SUM(CASE WHEN state = 'answered' THEN 1 ELSE 0 END), 0) AS answered,
       COALESCE(SUM(CASE WHEN state = 'expired' OR (state = 'sent' AND expires_at < ?) THEN 1 ELSE 0 END), 0) AS expired,
       CAST(AVG(CASE WHEN state = 'answered' THEN score END) AS DOUBLE PRECISION) AS average
FROM surveys
WHERE sent_at >= ? AND sent_at < ? AND (CAST(? AS BIGINT) IS NULL OR team_id = ?)
  AND (CAST(? AS BIGINT) IS NULL OR agent_id = ?);

-- name: survey-scores
-- args: from, to, team_id, team_id, agent_id, agent_id — how many chose each option
SELECT answer, COUNT(*) AS n FROM surveys
WHERE state = 'answered' AND sent_at >= ? AND sent_at < ? AND (CAST(? AS BIGINT) IS NULL OR team_id = ?)
  AND (CAST(? AS BIGINT) IS NULL OR agent_id = ?)
GROUP BY answer;

-- name: survey-scores-by-agent
-- args: from, to, team_id, team_id, agent_id, agent_id
SELECT agent_id, COUNT(*) AS answered, CAST(AVG(score) AS DOUBLE PRECISION) AS average FROM surveys
WHERE state = 'answered' AND agent_id IS NOT NULL AND sent_at >= ? AND sent_at < ?
  AND (CAST(? AS BIGINT) IS NULL OR team_id = ?) AND (CAST(? AS BIGINT) IS NULL OR agent_id = ?)
GROUP BY agent_id ORDER BY agent_id;
