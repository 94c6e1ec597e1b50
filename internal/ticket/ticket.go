// Package ticket holds the helpdesk's tickets (F22): sequential numbers,
// status, origin, requester, team and assignee; the WhatsApp messages and
// notes linked to them as a transcript (F11, F12, F30); and the last
// WhatsApp ticket shown under a contact (F13).
//
// Agents see the tickets of their teams, admins all; a ticket the caller may
// not see is apperr.ErrNotFound (apperr.ErrTicketNotFound when it is named
// by number to link messages), so its existence leaks nothing. Linked
// messages are never changed or removed by editing a ticket.
package ticket

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"papo/internal/apperr"
	"papo/internal/auth"
	"papo/internal/clock"
	"papo/internal/contact"
	"papo/internal/conversation"
	"papo/internal/message"
	"papo/internal/search"
	"papo/internal/store"
)

//go:embed *.sql
var queryFS embed.FS

// Statuses.
const (
	StatusOpen       = "open"
	StatusInProgress = "in_progress"
	StatusResolved   = "resolved"
	StatusClosed     = "closed"
)

// Origins: where the request came from.
const (
	OriginWhatsApp = "whatsapp"
	OriginEmail    = "email"
	OriginPhone    = "phone"
	OriginWeb      = "web"
)

// Statuses and Origins list the valid values, in the order the UI shows them.
var (
	Statuses = []string{StatusOpen, StatusInProgress, StatusResolved, StatusClosed}
	Origins  = []string{OriginWhatsApp, OriginEmail, OriginPhone, OriginWeb}
)

// Limits of a ticket's text and of one linking request.
const (
	MaxTitle       = 200
	MaxDescription = 20000
	MaxLink        = 500
)

// Ticket is what the API shows (api.md "Tickets"). LinkedMessages is set
// only in the detail (Get, Create, Update), where it is never nil: the
// transcript in the order the messages were sent.
type Ticket struct {
	ID             store.ID          `json:"id"`
	Number         int64             `json:"number"`
	Title          string            `json:"title"`
	Description    string            `json:"description"`
	Status         string            `json:"status"`
	Origin         string            `json:"origin"`
	Requester      *contact.Customer `json:"requester"`
	ContactID      *store.ID         `json:"contact_id"`
	ConversationID *store.ID         `json:"conversation_id"`
	TeamID         store.ID          `json:"team_id"`
	AssigneeID     *store.ID         `json:"assignee_id"`
	CreatedAt      time.Time         `json:"created_at"`
	UpdatedAt      time.Time         `json:"updated_at"`
	LinkedMessages []message.Message `json:"linked_messages,omitzero"`
}

// Row is a ticket as stored.
type Row struct {
	ID             store.ID  `db:"id"`
	Number         int64     `db:"number"`
	Title          string    `db:"title"`
	Description    string    `db:"description"`
	Status         string    `db:"status"`
	Origin         string    `db:"origin"`
	RequesterID    *store.ID `db:"requester_id"`
	ContactID      *store.ID `db:"contact_id"`
	ConversationID *store.ID `db:"conversation_id"`
	TeamID         store.ID  `db:"team_id"`
	AssigneeID     *store.ID `db:"assignee_id"`
	CreatedAt      time.Time `db:"created_at"`
	UpdatedAt      time.Time `db:"updated_at"`
}

// Visible reports whether the caller may see a ticket of team teamID:
// admins see every ticket, agents those of their teams.
func Visible(p *auth.Principal, teamID store.ID) bool {
	return p.IsAdmin() || p.InTeam(teamID)
}

// Options configure a Service.
type Options struct {
	DB       *store.DB
	Log      *slog.Logger
	Now      clock.Clock
	Conv     *conversation.Service
	Messages *message.Service
	// Refs answers F13; nil builds one (pass the one given to the
	// conversation service to share it).
	Refs *Refs
}

// Service manages tickets. It is safe for concurrent use.
type Service struct {
	db       *store.DB
	log      *slog.Logger
	now      clock.Clock
	conv     *conversation.Service
	messages *message.Service
	refs     *Refs
	q        queries
}

type queries struct {
	NextNumber       string `query:"next-ticket-number"`
	Insert           string `query:"insert-ticket"`
	GetByNumber      string `query:"get-ticket-by-number"`
	Update           string `query:"update-ticket"`
	Touch            string `query:"touch-ticket"`
	TeamExists       string `query:"team-exists"`
	CustomerExists   string `query:"customer-exists"`
	ActiveTeamMember string `query:"active-team-member"`
	CustomersOf      string `query:"customers-of,in"`
	ContactCustomer  string `query:"contact-customer"`
	MessageConvs     string `query:"message-conversations,in"`
	LinkMessage      string `query:"link-message"`
	LinkedMessageIDs string `query:"linked-message-ids"`

	// Fragments of the list query (lists*.sql), composed by listQuery.
	List             string `query:"list-tickets,in"`
	ListAfter        string `query:"list-tickets-after,in"`
	ListOrder        string `query:"list-tickets-order,in"`
	ListSearch       string `query:"list-tickets-search,in"`
	ListSearchAfter  string `query:"list-tickets-search-after,in"`
	ListSearchOrder  string `query:"list-tickets-search-order,in"`
	ListSearchFilter string `query:"list-tickets-search-filter,in"`
	ListNumber       string `query:"list-tickets-number,in"`
	ListInTeams      string `query:"list-tickets-in-teams,in"`
	ListTeam         string `query:"list-tickets-team,in"`
	ListStatus       string `query:"list-tickets-status,in"`
	ListOrigin       string `query:"list-tickets-origin,in"`
	ListRequester    string `query:"list-tickets-requester,in"`
}

