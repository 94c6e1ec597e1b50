package httpapi_test

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"papo/internal/apptest"
	"papo/internal/auth"
	"papo/internal/channel"
	"papo/internal/conversation"
	"papo/internal/store"
	"papo/internal/team"
)

// convJSON is the part of a Conversation these tests read.
type convJSON struct {
	ID         store.ID  `json:"id"`
	TeamID     store.ID  `json:"team_id"`
	AssigneeID *store.ID `json:"assignee_id"`
	Status     string    `json:"status"`
	Unread     int       `json:"unread_count"`
	ClosedAt   *string   `json:"closed_at"`
	Reason     *string   `json:"closed_reason"`
	Window     *string   `json:"window_expires_at"`
	Contact    struct {
		ID          store.ID `json:"id"`
		DisplayName string   `json:"display_name"`
		ProfileName string   `json:"profile_name"`
		Phone       string   `json:"phone"`
		CustomerID  *string  `json:"customer_id"`
		Blocked     bool     `json:"automation_blocked"`
	} `json:"contact"`
}

type timelineJSON struct {
	Items []struct {
		Kind    string `json:"kind"`
		Message *struct {
			ID        store.ID `json:"id"`
			Direction string   `json:"direction"`
			Text      string   `json:"text"`
		} `json:"message"`
		Note *struct {
			ID        store.ID `json:"id"`
			Direction string   `json:"direction"`
			Text      string   `json:"text"`
			Author    struct {
				Type string `json:"type"`
				Name string `json:"name"`
			} `json:"author"`
		} `json:"note"`
		Event *struct {
			Type       string    `json:"type"`
			ActorID    *store.ID `json:"actor_id"`
			FromTeamID *store.ID `json:"from_team_id"`
			ToTeamID   *store.ID `json:"to_team_id"`
			AssigneeID *store.ID `json:"assignee_id"`
			Note       string    `json:"note"`
			At         string    `json:"at"`
		} `json:"event"`
	} `json:"items"`
	NextCursor *string `json:"next_cursor"`
}

// label names an item for comparisons: "m:<text>", "n:<text>" or "e:<type>".
func (tl *timelineJSON) labels() []string {
	var out []string
	for _, it := range tl.Items {
		switch it.Kind {
		case "message":
			out = append(out, "m:"+it.Message.Text)
		case "note":
			out = append(out, "n:"+it.Note.Text)
		case "event":
			out = append(out, "e:"+it.Event.Type)
		}
	}
	return out
}

// inboxEnv is one team's inbox: admin, two agents of the team, an agent of
// another team, a channel.
type inboxEnv struct {
	e              *apptest.Env
	team, other    *team.Team
	ch             *channel.Channel
	admin, a, b    *auth.User
	outsider       *auth.User
	adminC         *apptest.Client
	aC, bC, otherC *apptest.Client
}

func newInbox(t *testing.T) *inboxEnv {
	t.Helper()
	e := apptest.New(t, nil)
	in := &inboxEnv{e: e}
	in.team = e.Team(t, "Suporte")
	in.other = e.Team(t, "Financeiro")
	in.ch = newChannel(t, e, in.team.ID)
	in.admin = e.User(t, "Ana Admin", auth.RoleAdmin)
	in.a = e.User(t, "Bruno Agente", auth.RoleAgent, in.team.ID)
	in.b = e.User(t, "Carla Agente", auth.RoleAgent, in.team.ID)
	in.outsider = e.User(t, "Diego Fora", auth.RoleAgent, in.other.ID)
	in.adminC, in.aC, in.bC, in.otherC = e.Login(t, in.admin), e.Login(t, in.a), e.Login(t, in.b), e.Login(t, in.outsider)
	return in
}

func convPath(id store.ID, rest string) string { return "/api/v1/conversations/" + id.String() + rest }

