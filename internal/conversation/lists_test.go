package conversation_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"papo/internal/apperr"
	"papo/internal/apptest"
	"papo/internal/auth"
	"papo/internal/channel"
	"papo/internal/contact"
	"papo/internal/conversation"
	"papo/internal/settings"
	"papo/internal/store"
)

// inbox is a workspace with two teams and every kind of conversation, for
// the list tests (F01, F02, F03, F05).
type inbox struct {
	e                     *apptest.Env
	svc                   *conversation.Service
	teamA, teamB          store.ID
	chA, chB              *channel.Channel
	admin, a1, a2, b1, ab *auth.Principal
	rows                  []conversation.Row
	seq                   int
	base                  time.Time
}

func newInbox(t *testing.T) *inbox {
	t.Helper()
	e := apptest.New(t, nil)
	in := &inbox{e: e, svc: e.App.Conv, base: e.Clock.Now()}
	in.teamA, in.teamB = e.Team(t, "Suporte").ID, e.Team(t, "Vendas").ID
	in.chA, in.chB = in.channel(t, "A", "5550001", in.teamA), in.channel(t, "B", "5550002", in.teamB)
	pr := func(u *auth.User) *auth.Principal { return &auth.Principal{User: *u} }
	in.admin = pr(e.User(t, "Admin", auth.RoleAdmin))
	in.a1 = pr(e.User(t, "Ana", auth.RoleAgent, in.teamA))
	in.a2 = pr(e.User(t, "Alice", auth.RoleAgent, in.teamA))
	in.b1 = pr(e.User(t, "Bruno", auth.RoleAgent, in.teamB))
	in.ab = pr(e.User(t, "Amanda", auth.RoleAgent, in.teamA, in.teamB))
	return in
}

func (in *inbox) channel(t *testing.T, name, pnid string, team store.ID) *channel.Channel {
	t.Helper()
	tok := "tok"
	ch, err := in.e.App.Channels.Create(context.Background(), channel.Input{Name: &name, PhoneNumberID: &pnid, DefaultTeamID: &team, AccessToken: &tok})
	if err != nil {
		t.Fatal(err)
	}
	return ch
}

// add stores a conversation (and its contact) directly, minutes before the
// clock's start; equal minutes tie, so the id decides their order.
func (in *inbox) add(t *testing.T, team store.ID, assignee *auth.Principal, status string, minutesAgo int) conversation.Row {
	t.Helper()
	ctx := context.Background()
	db := in.e.App.DB
	in.seq++
	waID := fmt.Sprintf("55119%08d", in.seq)
	at := in.base.Add(-time.Duration(minutesAgo) * time.Minute)
	ch := in.chA
	if team == in.teamB {
		ch = in.chB
	}
	var contactID, id store.ID
	if err := db.W.GetContext(ctx, &contactID, db.W.Rebind(
		`INSERT INTO contacts (wa_id, phone, profile_name, created_at, updated_at) VALUES (?, ?, '', ?, ?) RETURNING id`),
		waID, "+"+waID, at, at); err != nil {
		t.Fatal(err)
	}
	var assigneeID *store.ID
	if assignee != nil {
		assigneeID = &assignee.ID
	}
	var closedAt *time.Time
	if status == conversation.StatusClosed {
		closedAt = &at
	}
	if err := db.W.GetContext(ctx, &id, db.W.Rebind(
		`INSERT INTO conversations (channel_id, contact_id, team_id, assignee_id, status, unread_count, last_activity_at, last_inbound_at, created_at, closed_at)
		 VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?, ?) RETURNING id`),
		ch.ID, contactID, team, assigneeID, status, at, at, at.Add(-time.Hour), closedAt); err != nil {
		t.Fatal(err)
	}
	r, err := in.svc.Load(ctx, nil, id)
	if err != nil {
		t.Fatal(err)
	}
	in.rows = append(in.rows, *r)
	return *r
}

// say stores a message in a conversation (the search triggers index it).
func (in *inbox) say(t *testing.T, r conversation.Row, text string) {
	t.Helper()
	db := in.e.App.DB
	if _, err := db.W.ExecContext(context.Background(), db.W.Rebind(
		`INSERT INTO messages (conversation_id, channel_id, contact_id, direction, author_type, type, text, status, created_at, updated_at)
		 VALUES (?, ?, ?, 'in', 'contact', 'text', ?, 'received', ?, ?)`),
		r.ID, r.ChannelID, r.ContactID, text, r.LastActivityAt, r.LastActivityAt); err != nil {
		t.Fatal(err)
	}
}

func (in *inbox) segment(t *testing.T, on bool) {
	t.Helper()
	d := settings.Defaults()
	d.SegmentedView = on
	if _, err := in.e.App.Settings.Put(context.Background(), d); err != nil {
		t.Fatal(err)
	}
}

