package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"papo/internal/store/storetest"
)

func envOf(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

// TestUserCreateTwiceIsHarmless: `papo user create` makes a working admin;
// running it again creates nothing and fails nothing (F21).
func TestUserCreateTwiceIsHarmless(t *testing.T) {
	env := envOf(map[string]string{"PAPO_DATABASE_URL": storetest.URL(t), "PAPO_SECRET_KEY": strings.Repeat("ab", 32)})
	args := []string{"user", "create", "--email", "Boss@Example.com", "--name", "Boss", "--role", "admin", "--password", "long-password"}
	var out, errb bytes.Buffer
	if err := run(context.Background(), args, env, &out, &errb); err != nil {
		t.Fatalf("first run: %v (%s)", err, errb.String())
	}
	if !strings.Contains(out.String(), "created admin boss@example.com") {
		t.Fatalf("first run said %q", out.String())
	}
	out.Reset()
	if err := run(context.Background(), args, env, &out, &errb); err != nil {
		t.Fatalf("second run: %v", err)
	}
	if !strings.Contains(out.String(), "already exists") {
		t.Fatalf("second run said %q", out.String())
	}
	bad := []string{"user", "create", "--email", "x@y.io", "--name", "X", "--role", "king", "--password", "long-password"}
	if err := run(context.Background(), bad, env, &out, &errb); err == nil || !strings.Contains(err.Error(), "role") {
		t.Fatalf("bad role: %v", err)
	}
}

// TestBadConfigurationStopsStart: a bad PAPO_* value is a clear start-up error.
func TestBadConfigurationStopsStart(t *testing.T) {
	var out, errb bytes.Buffer
	err := run(context.Background(), []string{"serve"}, envOf(map[string]string{"PAPO_ADDR": "no-port"}), &out, &errb)
	if err == nil || !strings.Contains(err.Error(), "PAPO_ADDR") {
		t.Fatalf("err = %v", err)
	}
	if err := run(context.Background(), []string{"frobnicate"}, envOf(nil), &out, &errb); err == nil {
		t.Fatal("unknown command accepted")
	}
}