// TestTakeRace_F06: 50 agents take one unassigned conversation at the same
// moment; exactly one gets 200 and holds it, the other 49 get 409.
func TestTakeRace_F06(t *testing.T) {
	in := newInbox(t)
	e := in.e
	conv, _ := inbound(t, e, in.ch, newWaID(), "oi", e.Clock.Now())
	const n = 50
	clients := make([]*apptest.Client, n)
	for i := range clients {
		clients[i] = e.Login(t, e.User(t, fmt.Sprintf("Racer %d", i), auth.RoleAgent, in.team.ID))
	}
	statuses := make([]int, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range clients {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			<-start
			res := clients[i].Do("POST", convPath(conv.ID, "/assign"), map[string]any{"assignee_id": clients[i].User.ID})
			statuses[i] = res.Status
		}(i)
	}
	close(start)
	wg.Wait()
	won, lost := -1, 0
	for i, s := range statuses {
		switch s {
		case http.StatusOK:
			if won >= 0 {
				t.Fatalf("two winners: %d and %d", won, i)
			}
			won = i
		case http.StatusConflict:
			lost++
		default:
			t.Errorf("racer %d got %d", i, s)
		}
	}
	if won < 0 || lost != n-1 {
		t.Fatalf("winners/losers: won=%d lost=%d (%v)", won, lost, statuses)
	}
	got := loadConv(t, e, conv.ID)
	if got.AssigneeID == nil || *got.AssigneeID != clients[won].User.ID {
		t.Fatalf("assignee = %v, want the winner %s", got.AssigneeID, clients[won].User.ID)
	}
	var tl timelineJSON
	in.adminC.MustDo(200, "GET", convPath(conv.ID, "/timeline"), nil, &tl)
	if l := strings.Join(tl.labels(), ","); l != "m:oi,e:assigned" {
		t.Fatalf("timeline after the race = %s, want one assigned event", l)
	}
}

// TestAssignRules_F06: admins assign to active agents of the team (anyone
// else is 400 on assignee_id) and may reassign; agents only take for
// themselves (403 for someone else, 409 when taken); closed is 409.
func TestAssignRules_F06(t *testing.T) {
	in := newInbox(t)
	e := in.e
	conv, _ := inbound(t, e, in.ch, newWaID(), "oi", e.Clock.Now())
	path := convPath(conv.ID, "/assign")
	inactive := e.User(t, "Ex Agente", auth.RoleAgent, in.team.ID)
	in.adminC.MustDo(200, "PATCH", "/api/v1/users/"+inactive.ID.String(), map[string]any{"active": false}, nil)

	for name, body := range map[string]any{
		"outsider":          map[string]any{"assignee_id": in.outsider.ID},
		"inactive":          map[string]any{"assignee_id": inactive.ID},
		"unknown":           map[string]any{"assignee_id": "987654"},
		"missing":           map[string]any{},
		"garbage":           map[string]any{"assignee_id": "abc"},
		"admin not in team": map[string]any{"assignee_id": in.admin.ID},
	} {
		res := in.adminC.Do("POST", path, body)
		if res.Status != 400 || res.Fields()["assignee_id"] == "" {
			t.Errorf("%s: = %d %s; want 400 naming assignee_id", name, res.Status, res.Body)
		}
	}
	if res := in.aC.Do("POST", path, map[string]any{"assignee_id": in.b.ID}); res.Status != 403 || res.ErrorCode() != "forbidden" {
		t.Fatalf("agent assigning someone else = %d %s", res.Status, res.Body)
	}
	var c convJSON
	in.aC.MustDo(200, "POST", path, map[string]any{"assignee_id": in.a.ID}, &c)
	if c.AssigneeID == nil || *c.AssigneeID != in.a.ID {
		t.Fatalf("after take: %+v", c)
	}
	in.aC.MustDo(200, "POST", path, map[string]any{"assignee_id": in.a.ID}, nil) // taking one's own again: no change
	if res := in.bC.Do("POST", path, map[string]any{"assignee_id": in.b.ID}); res.Status != 409 || res.ErrorCode() != "conflict" {
		t.Fatalf("taking a taken conversation = %d %s", res.Status, res.Body)
	}
	in.adminC.MustDo(200, "POST", path, map[string]any{"assignee_id": in.b.ID}, &c) // admins reassign
	if *c.AssigneeID != in.b.ID {
		t.Fatalf("after reassign: %+v", c)
	}
	in.adminC.MustDo(200, "POST", convPath(conv.ID, "/close"), map[string]any{"send_closing_message": false, "send_survey": false}, nil)
	if res := in.adminC.Do("POST", path, map[string]any{"assignee_id": in.a.ID}); res.Status != 409 {
		t.Fatalf("assigning a closed conversation = %d", res.Status)
	}
	var tl timelineJSON
	in.adminC.MustDo(200, "GET", convPath(conv.ID, "/timeline"), nil, &tl)
	if l := strings.Join(tl.labels(), ","); l != "m:oi,e:assigned,e:assigned,e:closed" {
		t.Fatalf("timeline = %s", l)
	}
	last := tl.Items[2].Event
	if *last.ActorID != in.admin.ID || *last.AssigneeID != in.b.ID {
		t.Fatalf("reassign event: %+v", last)
	}
}

