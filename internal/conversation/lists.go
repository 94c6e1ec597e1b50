package conversation

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"papo/internal/apperr"
	"papo/internal/auth"
	"papo/internal/store"
)

// The inbox views (F01, F02; api.md "Conversations").
const (
	ViewAll    = "all"    // every open conversation the caller sees
	ViewNew    = "new"    // open and unassigned, in the caller's teams
	ViewMine   = "mine"   // open and assigned to the caller
	ViewOthers = "others" // open and assigned to another agent (admins only)
	ViewClosed = "closed" // closed
)

// Page sizes of the lists.
const (
	DefaultListLimit = 50
	MaxListLimit     = 200
)

// ListParams select one page of an inbox list.
type ListParams struct {
	// View is one of the View* constants; "" is the caller's default (all,
	// or new for agents with segmentation on).
	View string
	// TeamID narrows the list (and the counts) to one team; a team an agent
	// is not in gives an empty list, never a wider one.
	TeamID *store.ID
	// Status narrows to pending, resolved or closed; "" is any.
	Status string
	// Query searches contact names, phone digits and message text (F05).
	Query string
	// After continues from the last row of the previous page.
	After *ListCursor
	// Limit is the page size (1…MaxListLimit; 0 = DefaultListLimit).
	Limit int
}

// ListCursor is a keyset position: the page continues strictly after this
// (last_activity_at, id) in the order newest activity first. Rows inserted
// or moved meanwhile never make a page repeat or skip one that stayed put.
type ListCursor struct {
	At time.Time `json:"t"`
	ID store.ID  `json:"i"`
}

// Counts are the caller's tab badges: each view's size under the caller's
// visibility (within TeamID when set), and the visible pending ones (the
// WhatsApp badge). They ignore View, Status and Query.
type Counts struct {
	New     int `json:"new" db:"new"`
	Mine    int `json:"mine" db:"mine"`
	Others  int `json:"others" db:"others"`
	Closed  int `json:"closed" db:"closed"`
	Pending int `json:"pending" db:"pending"`
}

// ListPage is one page of a list.
type ListPage struct {
	Items  []Conversation
	Next   *ListCursor
	Counts Counts
}

type listQueries struct {
	Open            string `query:"list-open"`
	OpenTeam        string `query:"list-open-team"`
	New             string `query:"list-new"`
	NewTeam         string `query:"list-new-team"`
	Mine            string `query:"list-mine"`
	MineTeams       string `query:"list-mine-teams,in"`
	Others          string `query:"list-others"`
	OthersTeam      string `query:"list-others-team"`
	Closed          string `query:"list-closed"`
	ClosedTeam      string `query:"list-closed-team"`
	ClosedTeamSeg   string `query:"list-closed-team-segmented"`
	CountsAdmin     string `query:"counts-admin"`
	CountsAdminTeam string `query:"counts-admin-team"`
	CountsAgent     string `query:"counts-agent,in"`
	CountsAgentSeg  string `query:"counts-agent-segmented,in"`

	// lists_search.go; lists.sqlite.sql and lists.postgres.sql
	MessageIDs    string `query:"search-message-ids"`
	MessageHits   string `query:"search-message-hits"`
	ContactHits   string `query:"search-contact-hits"`
	MessageTexts  string `query:"search-message-texts,in"`
	ContactsAmong string `query:"search-contacts-among,in"`
	OfContacts    string `query:"conversations-of-contacts,in"`
	GetByIDs      string `query:"get-conversations,in"`
}

// stream is one ordered source of a list: a query of lists.sql and its
// leading arguments (the common tail — status, keyset, limit — is added when
// it runs).
type stream struct {
	query string
	in    bool // expand slice arguments with DB.In
	args  []any
}

// scope is what one list request may read, resolved from the caller, the
// settings and the parameters.
type scope struct {
	p         *auth.Principal
	view      string
	segmented bool
	teams     []store.ID // agents: their teams (∩ TeamID); admins: nil = every team, or TeamID
	status    string
	empty     bool // nothing can match (a foreign team, contradictory status)
}

// listEnd is the keyset start of a first page: after every real row.
var listEnd = ListCursor{At: time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC), ID: store.ID(1<<63 - 1)}

