package store_test

import (
	"context"
	"fmt"
	"testing"

	"papo/internal/store"
	"papo/internal/store/storetest"
)

// TestStatementReuse: statements run again and again, the same query read
// while it is already being read (nested), a failing statement, and more
// distinct queries than a connection keeps all give the results of a fresh
// statement (the SQLite statement cache is invisible; on PostgreSQL this is
// pgx's own cache).
func TestStatementReuse(t *testing.T) {
	db := storetest.Open(t)
	ctx := context.Background()
	err := db.InTx(ctx, func(tx *store.Tx) error {
		if _, err := tx.ExecContext(ctx, "CREATE TABLE cache_t (k INTEGER PRIMARY KEY, v TEXT NOT NULL)"); err != nil {
			return err
		}
		ins := tx.Rebind("INSERT INTO cache_t (k, v) VALUES (?, ?)")
		for i := range 50 {
			if _, err := tx.ExecContext(ctx, ins, i, fmt.Sprint("v", i)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	ins := db.W.Rebind("INSERT INTO cache_t (k, v) VALUES (?, ?)")
	if _, err := db.W.ExecContext(ctx, ins, 1, "duplicate"); err == nil || !store.IsUniqueViolation(err) {
		t.Fatalf("duplicate insert: %v", err)
	}
	if _, err := db.W.ExecContext(ctx, ins, 50, "after a failure"); err != nil {
		t.Fatal(err)
	}
	sel := db.R.Rebind("SELECT k FROM cache_t WHERE k < ? ORDER BY k")
	outer, err := db.W.QueryContext(ctx, sel, 5)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for outer.Next() {
		var k int
		if err := outer.Scan(&k); err != nil {
			t.Fatal(err)
		}
		// The same query text while the outer one is open, on the same (only)
		// writer connection would deadlock; use a transaction's connection.
		var inner []int
		if err := db.R.SelectContext(ctx, &inner, sel, k); err != nil {
			t.Fatal(err)
		}
		if len(inner) != k {
			t.Errorf("inner(%d) = %v", k, inner)
		}
		n++
	}
	outer.Close()
	if n != 5 {
		t.Errorf("outer rows = %d", n)
	}
	// Nested on one connection: a transaction holds its connection (pgx
	// refuses a second query while one is being read: SQLite only).
	err = db.InTx(ctx, func(tx *store.Tx) error {
		if db.Dialect != store.SQLite {
			return nil
		}
		rows, err := tx.QueryContext(ctx, sel, 3)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var k int
			_ = rows.Scan(&k)
			var again []int
			if err := tx.SelectContext(ctx, &again, sel, 3); err != nil {
				return err
			}
			if len(again) != 3 {
				return fmt.Errorf("nested read = %v", again)
			}
		}
		return rows.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	// More distinct statements than a connection keeps.
	for i := range 600 {
		var v string
		if err := db.W.GetContext(ctx, &v, db.W.Rebind(fmt.Sprintf("SELECT v FROM cache_t WHERE k = ? AND %d = %d", i, i)), i%51); err != nil {
			t.Fatal(err)
		}
		if want := fmt.Sprint("v", i%51); i%51 != 50 && v != want {
			t.Fatalf("%d: %q, want %q", i, v, want)
		}
	}
}
