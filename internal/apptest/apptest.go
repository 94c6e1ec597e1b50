// Package apptest runs a whole papo — the real app wiring, HTTP server and
// database (SQLite or PostgreSQL, per storetest) — inside a test, with a
// movable clock and captured logs, and gives API clients that log in for real.
package apptest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"papo/internal/app"
	"papo/internal/auth"
	"papo/internal/clock"
	"papo/internal/config"
	"papo/internal/store"
	"papo/internal/store/storetest"
	"papo/internal/team"
)

// CheapHash keeps password hashing fast in tests (the algorithm is the same).
var CheapHash = auth.HashParams{Memory: 64, Time: 1, Threads: 1}

// Env is a running papo for one test.
type Env struct {
	T     testing.TB
	App   *app.App
	HTTP  *httptest.Server
	URL   string
	Clock *clock.Fake
	Logs  *SyncBuffer
}

// SyncBuffer is a goroutine-safe bytes.Buffer for captured logs.
type SyncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *SyncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// String returns everything written so far.
func (s *SyncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// Start2026 is the fake clock's starting time in every Env.
var Start2026 = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

// New starts papo on a fresh database. env adds PAPO_* variables.
func New(t testing.TB, env map[string]string) *Env {
	t.Helper()
	e := &Env{T: t, Clock: clock.NewFake(Start2026), Logs: &SyncBuffer{}}
	vars := map[string]string{
		"PAPO_DATABASE_URL": storetest.URL(t),
		"PAPO_SECRET_KEY":   strings.Repeat("5e", 32),
		"PAPO_LOG_LEVEL":    "debug",
	}
	for k, v := range env {
		vars[k] = v
	}
	// The server's URL is only known once it listens; start it first with a
	// handler that forwards to the app built next (and answers 503 until
	// then, as a papo still starting would not answer: the app's own
	// background work — the demo's template sync — may call it early).
	var h atomic.Pointer[http.Handler]
	e.HTTP = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hp := h.Load(); hp != nil {
			(*hp).ServeHTTP(w, r)
			return
		}
		http.Error(w, "starting", http.StatusServiceUnavailable)
	}))
	t.Cleanup(e.HTTP.Close)
	e.URL = e.HTTP.URL
	vars["PAPO_BASE_URL"] = e.URL
	vars["PAPO_ADDR"] = strings.TrimPrefix(e.URL, "http://")
	cfg, err := config.Load(func(k string) string { return vars[k] })
	if err != nil {
		t.Fatalf("apptest: config: %v", err)
	}
	log := slog.New(slog.NewJSONHandler(e.Logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	a, err := app.New(context.Background(), app.Options{Config: cfg, Log: log, Now: e.Clock.Now, Hash: CheapHash})
	if err != nil {
		t.Fatalf("apptest: app: %v", err)
	}
	t.Cleanup(func() { a.Close() })
	e.App = a
	var server http.Handler = a.Server
	h.Store(&server)
	return e
}

// Team creates a team.
func (e *Env) Team(t testing.TB, name string) *team.Team {
	t.Helper()
	tm, err := e.App.Teams.Create(context.Background(), team.Input{Name: &name})
	if err != nil {
		t.Fatalf("apptest: team %s: %v", name, err)
	}
	return tm
}

// Password is every test user's password.
const Password = "correct horse battery"

// User creates an account.
func (e *Env) User(t testing.TB, name string, role auth.Role, teams ...store.ID) *auth.User {
	t.Helper()
	email := strings.ToLower(strings.ReplaceAll(name, " ", ".")) + "@test.papo"
	u, err := e.App.Auth.CreateUser(context.Background(), auth.CreateUserInput{
		Name: name, Email: email, Role: role, Password: Password, TeamIDs: teams,
	})
	if err != nil {
		t.Fatalf("apptest: user %s: %v", name, err)
	}
	return u
}

// Client calls the API as one caller.
type Client struct {
	e     *Env
	t     testing.TB
	http  *http.Client
	Token string // Bearer token; empty for anonymous or cookie clients
	CSRF  string // CSRF token echoed by cookie clients
	User  *auth.User
}

// Anonymous returns a client with no credentials.
func (e *Env) Anonymous(t testing.TB) *Client {
	jar, _ := cookiejar.New(nil)
	return &Client{e: e, t: t, http: &http.Client{Jar: jar}}
}

// Login logs in through POST /api/v1/auth/login and returns a client using
// the Bearer token.
func (e *Env) Login(t testing.TB, u *auth.User) *Client {
	t.Helper()
	c := e.Anonymous(t)
	var out struct {
		Token     string     `json:"token"`
		CSRFToken string     `json:"csrf_token"`
		User      *auth.User `json:"user"`
	}
	res := c.Do("POST", "/api/v1/auth/login", map[string]string{"email": u.Email, "password": Password})
	if res.Status != http.StatusOK {
		t.Fatalf("apptest: login %s: %d %s", u.Email, res.Status, res.Body)
	}
	res.Decode(&out)
	c.Token, c.CSRF, c.User = out.Token, out.CSRFToken, out.User
	return c
}

// CookieLogin logs in and returns a client that authenticates with the
// session cookie (as the web app does) and sends the CSRF header.
func (e *Env) CookieLogin(t testing.TB, u *auth.User) *Client {
	t.Helper()
	c := e.Login(t, u)
	c.Token = ""
	return c
}

// Response is a finished request.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
	t      testing.TB
}

