// Package conversation holds papo's conversations: who may see them (F03),
// the inbox lists (F01, F02), taking, assigning, forwarding and status
// (F06, F08, F09), the timeline (F07) and the 24-hour window (F15). A
// conversation belongs to one team and, at a time, to at most one agent.
package conversation

import (
	"context"
	"embed"
	"errors"
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
	receipts ReadReceipts  // actions.go
	tickets  TicketRefs    // ticketrefs.go
	lq       listQueries   // lists.go
}

type queries struct {
	Get            string `query:"get-conversation"`
	GetMany        string `query:"get-conversations,in"`
	Open           string `query:"open-conversation"`
	FindOpen       string `query:"find-open-conversation"`
	RecordInbound  string `query:"record-inbound"`
	RecordOutbound string `query:"record-outbound"`
	LastMessages   string `query:"last-messages,in"`

	// actions.sql, timeline.sql, summary.sql (detail, actions, timeline, summary)
	Take           string `query:"take-conversation"`
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
	s.closing, s.receipts = o.Closing, o.Receipts
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
	var r Row
	err := store.Get(ctx, tx, &r, s.q.FindOpen, channelID, contactID)
	if err == nil {
		return &r, false, nil
	}
	if !errors.Is(err, store.ErrNotFound) {
		return nil, false, fmt.Errorf("conversation: find open: %w", err)
	}
	if _, err := tx.ExecContext(ctx, s.q.Open, channelID, contactID, defaultTeamID, at, at); err != nil {
		return nil, false, fmt.Errorf("conversation: open: %w", err)
	}
	if err := store.Get(ctx, tx, &r, s.q.FindOpen, channelID, contactID); err != nil {
		return nil, false, fmt.Errorf("conversation: find opened: %w", err)
	}
	return &r, true, nil
}

// RecordInbound notes a customer message in its conversation.
func (s *Service) RecordInbound(ctx context.Context, tx *store.Tx, convID, msgID store.ID, at time.Time) error {
	if _, err := tx.ExecContext(ctx, s.q.RecordInbound, at, msgID, at, at, at, at, convID); err != nil {
		return fmt.Errorf("conversation: record inbound: %w", err)
	}
	return nil
}

// RecordOutbound notes a message papo sent in its conversation.
func (s *Service) RecordOutbound(ctx context.Context, tx *store.Tx, convID, msgID store.ID, at time.Time) error {
	if _, err := tx.ExecContext(ctx, s.q.RecordOutbound, at, msgID, at, at, convID); err != nil {
		return fmt.Errorf("conversation: record outbound: %w", err)
	}
	return nil
}
