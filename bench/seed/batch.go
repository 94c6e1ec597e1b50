package main

import (
	"context"
	"fmt"
	"strings"

	"papo/internal/store"
)

// batch accumulates rows for one table and writes them with multi-row
// INSERTs (up to 1,000 rows, within each engine's parameter limit).
type batch struct {
	table, cols string
	ncols, max  int
	args        []any
	n           int
	sql         map[int]string
	db          *store.DB
	// before are flushed first: they hold rows this table's rows reference.
	before []*batch
}

func newBatch(db *store.DB, table, cols string) *batch {
	ncols := len(strings.Split(cols, ","))
	return &batch{db: db, table: table, cols: cols, ncols: ncols, max: min(1000, 32000/ncols), sql: map[int]string{}}
}

func (b *batch) add(ctx context.Context, tx *store.Tx, vals ...any) error {
	if len(vals) != b.ncols {
		return fmt.Errorf("%s: %d values for %d columns", b.table, len(vals), b.ncols)
	}
	b.args = append(b.args, vals...)
	if b.n++; b.n == b.max {
		return b.flush(ctx, tx)
	}
	return nil
}

func (b *batch) flush(ctx context.Context, tx *store.Tx) error {
	for _, d := range b.before {
		if err := d.flush(ctx, tx); err != nil {
			return err
		}
	}
	if b.n == 0 {
		return nil
	}
	q, ok := b.sql[b.n]
	if !ok {
		row := "(" + strings.TrimSuffix(strings.Repeat("?, ", b.ncols), ", ") + ")"
		q = b.db.W.Rebind("INSERT INTO " + b.table + " (" + b.cols + ") VALUES " + strings.TrimSuffix(strings.Repeat(row+", ", b.n), ", "))
		b.sql[b.n] = q
	}
	if _, err := tx.ExecContext(ctx, q, b.args...); err != nil {
		return fmt.Errorf("insert %s: %w", b.table, err)
	}
	b.args, b.n = b.args[:0], 0
	return nil
}
