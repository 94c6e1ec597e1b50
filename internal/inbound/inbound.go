// Package inbound is the receiving side of the WhatsApp Cloud API webhook
// (F18, F25, F29): it checks signatures against the channels' app secrets,
// stores every delivery durably and applies it — contacts, conversations,
// messages, reactions, delivery statuses — in the same transaction, many
// deliveries per transaction (group commit), before the webhook answers 200.
//
// Each message applies once (key: its WhatsApp id), each status once (key:
// id + status), each reaction once (key: its own id), whatever the order of
// arrival: a status or a reaction for a message papo does not know yet waits
// and is applied when that message appears ([Service.ApplyPending]). A
// delivery that cannot be applied is kept with its reason and can be applied
// again ([Service.Reapply]). Inbound media are downloaded in the background
// into papo's own storage, with retries.
package inbound

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"papo/internal/apperr"
	"papo/internal/channel"
	"papo/internal/clock"
	"papo/internal/contact"
	"papo/internal/conversation"
	"papo/internal/message"
	"papo/internal/store"
)

//go:embed *.sql
var queryFS embed.FS

// MaxBody is the largest webhook body papo accepts (WhatsApp's payloads are
// at most about 3 MB).
const MaxBody = 3 << 20

// Changes are the ids a committed batch created or updated, for live
// updates. A conversation or message appears in one list only.
type Changes struct {
	ConversationsCreated []store.ID
	ConversationsUpdated []store.ID
	MessagesCreated      []store.ID
	MessagesUpdated      []store.ID
}

// Empty reports whether c names nothing.
func (c *Changes) Empty() bool {
	return len(c.ConversationsCreated)+len(c.ConversationsUpdated)+len(c.MessagesCreated)+len(c.MessagesUpdated) == 0
}

// Notifier hears about what the webhook changed, after the change is
// committed (the hook for realtime, F23). It must not block for long.
type Notifier interface {
	InboundChanged(ctx context.Context, c Changes)
}

// Arrivals hears, inside a batch's transaction, of the customer messages
// just filed: the automation that answers them (F19 greeting,
// out-of-hours). What it writes commits with them; an error it returns is
// logged and its writes rolled back (a savepoint), never failing the
// messages themselves.
type Arrivals interface {
	// Active says which automation is switched on; it is asked before each
	// batch's transaction (and may be a few seconds stale), so that a batch
	// pays only for what is on.
	Active(ctx context.Context) Activity
	// Route is asked, before the batch's messages are filed, which closed
	// conversation each belongs to — the answer to its satisfaction survey
	// (F20) — or 0 for the usual rule (the open conversation, or a new one).
	Route(ctx context.Context, tx *store.Tx, in []Incoming) ([]store.ID, error)
	// Arrived answers the messages just filed, returning the messages it
	// queued (announced with the batch's changes once committed).
	Arrived(ctx context.Context, tx *store.Tx, in []Arrival) ([]store.ID, error)
}

// Activity is which automation hears about a batch's messages.
type Activity struct {
	Greeting   bool // the greeting answers a message that opens a conversation
	OutOfHours bool // the out-of-hours reply answers any message
	Surveys    bool // a message may answer a satisfaction survey (Route)
}

// any reports whether anything is on.
func (a Activity) any() bool { return a.Greeting || a.OutOfHours || a.Surveys }

// Incoming is a customer message about to be filed.
type Incoming struct {
	ChannelID, ContactID store.ID
	Text                 string
	At                   time.Time
}

// Arrival is a customer message filed in its conversation.
type Arrival struct {
	// Conversation is as the message left it: open, its 24-hour window
	// restarted at the message's time.
	Conversation conversation.Row
	Created      bool // the message opened the conversation
	// SurveyAnswer: the message answered the closed conversation's
	// survey (Route sent it there).
	SurveyAnswer bool
	MessageID    store.ID
	At           time.Time
}

// NotifierFunc adapts a function to Notifier.
type NotifierFunc func(ctx context.Context, c Changes)

