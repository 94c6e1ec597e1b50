// Command seed fills a papo database for the inbox benchmark (issue 5,
// docs/benchmarks.md "Inbox lists and search"): 10 teams with one channel
// each, 50 agents (5 per team) and an admin, 80,000 contacts (60 % of them
// registered customers), 100,000 conversations and 1,000,000 messages.
//
// Conversations: 10 % unassigned in their channel's team, 25 % team-only
// (forwarded to another team, unassigned) — both in that team's New list —
// and 65 % assigned to an agent of the team; status 55 % pending, 30 %
// resolved, 15 % closed (a closed one keeps its assignee). Each has 10
// messages, alternating customer/agent, about 165 characters of Portuguese
// helpdesk text, spread over the last year; message ids follow time, as they
// do when papo receives them.
//
// Teams and accounts go through papo's own services (real password
// hashes, so the load client logs in for real); the rest is written with
// multi-row INSERTs in large transactions, through the schema's triggers
// (the search indexes of migration 00021 are filled as papo fills them).
//
//	go run ./bench/seed -db sqlite://./data/bench/inbox.db
//	go run ./bench/seed -db 'postgres://postgres@127.0.0.1:5432/papo_bench?sslmode=disable'
//
// It refuses a database that already holds conversations.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"time"

	"papo/internal/auth"
	"papo/internal/phone"
	"papo/internal/search"
	"papo/internal/store"
	"papo/internal/team"
)

// Accounts the load client (bench/inbox) logs in with.
const (
	AdminEmail = "inbox-admin@bench.papo"
	Password   = "bench-password-2026"
)

// AgentEmail is agent n's address (1…agents); agents 1–5 are team 1's.
func AgentEmail(n int) string { return fmt.Sprintf("agent%02d@bench.papo", n) }

type config struct {
	db            string
	teams         int
	agentsPerTeam int
	contacts      int
	conversations int
	perConv       int
	seed          uint64
}

func main() {
	var c config
	fs := flag.NewFlagSet("seed", flag.ExitOnError)
	fs.StringVar(&c.db, "db", "", "database URL (sqlite://… or postgres://…)")
	fs.IntVar(&c.teams, "teams", 10, "teams (one channel each)")
	fs.IntVar(&c.agentsPerTeam, "agents", 5, "agents per team")
	fs.IntVar(&c.contacts, "contacts", 80000, "WhatsApp contacts")
	fs.IntVar(&c.conversations, "conversations", 100000, "conversations")
	fs.IntVar(&c.perConv, "messages", 10, "messages per conversation")
	fs.Uint64Var(&c.seed, "seed", 2026, "random seed")
	_ = fs.Parse(os.Args[1:])
	if c.db == "" {
		fmt.Fprintln(os.Stderr, "seed: -db is required")
		os.Exit(2)
	}
	if err := run(context.Background(), c, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "seed:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, c config, out io.Writer) error {
	if c.conversations < c.contacts || c.conversations > 2*c.contacts {
		return errors.New("-conversations must be between -contacts and twice -contacts")
	}
	start := time.Now()
	db, err := store.Open(ctx, c.db)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		return err
	}
	var n int
	if err := db.R.GetContext(ctx, &n, "SELECT COUNT(*) FROM conversations"); err != nil {
		return err
	}
	if n > 0 {
		return fmt.Errorf("the database already holds %d conversations: seed a fresh one", n)
	}
	if db.Dialect == store.SQLite {
		// A bulk load: durability of each commit does not matter until the
		// end (papo itself runs synchronous=FULL). The writer pool is one
		// connection, so these stick.
		for _, p := range []string{"PRAGMA synchronous=OFF", "PRAGMA cache_size=-262144"} {
			if _, err := db.W.ExecContext(ctx, p); err != nil {
				return err
			}
		}
	}
	s := &seeder{c: c, db: db, rng: rand.New(rand.NewPCG(c.seed, 1)), now: time.Now().UTC().Truncate(time.Second), out: out}
	steps := []struct {
		name string
		fn   func(context.Context) error
	}{
		{"teams, channels and accounts", s.accounts},
		{"customers and contacts", s.contactsAndCustomers},
		{"conversations", s.conversations},
		{"messages", s.messages},
		{"sequences and statistics", s.finish},
	}
	for _, st := range steps {
		t0 := time.Now()
		if err := st.fn(ctx); err != nil {
			return fmt.Errorf("%s: %w", st.name, err)
		}
		fmt.Fprintf(out, "%-30s %s\n", st.name, time.Since(t0).Round(time.Millisecond))
	}
	fmt.Fprintf(out, "seeded in %s\n", time.Since(start).Round(time.Second))
	fmt.Fprintf(out, "admin %s, agents %s…%s, password %q\n", AdminEmail, AgentEmail(1), AgentEmail(c.teams*c.agentsPerTeam), Password)
	fmt.Fprintf(out, "rare token %s (conversation %d, team %d)\n", s.rareToken, s.rareConv, s.rareTeam)
	return nil
}

