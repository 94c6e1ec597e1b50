package store

import (
	"context"
	"embed"
	"fmt"
	"hash/fnv"
	"io/fs"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

//go:embed migrations/sqlite/*.sql migrations/postgres/*.sql
var migrations embed.FS

// Migrate brings the schema up to date. On PostgreSQL a session lock keeps
// several instances starting at once from migrating twice.
func (db *DB) Migrate(ctx context.Context) error {
	p, err := db.migrator(ctx)
	if err != nil {
		return err
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	return nil
}

// SchemaVersion returns the version of the newest applied migration.
func (db *DB) SchemaVersion(ctx context.Context) (int64, error) {
	p, err := db.migrator(ctx)
	if err != nil {
		return 0, err
	}
	v, err := p.GetDBVersion(ctx)
	if err != nil {
		return 0, fmt.Errorf("store: schema version: %w", err)
	}
	return v, nil
}

func (db *DB) migrator(ctx context.Context) (*goose.Provider, error) {
	sub, err := fs.Sub(migrations, "migrations/"+string(db.Dialect))
	if err != nil {
		return nil, fmt.Errorf("store: migrations: %w", err)
	}
	dialect := goose.DialectSQLite3
	var opts []goose.ProviderOption
	if db.Dialect == Postgres {
		dialect = goose.DialectPostgres
		// The advisory lock is per database; key it by schema so that
		// instances sharing a schema queue while databases of other schemas
		// (test runs) migrate side by side.
		var schema string
		if err := db.W.GetContext(ctx, &schema, "SELECT current_schema()"); err != nil {
			return nil, fmt.Errorf("store: current schema: %w", err)
		}
		h := fnv.New64a()
		h.Write([]byte("papo-migrate:" + schema))
		locker, err := lock.NewPostgresSessionLocker(lock.WithLockID(int64(h.Sum64()>>1)), lock.WithLockTimeout(1, 300))
		if err != nil {
			return nil, fmt.Errorf("store: migration lock: %w", err)
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	// Issues add migrations in numbered ranges of their own; a database that
	// already has a higher one still takes a lower one that is new.
	opts = append(opts, goose.WithAllowOutofOrder(true))
	p, err := goose.NewProvider(dialect, db.W.DB, sub, opts...)
	if err != nil {
		return nil, fmt.Errorf("store: migrations: %w", err)
	}
	return p, nil
}