// InboundChanged calls f.
func (f NotifierFunc) InboundChanged(ctx context.Context, c Changes) { f(ctx, c) }

// Options configure a Service.
type Options struct {
	DB       *store.DB
	Log      *slog.Logger
	Now      clock.Clock
	Channels *channel.Service
	Contacts *contact.Service
	Conv     *conversation.Service
	Messages *message.Service
	// Notifier is told about changes after each commit; nil: nobody.
	Notifier Notifier
	// Arrivals answers customer messages automatically (nil: nothing does).
	Arrivals Arrivals
	// HTTP downloads media (default: a client with a 2-minute timeout).
	HTTP *http.Client

	// MaxBatch bounds the deliveries committed in one transaction (256).
	MaxBatch int
	// BatchWait is how long the committer waits for more deliveries once it
	// has one (default 0: it takes what queued up while the previous batch
	// was committing, which is what makes batches grow with the load).
	BatchWait time.Duration
	// Committers is the number of transactions in flight at once (default 1
	// on SQLite, which has one writer, and 4 on PostgreSQL).
	Committers int

	// MediaWorkers downloads at once (default 4); MediaPoll is how often the
	// worker looks for due downloads besides being woken by new ones (5 s).
	MediaWorkers int
	MediaPoll    time.Duration
	// NoWorkers leaves the committers and the media worker stopped until
	// Start is called (tests that drive ProcessMedia by hand).
	NoWorkers bool
}

// Service receives webhook deliveries. It is safe for concurrent use.
type Service struct {
	db       *store.DB
	log      *slog.Logger
	now      clock.Clock
	channels *channel.Service
	contacts *contact.Service
	conv     *conversation.Service
	messages *message.Service
	notifier Notifier
	arrivals Arrivals
	http     *http.Client
	q        queries

	secrets secretCache

	maxBatch   int
	batchWait  time.Duration
	committers int
	queues     []chan *request // one per committer (shard)

	mediaWorkers int
	mediaPoll    time.Duration
	mediaWake    chan struct{}

	stats batchStats

	touchMu sync.Mutex
	touched map[store.ID]time.Time

	startOnce sync.Once
	closeOnce sync.Once
	mu        sync.RWMutex // guards closed against Receive
	closed    bool
	stop      chan struct{}
	wg        sync.WaitGroup
	cancel    context.CancelFunc
	bg        context.Context
}

type queries struct {
	InsertDelivery       string `query:"insert-delivery,rows"`
	GetDelivery          string `query:"get-delivery"`
	SetDeliveryState     string `query:"set-delivery-state"`
	FailedDeliveries     string `query:"failed-deliveries"`
	CountFailed          string `query:"count-failed-deliveries"`
	CountChannelWaiting  string `query:"count-channel-waiting-statuses"`
	ChannelByPhone       string `query:"channel-by-phone-number-id"`
	TouchChannel         string `query:"touch-channel"`
	InsertStatus         string `query:"insert-status"`
	MarkStatusApplied    string `query:"mark-status-applied"`
	WaitingStatuses      string `query:"waiting-statuses"`
	InsertReaction       string `query:"insert-reaction"`
	NewerReaction        string `query:"newer-reaction-exists"`
	MarkReactionApplied  string `query:"mark-reaction-applied"`
	WaitingReactions     string `query:"waiting-reactions"`
	MarkTargetReactions  string `query:"mark-target-reactions-applied"`
	InsertMedia          string `query:"insert-media"`
	DeleteMedia          string `query:"delete-media"`
	ClaimMedia           string `query:"claim-media"`
	PutMediaBlob         string `query:"put-media-blob"`
	MediaReady           string `query:"media-ready"`
	MediaRetry           string `query:"media-retry"`
	MediaFailed          string `query:"media-failed"`
	MessagesOfMedia      string `query:"messages-of-media"`
	ChannelForMedia      string `query:"channel-for-media"`
	DeleteOldDeliveries  string `query:"delete-old-deliveries"`
	DeleteOldStatuses    string `query:"delete-old-statuses"`
	DeleteOldReactions   string `query:"delete-old-reactions"`
	CountWaitingStatuses string `query:"count-waiting-statuses"`
	MediaDue             string `query:"media-due"`
	BatchLookUp          string `query:"batch-look-up,in"`
	InsertChange         string `query:"insert-message-change"`
	WaitingChanges       string `query:"waiting-message-changes"`
	MarkChangeApplied    string `query:"mark-message-change-applied"`
}

