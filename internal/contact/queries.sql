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