// TestForward_F08 (F08): forwarding moves the conversation to the other team's
// New list, unassigned, with a forwarded event {from, to, actor, note};
// the agent of the old team no longer sees it.
func TestForward_F08(t *testing.T) {
	in := newInbox(t)
	e := in.e
	conv, _ := inbound(t, e, in.ch, newWaID(), "quero pagar", e.Clock.Now())
	in.aC.MustDo(200, "POST", convPath(conv.ID, "/assign"), map[string]any{"assignee_id": in.a.ID}, nil)

	res := in.aC.Do("POST", convPath(conv.ID, "/forward"), map[string]any{"team_id": "424242"})
	if res.Status != 400 || res.Fields()["team_id"] == "" {
		t.Fatalf("unknown team = %d %s", res.Status, res.Body)
	}
	res = in.aC.Do("POST", convPath(conv.ID, "/forward"), map[string]any{"team_id": in.team.ID})
	if res.Status != 400 || res.Fields()["team_id"] == "" {
		t.Fatalf("same team = %d %s (documented: 400 on team_id)", res.Status, res.Body)
	}
	res = in.aC.Do("POST", convPath(conv.ID, "/forward"), map[string]any{"team_id": in.other.ID, "note": strings.Repeat("x", conversation.MaxForwardNote+1)})
	if res.Status != 400 || res.Fields()["note"] == "" {
		t.Fatalf("long note = %d %s", res.Status, res.Body)
	}
	e.Clock.Advance(time.Minute)
	var c convJSON
	in.aC.MustDo(200, "POST", convPath(conv.ID, "/forward"), map[string]any{"team_id": in.other.ID, "note": "  é do financeiro "}, &c)
	if c.TeamID != in.other.ID || c.AssigneeID != nil {
		t.Fatalf("after forward: %+v", c)
	}
	if res := in.aC.Do("GET", convPath(conv.ID, ""), nil); res.Status != 404 {
		t.Fatalf("old team's agent after forward = %d, want 404", res.Status)
	}
	var tl timelineJSON
	in.otherC.MustDo(200, "GET", convPath(conv.ID, "/timeline"), nil, &tl)
	if l := strings.Join(tl.labels(), ","); l != "m:quero pagar,e:assigned,e:forwarded" {
		t.Fatalf("timeline = %s", l)
	}
	ev := tl.Items[2].Event
	if *ev.FromTeamID != in.team.ID || *ev.ToTeamID != in.other.ID || *ev.ActorID != in.a.ID || ev.Note != "é do financeiro" ||
		ev.At != "2026-11-25T12:01:00Z" {
		t.Fatalf("forward event: %+v", ev)
	}
	in.otherC.MustDo(200, "POST", convPath(conv.ID, "/close"), nil, nil)
	if res := in.otherC.Do("POST", convPath(conv.ID, "/forward"), map[string]any{"team_id": in.team.ID}); res.Status != 409 {
		t.Fatalf("forwarding a closed conversation = %d", res.Status)
	}
}

