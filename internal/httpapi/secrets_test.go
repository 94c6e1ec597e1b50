package httpapi_test

import (
	"context"
	"strings"
	"testing"

	"papo/internal/apptest"
	"papo/internal/auth"
)

// TestSecretsNeverLeak: passwords, session tokens, channel access tokens and
// app secrets appear in no response and no log line, and channel secrets are
// stored encrypted (F21).
func TestSecretsNeverLeak(t *testing.T) {
	e := apptest.New(t, nil)
	tm := e.Team(t, "Suporte")
	const (
		password    = "S3cret-Passw0rd!"
		accessToken = "EAAG-ACCESS-TOKEN-never-shown"
		appSecret   = "app-secret-never-shown-1234"
		newToken    = "EAAG-ROTATED-TOKEN-never-shown"
	)
	root := e.Login(t, e.User(t, "Root", auth.RoleAdmin, tm.ID))
	var bodies []string
	keep := func(r *apptest.Response) { bodies = append(bodies, string(r.Body)) }

	keep(root.MustDo(201, "POST", "/api/v1/users", map[string]any{"name": "Neo", "email": "neo@x.io", "role": "agent", "password": password, "team_ids": []any{tm.ID}}, nil))
	login := e.Anonymous(t).Do("POST", "/api/v1/auth/login", map[string]string{"email": "neo@x.io", "password": password})
	var sess struct{ Token, CSRFToken string }
	login.Decode(&sess)
	keep(root.Do("POST", "/api/v1/auth/login", map[string]string{"email": "neo@x.io", "password": password + "x"}))
	var ch struct {
		ID             string `json:"id"`
		HasAccessToken bool   `json:"has_access_token"`
		HasAppSecret   bool   `json:"has_app_secret"`
	}
	r := root.MustDo(201, "POST", "/api/v1/channels", map[string]any{"name": "Canal", "phone_number_id": "1234", "default_team_id": tm.ID, "access_token": accessToken, "app_secret": appSecret}, &ch)
	keep(r)
	if !ch.HasAccessToken || !ch.HasAppSecret {
		t.Errorf("has_access_token/has_app_secret = %v/%v, want true", ch.HasAccessToken, ch.HasAppSecret)
	}
	keep(root.MustDo(200, "PATCH", "/api/v1/channels/"+ch.ID, map[string]any{"access_token": newToken}, nil))
	keep(root.MustDo(200, "GET", "/api/v1/channels", nil, nil))
	keep(root.MustDo(200, "GET", "/api/v1/channels/"+ch.ID, nil, nil))
	keep(root.MustDo(200, "GET", "/api/v1/users", nil, nil))
	keep(e.Login(t, e.User(t, "Agent", auth.RoleAgent, tm.ID)).Do("GET", "/api/v1/channels", nil))

	logs := e.Logs.String()
	for _, secret := range []string{password, accessToken, appSecret, newToken, sess.Token[len(sess.Token)/2:]} {
		for _, b := range bodies {
			if strings.Contains(b, secret) {
				t.Errorf("a response contains %q: %s", secret, b)
			}
		}
		if strings.Contains(logs, secret) {
			t.Errorf("the logs contain %q", secret)
		}
	}
	if !strings.Contains(logs, `"route":"POST /api/v1/channels"`) {
		t.Fatalf("request logs were not captured; the test would prove nothing:\n%s", logs)
	}

	// At rest: the raw columns hold neither secret in clear, yet decrypt to them.
	var enc struct {
		Token  []byte `db:"access_token_enc"`
		Secret []byte `db:"app_secret_enc"`
	}
	if err := e.App.DB.R.GetContext(context.Background(), &enc, e.App.DB.R.Rebind("SELECT access_token_enc, app_secret_enc FROM channels WHERE id = ?"), ch.ID); err != nil {
		t.Fatal(err)
	}
	if len(enc.Token) == 0 || strings.Contains(string(enc.Token), "EAAG") || strings.Contains(string(enc.Secret), appSecret) {
		t.Errorf("channel secrets stored in clear: %q / %q", enc.Token, enc.Secret)
	}
	id := mustID(t, ch.ID)
	cred, err := e.App.Channels.Credentials(context.Background(), id)
	if err != nil || cred.AccessToken != newToken || cred.AppSecret != appSecret {
		t.Fatalf("decrypted credentials = %+v, %v", cred, err)
	}
	// Passwords are hashed with argon2id.
	var hash string
	if err := e.App.DB.R.GetContext(context.Background(), &hash, e.App.DB.R.Rebind("SELECT password_hash FROM users WHERE email = ?"), "neo@x.io"); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(hash, "$argon2id$") || strings.Contains(hash, password) {
		t.Errorf("password stored as %q", hash)
	}
}
