package store

import (
	"strings"
	"testing"
	"testing/fstest"
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