// TestStatusAndClose_F09_F16: pending ↔ resolved, anything else 400; a
// customer message makes a resolved conversation pending again; closing
// sets closed_at and reason manual and twice is 409; read zeroes unread.
func TestStatusAndClose_F09_F16(t *testing.T) {
	in := newInbox(t)
	e := in.e
	wa := newWaID()
	conv, _ := inbound(t, e, in.ch, wa, "um", e.Clock.Now())
	inbound(t, e, in.ch, wa, "dois", e.Clock.Now().Add(time.Second))
	e.Clock.Advance(2 * time.Second)
	var c convJSON
	in.aC.MustDo(200, "POST", convPath(conv.ID, "/read"), nil, &c)
	if c.Unread != 0 {
		t.Fatalf("unread after read = %d", c.Unread)
	}
	for _, bad := range []any{map[string]any{"status": "closed"}, map[string]any{"status": "open"}, map[string]any{}, map[string]any{"status": 1}} {
		if res := in.aC.Do("POST", convPath(conv.ID, "/status"), bad); res.Status != 400 || res.Fields()["status"] == "" {
			t.Errorf("status %v = %d %s", bad, res.Status, res.Body)
		}
	}
	in.aC.MustDo(200, "POST", convPath(conv.ID, "/status"), map[string]any{"status": "resolved"}, &c)
	if c.Status != "resolved" {
		t.Fatalf("status = %s", c.Status)
	}
	e.Clock.Advance(time.Second)
	inbound(t, e, in.ch, wa, "voltei", e.Clock.Now())
	e.Clock.Advance(time.Second)
	in.aC.MustDo(200, "GET", convPath(conv.ID, ""), nil, &c)
	if c.Status != "pending" || c.Unread != 1 {
		t.Fatalf("after the customer wrote again: %s unread %d", c.Status, c.Unread)
	}
	in.aC.MustDo(200, "POST", convPath(conv.ID, "/status"), map[string]any{"status": "resolved"}, nil)
	e.Clock.Advance(time.Second)
	in.aC.MustDo(200, "POST", convPath(conv.ID, "/status"), map[string]any{"status": "pending"}, &c)
	if c.Status != "pending" {
		t.Fatalf("switch back: %s", c.Status)
	}
	e.Clock.Set(apptest.Start2026.Add(time.Hour))
	in.aC.MustDo(200, "POST", convPath(conv.ID, "/close"), map[string]any{"send_closing_message": false}, &c)
	if c.Status != "closed" || c.ClosedAt == nil || *c.ClosedAt != "2026-11-25T13:00:00Z" || c.Reason == nil || *c.Reason != "manual" {
		t.Fatalf("closed: %+v", c)
	}
	if res := in.aC.Do("POST", convPath(conv.ID, "/close"), nil); res.Status != 409 || res.ErrorCode() != "conflict" {
		t.Fatalf("closing twice = %d %s", res.Status, res.Body)
	}
	if res := in.aC.Do("POST", convPath(conv.ID, "/status"), map[string]any{"status": "pending"}); res.Status != 409 {
		t.Fatalf("status of a closed conversation = %d", res.Status)
	}
	// The customer writes again: a new conversation; the timeline spans both.
	e.Clock.Advance(time.Second)
	next, _ := inbound(t, e, in.ch, wa, "de novo", e.Clock.Now())
	if next.ID == conv.ID {
		t.Fatal("a message after closing reopened the closed conversation")
	}
	var tl timelineJSON
	in.aC.MustDo(200, "GET", convPath(next.ID, "/timeline?events=false"), nil, &tl)
	if l := strings.Join(tl.labels(), ","); l != "m:um,m:dois,e:status_changed,m:voltei,e:status_changed,e:status_changed,e:closed,m:de novo" {
		t.Fatalf("timeline across conversations = %s", l)
	}
}