// populate adds every combination of team × assignee × status, with ties.
func (in *inbox) populate(t *testing.T) {
	t.Helper()
	minutes := 0
	for _, team := range []store.ID{in.teamA, in.teamB} {
		for _, who := range []*auth.Principal{nil, in.a1, in.a2, in.b1, in.ab, in.admin} {
			for _, status := range []string{conversation.StatusPending, conversation.StatusResolved, conversation.StatusClosed} {
				for range 2 {
					r := in.add(t, team, who, status, minutes/2) // pairs share a minute
					in.say(t, r, "Todas as conversas")
					minutes++
				}
			}
		}
	}
}

// listAll pages through a view with small pages and returns the ids.
func (in *inbox) listAll(t *testing.T, p *auth.Principal, params conversation.ListParams) ([]store.ID, conversation.Counts) {
	t.Helper()
	params.Limit = 10
	var ids []store.ID
	var counts conversation.Counts
	for page := 0; ; page++ {
		res, err := in.svc.List(context.Background(), p, params)
		if err != nil {
			t.Fatalf("List(%+v) as %s: %v", params, p.Name, err)
		}
		if page == 0 {
			counts = res.Counts
		}
		if len(res.Items) > params.Limit {
			t.Fatalf("page of %d items, limit %d", len(res.Items), params.Limit)
		}
		for _, c := range res.Items {
			ids = append(ids, c.ID)
		}
		if res.Next == nil {
			return ids, counts
		}
		if page > 100 {
			t.Fatal("endless paging")
		}
		params.After = res.Next
	}
}

// expected is the oracle, written apart from lists.go: Visible, then the
// view, the team and the status, newest activity first.
func (in *inbox) expected(p *auth.Principal, seg bool, view string, team *store.ID, status string) []store.ID {
	var out []conversation.Row
	for _, r := range in.rows {
		if !conversation.Visible(p, &r, seg) || (team != nil && r.TeamID != *team) || (status != "" && r.Status != status) {
			continue
		}
		if viewHas(p, view, &r) {
			out = append(out, r)
		}
	}
	slices.SortFunc(out, func(a, b conversation.Row) int {
		if c := b.LastActivityAt.Compare(a.LastActivityAt); c != 0 {
			return c
		}
		return int(b.ID - a.ID)
	})
	ids := []store.ID{}
	for _, r := range out {
		ids = append(ids, r.ID)
	}
	return ids
}

func viewHas(p *auth.Principal, view string, r *conversation.Row) bool {
	open := r.Status != conversation.StatusClosed
	switch view {
	case conversation.ViewAll:
		return open
	case conversation.ViewNew:
		return open && r.AssigneeID == nil
	case conversation.ViewMine:
		return open && r.AssigneeID != nil && *r.AssigneeID == p.ID
	case conversation.ViewOthers:
		return open && r.AssigneeID != nil && *r.AssigneeID != p.ID
	case conversation.ViewClosed:
		return !open
	case "pending":
		return r.Status == conversation.StatusPending
	}
	return false
}

