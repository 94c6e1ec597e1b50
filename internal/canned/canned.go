// Package canned holds canned responses (F14): texts agents insert into a
// reply by shortcut, for every team or for one, searched by shortcut, title
// and body, and rendered for a conversation with placeholders such as
// {{contact.name}} filled in. Admins manage them; agents see the ones of
// every team and of their own teams.
package canned

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"papo/internal/apperr"
	"papo/internal/auth"
	"papo/internal/clock"
	"papo/internal/contact"
	"papo/internal/conversation"
	"papo/internal/phone"
	"papo/internal/search"
	"papo/internal/store"
	"papo/internal/team"
)

//go:embed *.sql
var queryFS embed.FS

// Response is a canned response as the API shows it (api.md "Canned
// responses"); TeamID nil means every team.
type Response struct {
	ID       store.ID  `json:"id" db:"id"`
	Shortcut string    `json:"shortcut" db:"shortcut"`
	Title    string    `json:"title" db:"title"`
	Body     string    `json:"body" db:"body"`
	TeamID   *store.ID `json:"team_id" db:"team_id"`
}

// Limits of a canned response.
const (
	MaxTitle = 200
	MaxBody  = 4096
)

var shortcutRE = regexp.MustCompile(`^[a-z0-9_-]{1,32}$`)

// Options configure a Service.
type Options struct {
	DB       *store.DB
	Log      *slog.Logger
	Now      clock.Clock
	Conv     *conversation.Service // rendering: the conversation, visibility
	Contacts *contact.Service
	Teams    *team.Service
}

// Service manages canned responses. It is safe for concurrent use.
type Service struct {
	db       *store.DB
	log      *slog.Logger
	now      clock.Clock
	conv     *conversation.Service
	contacts *contact.Service
	teams    *team.Service
	q        queries
}

type queries struct {
	List           string `query:"list-canned,in"`
	Get            string `query:"get-canned"`
	Insert         string `query:"insert-canned"`
	Update         string `query:"update-canned"`
	Delete         string `query:"delete-canned"`
	TeamExists     string `query:"canned-team-exists"`
	TicketCustomer string `query:"last-whatsapp-ticket-of-customer"`
	TicketContact  string `query:"last-whatsapp-ticket-of-contact"`
}

// New returns a Service.
func New(o Options) (*Service, error) {
	s := &Service{db: o.DB, log: o.Log, now: o.Now, conv: o.Conv, contacts: o.Contacts, teams: o.Teams}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.now == nil {
		s.now = clock.Real
	}
	if err := store.LoadQueries(queryFS, o.DB.Dialect, &s.q); err != nil {
		return nil, fmt.Errorf("canned: %w", err)
	}
	return s, nil
}

// ListQuery filters a list of canned responses.
type ListQuery struct {
	// Q matches words and word parts of the shortcut, title and body, case
	// and accents folded ("acao" finds "Ação").
	Q string
	// TeamID narrows the list to the responses of that team and those of
	// every team (the picker inside a conversation of that team).
	TeamID *store.ID
	After  *Cursor
	Limit  int
}

// Cursor is where the next page starts (responses are ordered by shortcut).
type Cursor struct {
	Shortcut string `json:"s"`
}

// Page is one page of canned responses.
type Page struct {
	Items []Response
	Next  *Cursor
}

// maxTerms bounds the words of a search.
const maxTerms = 4

// List returns the canned responses the caller may use: admins all of
// them, agents those of every team and of their teams.
func (s *Service) List(ctx context.Context, p *auth.Principal, in ListQuery) (*Page, error) {
	if in.Limit <= 0 {
		in.Limit = 50
	}
	every := p.IsAdmin() && in.TeamID == nil
	var teams []store.ID
	switch {
	case in.TeamID != nil && (p.IsAdmin() || p.InTeam(*in.TeamID)):
		teams = []store.ID{*in.TeamID}
	case in.TeamID == nil && !p.IsAdmin():
		teams = append(teams, p.TeamIDs...)
	}
	if len(teams) == 0 {
		teams = []store.ID{0} // no team: only the responses of every team
	}
	likes := []any{"%", "%", "%", "%"}
	for i, t := range search.Terms(in.Q, maxTerms) {
		likes[i] = search.LikePattern(t)
	}
	after := ""
	if in.After != nil {
		after = in.After.Shortcut
	}
	args := append([]any{every, teams}, likes...)
	args = append(args, after, in.Limit+1)
	query, qargs, err := s.db.In(s.q.List, args...)
	if err != nil {
		return nil, err
	}
	items := []Response{}
	if err := s.db.R.SelectContext(ctx, &items, query, qargs...); err != nil {
		return nil, fmt.Errorf("canned: list: %w", err)
	}
	page := &Page{Items: items}
	if len(items) > in.Limit {
		page.Items = items[:in.Limit]
		page.Next = &Cursor{Shortcut: page.Items[in.Limit-1].Shortcut}
	}
	return page, nil
}

