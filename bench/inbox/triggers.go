package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"papo/internal/store"
)

// triggerCost measures what the search-index triggers of migration 00021
// add to a message insert: n single-row INSERTs into messages (as the
// webhook writes them) inside a transaction that is rolled back, with the
// triggers and then with them dropped (DDL inside the same kind of
// transaction, rolled back too), on a seeded database.
func triggerCost(ctx context.Context, dbURL string, n int, out io.Writer) error {
	db, err := store.Open(ctx, dbURL)
	if err != nil {
		return err
	}
	defer db.Close()
	var c struct {
		ID        store.ID `db:"id"`
		ChannelID store.ID `db:"channel_id"`
		ContactID store.ID `db:"contact_id"`
	}
	if err := db.R.GetContext(ctx, &c, "SELECT id, channel_id, contact_id FROM conversations ORDER BY id DESC LIMIT 1"); err != nil {
		return err
	}
	var maxID int64
	if err := db.R.GetContext(ctx, &maxID, "SELECT MAX(id) FROM messages"); err != nil {
		return err
	}
	insert := db.W.Rebind(`INSERT INTO messages (id, conversation_id, channel_id, contact_id, direction, author_type, type, text,
		payload, wa_message_id, status, created_at, updated_at) VALUES (?, ?, ?, ?, 'in', 'contact', 'text', ?, '{}', ?, 'received', ?, ?)`)
	drop := []string{"DROP TRIGGER messages_fts_insert"}
	if db.Dialect == store.Postgres {
		drop = []string{"DROP TRIGGER messages_search_insert ON messages"}
	}
	text := "Olá, bom dia! Gostaria de saber o status do meu pedido #482913, o boleto que venceu dia 12/03 ainda não foi baixado. Obrigado pela atenção."
	run := func(withTriggers bool) (time.Duration, error) {
		tx, err := db.W.BeginTxx(ctx, nil)
		if err != nil {
			return 0, err
		}
		defer tx.Rollback()
		if !withTriggers {
			for _, d := range drop {
				if _, err := tx.ExecContext(ctx, d); err != nil {
					return 0, err
				}
			}
		}
		now := time.Now().UTC()
		start := time.Now()
		for i := range n {
			id := maxID + 1 + int64(i)
			if _, err := tx.ExecContext(ctx, insert, id, c.ID, c.ChannelID, c.ContactID, text, fmt.Sprintf("wamid.cost.%d", id), now, now); err != nil {
				return 0, err
			}
		}
		return time.Since(start), nil
	}
	for round := range 3 {
		with, err := run(true)
		if err != nil {
			return err
		}
		without, err := run(false)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "round %d: %d inserts: with the search trigger %.1f µs each, without %.1f µs each: +%.1f µs\n", round+1, n,
			float64(with.Microseconds())/float64(n), float64(without.Microseconds())/float64(n), float64((with-without).Microseconds())/float64(n))
	}
	return nil
}
