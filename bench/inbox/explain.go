package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"papo/internal/store"
)

// The hot queries of internal/conversation/lists*.sql, read from the source
// tree (run from the repository root) the way the service loads them.
type listSQL struct {
	Open          string `query:"list-open"`
	OpenTeam      string `query:"list-open-team"`
	New           string `query:"list-new"`
	NewTeam       string `query:"list-new-team"`
	MineTeams     string `query:"list-mine-teams,in"`
	Others        string `query:"list-others"`
	Closed        string `query:"list-closed"`
	ClosedTeam    string `query:"list-closed-team"`
	ClosedTeamSeg string `query:"list-closed-team-segmented"`
	CountsAdmin   string `query:"counts-admin"`
	CountsAgent   string `query:"counts-agent,in"`
	CountsSeg     string `query:"counts-agent-segmented,in"`
	MessageIDs    string `query:"search-message-ids"`
	MessageHits   string `query:"search-message-hits"`
	ContactHits   string `query:"search-contact-hits"`
	ContactsAmong string `query:"search-contacts-among,in"`
	MessageTexts  string `query:"search-message-texts,in"`
	OfContacts    string `query:"conversations-of-contacts,in"`
	GetByIDs      string `query:"get-conversations,in"`
}

// explain prints the plan of each hot query with realistic arguments: the
// seeded admin and agent 1, team 1, and a keyset position 25,000 rows deep.
func explain(ctx context.Context, dbURL string, out io.Writer) error {
	db, err := store.Open(ctx, dbURL)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil { // as papo serve would
		return err
	}
	var q listSQL
	if err := store.LoadQueries(os.DirFS("internal/conversation"), db.Dialect, &q); err != nil {
		return fmt.Errorf("%w (run from the repository root)", err)
	}
	var ids struct {
		Admin store.ID `db:"admin"`
		Agent store.ID `db:"agent"`
		Team  store.ID `db:"team"`
	}
	if err := db.R.GetContext(ctx, &ids, db.R.Rebind(`SELECT (SELECT id FROM users WHERE email = ?) AS admin,
		(SELECT id FROM users WHERE email = ?) AS agent, (SELECT MIN(team_id) FROM user_teams
		WHERE user_id = (SELECT id FROM users WHERE email = ?)) AS team`), adminEmail, agentEmail, agentEmail); err != nil {
		return err
	}
	// A position deep in the admin's All list (OFFSET here only finds it).
	var deep struct {
		At time.Time `db:"last_activity_at"`
		ID store.ID  `db:"id"`
	}
	if err := db.R.GetContext(ctx, &deep, `SELECT last_activity_at, id FROM conversations WHERE status <> 'closed'
		ORDER BY last_activity_at DESC, id DESC LIMIT 1 OFFSET 25000`); err != nil {
		return err
	}
	var contactIDs []store.ID
	if err := db.R.SelectContext(ctx, &contactIDs, "SELECT id FROM contacts ORDER BY id LIMIT 200"); err != nil {
		return err
	}
	var convIDs []store.ID
	if err := db.R.SelectContext(ctx, &convIDs, "SELECT id FROM conversations WHERE status <> 'closed' ORDER BY id LIMIT 200"); err != nil {
		return err
	}
	tail := []any{"", "", deep.At, deep.At, deep.ID, 26}
	with := func(lead ...any) []any { return append(lead, tail...) }
	teams := []store.ID{ids.Team}
	pg := db.Dialect == store.Postgres
	common, rare, name := "'boleto':*", "'cxwbxzfz':*", "'silva':*"
	msgCommon, msgRare, msgExact := common, rare, "'boleto'"
	if !pg {
		common, rare, name = `"boleto"*`, `"cxwbxzfz"*`, `"silva"*`
		msgCommon, msgRare, msgExact = "text : ("+common+")", "text : ("+rare+")", `text : ("boleto")`
	}
	var batch []store.ID // the first 52 of the agent's All list, as a search walk reads them
	if err := db.R.SelectContext(ctx, &batch, db.R.Rebind(`SELECT id FROM conversations WHERE status <> 'closed' AND team_id = ?
		ORDER BY last_activity_at DESC, id DESC LIMIT 52`), ids.Team); err != nil {
		return err
	}
	probe := 1001
	// The search probes run as the service runs them: on PostgreSQL planned
	// for their arguments (pgx.QueryExecModeExec, see planEach in
	// lists_search.go), not with a cached generic plan.
	each := func(args ...any) []any {
		if pg {
			return append([]any{pgx.QueryExecModeExec}, args...)
		}
		return args
	}
	cases := []struct {
		name  string
		query string
		in    bool
		args  []any
	}{
		{"all (admin), 25,000 rows deep", q.Open, false, with()},
		{"all (agent: one stream per team)", q.OpenTeam, false, with(ids.Team)},
		{"new (admin)", q.New, false, with()},
		{"new (agent / team_id)", q.NewTeam, false, with(ids.Team)},
		{"mine (agent)", q.MineTeams, true, with(ids.Agent, teams)},
		{"others (admin)", q.Others, false, with(ids.Admin)},
		{"closed (admin)", q.Closed, false, with()},
		{"closed (agent)", q.ClosedTeam, false, with(ids.Team)},
		{"closed (agent, segmented)", q.ClosedTeamSeg, false, with(ids.Team, ids.Agent)},
		{"counts (admin)", q.CountsAdmin, false, []any{ids.Admin, ids.Admin}},
		{"counts (agent)", q.CountsAgent, true, []any{ids.Agent, teams}},
		{"counts (agent, segmented)", q.CountsSeg, true, []any{teams, ids.Agent}},
		{"search: count message hits, rare token", q.MessageIDs, false, each(msgRare, probe)},
		{"search: count message hits, common word (exact first)", q.MessageIDs, false, each(msgExact, probe)},
		{"search: count message hits, common word as a prefix", q.MessageIDs, false, each(msgCommon, probe)},
		{"search: conversations of the hits, rare token", q.MessageHits, false, each(msgRare, probe)},
		{"search: contact hits", q.ContactHits, false, each(name, 20001)},
		{"search: which contacts of a batch match", q.ContactsAmong, true, []any{name, contactIDs[:52]}},
		{"search: message texts of a batch (walk)", q.MessageTexts, true, []any{batch}},
		{"search: conversations of matched contacts", q.OfContacts, true, []any{contactIDs}},
		{"search: conversations by id", q.GetByIDs, true, []any{convIDs}},
	}
	for _, c := range cases {
		query, args := c.query, c.args
		if c.in {
			if query, args, err = db.In(query, args...); err != nil {
				return err
			}
		}
		plain := args
		if len(args) > 0 {
			if _, ok := args[0].(pgx.QueryExecMode); ok {
				plain = args[1:]
			}
		}
		prefix := "EXPLAIN QUERY PLAN "
		if pg {
			prefix = "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) "
		}
		rows, err := db.R.QueryContext(ctx, prefix+query, plain...)
		if err != nil {
			return fmt.Errorf("%s: %w", c.name, err)
		}
		fmt.Fprintf(out, "\n-- %s\n", c.name)
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				rows.Close()
				return err
			}
			if pg {
				fmt.Fprintln(out, vals[0])
			} else {
				fmt.Fprintf(out, "%v\n", vals[len(vals)-1])
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("%s: %w", c.name, err)
		}
		// The query itself, run 7 times: its median time.
		var times []time.Duration
		n := 0
		for range 7 {
			t := time.Now()
			rows, err := db.R.QueryContext(ctx, query, args...)
			if err != nil {
				return fmt.Errorf("%s: %w", c.name, err)
			}
			for n = 0; rows.Next(); n++ {
			}
			rows.Close()
			times = append(times, time.Since(t))
		}
		slices.Sort(times)
		fmt.Fprintf(out, "=> %d rows, median %s\n", n, ms(times[3]))
	}
	return nil
}
