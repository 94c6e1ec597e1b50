// Package store opens papo's database — SQLite (embedded, the default) or
// PostgreSQL (production) — runs its migrations and gives the domain packages
// transactions and their queries. It knows no business rules.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/jmoiron/sqlx"

	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"papo/internal/apperr"
)

// Dialect names the database engine behind a DB.
type Dialect string

// The engines papo runs on.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// ErrNotFound is returned when a row the caller asked for does not exist.
// It is of the kind apperr.ErrNotFound, so a domain function may return it
// as it is (wrapped with its own context) and the API answers 404.
var ErrNotFound = fmt.Errorf("store: %w", apperr.ErrNotFound)

// DB is an open papo database. It is safe for concurrent use.
//
// With SQLite, writes go through W, a pool of exactly one connection, so that
// writers queue in Go instead of failing with SQLITE_BUSY, while R serves
// reads from several connections at once (WAL lets readers run beside the
// writer). With PostgreSQL, R and W are the same pool.
type DB struct {
	Dialect Dialect
	W       *sqlx.DB
	R       *sqlx.DB
	// Pool is the pgx pool behind W and R on PostgreSQL (nil on SQLite); the
	// job queue uses it directly.
	Pool *pgxpool.Pool
	// Path is the database file on SQLite ("" on PostgreSQL).
	Path string
}

// Open connects to the database named by rawURL: "sqlite://path/to/file.db"
// (or "sqlite::memory:" is refused: papo needs a file so that several
// connections share it) or "postgres://…"/"postgresql://…".
func Open(ctx context.Context, rawURL string) (*DB, error) {
	switch {
	case strings.HasPrefix(rawURL, "sqlite://"), strings.HasPrefix(rawURL, "file:"):
		return openSQLite(ctx, rawURL)
	case strings.HasPrefix(rawURL, "postgres://"), strings.HasPrefix(rawURL, "postgresql://"):
		return openPostgres(ctx, rawURL)
	default:
		return nil, fmt.Errorf("store: unsupported database URL %q: want sqlite://PATH or postgres://…", RedactURL(rawURL))
	}
}

// SQLitePath returns the file path named by a sqlite:// URL.
func SQLitePath(rawURL string) string {
	p := strings.TrimPrefix(strings.TrimPrefix(rawURL, "sqlite://"), "file:")
	if i := strings.IndexByte(p, '?'); i >= 0 {
		p = p[:i]
	}
	return p
}

func openSQLite(ctx context.Context, rawURL string) (*DB, error) {
	path := SQLitePath(rawURL)
	if path == "" || path == ":memory:" {
		return nil, fmt.Errorf("store: sqlite needs a file path, got %q", rawURL)
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("store: create data dir: %w", err)
		}
	}
	// synchronous=FULL: a transaction acknowledged to a caller (a webhook
	// delivery answered 200) survives power loss, not only a crash.
	// temp_store(MEMORY): statement journals (a write statement inside a
	// transaction that touches triggers or constraints keeps the pages it
	// changes, to undo just itself) stay in memory instead of a temp file.
	common := "_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=journal_mode(WAL)" +
		"&_pragma=synchronous(FULL)&_pragma=temp_store(MEMORY)&_time_format=sqlite"
	dsn := "file:" + path + "?" + common
	// Connections keep their compiled statements (stmtcache.go).
	w := sqlx.NewDb(openSQLiteDB(dsn+"&_txlock=immediate"), "sqlite")
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	if err := w.PingContext(ctx); err != nil {
		w.Close()
		return nil, fmt.Errorf("store: open sqlite %s: %w", path, err)
	}
	r := sqlx.NewDb(openSQLiteDB(dsn+"&_pragma=query_only(1)"), "sqlite")
	r.SetMaxOpenConns(8)
	r.SetMaxIdleConns(8)
	return &DB{Dialect: SQLite, W: w, R: r, Path: path}, nil
}

func openPostgres(ctx context.Context, rawURL string) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(rawURL)
	if err != nil {
		return nil, fmt.Errorf("store: parse postgres URL %q: %w", RedactURL(rawURL), err)
	}
	if cfg.MaxConns < 16 {
		cfg.MaxConns = 16
	}
	// Acknowledged writes must be durable (a webhook answered 200).
	cfg.ConnConfig.RuntimeParams["synchronous_commit"] = "on"
	cfg.ConnConfig.RuntimeParams["timezone"] = "UTC"
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("store: connect postgres: %w", err)
	}
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := pool.Ping(pctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("store: connect postgres %s: %w", RedactURL(rawURL), err)
	}
	db := sqlx.NewDb(stdlib.OpenDBFromPool(pool), "pgx")
	return &DB{Dialect: Postgres, W: db, R: db, Pool: pool}, nil
}

// Close closes every connection.
func (db *DB) Close() error {
	var errs []error
	errs = append(errs, db.W.Close())
	if db.R != db.W {
		errs = append(errs, db.R.Close())
	}
	if db.Pool != nil {
		db.Pool.Close()
	}
	return errors.Join(errs...)
}

// Ping reports whether the database answers, for /readyz.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.W.PingContext(ctx); err != nil {
		return fmt.Errorf("store: ping: %w", err)
	}
	var one int
	if err := db.R.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil {
		return fmt.Errorf("store: ping: %w", err)
	}
	return nil
}

// Tx is a transaction; it runs the same queries as the DB.
type Tx = sqlx.Tx

// InTx runs fn in a write transaction, committing when fn returns nil and
// rolling back otherwise (also on panic). On SQLite the transaction takes the
// write lock at BEGIN (immediate), so it never fails half-way on a busy lock.
func (db *DB) InTx(ctx context.Context, fn func(tx *Tx) error) (err error) {
	tx, err := db.W.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	defer func() {
		if p := recover(); p != nil {
			_ = tx.Rollback()
			panic(p)
		}
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	if err = fn(tx); err != nil {
		return err
	}
	if err = tx.Commit(); err != nil {
		return fmt.Errorf("store: commit: %w", err)
	}
	return nil
}

// Queryer is what both *sqlx.DB and *sqlx.Tx offer: domain functions that
// may run inside or outside a transaction take one.
type Queryer interface {
	sqlx.ExtContext
	GetContext(ctx context.Context, dest any, query string, args ...any) error
	SelectContext(ctx context.Context, dest any, query string, args ...any) error
}

var (
	_ Queryer = (*sqlx.DB)(nil)
	_ Queryer = (*sqlx.Tx)(nil)
)

// Get runs a one-row query, turning sql.ErrNoRows into ErrNotFound.
func Get(ctx context.Context, q Queryer, dest any, query string, args ...any) error {
	err := q.GetContext(ctx, dest, query, args...)
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	return err
}

// IsUniqueViolation reports whether err is a unique-constraint violation on
// either engine.
func IsUniqueViolation(err error) bool {
	if err == nil {
		return false
	}
	s := err.Error()
	return strings.Contains(s, "UNIQUE constraint failed") || // sqlite
		strings.Contains(s, "SQLSTATE 23505") // postgres
}

// IsForeignKeyViolation reports whether err is a foreign-key violation on
// either engine.
func IsForeignKeyViolation(err error) bool {
	if err == nil {
		return false
	}
	s := err.Error()
	return strings.Contains(s, "FOREIGN KEY constraint failed") || strings.Contains(s, "SQLSTATE 23503")
}

// RedactURL hides a password in a database URL so it can be logged.
func RedactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparseable URL)"
	}
	return u.Redacted()
}