// TestTimelinePaging_F07: the history of a contact on a channel, oldest
// first, paged backwards with before; events=false hides forwards and
// assignments; notes are items of kind note.
func TestTimelinePaging_F07(t *testing.T) {
	in := newInbox(t)
	e := in.e
	wa := newWaID()
	var want []string
	var conv *conversation.Row
	for i := range 12 {
		conv, _ = inbound(t, e, in.ch, wa, fmt.Sprintf("msg %02d", i), e.Clock.Now())
		want = append(want, fmt.Sprintf("m:msg %02d", i))
		e.Clock.Advance(time.Second)
		switch i {
		case 3:
			in.aC.MustDo(200, "POST", convPath(conv.ID, "/assign"), map[string]any{"assignee_id": in.a.ID}, nil)
			want = append(want, "e:assigned")
		case 5:
			in.aC.MustDo(201, "POST", convPath(conv.ID, "/notes"), map[string]any{"text": "nota interna"}, nil)
			want = append(want, "n:nota interna")
		case 7:
			in.aC.MustDo(200, "POST", convPath(conv.ID, "/close"), map[string]any{"send_closing_message": false, "send_survey": false}, nil)
			want = append(want, "e:closed")
		case 9:
			in.adminC.MustDo(200, "POST", convPath(conv.ID, "/forward"), map[string]any{"team_id": in.other.ID}, nil)
			want = append(want, "e:forwarded")
			in.adminC.MustDo(200, "POST", convPath(conv.ID, "/forward"), map[string]any{"team_id": in.team.ID}, nil)
			want = append(want, "e:forwarded")
		}
		e.Clock.Advance(time.Second)
	}
	for _, limit := range []int{1, 2, 3, 5, 50} {
		var got []string
		cursor := ""
		pages := 0
		for {
			var tl timelineJSON
			q := fmt.Sprintf("/timeline?limit=%d", limit)
			if cursor != "" {
				q += "&before=" + cursor
			}
			in.aC.MustDo(200, "GET", convPath(conv.ID, q), nil, &tl)
			if len(tl.Items) > limit {
				t.Fatalf("limit %d: page of %d", limit, len(tl.Items))
			}
			got = append(tl.labels(), got...)
			pages++
			if tl.NextCursor == nil {
				break
			}
			cursor = *tl.NextCursor
			if pages > 100 {
				t.Fatal("paging does not end")
			}
		}
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Fatalf("limit %d: timeline\n got %v\nwant %v", limit, got, want)
		}
	}
	var tl timelineJSON
	in.aC.MustDo(200, "GET", convPath(conv.ID, "/timeline?events=false"), nil, &tl)
	var noChanges []string
	for _, l := range want {
		if l != "e:assigned" && l != "e:forwarded" {
			noChanges = append(noChanges, l)
		}
	}
	if strings.Join(tl.labels(), ",") != strings.Join(noChanges, ",") {
		t.Fatalf("events=false: %v", tl.labels())
	}
	for _, it := range tl.Items {
		if it.Kind == "note" && (it.Note.Direction != "note" || it.Note.Author.Type != "agent" || it.Note.Author.Name != "Bruno Agente") {
			t.Fatalf("note item: %+v", it.Note)
		}
	}
	for _, bad := range []string{"/timeline?before=forged.abc", "/timeline?events=maybe", "/timeline?limit=-1"} {
		if res := in.aC.Do("GET", convPath(conv.ID, bad), nil); res.Status != 400 {
			t.Errorf("%s = %d", bad, res.Status)
		}
	}
}

// TestMessagesWithinHours_F10: the messages of the last N hours by the
// clock, with their count; N outside 1..24 is 400.
func TestMessagesWithinHours_F10(t *testing.T) {
	in := newInbox(t)
	e := in.e
	wa := newWaID()
	start := e.Clock.Now()
	var conv *conversation.Row
	for _, h := range []int{0, 10, 20, 22, 23} {
		conv, _ = inbound(t, e, in.ch, wa, fmt.Sprintf("h%d", h), start.Add(time.Duration(h)*time.Hour))
	}
	e.Clock.Set(start.Add(23*time.Hour + 30*time.Minute))
	in.aC.MustDo(201, "POST", convPath(conv.ID, "/notes"), map[string]any{"text": "anotado"}, nil)
	for hours, want := range map[string]string{"1": "h23,anotado", "2": "h22,h23,anotado", "4": "h20,h22,h23,anotado", "24": "h0,h10,h20,h22,h23,anotado"} {
		var out struct {
			Items []struct {
				Text string `json:"text"`
			} `json:"items"`
			Count int `json:"count"`
		}
		in.aC.MustDo(200, "GET", convPath(conv.ID, "/messages?within_hours="+hours), nil, &out)
		var texts []string
		for _, m := range out.Items {
			texts = append(texts, m.Text)
		}
		if strings.Join(texts, ",") != want || out.Count != len(out.Items) {
			t.Errorf("within %sh = %v (count %d), want %s", hours, texts, out.Count, want)
		}
	}
}

