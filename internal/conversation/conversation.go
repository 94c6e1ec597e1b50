// Package conversation holds papo's conversations: who may see them (F03),
// the inbox lists (F01, F02), taking, assigning, forwarding and status
// (F06, F08, F09), the timeline (F07) and the 24-hour window (F15). A
// conversation belongs to one team and, at a time, to at most one agent.
package conversation

import (
	"context"
	"embed"
	"fmt"
	"log/slog"
	"time"
	"unicode/utf8"

	"papo/internal/apperr"
	"papo/internal/auth"
	"papo/internal/clock"
	"papo/internal/contact"
	"papo/internal/settings"
	"papo/internal/store"
)

//go:embed *.sql
var queryFS embed.FS

// Status values.
const (
	StatusPending  = "pending"
	StatusResolved = "resolved"
	StatusClosed   = "closed"
)

// Window is how long after the customer's last message free text may be sent.
const Window = 24 * time.Hour

// Conversation is what the API shows (api.md "Conversations").
type Conversation struct {
	ID              store.ID         `json:"id"`
	ChannelID       store.ID         `json:"channel_id"`
	Contact         *contact.Contact `json:"contact"`
	TeamID          store.ID         `json:"team_id"`
	AssigneeID      *store.ID        `json:"assignee_id"`
	Status          string           `json:"status"`
	UnreadCount     int              `json:"unread_count"`
	LastMessage     *MessageSummary  `json:"last_message"`
	LastActivityAt  time.Time        `json:"last_activity_at"`
	WindowExpiresAt *time.Time       `json:"window_expires_at"`
	CreatedAt       time.Time        `json:"created_at"`
	ClosedAt        *time.Time       `json:"closed_at"`
	ClosedReason    *string          `json:"closed_reason"`
}

// MessageSummary is the list preview of a conversation's last message.
type MessageSummary struct {
	ID        store.ID  `json:"id" db:"id"`
	Direction string    `json:"direction" db:"direction"`
	Type      string    `json:"type" db:"type"`
	Text      string    `json:"text" db:"text"`
	Status    string    `json:"status" db:"status"`
	CreatedAt time.Time `json:"created_at" db:"created_at"`
}

// Row is a conversation as stored.
type Row struct {
	ID             store.ID   `db:"id"`
	ChannelID      store.ID   `db:"channel_id"`
	ContactID      store.ID   `db:"contact_id"`
	TeamID         store.ID   `db:"team_id"`
	AssigneeID     *store.ID  `db:"assignee_id"`
	Status         string     `db:"status"`
	UnreadCount    int        `db:"unread_count"`
	LastMessageID  *store.ID  `db:"last_message_id"`
	LastActivityAt time.Time  `db:"last_activity_at"`
	LastInboundAt  *time.Time `db:"last_inbound_at"`
	CreatedAt      time.Time  `db:"created_at"`
	ClosedAt       *time.Time `db:"closed_at"`
	ClosedReason   *string    `db:"closed_reason"`
}

// WindowExpiresAt is 24 h after the customer's last message, or nil.
func (r *Row) WindowExpiresAt() *time.Time {
	if r.LastInboundAt == nil {
		return nil
	}
	t := r.LastInboundAt.Add(Window)
	return &t
}

// WindowOpen reports whether free text may be sent at now (F15).
func (r *Row) WindowOpen(now time.Time) bool {
	exp := r.WindowExpiresAt()
	return exp != nil && now.Before(*exp)
}

// Options configure a Service.
type Options struct {
	DB       *store.DB
	Log      *slog.Logger
	Now      clock.Clock
	Contacts *contact.Service
	Settings *settings.Service
	// Closing sends the closing message and survey when an agent closes a
	// conversation (F16); nil sends nothing. See actions.go.
	Closing ClosingSender
	// Receipts queues WhatsApp read receipts (POST …/read); nil sends none.
	Receipts ReadReceipts
	// Tickets fills each contact's last WhatsApp ticket (F13); nil leaves
	// it null. See ticketrefs.go.
	Tickets TicketRefs
	// Events hears of every conversation an action changed (F23); nil:
	// nobody.
	Events Publisher
}

