package store

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"reflect"
	"strings"

	"github.com/jmoiron/sqlx"
)

// LoadQueries fills the string fields of dst (a pointer to a struct) tagged
// `query:"name"` with the SQL of the block "-- name: name" in queries.sql of
// fsys, or in queries.<dialect>.sql when that file has a block of the same
// name (the dialect file wins). Placeholders are written "?" and rebound for
// the dialect — except for fields tagged `query:"name,in"`, whose "IN (?)"
// lists DB.In expands first. A tagged field without a block is an error, so a missing or
// misspelt query stops start-up instead of a request.
func LoadQueries(fsys fs.FS, d Dialect, dst any) error {
	blocks, err := parseQueryFile(fsys, "queries.sql")
	if err != nil {
		return err
	}
	if over, err := parseQueryFile(fsys, "queries."+string(d)+".sql"); err == nil {
		for k, v := range over {
			blocks[k] = v
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return err
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
