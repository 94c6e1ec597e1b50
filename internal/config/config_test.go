package config

import (
	"strings"
	"testing"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestLoadDefaults(t *testing.T) {
	c, err := Load(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != DefaultAddr || c.DatabaseURL != DefaultDatabaseURL || c.BaseURL != "http://127.0.0.1:8080" {
		t.Errorf("defaults = %+v", c)
	}
	if c.SecretKeyFile != "data/secret.key" {
		t.Errorf("SecretKeyFile = %q", c.SecretKeyFile)
	}
	if c.Demo || c.Sandbox {
		t.Error("demo or sandbox on by default")
	}
}

func TestDemoImpliesSandbox(t *testing.T) {
	c, err := Load(env(map[string]string{"PAPO_DEMO": "1"}))
	if err != nil || !c.Sandbox {
		t.Fatalf("demo without sandbox: %+v %v", c, err)
	}
}

func TestBadValuesAreClearStartupErrors(t *testing.T) {
	for name, tc := range map[string]struct {
		env  map[string]string
		want string
	}{
		"addr":         {map[string]string{"PAPO_ADDR": "nonsense"}, "PAPO_ADDR"},
		"db scheme":    {map[string]string{"PAPO_DATABASE_URL": "mysql://x"}, "PAPO_DATABASE_URL"},
		"pg no key":    {map[string]string{"PAPO_DATABASE_URL": "postgres://u@h/db"}, "PAPO_SECRET_KEY"},
		"short key":    {map[string]string{"PAPO_SECRET_KEY": "abcd"}, "PAPO_SECRET_KEY"},
		"base url":     {map[string]string{"PAPO_BASE_URL": "ftp://x"}, "PAPO_BASE_URL"},
		"demo":         {map[string]string{"PAPO_DEMO": "maybe"}, "PAPO_DEMO"},
		"admin halves": {map[string]string{"PAPO_ADMIN_EMAIL": "a@b.c"}, "PAPO_ADMIN"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Load(env(tc.env))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want mention of %s", err, tc.want)
			}
		})
	}
}

func TestPostgresWithKey(t *testing.T) {
	c, err := Load(env(map[string]string{
		"PAPO_DATABASE_URL": "postgres://u@h:5432/db?sslmode=disable",
		"PAPO_SECRET_KEY":   strings.Repeat("ab", 32),
		"PAPO_ADDR":         "0.0.0.0:9000",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.SecretKey) != 32 || c.BaseURL != "http://127.0.0.1:9000" {
		t.Errorf("got %+v", c)
	}
}
