package conversation

import (
	"context"
	"strings"
	"testing"
	"time"

	"papo/internal/store"
	"papo/internal/store/storetest"
)

// TestTimelineQueriesReadIndexesInOrder (F07, F10): the timeline pages
// and the selection by time read their index in order from the keyset
// position — no full scan, no sort, no OFFSET — on both engines, so a page
// costs the same at any depth of a long history.
func TestTimelineQueriesReadIndexesInOrder(t *testing.T) {
	db := storetest.Open(t)
	var q queries
	if err := store.LoadQueries(queryFS, db.Dialect, &q); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		name, query, index string
		args               []any
	}{
		{"timeline messages", q.TimelineMsgs, "messages_timeline", []any{1, 1, at, 10, 51}},
		{"timeline events", q.TimelineEvents, "conversation_events_timeline", []any{1, 1, at, 10, true, 51}},
		{"messages within hours", q.MessagesSince, "messages_conversation", []any{1, at, 5000}},
	}
	ctx := context.Background()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := db.InTx(ctx, func(tx *store.Tx) error {
				explain := "EXPLAIN QUERY PLAN "
				if db.Dialect == store.Postgres {
					// Empty tables make a scan look cheapest; forbid it to
					// see whether the index serves the query in order.
					if _, err := tx.ExecContext(ctx, "SET LOCAL enable_seqscan = off"); err != nil {
						return err
					}
					explain = "EXPLAIN "
				}
				rows, err := tx.QueryContext(ctx, explain+tc.query, tc.args...)
				if err != nil {
					return err
				}
				defer rows.Close()
				cols, _ := rows.Columns()
				var plan []string
				for rows.Next() {
					vals := make([]any, len(cols))
					ptrs := make([]any, len(cols))
					for i := range vals {
						ptrs[i] = &vals[i]
					}
					if err := rows.Scan(ptrs...); err != nil {
						return err
					}
					plan = append(plan, strings.TrimSpace(toString(vals[len(vals)-1])))
				}
				text := strings.Join(plan, "\n")
				t.Logf("%s plan:\n%s", db.Dialect, text)
				if !strings.Contains(text, tc.index) {
					t.Errorf("plan does not use %s:\n%s", tc.index, text)
				}
				for _, bad := range []string{"TEMP B-TREE", "Sort", "Seq Scan", "SCAN messages", "SCAN conversation_events", "SCAN e\n", "SCAN e "} {
					if strings.Contains(text+"\n", bad) {
						t.Errorf("plan has %q:\n%s", bad, text)
					}
				}
				return rows.Err()
			})
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}

func toString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case []byte:
		return string(x)
	}
	return ""
}
