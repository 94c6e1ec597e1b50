package store

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/jmoiron/sqlx"
)

func TestLoadQueriesDialectOverrideAndRebind(t *testing.T) {
	fsys := fstest.MapFS{
		"queries.sql":          {Data: []byte("-- name: a\n-- args: x\nSELECT ? FROM t;\n\n-- name: b\nSELECT 1 WHERE x IN (?);\n")},
		"lists.sql":            {Data: []byte("-- name: c\nSELECT ?, ?;\n")},
		"queries.postgres.sql": {Data: []byte("-- name: a\nSELECT ?::int FROM t;\n")},
	}
	var q struct {
		A string `query:"a"`
		B string `query:"b,in"`
		C string `query:"c"`
	}
	if err := LoadQueries(fsys, Postgres, &q); err != nil {
		t.Fatal(err)
	}
	if q.A != "SELECT $1::int FROM t;" || q.B != "SELECT 1 WHERE x IN (?);" || q.C != "SELECT $1, $2;" {
		t.Errorf("postgres: %+v", q)
	}
	if err := LoadQueries(fsys, SQLite, &q); err != nil {
		t.Fatal(err)
	}
	if q.A != "SELECT ? FROM t;" || q.C != "SELECT ?, ?;" {
		t.Errorf("sqlite: %+v", q)
	}
}

func TestLoadQueriesRefusesMissingAndDuplicate(t *testing.T) {
	var q struct {
		Missing string `query:"nope"`
	}
	err := LoadQueries(fstest.MapFS{"queries.sql": {Data: []byte("-- name: a\nSELECT 1;\n")}}, SQLite, &q)
	if err == nil || !strings.Contains(err.Error(), "nope") {
		t.Errorf("missing query: %v", err)
	}
	var q2 struct {
		A string `query:"a"`
	}
	err = LoadQueries(fstest.MapFS{"x.sql": {Data: []byte("-- name: a\nSELECT 1;\n")}, "y.sql": {Data: []byte("-- name: a\nSELECT 2;\n")}}, SQLite, &q2)
	if err == nil || !strings.Contains(err.Error(), "twice") {
		t.Errorf("duplicate query: %v", err)
	}
}

// DB.In gives PostgreSQL one statement text for every length of list (an
// array argument) and SQLite a few (lists grown to powers of 4).
func TestInForEachDialect(t *testing.T) {
	pg := &DB{Dialect: Postgres, W: sqlx.NewDb(nil, "pgx")}
	q, args, err := pg.In("SELECT a FROM t WHERE b = ? AND c IN (?) AND d NOT IN ( ? ) AND e = ?", 1, []ID{7, 8}, []string{"x"}, []byte("raw"))
	if err != nil {
		t.Fatal(err)
	}
	if q != "SELECT a FROM t WHERE b = $1 AND c = ANY($2) AND d <> ALL($3) AND e = $4" {
		t.Errorf("postgres query: %s", q)
	}
	if fmt.Sprint(args) != "[1 [7 8] [x] [114 97 119]]" || reflect.TypeOf(args[1]) != reflect.TypeOf([]int64{}) {
		t.Errorf("postgres args: %v (%T)", args, args[1])
	}
	if _, _, err := pg.In("SELECT a FROM t WHERE b = ?", []int{1}); err == nil {
		t.Error("a slice outside IN (?) was accepted")
	}
	if _, _, err := pg.In("SELECT a FROM t WHERE b IN (?)", []int{}); err == nil {
		t.Error("an empty list was accepted")
	}

	lite := &DB{Dialect: SQLite, W: sqlx.NewDb(nil, "sqlite")}
	q, args, err = lite.In("SELECT a FROM t WHERE b = ? AND c IN (?)", 1, []ID{7, 8, 9, 10, 11})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Count(q, "?") != 17 || fmt.Sprint(args) != "[1 7 8 9 10 11 11 11 11 11 11 11 11 11 11 11 11]" {
		t.Errorf("sqlite: %s %v", q, args)
	}
}
