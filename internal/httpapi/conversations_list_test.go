package httpapi_test

import (
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"papo/internal/apptest"
	"papo/internal/store"
)

// listJSON is GET /api/v1/conversations as a client reads it.
type listJSON struct {
	Items []struct {
		convJSON
		LastActivityAt string `json:"last_activity_at"`
		LastMessage    *struct {
			Text      string `json:"text"`
			Direction string `json:"direction"`
		} `json:"last_message"`
	} `json:"items"`
	NextCursor *string        `json:"next_cursor"`
	Counts     map[string]int `json:"counts"`
}

func (l *listJSON) ids() []store.ID {
	out := []store.ID{}
	for _, it := range l.Items {
		out = append(out, it.ID)
	}
	return out
}

// TestConversationListBadInput_F01_F02: every bad parameter is a 400 naming
// it; Others is an admin's view (403 for agents); All is refused to agents
// while segmentation is on, and New is then their default.
func TestConversationListBadInput_F01_F02(t *testing.T) {
	in := newInbox(t)
	for i := range 3 {
		inbound(t, in.e, in.ch, newWaID(), "oi", in.e.Clock.Now().Add(time.Duration(i)*time.Second))
	}
	var page listJSON
	in.aC.MustDo(200, "GET", "/api/v1/conversations?limit=1", nil, &page)
	if page.NextCursor == nil {
		t.Fatal("no next_cursor on a page of 1 of 3")
	}
	forged := *page.NextCursor
	forged = forged[:len(forged)-2] + "xx"
	foreign := strings.Replace(*page.NextCursor, ".", "x.", 1)
	for _, c := range []struct{ query, field string }{
		{"view=bogus", "view"},
		{"view=ALL", "view"},
		{"status=open", "status"},
		{"status=closed%00", "status"},
		{"team_id=abc", "team_id"},
		{"team_id=0", "team_id"},
		{"team_id=-3", "team_id"},
		{"limit=-1", "limit"},
		{"limit=abc", "limit"},
		{"cursor=" + url.QueryEscape(forged), "cursor"},
		{"cursor=" + url.QueryEscape(foreign), "cursor"},
		{"cursor=abc", "cursor"},
		{"q=" + strings.Repeat("a", 201), "q"},
	} {
		for who, cl := range map[string]*apptest.Client{"agent": in.aC, "admin": in.adminC} {
			res := cl.Do("GET", "/api/v1/conversations?"+c.query, nil)
			if res.Status != 400 || res.ErrorCode() != "invalid_request" || res.Fields()[c.field] == "" {
				t.Errorf("%s ?%s = %d %s, want 400 naming %s", who, c.query, res.Status, res.Body, c.field)
			}
		}
	}
	if res := in.aC.Do("GET", "/api/v1/conversations?view=others", nil); res.Status != 403 || res.ErrorCode() != "forbidden" {
		t.Errorf("agent others = %d %s", res.Status, res.Body)
	}
	in.adminC.MustDo(200, "GET", "/api/v1/conversations?view=others", nil, nil)
	in.aC.MustDo(200, "GET", "/api/v1/conversations?limit=500", nil, nil) // capped, not refused

	setSegmented(t, in.e, true)
	if res := in.aC.Do("GET", "/api/v1/conversations?view=all", nil); res.Status != 400 || res.Fields()["view"] == "" {
		t.Errorf("agent all with segmentation = %d %s", res.Status, res.Body)
	}
	in.adminC.MustDo(200, "GET", "/api/v1/conversations?view=all", nil, nil)
	var def, news listJSON
	in.aC.MustDo(200, "GET", "/api/v1/conversations", nil, &def)
	in.aC.MustDo(200, "GET", "/api/v1/conversations?view=new", nil, &news)
	if len(def.Items) != 3 || !slices.Equal(def.ids(), news.ids()) {
		t.Errorf("agent default with segmentation %v, new %v", def.ids(), news.ids())
	}
}

// TestConversationListOverHTTP_F01_F04_F05_F15: the list answers items
// (contact with display name, last message preview, window), counts and a
// signed next_cursor that walks every page once; filters and search narrow
// it and never widen it.
func TestConversationListOverHTTP_F01_F04_F05_F15(t *testing.T) {
	in := newInbox(t)
	now := in.e.Clock.Now()
	var ids []store.ID
	for i := range 5 {
		c, _ := inbound(t, in.e, in.ch, newWaID(), "Quero a segunda via do boleto", now.Add(time.Duration(i)*time.Minute))
		ids = append([]store.ID{c.ID}, ids...) // newest first
	}
	joao, _ := inbound(t, in.e, in.ch, "5511987654321", "Olá, bom dia", now.Add(10*time.Minute))
	ids = append([]store.ID{joao.ID}, ids...)
	in.adminC.MustDo(201, "POST", "/api/v1/customers", map[string]any{"name": "João da Silva", "phones": []string{"+55 11 98765-4321"}}, nil)
	setAssignee(t, in.e, ids[1], &in.a.ID)

	var got []store.ID
	cursor := ""
	for page := 0; ; page++ {
		var l listJSON
		in.aC.MustDo(200, "GET", "/api/v1/conversations?limit=2"+cursor, nil, &l)
		if page == 0 {
			want := map[string]int{"new": 5, "mine": 1, "others": 0, "closed": 0, "pending": 6}
			for k, v := range want {
				if n, ok := l.Counts[k]; !ok || n != v {
					t.Errorf("counts[%s] = %d (present %v), want %d: %v", k, n, ok, v, l.Counts)
				}
			}
			it := l.Items[0]
			if it.Contact.DisplayName != "João da Silva" || it.LastMessage == nil || it.LastMessage.Text != "Olá, bom dia" || it.Window == nil {
				t.Errorf("first item %+v", it)
			}
		}
		got = append(got, l.ids()...)
		if l.NextCursor == nil {
			break
		}
		cursor = "&cursor=" + url.QueryEscape(*l.NextCursor)
	}
	if !slices.Equal(got, ids) {
		t.Errorf("paged %v, want %v", got, ids)
	}

	for _, c := range []struct {
		query string
		want  []store.ID
	}{
		{"view=mine", ids[1:2]},
		{"view=new", append(ids[:1:1], ids[2:]...)},
		{"q=joao", ids[:1]},
		{"q=" + url.QueryEscape("98765-4321"), ids[:1]},
		{"q=bolet", ids[1:]},
		{"q=bolet&view=new", ids[2:]},
		{"q=bolet&status=resolved", nil},
		{"team_id=" + in.other.ID.String(), nil}, // not the agent's team: empty, not wider
		{"team_id=" + in.team.ID.String() + "&q=joao", ids[:1]},
		{"status=pending", ids},
		{"view=closed", nil},
	} {
		var l listJSON
		in.aC.MustDo(200, "GET", "/api/v1/conversations?"+c.query, nil, &l)
		if want := append([]store.ID{}, c.want...); !slices.Equal(l.ids(), want) {
			t.Errorf("?%s = %v, want %v", c.query, l.ids(), want)
		}
		var o listJSON
		in.otherC.MustDo(200, "GET", "/api/v1/conversations?"+c.query, nil, &o)
		if len(o.Items) != 0 {
			t.Errorf("another team's agent ?%s = %v", c.query, o.ids())
		}
	}
	var foreign listJSON
	in.aC.MustDo(200, "GET", "/api/v1/conversations?team_id="+in.other.ID.String(), nil, &foreign)
	if foreign.Counts["new"] != 0 || foreign.Counts["pending"] != 0 {
		t.Errorf("counts of a foreign team %v", foreign.Counts)
	}
}
