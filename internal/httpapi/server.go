// Package httpapi is papo's HTTP layer: the routes of api.md, thin handlers
// that decode, call one domain function and encode, the mapping of domain
// errors to api.md's codes, and the middleware (request ids, logs, metrics,
// authentication, CSRF, body limits).
package httpapi

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"sync"

	"github.com/prometheus/client_golang/prometheus"

	"papo/internal/auth"
	"papo/internal/automation"
	"papo/internal/canned"
	"papo/internal/channel"
	"papo/internal/clock"
	"papo/internal/contact"
	"papo/internal/conversation"
	"papo/internal/events"
	"papo/internal/inbound"
	"papo/internal/message"
	"papo/internal/outbound"
	"papo/internal/settings"
	"papo/internal/store"
	"papo/internal/team"
	"papo/internal/ticket"
)

// Options wire a Server. Web and Sandbox are optional handlers mounted at
// "/" and "/sandbox/".
type Options struct {
	Log      *slog.Logger
	DB       *store.DB
	Now      clock.Clock
	Auth     *auth.Service
	Teams    *team.Service
	Contacts *contact.Service
	Channels *channel.Service
	Settings *settings.Service
	Conv     *conversation.Service
	Messages *message.Service
	Canned   *canned.Service
	Tickets  *ticket.Service
	// Inbound receives the WhatsApp webhook (webhook.go).
	Inbound *inbound.Service
	// Outbound sends messages, keeps templates and uploaded media (messages.go, media.go, templates.go).
	Outbound *outbound.Service
	// BaseURL is papo's public URL; https makes cookies Secure.
	BaseURL string
	// CursorKey signs paging cursors, so a cursor papo did not issue is refused.
	CursorKey []byte
	Web       http.Handler
	Sandbox   http.Handler
	// Registry receives papo's metrics; nil makes a private one.
	Registry *prometheus.Registry
	// Events is what GET /api/v1/events streams (events.go); nil: the
	// stream is unavailable.
	Events *events.Hub
	// Surveys reports the satisfaction surveys (surveys.go).
	Surveys *automation.Surveys
}

// Server serves papo's HTTP API. Build it with New; it is an http.Handler.
type Server struct {
	log      *slog.Logger
	db       *store.DB
	now      clock.Clock
	auth     *auth.Service
	teams    *team.Service
	contacts *contact.Service
	channels *channel.Service
	settings *settings.Service
	conv     *conversation.Service
	messages *message.Service
	canned   *canned.Service
	tickets  *ticket.Service
	inbound  *inbound.Service  // webhook.go
	outbound *outbound.Service // messages.go, media.go, templates.go
	events   *events.Hub       // events.go
	ending   chan struct{}     // closed by EndStreams (events.go)
	endOnce  sync.Once
	surveys  *automation.Surveys
	secure   bool
	cursor   []byte
	registry *prometheus.Registry
	metrics  *metrics
	handler  http.Handler
	patterns []string
}

// New builds the server and its routes.
func New(o Options) *Server {
	s := &Server{
		log: o.Log, db: o.DB, now: o.Now, auth: o.Auth, teams: o.Teams, contacts: o.Contacts,
		channels: o.Channels, settings: o.Settings, conv: o.Conv, messages: o.Messages, secure: strings.HasPrefix(o.BaseURL, "https://"),
		registry: o.Registry,
	}
	s.canned = o.Canned
	s.tickets = o.Tickets
	s.inbound = o.Inbound
	s.outbound = o.Outbound
	s.events = o.Events
	s.ending = make(chan struct{})
	s.surveys = o.Surveys
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.now == nil {
		s.now = clock.Real
	}
	if s.registry == nil {
		s.registry = prometheus.NewRegistry()
	}
	mac := hmac.New(sha256.New, o.CursorKey)
	mac.Write([]byte("papo cursor v1"))
	s.cursor = mac.Sum(nil)
	s.metrics = newMetrics(s.registry)
	s.handler = s.routes(o.Web, o.Sandbox)
	return s
}

// ServeHTTP serves a request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// handlerFunc is a handler that returns its error for writeError.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

func (s *Server) wrap(h handlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			s.writeError(w, r, err)
		}
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true)
	_ = enc.Encode(v)
}

// reply writes v with status unless err is set.
func reply(w http.ResponseWriter, status int, v any, err error) error {
	if err != nil {
		return err
	}
	writeJSON(w, status, v)
	return nil
}

// list is the envelope of every list answer.
type list[T any] struct {
	Items      []T     `json:"items"`
	NextCursor *string `json:"next_cursor"`
}

type ctxKey int

const (
	principalKey ctxKey = iota
	requestIDKey
)

// principal returns the authenticated caller (set by requireAuth).
func principal(r *http.Request) *auth.Principal {
	p, _ := r.Context().Value(principalKey).(*auth.Principal)
	return p
}

func withPrincipal(ctx context.Context, p *auth.Principal) context.Context {
	return context.WithValue(ctx, principalKey, p)
}

func requestID(r *http.Request) string {
	id, _ := r.Context().Value(requestIDKey).(string)
	return id
}

// pathID reads a path id; an id papo could not have issued is a 404.
func pathID(r *http.Request, name string) (store.ID, error) {
	id, err := store.ParseID(r.PathValue(name))
	if err != nil {
		return 0, errNotFound
	}
	return id, nil
}