// Publisher announces changes after they commit (events.Hub).
type Publisher interface {
	Publish(kind string, ids ...store.ID)
}

// Service manages conversations. It is safe for concurrent use.
type Service struct {
	db       *store.DB
	log      *slog.Logger
	now      clock.Clock
	contacts *contact.Service
	settings *settings.Service
	q        queries
	closing  ClosingSender // actions.go
	events   Publisher     // actions.go
	receipts ReadReceipts  // actions.go
	tickets  TicketRefs    // ticketrefs.go
	lq       listQueries   // lists.go
}

type queries struct {
	Get            string `query:"get-conversation"`
	GetMany        string `query:"get-conversations,in"`
	Open           string `query:"open-conversation"`
	FindOpen       string `query:"find-open-conversation"`
	FindOpenMany   string `query:"find-open-conversations,in"`
	RecordInbound  string `query:"record-inbound,rows"`
	RecordOutbound string `query:"record-outbound"`
	LastMessages   string `query:"last-messages,in"`

	// actions.sql, timeline.sql, summary.sql (detail, actions, timeline, summary)
	Take           string `query:"take-conversation"`
	Inactive       string `query:"inactive-conversations"`
	CloseInactive  string `query:"close-inactive-conversation"`
	AssignTo       string `query:"assign-conversation"`
	Assignable     string `query:"assignable-user"`
	TeamExists     string `query:"team-exists"`
	ForwardTo      string `query:"forward-conversation"`
	SetStatus      string `query:"set-conversation-status"`
	CloseManual    string `query:"close-conversation"`
	MarkRead       string `query:"mark-conversation-read"`
	LatestInbound  string `query:"latest-inbound-wa-id"`
	InsertEvent    string `query:"insert-event"`
	OfContact      string `query:"conversations-of-contact"`
	TimelineMsgs   string `query:"timeline-messages"`
	TimelineEvents string `query:"timeline-events"`
	MessagesSince  string `query:"messages-since"`
	SummaryEvents  string `query:"summary-events"`
	SummaryCounts  string `query:"summary-message-counts"`
	SummaryTickets string `query:"summary-tickets"`
	SummaryUsers   string `query:"summary-user-names,in"`
	SummaryTeams   string `query:"summary-team-names,in"`

	// reply.sql (taking a conversation by replying; WhatsApp outbound)
	ReplyTake  string `query:"reply-take"`
	ReplyEvent string `query:"reply-assigned-event"`
}

// New returns a Service.
func New(o Options) (*Service, error) {
	s := &Service{db: o.DB, log: o.Log, now: o.Now, contacts: o.Contacts, settings: o.Settings}
	s.closing, s.receipts, s.events = o.Closing, o.Receipts, o.Events
	s.tickets = o.Tickets
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.now == nil {
		s.now = clock.Real
	}
	if err := store.LoadQueries(queryFS, o.DB.Dialect, &s.q); err != nil {
		return nil, fmt.Errorf("conversation: %w", err)
	}
	if err := store.LoadQueries(queryFS, o.DB.Dialect, &s.lq); err != nil { // lists.go
		return nil, fmt.Errorf("conversation: %w", err)
	}
	return s, nil
}

// Load reads a conversation without any visibility check (for internal use:
// webhook ingestion, jobs). q may be a transaction.
func (s *Service) Load(ctx context.Context, q store.Queryer, id store.ID) (*Row, error) {
	if q == nil {
		q = s.db.R
	}
	var r Row
	if err := store.Get(ctx, q, &r, s.q.Get, id); err != nil {
		return nil, fmt.Errorf("conversation %s: %w", id, err) // store.ErrNotFound is a 404
	}
	return &r, nil
}

// LoadVisible reads a conversation the caller may see; any other is
// apperr.ErrNotFound, whatever the reason (F03: existence leaks nothing).
func (s *Service) LoadVisible(ctx context.Context, q store.Queryer, p *auth.Principal, id store.ID) (*Row, error) {
	r, err := s.Load(ctx, q, id)
	if err != nil {
		return nil, err
	}
	seg, err := s.segmentedIn(ctx, q) // through q when it is a transaction (actions.go)
	if err != nil {
		return nil, err
	}
	if !Visible(p, r, seg) {
		return nil, fmt.Errorf("conversation %s: %w", id, apperr.ErrNotFound)
	}
	return r, nil
}

