package automation

import (
	"context"
	"embed"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"papo/internal/clock"
	"papo/internal/inbound"
	"papo/internal/outbound"
	"papo/internal/settings"
	"papo/internal/store"
	"papo/internal/team"
)

//go:embed *.sql
var queryFS embed.FS

// Kinds of automatic answer, as automation_sends keeps them.
const (
	KindGreeting   = "greeting"
	KindOutOfHours = "out_of_hours"
)

// settingsTTL is how stale the switches Active reads may be: a batch of
// webhooks asks before each transaction, and the database is not asked
// more than this often.
const settingsTTL = 5 * time.Second

// Arrivals answers customers on its own when they write (F19): the greeting
// when a message opens a conversation, and the out-of-hours reply when the
// conversation's team is outside its business hours — once per closed
// period and conversation. Out of hours, the out-of-hours reply goes
// instead of the greeting (it says more). Both are skipped for contacts with
// automatic messages blocked (F17) and are authored "system". It implements
// inbound.Arrivals: it runs inside the webhook's transaction, and the row
// it claims in automation_sends makes each answer go out once, whatever
// retries or other instances do.
type Arrivals struct {
	DB       *store.DB
	Settings *settings.Service
	Teams    *team.Service
	Queue    Queuer
	Log      *slog.Logger
	Now      clock.Clock
	// Surveys recognises answers to the satisfaction survey (F20); nil:
	// none are.
	Surveys *Surveys

	q struct {
		Claim string `query:"claim-automation-send"`
		Note  string `query:"note-automation-message"`
	}
	mu      sync.Mutex
	cached  settings.Document
	fetched time.Time
}

var _ inbound.Arrivals = (*Arrivals)(nil)

// NewArrivals loads its queries; SetQueue links the sender.
func NewArrivals(a *Arrivals) (*Arrivals, error) {
	if a.Log == nil {
		a.Log = slog.Default()
	}
	if a.Now == nil {
		a.Now = clock.Real
	}
	if err := store.LoadQueries(queryFS, a.DB.Dialect, &a.q); err != nil {
		return nil, fmt.Errorf("automation: %w", err)
	}
	return a, nil
}

// SetQueue links the sender, built after the webhook's receiving side.
func (a *Arrivals) SetQueue(q Queuer) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.Queue = q
}

func (a *Arrivals) queue() Queuer {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.Queue
}

// Active says which of the greeting, the out-of-hours reply and the
// surveys' answers are on. A survey sent before surveys were switched off
// is no longer recognised once they are.
func (a *Arrivals) Active(ctx context.Context) inbound.Activity {
	a.mu.Lock()
	defer a.mu.Unlock()
	if now := a.Now(); a.fetched.IsZero() || now.Sub(a.fetched) > settingsTTL || now.Before(a.fetched) {
		d, err := a.Settings.Get(ctx)
		if err != nil {
			a.Log.Warn("automation: settings unreadable; automatic answers paused", "err", err)
			return inbound.Activity{}
		}
		a.cached, a.fetched = d, now
	}
	if a.Queue == nil {
		return inbound.Activity{}
	}
	sv := a.cached.Survey
	return inbound.Activity{
		Greeting:   a.cached.Greeting.Enabled,
		OutOfHours: a.cached.OutOfHours.Enabled,
		Surveys:    a.Surveys != nil && (sv.OnManualClose || sv.OnInactivityClose),
	}
}

// Route sends each answer to a waiting survey to the survey's (closed)
// conversation (F20).
func (a *Arrivals) Route(ctx context.Context, tx *store.Tx, in []inbound.Incoming) ([]store.ID, error) {
	if a.Surveys == nil {
		return make([]store.ID, len(in)), nil
	}
	return a.Surveys.route(ctx, tx, in)
}

// Arrived answers the messages just filed, as the settings read in tx say:
// a survey answer with the thank-you, the others with the greeting or the
// out-of-hours reply.
func (a *Arrivals) Arrived(ctx context.Context, tx *store.Tx, in []inbound.Arrival) ([]store.ID, error) {
	d, err := a.Settings.GetTx(ctx, tx)
	if err != nil {
		return nil, err
	}
	var queued []store.ID
	teams := map[store.ID]*team.Team{}
	for _, ar := range in {
		if ar.SurveyAnswer {
			id, err := a.Surveys.answered(ctx, tx, ar)
			if err != nil {
				return nil, err
			}
			if id != 0 {
				queued = append(queued, id)
			}
			continue
		}
		kind, occasion := "", ""
		if d.OutOfHours.Enabled {
			tm := teams[ar.Conversation.TeamID]
			if tm == nil {
				if tm, err = a.Teams.GetIn(ctx, tx, ar.Conversation.TeamID); err != nil {
					return nil, err
				}
				teams[tm.ID] = tm
			}
			if since, closed := tm.ClosedSince(ar.At); closed {
				kind, occasion = KindOutOfHours, since.UTC().Format(time.RFC3339)
			}
		}
		if kind == "" && ar.Created && d.Greeting.Enabled {
			kind = KindGreeting
		}
		if kind == "" {
			continue
		}
		msg := d.Greeting
		if kind == KindOutOfHours {
			msg = d.OutOfHours
		}
		id, err := a.answer(ctx, tx, ar, kind, occasion, msg)
		if err != nil {
			return nil, err
		}
		if id != 0 {
			queued = append(queued, id)
		}
	}
	return queued, nil
}

// answer claims the occasion and, if it was free, queues the message,
// returning its id (0: nothing queued).
func (a *Arrivals) answer(ctx context.Context, tx *store.Tx, ar inbound.Arrival, kind, occasion string, msg settings.Message) (store.ID, error) {
	text := strings.TrimSpace(msg.Text)
	if text == "" {
		return 0, nil
	}
	res, err := tx.ExecContext(ctx, a.q.Claim, ar.Conversation.ID, kind, occasion, a.Now())
	if err != nil {
		return 0, fmt.Errorf("automation: claim %s: %w", kind, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return 0, nil // sent for this occasion already
	}
	// The customer just wrote: the window is open and text goes.
	id, queued, err := a.queue().QueueSystem(ctx, tx, &ar.Conversation, outbound.SystemInput{Text: text})
	if err != nil {
		return 0, fmt.Errorf("automation: %s: %w", kind, err)
	}
	if !queued {
		return 0, nil
	}
	if _, err := tx.ExecContext(ctx, a.q.Note, id, ar.Conversation.ID, kind, occasion); err != nil {
		return 0, fmt.Errorf("automation: note %s: %w", kind, err)
	}
	a.Log.Debug("automation: answered", "kind", kind, "conversation_id", ar.Conversation.ID, "message_id", id)
	return id, nil
}
