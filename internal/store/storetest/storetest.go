// Package storetest opens a migrated, empty papo database for a test, on the
// engine chosen by PAPO_TEST_DB: "sqlite" (default; a file in a temp dir) or
// "postgres" (a fresh schema in the server at PAPO_TEST_POSTGRES_URL, dropped
// when the test ends, so parallel packages and runs never collide).
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/jackc/pgx/v5"

	"papo/internal/store"
)

// DefaultPostgresURL is used when PAPO_TEST_POSTGRES_URL is unset.
const DefaultPostgresURL = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// Engine returns the engine the tests of this run use.
func Engine() store.Dialect {
	if os.Getenv("PAPO_TEST_DB") == "postgres" {
		return store.Postgres
	}
	return store.SQLite
}

// PostgresURL returns the server tests use for PostgreSQL.
func PostgresURL() string {
	if u := os.Getenv("PAPO_TEST_POSTGRES_URL"); u != "" {
		return u
	}
	return DefaultPostgresURL
}

// Open returns a migrated database that lives as long as the test.
func Open(t testing.TB) *store.DB {
	t.Helper()
	u := URL(t)
	db, err := store.Open(context.Background(), u)
	if err != nil {
		t.Fatalf("storetest: open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(context.Background()); err != nil {
		t.Fatalf("storetest: migrate: %v", err)
	}
	return db
}

// URL returns a database URL private to the test, without opening it: a
// file in the test's temp dir, or a new PostgreSQL schema selected through
// search_path. Use it to start a papo server in a test.
func URL(t testing.TB) string {
	t.Helper()
	if Engine() == store.SQLite {
		return "sqlite://" + filepath.Join(t.TempDir(), "papo.db")
	}
	base := PostgresURL()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatalf("storetest: PostgreSQL at %s is not answering (start it, or run with PAPO_TEST_DB=sqlite): %v", store.RedactURL(base), err)
	}
	defer conn.Close(ctx)
	var b [6]byte
	_, _ = rand.Read(b[:])
	schema := "t_" + hex.EncodeToString(b[:])
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("storetest: create schema: %v", err)
	}
	t.Cleanup(func() {
		c, err := pgx.Connect(context.Background(), base)
		if err != nil {
			return
		}
		defer c.Close(context.Background())
		_, _ = c.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
	})
	pu, err := url.Parse(base)
	if err != nil {
		t.Fatalf("storetest: parse %s: %v", store.RedactURL(base), err)
	}
	q := pu.Query()
	q.Set("search_path", schema)
	pu.RawQuery = q.Encode()
	return pu.String()
}
