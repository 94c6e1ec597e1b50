-- name: list-channels
SELECT id, name, phone_number_id, waba_id, display_phone_number, default_team_id, graph_api_url,
       graph_api_version, verify_token, messages_per_second, access_token_enc, app_secret_enc
FROM channels ORDER BY name, id;

-- name: get-channel
-- args: id
SELECT id, name, phone_number_id, waba_id, display_phone_number, default_team_id, graph_api_url,
       graph_api_version, verify_token, messages_per_second, access_token_enc, app_secret_enc
FROM channels WHERE id = ?;

-- name: get-channel-by-phone-number-id
-- args: phone_number_id
SELECT id, name, phone_number_id, waba_id, display_phone_number, default_team_id, graph_api_url,
       graph_api_version, verify_token, messages_per_second, access_token_enc, app_secret_enc
FROM channels WHERE phone_number_id = ?;

-- name: insert-channel
-- args: name, phone_number_id, waba_id, display_phone_number, default_team_id, graph_api_url,
--       graph_api_version, verify_token, messages_per_second, access_token_enc, app_secret_enc, created_at, updated_at
INSERT INTO channels (name, phone_number_id, waba_id, display_phone_number, default_team_id, graph_api_url,
    graph_api_version, verify_token, messages_per_second, access_token_enc, app_secret_enc, created_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id;

-- name: update-channel
-- args: name, phone_number_id, waba_id, display_phone_number, default_team_id, graph_api_url,
--       graph_api_version, verify_token, messages_per_second, access_token_enc, app_secret_enc, updated_at, id
UPDATE channels SET name = ?, phone_number_id = ?, waba_id = ?, display_phone_number = ?, default_team_id = ?,
    graph_api_url = ?, graph_api_version = ?, verify_token = ?, messages_per_second = ?, access_token_enc = ?,
    app_secret_enc = ?, updated_at = ?
WHERE id = ?;

-- name: team-exists
-- args: id
SELECT EXISTS (SELECT 1 FROM teams WHERE id = ?);
