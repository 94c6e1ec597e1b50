package app_test

import (
	"context"
	"strings"
	"testing"

	"papo/internal/app"
	"papo/internal/apptest"
	"papo/internal/config"
	"papo/internal/demo"
	"papo/internal/store/storetest"
)

func start(t *testing.T, vars map[string]string) *app.App {
	t.Helper()
	cfg, err := config.Load(func(k string) string { return vars[k] })
	if err != nil {
		t.Fatal(err)
	}
	a, err := app.New(context.Background(), app.Options{Config: cfg, Hash: apptest.CheapHash})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// TestAdminFromEnvironmentIsIdempotent: PAPO_ADMIN_* creates a working admin
// when no user exists; starting again (even with another password) changes
// nothing (F21).
func TestAdminFromEnvironmentIsIdempotent(t *testing.T) {
	vars := map[string]string{
		"PAPO_DATABASE_URL":   storetest.URL(t),
		"PAPO_SECRET_KEY":     strings.Repeat("cd", 32),
		"PAPO_ADMIN_EMAIL":    "first@papo.test",
		"PAPO_ADMIN_PASSWORD": "first-password",
		"PAPO_ADMIN_NAME":     "First",
	}
	a := start(t, vars)
	if _, err := a.Auth.Login(context.Background(), "first@papo.test", "first-password"); err != nil {
		t.Fatalf("admin cannot log in: %v", err)
	}
	a.Close()
	vars["PAPO_ADMIN_PASSWORD"] = "changed-password"
	b := start(t, vars)
	defer b.Close()
	if n, _ := b.Auth.CountUsers(context.Background()); n != 1 {
		t.Fatalf("%d users after the second start", n)
	}
	if _, err := b.Auth.Login(context.Background(), "first@papo.test", "first-password"); err != nil {
		t.Fatalf("the second start changed the admin: %v", err)
	}
}

// TestDemoSeedIsIdempotent: the demo workspace is created once, its admin
// logs in, and a restart with PAPO_DEMO keeps everything as it was.
func TestDemoSeedIsIdempotent(t *testing.T) {
	vars := map[string]string{"PAPO_DATABASE_URL": storetest.URL(t), "PAPO_SECRET_KEY": strings.Repeat("ef", 32), "PAPO_DEMO": "1"}
	a := start(t, vars)
	ctx := context.Background()
	n1, _ := a.Auth.CountUsers(ctx)
	teams1, _ := a.Teams.List(ctx)
	a.Close()
	b := start(t, vars)
	defer b.Close()
	n2, _ := b.Auth.CountUsers(ctx)
	teams2, _ := b.Teams.List(ctx)
	if n1 < 2 || n1 != n2 || len(teams1) != len(teams2) {
		t.Fatalf("users %d→%d, teams %d→%d", n1, n2, len(teams1), len(teams2))
	}
	if _, err := b.Auth.Login(ctx, demo.AdminEmail, demo.AdminPassword); err != nil {
		t.Fatalf("demo admin cannot log in: %v", err)
	}
}