type seeder struct {
	c   config
	db  *store.DB
	rng *rand.Rand
	now time.Time
	out io.Writer

	teamIDs    []store.ID
	channelIDs []store.ID // channelIDs[i] routes to teamIDs[i]
	agents     [][]store.ID
	convs      []conv
	msgOrder   []int32 // message k+1 is message msgOrder[k]%perConv of conversation msgOrder[k]/perConv
	rareToken  string
	rareConv   store.ID
	rareTeam   store.ID
}

type conv struct {
	id        store.ID
	contact   store.ID
	channel   int // index into channelIDs
	team      int // index into teamIDs
	assignee  *store.ID
	status    string
	created   time.Time
	gap       time.Duration
	lastMsgID store.ID
}

func (s *seeder) accounts(ctx context.Context) error {
	teams, err := team.New(team.Options{DB: s.db})
	if err != nil {
		return err
	}
	users, err := auth.New(auth.Options{DB: s.db})
	if err != nil {
		return err
	}
	if _, err := users.CreateUser(ctx, auth.CreateUserInput{Name: "Inbox Admin", Email: AdminEmail, Role: auth.RoleAdmin, Password: Password}); err != nil {
		return err
	}
	agent := 0
	for i := range s.c.teams {
		name := fmt.Sprintf("Time %02d", i+1)
		tm, err := teams.Create(ctx, team.Input{Name: &name})
		if err != nil {
			return err
		}
		s.teamIDs = append(s.teamIDs, tm.ID)
		var chID store.ID
		if err := s.db.W.GetContext(ctx, &chID, s.db.W.Rebind(`INSERT INTO channels (name, phone_number_id, waba_id, display_phone_number,
			default_team_id, graph_api_url, graph_api_version, verify_token, messages_per_second, created_at, updated_at)
			VALUES (?, ?, '', ?, ?, 'http://127.0.0.1:9/graph', 'v23.0', ?, 80, ?, ?) RETURNING id`),
			"Canal "+name, fmt.Sprintf("10%08d", i+1), fmt.Sprintf("+55 11 3000-%04d", i+1), tm.ID, fmt.Sprintf("verify-%d", i+1), s.now, s.now); err != nil {
			return err
		}
		s.channelIDs = append(s.channelIDs, chID)
		var ids []store.ID
		for range s.c.agentsPerTeam {
			agent++
			u, err := users.CreateUser(ctx, auth.CreateUserInput{Name: fmt.Sprintf("%s %02d", firstNames[agent%len(firstNames)], agent),
				Email: AgentEmail(agent), Role: auth.RoleAgent, Password: Password, TeamIDs: []store.ID{tm.ID}})
			if err != nil {
				return err
			}
			ids = append(ids, u.ID)
		}
		s.agents = append(s.agents, ids)
	}
	return nil
}

// waID is contact i's WhatsApp number: a Brazilian mobile, distinct per i.
func waID(i int) string {
	return fmt.Sprintf("55%d9%08d", areaCodes[i%len(areaCodes)], (i*7919)%100000000)
}

