package sandbox

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Defaults used when [Options] leaves a field empty.
const (
	DefaultPhoneNumberID      = "106540352242922"
	DefaultDisplayPhoneNumber = "5511940028922"
	DefaultVerifiedName       = "papo sandbox"
	DefaultWABAID             = "102290129340398"
	DefaultAccessToken        = "sandbox-access-token"
	DefaultMessagesPerSecond  = 80
	DefaultStatusDelay        = 300 * time.Millisecond
)

// DefaultRetryDelays are the waits between webhook redeliveries: growing, over about seven days,
// like Meta's.
var DefaultRetryDelays = []time.Duration{
	10 * time.Second, time.Minute, 5 * time.Minute, 30 * time.Minute, 2 * time.Hour, 6 * time.Hour,
	12 * time.Hour, 24 * time.Hour, 24 * time.Hour, 24 * time.Hour, 24 * time.Hour, 24 * time.Hour,
	24 * time.Hour, 24 * time.Hour,
}

// Number is one business phone number of the WhatsApp Business Account.
type Number struct {
	ID                 string `json:"id"`                   // phone_number_id
	DisplayPhoneNumber string `json:"display_phone_number"` // digits, as in webhook metadata
	VerifiedName       string `json:"verified_name"`
}

// Options configures [New]. Only AppSecret is required.
type Options struct {
	// PhoneNumberID and DisplayPhoneNumber describe the first business number (defaults
	// DefaultPhoneNumberID, DefaultDisplayPhoneNumber). Numbers adds more, each with its own id.
	PhoneNumberID      string
	DisplayPhoneNumber string
	Numbers            []Number
	WABAID             string // entry[].id of webhooks and the templates' owner (DefaultWABAID)

	AccessToken string // the Bearer token Graph calls must carry (DefaultAccessToken)
	AppSecret   string // signs webhooks (X-Hub-Signature-256); required
	WebhookURL  string // papo's /webhooks/whatsapp; empty records deliveries as failed
	// PublicURL is the absolute URL the sandbox is reachable at, mount point included
	// ("http://127.0.0.1:8080/sandbox"), used in media URLs and paging links. Empty derives it
	// from each request's Host, scheme and mount prefix.
	PublicURL string

	MessagesPerSecond float64    // per phone_number_id; burst is one second's worth (default 80)
	Templates         []Template // nil gives [DefaultTemplates]; an empty slice gives none

	// AutoDeliver reports sent then delivered for every accepted business message, StatusDelay
	// apart. Without it statuses come only from POST api/statuses and from reading the chat.
	AutoDeliver bool
	StatusDelay time.Duration // default DefaultStatusDelay
	// SyncWindowErrors answers a free-form send outside the 24-hour window with a synchronous
	// 131047 error instead of accepting it and reporting a failed status.
	SyncWindowErrors bool
	RetryDelays      []time.Duration // waits between webhook redeliveries (DefaultRetryDelays)

	Now  func() time.Time // message timestamps and the 24-hour window (time.Now)
	HTTP *http.Client     // posts webhooks (a client with a 15 s timeout)
	Log  *slog.Logger     // discarded when nil
}

// Sandbox is the Cloud API imitation and customer simulator. Create it with [New], serve
// [Sandbox.Handler] and call [Sandbox.Close] when done. Its methods are safe for concurrent use.
type Sandbox struct {
	numbers     []Number
	wabaID      string
	appSecret   []byte
	linkKey     []byte
	webhookURL  string
	publicURL   string
	rate        float64
	autoDeliver bool
	syncWindow  bool
	statusDelay time.Duration
	retryDelays []time.Duration
	now         func() time.Time
	client      *http.Client
	log         *slog.Logger
	mux         *http.ServeMux

	mu             sync.Mutex
	token          string
	tokenExpired   bool
	phones         map[string]*phone
	phoneOrder     []string
	messages       map[string]*chatMessage
	media          map[string]*mediaObject
	templates      []*Template
	failures       []*failureRule
	nextFailureID  int
	buckets        map[string]*bucket
	stats          stats
	sent           []sentRecord
	dupKeys        map[string]bool
	deliveries     []*delivery
	nextDeliveryID int
	convs          map[string]*conversation

	// background work: webhook queue, status timers, retries
	bgMu    sync.Mutex
	closed  bool
	wg      sync.WaitGroup
	done    chan struct{}
	queueMu sync.Mutex
	queue   []*delivery
	wake    chan struct{}
}

