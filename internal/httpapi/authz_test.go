package httpapi_test

import (
	"bytes"
	"fmt"
	"net/http"
	"slices"
	"testing"

	"papo/internal/apptest"
	"papo/internal/auth"
	"papo/internal/channel"
	"papo/internal/contact"
	"papo/internal/team"
)

// fixture is what each authorization row may point at; rows build their own
// so that destructive ones (DELETE) never disturb the next.
type fixture struct {
	t        testing.TB
	env      *apptest.Env
	team     *team.Team
	agent    *auth.User
	customer *contact.Customer
	channel  *channel.Channel
}

func newFixture(t *testing.T, e *apptest.Env) *fixture {
	t.Helper()
	f := &fixture{t: t, env: e}
	f.team = e.Team(t, "T "+t.Name())
	f.agent = e.User(t, "Victim "+f.team.ID.String(), auth.RoleAgent, f.team.ID)
	admin := e.Login(t, e.User(t, "Fixture Admin "+f.team.ID.String(), auth.RoleAdmin))
	admin.MustDo(201, "POST", "/api/v1/customers", map[string]any{"name": "Cliente", "phones": []string{"+5511987654321"}}, &f.customer)
	admin.MustDo(201, "POST", "/api/v1/channels", map[string]any{
		"name": "Canal", "phone_number_id": "1" + f.team.ID.String() + "0000", "default_team_id": f.team.ID,
		"access_token": "tok-secret", "app_secret": "app-secret"}, &f.channel)
	return f
}

