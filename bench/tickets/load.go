package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"sync"
	"time"
)

// client is a logged-in API caller.
type client struct {
	base  string
	token string
	http  *http.Client
}

func login(ctx context.Context, base, email string) (*client, error) {
	c := &client{base: base, http: &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 64}}}
	body, _ := json.Marshal(map[string]string{"email": email, "password": password})
	req, err := http.NewRequestWithContext(ctx, "POST", base+"/api/v1/auth/login", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	var out struct {
		Token string `json:"token"`
	}
	if res.StatusCode != http.StatusOK || json.NewDecoder(res.Body).Decode(&out) != nil {
		return nil, fmt.Errorf("login %s: status %d", email, res.StatusCode)
	}
	c.token = out.Token
	return c, nil
}

type listPage struct {
	Items []struct {
		Number    int64  `json:"number"`
		TeamID    string `json:"team_id"`
		Requester *struct {
			ID string `json:"id"`
		} `json:"requester"`
	} `json:"items"`
	NextCursor *string `json:"next_cursor"`
}

// get fetches path and decodes a list page; it returns the time the request took.
func (c *client) get(ctx context.Context, path string, into *listPage) (time.Duration, error) {
	req, err := http.NewRequestWithContext(ctx, "GET", c.base+path, nil)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	start := time.Now()
	res, err := c.http.Do(req)
	if err != nil {
		return 0, err
	}
	b, err := io.ReadAll(res.Body)
	res.Body.Close()
	d := time.Since(start)
	if err != nil {
		return 0, err
	}
	if res.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("GET %s: %d %s", path, res.StatusCode, b)
	}
	if into != nil {
		if err := json.Unmarshal(b, into); err != nil {
			return 0, err
		}
	}
	return d, nil
}

type scenario struct {
	name string
	as   *client
	path func(r *rand.Rand) string
}

