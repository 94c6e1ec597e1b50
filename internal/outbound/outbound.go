// Package outbound sends papo's WhatsApp messages through the Cloud API
// (F15, F18, F26): it checks and stores what an agent sends (text, media,
// reactions, templates, replies) together with a durable send job in one
// transaction, and its workers send them — paced per business number and
// per recipient, retried with backoff on throttling and transient failures,
// failed with a readable reason on permanent ones — and send read receipts.
// It also keeps the channels' message templates (sync, validation, preview)
// and the files agents upload to send.
//
// Guarantees: a message is stored and queued exactly when POST …/messages
// answers 202; an Idempotency-Key replays the first answer; a message whose
// send was committed as sent is never sent again (the job checks the
// message first and keeps Graph answers whose commit failed). The one case
// that may duplicate is a crash between WhatsApp's answer and papo's commit:
// the retry after restart is logged as a possible duplicate (api.md allows
// it: WhatsApp has no idempotency key).
package outbound

import (
	"context"
	"embed"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"papo/internal/channel"
	"papo/internal/clock"
	"papo/internal/contact"
	"papo/internal/conversation"
	"papo/internal/jobs"
	"papo/internal/message"
	"papo/internal/store"
)

//go:embed *.sql
var queryFS embed.FS

// PendingApplier applies what waited for an outbound message's WhatsApp id
// (statuses and reactions that arrived by webhook before the send was
// committed). The inbound side implements it; it runs in the transaction
// that marks the message sent.
type PendingApplier interface {
	ApplyPending(ctx context.Context, tx *store.Tx, channelID store.ID, waMessageID string) error
}

// Notifier hears about messages this package created or changed, and the
// conversations a new message changed (last message, activity, the
// assignee a first reply makes), after the change is committed (the hook
// for live events, F23). It must not block.
type Notifier interface {
	MessagesChanged(ctx context.Context, created, updated []store.ID)
	ConversationsChanged(ctx context.Context, ids []store.ID)
}

// Options configure a Service.
type Options struct {
	DB       *store.DB
	Log      *slog.Logger
	Now      clock.Clock
	Jobs     *jobs.Queue
	Channels *channel.Service
	Contacts *contact.Service
	Conv     *conversation.Service
	Messages *message.Service
	// Pending is called when a message is marked sent; nil: nothing waits.
	Pending PendingApplier
	// Notifier hears about created and updated messages; nil: nobody.
	Notifier Notifier
	// HTTP makes the Graph API calls (default: a client with a 30 s timeout).
	HTTP *http.Client
	// Lang is the language of failure reasons stored on messages: "pt-BR"
	// (default) or "en".
	Lang string
	// Pacing overrides the send pacing (zero: DefaultPacing).
	Pacing Pacing
	// RetryScale multiplies every retry delay (tests shorten them; 0: 1).
	RetryScale float64
}

// Service sends messages and keeps templates and uploaded media. It is
// safe for concurrent use.
type Service struct {
	db       *store.DB
	log      *slog.Logger
	now      clock.Clock
	jobs     *jobs.Queue
	channels *channel.Service
	contacts *contact.Service
	conv     *conversation.Service
	messages *message.Service
	pending  PendingApplier
	notifier Notifier
	http     *http.Client
	lang     string
	pacing   Pacing
	scale    float64
	q        queries

	limits  *limiters
	clients sync.Map // store.ID → *cachedClient

	memoMu sync.Mutex
	memo   map[store.ID]sendMemo // Graph answers whose commit failed, by message
	waitMu sync.Mutex
	wait   map[int64]time.Duration // retry delays decided by Work, by job id
}

type queries struct {
	TemplateGet        string `query:"outbound-template-get"`
	TemplateByName     string `query:"outbound-templates-by-name"`
	TemplateList       string `query:"outbound-template-list"`
	TemplateUpsert     string `query:"outbound-template-upsert"`
	TemplateDeleteAll  string `query:"outbound-template-delete-all"`
	ChannelExists      string `query:"outbound-channel-exists"`
	MediaInsert        string `query:"outbound-media-insert"`
	BlobInsert         string `query:"outbound-blob-insert"`
	MediaGet           string `query:"outbound-media-get"`
	BlobGet            string `query:"outbound-blob-get"`
	MediaConversations string `query:"outbound-media-conversations"`
	MediaUploaded      string `query:"outbound-media-uploaded"`
	EarlierQueued      string `query:"outbound-earlier-queued"`
	MessageWaID        string `query:"outbound-message-wa-id"`
	MessageByKey       string `query:"outbound-message-by-key"`
}

// New returns a Service and registers its job workers with o.Jobs (call it
// before the queue starts).
func New(o Options) (*Service, error) {
	s := &Service{
		db: o.DB, log: o.Log, now: o.Now, jobs: o.Jobs, channels: o.Channels, contacts: o.Contacts, conv: o.Conv,
		messages: o.Messages, pending: o.Pending, notifier: o.Notifier, http: o.HTTP, lang: o.Lang, pacing: o.Pacing,
		scale: o.RetryScale, memo: map[store.ID]sendMemo{}, wait: map[int64]time.Duration{},
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.now == nil {
		s.now = clock.Real
	}
	if s.http == nil {
		s.http = &http.Client{Timeout: 30 * time.Second}
	}
	if s.lang == "" {
		s.lang = "pt-BR"
	}
	if s.pacing == (Pacing{}) {
		s.pacing = DefaultPacing()
	}
	if s.scale <= 0 {
		s.scale = 1
	}
	s.limits = newLimiters(s.pacing)
	if err := store.LoadQueries(queryFS, o.DB.Dialect, &s.q); err != nil {
		return nil, fmt.Errorf("outbound: %w", err)
	}
	if o.Jobs != nil {
		jobs.Register(o.Jobs, &sendWorker{s: s})
		jobs.Register(o.Jobs, &receiptWorker{s: s})
	}
	return s, nil
}

func (s *Service) notify(ctx context.Context, created, updated []store.ID) {
	if s.notifier != nil && (len(created) > 0 || len(updated) > 0) {
		s.notifier.MessagesChanged(ctx, created, updated)
	}
}