// TestAuthorizationMatrix covers every API route × {anonymous, agent, admin}
// (F03, F21): anonymous callers get 401 before anything else, agents get 403
// on admin endpoints, and the table fails when a route has no row.
func TestAuthorizationMatrix(t *testing.T) {
	e := apptest.New(t, nil)
	type row struct {
		pattern            string
		path               func(f *fixture) string
		body               func(f *fixture) any
		anon, agent, admin int
	}
	p := func(s string) func(*fixture) string { return func(*fixture) string { return s } }
	none := func(*fixture) any { return nil }
	rows := []row{
		{"POST /api/v1/auth/login", p("/api/v1/auth/login"), func(*fixture) any { return map[string]string{"email": "x@y.z", "password": "wrongwrong"} }, 401, 401, 401},
		{"POST /api/v1/auth/logout", p("/api/v1/auth/logout"), none, 401, 204, 204},
		{"GET /api/v1/me", p("/api/v1/me"), none, 401, 200, 200},
		{"GET /api/v1/events", p("/api/v1/events"), none, 401, 200, 200}, // a stream: its status is read, then it is closed
		{"GET /api/v1/users", p("/api/v1/users"), none, 401, 200, 200},
		{"POST /api/v1/users", p("/api/v1/users"), func(f *fixture) any {
			return map[string]any{"name": "New", "email": "new" + f.team.ID.String() + "@x.io", "role": "agent", "password": "longenough", "team_ids": []any{f.team.ID}}
		}, 401, 403, 201},
		{"PATCH /api/v1/users/{id}", func(f *fixture) string { return "/api/v1/users/" + f.agent.ID.String() }, func(*fixture) any { return map[string]any{"name": "Renamed"} }, 401, 403, 200},
		{"GET /api/v1/teams", p("/api/v1/teams"), none, 401, 200, 200},
		{"POST /api/v1/teams", p("/api/v1/teams"), func(f *fixture) any { return map[string]any{"name": "New team " + f.team.ID.String()} }, 401, 403, 201},
		{"PATCH /api/v1/teams/{id}", func(f *fixture) string { return "/api/v1/teams/" + f.team.ID.String() }, func(*fixture) any { return map[string]any{"timezone": "America/Manaus"} }, 401, 403, 200},
		{"DELETE /api/v1/teams/{id}", func(f *fixture) string {
			tm := f.env.Team(f.t, "Doomed "+f.team.ID.String())
			return "/api/v1/teams/" + tm.ID.String()
		}, none, 401, 403, 204},
		{"GET /api/v1/customers", p("/api/v1/customers"), none, 401, 200, 200},
		{"POST /api/v1/customers", p("/api/v1/customers"), func(*fixture) any { return map[string]any{"name": "Novo"} }, 401, 201, 201},
		{"GET /api/v1/customers/{id}", func(f *fixture) string { return "/api/v1/customers/" + f.customer.ID.String() }, none, 401, 200, 200},
		{"PATCH /api/v1/customers/{id}", func(f *fixture) string { return "/api/v1/customers/" + f.customer.ID.String() }, func(*fixture) any { return map[string]any{"organization": "Org"} }, 401, 200, 200},
		{"GET /api/v1/channels", p("/api/v1/channels"), none, 401, 403, 200},
		{"POST /api/v1/channels", p("/api/v1/channels"), func(f *fixture) any {
			return map[string]any{"name": "C2", "phone_number_id": "9" + f.team.ID.String() + "999", "default_team_id": f.team.ID}
		}, 401, 403, 201},
		{"GET /api/v1/channels/{id}", func(f *fixture) string { return "/api/v1/channels/" + f.channel.ID.String() }, none, 401, 403, 200},
		{"PATCH /api/v1/channels/{id}", func(f *fixture) string { return "/api/v1/channels/" + f.channel.ID.String() }, func(*fixture) any { return map[string]any{"name": "Renamed"} }, 401, 403, 200},
		// channel health and the webhook's deliveries (F29): admins only (channel_health_test.go has the rest)
		{"GET /api/v1/channels/{id}/health", func(f *fixture) string { return "/api/v1/channels/" + f.channel.ID.String() + "/health" }, none, 401, 403, 200},
		{"GET /api/v1/webhook-deliveries", p("/api/v1/webhook-deliveries?state=failed"), none, 401, 403, 200},
		{"GET /api/v1/webhook-deliveries/{id}", chDelivery(""), none, 401, 403, 200},
		{"POST /api/v1/webhook-deliveries/{id}/reapply", chDelivery("/reapply"), none, 401, 403, 200},
		{"GET /api/v1/reports/surveys", p("/api/v1/reports/surveys"), none, 401, 403, 200},
		{"GET /api/v1/settings", p("/api/v1/settings"), none, 401, 200, 200},
		{"PUT /api/v1/settings", p("/api/v1/settings"), func(*fixture) any { return map[string]any{"segmented_view": true} }, 401, 403, 200},
		// tickets (F11, F12, F22): the agent is in the ticket's team (tickets_test.go has the other team's 404s)
		{"GET /api/v1/tickets", p("/api/v1/tickets"), none, 401, 200, 200},
		{"POST /api/v1/tickets", p("/api/v1/tickets"), func(f *fixture) any { return map[string]any{"title": "Novo", "team_id": f.team.ID} }, 401, 201, 201},
		{"GET /api/v1/tickets/{number}", tkFixtureTicket, none, 401, 200, 200},
		{"PATCH /api/v1/tickets/{number}", tkFixtureTicket, func(*fixture) any { return map[string]any{"status": "in_progress"} }, 401, 200, 200},
		{"POST /api/v1/tickets/{number}/messages", func(f *fixture) string { return tkFixtureTicket(f) + "/messages" }, func(f *fixture) any {
			c := tkNewChat(f.t, f.env, f.channel, "Oi")
			return map[string]any{"conversation_id": c.Conv.ID, "message_ids": c.Msgs}
		}, 401, 200, 200},
		// conversation lists (F01, F02): Others is an admin's view (conversations_list_test.go has the rest)
		{"GET /api/v1/conversations", p("/api/v1/conversations"), none, 401, 200, 200},
		{"(view=others) GET /api/v1/conversations", p("/api/v1/conversations?view=others"), none, 401, 403, 200},
		// conversation detail, actions, timeline, notes, summary; contacts (F03, F06–F10, F16, F17, F30, F31): the
		// agent is in the conversation's team (visibility_test.go has every other caller and state)
		{"GET /api/v1/conversations/{id}", cvFixture(""), none, 401, 200, 200},
		{"POST /api/v1/conversations/{id}/assign", cvFixture("/assign"), func(f *fixture) any { return map[string]any{"assignee_id": f.agent.ID} }, 401, 403, 200},
		{"POST /api/v1/conversations/{id}/forward", cvFixture("/forward"), func(f *fixture) any {
			return map[string]any{"team_id": f.env.Team(f.t, "Destino "+newWaID()).ID, "note": "para vocês"}
		}, 401, 200, 200},
		{"POST /api/v1/conversations/{id}/status", cvFixture("/status"), func(*fixture) any { return map[string]any{"status": "resolved"} }, 401, 200, 200},
		{"POST /api/v1/conversations/{id}/close", cvFixture("/close"), none, 401, 200, 200},
		{"POST /api/v1/conversations/{id}/read", cvFixture("/read"), none, 401, 200, 200},
		{"GET /api/v1/conversations/{id}/timeline", cvFixture("/timeline"), none, 401, 200, 200},
		{"GET /api/v1/conversations/{id}/messages", cvFixture("/messages?within_hours=24"), none, 401, 200, 200},
		{"POST /api/v1/conversations/{id}/notes", cvFixture("/notes"), func(*fixture) any { return map[string]any{"text": "nota"} }, 401, 201, 201},
		{"GET /api/v1/conversations/{id}/summary", cvFixture("/summary"), none, 401, 200, 200},
		{"GET /api/v1/contacts/{id}", ctFixture(""), none, 401, 200, 200},
		{"PUT /api/v1/contacts/{id}/automation-block", ctFixture("/automation-block"), func(*fixture) any { return map[string]any{"blocked": true} }, 401, 200, 200},
		// canned responses (F14): everyone reads and renders, admins manage
		{"GET /api/v1/canned-responses", p("/api/v1/canned-responses"), none, 401, 200, 200},
		{"POST /api/v1/canned-responses", p("/api/v1/canned-responses"), func(*fixture) any {
			return map[string]any{"shortcut": fmt.Sprintf("n%d", waSeq.Add(1)), "title": "T", "body": "B"}
		}, 401, 403, 201},
		{"PATCH /api/v1/canned-responses/{id}", cnFixture(""), func(*fixture) any { return map[string]any{"title": "Novo título"} }, 401, 403, 200},
		{"DELETE /api/v1/canned-responses/{id}", cnFixture(""), none, 401, 403, 204},
		{"POST /api/v1/canned-responses/{id}/render", cnFixture("/render"), func(f *fixture) any {
			c, _ := inbound(f.t, f.env, f.channel, newWaID(), "oi", f.env.Clock.Now())
			return map[string]any{"conversation_id": c.ID}
		}, 401, 200, 200},
		// messages, media, templates (F15, F18, F26): the agent is in the conversation's team; templates are
		// listed to every user (agents pick one when the window is closed); internal/outbound has the rest
		{"POST /api/v1/conversations/{id}/messages", obConv("/messages"), func(*fixture) any { return map[string]any{"type": "text", "text": "Olá"} }, 401, 202, 202},
		{"POST /api/v1/conversations/{id}/template-preview", obConv("/template-preview"), obTemplatePreview, 401, 200, 200},
		{"POST /api/v1/media", p("/api/v1/media"), func(*fixture) any {
			return map[string]any{"filename": "a.txt", "mime_type": "text/plain", "data": "b2zDoQ=="}
		}, 401, 201, 201},
		{"GET /api/v1/media/{id}", obMedia, none, 401, 200, 200},
		{"GET /api/v1/channels/{id}/templates", func(f *fixture) string { return "/api/v1/channels/" + f.channel.ID.String() + "/templates" }, none, 401, 200, 200},
		{"POST /api/v1/channels/{id}/templates/sync", obSandboxChannel("/templates/sync"), none, 401, 403, 200},
		{"(unknown) GET /api/v1/nothing-here", p("/api/v1/nothing-here"), none, 401, 404, 404},
	}
	covered := map[string]bool{}
	for _, r := range rows {
		covered[r.pattern] = true
	}
	for _, pat := range e.App.Server.Patterns() {
		if !covered[pat] {
			t.Errorf("route %q has no row in the authorization table", pat)
		}
	}
	for _, r := range rows {
		for _, who := range []string{"anonymous", "agent", "admin"} {
			t.Run(r.pattern+"/"+who, func(t *testing.T) {
				f := newFixture(t, e)
				var c *apptest.Client
				want := r.anon
				switch who {
				case "anonymous":
					c = e.Anonymous(t)
				case "agent":
					c, want = e.Login(t, e.User(t, "Agent "+f.team.ID.String(), auth.RoleAgent, f.team.ID)), r.agent
				case "admin":
					c, want = e.Login(t, e.User(t, "Admin "+f.team.ID.String(), auth.RoleAdmin)), r.admin
				}
				method := r.pattern[:slices.Index([]byte(r.pattern), ' ')]
				if r.pattern[0] == '(' {
					method = "GET"
				}
				var res *apptest.Response
				if r.pattern == "GET /api/v1/events" {
					st := c.Stream(r.path(f))
					st.Close()
					res = st.Refused
					if res == nil {
						res = &apptest.Response{Status: st.Status}
					}
				} else {
					res = c.Do(method, r.path(f), r.body(f))
				}
				if res.Status != want {
					t.Fatalf("%s %s as %s = %d %s; want %d", method, r.path(f), who, res.Status, res.Body, want)
				}
				if want >= 400 {
					code := map[int]string{401: "unauthenticated", 403: "forbidden", 404: "not_found"}[want]
					if res.ErrorCode() != code {
						t.Errorf("error code = %q, want %q (%s)", res.ErrorCode(), code, res.Body)
					}
				}
			})
		}
	}
}

// TestPublicEndpoints: health, readiness and metrics answer without a login.
func TestPublicEndpoints(t *testing.T) {
	e := apptest.New(t, nil)
	c := e.Anonymous(t)
	// In this order: /metrics shows the requests counted before it.
	for _, tc := range []struct{ path, want string }{{"/healthz", "ok"}, {"/readyz", "ready"}, {"/metrics", `papo_http_requests_total{code="200",route="GET /healthz"} 1`}} {
		path, want := tc.path, tc.want
		res := c.Do("GET", path, nil)
		if res.Status != http.StatusOK || !bytes.Contains(res.Body, []byte(want)) {
			t.Errorf("GET %s = %d %q", path, res.Status, res.Body[:min(len(res.Body), 200)])
		}
	}
}
