// Command ingest is the load generator for papo's WhatsApp webhook (F25):
// it posts signed Cloud API notifications to POST /webhooks/whatsapp over
// HTTP and measures what papo acknowledges.
//
//	# a papo to measure (SQLite here), with an admin to create the channel
//	PAPO_DATABASE_URL=sqlite:///tmp/b/papo.db PAPO_ADMIN_EMAIL=a@b.c PAPO_ADMIN_PASSWORD=benchbench \
//	  PAPO_LOG_LEVEL=warn bin/papo serve &
//	go run ./bench/ingest -setup -admin-email a@b.c -admin-password benchbench -secret s3cr3t \
//	  -pid $! -mode max -workers 64 -duration 20s
//
// Modes: "max" keeps -workers requests in flight for -duration (closed
// loop: deliveries/s at saturation, with latencies); "rate" sends -rate
// deliveries per second on a fixed schedule (open loop, latency measured
// from each request's scheduled time, so a stall is not hidden). -messages
// puts that many messages in each body (50 for messages/s). Every message
// has a new WhatsApp id; -senders customers take turns. With -pid, the
// server's peak resident memory (VmHWM) is read from /proc at the end.
package main

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

type config struct {
	url, secret, phoneID, mode string
	workers, messages, senders int
	rate                       float64
	duration, warmup           time.Duration
	pid                        int
	setup                      bool
	adminEmail, adminPassword  string
}

func main() {
	var c config
	flag.StringVar(&c.url, "url", "http://127.0.0.1:8080", "papo's base URL")
	flag.StringVar(&c.secret, "secret", "bench-app-secret", "the channel's app secret (signs every body)")
	flag.StringVar(&c.phoneID, "phone-number-id", "106540352242922", "the channel's phone_number_id")
	flag.StringVar(&c.mode, "mode", "max", "max (closed loop, -workers in flight) or rate (open loop at -rate/s)")
	flag.IntVar(&c.workers, "workers", 64, "requests in flight (max mode)")
	flag.Float64Var(&c.rate, "rate", 500, "deliveries per second (rate mode)")
	flag.IntVar(&c.messages, "messages", 1, "messages per delivery body")
	flag.IntVar(&c.senders, "senders", 2000, "distinct customers (wa_ids)")
	flag.DurationVar(&c.duration, "duration", 20*time.Second, "measured time")
	flag.DurationVar(&c.warmup, "warmup", 2*time.Second, "unmeasured time first")
	flag.IntVar(&c.pid, "pid", 0, "papo's process id, to report its peak RSS (VmHWM)")
	flag.BoolVar(&c.setup, "setup", false, "create a team and the channel through the API when missing")
	flag.StringVar(&c.adminEmail, "admin-email", "", "admin login for -setup")
	flag.StringVar(&c.adminPassword, "admin-password", "", "admin password for -setup")
	flag.Parse()
	if err := run(c); err != nil {
		fmt.Fprintln(os.Stderr, "ingest:", err)
		os.Exit(1)
	}
}

