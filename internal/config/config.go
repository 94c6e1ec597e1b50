// Package config reads papo's configuration from the environment once, checks
// it, and hands typed values to main; no other package reads the environment.
package config

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"

	"papo/internal/secret"
	"papo/internal/store"
)

// Config is papo's configuration (api.md "Running it").
type Config struct {
	Addr        string // PAPO_ADDR
	DatabaseURL string // PAPO_DATABASE_URL
	BaseURL     string // PAPO_BASE_URL
	// SecretKey encrypts channel credentials (PAPO_SECRET_KEY). With SQLite
	// and no key set, it is read from or generated into SecretKeyFile.
	SecretKey     []byte
	SecretKeyFile string
	Admin         Admin // PAPO_ADMIN_*
	Demo          bool  // PAPO_DEMO
	Sandbox       bool  // PAPO_SANDBOX (implied by Demo)
	LogFormat     string
	LogLevel      string
}

// Admin is the first admin created at start when no user exists yet.
type Admin struct {
	Email, Password, Name string
}

// Defaults.
const (
	DefaultAddr        = "127.0.0.1:8080"
	DefaultDatabaseURL = "sqlite://./data/papo.db"
)

// Load reads the configuration through getenv (os.Getenv in main, a map in
// tests). Every problem is reported at once, naming the variable.
func Load(getenv func(string) string) (*Config, error) {
	c := &Config{
		Addr:        or(getenv("PAPO_ADDR"), DefaultAddr),
		DatabaseURL: or(getenv("PAPO_DATABASE_URL"), DefaultDatabaseURL),
		BaseURL:     strings.TrimRight(getenv("PAPO_BASE_URL"), "/"),
		Admin: Admin{
			Email:    strings.TrimSpace(getenv("PAPO_ADMIN_EMAIL")),
			Password: getenv("PAPO_ADMIN_PASSWORD"),
			Name:     or(strings.TrimSpace(getenv("PAPO_ADMIN_NAME")), "Admin"),
		},
		LogFormat: or(getenv("PAPO_LOG_FORMAT"), "text"),
		LogLevel:  or(getenv("PAPO_LOG_LEVEL"), "info"),
	}
	var errs []error
	bad := func(name, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", name, fmt.Sprintf(format, args...)))
	}
	if _, port, err := net.SplitHostPort(c.Addr); err != nil {
		bad("PAPO_ADDR", "%q is not host:port", c.Addr)
	} else if p, err := strconv.Atoi(port); err != nil || p < 0 || p > 65535 {
		bad("PAPO_ADDR", "%q has no valid port", c.Addr)
	}
	var dialect store.Dialect
	switch {
	case strings.HasPrefix(c.DatabaseURL, "sqlite://"):
		dialect = store.SQLite
		if store.SQLitePath(c.DatabaseURL) == "" {
			bad("PAPO_DATABASE_URL", "sqlite:// needs a file path, e.g. sqlite://./data/papo.db")
		}
	case strings.HasPrefix(c.DatabaseURL, "postgres://"), strings.HasPrefix(c.DatabaseURL, "postgresql://"):
		dialect = store.Postgres
		if _, err := url.Parse(c.DatabaseURL); err != nil {
			bad("PAPO_DATABASE_URL", "not a valid URL")
		}
	default:
		bad("PAPO_DATABASE_URL", "must start with sqlite:// or postgres://")
	}
	if c.BaseURL == "" {
		host := c.Addr
		if h, p, err := net.SplitHostPort(c.Addr); err == nil && (h == "" || h == "0.0.0.0" || h == "::") {
			host = net.JoinHostPort("127.0.0.1", p)
		}
		c.BaseURL = "http://" + host
	} else if u, err := url.Parse(c.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		bad("PAPO_BASE_URL", "%q is not an http(s) URL", c.BaseURL)
	}
	if k := getenv("PAPO_SECRET_KEY"); k != "" {
		key, err := secret.ParseKey(k)
		if err != nil {
			bad("PAPO_SECRET_KEY", "must be 32 bytes written as 64 hex characters or base64")
		}
		c.SecretKey = key
	} else if dialect == store.Postgres {
		bad("PAPO_SECRET_KEY", "required with PostgreSQL (32 bytes, 64 hex characters: openssl rand -hex 32)")
	} else if dialect == store.SQLite {
		c.SecretKeyFile = filepath.Join(filepath.Dir(store.SQLitePath(c.DatabaseURL)), "secret.key")
	}
	if (c.Admin.Email == "") != (c.Admin.Password == "") {
		bad("PAPO_ADMIN_EMAIL/PAPO_ADMIN_PASSWORD", "set both or neither")
	}
	var err error
	if c.Demo, err = flag(getenv("PAPO_DEMO")); err != nil {
		bad("PAPO_DEMO", "%v", err)
	}
	if c.Sandbox, err = flag(getenv("PAPO_SANDBOX")); err != nil {
		bad("PAPO_SANDBOX", "%v", err)
	}
	c.Sandbox = c.Sandbox || c.Demo
	if c.LogFormat != "text" && c.LogFormat != "json" {
		bad("PAPO_LOG_FORMAT", "text or json")
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		bad("PAPO_LOG_LEVEL", "debug, info, warn or error")
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("config: %w", errors.Join(errs...))
	}
	return c, nil
}

// ResolveSecretKey returns the key, generating the SQLite key file if needed.
func (c *Config) ResolveSecretKey() ([]byte, error) {
	if c.SecretKey != nil {
		return c.SecretKey, nil
	}
	if c.SecretKeyFile == "" {
		return nil, errors.New("config: PAPO_SECRET_KEY is required")
	}
	return secret.LoadOrCreateKeyFile(c.SecretKeyFile)
}

func flag(v string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "", "0", "false", "no", "off":
		return false, nil
	case "1", "true", "yes", "on":
		return true, nil
	}
	return false, fmt.Errorf("%q is not a boolean (use 1 or 0)", v)
}

func or(v, def string) string {
	if strings.TrimSpace(v) == "" {
		return def
	}
	return v
}