// Get returns a conversation the caller may see.
func (s *Service) Get(ctx context.Context, p *auth.Principal, id store.ID) (*Conversation, error) {
	r, err := s.LoadVisible(ctx, nil, p, id)
	if err != nil {
		return nil, err
	}
	out, err := s.Present(ctx, nil, []Row{*r})
	if err != nil {
		return nil, err
	}
	return &out[0], nil
}

func (s *Service) segmented(ctx context.Context) (bool, error) {
	d, err := s.settings.Get(ctx)
	if err != nil {
		return false, err
	}
	return d.SegmentedView, nil
}

// Present turns rows into API conversations, loading their contacts and last
// messages in two queries whatever the number of rows.
func (s *Service) Present(ctx context.Context, q store.Queryer, rows []Row) ([]Conversation, error) {
	if q == nil {
		q = s.db.R
	}
	contactIDs := make([]store.ID, 0, len(rows))
	msgIDs := make([]store.ID, 0, len(rows))
	for _, r := range rows {
		contactIDs = append(contactIDs, r.ContactID)
		if r.LastMessageID != nil {
			msgIDs = append(msgIDs, *r.LastMessageID)
		}
	}
	contacts, err := s.contacts.GetContacts(ctx, q, contactIDs)
	if err != nil {
		return nil, err
	}
	if err := s.WithTicketRefs(ctx, q, contacts); err != nil { // F13
		return nil, err
	}
	last := map[store.ID]*MessageSummary{}
	if len(msgIDs) > 0 {
		query, args, err := s.db.In(s.q.LastMessages, msgIDs)
		if err != nil {
			return nil, err
		}
		var ms []MessageSummary
		if err := q.SelectContext(ctx, &ms, query, args...); err != nil {
			return nil, fmt.Errorf("conversation: last messages: %w", err)
		}
		for i := range ms {
			ms[i].Text = preview(ms[i].Text)
			last[ms[i].ID] = &ms[i]
		}
	}
	out := make([]Conversation, len(rows))
	for i, r := range rows {
		c := Conversation{
			ID: r.ID, ChannelID: r.ChannelID, Contact: contacts[r.ContactID], TeamID: r.TeamID, AssigneeID: r.AssigneeID,
			Status: r.Status, UnreadCount: r.UnreadCount, LastActivityAt: r.LastActivityAt,
			WindowExpiresAt: r.WindowExpiresAt(), CreatedAt: r.CreatedAt, ClosedAt: r.ClosedAt, ClosedReason: r.ClosedReason,
		}
		if r.LastMessageID != nil {
			c.LastMessage = last[*r.LastMessageID]
		}
		out[i] = c
	}
	return out, nil
}

// preview bounds a list preview to 200 characters.
func preview(s string) string {
	if utf8.RuneCountInString(s) <= 200 {
		return s
	}
	r := []rune(s)
	return string(r[:200]) + "…"
}

// OpenForInbound returns the contact's open conversation on the channel,
// opening a new one (pending, unassigned, in the channel's default team)
// when the latest is closed or there is none. It runs in the caller's
// transaction; created reports a new conversation.
func (s *Service) OpenForInbound(ctx context.Context, tx *store.Tx, channelID, defaultTeamID, contactID store.ID, at time.Time) (*Row, bool, error) {
	open, err := s.OpenForInboundMany(ctx, tx, []Opening{{channelID, defaultTeamID, contactID, at}})
	if err != nil {
		return nil, false, err
	}
	return open[0].Row, open[0].Created, nil
}

// Opening asks for a contact's open conversation on a channel: the channel's
// default team and the message's time serve a new one.
type Opening struct {
	ChannelID, DefaultTeamID, ContactID store.ID
	At                                  time.Time
}

// Opened is the conversation an Opening got; Created reports a new one.
type Opened struct {
	Row     *Row
	Created bool
}