func (s *seeder) contactsAndCustomers(ctx context.Context) error {
	customers := newBatch(s.db, "customers", "id, name, email, organization, phones, search_text, created_at, updated_at")
	keys := newBatch(s.db, "customer_phone_keys", "match_key, customer_id")
	contacts := newBatch(s.db, "contacts", "id, wa_id, phone, profile_name, customer_id, automation_blocked, created_at, updated_at")
	keys.before = []*batch{customers}     // rows reference customers written before them
	contacts.before = []*batch{customers} //
	return s.db.InTx(ctx, func(tx *store.Tx) error {
		var customerID store.ID
		for i := range s.c.contacts {
			wa := waID(i)
			e164 := "+" + wa
			first, last := firstNames[s.rng.IntN(len(firstNames))], lastNames[s.rng.IntN(len(lastNames))]
			at := s.now.Add(-time.Duration(s.rng.Int64N(int64(400 * 24 * time.Hour))))
			var cust *store.ID
			if s.rng.IntN(100) < 60 {
				customerID++
				id := customerID
				cust = &id
				name := first + " " + lastNames[s.rng.IntN(len(lastNames))] + " " + last
				email := strings.ToLower(search.Fold(first+"."+last)) + fmt.Sprintf("%d@exemplo.com.br", i)
				phones, _ := json.Marshal([]string{e164})
				if err := customers.add(ctx, tx, id, name, email, "", string(phones), search.Fold(name+" "+email)+" "+wa, at, at); err != nil {
					return err
				}
				for _, k := range phone.MatchKeys(e164) {
					if err := keys.add(ctx, tx, k, id); err != nil {
						return err
					}
				}
			}
			profile := first
			if s.rng.IntN(4) == 0 {
				profile = first + " " + last
			}
			if err := contacts.add(ctx, tx, store.ID(i+1), wa, e164, profile, cust, false, at, at); err != nil {
				return err
			}
		}
		for _, b := range []*batch{customers, keys, contacts} {
			if err := b.flush(ctx, tx); err != nil {
				return err
			}
		}
		return nil
	})
}

func (s *seeder) conversations(ctx context.Context) error {
	year := int64(365 * 24 * time.Hour)
	s.convs = make([]conv, s.c.conversations)
	for i := range s.convs {
		c := &s.convs[i]
		c.id = store.ID(i + 1)
		c.contact = store.ID(i%s.c.contacts + 1)
		c.channel = i % len(s.channelIDs)
		if i >= s.c.contacts { // the contact's second conversation, on another channel
			c.channel = (i + 1) % len(s.channelIDs)
		}
		c.team = c.channel
		switch r := s.rng.IntN(100); {
		case r < 10: // unassigned, in the channel's team
		case r < 35: // team-only: forwarded to another team's New list
			c.team = (c.channel + 1 + s.rng.IntN(len(s.teamIDs)-1)) % len(s.teamIDs)
		default:
			a := s.agents[c.team][s.rng.IntN(len(s.agents[c.team]))]
			c.assignee = &a
		}
		switch r := s.rng.IntN(100); {
		case r < 55:
			c.status = "pending"
		case r < 85:
			c.status = "resolved"
		default:
			c.status = "closed"
		}
		c.gap = (time.Minute + time.Duration(s.rng.Int64N(int64(20*time.Minute)))).Truncate(time.Microsecond)
		span := time.Duration(s.c.perConv-1) * c.gap
		c.created = s.now.Add(-time.Hour - span - time.Duration(s.rng.Int64N(year))).Truncate(time.Microsecond)
	}
	// Message ids follow time across conversations, as papo assigns them.
	type slot struct {
		at   time.Time
		conv int32
		j    int8
	}
	slots := make([]slot, 0, len(s.convs)*s.c.perConv)
	for i, c := range s.convs {
		for j := range s.c.perConv {
			slots = append(slots, slot{at: c.created.Add(time.Duration(j) * c.gap), conv: int32(i), j: int8(j)})
		}
	}
	slices.SortFunc(slots, func(a, b slot) int { return a.at.Compare(b.at) })
	s.msgOrder = make([]int32, len(slots))
	for k, sl := range slots {
		s.msgOrder[k] = sl.conv*int32(s.c.perConv) + int32(sl.j)
		if int(sl.j) == s.c.perConv-1 {
			s.convs[sl.conv].lastMsgID = store.ID(k + 1)
		}
	}
	b := newBatch(s.db, "conversations", "id, channel_id, contact_id, team_id, assignee_id, status, unread_count, last_message_id, "+
		"last_activity_at, last_inbound_at, created_at, closed_at, closed_reason")
	return s.db.InTx(ctx, func(tx *store.Tx) error {
		for _, c := range s.convs {
			last := c.created.Add(time.Duration(s.c.perConv-1) * c.gap)
			lastIn := last
			if s.c.perConv > 1 && (s.c.perConv-1)%2 == 1 { // the last message is the agent's
				lastIn = last.Add(-c.gap)
			}
			unread := 0
			var closedAt *time.Time
			var reason *string
			switch c.status {
			case "pending":
				unread = s.rng.IntN(4)
			case "closed":
				t := last.Add(time.Duration(s.rng.IntN(120)) * time.Minute)
				closedAt = &t
				r := "manual"
				if s.rng.IntN(3) == 0 {
					r = "inactivity"
				}
				reason = &r
			}
			if err := b.add(ctx, tx, c.id, s.channelIDs[c.channel], c.contact, s.teamIDs[c.team], c.assignee, c.status, unread,
				c.lastMsgID, last, lastIn, c.created, closedAt, reason); err != nil {
				return err
			}
		}
		return b.flush(ctx, tx)
	})
}

