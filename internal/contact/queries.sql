-- name: insert-customer
-- args: name, email, organization, phones (JSON), search_text, created_at, updated_at
INSERT INTO customers (name, email, organization, phones, search_text, created_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id;

-- name: get-customer
-- args: id
SELECT id, name, email, organization, phones FROM customers WHERE id = ?;

-- name: update-customer
-- args: name, email, organization, phones (JSON), search_text, updated_at, id
UPDATE customers SET name = ?, email = ?, organization = ?, phones = ?, search_text = ?, updated_at = ? WHERE id = ?;

-- name: search-customers
-- args: like pattern over the folded name, e-mail, organization and phone digits; after_name, after_name, after_id; limit
SELECT id, name, email, organization, phones FROM customers
WHERE search_text LIKE ? ESCAPE '\'
  AND (name > ? OR (name = ? AND id > ?))
ORDER BY name, id LIMIT ?;

-- name: delete-customer-keys
-- args: customer_id
DELETE FROM customer_phone_keys WHERE customer_id = ?;

-- name: insert-customer-key
-- args: match_key, customer_id
INSERT INTO customer_phone_keys (match_key, customer_id) VALUES (?, ?) ON CONFLICT DO NOTHING;

-- name: customer-by-keys
-- Expanded with sqlx.In: the oldest customer having any of the keys.
SELECT c.id, c.name, c.email, c.organization, c.phones FROM customers c
WHERE c.id = (SELECT MIN(k.customer_id) FROM customer_phone_keys k WHERE k.match_key IN (?));

-- name: get-contact
-- args: id
SELECT ct.id, ct.wa_id, ct.bsuid, ct.phone, ct.profile_name, ct.customer_id, ct.automation_blocked,
       COALESCE(cu.name, '') AS customer_name
FROM contacts ct LEFT JOIN customers cu ON cu.id = ct.customer_id
WHERE ct.id = ?;

-- name: get-contacts
-- Expanded with DB.In: several contacts by id.
SELECT ct.id, ct.wa_id, ct.bsuid, ct.phone, ct.profile_name, ct.customer_id, ct.automation_blocked,
       COALESCE(cu.name, '') AS customer_name
FROM contacts ct LEFT JOIN customers cu ON cu.id = ct.customer_id
WHERE ct.id IN (?);

-- name: contacts-by-wa-id
-- Expanded with DB.In: the contacts of several WhatsApp users (one batch of webhooks).
SELECT id, wa_id, bsuid, profile_name FROM contacts WHERE wa_id IN (?);

-- name: contacts-by-bsuid
-- Expanded with DB.In: the contacts of several business-scoped user ids.
SELECT id, wa_id, bsuid, profile_name FROM contacts WHERE bsuid IN (?);

-- name: upsert-contact-by-bsuid
-- args: bsuid, profile_name, created_at, updated_at — a user known only by business-scoped id (no number).
INSERT INTO contacts (bsuid, phone, profile_name, automation_blocked, created_at, updated_at)
VALUES (?, '', ?, FALSE, ?, ?)
ON CONFLICT (bsuid) DO UPDATE SET
    profile_name = CASE WHEN excluded.profile_name <> '' THEN excluded.profile_name ELSE contacts.profile_name END,
    updated_at = excluded.updated_at
RETURNING id;

-- name: set-contact-profile-name
-- args: profile_name, updated_at, id
UPDATE contacts SET profile_name = ?, updated_at = ? WHERE id = ?;

-- name: set-contact-bsuid
-- args: bsuid, updated_at, id
UPDATE contacts SET bsuid = ?, updated_at = ? WHERE id = ? AND bsuid IS NULL;

-- name: set-contact-wa-id
-- args: wa_id, phone, customer_id, updated_at, id, wa_id — unless another contact has the number
UPDATE contacts SET wa_id = ?, phone = ?, customer_id = ?, updated_at = ?
WHERE id = ? AND wa_id IS NULL AND NOT EXISTS (SELECT 1 FROM contacts o WHERE o.wa_id = ?);

-- name: upsert-contact
-- args: wa_id, phone, profile_name, customer_id, created_at, updated_at
-- A new profile name replaces the old one; an empty one keeps it.
INSERT INTO contacts (wa_id, phone, profile_name, customer_id, automation_blocked, created_at, updated_at)
VALUES (?, ?, ?, ?, FALSE, ?, ?)
ON CONFLICT (wa_id) DO UPDATE SET
    profile_name = CASE WHEN excluded.profile_name <> '' THEN excluded.profile_name ELSE contacts.profile_name END,
    updated_at = excluded.updated_at
RETURNING id;

-- name: set-automation-block
-- args: blocked, updated_at, id
UPDATE contacts SET automation_blocked = ?, updated_at = ? WHERE id = ?;

-- name: contacts-to-rematch
-- Expanded with DB.In: contacts that pointed at a customer, or whose wa_id is one of the keys.
-- args: customer_id, keys
SELECT id, wa_id FROM contacts WHERE customer_id = ? OR wa_id IN (?);

-- name: set-contact-customer
-- args: customer_id, id
UPDATE contacts SET customer_id = ? WHERE id = ?;