// TestBadInputOnConversations: api.md's 400s and 404s for the inbox.
func TestBadInputOnConversations(t *testing.T) {
	in := newInbox(t)
	e := in.e
	conv, _ := inbound(t, e, in.ch, newWaID(), "oi", e.Clock.Now())
	cases := []struct {
		name, method, path string
		body               any
		status             int
		field              string
	}{
		{"within 0", "GET", convPath(conv.ID, "/messages?within_hours=0"), nil, 400, "within_hours"},
		{"within 25", "GET", convPath(conv.ID, "/messages?within_hours=25"), nil, 400, "within_hours"},
		{"within abc", "GET", convPath(conv.ID, "/messages?within_hours=abc"), nil, 400, "within_hours"},
		{"within missing", "GET", convPath(conv.ID, "/messages"), nil, 400, "within_hours"},
		{"forward unknown team", "POST", convPath(conv.ID, "/forward"), map[string]any{"team_id": "999999"}, 400, "team_id"},
		{"forward no team", "POST", convPath(conv.ID, "/forward"), map[string]any{}, 400, "team_id"},
		{"status closed", "POST", convPath(conv.ID, "/status"), map[string]any{"status": "closed"}, 400, "status"},
		{"status other", "POST", convPath(conv.ID, "/status"), map[string]any{"status": "done"}, 400, "status"},
		{"note empty", "POST", convPath(conv.ID, "/notes"), map[string]any{"text": "  "}, 400, "text"},
		{"note too long", "POST", convPath(conv.ID, "/notes"), map[string]any{"text": strings.Repeat("á", 4097)}, 400, "text"},
		{"block missing", "PUT", "/api/v1/contacts/" + conv.ContactID.String() + "/automation-block", map[string]any{}, 400, "blocked"},
	}
	for _, route := range []struct{ method, rest string }{{"GET", ""}, {"GET", "/timeline"}, {"GET", "/messages?within_hours=2"},
		{"GET", "/summary"}, {"POST", "/assign"}, {"POST", "/forward"}, {"POST", "/status"}, {"POST", "/close"}, {"POST", "/read"}, {"POST", "/notes"}} {
		for _, id := range []string{"999999", "abc", "0", "-1"} {
			cases = append(cases, struct {
				name, method, path string
				body               any
				status             int
				field              string
			}{"unknown " + id + " " + route.rest, route.method, "/api/v1/conversations/" + id + route.rest, map[string]any{"status": "pending", "text": "x", "team_id": in.other.ID, "assignee_id": in.a.ID}, 404, ""})
		}
	}
	cases = append(cases, struct {
		name, method, path string
		body               any
		status             int
		field              string
	}{"unknown contact", "GET", "/api/v1/contacts/999999", nil, 404, ""})
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var body any = tc.body
			if tc.method == "GET" {
				body = nil
			}
			res := in.adminC.Do(tc.method, tc.path, body)
			if res.Status != tc.status {
				t.Fatalf("= %d %s; want %d", res.Status, res.Body, tc.status)
			}
			if tc.field != "" {
				if _, ok := res.Fields()[tc.field]; !ok || res.ErrorCode() != "invalid_request" {
					t.Fatalf("fields %v, want %q", res.Fields(), tc.field)
				}
			} else if res.ErrorCode() != "not_found" {
				t.Fatalf("code %q", res.ErrorCode())
			}
		})
	}
}