// List returns one page of an inbox view, newest activity first, with the
// caller's counts. It shows exactly the conversations Visible allows
// (visibility.go): the SQL of lists.sql mirrors that rule.
func (s *Service) List(ctx context.Context, p *auth.Principal, in ListParams) (*ListPage, error) {
	sc, err := s.listScope(ctx, p, in)
	if err != nil {
		return nil, err
	}
	limit := in.Limit
	if limit <= 0 {
		limit = DefaultListLimit
	}
	limit = min(limit, MaxListLimit)
	after := listEnd
	if in.After != nil {
		after = *in.After
	}
	page := &ListPage{Items: []Conversation{}}
	if page.Counts, err = s.counts(ctx, sc); err != nil {
		return nil, err
	}
	if sc.empty {
		return page, nil
	}
	var rows []Row
	var resume *ListCursor
	if terms := parseQuery(in.Query); len(terms) > 0 {
		rows, resume, err = s.search(ctx, sc, terms, after, limit+1)
	} else {
		rows, err = s.readStreams(ctx, sc.streams(s), sc.status, after, limit+1)
	}
	if err != nil {
		return nil, err
	}
	if len(rows) > limit {
		rows = rows[:limit]
		last := rows[limit-1]
		page.Next = &ListCursor{At: last.LastActivityAt, ID: last.ID}
	} else if resume != nil {
		page.Next = resume // a search page cut short (lists_search.go)
	}
	if page.Items, err = s.Present(ctx, nil, rows); err != nil {
		return nil, err
	}
	return page, nil
}

// listScope checks the parameters against the caller's role and the
// segmentation setting.
func (s *Service) listScope(ctx context.Context, p *auth.Principal, in ListParams) (*scope, error) {
	if p == nil {
		return nil, apperr.ErrUnauthenticated
	}
	seg, err := s.segmented(ctx)
	if err != nil {
		return nil, err
	}
	sc := &scope{p: p, view: in.View, segmented: seg, status: in.Status}
	admin := p.IsAdmin()
	switch sc.view {
	case "":
		sc.view = ViewAll
		if seg && !admin {
			sc.view = ViewNew
		}
	case ViewAll:
		if seg && !admin {
			return nil, apperr.Invalid("view", "with segmented view on, agents list new, mine or closed")
		}
	case ViewNew, ViewMine, ViewClosed:
	case ViewOthers:
		if !admin {
			return nil, apperr.New(apperr.ErrForbidden, "Only admins list the conversations of other agents.")
		}
	default:
		return nil, apperr.Invalid("view", "must be all, new, mine, others or closed")
	}
	switch sc.status {
	case "", StatusPending, StatusResolved, StatusClosed:
	default:
		return nil, apperr.Invalid("status", "must be pending, resolved or closed")
	}
	if (sc.view == ViewClosed) != (sc.status == StatusClosed) && sc.status != "" {
		sc.empty = true // closed conversations are only in Closed, and Closed has nothing else
	}
	if in.TeamID != nil && *in.TeamID <= 0 {
		return nil, apperr.Invalid("team_id", "not a team id")
	}
	switch {
	case admin && in.TeamID != nil:
		sc.teams = []store.ID{*in.TeamID}
	case admin:
	case in.TeamID != nil:
		if p.InTeam(*in.TeamID) {
			sc.teams = []store.ID{*in.TeamID}
		}
	default:
		sc.teams = slices.Clone(p.TeamIDs)
	}
	if !admin && len(sc.teams) == 0 {
		sc.empty = true
	}
	return sc, nil
}

// streams returns the ordered sources whose merge is the scope's view.
func (sc *scope) streams(s *Service) []stream {
	q := &s.lq
	me := sc.p.ID
	perTeam := func(query string, extra ...any) []stream {
		out := make([]stream, 0, len(sc.teams))
		for _, t := range sc.teams {
			out = append(out, stream{query: query, args: append([]any{t}, extra...)})
		}
		return out
	}
	all := sc.teams == nil // an admin over every team
	switch sc.view {
	case ViewAll:
		if all {
			return []stream{{query: q.Open}}
		}
		return perTeam(q.OpenTeam)
	case ViewNew:
		if all {
			return []stream{{query: q.New}}
		}
		return perTeam(q.NewTeam)
	case ViewMine:
		if all {
			return []stream{{query: q.Mine, args: []any{me}}}
		}
		return []stream{{query: q.MineTeams, in: true, args: []any{me, sc.teams}}}
	case ViewOthers:
		if all {
			return []stream{{query: q.Others, args: []any{me}}}
		}
		return perTeam(q.OthersTeam, me)
	case ViewClosed:
		switch {
		case all:
			return []stream{{query: q.Closed}}
		case sc.segmented && !sc.p.IsAdmin():
			return perTeam(q.ClosedTeamSeg, me)
		default:
			return perTeam(q.ClosedTeam)
		}
	}
	return nil
}