// OpenForInboundMany does OpenForInbound for a batch of webhooks: the open
// conversations (nearly all) are found in one query per channel, the rest
// opened one by one in the given order. Openings of the same contact and
// channel get the same conversation.
func (s *Service) OpenForInboundMany(ctx context.Context, tx *store.Tx, openings []Opening) ([]Opened, error) {
	type key struct{ channel, contact store.ID }
	found := map[key]*Row{}
	byChannel := map[store.ID][]store.ID{}
	var channels []store.ID
	for _, o := range openings {
		if _, ok := byChannel[o.ChannelID]; !ok {
			channels = append(channels, o.ChannelID)
		}
		byChannel[o.ChannelID] = append(byChannel[o.ChannelID], o.ContactID)
	}
	for _, ch := range channels {
		query, args, err := s.db.In(s.q.FindOpenMany, ch, byChannel[ch])
		if err != nil {
			return nil, err
		}
		var rows []*Row
		if err := tx.SelectContext(ctx, &rows, query, args...); err != nil {
			return nil, fmt.Errorf("conversation: find open: %w", err)
		}
		for _, r := range rows {
			found[key{r.ChannelID, r.ContactID}] = r
		}
	}
	out := make([]Opened, len(openings))
	created := map[key]bool{}
	for i, o := range openings {
		k := key{o.ChannelID, o.ContactID}
		if r := found[k]; r != nil {
			out[i] = Opened{Row: r, Created: created[k]}
			continue
		}
		// Unless a concurrent transaction opened one meanwhile (the partial
		// unique index decides), this inserts.
		if _, err := tx.ExecContext(ctx, s.q.Open, o.ChannelID, o.ContactID, o.DefaultTeamID, o.At, o.At); err != nil {
			return nil, fmt.Errorf("conversation: open: %w", err)
		}
		var r Row
		if err := store.Get(ctx, tx, &r, s.q.FindOpen, o.ChannelID, o.ContactID); err != nil {
			return nil, fmt.Errorf("conversation: find opened: %w", err)
		}
		found[k], created[k] = &r, true
		out[i] = Opened{Row: &r, Created: true}
	}
	return out, nil
}

// RecordInbound notes a customer message in its conversation.
func (s *Service) RecordInbound(ctx context.Context, tx *store.Tx, convID, msgID store.ID, at time.Time) error {
	return s.RecordInboundMany(ctx, tx, []Record{{convID, msgID, at}})
}

// Record is a message to note in its conversation.
type Record struct {
	ConversationID, MessageID store.ID
	At                        time.Time
}

// RecordInboundMany notes customer messages in their conversations, one
// set-based statement for a batch: each conversation once, with its newest
// message (the later one of equal times) and how many came.
func (s *Service) RecordInboundMany(ctx context.Context, tx *store.Tx, records []Record) error {
	type agg struct {
		newest Record
		n      int
	}
	var order []store.ID
	per := map[store.ID]*agg{}
	for _, r := range records {
		a := per[r.ConversationID]
		if a == nil {
			a = &agg{}
			per[r.ConversationID] = a
			order = append(order, r.ConversationID)
		}
		if a.n == 0 || !r.At.Before(a.newest.At) {
			a.newest = r
		}
		a.n++
	}
	return store.Chunks(len(order), func(lo, hi int) error {
		q, err := s.db.Rows(s.q.RecordInbound, hi-lo)
		if err != nil {
			return err
		}
		args := make([]any, 0, 4*(hi-lo))
		for _, id := range order[lo:hi] {
			a := per[id]
			args = append(args, id, a.newest.MessageID, a.newest.At, a.n)
		}
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("conversation: record inbound: %w", err)
		}
		return nil
	})
}

// RecordOutbound notes a message papo sent in its conversation.
func (s *Service) RecordOutbound(ctx context.Context, tx *store.Tx, convID, msgID store.ID, at time.Time) error {
	if _, err := tx.ExecContext(ctx, s.q.RecordOutbound, at, msgID, at, at, convID); err != nil {
		return fmt.Errorf("conversation: record outbound: %w", err)
	}
	return nil
}