// Get returns a canned response the caller may use (apperr.ErrNotFound
// for one of another team).
func (s *Service) Get(ctx context.Context, p *auth.Principal, id store.ID) (*Response, error) {
	r, err := s.load(ctx, s.db.R, id)
	if err != nil {
		return nil, err
	}
	if !p.IsAdmin() && r.TeamID != nil && !p.InTeam(*r.TeamID) {
		return nil, fmt.Errorf("canned response %s: %w", id, apperr.ErrNotFound)
	}
	return r, nil
}

func (s *Service) load(ctx context.Context, q store.Queryer, id store.ID) (*Response, error) {
	var r Response
	if err := store.Get(ctx, q, &r, s.q.Get, id); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return nil, fmt.Errorf("canned response %s: %w", id, apperr.ErrNotFound)
		}
		return nil, fmt.Errorf("canned: get: %w", err)
	}
	return &r, nil
}

// Input creates a canned response or changes the fields that are set.
// TeamSet says TeamID was given (nil then means every team).
type Input struct {
	Shortcut *string
	Title    *string
	Body     *string
	TeamSet  bool
	TeamID   *store.ID
}

// Create adds a canned response (admins). A shortcut in use is
// apperr.ErrConflict; bad fields are a validation error naming each.
func (s *Service) Create(ctx context.Context, in Input) (*Response, error) {
	r := &Response{}
	var out *Response
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		if err := s.apply(ctx, tx, r, in); err != nil {
			return err
		}
		now := s.now()
		if err := tx.GetContext(ctx, &r.ID, s.q.Insert, r.Shortcut, r.Title, r.Body, r.TeamID, searchText(r), now, now); err != nil {
			return s.writeErr(err)
		}
		out = r
		return nil
	})
	return out, err
}

// Update changes a canned response (admins).
func (s *Service) Update(ctx context.Context, id store.ID, in Input) (*Response, error) {
	var out *Response
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		r, err := s.load(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := s.apply(ctx, tx, r, in); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q.Update, r.Shortcut, r.Title, r.Body, r.TeamID, searchText(r), s.now(), id); err != nil {
			return s.writeErr(err)
		}
		out = r
		return nil
	})
	return out, err
}

