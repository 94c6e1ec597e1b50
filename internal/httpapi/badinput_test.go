package httpapi_test

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"

	"papo/internal/apptest"
	"papo/internal/auth"
)

// TestBadInputIsRefusedAndNothingHalfWritten: every malformed request gets
// api.md's status and error code, names the bad field, and writes nothing.
func TestBadInputIsRefusedAndNothingHalfWritten(t *testing.T) {
	e := apptest.New(t, nil)
	tm := e.Team(t, "Suporte")
	admin := e.Login(t, e.User(t, "Root", auth.RoleAdmin, tm.ID))

	usersBefore := countUsers(t, e)
	cases := []struct {
		name    string
		method  string
		path    string
		body    any
		headers []string
		status  int
		code    string
		field   string
	}{
		{"malformed JSON", "POST", "/api/v1/users", `{"name": "x",`, nil, 400, "invalid_request", "body"},
		{"wrong type", "POST", "/api/v1/users", `{"name": 42, "email": "a@b.io", "role": "agent", "password": "longenough"}`, nil, 400, "invalid_request", "name"},
		{"wrong type nested", "PUT", "/api/v1/settings", `{"survey": {"options": "1,2,3"}}`, nil, 400, "invalid_request", "survey.options"},
		{"missing fields", "POST", "/api/v1/users", `{}`, nil, 400, "invalid_request", "email"},
		{"bad role", "POST", "/api/v1/users", `{"name":"A","email":"a@b.io","role":"boss","password":"longenough"}`, nil, 400, "invalid_request", "role"},
		{"unknown team", "POST", "/api/v1/users", `{"name":"A","email":"a@b.io","role":"agent","password":"longenough","team_ids":["999999"]}`, nil, 400, "invalid_request", "team_ids"},
		{"team id garbage", "POST", "/api/v1/users", `{"name":"A","email":"a@b.io","role":"agent","password":"longenough","team_ids":["abc"]}`, nil, 400, "invalid_request", "team_ids"},
		{"invalid phone", "POST", "/api/v1/customers", `{"name":"Z","phones":["+55 11 98765-4321","12"]}`, nil, 400, "invalid_request", "phones[1]"},
		{"duplicate e-mail", "POST", "/api/v1/users", `{"name":"Dup","email":"root@test.papo","role":"agent","password":"longenough"}`, nil, 409, "conflict", ""},
		{"duplicate team", "POST", "/api/v1/teams", `{"name":"Suporte"}`, nil, 409, "conflict", ""},
		{"bad time zone", "POST", "/api/v1/teams", `{"name":"Nova","timezone":"Mars/Base"}`, nil, 400, "invalid_request", "timezone"},
		{"bad hours", "POST", "/api/v1/teams", `{"name":"Nova","business_hours":[{"weekday":1,"start":"18:00","end":"09:00"}]}`, nil, 400, "invalid_request", "business_hours[0]"},
		{"unknown user", "PATCH", "/api/v1/users/999999", `{"name":"x"}`, nil, 404, "not_found", ""},
		{"non-numeric id", "PATCH", "/api/v1/users/abc", `{"name":"x"}`, nil, 404, "not_found", ""},
		{"unknown team delete", "DELETE", "/api/v1/teams/424242", nil, nil, 404, "not_found", ""},
		{"unknown customer", "GET", "/api/v1/customers/31337", nil, nil, 404, "not_found", ""},
		{"unknown channel", "PATCH", "/api/v1/channels/31337", `{"name":"x"}`, nil, 404, "not_found", ""},
		{"channel unknown team", "POST", "/api/v1/channels", `{"name":"c","phone_number_id":"123","default_team_id":"777"}`, nil, 400, "invalid_request", "default_team_id"},
		{"channel bad url", "POST", "/api/v1/channels", `{"name":"c","phone_number_id":"123","default_team_id":"` + tm.ID.String() + `","graph_api_url":"javascript:alert(1)"}`, nil, 400, "invalid_request", "graph_api_url"},
		{"wrong content type", "POST", "/api/v1/teams", `{"name":"T2"}`, []string{"Content-Type", "text/plain"}, 415, "unsupported_media_type", ""},
		{"invalid UTF-8", "POST", "/api/v1/teams", []byte("{\"name\":\"\xff\xfe\"}"), nil, 400, "invalid_request", "body"},
		{"too deep", "POST", "/api/v1/teams", strings.Repeat("[", 101) + strings.Repeat("]", 101), nil, 400, "invalid_request", "body"},
		{"over 1 MiB", "POST", "/api/v1/customers", `{"name":"` + strings.Repeat("a", 1<<20) + `"}`, nil, 413, "payload_too_large", ""},
		{"negative limit", "GET", "/api/v1/customers?limit=-1", nil, nil, 400, "invalid_request", "limit"},
		{"text limit", "GET", "/api/v1/customers?limit=ten", nil, nil, 400, "invalid_request", "limit"},
		{"forged cursor", "GET", "/api/v1/customers?cursor=eyJuIjoiIn0.AAAA", nil, nil, 400, "invalid_request", "cursor"},
		{"settings out of range", "PUT", "/api/v1/settings", `{"survey":{"answer_timeout_minutes":0}}`, nil, 400, "invalid_request", "survey.answer_timeout_minutes"},
		{"deactivate yourself", "PATCH", "/api/v1/users/" + admin.User.ID.String(), `{"active":false}`, nil, 400, "invalid_request", "active"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := e.Login(t, admin.User)
			res := c.Do(tc.method, tc.path, tc.body, tc.headers...)
			if res.Status != tc.status || res.ErrorCode() != tc.code {
				t.Fatalf("= %d %s; want %d %s", res.Status, res.Body, tc.status, tc.code)
			}
			if tc.field != "" {
				if _, ok := res.Fields()[tc.field]; !ok {
					t.Errorf("details.fields = %v, want %q named", res.Fields(), tc.field)
				}
			}
			if !bytes.HasPrefix(res.Body, []byte(`{"error":{"code":`)) {
				t.Errorf("body is not the API error format: %s", res.Body)
			}
		})
	}
	if n := countUsers(t, e); n != usersBefore {
		t.Errorf("users: %d before, %d after the bad requests", usersBefore, n)
	}
	var customers []struct{}
	admin.MustDo(200, "GET", "/api/v1/customers", nil, &struct{ Items *[]struct{} }{&customers})
	if len(customers) != 0 {
		t.Errorf("a customer with an invalid phone was written: %d customers", len(customers))
	}
}