// ErrClosed is returned by Receive once the service is closing.
var ErrClosed = fmt.Errorf("inbound: closed: %w", apperr.ErrUnavailable)

// New returns a Service; its committers and media worker run until Close
// (unless Options.NoWorkers).
func New(o Options) (*Service, error) {
	if o.DB == nil || o.Channels == nil || o.Contacts == nil || o.Conv == nil || o.Messages == nil {
		return nil, errors.New("inbound: DB, Channels, Contacts, Conv and Messages are required")
	}
	s := &Service{
		db: o.DB, log: o.Log, now: o.Now, channels: o.Channels, contacts: o.Contacts, conv: o.Conv,
		messages: o.Messages, notifier: o.Notifier, arrivals: o.Arrivals, http: o.HTTP,
		maxBatch: o.MaxBatch, batchWait: o.BatchWait, committers: o.Committers,
		mediaWorkers: o.MediaWorkers, mediaPoll: o.MediaPoll,
		mediaWake: make(chan struct{}, 1), stop: make(chan struct{}),
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.now == nil {
		s.now = clock.Real
	}
	if s.http == nil {
		s.http = &http.Client{Timeout: 2 * time.Minute}
	}
	if s.maxBatch <= 0 {
		s.maxBatch = 256
	}
	if s.committers <= 0 {
		s.committers = 1
		if o.DB.Dialect == store.Postgres {
			s.committers = 4
		}
	}
	if s.mediaWorkers <= 0 {
		s.mediaWorkers = 4
	}
	if s.mediaPoll <= 0 {
		s.mediaPoll = 5 * time.Second
	}
	for range s.committers {
		s.queues = append(s.queues, make(chan *request, 4*s.maxBatch))
	}
	s.secrets.load = s.loadSecrets
	if err := store.LoadQueries(queryFS, o.DB.Dialect, &s.q); err != nil {
		return nil, fmt.Errorf("inbound: %w", err)
	}
	s.bg, s.cancel = context.WithCancel(context.Background())
	if !o.NoWorkers {
		s.Start()
	}
	return s, nil
}

// Start runs the committers and the media worker (New does unless
// Options.NoWorkers). Calling it again does nothing.
func (s *Service) Start() {
	s.startOnce.Do(func() {
		for _, q := range s.queues {
			s.wg.Add(1)
			go s.commitLoop(q)
		}
		s.wg.Add(1)
		go s.mediaLoop()
	})
}

// StartCommitters runs only the committers (tests that drive the media
// worker by hand with ProcessMedia).
func (s *Service) StartCommitters() {
	s.startOnce.Do(func() {
		for _, q := range s.queues {
			s.wg.Add(1)
			go s.commitLoop(q)
		}
	})
}

// Close stops taking deliveries, commits those already queued, stops the
// media worker and waits for both.
func (s *Service) Close() error {
	s.closeOnce.Do(func() {
		s.mu.Lock()
		s.closed = true
		s.mu.Unlock()
		close(s.stop)
		s.cancel()
		s.wg.Wait()
		// Without running committers (never started), answer what queued.
		for _, q := range s.queues {
		drain:
			for {
				select {
				case r := <-q:
					r.done <- result{err: ErrClosed}
				default:
					break drain
				}
			}
		}
	})
	return nil
}

// notify tells the notifier about c (nil-safe).
func (s *Service) notify(c *Changes) {
	if s.notifier == nil || c == nil || c.Empty() {
		return
	}
	defer func() {
		if p := recover(); p != nil {
			s.log.Error("inbound: notifier panicked", "panic", fmt.Sprint(p))
		}
	}()
	s.notifier.InboundChanged(context.Background(), *c)
}
