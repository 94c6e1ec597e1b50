package httpapi_test

import (
	"context"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"

	"papo/internal/apptest"
	"papo/internal/store"
)

type cannedJSON struct {
	ID       store.ID  `json:"id"`
	Shortcut string    `json:"shortcut"`
	Title    string    `json:"title"`
	Body     string    `json:"body"`
	TeamID   *store.ID `json:"team_id"`
}

func shortcuts(items []cannedJSON) string {
	var out []string
	for _, c := range items {
		out = append(out, c.Shortcut)
	}
	sort.Strings(out)
	return strings.Join(out, ",")
}

// TestCannedResponses_F14: admins create, edit and delete; shortcuts are
// unique and well-formed; agents see the responses of every team and of
// their teams; search folds case and accents; paging works.
func TestCannedResponses_F14(t *testing.T) {
	in := newInbox(t)
	clients := map[string]*apptest.Client{"admin": in.adminC, "a": in.aC, "other": in.otherC}
	get := func(t *testing.T, who string, query string) []cannedJSON {
		t.Helper()
		var out struct {
			Items []cannedJSON `json:"items"`
		}
		clients[who].MustDo(200, "GET", "/api/v1/canned-responses"+query, nil, &out)
		return out.Items
	}
	// With none registered, the picker has nothing to insert.
	if got := get(t, "a", ""); len(got) != 0 {
		t.Fatalf("empty workspace lists %v", got)
	}
	var hello, money, support cannedJSON
	in.adminC.MustDo(201, "POST", "/api/v1/canned-responses", map[string]any{"shortcut": "ola", "title": "Saudação",
		"body": "Olá {{contact.name}}, sou {{agent.name}} da equipe {{team.name}}. {{unknown.thing}}"}, &hello)
	if hello.TeamID != nil || hello.Shortcut != "ola" {
		t.Fatalf("created: %+v", hello)
	}
	in.adminC.MustDo(201, "POST", "/api/v1/canned-responses", map[string]any{"shortcut": "boleto", "title": "Segunda via",
		"body": "Segue a segunda via do boleto, {{contact.name}}.", "team_id": in.other.ID}, &money)
	in.adminC.MustDo(201, "POST", "/api/v1/canned-responses", map[string]any{"shortcut": "chamado", "title": "Número do chamado",
		"body": "Seu chamado é o {{ticket.number}} ({{contact.phone}}).", "team_id": in.team.ID}, &support)

	for _, bad := range []struct {
		body   map[string]any
		status int
		field  string
	}{
		{map[string]any{"shortcut": "ola", "title": "x", "body": "y"}, 409, ""},
		{map[string]any{"shortcut": "Olá!", "title": "x", "body": "y"}, 400, "shortcut"},
		{map[string]any{"shortcut": strings.Repeat("a", 33), "title": "x", "body": "y"}, 400, "shortcut"},
		{map[string]any{"title": "x", "body": "y"}, 400, "shortcut"},
		{map[string]any{"shortcut": "a1", "body": "y"}, 400, "title"},
		{map[string]any{"shortcut": "a1", "title": "x", "body": strings.Repeat("b", 4097)}, 400, "body"},
		{map[string]any{"shortcut": "a1", "title": "x", "body": "y", "team_id": "424242"}, 400, "team_id"},
	} {
		res := in.adminC.Do("POST", "/api/v1/canned-responses", bad.body)
		if res.Status != bad.status || (bad.field != "" && res.Fields()[bad.field] == "") {
			t.Errorf("POST %v = %d %s", bad.body, res.Status, res.Body)
		}
	}
	if res := in.aC.Do("POST", "/api/v1/canned-responses", map[string]any{"shortcut": "x", "title": "x", "body": "x"}); res.Status != 403 {
		t.Fatalf("agent creating = %d", res.Status)
	}

	// Scope: admins all; agents every team's and their own teams'.
	if got := shortcuts(get(t, "admin", "")); got != "boleto,chamado,ola" {
		t.Fatalf("admin sees %s", got)
	}
	if got := shortcuts(get(t, "a", "")); got != "chamado,ola" {
		t.Fatalf("support agent sees %s", got)
	}
	if got := shortcuts(get(t, "other", "")); got != "boleto,ola" {
		t.Fatalf("finance agent sees %s", got)
	}
	if got := shortcuts(get(t, "admin", "?team_id="+in.other.ID.String())); got != "boleto,ola" {
		t.Fatalf("admin filtering the finance team sees %s", got)
	}
	if got := shortcuts(get(t, "a", "?team_id="+in.other.ID.String())); got != "ola" {
		t.Fatalf("support agent asking for another team's sees %s", got)
	}
	// Search: shortcut, title and body, case and accents folded, word parts.
	for q, want := range map[string]string{"saudacao": "ola", "SEGUNDA": "boleto", "cham": "chamado", "ola equipe": "ola", "nada": "", "bolet via": "boleto"} {
		if got := shortcuts(get(t, "admin", "?q="+url.QueryEscape(q))); got != want {
			t.Errorf("q=%q: %s, want %s", q, got, want)
		}
	}
	if got := shortcuts(get(t, "other", "?q=chamado")); got != "" {
		t.Errorf("search widened an agent's scope: %s", got)
	}
	// Paging by shortcut.
	var page struct {
		Items      []cannedJSON `json:"items"`
		NextCursor *string      `json:"next_cursor"`
	}
	in.adminC.MustDo(200, "GET", "/api/v1/canned-responses?limit=2", nil, &page)
	if shortcuts(page.Items) != "boleto,chamado" || page.NextCursor == nil {
		t.Fatalf("page 1: %+v", page)
	}
	in.adminC.MustDo(200, "GET", "/api/v1/canned-responses?limit=2&cursor="+*page.NextCursor, nil, &page)
	if shortcuts(page.Items) != "ola" || page.NextCursor != nil {
		t.Fatalf("page 2: %+v", page)
	}

	// Render for a conversation the caller may see.
	conv, _ := inbound(t, in.e, in.ch, "551187654321", "oi", in.e.Clock.Now())
	in.adminC.MustDo(201, "POST", "/api/v1/customers", map[string]any{"name": "Maria Silva", "phones": []string{"+55 11 98765-4321"}}, nil)
	var out struct {
		Text string `json:"text"`
	}
	in.aC.MustDo(200, "POST", "/api/v1/canned-responses/"+hello.ID.String()+"/render", map[string]any{"conversation_id": conv.ID}, &out)
	if out.Text != "Olá Maria Silva, sou Bruno Agente da equipe Suporte. {{unknown.thing}}" {
		t.Fatalf("rendered %q", out.Text)
	}
	in.aC.MustDo(200, "POST", "/api/v1/canned-responses/"+support.ID.String()+"/render", map[string]any{"conversation_id": conv.ID}, &out)
	if out.Text != "Seu chamado é o  (+55 11 8765-4321)." {
		t.Fatalf("rendered without a ticket: %q", out.Text)
	}
	// The contact's last WhatsApp ticket, as requester (its customer) or as contact.
	now := in.e.Clock.Now()
	execSQL(t, in.e, `INSERT INTO tickets (number, title, status, origin, contact_id, team_id, created_at, updated_at)
		VALUES (901, 'antigo', 'open', 'whatsapp', ?, ?, ?, ?)`, conv.ContactID, in.team.ID, now, now)
	execSQL(t, in.e, `INSERT INTO tickets (number, title, status, origin, contact_id, team_id, created_at, updated_at)
		VALUES (902, 'por e-mail', 'open', 'email', ?, ?, ?, ?)`, conv.ContactID, in.team.ID, now.Add(time.Minute), now.Add(time.Minute))
	in.aC.MustDo(200, "POST", "/api/v1/canned-responses/"+support.ID.String()+"/render", map[string]any{"conversation_id": conv.ID}, &out)
	if out.Text != "Seu chamado é o 901 (+55 11 8765-4321)." {
		t.Fatalf("rendered with a ticket: %q", out.Text)
	}
	for _, tc := range []struct {
		who    string
		id     store.ID
		conv   any
		status int
	}{
		{"other", hello.ID, conv.ID, 404},     // conversation of another team
		{"other", support.ID, conv.ID, 404},   // canned response of another team
		{"a", money.ID, conv.ID, 404},         // canned response of another team
		{"a", hello.ID, "999999", 404},        // unknown conversation
		{"a", hello.ID, nil, 400},             // no conversation
		{"a", store.ID(999999), conv.ID, 404}, // unknown canned response
	} {
		client := clients[tc.who]
		body := map[string]any{}
		if tc.conv != nil {
			body["conversation_id"] = tc.conv
		}
		if res := client.Do("POST", "/api/v1/canned-responses/"+tc.id.String()+"/render", body); res.Status != tc.status {
			t.Errorf("render %+v = %d %s", tc, res.Status, res.Body)
		}
	}

	// Edit, including moving to every team (null) and back; delete.
	var edited cannedJSON
	in.adminC.MustDo(200, "PATCH", "/api/v1/canned-responses/"+money.ID.String(), map[string]any{"title": "Boleto", "team_id": nil}, &edited)
	if edited.Title != "Boleto" || edited.TeamID != nil || edited.Shortcut != "boleto" || edited.Body != money.Body {
		t.Fatalf("edited: %+v", edited)
	}
	if got := shortcuts(get(t, "a", "")); got != "boleto,chamado,ola" {
		t.Fatalf("after making it global, support sees %s", got)
	}
	in.adminC.MustDo(200, "PATCH", "/api/v1/canned-responses/"+money.ID.String(), map[string]any{"shortcut": "fatura", "team_id": in.other.ID}, &edited)
	if edited.Shortcut != "fatura" || edited.TeamID == nil || *edited.TeamID != in.other.ID {
		t.Fatalf("edited again: %+v", edited)
	}
	if res := in.adminC.Do("PATCH", "/api/v1/canned-responses/"+money.ID.String(), map[string]any{"shortcut": "ola"}); res.Status != 409 {
		t.Fatalf("renaming onto a taken shortcut = %d", res.Status)
	}
	if res := in.adminC.Do("PATCH", "/api/v1/canned-responses/999999", map[string]any{"title": "x"}); res.Status != 404 {
		t.Fatalf("patching an unknown one = %d", res.Status)
	}
	in.adminC.MustDo(204, "DELETE", "/api/v1/canned-responses/"+money.ID.String(), nil, nil)
	if res := in.adminC.Do("DELETE", "/api/v1/canned-responses/"+money.ID.String(), nil); res.Status != 404 {
		t.Fatalf("deleting twice = %d", res.Status)
	}
	// Deleting a team takes its canned responses with it.
	if err := in.e.App.Teams.Delete(context.Background(), in.other.ID); err != nil {
		t.Logf("team delete refused (%v): skipping the cascade check", err)
	} else if got := shortcuts(get(t, "admin", "")); got != "chamado,ola" {
		t.Fatalf("after deleting the team: %s", got)
	}
}
