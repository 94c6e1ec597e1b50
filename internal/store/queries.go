package store

import (
	"bufio"
	"fmt"
	"io/fs"
	"reflect"
	"strings"

	"github.com/jmoiron/sqlx"
)

// LoadQueries fills the string fields of dst (a pointer to a struct) tagged
// `query:"name"` with the SQL of the block "-- name: name" in the .sql files
// of fsys (a package may split its queries over several files, one per
// concern); a block of the same name in a dialect file (queries.sqlite.sql,
// lists.postgres.sql, …) replaces the portable one for that dialect.
// Placeholders are written "?" and rebound for the dialect — except for
// fields tagged `query:"name,in"`, whose "IN (?)" lists DB.In expands first.
// A tagged field without a block, or a name defined twice, is an error, so a
// missing or misspelt query stops start-up instead of a request.
func LoadQueries(fsys fs.FS, d Dialect, dst any) error {
	files, err := fs.Glob(fsys, "*.sql")
	if err != nil {
		return fmt.Errorf("store: list query files: %w", err)
	}
	blocks := map[string]string{}
	over := map[string]string{}
	for _, f := range files {
		parts := strings.Split(f, ".")
		target := blocks
		if len(parts) == 3 {
			if parts[1] != string(SQLite) && parts[1] != string(Postgres) {
				return fmt.Errorf("store: %s: unknown dialect %q", f, parts[1])
			}
			if parts[1] != string(d) {
				continue
			}
			target = over
		}
		b, err := parseQueryFile(fsys, f)
		if err != nil {
			return err
		}
		for k, v := range b {
			if _, dup := target[k]; dup {
				return fmt.Errorf("store: query %q defined twice", k)
			}
			target[k] = v
		}
	}
	for k, v := range over {
		blocks[k] = v
	}
	rv := reflect.ValueOf(dst)
	if rv.Kind() != reflect.Pointer || rv.Elem().Kind() != reflect.Struct {
		return fmt.Errorf("store: LoadQueries wants a pointer to a struct, got %T", dst)
	}
	rv = rv.Elem()
	bind := sqlx.QUESTION
	if d == Postgres {
		bind = sqlx.DOLLAR
	}
	for i := 0; i < rv.NumField(); i++ {
		f := rv.Type().Field(i)
		tag := f.Tag.Get("query")
		if tag == "" {
			continue
		}
		name, opt, _ := strings.Cut(tag, ",")
		q, ok := blocks[name]
		if !ok {
			return fmt.Errorf("store: query %q not found", name)
		}
		if opt == "in" { // expanded by DB.In, which rebinds after expanding
			rv.Field(i).SetString(q)
			continue
		}
		rv.Field(i).SetString(sqlx.Rebind(bind, q))
	}
	return nil
}

func parseQueryFile(fsys fs.FS, name string) (map[string]string, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	blocks := map[string]string{}
	var cur string
	var b strings.Builder
	flush := func() {
		if cur != "" {
			blocks[cur] = strings.TrimSpace(b.String())
		}
		b.Reset()
	}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		line := sc.Text()
		trimmed := strings.TrimSpace(line)
		if rest, ok := strings.CutPrefix(trimmed, "-- name:"); ok {
			flush()
			cur = strings.TrimSpace(rest)
			if _, dup := blocks[cur]; dup {
				return nil, fmt.Errorf("store: %s: query %q defined twice", name, cur)
			}
			continue
		}
		if strings.HasPrefix(trimmed, "--") || cur == "" {
			continue
		}
		b.WriteString(line)
		b.WriteByte('\n')
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("store: read %s: %w", name, err)
	}
	flush()
	return blocks, nil
}

// In expands the slice arguments of a query loaded with the ",in" option
// into one placeholder each and rebinds it for the dialect.
func (db *DB) In(query string, args ...any) (string, []any, error) {
	q, a, err := sqlx.In(query, args...)
	if err != nil {
		return "", nil, fmt.Errorf("store: expand IN: %w", err)
	}
	return db.W.Rebind(q), a, nil
}
