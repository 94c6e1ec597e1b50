// Command inbox measures papo's inbox (issue 5, docs/benchmarks.md "Inbox
// lists and search") against a running server started on a database filled
// by bench/seed. It logs in for real (an admin and an agent of team 1) and,
// for each scenario — list views at several page depths with 25 rows and
// counts, a team's New list, one conversation's newest 30 timeline items and
// its detail, message search for a rare token and a common word — sends 200
// sequential requests (p50/p95/p99), then keeps 8 workers busy for 20 s
// (requests per second), and reads the server's RSS from /proc.
//
//	go run ./bench/seed -db sqlite://./data/bench/inbox.db
//	PAPO_DATABASE_URL=sqlite://./data/bench/inbox.db PAPO_ADDR=127.0.0.1:8090 bin/papo serve & pid=$!
//	go run ./bench/inbox -url http://127.0.0.1:8090 -pid $pid -rare TOKEN
//	go run ./bench/inbox -explain sqlite://./data/bench/inbox.db
//	go run ./bench/inbox -trigger-cost sqlite://./data/bench/inbox.db
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

const (
	adminEmail = "inbox-admin@bench.papo"
	agentEmail = "agent01@bench.papo"
	password   = "bench-password-2026"
)

type options struct {
	url      string
	pid      int
	requests int
	workers  int
	duration time.Duration
	rare     string
	common   string
	only     string
	explain  string
	triggers string
}

func main() {
	var o options
	flag.StringVar(&o.url, "url", "http://127.0.0.1:8090", "papo's base URL")
	flag.IntVar(&o.pid, "pid", 0, "the server's process id, for its RSS (0: not measured)")
	flag.IntVar(&o.requests, "requests", 200, "sequential requests per scenario")
	flag.IntVar(&o.workers, "workers", 8, "concurrent workers in the throughput run")
	flag.DurationVar(&o.duration, "duration", 20*time.Second, "length of each throughput run (0: skip)")
	flag.StringVar(&o.rare, "rare", "", "a rare token to search (bench/seed prints one; empty: found in a timeline)")
	flag.StringVar(&o.common, "common", "boleto", "a common word to search")
	flag.StringVar(&o.only, "only", "", "run only scenarios whose name contains this")
	flag.StringVar(&o.explain, "explain", "", "instead of measuring, print the plans of the hot queries on this database URL")
	flag.StringVar(&o.triggers, "trigger-cost", "", "instead of measuring, time message inserts with and without the search trigger on this database URL")
	flag.Parse()
	if o.triggers != "" {
		if err := triggerCost(context.Background(), o.triggers, 2000, os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, "inbox:", err)
			os.Exit(1)
		}
		return
	}
	if o.explain != "" {
		if err := explain(context.Background(), o.explain, os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, "inbox:", err)
			os.Exit(1)
		}
		return
	}
	if err := run(context.Background(), o, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "inbox:", err)
		os.Exit(1)
	}
}

// client is one logged-in caller.
type client struct {
	base  string
	token string
	http  *http.Client
}

func login(base, email string) (*client, error) {
	hc := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 64, MaxIdleConns: 64}}
	body, _ := json.Marshal(map[string]string{"email": email, "password": password})
	res, err := hc.Post(base+"/api/v1/auth/login", "application/json", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	var out struct {
		Token string `json:"token"`
	}
	if res.StatusCode != 200 || json.NewDecoder(res.Body).Decode(&out) != nil || out.Token == "" {
		return nil, fmt.Errorf("login %s: status %d", email, res.StatusCode)
	}
	return &client{base: base, token: out.Token, http: hc}, nil
}

// get fetches path and decodes the JSON answer into v (when not nil).
func (c *client) get(path string, v any) (int, error) {
	req, _ := http.NewRequest("GET", c.base+path, nil)
	req.Header.Set("Authorization", "Bearer "+c.token)
	res, err := c.http.Do(req)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return res.StatusCode, err
	}
	if res.StatusCode != 200 {
		return res.StatusCode, fmt.Errorf("GET %s: %d %s", path, res.StatusCode, bytes.TrimSpace(b[:min(len(b), 300)]))
	}
	if v != nil {
		return 200, json.Unmarshal(b, v)
	}
	return 200, nil
}

type listPage struct {
	Items []struct {
		ID          string `json:"id"`
		LastMessage *struct {
			Text string `json:"text"`
		} `json:"last_message"`
	} `json:"items"`
	NextCursor *string        `json:"next_cursor"`
	Counts     map[string]int `json:"counts"`
}