// New checks opts and starts the sandbox's background delivery worker.
func New(opts Options) (*Sandbox, error) {
	if opts.AppSecret == "" {
		return nil, errors.New("sandbox: AppSecret is required to sign webhooks")
	}
	s := &Sandbox{
		wabaID:      cmp.Or(opts.WABAID, DefaultWABAID),
		appSecret:   []byte(opts.AppSecret),
		webhookURL:  opts.WebhookURL,
		publicURL:   strings.TrimSuffix(opts.PublicURL, "/"),
		rate:        opts.MessagesPerSecond,
		autoDeliver: opts.AutoDeliver,
		syncWindow:  opts.SyncWindowErrors,
		statusDelay: cmp.Or(opts.StatusDelay, DefaultStatusDelay),
		retryDelays: opts.RetryDelays,
		now:         opts.Now,
		client:      opts.HTTP,
		log:         opts.Log,
		token:       cmp.Or(opts.AccessToken, DefaultAccessToken),
		phones:      map[string]*phone{},
		messages:    map[string]*chatMessage{},
		media:       map[string]*mediaObject{},
		buckets:     map[string]*bucket{},
		dupKeys:     map[string]bool{},
		convs:       map[string]*conversation{},
		done:        make(chan struct{}),
		wake:        make(chan struct{}, 1),
	}
	s.linkKey = make([]byte, 32)
	_, _ = rand.Read(s.linkKey)
	if s.rate == 0 {
		s.rate = DefaultMessagesPerSecond
	}
	if s.rate < 0 {
		return nil, errors.New("sandbox: MessagesPerSecond must not be negative")
	}
	if s.retryDelays == nil {
		s.retryDelays = DefaultRetryDelays
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.client == nil {
		s.client = &http.Client{Timeout: 15 * time.Second}
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if !digitsOnly(s.wabaID) {
		return nil, errors.New("sandbox: WABAID must be digits")
	}
	if err := s.setNumbers(opts); err != nil {
		return nil, err
	}
	if s.webhookURL != "" {
		u, err := url.Parse(s.webhookURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("sandbox: WebhookURL %q is not an absolute http(s) URL", s.webhookURL)
		}
	}
	if s.publicURL != "" {
		u, err := url.Parse(s.publicURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("sandbox: PublicURL %q is not an absolute http(s) URL", s.publicURL)
		}
	}
	tpls := opts.Templates
	if tpls == nil {
		tpls = DefaultTemplates()
	}
	for _, t := range tpls {
		if _, err := s.putTemplateLocked(t); err != nil {
			return nil, fmt.Errorf("sandbox: template %q: %w", t.Name, err)
		}
	}
	s.mux = s.routes()
	s.wg.Add(1)
	go s.worker()
	return s, nil
}

func (s *Sandbox) setNumbers(opts Options) error {
	var nums []Number
	if opts.PhoneNumberID != "" || opts.DisplayPhoneNumber != "" || len(opts.Numbers) == 0 {
		nums = append(nums, Number{
			ID:                 cmp.Or(opts.PhoneNumberID, DefaultPhoneNumberID),
			DisplayPhoneNumber: cmp.Or(opts.DisplayPhoneNumber, DefaultDisplayPhoneNumber),
		})
	}
	nums = append(nums, opts.Numbers...)
	seen := map[string]bool{}
	for i := range nums {
		n := &nums[i]
		if !digitsOnly(n.ID) {
			return fmt.Errorf("sandbox: phone number id %q must be digits", n.ID)
		}
		if seen[n.ID] {
			return fmt.Errorf("sandbox: phone number id %q configured twice", n.ID)
		}
		seen[n.ID] = true
		n.DisplayPhoneNumber = cmp.Or(n.DisplayPhoneNumber, n.ID)
		n.VerifiedName = cmp.Or(n.VerifiedName, DefaultVerifiedName)
	}
	s.numbers = nums
	return nil
}

// Numbers returns the business numbers the sandbox imitates, the default one first.
func (s *Sandbox) Numbers() []Number {
	return append([]Number(nil), s.numbers...)
}

// number returns the configured number with id, or nil.
func (s *Sandbox) number(id string) *Number {
	for i := range s.numbers {
		if s.numbers[i].ID == id {
			return &s.numbers[i]
		}
	}
	return nil
}

// Close stops the background work (queued webhooks, status timers, redeliveries) and waits for it.
// Webhooks not yet delivered are dropped. Close is idempotent.
func (s *Sandbox) Close() error {
	s.bgMu.Lock()
	if s.closed {
		s.bgMu.Unlock()
		return nil
	}
	s.closed = true
	close(s.done)
	s.bgMu.Unlock()
	s.wg.Wait()
	return nil
}

// later runs fn after d in the background unless the sandbox closes first.
func (s *Sandbox) later(d time.Duration, fn func()) {
	s.bgMu.Lock()
	defer s.bgMu.Unlock()
	if s.closed {
		return
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
			fn()
		case <-s.done:
		}
	}()
}

// Handler serves the sandbox relative to its mount point: mount it at the root or under a prefix
// with [http.StripPrefix] (papo uses "/sandbox/"). Paths without a leading slash, as StripPrefix
// with a trailing slash leaves them, are accepted.
func (s *Sandbox) Handler() http.Handler {
	return http.HandlerFunc(s.serveHTTP)
}

type prefixKey struct{}

func (s *Sandbox) serveHTTP(w http.ResponseWriter, r *http.Request) {
	prefix := mountPrefix(r)
	if !strings.HasPrefix(r.URL.Path, "/") {
		r2 := new(http.Request)
		*r2 = *r
		u := *r.URL
		u.Path = "/" + u.Path
		if u.RawPath != "" {
			u.RawPath = "/" + u.RawPath
		}
		r2.URL = &u
		r = r2
	}
	r = r.WithContext(context.WithValue(r.Context(), prefixKey{}, prefix))
	s.mux.ServeHTTP(w, r)
}

// mountPrefix recovers what http.StripPrefix removed: the original request path minus the path
// this handler sees ("/sandbox" for "/sandbox/graph/..." seen as "graph/..."), without a trailing
// slash.
func mountPrefix(r *http.Request) string {
	orig := r.RequestURI
	if i := strings.IndexByte(orig, '?'); i >= 0 {
		orig = orig[:i]
	}
	if u, err := url.Parse(orig); err == nil && u.IsAbs() {
		orig = u.EscapedPath()
	}
	seen := r.URL.EscapedPath()
	if orig == "" || !strings.HasSuffix(orig, seen) {
		return ""
	}
	return strings.TrimSuffix(orig[:len(orig)-len(seen)], "/")
}

// baseURL is the absolute URL of the sandbox's mount point, for links it hands out.
func (s *Sandbox) baseURL(r *http.Request) string {
	if s.publicURL != "" {
		return s.publicURL
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	if p := r.Header.Get("X-Forwarded-Proto"); p == "http" || p == "https" {
		scheme = p
	}
	host := cmp.Or(r.Header.Get("X-Forwarded-Host"), r.Host)
	prefix, _ := r.Context().Value(prefixKey{}).(string)
	return scheme + "://" + host + prefix
}

func (s *Sandbox) routes() *http.ServeMux {
	m := http.NewServeMux()
	// Graph API imitation.
	m.HandleFunc("POST /graph/{version}/{id}/messages", s.handleSend)
	m.HandleFunc("POST /graph/{version}/{id}/media", s.handleMediaUpload)
	m.HandleFunc("GET /graph/{version}/{id}/message_templates", s.handleTemplateList)
	m.HandleFunc("GET /graph/{version}/{id}/phone_numbers", s.handlePhoneNumbers)
	m.HandleFunc("GET /graph/{version}/{id}", s.handleGraphObject)
	m.HandleFunc("DELETE /graph/{version}/{id}", s.handleMediaDelete)
	m.HandleFunc("/graph/", s.handleGraphUnknown)
	m.HandleFunc("GET "+downloadPath, s.handleMediaDownload)
	// Customer simulator and test controls.
	m.HandleFunc("GET /api/numbers", s.handleNumbers)
	m.HandleFunc("GET /api/phones", s.handlePhoneList)
	m.HandleFunc("POST /api/phones", s.handlePhoneCreate)
	m.HandleFunc("GET /api/phones/{wa_id}/messages", s.handlePhoneMessages)
	m.HandleFunc("POST /api/phones/{wa_id}/messages", s.handlePhoneSend)
	m.HandleFunc("POST /api/phones/{wa_id}/read", s.handlePhoneRead)
	m.HandleFunc("POST /api/statuses", s.handleStatusPost)
	m.HandleFunc("GET /api/media/{id}", s.handleMediaView)
	m.HandleFunc("GET /api/stats", s.handleStats)
	m.HandleFunc("DELETE /api/stats", s.handleStatsReset)
	m.HandleFunc("GET /api/sent", s.handleSent)
	m.HandleFunc("GET /api/failures", s.handleFailureList)
	m.HandleFunc("POST /api/failures", s.handleFailureAdd)
	m.HandleFunc("DELETE /api/failures", s.handleFailureClear)
	m.HandleFunc("GET /api/templates", s.handleTemplateDump)
	m.HandleFunc("POST /api/templates", s.handleTemplatePut)
	m.HandleFunc("GET /api/deliveries", s.handleDeliveryList)
	m.HandleFunc("POST /api/deliveries", s.handleDeliveryPost)
	m.HandleFunc("POST /api/token", s.handleToken)
	m.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		writeAPIError(w, http.StatusNotFound, "not_found", "no such sandbox endpoint: "+r.Method+" "+r.URL.Path)
	})
	// Phone page.
	m.HandleFunc("GET /{$}", s.handlePage)
	m.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeAPIError(w, http.StatusNotFound, "not_found", "not found")
	})
	return m
}