// TestListsShowExactlyWhatVisibleAllows_F01_F02_F03: every view × role ×
// segmentation × team filter × status filter lists exactly the conversations
// conversation.Visible allows for that view, newest activity first, across
// pages, with the caller's counts; and refuses what the role may not list.
func TestListsShowExactlyWhatVisibleAllows_F01_F02_F03(t *testing.T) {
	in := newInbox(t)
	in.populate(t)
	ctx := context.Background()
	teams := []*store.ID{nil, &in.teamA, &in.teamB}
	for _, seg := range []bool{false, true} {
		in.segment(t, seg)
		for _, p := range []*auth.Principal{in.admin, in.a1, in.a2, in.b1, in.ab} {
			for _, view := range []string{"", conversation.ViewAll, conversation.ViewNew, conversation.ViewMine, conversation.ViewOthers, conversation.ViewClosed} {
				agent := !p.IsAdmin()
				_, err := in.svc.List(ctx, p, conversation.ListParams{View: view})
				switch {
				case agent && view == conversation.ViewOthers:
					if !errors.Is(err, apperr.ErrForbidden) {
						t.Errorf("seg=%v %s others: err %v, want forbidden", seg, p.Name, err)
					}
					continue
				case agent && seg && view == conversation.ViewAll:
					var v *apperr.ValidationError
					if !errors.As(err, &v) || v.Fields["view"] == "" {
						t.Errorf("seg=%v %s all: err %v, want a 400 naming view", seg, p.Name, err)
					}
					continue
				case err != nil:
					t.Fatalf("seg=%v %s %q: %v", seg, p.Name, view, err)
				}
				want := view
				if want == "" {
					want = conversation.ViewAll
					if agent && seg {
						want = conversation.ViewNew
					}
				}
				for _, team := range teams {
					for _, status := range []string{"", "pending", "resolved", "closed"} {
						if team != nil && status != "" && status != "resolved" {
							continue // filters are predicates on the same rows: a few pairs cover them
						}
						got, counts := in.listAll(t, p, conversation.ListParams{View: view, TeamID: team, Status: status})
						exp := in.expected(p, seg, want, team, status)
						if !slices.Equal(got, exp) {
							t.Errorf("seg=%v %s view=%q team=%v status=%q:\n got %v\nwant %v", seg, p.Name, view, team, status, got, exp)
						}
						// A search matching every conversation lists the same,
						// whichever way it reads the index (lists_search.go).
						for way, lim := range searchWays {
							if status != "" || team != nil && *team == in.teamB {
								break
							}
							restore := conversation.SetSearchLimits(lim[0], lim[1], lim[2], lim[3], lim[4])
							found, _ := in.listAll(t, p, conversation.ListParams{View: view, TeamID: team, Status: status, Query: "conversas"})
							restore()
							if !slices.Equal(found, exp) {
								t.Errorf("seg=%v %s view=%q team=%v status=%q q (%s):\n got %v\nwant %v", seg, p.Name, view, team, status, way, found, exp)
							}
						}
						wc := conversation.Counts{
							New:     len(in.expected(p, seg, conversation.ViewNew, team, "")),
							Mine:    len(in.expected(p, seg, conversation.ViewMine, team, "")),
							Closed:  len(in.expected(p, seg, conversation.ViewClosed, team, "")),
							Pending: len(in.expected(p, seg, "pending", team, "")),
						}
						if !agent {
							wc.Others = len(in.expected(p, seg, conversation.ViewOthers, team, ""))
						}
						if counts != wc {
							t.Errorf("seg=%v %s team=%v counts %+v, want %+v", seg, p.Name, team, counts, wc)
						}
					}
				}
			}
		}
	}
	// Segmentation on: the union of an agent's views is exactly what they may see.
	in.segment(t, true)
	for _, p := range []*auth.Principal{in.a1, in.b1, in.ab} {
		var union []store.ID
		for _, v := range []string{conversation.ViewNew, conversation.ViewMine, conversation.ViewClosed} {
			ids, _ := in.listAll(t, p, conversation.ListParams{View: v})
			union = append(union, ids...)
		}
		var visible []store.ID
		for _, r := range in.rows {
			if conversation.Visible(p, &r, true) {
				visible = append(visible, r.ID)
			}
		}
		slices.Sort(union)
		slices.Sort(visible)
		if !slices.Equal(union, visible) {
			t.Errorf("%s: new ∪ mine ∪ closed = %v, visible %v", p.Name, union, visible)
		}
	}
}

// TestListPagingIsStableUnderWrites_F01: pages follow a keyset cursor, so
// conversations arriving (or becoming active) between pages never make a
// later page repeat or skip one that stayed put.
func TestListPagingIsStableUnderWrites_F01(t *testing.T) {
	in := newInbox(t)
	ctx := context.Background()
	for i := range 40 {
		in.add(t, in.teamA, nil, conversation.StatusPending, 100+i/3) // ties of three
	}
	want := in.expected(in.a1, false, conversation.ViewNew, nil, "")
	var got []store.ID
	params := conversation.ListParams{View: conversation.ViewNew, Limit: 7}
	for page := 0; ; page++ {
		res, err := in.svc.List(ctx, in.a1, params)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range res.Items {
			got = append(got, c.ID)
		}
		// Meanwhile new conversations arrive, at the top of the list.
		in.add(t, in.teamA, nil, conversation.StatusPending, -page-1)
		in.add(t, in.teamA, nil, conversation.StatusResolved, 0)
		if res.Next == nil {
			break
		}
		params.After = res.Next
	}
	if !slices.Equal(got, want) {
		t.Fatalf("paged ids:\n got %v\nwant %v", got, want)
	}
}