// pagePath walks a list to page n (1-based) through next_cursor and returns
// that page's path; n = 0 walks to the last page.
func pagePath(c *client, path string, n int) (string, int, error) {
	cur := path
	for page := 1; ; page++ {
		var p listPage
		if _, err := c.get(cur, &p); err != nil {
			return "", 0, err
		}
		if page == n || (n == 0 && p.NextCursor == nil) {
			return cur, page, nil
		}
		if p.NextCursor == nil {
			return "", 0, fmt.Errorf("%s has only %d pages", path, page)
		}
		cur = path + "&cursor=" + url.QueryEscape(*p.NextCursor)
	}
}

type scenario struct {
	name   string
	c      *client
	path   string
	note   string
	skip   string
	result result
}

type result struct {
	items         int
	p50, p95, p99 time.Duration
	rps           float64
	loadP95       time.Duration
	errors        int64
}

func run(ctx context.Context, o options, out io.Writer) error {
	admin, err := login(o.url, adminEmail)
	if err != nil {
		return err
	}
	agent, err := login(o.url, agentEmail)
	if err != nil {
		return err
	}
	rssIdle := rss(o.pid, "VmRSS")
	var teams struct {
		Items []struct {
			ID   string `json:"id"`
			Name string `json:"name"`
		} `json:"items"`
	}
	if _, err := admin.get("/api/v1/teams", &teams); err != nil {
		return err
	}
	team3 := ""
	for _, t := range teams.Items {
		if t.Name == "Time 03" {
			team3 = t.ID
		}
	}
	if team3 == "" {
		return errors.New("no team \"Time 03\": is this a bench/seed database?")
	}

	const l = "/api/v1/conversations?limit=25"
	var sc []*scenario
	add := func(name string, c *client, path, note string) {
		sc = append(sc, &scenario{name: name, c: c, path: path, note: note})
	}
	deep := func(name string, c *client, path string, n int) {
		p, page, err := pagePath(c, path, n)
		if err != nil {
			sc = append(sc, &scenario{name: name, skip: err.Error()})
			return
		}
		add(name, c, p, fmt.Sprintf("page %d", page))
	}
	t0 := time.Now()
	add("mine, first page (agent)", agent, l+"&view=mine", "")
	deep("mine, last page (agent)", agent, l+"&view=mine", 0)
	add("new, page 1 (agent: own team)", agent, l+"&view=new", "")
	add("new, page 1 (admin: all teams)", admin, l+"&view=new", "")
	deep("new, page 150 (admin)", admin, l+"&view=new", 150)
	add("a team's new list (admin, team_id)", admin, l+"&view=new&team_id="+team3, "")
	add("all, page 1 (admin)", admin, l+"&view=all", "")
	deep("all, page 1000 (admin)", admin, l+"&view=all", 1000)
	add("all, page 1 (agent)", agent, l+"&view=all", "")
	add("closed, page 1 (admin)", admin, l+"&view=closed", "")
	add("closed, page 1 (agent)", agent, l+"&view=closed", "")
	fmt.Fprintf(out, "cursors for the deep pages walked in %s\n", time.Since(t0).Round(time.Millisecond))

	var mine listPage
	if _, err := agent.get(l+"&view=mine", &mine); err != nil || len(mine.Items) == 0 {
		return fmt.Errorf("agent's mine list: %v", err)
	}
	convID := mine.Items[0].ID
	timeline := "/api/v1/conversations/" + convID + "/timeline?limit=30"
	if st, err := agent.get(timeline, nil); err != nil {
		sc = append(sc, &scenario{name: "timeline, newest 30 (agent)", skip: fmt.Sprintf("endpoint answered %d: %v", st, err)})
	} else {
		add("timeline, newest 30 (agent)", agent, timeline, "conversation "+convID)
	}
	detail := "/api/v1/conversations/" + convID
	if st, err := agent.get(detail, nil); err != nil {
		sc = append(sc, &scenario{name: "conversation detail (agent)", skip: fmt.Sprintf("endpoint answered %d: %v", st, err)})
	} else {
		add("conversation detail (agent)", agent, detail, "conversation "+convID)
	}
	rare := o.rare
	if rare == "" {
		rare = findToken(agent, mine)
	}
	if rare != "" {
		add("search, rare token (admin)", admin, l+"&q="+url.QueryEscape(rare), rare)
		add("search, rare token (agent)", agent, l+"&q="+url.QueryEscape(rare), rare)
	}
	add("search, common word (admin)", admin, l+"&q="+url.QueryEscape(o.common), o.common)
	add("search, common word (agent)", agent, l+"&q="+url.QueryEscape(o.common), o.common)
	add("search, common prefix (admin)", admin, l+"&q="+url.QueryEscape(o.common[:4]), o.common[:4]+"…")
	add("search, customer name (agent)", agent, l+"&q=silva", "silva")

	for _, s := range sc {
		if s.skip != "" || (o.only != "" && !strings.Contains(s.name, o.only)) {
			continue
		}
		if err := measure(s, o); err != nil {
			return fmt.Errorf("%s: %w", s.name, err)
		}
		fmt.Fprintf(os.Stderr, "%-38s p95 %s  %.0f req/s\n", s.name, ms(s.result.p95), s.result.rps)
	}

	fmt.Fprintf(out, "\n| scenario | rows | p50 | p95 | p99 | req/s (%d workers) | p95 under load | note |\n|---|---:|---:|---:|---:|---:|---:|---|\n", o.workers)
	for _, s := range sc {
		if s.skip != "" {
			fmt.Fprintf(out, "| %s | – | – | – | – | – | – | skipped: %s |\n", s.name, s.skip)
			continue
		}
		if o.only != "" && !strings.Contains(s.name, o.only) {
			continue
		}
		r := s.result
		errs := ""
		if r.errors > 0 {
			errs = fmt.Sprintf(" (%d errors)", r.errors)
		}
		rows := fmt.Sprint(r.items)
		if strings.Contains(s.name, "detail") {
			rows = "1"
		}
		fmt.Fprintf(out, "| %s | %s | %s | %s | %s | %.0f%s | %s | %s |\n", s.name, rows, ms(r.p50), ms(r.p95), ms(r.p99), r.rps, errs, ms(r.loadP95), s.note)
	}
	if o.pid > 0 {
		fmt.Fprintf(out, "\nserver RSS: idle %s, peak %s (VmRSS after login, VmHWM at the end)\n", rssIdle, rss(o.pid, "VmHWM"))
	}
	return nil
}