// TestNotesAndSummary_F30_F31: a note is a timeline item of kind note that
// is never queued for WhatsApp; the summary lists teams, handlers, tickets
// and counts.
func TestNotesAndSummary_F30_F31(t *testing.T) {
	in := newInbox(t)
	e := in.e
	wa := newWaID()
	conv, _ := inbound(t, e, in.ch, wa, "oi", e.Clock.Now())
	var note struct {
		Kind string `json:"kind"`
		Note struct {
			ID        store.ID `json:"id"`
			Direction string   `json:"direction"`
			Text      string   `json:"text"`
			Status    string   `json:"status"`
		} `json:"note"`
	}
	in.aC.MustDo(201, "POST", convPath(conv.ID, "/notes"), map[string]any{"text": " cliente VIP "}, &note)
	if note.Kind != "note" || note.Note.Direction != "note" || note.Note.Text != "cliente VIP" || note.Note.Status == "queued" {
		t.Fatalf("note: %+v", note)
	}
	// Retrying with the same Idempotency-Key returns the first note.
	r1 := in.aC.Do("POST", convPath(conv.ID, "/notes"), map[string]any{"text": "uma vez"}, "Idempotency-Key", "k1")
	r2 := in.aC.Do("POST", convPath(conv.ID, "/notes"), map[string]any{"text": "uma vez"}, "Idempotency-Key", "k1")
	if r1.Status != 201 || r2.Status != 200 || string(r1.Body) != string(r2.Body) {
		t.Fatalf("idempotent note: %d %s / %d %s", r1.Status, r1.Body, r2.Status, r2.Body)
	}
	in.aC.MustDo(200, "POST", convPath(conv.ID, "/assign"), map[string]any{"assignee_id": in.a.ID}, nil)
	in.aC.MustDo(200, "POST", convPath(conv.ID, "/forward"), map[string]any{"team_id": in.other.ID}, nil)
	in.otherC.MustDo(200, "POST", convPath(conv.ID, "/assign"), map[string]any{"assignee_id": in.outsider.ID}, nil)
	inbound(t, e, in.ch, wa, "tudo certo?", e.Clock.Now())
	e.Clock.Advance(time.Hour)
	in.otherC.MustDo(200, "POST", convPath(conv.ID, "/close"), nil, nil)

	var sum struct {
		ConversationID store.ID `json:"conversation_id"`
		Status         string   `json:"status"`
		OpenedAt       string   `json:"opened_at"`
		ClosedAt       *string  `json:"closed_at"`
		Teams          []struct {
			ID   store.ID `json:"id"`
			Name string   `json:"name"`
		} `json:"teams"`
		Handlers []struct {
			Name string `json:"name"`
		} `json:"handlers"`
		Tickets      []any          `json:"tickets"`
		SurveyAnswer any            `json:"survey_answer"`
		Messages     map[string]int `json:"messages"`
	}
	in.adminC.MustDo(200, "GET", convPath(conv.ID, "/summary"), nil, &sum)
	if sum.Status != "closed" || sum.OpenedAt != "2026-11-25T12:00:00Z" || sum.ClosedAt == nil || *sum.ClosedAt != "2026-11-25T13:00:00Z" {
		t.Fatalf("summary times: %+v", sum)
	}
	if len(sum.Teams) != 2 || sum.Teams[0].Name != "Suporte" || sum.Teams[1].Name != "Financeiro" {
		t.Fatalf("teams: %+v", sum.Teams)
	}
	if len(sum.Handlers) != 2 || sum.Handlers[0].Name != "Bruno Agente" || sum.Handlers[1].Name != "Diego Fora" {
		t.Fatalf("handlers: %+v", sum.Handlers)
	}
	if sum.Messages["in"] != 2 || sum.Messages["out"] != 0 || sum.Messages["notes"] != 2 || sum.Tickets == nil || sum.SurveyAnswer != nil {
		t.Fatalf("counts/tickets/survey: %+v", sum)
	}
	if res := in.aC.Do("GET", convPath(conv.ID, "/summary"), nil); res.Status != 404 {
		t.Fatalf("summary for an agent of the old team = %d", res.Status)
	}
}

// TestContacts_F04_F17: a contact is visible to callers who may see one of
// its conversations; the automation block toggles.
func TestContacts_F04_F17(t *testing.T) {
	in := newInbox(t)
	e := in.e
	conv, _ := inbound(t, e, in.ch, "551187654321", "oi", e.Clock.Now())
	path := "/api/v1/contacts/" + conv.ContactID.String()
	var c struct {
		WaID        string  `json:"wa_id"`
		Phone       string  `json:"phone"`
		DisplayName string  `json:"display_name"`
		ProfileName string  `json:"profile_name"`
		Blocked     bool    `json:"automation_blocked"`
		LastTicket  *string `json:"last_whatsapp_ticket"`
	}
	in.aC.MustDo(200, "GET", path, nil, &c)
	if c.WaID != "551187654321" || c.DisplayName != "+55 11 8765-4321" || c.ProfileName != "Perfil" || c.Blocked {
		t.Fatalf("contact: %+v", c)
	}
	if res := in.otherC.Do("GET", path, nil); res.Status != 404 {
		t.Fatalf("agent of another team = %d", res.Status)
	}
	if res := in.otherC.Do("PUT", path+"/automation-block", map[string]any{"blocked": true}); res.Status != 404 {
		t.Fatalf("block by an agent of another team = %d", res.Status)
	}
	in.aC.MustDo(200, "PUT", path+"/automation-block", map[string]any{"blocked": true}, &c)
	if !c.Blocked {
		t.Fatal("not blocked")
	}
	var cv convJSON
	in.aC.MustDo(200, "GET", convPath(conv.ID, ""), nil, &cv)
	if !cv.Contact.Blocked {
		t.Fatal("the conversation's contact does not show the block")
	}
	in.adminC.MustDo(200, "PUT", path+"/automation-block", map[string]any{"blocked": false}, &c)
	if c.Blocked {
		t.Fatal("still blocked")
	}
	// With segmentation on, a contact whose only conversation another agent holds is hidden.
	setAssignee(t, e, conv.ID, idPtr(in.b.ID))
	setSegmented(t, e, true)
	if res := in.aC.Do("GET", path, nil); res.Status != 404 {
		t.Fatalf("segmented, another's contact = %d", res.Status)
	}
	in.bC.MustDo(200, "GET", path, nil, nil)
}