// TestListPresentsConversations_F01_F04_F15: items carry the contact's
// display name, the last message preview and the 24-hour window.
func TestListPresentsConversations_F01_F04_F15(t *testing.T) {
	in := newInbox(t)
	ctx := context.Background()
	r := in.add(t, in.teamA, nil, conversation.StatusPending, 5)
	if _, err := in.e.App.Contacts.CreateCustomer(ctx, in.admin, contact.CustomerInput{Name: strp("João da Silva"), Phones: &[]string{"+" + mustWaID(t, in, r)}}); err != nil {
		t.Fatal(err)
	}
	res, err := in.svc.List(ctx, in.a1, conversation.ListParams{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Items) != 1 {
		t.Fatalf("items %d", len(res.Items))
	}
	c := res.Items[0]
	if c.Contact == nil || c.Contact.DisplayName != "João da Silva" {
		t.Errorf("contact %+v, want display name João da Silva", c.Contact)
	}
	if c.WindowExpiresAt == nil || !c.WindowExpiresAt.Equal(r.LastActivityAt.Add(conversation.Window)) {
		t.Errorf("window_expires_at %v, want %v", c.WindowExpiresAt, r.LastActivityAt.Add(conversation.Window))
	}
}

func strp(s string) *string { return &s }

func mustWaID(t *testing.T, in *inbox, r conversation.Row) string {
	t.Helper()
	c, err := in.e.App.Contacts.GetContact(context.Background(), nil, r.ContactID)
	if err != nil {
		t.Fatal(err)
	}
	return c.WaID
}

// recount is the oracle of the counts: the conversations themselves.
func (in *inbox) recount(t *testing.T, p *auth.Principal, seg bool) conversation.Counts {
	t.Helper()
	for i := range in.rows { // reload: the writes below bypass in.rows
		r, err := in.svc.Load(context.Background(), nil, in.rows[i].ID)
		if err != nil {
			t.Fatal(err)
		}
		in.rows[i] = *r
	}
	c := conversation.Counts{
		New:     len(in.expected(p, seg, conversation.ViewNew, nil, "")),
		Mine:    len(in.expected(p, seg, conversation.ViewMine, nil, "")),
		Closed:  len(in.expected(p, seg, conversation.ViewClosed, nil, "")),
		Pending: len(in.expected(p, seg, "pending", nil, "")),
	}
	if p.IsAdmin() {
		c.Others = len(in.expected(p, seg, conversation.ViewOthers, nil, ""))
	}
	return c
}

// TestCountsFollowEveryWrite_F01_F02: the counts are kept by triggers
// (migration 00022) through every kind of write — taking, assigning,
// forwarding, resolving, closing, reopening, deleting — and through
// concurrent writes (on PostgreSQL, moves in opposite directions must not
// deadlock), always equal to counting the conversations.
func TestCountsFollowEveryWrite_F01_F02(t *testing.T) {
	in := newInbox(t)
	in.populate(t)
	ctx := context.Background()
	db := in.e.App.DB
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := db.W.ExecContext(ctx, db.W.Rebind(q), args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	check := func(step string) {
		t.Helper()
		for _, seg := range []bool{false, true} {
			in.segment(t, seg)
			for _, p := range []*auth.Principal{in.admin, in.a1, in.b1, in.ab} {
				res, err := in.svc.List(ctx, p, conversation.ListParams{View: conversation.ViewClosed, Limit: 1})
				if err != nil {
					t.Fatal(err)
				}
				if want := in.recount(t, p, seg); res.Counts != want {
					t.Errorf("after %s, seg=%v %s: counts %+v, want %+v", step, seg, p.Name, res.Counts, want)
				}
			}
		}
	}
	r := in.rows
	exec("UPDATE conversations SET assignee_id = ? WHERE id = ?", in.a1.ID, r[0].ID) // take
	check("take")
	exec("UPDATE conversations SET team_id = ?, assignee_id = NULL WHERE id = ?", in.teamB, r[3].ID) // forward
	check("forward")
	exec("UPDATE conversations SET status = 'resolved' WHERE id = ?", r[6].ID)
	exec("UPDATE conversations SET status = 'closed', closed_at = ? WHERE id = ?", in.base, r[7].ID)
	exec("UPDATE conversations SET status = 'pending' WHERE status = 'resolved' AND team_id = ?", in.teamA) // many rows at once
	check("status changes")
	exec("UPDATE conversations SET last_activity_at = ?, unread_count = 3 WHERE id = ?", in.base, r[8].ID) // no count moves
	exec("DELETE FROM messages WHERE conversation_id = ?", r[9].ID)
	exec("DELETE FROM conversations WHERE id = ?", r[9].ID)
	in.rows = append(in.rows[:9], in.rows[10:]...)
	check("activity and delete")

	// Concurrent moves between the same two count rows in both directions
	// (pending ↔ resolved, same team and assignee), one per transaction.
	var same []store.ID
	for _, row := range in.rows {
		if row.TeamID == in.teamA && row.AssigneeID != nil && *row.AssigneeID == in.a2.ID && row.Status != conversation.StatusClosed {
			same = append(same, row.ID)
		}
	}
	if len(same) < 4 {
		t.Fatalf("only %d conversations to move", len(same))
	}
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 25 {
				_, err := db.W.ExecContext(ctx, db.W.Rebind(`UPDATE conversations SET
					status = CASE status WHEN 'pending' THEN 'resolved' ELSE 'pending' END WHERE id = ?`), same[w%len(same)])
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("concurrent moves: %v", err)
	}
	check("concurrent moves")
}
