package store

import (
	"fmt"
	"strings"
	"sync"
)

// Set-based writes: a batch of rows in one statement instead of one
// statement (one round trip through the database) per row. A query loaded
// with the ",rows" option holds one row's "VALUES (…)" group; DB.Rows repeats
// that group for n rows and rebinds the result. Callers cut their rows with
// Chunks, so each query is prepared in a handful of sizes only.

// chunkSizes are the row counts of set-based statements, largest first.
var chunkSizes = []int{64, 16, 4, 1}

// MaxChunk is the largest number of rows Chunks puts in one statement.
const MaxChunk = 64

// Chunks calls fn with consecutive ranges [lo, hi) covering n rows, each of
// one of a few fixed sizes (at most MaxChunk), stopping at the first error.
func Chunks(n int, fn func(lo, hi int) error) error {
	for lo := 0; lo < n; {
		size := 1
		for _, c := range chunkSizes {
			if c <= n-lo {
				size = c
				break
			}
		}
		if err := fn(lo, lo+size); err != nil {
			return err
		}
		lo += size
	}
	return nil
}

type rowsKey struct {
	query string
	n     int
}

var rowsCache sync.Map // rowsKey → string, per dialect via the rebind below

// Rows returns query — loaded with the ",rows" option — with the
// parenthesised group after its first "VALUES" repeated n times,
// rebound for the dialect.
func (db *DB) Rows(query string, n int) (string, error) {
	key := rowsKey{string(db.Dialect) + "\x00" + query, n}
	if q, ok := rowsCache.Load(key); ok {
		return q.(string), nil
	}
	i := strings.Index(query, "VALUES")
	if i < 0 {
		return "", fmt.Errorf("store: rows query has no VALUES: %.60q", query)
	}
	open := strings.IndexByte(query[i:], '(')
	if open < 0 {
		return "", fmt.Errorf("store: rows query has no VALUES group: %.60q", query)
	}
	open += i
	depth, end := 0, -1
	for j := open; j < len(query) && end < 0; j++ {
		switch query[j] {
		case '(':
			depth++
		case ')':
			if depth--; depth == 0 {
				end = j + 1
			}
		}
	}
	if end < 0 {
		return "", fmt.Errorf("store: rows query's VALUES group is not closed: %.60q", query)
	}
	group := query[open:end]
	var b strings.Builder
	b.WriteString(query[:open])
	for k := range n {
		if k > 0 {
			b.WriteString(", ")
		}
		b.WriteString(group)
	}
	b.WriteString(query[end:])
	q := db.W.Rebind(b.String())
	rowsCache.Store(key, q)
	return q, nil
}