// measure runs a scenario: warm-up, sequential requests, then workers.
func measure(s *scenario, o options) error {
	var first listPage
	if _, err := s.c.get(s.path, &first); err != nil {
		var tl struct {
			Items []json.RawMessage `json:"items"`
		}
		if _, err2 := s.c.get(s.path, &tl); err2 != nil {
			return err
		}
		s.result.items = len(tl.Items)
	} else {
		s.result.items = len(first.Items)
	}
	for range 5 {
		if _, err := s.c.get(s.path, nil); err != nil {
			return err
		}
	}
	lat := make([]time.Duration, 0, o.requests)
	for range o.requests {
		t := time.Now()
		if _, err := s.c.get(s.path, nil); err != nil {
			return err
		}
		lat = append(lat, time.Since(t))
	}
	s.result.p50, s.result.p95, s.result.p99 = pct(lat, 50), pct(lat, 95), pct(lat, 99)
	if o.duration <= 0 {
		return nil
	}
	var (
		mu    sync.Mutex
		all   []time.Duration
		errs  atomic.Int64
		wg    sync.WaitGroup
		start = time.Now()
	)
	deadline := start.Add(o.duration)
	for range o.workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			for time.Now().Before(deadline) {
				t := time.Now()
				if _, err := s.c.get(s.path, nil); err != nil {
					errs.Add(1)
					continue
				}
				mine = append(mine, time.Since(t))
			}
			mu.Lock()
			all = append(all, mine...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	s.result.rps = float64(len(all)) / time.Since(start).Seconds()
	s.result.loadP95 = pct(all, 95)
	s.result.errors = errs.Load()
	return nil
}

var protoRE = regexp.MustCompile(`protocolo de atendimento é ([A-Z0-9]{8})`)

// findToken looks for a protocol code (a rare word) in the agent's timelines.
func findToken(c *client, mine listPage) string {
	for _, it := range mine.Items {
		var tl struct {
			Items []struct {
				Message *struct {
					Text string `json:"text"`
				} `json:"message"`
			} `json:"items"`
		}
		if _, err := c.get("/api/v1/conversations/"+it.ID+"/timeline?limit=30", &tl); err != nil {
			return ""
		}
		for _, m := range tl.Items {
			if m.Message != nil {
				if sm := protoRE.FindStringSubmatch(m.Message.Text); sm != nil {
					return sm[1]
				}
			}
		}
	}
	return ""
}

func pct(d []time.Duration, p int) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	i := (len(s)*p + 99) / 100
	return s[min(max(i-1, 0), len(s)-1)]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }

// rss reads one memory line of /proc/<pid>/status ("VmRSS", "VmHWM").
func rss(pid int, field string) string {
	if pid <= 0 {
		return "?"
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return "?"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			return strings.TrimSpace(v)
		}
	}
	return "?"
}