func (s *seeder) messages(ctx context.Context) error {
	b := newBatch(s.db, "messages", "id, conversation_id, channel_id, contact_id, direction, author_type, author_id, type, text, "+
		"payload, wa_message_id, status, created_at, updated_at")
	const perTx = 50000
	total := len(s.msgOrder)
	t0 := time.Now()
	for from := 0; from < total; from += perTx {
		to := min(from+perTx, total)
		err := s.db.InTx(ctx, func(tx *store.Tx) error {
			for k := from; k < to; k++ {
				ci, j := int(s.msgOrder[k])/s.c.perConv, int(s.msgOrder[k])%s.c.perConv
				c := &s.convs[ci]
				at := c.created.Add(time.Duration(j) * c.gap)
				id := store.ID(k + 1)
				rng := rand.New(rand.NewPCG(s.c.seed, uint64(id)))
				dir, authorType, status := "in", "contact", "received"
				var author *store.ID
				if j%2 == 1 {
					dir, authorType, status = "out", "agent", "read"
					author = c.assignee
					if author == nil {
						a := s.agents[c.team][rng.IntN(len(s.agents[c.team]))]
						author = &a
					}
				}
				text, token := messageText(rng, dir == "in")
				if token != "" && s.rareToken == "" && c.status != "closed" && ci%7 == 3 {
					s.rareToken, s.rareConv, s.rareTeam = token, c.id, s.teamIDs[c.team]
				}
				if err := b.add(ctx, tx, id, c.id, s.channelIDs[c.channel], c.contact, dir, authorType, author, "text", text,
					"{}", fmt.Sprintf("wamid.bench.%d", id), status, at, at); err != nil {
					return err
				}
			}
			return b.flush(ctx, tx)
		})
		if err != nil {
			return err
		}
		fmt.Fprintf(s.out, "  messages %7d/%d  %s\n", to, total, time.Since(t0).Round(time.Second))
	}
	return nil
}

func (s *seeder) finish(ctx context.Context) error {
	if s.db.Dialect == store.Postgres {
		for _, t := range []string{"customers", "contacts", "conversations", "messages", "channels"} {
			if _, err := s.db.W.ExecContext(ctx, fmt.Sprintf(
				`SELECT setval(pg_get_serial_sequence('%s', 'id'), (SELECT MAX(id) FROM %s))`, t, t)); err != nil {
				return err
			}
		}
		_, err := s.db.W.ExecContext(ctx, "VACUUM (ANALYZE)")
		return err
	}
	for _, q := range []string{"ANALYZE", "PRAGMA optimize", "PRAGMA synchronous=FULL", "PRAGMA wal_checkpoint(TRUNCATE)"} {
		if _, err := s.db.W.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("%s: %w", q, err)
		}
	}
	return nil
}
