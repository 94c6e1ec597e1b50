package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"papo/internal/store"
	"papo/internal/store/storetest"
)

// F25: the webhook writes a batch's rows in a few set-based statements.
// Every row of a batch of any size lands once, with its own values, through
// the expanded statements, on both engines.
func TestRowsWritesEveryChunkF25(t *testing.T) {
	db := storetest.Open(t)
	ctx := context.Background()
	query := "INSERT INTO customer_phone_keys (match_key, customer_id) VALUES (?, ?) ON CONFLICT DO NOTHING"
	var sizes []int
	err := db.InTx(ctx, func(tx *store.Tx) error {
		var id store.ID
		if err := tx.GetContext(ctx, &id, tx.Rebind(`INSERT INTO customers (name, email, organization, phones, created_at, updated_at)
			VALUES ('Ana', '', '', '[]', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP) RETURNING id`)); err != nil {
			return err
		}
		return store.Chunks(87, func(lo, hi int) error {
			sizes = append(sizes, hi-lo)
			q, err := db.Rows(query, hi-lo)
			if err != nil {
				return err
			}
			var args []any
			for i := lo; i < hi; i++ {
				args = append(args, fmt.Sprintf("k%03d", i), id)
			}
			_, err = tx.ExecContext(ctx, q, args...)
			return err
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(sizes) != "[64 16 4 1 1 1]" {
		t.Errorf("chunk sizes = %v", sizes)
	}
	var keys []string
	if err := db.R.SelectContext(ctx, &keys, "SELECT match_key FROM customer_phone_keys ORDER BY match_key"); err != nil {
		t.Fatal(err)
	}
	if len(keys) != 87 || keys[0] != "k000" || keys[86] != "k086" {
		t.Errorf("%d keys, first %q last %q", len(keys), keys[0], keys[len(keys)-1])
	}
}

func TestRowsRepeatsOnlyTheValuesGroup(t *testing.T) {
	db := storetest.Open(t)
	q, err := db.Rows("WITH v(a, b) AS (VALUES (?, COALESCE(?, 1))) SELECT a FROM v WHERE b IN (?)", 3)
	if err != nil {
		t.Fatal(err)
	}
	want := "WITH v(a, b) AS (VALUES (?, COALESCE(?, 1)), (?, COALESCE(?, 1)), (?, COALESCE(?, 1))) SELECT a FROM v WHERE b IN (?)"
	if db.Dialect == store.Postgres {
		want = "WITH v(a, b) AS (VALUES ($1, COALESCE($2, 1)), ($3, COALESCE($4, 1)), ($5, COALESCE($6, 1))) SELECT a FROM v WHERE b IN ($7)"
	}
	if q != want {
		t.Errorf("got  %s\nwant %s", q, want)
	}
	if _, err := db.Rows("SELECT 1", 2); err == nil || !strings.Contains(err.Error(), "no VALUES") {
		t.Errorf("no VALUES: %v", err)
	}
}
