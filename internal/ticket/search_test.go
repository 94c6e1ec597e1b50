package ticket_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"papo/internal/apptest"
	"papo/internal/auth"
	"papo/internal/store"
	"papo/internal/ticket"
)

// TestSearchAnswersFromTheIndex (F22): a search over title and description,
// and one that is also a number, are planned on the full-text index —
// tickets_fts (FTS5) on SQLite, the GIN index tickets_search on PostgreSQL
// (sequential scans are switched off there so that the plan shows whether
// the index can serve the query at all, whatever the table's size).
func TestSearchAnswersFromTheIndex(t *testing.T) {
	e := apptest.New(t, nil)
	ctx := context.Background()
	tm := e.Team(t, "Suporte")
	admin := as(e.User(t, "Root", auth.RoleAdmin))
	agent := as(e.User(t, "Ana", auth.RoleAgent, tm.ID))
	for i := range 20 {
		if _, err := e.App.Tickets.Create(ctx, agent, ticket.CreateInput{Title: fmt.Sprintf("Roteador %d", i), Description: "Sem conexão"}); err != nil {
			t.Fatal(err)
		}
	}
	cases := []struct {
		name   string
		f      ticket.Filter
		number bool
	}{
		{"words", ticket.Filter{Q: "roteador conexao"}, false},
		{"word prefix", ticket.Filter{Q: "rot"}, false},
		{"a number's words", ticket.Filter{Q: "#12"}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			query, args, ok, err := ticket.ListQuery(e.App.Tickets, admin, c.f, nil, 51, c.number)
			if err != nil || !ok {
				t.Fatal(ok, err)
			}
			plan := explain(t, e, query, args)
			want := "VIRTUAL TABLE INDEX" // tickets_fts
			if e.App.DB.Dialect == store.Postgres {
				want = "Bitmap Index Scan on tickets_search"
			}
			if !strings.Contains(plan, want) {
				t.Fatalf("plan does not use %s:\n%s", want, plan)
			}
			t.Logf("%s plan:\n%s", e.App.DB.Dialect, plan)
		})
	}
	// A query that is a number also looks the number up, by its unique index.
	query, args, _, err := ticket.ListQuery(e.App.Tickets, admin, ticket.Filter{Q: "12"}, nil, 1, true)
	if err != nil {
		t.Fatal(err)
	}
	plan := explain(t, e, query, args)
	want := "sqlite_autoindex_tickets_1 (number=?)"
	if e.App.DB.Dialect == store.Postgres {
		want = "tickets_number_key"
	}
	if !strings.Contains(plan, want) {
		t.Fatalf("number plan does not use %s:\n%s", want, plan)
	}
	t.Logf("%s number plan:\n%s", e.App.DB.Dialect, plan)
	page, err := e.App.Tickets.List(ctx, agent, ticket.Filter{Q: "ROTEADOR conexão"}, nil, 50)
	if err != nil || len(page.Items) != 20 {
		t.Fatalf("search found %d, %v; want 20", len(page.Items), err)
	}
	// "12" finds ticket #12 and "Roteador 12" (#13), newest first.
	page, err = e.App.Tickets.List(ctx, agent, ticket.Filter{Q: "12"}, nil, 50)
	if err != nil || len(page.Items) != 2 || page.Items[0].Number != 13 || page.Items[1].Number != 12 {
		t.Fatalf("number search = %+v, %v", page, err)
	}
}

func explain(t *testing.T, e *apptest.Env, query string, args []any) string {
	t.Helper()
	ctx := context.Background()
	var lines []string
	err := e.App.DB.InTx(ctx, func(tx *store.Tx) error {
		prefix := "EXPLAIN QUERY PLAN "
		if e.App.DB.Dialect == store.Postgres {
			prefix = "EXPLAIN "
			if _, err := tx.ExecContext(ctx, "SET LOCAL enable_seqscan = off"); err != nil {
				return err
			}
		}
		rows, err := tx.QueryContext(ctx, prefix+query, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				return err
			}
			lines = append(lines, fmt.Sprint(vals[len(vals)-1]))
		}
		return rows.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(lines, "\n")
}