// Delete removes a canned response (admins).
func (s *Service) Delete(ctx context.Context, id store.ID) error {
	res, err := s.db.W.ExecContext(ctx, s.q.Delete, id)
	if err != nil {
		return fmt.Errorf("canned: delete: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("canned response %s: %w", id, apperr.ErrNotFound)
	}
	return nil
}

func (s *Service) writeErr(err error) error {
	if store.IsUniqueViolation(err) {
		return apperr.New(apperr.ErrConflict, "A canned response with this shortcut already exists.")
	}
	return fmt.Errorf("canned: write: %w", err)
}

// apply sets the given fields of r and checks the result (every field but
// the team is required).
func (s *Service) apply(ctx context.Context, tx *store.Tx, r *Response, in Input) error {
	f := apperr.Fields{}
	if in.Shortcut != nil {
		r.Shortcut = strings.TrimPrefix(strings.TrimSpace(*in.Shortcut), "/")
	}
	if in.Title != nil {
		r.Title = strings.TrimSpace(*in.Title)
	}
	if in.Body != nil {
		r.Body = strings.TrimSpace(*in.Body)
	}
	if in.TeamSet {
		r.TeamID = in.TeamID
	}
	switch {
	case r.Shortcut == "":
		f.Add("shortcut", "required")
	case !shortcutRE.MatchString(r.Shortcut):
		f.Add("shortcut", "1 to 32 lowercase letters, digits, - or _")
	}
	switch n := utf8.RuneCountInString(r.Title); {
	case n == 0:
		f.Add("title", "required")
	case n > MaxTitle:
		f.Add("title", fmt.Sprintf("at most %d characters", MaxTitle))
	}
	switch n := utf8.RuneCountInString(r.Body); {
	case n == 0:
		f.Add("body", "required")
	case n > MaxBody:
		f.Add("body", fmt.Sprintf("at most %d characters", MaxBody))
	}
	if r.TeamID != nil {
		var ok bool
		if err := tx.GetContext(ctx, &ok, s.q.TeamExists, *r.TeamID); err != nil {
			return fmt.Errorf("canned: check team: %w", err)
		}
		if !ok {
			f.Add("team_id", "unknown team")
		}
	}
	return f.Err()
}

func searchText(r *Response) string {
	return search.Fold(r.Shortcut + " " + r.Title + " " + r.Body)
}

// placeholderRE finds {{ name.field }} placeholders.
var placeholderRE = regexp.MustCompile(`\{\{\s*([a-z_]+\.[a-z_]+)\s*\}\}`)

// Render fills a canned response's placeholders for a conversation the
// caller may see: {{contact.name}} (the display name, F04),
// {{contact.phone}}, {{agent.name}} (the caller), {{team.name}} (the
// conversation's team) and {{ticket.number}} (the contact's last WhatsApp
// ticket, empty when none, F13). Unknown placeholders stay as they are.
func (s *Service) Render(ctx context.Context, p *auth.Principal, id, conversationID store.ID) (string, error) {
	r, err := s.Get(ctx, p, id)
	if err != nil {
		return "", err
	}
	if conversationID == 0 {
		return "", apperr.Invalid("conversation_id", "required")
	}
	c, err := s.conv.Get(ctx, p, conversationID)
	if err != nil {
		return "", err
	}
	values := map[string]string{"agent.name": p.Name}
	if c.Contact != nil {
		values["contact.name"] = c.Contact.DisplayName
		values["contact.phone"] = c.Contact.WaID
		if c.Contact.Phone != "" {
			values["contact.phone"] = phone.Format(c.Contact.Phone)
		}
		n, err := s.lastWhatsAppTicket(ctx, c.Contact)
		if err != nil {
			return "", err
		}
		values["ticket.number"] = n
	}
	if t, err := s.teams.Get(ctx, c.TeamID); err == nil {
		values["team.name"] = t.Name
	} else if !errors.Is(err, apperr.ErrNotFound) {
		return "", err
	}
	return fill(r.Body, values), nil
}

// fill replaces each known {{placeholder}} of body by its value; unknown
// ones stay as they are.
func fill(body string, values map[string]string) string {
	return placeholderRE.ReplaceAllStringFunc(body, func(m string) string {
		key := placeholderRE.FindStringSubmatch(m)[1]
		if v, ok := values[key]; ok {
			return v
		}
		return m
	})
}

// lastWhatsAppTicket is the number of the contact's newest ticket of origin
// WhatsApp — as requester (its customer) or as the unregistered contact —
// or "" when there is none.
func (s *Service) lastWhatsAppTicket(ctx context.Context, c *contact.Contact) (string, error) {
	type hit struct {
		Number    int64     `db:"number"`
		CreatedAt time.Time `db:"created_at"`
	}
	var best *hit
	try := func(query string, arg store.ID) error {
		var h hit
		if err := store.Get(ctx, s.db.R, &h, query, arg); err != nil {
			if errors.Is(err, store.ErrNotFound) {
				return nil
			}
			return fmt.Errorf("canned: last ticket: %w", err)
		}
		if best == nil || h.CreatedAt.After(best.CreatedAt) {
			best = &h
		}
		return nil
	}
	if c.CustomerID != nil {
		if err := try(s.q.TicketCustomer, *c.CustomerID); err != nil {
			return "", err
		}
	}
	if err := try(s.q.TicketContact, c.ID); err != nil {
		return "", err
	}
	if best == nil {
		return "", nil
	}
	return fmt.Sprint(best.Number), nil
}