// Decode unmarshals the body.
func (r *Response) Decode(v any) {
	r.t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		r.t.Fatalf("apptest: decode %s: %v", r.Body, err)
	}
}

// ErrorCode returns error.code of an error body ("" if none).
func (r *Response) ErrorCode() string {
	var e struct {
		Error struct {
			Code string `json:"code"`
		} `json:"error"`
	}
	_ = json.Unmarshal(r.Body, &e)
	return e.Error.Code
}

// Fields returns error.details.fields of a 400.
func (r *Response) Fields() map[string]string {
	var e struct {
		Error struct {
			Details struct {
				Fields map[string]string `json:"fields"`
			} `json:"details"`
		} `json:"error"`
	}
	_ = json.Unmarshal(r.Body, &e)
	return e.Error.Details.Fields
}

// Do sends a JSON request (body nil: none; []byte or string: sent as is).
func (c *Client) Do(method, path string, body any, headers ...string) *Response {
	c.t.Helper()
	var rd io.Reader
	ct := ""
	switch b := body.(type) {
	case nil:
	case []byte:
		rd, ct = bytes.NewReader(b), "application/json"
	case string:
		rd, ct = strings.NewReader(b), "application/json"
	default:
		j, err := json.Marshal(b)
		if err != nil {
			c.t.Fatalf("apptest: encode: %v", err)
		}
		rd, ct = bytes.NewReader(j), "application/json"
	}
	req, err := http.NewRequest(method, c.e.URL+path, rd)
	if err != nil {
		c.t.Fatalf("apptest: request: %v", err)
	}
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	} else if c.CSRF != "" {
		req.Header.Set("X-CSRF-Token", c.CSRF)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		if headers[i+1] == "" {
			req.Header.Del(headers[i])
		} else {
			req.Header.Set(headers[i], headers[i+1])
		}
	}
	res, err := c.http.Do(req)
	if err != nil {
		c.t.Fatalf("apptest: %s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return &Response{Status: res.StatusCode, Header: res.Header, Body: b, t: c.e.T}
}

// MustDo is Do that fails the test unless the status is want.
func (c *Client) MustDo(want int, method, path string, body any, out any) *Response {
	c.t.Helper()
	r := c.Do(method, path, body)
	if r.Status != want {
		c.t.Fatalf("%s %s = %d %s; want %d", method, path, r.Status, r.Body, want)
	}
	if out != nil {
		r.Decode(out)
	}
	return r
}

// Path formats a path with ids.
func Path(format string, args ...any) string { return fmt.Sprintf(format, args...) }

// Stream is an open Server-Sent Events response (GET /api/v1/events).
type Stream struct {
	Status int
	ended  chan struct{}
	// Refused is the whole answer when Status is not 200.
	Refused *Response
	cancel  context.CancelFunc
	res     *http.Response
	events  chan SSE
}

// SSE is one event read from a Stream.
type SSE struct {
	ID, Event string
	Data      []byte
}

// Stream opens path as an event stream; headers are name, value pairs.
// Close it when done.
func (c *Client) Stream(path string, headers ...string) *Stream {
	c.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, err := http.NewRequestWithContext(ctx, "GET", c.e.URL+path, nil)
	if err != nil {
		cancel()
		c.t.Fatalf("apptest: request: %v", err)
	}
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := c.http.Do(req)
	if err != nil {
		cancel()
		c.t.Fatalf("apptest: GET %s: %v", path, err)
	}
	s := &Stream{Status: res.StatusCode, cancel: cancel, res: res, events: make(chan SSE, 1024), ended: make(chan struct{})}
	if res.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		s.Refused = &Response{Status: res.StatusCode, Header: res.Header, Body: body, t: c.t}
		close(s.events)
		close(s.ended)
		return s
	}
	go s.read()
	return s
}

func (s *Stream) read() {
	defer close(s.ended)
	defer close(s.events)
	sc := bufio.NewScanner(s.res.Body)
	sc.Buffer(make([]byte, 64*1024), 4*1024*1024)
	var e SSE
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "":
			if e.Event != "" || e.Data != nil {
				s.events <- e
			}
			e = SSE{}
		case strings.HasPrefix(line, "id: "):
			e.ID = line[4:]
		case strings.HasPrefix(line, "event: "):
			e.Event = line[7:]
		case strings.HasPrefix(line, "data: "):
			e.Data = append(e.Data, line[6:]...)
		}
	}
}

// Next returns the next event, or ok false when none came within wait (or
// the stream ended).
func (s *Stream) Next(wait time.Duration) (e SSE, ok bool) {
	select {
	case e, ok = <-s.events:
		return e, ok
	case <-time.After(wait):
		return SSE{}, false
	}
}

// Ended reports whether the server ended the stream (or refused it).
func (s *Stream) Ended() bool {
	select {
	case <-s.ended:
		return true
	default:
		return false
	}
}

// Close ends the stream.
func (s *Stream) Close() {
	s.cancel()
	if s.res != nil {
		s.res.Body.Close()
	}
}