// readStreams reads up to n rows strictly after the keyset position from
// each stream and merges them, newest activity first.
func (s *Service) readStreams(ctx context.Context, streams []stream, status string, after ListCursor, n int) ([]Row, error) {
	var out []Row
	for _, st := range streams {
		args := append(slices.Clone(st.args), status, status, after.At, after.At, after.ID, n)
		query := st.query
		if st.in {
			var err error
			if query, args, err = s.db.In(query, args...); err != nil {
				return nil, err
			}
		}
		var rows []Row
		if err := s.db.R.SelectContext(ctx, &rows, query, args...); err != nil {
			return nil, fmt.Errorf("conversation: list: %w", err)
		}
		out = append(out, rows...)
	}
	if len(streams) > 1 {
		sortRows(out)
		out = slices.CompactFunc(out, func(a, b Row) bool { return a.ID == b.ID })
	}
	if len(out) > n {
		out = out[:n]
	}
	return out, nil
}

// sortRows orders rows as the lists do: newest activity first, then id.
func sortRows(rows []Row) {
	slices.SortFunc(rows, func(a, b Row) int {
		if c := b.LastActivityAt.Compare(a.LastActivityAt); c != 0 {
			return c
		}
		return cmp.Compare(b.ID, a.ID)
	})
}

// before reports whether r comes strictly after the cursor in list order.
func (c ListCursor) before(r *Row) bool {
	if c := r.LastActivityAt.Compare(c.At); c != 0 {
		return c < 0
	}
	return r.ID < c.ID
}

// counts returns the caller's tab counts within the scope's teams.
func (s *Service) counts(ctx context.Context, sc *scope) (Counts, error) {
	var c Counts
	if !sc.p.IsAdmin() && len(sc.teams) == 0 {
		return c, nil
	}
	me := sc.p.ID
	var query string
	var args []any
	switch {
	case sc.p.IsAdmin() && sc.teams == nil:
		query, args = s.lq.CountsAdmin, []any{me, me}
	case sc.p.IsAdmin():
		query, args = s.lq.CountsAdminTeam, []any{me, me, sc.teams[0]}
	case sc.segmented:
		query, args = s.lq.CountsAgentSeg, []any{sc.teams, me}
	default:
		query, args = s.lq.CountsAgent, []any{me, sc.teams}
	}
	if !sc.p.IsAdmin() {
		var err error
		if query, args, err = s.db.In(query, args...); err != nil {
			return c, err
		}
	}
	if err := s.db.R.GetContext(ctx, &c, query, args...); err != nil {
		return c, fmt.Errorf("conversation: counts: %w", err)
	}
	return c, nil
}

// inView is the list rule in Go: whether r belongs to the scope's view.
// It must agree with the SQL of lists.sql (the tests compare them); search
// uses it to filter candidates found through the search index.
func (sc *scope) inView(r *Row) bool {
	if !Visible(sc.p, r, sc.segmented) {
		return false
	}
	if sc.teams != nil && !slices.Contains(sc.teams, r.TeamID) {
		return false
	}
	if sc.status != "" && r.Status != sc.status {
		return false
	}
	closed := r.Status == StatusClosed
	switch sc.view {
	case ViewAll:
		return !closed
	case ViewNew:
		return !closed && r.AssigneeID == nil
	case ViewMine:
		return !closed && r.AssigneeID != nil && *r.AssigneeID == sc.p.ID
	case ViewOthers:
		return !closed && r.AssigneeID != nil && *r.AssigneeID != sc.p.ID
	case ViewClosed:
		return closed
	}
	return false
}