func run(c config) error {
	c.url = strings.TrimRight(c.url, "/")
	if c.setup {
		if err := setup(c); err != nil {
			return fmt.Errorf("setup: %w", err)
		}
	}
	tr := &http.Transport{
		MaxIdleConns: 4096, MaxIdleConnsPerHost: 4096, IdleConnTimeout: time.Minute,
		DialContext: (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
	}
	client := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	g := newGenerator(c)
	startCPU, selfCPU := procCPU(c.pid), selfCPUTime()
	startRun, startWait := schedStat(c.pid)
	var res *results
	switch c.mode {
	case "max":
		res = runMax(c, client, g)
	case "rate":
		res = runRate(c, client, g)
	default:
		return fmt.Errorf("unknown -mode %q", c.mode)
	}
	res.report(c)
	if c.pid > 0 {
		// Includes the warm-up: CPU over the whole run.
		total := c.warmup + c.duration
		fmt.Printf("CPU over the run (%s): server %.2f cores, load generator %.2f cores\n", total,
			(procCPU(c.pid)-startCPU).Seconds()/total.Seconds(), (selfCPUTime()-selfCPU).Seconds()/total.Seconds())
		run, wait := schedStat(c.pid)
		fmt.Printf("server threads: %.1fs running, %.1fs runnable but waiting for a CPU (other processes)\n",
			(run - startRun).Seconds(), (wait - startWait).Seconds())
		if b, err := os.ReadFile("/proc/loadavg"); err == nil {
			fmt.Printf("load average at the end: %s", b)
		}
	}
	return nil
}

// procCPU is the user+system CPU time of a process (0 when unknown).
func procCPU(pid int) time.Duration {
	if pid <= 0 {
		return 0
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	s := string(b)
	if i := strings.LastIndexByte(s, ')'); i >= 0 {
		s = s[i+2:]
	}
	f := strings.Fields(s)
	if len(f) < 13 {
		return 0
	}
	var ut, st int64
	fmt.Sscan(f[11], &ut)
	fmt.Sscan(f[12], &st)
	return time.Duration(ut+st) * time.Second / 100 // USER_HZ
}

func selfCPUTime() time.Duration { return procCPU(os.Getpid()) }

// schedStat sums a process's threads' time on a CPU and time runnable but
// waiting for one (/proc/<pid>/task/*/schedstat), to show contention from
// other processes on a shared machine.
func schedStat(pid int) (run, wait time.Duration) {
	if pid <= 0 {
		return 0, 0
	}
	tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/schedstat", pid))
	for _, t := range tasks {
		b, err := os.ReadFile(t)
		if err != nil {
			continue
		}
		var r, w int64
		if _, err := fmt.Sscan(string(b), &r, &w); err == nil {
			run += time.Duration(r)
			wait += time.Duration(w)
		}
	}
	return run, wait
}

// generator builds signed bodies with fresh WhatsApp ids.
type generator struct {
	c      config
	run    string
	next   atomic.Int64
	secret []byte
}

func newGenerator(c config) *generator {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return &generator{c: c, run: hex.EncodeToString(b[:]), secret: []byte(c.secret)}
}

// body returns one notification with c.messages text messages.
func (g *generator) body() ([]byte, string) {
	var contacts, msgs bytes.Buffer
	ts := time.Now().Unix()
	for i := range g.c.messages {
		n := g.next.Add(1)
		from := fmt.Sprintf("55119%08d", n%int64(g.c.senders))
		if i > 0 {
			contacts.WriteByte(',')
			msgs.WriteByte(',')
		}
		fmt.Fprintf(&contacts, `{"profile":{"name":"Cliente %d"},"wa_id":"%s"}`, n%int64(g.c.senders), from)
		fmt.Fprintf(&msgs, `{"from":"%s","id":"wamid.BENCH%s%012d","timestamp":"%d","type":"text","text":{"body":"Ol\u00e1, preciso de ajuda com o pedido %d"}}`,
			from, g.run, n, ts, n)
	}
	b := fmt.Appendf(nil, `{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"5511940028922","phone_number_id":"%s"},"contacts":[%s],"messages":[%s]},"field":"messages"}]}]}`,
		g.c.phoneID, contacts.Bytes(), msgs.Bytes())
	m := hmac.New(sha256.New, g.secret)
	m.Write(b)
	return b, "sha256=" + hex.EncodeToString(m.Sum(nil))
}

func post(client *http.Client, url string, body []byte, sig string) error {
	req, err := http.NewRequest("POST", url+"/webhooks/whatsapp", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Hub-Signature-256", sig)
	res, err := client.Do(req)
	if err != nil {
		return err
	}
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if res.StatusCode != 200 {
		return fmt.Errorf("HTTP %d", res.StatusCode)
	}
	return nil
}

type results struct {
	mu        sync.Mutex
	lat       []time.Duration
	errors    map[string]int
	ok        int
	elapsed   time.Duration
	scheduled int
}

func (r *results) add(d time.Duration, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err != nil {
		if r.errors == nil {
			r.errors = map[string]int{}
		}
		msg := err.Error()
		if len(msg) > 80 {
			msg = msg[:80]
		}
		r.errors[msg]++
		return
	}
	r.ok++
	r.lat = append(r.lat, d)
}

// runMax keeps c.workers requests in flight.
func runMax(c config, client *http.Client, g *generator) *results {
	res := &results{}
	var measuring atomic.Bool
	ctx, cancel := context.WithTimeout(context.Background(), c.warmup+c.duration)
	defer cancel()
	var wg sync.WaitGroup
	for range c.workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				body, sig := g.body()
				start := time.Now()
				err := post(client, c.url, body, sig)
				if measuring.Load() && ctx.Err() == nil {
					res.add(time.Since(start), err)
				}
			}
		}()
	}
	time.Sleep(c.warmup)
	measuring.Store(true)
	start := time.Now()
	<-ctx.Done()
	res.elapsed = time.Since(start)
	wg.Wait()
	return res
}

