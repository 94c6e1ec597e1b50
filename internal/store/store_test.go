package store_test

import (
	"context"
	"testing"

	"papo/internal/store/storetest"
)

// TestMigrateIsIdempotent: migrations run at every start; a second run on a
// migrated database changes nothing and fails nothing, on both engines.
func TestMigrateIsIdempotent(t *testing.T) {
	db := storetest.Open(t)
	ctx := context.Background()
	v1, err := db.SchemaVersion(ctx)
	if err != nil || v1 < 2 {
		t.Fatalf("version %d, %v", v1, err)
	}
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	v2, _ := db.SchemaVersion(ctx)
	if v2 != v1 {
		t.Fatalf("version moved from %d to %d", v1, v2)
	}
	t.Logf("engine %s at schema version %d", db.Dialect, v2)
}

// TestOneOpenConversationPerContact: the schema itself refuses a second
// open conversation for a contact on a channel.
func TestOneOpenConversationPerContact(t *testing.T) {
	db := storetest.Open(t)
	ctx := context.Background()
	exec := func(q string, args ...any) error {
		_, err := db.W.ExecContext(ctx, db.W.Rebind(q), args...)
		return err
	}
	now := "2026-01-01 00:00:00+00:00"
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(exec("INSERT INTO teams (id, name, timezone, created_at, updated_at) VALUES (1, 't', 'UTC', ?, ?)", now, now))
	must(exec("INSERT INTO channels (id, name, phone_number_id, default_team_id, graph_api_url, graph_api_version, verify_token, created_at, updated_at) VALUES (1, 'c', '1', 1, 'http://x', 'v23.0', 'v', ?, ?)", now, now))
	must(exec("INSERT INTO contacts (id, wa_id, created_at, updated_at) VALUES (1, '5511', ?, ?)", now, now))
	ins := "INSERT INTO conversations (channel_id, contact_id, team_id, status, last_activity_at, created_at) VALUES (1, 1, 1, ?, ?, ?)"
	must(exec(ins, "pending", now, now))
	if err := exec(ins, "resolved", now, now); err == nil {
		t.Fatal("a second open conversation was accepted")
	}
	must(exec(ins, "closed", now, now))
}