func countUsers(t *testing.T, e *apptest.Env) int {
	t.Helper()
	n, err := e.App.Auth.CountUsers(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestCookieSessionNeedsCSRF: a browser session (cookie) may read freely but
// every unsafe request needs the X-CSRF-Token header (403 otherwise); Bearer
// tokens need none.
func TestCookieSessionNeedsCSRF(t *testing.T) {
	e := apptest.New(t, nil)
	u := e.User(t, "Root", auth.RoleAdmin)
	c := e.CookieLogin(t, u)
	c.MustDo(200, "GET", "/api/v1/me", nil, nil)
	res := c.Do("POST", "/api/v1/teams", map[string]string{"name": "A"}, "X-CSRF-Token", "")
	if res.Status != http.StatusForbidden || res.ErrorCode() != "forbidden" {
		t.Fatalf("cookie POST without CSRF = %d %s", res.Status, res.Body)
	}
	res = c.Do("POST", "/api/v1/teams", map[string]string{"name": "A"}, "X-CSRF-Token", "wrong")
	if res.Status != http.StatusForbidden {
		t.Fatalf("cookie POST with a wrong CSRF token = %d", res.Status)
	}
	c.MustDo(201, "POST", "/api/v1/teams", map[string]string{"name": "A"}, nil)
	b := e.Login(t, u)
	b.MustDo(201, "POST", "/api/v1/teams", map[string]string{"name": "B"}, nil)
}
