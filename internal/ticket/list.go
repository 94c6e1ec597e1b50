package ticket

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"papo/internal/apperr"
	"papo/internal/auth"
	"papo/internal/search"
	"papo/internal/store"
)

// Filter narrows the ticket list; zero fields do not filter. Q matches words
// and word prefixes of the title and description, ignoring case and accents
// (every word must match); a Q that is a number ("1042" or "#1042") also
// finds the ticket with exactly that number.
type Filter struct {
	Q           string
	Status      string
	Origin      string
	RequesterID store.ID
	TeamID      store.ID
}

// Validate checks the filter's values, naming each bad one.
func (f Filter) Validate() error {
	bad := apperr.Fields{}
	if f.Status != "" && !slices.Contains(Statuses, f.Status) {
		bad.Add("status", "must be one of open, in_progress, resolved, closed")
	}
	if f.Origin != "" && !slices.Contains(Origins, f.Origin) {
		bad.Add("origin", "must be one of whatsapp, email, phone, web")
	}
	return bad.Err()
}

// Cursor continues a list after the last ticket shown (newest first).
type Cursor struct {
	ID store.ID `json:"i"`
}

// Page is one page of the list.
type Page struct {
	Items []Ticket
	Next  *Cursor
}

// maxTerms bounds the words of a search.
const maxTerms = 8

// List returns the tickets the caller may see that match f, newest first
// (by id, which follows the order of creation, like the number), limit at a
// time. Paging is by keyset, so the order is stable under concurrent
// writes. Search answers from the full-text index.
func (s *Service) List(ctx context.Context, p *auth.Principal, f Filter, after *Cursor, limit int) (*Page, error) {
	if err := f.Validate(); err != nil {
		return nil, err
	}
	page := &Page{Items: []Ticket{}}
	rows, err := s.listRows(ctx, p, f, after, limit+1, false)
	if err != nil {
		return nil, err
	}
	if _, ok := numberQuery(f.Q); ok {
		// The ticket with exactly that number, merged into the words'
		// page: the first limit+1 of the union are among the words' first
		// limit+1 and that one ticket.
		exact, err := s.listRows(ctx, p, f, after, 1, true)
		if err != nil {
			return nil, err
		}
		if len(exact) == 1 && !slices.ContainsFunc(rows, func(r Row) bool { return r.ID == exact[0].ID }) {
			rows = append(rows, exact[0])
			slices.SortFunc(rows, func(a, b Row) int { return cmp.Compare(b.ID, a.ID) })
		}
	}
	if len(rows) > limit {
		rows = rows[:limit]
		last := rows[limit-1]
		page.Next = &Cursor{ID: last.ID}
	}
	items, err := s.present(ctx, s.db.R, rows)
	if err != nil {
		return nil, err
	}
	page.Items = items
	return page, nil
}

func (s *Service) listRows(ctx context.Context, p *auth.Principal, f Filter, from *Cursor, limit int, number bool) ([]Row, error) {
	query, args, ok, err := s.listQuery(p, f, from, limit, number)
	if err != nil || !ok {
		return nil, err
	}
	var rows []Row
	if err := s.db.R.SelectContext(ctx, &rows, query, args...); err != nil {
		return nil, fmt.Errorf("ticket: list: %w", err)
	}
	return rows, nil
}

// listQuery composes the list query from the fragments of lists*.sql: the
// search head when f.Q has words, else the plain head — which, with number
// set, finds only the ticket numbered f.Q. ok is false when the caller can
// see no ticket at all.
func (s *Service) listQuery(p *auth.Principal, f Filter, from *Cursor, limit int, number bool) (query string, args []any, ok bool, err error) {
	var b strings.Builder
	add := func(fragment string, a ...any) {
		b.WriteString(fragment)
		b.WriteByte('\n')
		args = append(args, a...)
	}
	terms := search.Terms(f.Q, maxTerms)
	after, order := s.q.ListAfter, s.q.ListOrder
	var filter []any // the words as a filter of the plain head
	switch n, _ := numberQuery(f.Q); {
	case number:
		add(s.q.List)
		add(s.q.ListNumber, n)
	case len(terms) > 0 && f.RequesterID != 0:
		// A requester has few tickets: walk those and test each against
		// the index, rather than walk every match of the words.
		add(s.q.List)
		filter = []any{s.matchQuery(terms)}
	case len(terms) > 0:
		add(s.q.ListSearch, s.matchQuery(terms))
		after, order = s.q.ListSearchAfter, s.q.ListSearchOrder
	default:
		add(s.q.List)
	}
	if from != nil {
		add(after, from.ID)
	}
	if filter != nil {
		add(s.q.ListSearchFilter, filter...)
	}
	switch {
	case !p.IsAdmin() && f.TeamID != 0:
		if !p.InTeam(f.TeamID) {
			return "", nil, false, nil // never widens what the caller may see
		}
		add(s.q.ListTeam, f.TeamID)
	case !p.IsAdmin():
		if len(p.TeamIDs) == 0 {
			return "", nil, false, nil
		}
		add(s.q.ListInTeams, p.TeamIDs)
	case f.TeamID != 0:
		add(s.q.ListTeam, f.TeamID)
	}
	if f.Status != "" {
		add(s.q.ListStatus, f.Status)
	}
	if f.Origin != "" {
		add(s.q.ListOrigin, f.Origin)
	}
	if f.RequesterID != 0 {
		add(s.q.ListRequester, f.RequesterID)
	}
	add(order, limit)
	query, args, err = s.db.In(b.String(), args...)
	return query, args, err == nil, err
}

// matchQuery turns folded words (letters and digits only, so nothing in them
// is query syntax) into the engine's full-text query: every word, as a
// prefix.
func (s *Service) matchQuery(terms []string) string {
	parts := make([]string, len(terms))
	for i, t := range terms {
		if s.db.Dialect == store.Postgres {
			parts[i] = t + ":*"
		} else {
			parts[i] = `"` + t + `"*`
		}
	}
	if s.db.Dialect == store.Postgres {
		return strings.Join(parts, " & ")
	}
	return strings.Join(parts, " ")
}

// numberQuery reports whether q is a ticket number ("1042", "#1042").
func numberQuery(q string) (int64, bool) {
	q = strings.TrimPrefix(strings.TrimSpace(q), "#")
	n, err := strconv.ParseInt(q, 10, 64)
	return n, err == nil && n > 0
}