// runRate sends c.rate deliveries per second on a fixed schedule.
func runRate(c config, client *http.Client, g *generator) *results {
	res := &results{}
	interval := time.Duration(float64(time.Second) / c.rate)
	total := int((c.warmup + c.duration).Seconds() * c.rate)
	warm := int(c.warmup.Seconds() * c.rate)
	sem := make(chan struct{}, 4096)
	var wg sync.WaitGroup
	begin := time.Now()
	for i := range total {
		at := begin.Add(time.Duration(i) * interval)
		if d := time.Until(at); d > 0 {
			time.Sleep(d)
		}
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			body, sig := g.body()
			err := post(client, c.url, body, sig)
			if i >= warm {
				res.add(time.Since(at), err)
			}
		}()
	}
	wg.Wait()
	res.elapsed = time.Since(begin.Add(c.warmup))
	res.scheduled = total - warm
	return res
}

func (r *results) report(c config) {
	slices.Sort(r.lat)
	pct := func(p float64) time.Duration {
		if len(r.lat) == 0 {
			return 0
		}
		i := int(p * float64(len(r.lat)-1))
		return r.lat[i]
	}
	secs := r.elapsed.Seconds()
	if c.mode == "rate" {
		secs = c.duration.Seconds()
	}
	fmt.Printf("mode=%s workers=%d rate=%g messages/body=%d senders=%d duration=%s\n", c.mode, c.workers, c.rate, c.messages, c.senders, c.duration)
	fmt.Printf("acknowledged: %d deliveries (%d messages)", r.ok, r.ok*c.messages)
	nerr := 0
	for _, n := range r.errors {
		nerr += n
	}
	fmt.Printf(", errors: %d\n", nerr)
	for e, n := range r.errors {
		fmt.Printf("  %6d  %s\n", n, e)
	}
	fmt.Printf("throughput: %.0f deliveries/s, %.0f messages/s\n", float64(r.ok)/secs, float64(r.ok*c.messages)/secs)
	fmt.Printf("ack latency: p50 %s  p90 %s  p99 %s  max %s\n", ms(pct(.50)), ms(pct(.90)), ms(pct(.99)), ms(pct(1)))
	if c.pid > 0 {
		fmt.Printf("server peak RSS (VmHWM): %s\n", vmHWM(c.pid))
	}
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2fms", float64(d.Microseconds())/1000) }

func vmHWM(pid int) string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return "unknown (" + err.Error() + ")"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}

// setup logs in as admin and creates a team and the channel unless a
// channel with the phone number id exists.
func setup(c config) error {
	call := func(method, path, token string, in, out any) (int, error) {
		var body io.Reader
		if in != nil {
			b, _ := json.Marshal(in)
			body = bytes.NewReader(b)
		}
		req, _ := http.NewRequest(method, c.url+path, body)
		req.Header.Set("Content-Type", "application/json")
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0, err
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		if out != nil && res.StatusCode < 300 {
			if err := json.Unmarshal(b, out); err != nil {
				return res.StatusCode, err
			}
		}
		if res.StatusCode >= 300 {
			return res.StatusCode, fmt.Errorf("%s %s: %d %s", method, path, res.StatusCode, b)
		}
		return res.StatusCode, nil
	}
	var login struct {
		Token string `json:"token"`
	}
	if _, err := call("POST", "/api/v1/auth/login", "", map[string]string{"email": c.adminEmail, "password": c.adminPassword}, &login); err != nil {
		return err
	}
	var chans struct {
		Items []struct {
			PhoneNumberID string `json:"phone_number_id"`
		} `json:"items"`
	}
	if _, err := call("GET", "/api/v1/channels", login.Token, nil, &chans); err != nil {
		return err
	}
	for _, ch := range chans.Items {
		if ch.PhoneNumberID == c.phoneID {
			return nil
		}
	}
	var team struct {
		ID string `json:"id"`
	}
	if _, err := call("POST", "/api/v1/teams", login.Token, map[string]string{"name": "Bench " + time.Now().Format("150405")}, &team); err != nil {
		return err
	}
	_, err := call("POST", "/api/v1/channels", login.Token, map[string]any{"name": "Bench", "phone_number_id": c.phoneID,
		"default_team_id": team.ID, "app_secret": c.secret, "access_token": "bench-token", "graph_api_url": "http://127.0.0.1:9"}, nil)
	return err
}