// TestNinthDigitDisplayName_F04: the conversation shows the registered
// customer's name when the numbers match with or without Brazil's ninth
// digit, never for landlines or other countries that merely look alike,
// and follows later registrations and edits.
func TestNinthDigitDisplayName_F04(t *testing.T) {
	in := newInbox(t)
	e := in.e
	mk := func(name string, phones ...string) store.ID {
		var cu struct {
			ID store.ID `json:"id"`
		}
		in.adminC.MustDo(201, "POST", "/api/v1/customers", map[string]any{"name": name, "phones": phones}, &cu)
		return cu.ID
	}
	mk("Maria Com Nove", "+55 11 98765-4321")
	mk("João Sem Nove", "+55 21 8877-6655")
	mk("Loja Fixa", "+55 11 3456-7890")
	mk("Ana Lisboa", "+351 912 345 678")
	mk("Bob US", "+1 650 555 1234")
	cases := []struct {
		waID, want string // want "": no customer, the formatted number
	}{
		{"551187654321", "Maria Com Nove"}, // wa_id without the 9 ↔ registered with it
		{"5521988776655", "João Sem Nove"}, // wa_id with the 9 ↔ registered without it
		{"551134567890", "Loja Fixa"},      // the landline itself
		{"5511934567890", ""},              // a 9 before a landline is another number
		{"351912345678", "Ana Lisboa"},     // Portugal, exact
		{"35112345678", ""},                // Portugal without its 9: no match
		{"16505551234", "Bob US"},          // United States, exact
		{"5511998765432", ""},              // unregistered
	}
	for _, tc := range cases {
		conv, _ := inbound(t, e, in.ch, tc.waID, "oi", e.Clock.Now())
		var c convJSON
		in.aC.MustDo(200, "GET", convPath(conv.ID, ""), nil, &c)
		if tc.want == "" {
			if c.Contact.CustomerID != nil || !strings.ContainsAny(c.Contact.DisplayName, "0123456789") {
				t.Errorf("wa_id %s matched: %+v", tc.waID, c.Contact)
			}
		} else if c.Contact.DisplayName != tc.want || c.Contact.CustomerID == nil {
			t.Errorf("wa_id %s: display_name %q, want %q", tc.waID, c.Contact.DisplayName, tc.want)
		}
		if c.Contact.ProfileName != "Perfil" {
			t.Errorf("profile name replaced: %+v", c.Contact)
		}
	}

	// Registered later, then edited: the conversation follows.
	conv, _ := inbound(t, e, in.ch, "553187776655", "oi", e.Clock.Now())
	name := func() string {
		var c convJSON
		in.aC.MustDo(200, "GET", convPath(conv.ID, ""), nil, &c)
		return c.Contact.DisplayName
	}
	if got := name(); got != "+55 31 8777-6655" {
		t.Fatalf("before registering: %q", got)
	}
	id := mk("Fernanda", "+55 31 98777-6655")
	if got := name(); got != "Fernanda" {
		t.Fatalf("after registering: %q", got)
	}
	in.aC.MustDo(200, "PATCH", "/api/v1/customers/"+id.String(), map[string]any{"name": "Fernanda Costa"}, nil)
	if got := name(); got != "Fernanda Costa" {
		t.Fatalf("after renaming: %q", got)
	}
	in.aC.MustDo(200, "PATCH", "/api/v1/customers/"+id.String(), map[string]any{"phones": []string{"+55 31 3333-4444"}}, nil)
	if got := name(); got != "+55 31 8777-6655" {
		t.Fatalf("after the number left the customer: %q", got)
	}
}
