package httpapi_test

import (
	"context"
	"net/http"
	"strconv"
	"testing"
	"time"

	"papo/internal/apptest"
	"papo/internal/auth"
)

// TestLoginThrottle: after 10 failures for one e-mail within 15 minutes,
// attempts get 429 with Retry-After of at most 60 s; a minute later the
// real person can log in (F21).
func TestLoginThrottle(t *testing.T) {
	e := apptest.New(t, nil)
	u := e.User(t, "Maria", auth.RoleAgent)
	c := e.Anonymous(t)
	bad := map[string]string{"email": u.Email, "password": "not the password"}
	for i := 0; i < 10; i++ {
		if res := c.Do("POST", "/api/v1/auth/login", bad); res.Status != http.StatusUnauthorized {
			t.Fatalf("failure %d = %d %s", i+1, res.Status, res.Body)
		}
		e.Clock.Advance(10 * time.Second)
	}
	good := map[string]string{"email": u.Email, "password": apptest.Password}
	res := c.Do("POST", "/api/v1/auth/login", good)
	if res.Status != http.StatusTooManyRequests || res.ErrorCode() != "rate_limited" {
		t.Fatalf("11th attempt = %d %s, want 429", res.Status, res.Body)
	}
	ra, err := strconv.Atoi(res.Header.Get("Retry-After"))
	if err != nil || ra < 1 || ra > 60 {
		t.Fatalf("Retry-After = %q, want 1..60", res.Header.Get("Retry-After"))
	}
	// Another e-mail is not affected.
	other := e.User(t, "Other", auth.RoleAgent)
	e.Login(t, other)

	e.Clock.Advance(time.Duration(ra) * time.Second)
	if res := c.Do("POST", "/api/v1/auth/login", good); res.Status != http.StatusOK {
		t.Fatalf("after waiting Retry-After = %d %s", res.Status, res.Body)
	}
}

// TestUnknownEmailAndWrongPasswordLookAlike: the same 401 either way.
func TestUnknownEmailAndWrongPasswordLookAlike(t *testing.T) {
	e := apptest.New(t, nil)
	u := e.User(t, "Maria", auth.RoleAgent)
	c := e.Anonymous(t)
	a := c.Do("POST", "/api/v1/auth/login", map[string]string{"email": u.Email, "password": "wrong-password"})
	b := c.Do("POST", "/api/v1/auth/login", map[string]string{"email": "nobody@test.papo", "password": "wrong-password"})
	if a.Status != 401 || b.Status != 401 || string(a.Body) != string(b.Body) {
		t.Fatalf("wrong password: %d %s; unknown e-mail: %d %s", a.Status, a.Body, b.Status, b.Body)
	}
}

// TestDeactivationEndsSessions: a deactivated user's token stops working at
// once and they cannot log in again; reactivated, they can.
func TestDeactivationEndsSessions(t *testing.T) {
	e := apptest.New(t, nil)
	admin := e.Login(t, e.User(t, "Root", auth.RoleAdmin))
	u := e.User(t, "Agent", auth.RoleAgent)
	agent := e.Login(t, u)
	agent.MustDo(200, "GET", "/api/v1/me", nil, nil)
	admin.MustDo(200, "PATCH", "/api/v1/users/"+u.ID.String(), map[string]any{"active": false}, nil)
	if res := agent.Do("GET", "/api/v1/me", nil); res.Status != http.StatusUnauthorized {
		t.Fatalf("deactivated user's token = %d", res.Status)
	}
	if res := e.Anonymous(t).Do("POST", "/api/v1/auth/login", map[string]string{"email": u.Email, "password": apptest.Password}); res.Status != 401 {
		t.Fatalf("deactivated user login = %d", res.Status)
	}
	admin.MustDo(200, "PATCH", "/api/v1/users/"+u.ID.String(), map[string]any{"active": true}, nil)
	e.Login(t, u).MustDo(200, "GET", "/api/v1/me", nil, nil)
}

// TestLogoutEndsOnlyThatSession and sessions live in the database.
func TestLogoutEndsOnlyThatSession(t *testing.T) {
	e := apptest.New(t, nil)
	u := e.User(t, "Agent", auth.RoleAgent)
	a, b := e.Login(t, u), e.Login(t, u)
	a.MustDo(204, "POST", "/api/v1/auth/logout", nil, nil)
	if res := a.Do("GET", "/api/v1/me", nil); res.Status != 401 {
		t.Fatalf("token after logout = %d", res.Status)
	}
	b.MustDo(200, "GET", "/api/v1/me", nil, nil)
	// A second service on the same database (another instance, or a
	// restart) knows the session.
	other, err := auth.New(auth.Options{DB: e.App.DB, Hash: apptest.CheapHash})
	if err != nil {
		t.Fatal(err)
	}
	if p, err := other.Authenticate(context.Background(), b.Token); err != nil || p.ID != u.ID {
		t.Fatalf("session unknown to another instance: %v", err)
	}
}

// TestSessionExpiresAfterDisuse: an unused session ends after SessionTTL.
func TestSessionExpiresAfterDisuse(t *testing.T) {
	e := apptest.New(t, nil)
	c := e.Login(t, e.User(t, "Agent", auth.RoleAgent))
	e.Clock.Advance(auth.SessionTTL - time.Hour)
	c.MustDo(200, "GET", "/api/v1/me", nil, nil) // use extends it
	e.Clock.Advance(auth.SessionTTL - time.Hour)
	c.MustDo(200, "GET", "/api/v1/me", nil, nil)
	e.Clock.Advance(auth.SessionTTL + time.Minute)
	if res := c.Do("GET", "/api/v1/me", nil); res.Status != 401 {
		t.Fatalf("expired session = %d", res.Status)
	}
}