// New returns a Service.
func New(o Options) (*Service, error) {
	s := &Service{db: o.DB, log: o.Log, now: o.Now, conv: o.Conv, messages: o.Messages, refs: o.Refs}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.now == nil {
		s.now = clock.Real
	}
	if s.conv == nil || s.messages == nil {
		return nil, errors.New("ticket: conversation and message services are required")
	}
	if err := store.LoadQueries(queryFS, o.DB.Dialect, &s.q); err != nil {
		return nil, fmt.Errorf("ticket: %w", err)
	}
	if s.refs == nil {
		var err error
		if s.refs, err = NewRefs(o.DB); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// LastWhatsAppTicket returns a contact's last WhatsApp ticket (F13), or nil
// when it has none. q may be a transaction (nil: the read pool).
func (s *Service) LastWhatsAppTicket(ctx context.Context, q store.Queryer, contactID store.ID) (*contact.TicketRef, error) {
	return s.refs.LastWhatsAppTicket(ctx, q, contactID)
}

// LastWhatsAppTickets is LastWhatsAppTicket for several contacts at once.
func (s *Service) LastWhatsAppTickets(ctx context.Context, q store.Queryer, contactIDs []store.ID) (map[store.ID]*contact.TicketRef, error) {
	return s.refs.LastWhatsAppTickets(ctx, q, contactIDs)
}

// Get returns a ticket the caller may see, with its transcript.
func (s *Service) Get(ctx context.Context, p *auth.Principal, number int64) (*Ticket, error) {
	r, err := s.loadVisible(ctx, s.db.R, p, number, apperr.ErrNotFound)
	if err != nil {
		return nil, err
	}
	return s.detail(ctx, r)
}

// loadVisible reads a ticket by number; one that does not exist or that the
// caller may not see is notFound (apperr.ErrNotFound or ErrTicketNotFound).
func (s *Service) loadVisible(ctx context.Context, q store.Queryer, p *auth.Principal, number int64, notFound error) (*Row, error) {
	r, err := s.load(ctx, q, number)
	if errors.Is(err, apperr.ErrNotFound) || (err == nil && !Visible(p, r.TeamID)) {
		return nil, fmt.Errorf("ticket %d: %w", number, notFound)
	}
	return r, err
}

// load reads a ticket by number without any visibility check.
func (s *Service) load(ctx context.Context, q store.Queryer, number int64) (*Row, error) {
	var r Row
	if number <= 0 {
		return nil, fmt.Errorf("ticket %d: %w", number, apperr.ErrNotFound)
	}
	if err := store.Get(ctx, q, &r, s.q.GetByNumber, number); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return nil, fmt.Errorf("ticket %d: %w", number, apperr.ErrNotFound)
		}
		return nil, fmt.Errorf("ticket: load: %w", err)
	}
	return &r, nil
}

// detail presents one ticket with its linked messages, read after commit.
func (s *Service) detail(ctx context.Context, r *Row) (*Ticket, error) {
	out, err := s.present(ctx, s.db.R, []Row{*r})
	if err != nil {
		return nil, err
	}
	t := &out[0]
	var ids []store.ID
	if err := s.db.R.SelectContext(ctx, &ids, s.q.LinkedMessageIDs, r.ID); err != nil {
		return nil, fmt.Errorf("ticket: linked messages: %w", err)
	}
	rows, err := s.messages.LoadMany(ctx, s.db.R, ids)
	if err != nil {
		return nil, err
	}
	pos := make(map[store.ID]int, len(ids))
	for i, id := range ids {
		pos[id] = i
	}
	slices.SortFunc(rows, func(a, b message.Row) int { return pos[a.ID] - pos[b.ID] })
	msgs, err := s.messages.Present(ctx, s.db.R, rows)
	if err != nil {
		return nil, err
	}
	t.LinkedMessages = msgs
	return t, nil
}

// present turns rows into API tickets, loading their requesters in one query.
func (s *Service) present(ctx context.Context, q store.Queryer, rows []Row) ([]Ticket, error) {
	var ids []store.ID
	for _, r := range rows {
		if r.RequesterID != nil && !slices.Contains(ids, *r.RequesterID) {
			ids = append(ids, *r.RequesterID)
		}
	}
	customers := map[store.ID]*contact.Customer{}
	if len(ids) > 0 {
		query, args, err := s.db.In(s.q.CustomersOf, ids)
		if err != nil {
			return nil, err
		}
		var cs []contact.Customer
		if err := q.SelectContext(ctx, &cs, query, args...); err != nil {
			return nil, fmt.Errorf("ticket: requesters: %w", err)
		}
		for i := range cs {
			customers[cs[i].ID] = &cs[i]
		}
	}
	out := make([]Ticket, len(rows))
	for i, r := range rows {
		out[i] = Ticket{
			ID: r.ID, Number: r.Number, Title: r.Title, Description: r.Description, Status: r.Status, Origin: r.Origin,
			ContactID: r.ContactID, ConversationID: r.ConversationID, TeamID: r.TeamID, AssigneeID: r.AssigneeID,
			CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
		}
		if r.RequesterID != nil {
			out[i].Requester = customers[*r.RequesterID]
		}
	}
	return out, nil
}

// searchText is what the search index holds for a ticket: its title and
// description, folded (lowercase, no accents) so that "joao" finds "João"
// on both engines. The number is matched exactly, not through the index.
func searchText(title, description string) string {
	return search.Fold(title + "\n" + description)
}
