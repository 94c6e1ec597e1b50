// Command outbound measures papo's outbound pacing (F26): it runs a whole
// papo in-process (the real app wiring, HTTP API, River queue and Graph
// client) against a Cloud API sandbox on loopback that enforces a
// throughput tier (130429 past it), queues -n text messages through
// POST /api/v1/conversations/{id}/messages, and reports the achieved send
// rate, the 130429 answers and the duplicates the sandbox saw.
//
//	go run ./bench/outbound -db sqlite:///tmp/ob/papo.db -n 10000 -tier 80
//	go run ./bench/outbound -db 'postgres://postgres@127.0.0.1:5432/bench?sslmode=disable' -n 10000 -tier 80
//
// Phases: the customers write first (each opens its 24-hour window, in the
// sandbox and in papo); then, with the job queue stopped, every message is
// queued through the API (-clients requests in flight; messages go round
// the -recipients customers in turn, each with its own text); then the
// queue starts and drains. The rate is accepted messages over the time
// between the sandbox's first and last acceptance. -live queues while the
// queue runs instead.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"papo/internal/app"
	"papo/internal/auth"
	"papo/internal/channel"
	"papo/internal/config"
	"papo/internal/message"
	"papo/internal/sandbox"
	"papo/internal/store"
	"papo/internal/team"
)

type options struct {
	db                  string
	n, tier, recipients int
	clients             int
	live, keep          bool
	timeout             time.Duration
	logLevel            string
}

func main() {
	var o options
	flag.StringVar(&o.db, "db", "", "PAPO_DATABASE_URL: sqlite://PATH or postgres://… (an empty database, or a fresh schema)")
	flag.IntVar(&o.n, "n", 10000, "messages to send")
	flag.IntVar(&o.tier, "tier", 80, "messages per second of the business number (sandbox limit and channel setting)")
	flag.IntVar(&o.recipients, "recipients", 1000, "distinct customers the messages go to, in turn")
	flag.IntVar(&o.clients, "clients", 8, "API requests in flight while queueing")
	flag.BoolVar(&o.live, "live", false, "queue while the job queue runs (default: queue everything, then start)")
	flag.DurationVar(&o.timeout, "timeout", 20*time.Minute, "give up after this long")
	flag.StringVar(&o.logLevel, "log", "warn", "papo's log level")
	flag.Parse()
	if o.db == "" {
		fmt.Fprintln(os.Stderr, "outbound: -db is required")
		os.Exit(2)
	}
	if err := run(o); err != nil {
		fmt.Fprintln(os.Stderr, "outbound:", err)
		os.Exit(1)
	}
}