// load runs each scenario requests times, concurrency at once, and prints
// a Markdown table of client-side latencies (loopback HTTP included).
func load(ctx context.Context, base string, requests, concurrency int, out io.Writer) error {
	admin, err := login(ctx, base, adminEmail)
	if err != nil {
		return err
	}
	agent, err := login(ctx, base, agentEmail)
	if err != nil {
		return err
	}
	// What the scenarios draw from: teams, requesters and numbers in use,
	// and cursors deep into the list.
	var first listPage
	if _, err := admin.get(ctx, "/api/v1/tickets?limit=200", &first); err != nil {
		return err
	}
	if len(first.Items) == 0 {
		return fmt.Errorf("no tickets: run seed first")
	}
	maxNumber := first.Items[0].Number
	var teams, requesters []string
	for _, it := range first.Items {
		if !slices.Contains(teams, it.TeamID) {
			teams = append(teams, it.TeamID)
		}
		if it.Requester != nil {
			requesters = append(requesters, it.Requester.ID)
		}
	}
	var cursors []string
	page := first
	for range 25 {
		if page.NextCursor == nil {
			break
		}
		cursors = append(cursors, *page.NextCursor)
		next := listPage{}
		if _, err := admin.get(ctx, "/api/v1/tickets?limit=200&cursor="+url.QueryEscape(*page.NextCursor), &next); err != nil {
			return err
		}
		page = next
	}
	anyOf := func(r *rand.Rand, xs []string) string { return xs[r.IntN(len(xs))] }
	fixed := func(p string) func(*rand.Rand) string { return func(*rand.Rand) string { return p } }
	// vocabulary is ordered by frequency (Zipf): index 0 is in most tickets.
	scenarios := []scenario{
		{"admin, first page (50)", admin, fixed("/api/v1/tickets")},
		{"admin, deep page (cursor, up to 5,000 in)", admin, func(r *rand.Rand) string {
			return "/api/v1/tickets?cursor=" + url.QueryEscape(anyOf(r, cursors))
		}},
		{"agent (one team of 8), first page", agent, fixed("/api/v1/tickets")},
		{"agent, status=open", agent, fixed("/api/v1/tickets?status=open")},
		{"admin, status=in_progress", admin, fixed("/api/v1/tickets?status=in_progress")},
		{"admin, origin=web", admin, fixed("/api/v1/tickets?origin=web")},
		{"admin, team_id + status + origin", admin, func(r *rand.Rand) string {
			return "/api/v1/tickets?status=open&origin=phone&team_id=" + anyOf(r, teams)
		}},
		{"admin, requester_id (random customer)", admin, func(r *rand.Rand) string {
			return "/api/v1/tickets?requester_id=" + anyOf(r, requesters)
		}},
		{"search, most common word", admin, fixed("/api/v1/tickets?q=" + url.QueryEscape(vocabulary[1]))},
		{"search, common word prefix", admin, fixed("/api/v1/tickets?q=" + url.QueryEscape(vocabulary[2][:4]))},
		{"search, two words", admin, fixed("/api/v1/tickets?q=" + url.QueryEscape(vocabulary[3]+" "+vocabulary[8]))},
		{"search, rare word (random)", admin, func(r *rand.Rand) string {
			return "/api/v1/tickets?q=" + url.QueryEscape(vocabulary[len(vocabulary)-1-r.IntN(40)])
		}},
		{"search, accent-folded (\"conexao\")", admin, fixed("/api/v1/tickets?q=conexao")},
		{"search, number (random)", admin, func(r *rand.Rand) string {
			return "/api/v1/tickets?q=" + strconv.FormatInt(1+r.Int64N(maxNumber), 10)
		}},
		{"agent, search common word", agent, fixed("/api/v1/tickets?q=" + url.QueryEscape(vocabulary[1]))},
		{"admin, search + status=open", admin, fixed("/api/v1/tickets?status=open&q=" + url.QueryEscape(vocabulary[5]))},
		{"admin, search common word + requester_id", admin, func(r *rand.Rand) string {
			return "/api/v1/tickets?q=" + url.QueryEscape(vocabulary[1]) + "&requester_id=" + anyOf(r, requesters)
		}},
	}

	fmt.Fprintf(out, "%d requests per scenario, %d in flight\n\n", requests, concurrency)
	fmt.Fprintln(out, "| scenario | p50 ms | p95 ms | p99 ms | max ms | items/page |")
	fmt.Fprintln(out, "|---|---:|---:|---:|---:|---:|")
	var all []time.Duration
	for i, sc := range scenarios {
		// warm-up: the first requests of a scenario prepare statements
		for range 3 {
			if _, err := sc.as.get(ctx, sc.path(rand.New(rand.NewPCG(9, 9))), nil); err != nil {
				return err
			}
		}
		ds := make([]time.Duration, requests)
		items := make([]int, requests)
		errs := make(chan error, concurrency)
		var next int
		var mu sync.Mutex
		var wg sync.WaitGroup
		for w := range concurrency {
			r := rand.New(rand.NewPCG(uint64(i), uint64(w)))
			wg.Go(func() {
				for {
					mu.Lock()
					k := next
					next++
					mu.Unlock()
					if k >= requests {
						return
					}
					var p listPage
					d, err := sc.as.get(ctx, sc.path(r), &p)
					if err != nil {
						errs <- err
						return
					}
					ds[k], items[k] = d, len(p.Items)
				}
			})
		}
		wg.Wait()
		close(errs)
		if err := <-errs; err != nil {
			return fmt.Errorf("%s: %w", sc.name, err)
		}
		all = append(all, ds...)
		total := 0
		for _, n := range items {
			total += n
		}
		fmt.Fprintf(out, "| %s | %s | %s | %s | %s | %.0f |\n", sc.name, pct(ds, 50), pct(ds, 95), pct(ds, 99), pct(ds, 100),
			float64(total)/float64(requests))
	}
	fmt.Fprintf(out, "| **all scenarios** | %s | %s | %s | %s | |\n", pct(all, 50), pct(all, 95), pct(all, 99), pct(all, 100))
	return nil
}

// pct is the p-th percentile of ds in milliseconds (nearest rank).
func pct(ds []time.Duration, p int) string {
	s := slices.Clone(ds)
	slices.Sort(s)
	k := (p*len(s)+99)/100 - 1
	k = max(0, min(k, len(s)-1))
	return fmt.Sprintf("%.1f", float64(s[k].Microseconds())/1000)
}
