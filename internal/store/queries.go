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
// fields tagged `query:"name,in"`, whose "IN (?)" lists DB.In expands first,
// and `query:"name,rows"`, whose one-row VALUES group DB.Rows repeats first.
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
		if opt == "in" || opt == "rows" { // expanded by DB.In or DB.Rows, which rebind after expanding
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

// In prepares a query loaded with the ",in" option — its "IN (?)" lists
// taking slice arguments — for the dialect, rebinding it. On PostgreSQL each
// list becomes "= ANY(?)" with the slice as one array argument: one
// statement text (prepared once per connection) for every length. On SQLite
// each list is expanded into a placeholder per element, the slice first
// grown to one of a few lengths (1, 4, 16, 64, … by repeating its last
// element), so each connection's statement cache keeps a handful of texts.
// An empty slice is an error.
func (db *DB) In(query string, args ...any) (string, []any, error) {
	if db.Dialect == Postgres {
		return inAsAny(db, query, args)
	}
	for i, a := range args {
		args[i] = padSlice(a)
	}
	q, a, err := sqlx.In(query, args...)
	if err != nil {
		return "", nil, fmt.Errorf("store: expand IN: %w", err)
	}
	return db.W.Rebind(q), a, nil
}

// inAsAny rewrites the "IN (?)" of each slice argument into "= ANY(?)".
func inAsAny(db *DB, query string, args []any) (string, []any, error) {
	var b strings.Builder
	out := make([]any, len(args))
	arg := 0
	for i := 0; i < len(query); i++ {
		c := query[i]
		if c != '?' {
			b.WriteByte(c)
			continue
		}
		if arg >= len(args) {
			return "", nil, fmt.Errorf("store: expand IN: more placeholders than the %d arguments", len(args))
		}
		v, isSlice, n := asArray(args[arg])
		out[arg] = v
		arg++
		if !isSlice {
			b.WriteByte('?')
			continue
		}
		if n == 0 {
			return "", nil, fmt.Errorf("store: expand IN: empty slice for argument %d", arg)
		}
		head := strings.TrimRight(b.String(), " \t\n(")
		tail := strings.TrimLeft(query[i+1:], " \t\n")
		if !strings.HasSuffix(strings.ToUpper(head), " IN") || !strings.HasPrefix(tail, ")") {
			return "", nil, fmt.Errorf("store: expand IN: slice argument %d is not in an \"IN (?)\" list", arg)
		}
		b.Reset()
		if up := strings.ToUpper(head); strings.HasSuffix(up, " NOT IN") {
			b.WriteString(head[:len(head)-len(" NOT IN")])
			b.WriteString(" <> ALL(?)")
		} else {
			b.WriteString(head[:len(head)-len(" IN")])
			b.WriteString(" = ANY(?)")
		}
		i = len(query) - len(tail) // the ")" of the list
	}
	if arg != len(args) {
		return "", nil, fmt.Errorf("store: expand IN: %d arguments for %d placeholders", len(args), arg)
	}
	return db.W.Rebind(b.String()), out, nil
}

// asArray returns a slice argument as PostgreSQL takes an array (ids as
// []int64), whether it was a slice, and its length.
func asArray(a any) (any, bool, int) {
	switch v := a.(type) {
	case []byte:
		return a, false, 0
	case []ID:
		ids := make([]int64, len(v))
		for i, id := range v {
			ids[i] = int64(id)
		}
		return ids, true, len(v)
	}
	rv := reflect.ValueOf(a)
	if rv.Kind() != reflect.Slice {
		return a, false, 0
	}
	return a, true, rv.Len()
}

// padSlice grows a slice argument (not []byte) to the next power of 4 by
// repeating its last element.
func padSlice(a any) any {
	rv := reflect.ValueOf(a)
	if rv.Kind() != reflect.Slice || rv.Type().Elem().Kind() == reflect.Uint8 || rv.Len() == 0 {
		return a
	}
	n := 1
	for n < rv.Len() {
		n *= 4
	}
	if n == rv.Len() {
		return a
	}
	out := reflect.MakeSlice(rv.Type(), n, n)
	reflect.Copy(out, rv)
	last := rv.Index(rv.Len() - 1)
	for i := rv.Len(); i < n; i++ {
		out.Index(i).Set(last)
	}
	return out.Interface()
}