func run(o options) error {
	ctx, cancel := context.WithTimeout(context.Background(), o.timeout)
	defer cancel()

	// papo, listening on loopback.
	var h http.Handler
	papoSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.ServeHTTP(w, r) }))
	defer papoSrv.Close()
	vars := map[string]string{
		"PAPO_DATABASE_URL": o.db, "PAPO_SECRET_KEY": strings.Repeat("7b", 32), "PAPO_BASE_URL": papoSrv.URL,
		"PAPO_ADDR": strings.TrimPrefix(papoSrv.URL, "http://"), "PAPO_LOG_LEVEL": o.logLevel,
	}
	cfg, err := config.Load(func(k string) string { return vars[k] })
	if err != nil {
		return err
	}
	var level slog.Level
	_ = level.UnmarshalText([]byte(o.logLevel))
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	a, err := app.New(ctx, app.Options{Config: cfg, Log: log, Hash: auth.HashParams{Memory: 64, Time: 1, Threads: 1}})
	if err != nil {
		return err
	}
	defer a.Close()
	h = a.Server

	// The sandbox: its own loopback server, the tier enforced, no webhooks
	// (statuses would load papo's inbound side, which is measured apart).
	sb, err := sandbox.New(sandbox.Options{AppSecret: "bench", MessagesPerSecond: float64(o.tier)})
	if err != nil {
		return err
	}
	defer sb.Close()
	sbSrv := httptest.NewServer(sb.Handler())
	defer sbSrv.Close()

	name, tok := "Bench", sandbox.DefaultAccessToken
	tm, err := a.Teams.Create(ctx, team.Input{Name: &name})
	if err != nil {
		return err
	}
	pnid, waba, url, mps := sandbox.DefaultPhoneNumberID, sandbox.DefaultWABAID, sbSrv.URL+"/graph", o.tier
	ch, err := a.Channels.Create(ctx, channel.Input{Name: &name, PhoneNumberID: &pnid, WABAID: &waba, DefaultTeamID: &tm.ID,
		GraphAPIURL: &url, AccessToken: &tok, MessagesPerSecond: &mps})
	if err != nil {
		return err
	}
	agent, err := a.Auth.CreateUser(ctx, auth.CreateUserInput{Name: "Bench Agent", Email: "bench@papo.local", Role: auth.RoleAgent,
		Password: "benchbenchbench", TeamIDs: []store.ID{tm.ID}})
	if err != nil {
		return err
	}
	sess, err := a.Auth.Login(ctx, agent.Email, "benchbenchbench")
	if err != nil {
		return err
	}

	// Customers write first.
	t0 := time.Now()
	convs := make([]store.ID, o.recipients)
	hc := &http.Client{Timeout: 30 * time.Second}
	for i := range convs {
		wa := fmt.Sprintf("55119%08d", 10000000+i)
		var item struct {
			ID string `json:"id"`
		}
		if err := doJSON(hc, "POST", sbSrv.URL+"/api/phones/"+wa+"/messages", "", map[string]any{"type": "text", "text": "oi", "name": "Cliente"}, 201, &item); err != nil {
			return err
		}
		now := time.Now().UTC().Truncate(time.Microsecond)
		err := a.DB.InTx(ctx, func(tx *store.Tx) error {
			contactID, err := a.Contacts.Upsert(ctx, tx, wa, "Cliente")
			if err != nil {
				return err
			}
			c, _, err := a.Conv.OpenForInbound(ctx, tx, ch.ID, tm.ID, contactID, now)
			if err != nil {
				return err
			}
			id, _, err := a.Messages.InsertInbound(ctx, tx, message.Inbound{ConversationID: c.ID, ChannelID: ch.ID, ContactID: contactID,
				Type: "text", Text: "oi", WAMessageID: item.ID, At: now})
			if err != nil {
				return err
			}
			convs[i] = c.ID
			return a.Conv.RecordInbound(ctx, tx, c.ID, id, now)
		})
		if err != nil {
			return err
		}
	}
	fmt.Printf("setup: %d customers wrote in %s\n", o.recipients, time.Since(t0).Round(time.Millisecond))

	if !o.live {
		sctx, scancel := context.WithTimeout(ctx, 30*time.Second)
		err := a.Jobs.Stop(sctx)
		scancel()
		if err != nil {
			return err
		}
	}
	if err := doJSON(hc, "DELETE", sbSrv.URL+"/api/stats", "", nil, 204, nil); err != nil {
		return err
	}

	// Queue the messages through the API.
	t1 := time.Now()
	var next, failed atomic.Int64
	var wg sync.WaitGroup
	var firstErr error
	var errMu sync.Mutex
	for range o.clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= o.n {
					return
				}
				conv := convs[i%o.recipients]
				body := map[string]any{"type": "text", "text": fmt.Sprintf("Mensagem %d do benchmark", i)}
				err := doJSON(hc, "POST", papoSrv.URL+"/api/v1/conversations/"+conv.String()+"/messages", sess.Token, body, 202, nil)
				if err != nil {
					failed.Add(1)
					errMu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					errMu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	queueTime := time.Since(t1)
	if firstErr != nil {
		return fmt.Errorf("%d sends refused, first: %w", failed.Load(), firstErr)
	}
	fmt.Printf("queued: %d messages in %s (%.0f/s through the API, %d clients)\n", o.n, queueTime.Round(time.Millisecond),
		float64(o.n)/queueTime.Seconds(), o.clients)

	t2 := time.Now()
	if !o.live {
		if err := a.Jobs.Start(ctx); err != nil {
			return err
		}
	}
	var queued, sent, failedMsgs int
	for {
		counts := map[string]int{}
		rows, err := a.DB.R.QueryContext(ctx, "SELECT status, count(*) FROM messages WHERE direction = 'out' GROUP BY status")
		if err != nil {
			return err
		}
		for rows.Next() {
			var s string
			var c int
			if err := rows.Scan(&s, &c); err != nil {
				rows.Close()
				return err
			}
			counts[s] = c
		}
		rows.Close()
		queued, sent, failedMsgs = counts["queued"], counts["sent"]+counts["delivered"]+counts["read"], counts["failed"]
		if queued == 0 {
			break
		}
		if ctx.Err() != nil {
			return fmt.Errorf("timed out with %d still queued", queued)
		}
		time.Sleep(500 * time.Millisecond)
	}
	drain := time.Since(t2)

	var st struct {
		Accepted        int        `json:"accepted"`
		RateLimited     int        `json:"rate_limited"`
		Duplicates      int        `json:"duplicates"`
		Rejected        int        `json:"rejected"`
		FirstAcceptedAt *time.Time `json:"first_accepted_at"`
		LastAcceptedAt  *time.Time `json:"last_accepted_at"`
	}
	if err := doJSON(hc, "GET", sbSrv.URL+"/api/stats", "", nil, 200, &st); err != nil {
		return err
	}
	var log2 struct {
		Items []struct {
			Text string `json:"text"`
		} `json:"items"`
	}
	if err := doJSON(hc, "GET", sbSrv.URL+"/api/sent", "", nil, 200, &log2); err != nil {
		return err
	}
	seen := map[string]int{}
	dups := 0
	for _, it := range log2.Items {
		seen[it.Text]++
		if seen[it.Text] == 2 {
			dups++
		}
	}
	rate := 0.0
	if st.FirstAcceptedAt != nil && st.LastAcceptedAt != nil && st.Accepted > 1 {
		rate = float64(st.Accepted-1) / st.LastAcceptedAt.Sub(*st.FirstAcceptedAt).Seconds()
	}
	fmt.Printf("engine: %s\n", a.DB.Dialect)
	fmt.Printf("drained: %d sent, %d failed in %s (%.1f/s wall)\n", sent, failedMsgs, drain.Round(time.Millisecond), float64(sent)/drain.Seconds())
	fmt.Printf("sandbox: accepted %d, 130429 answers %d, duplicates %d (sent log: %d texts sent more than once), rejected %d\n",
		st.Accepted, st.RateLimited, st.Duplicates, dups, st.Rejected)
	fmt.Printf("achieved rate: %.2f msg/s = %.1f%% of the %d/s tier (first to last acceptance)\n", rate, 100*rate/float64(o.tier), o.tier)
	if st.Accepted != o.n || failedMsgs != 0 || st.RateLimited != 0 || st.Duplicates != 0 || dups != 0 {
		return fmt.Errorf("goal missed: want %d accepted, 0 failed, 0 130429, 0 duplicates", o.n)
	}
	return nil
}

func doJSON(hc *http.Client, method, url, token string, body any, want int, out any) error {
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != want {
		return fmt.Errorf("%s %s = %d %s", method, url, res.StatusCode, b)
	}
	if out != nil {
		return json.Unmarshal(b, out)
	}
	return nil
}