// maxJSONBody bounds the sandbox's own JSON requests; phone messages may carry base64 media.
const (
	maxJSONBody  = 1 << 20
	maxPhoneBody = 32 << 20
)

// decodeJSON reads a JSON request body of at most limit bytes into v.
func decodeJSON(w http.ResponseWriter, r *http.Request, limit int64, v any) error {
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	dec := json.NewDecoder(r.Body)
	if err := dec.Decode(v); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return fmt.Errorf("body larger than %d bytes", limit)
		}
		return fmt.Errorf("invalid JSON body: %w", err)
	}
	return nil
}

// writeJSON answers the sandbox's own API (papo's conventions: snake_case, plain encoding).
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := marshalPlain(v)
	if err != nil {
		writeAPIError(w, http.StatusInternalServerError, "internal", err.Error())
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(b)
	_, _ = w.Write([]byte("\n"))
}

// writeAPIError answers with papo's error shape {"error":{"code","message"}}.
func writeAPIError(w http.ResponseWriter, status int, code, message string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	b, _ := json.Marshal(map[string]any{"error": map[string]string{"code": code, "message": message}})
	_, _ = w.Write(b)
	_, _ = w.Write([]byte("\n"))
}

func digitsOnly(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// formatTime is papo's time format: RFC 3339 in UTC.
func formatTime(t time.Time) string {
	return t.UTC().Format(time.RFC3339)
}

// unixString is WhatsApp's timestamp format: unix seconds as a JSON string.
func unixString(t time.Time) string {
	return fmt.Sprint(t.Unix())
}
