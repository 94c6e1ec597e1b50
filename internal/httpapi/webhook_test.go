package httpapi_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"

	"papo/internal/apptest"
	"papo/internal/auth"
	"papo/internal/channel"
	"papo/internal/whatsapp"
)

type webhookEnv struct {
	e     *apptest.Env
	admin *apptest.Client
	ch    *channel.Channel
}

const hookSecret = "first-app-secret"

func newWebhookEnv(t *testing.T) *webhookEnv {
	t.Helper()
	e := apptest.New(t, nil)
	w := &webhookEnv{e: e}
	tm := e.Team(t, "Suporte")
	w.admin = e.Login(t, e.User(t, "Webhook Admin", auth.RoleAdmin))
	w.admin.MustDo(201, "POST", "/api/v1/channels", map[string]any{"name": "Principal", "phone_number_id": "106540352242922",
		"default_team_id": tm.ID, "access_token": "tok", "app_secret": hookSecret, "verify_token": "meu-token-de-verificacao",
		"graph_api_url": "http://127.0.0.1:1"}, &w.ch)
	return w
}

func (w *webhookEnv) post(t *testing.T, body []byte, signature string) *apptest.Response {
	t.Helper()
	return w.e.Anonymous(t).Do("POST", "/webhooks/whatsapp", body, whatsapp.SignatureHeader, signature)
}

func (w *webhookEnv) count(t *testing.T, query string) int {
	t.Helper()
	var n int
	if err := w.e.App.DB.R.GetContext(context.Background(), &n, query); err != nil {
		t.Fatal(err)
	}
	return n
}

func corpusFile(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("../whatsapp/testdata/webhooks/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestWebhookSignature checks X-Hub-Signature-256 on the raw bytes before
// anything is parsed or stored (F25): only a signature by one of the
// channels' app secrets is accepted; everything else is 401 and stores
// nothing.
func TestWebhookSignature(t *testing.T) {
	w := newWebhookEnv(t)
	body := corpusFile(t, "text_unicode_escaped.json")
	if !bytes.Contains(body, []byte(`\u00e3`)) {
		t.Fatal("the corpus body should carry \\uXXXX escapes")
	}
	sign := func(b []byte, secret string) string { return whatsapp.Sign(b, []byte(secret)) }
	upper := "sha256=" + strings.ToUpper(strings.TrimPrefix(sign(body, hookSecret), "sha256="))
	reencoded := bytes.ReplaceAll(body, []byte(`\u00e3`), []byte("ã"))

	for _, tc := range []struct {
		name, sig string
		body      []byte
	}{
		{"missing", "", body},
		{"not sha256=", "sha1=" + strings.Repeat("0", 40), body},
		{"not hex", "sha256=" + strings.Repeat("z", 64), body},
		{"wrong secret", sign(body, "not-the-secret"), body},
		{"signature of other bytes", sign(body, hookSecret), append(append([]byte{}, body...), ' ')},
		{"signed escaped, sent re-encoded", sign(body, hookSecret), reencoded},
		{"truncated", sign(body, hookSecret)[:40], body},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := w.post(t, tc.body, tc.sig)
			if r.Status != http.StatusUnauthorized || r.ErrorCode() != "unauthenticated" {
				t.Errorf("= %d %s, want 401 unauthenticated", r.Status, r.Body)
			}
		})
	}
	if n := w.count(t, "SELECT COUNT(*) FROM webhook_deliveries"); n != 0 {
		t.Fatalf("refused deliveries stored: %d", n)
	}
	if n := w.count(t, "SELECT COUNT(*) FROM messages"); n != 0 {
		t.Fatalf("refused deliveries applied: %d", n)
	}

	// Valid: the exact bytes, \uXXXX escapes included; hex case does not matter.
	if r := w.post(t, body, sign(body, hookSecret)); r.Status != http.StatusOK {
		t.Fatalf("valid = %d %s", r.Status, r.Body)
	}
	if r := w.post(t, body, upper); r.Status != http.StatusOK {
		t.Fatalf("upper-case hex = %d %s", r.Status, r.Body)
	}
	var text string
	if err := w.e.App.DB.R.GetContext(context.Background(), &text, "SELECT text FROM messages"); err != nil || text != "Olá, João 👍" {
		t.Errorf("stored text = %q %v", text, err)
	}
	var stored []byte
	if err := w.e.App.DB.R.GetContext(context.Background(), &stored, "SELECT body FROM webhook_deliveries ORDER BY id LIMIT 1"); err != nil || !bytes.Equal(stored, body) {
		t.Errorf("the delivery is not kept byte for byte (%v)", err)
	}
}

// TestWebhookSecondChannelSecret: several channels, several app secrets; a
// channel created a moment ago is accepted at once (F25).
func TestWebhookSecondChannelSecret(t *testing.T) {
	w := newWebhookEnv(t)
	body := corpusFile(t, "batch_mixed.json")
	if r := w.post(t, body, whatsapp.Sign(body, []byte(hookSecret))); r.Status != 200 {
		t.Fatalf("first secret = %d", r.Status)
	}
	second := []byte(strings.ReplaceAll(string(corpusFile(t, "text.json")), "106540352242922", "200300400500600"))
	sig := whatsapp.Sign(second, []byte("second-secret"))
	if r := w.post(t, second, sig); r.Status != 401 {
		t.Fatalf("before the second channel exists = %d", r.Status)
	}
	w.admin.MustDo(201, "POST", "/api/v1/channels", map[string]any{"name": "Segundo", "phone_number_id": "200300400500600",
		"default_team_id": w.ch.DefaultTeamID, "app_secret": "second-secret"}, nil)
	if r := w.post(t, second, sig); r.Status != 200 {
		t.Fatalf("second channel's secret = %d %s", r.Status, r.Body)
	}
	// The first channel's secret may sign the second channel's payloads (one
	// Meta app for several numbers).
	other := []byte(strings.ReplaceAll(string(second), "wamid.HBgN", "wamid.OTHER"))
	if r := w.post(t, other, whatsapp.Sign(other, []byte(hookSecret))); r.Status != 200 {
		t.Fatalf("shared app = %d", r.Status)
	}
	// A secret replaced by an admin stops working.
	w.admin.MustDo(200, "PATCH", "/api/v1/channels/"+w.ch.ID.String(), map[string]any{"app_secret": "rotated"}, nil)
	third := []byte(strings.ReplaceAll(string(second), "wamid.HBgN", "wamid.THIRD"))
	if r := w.post(t, third, whatsapp.Sign(third, []byte("rotated"))); r.Status != 200 {
		t.Fatalf("rotated secret = %d", r.Status)
	}
}

// TestWebhookBodyLimitAndMalformed: over 3 MiB is 413 before reading it
// whole; malformed JSON with a valid signature is 400 and kept (F25, F29).
func TestWebhookBodyLimitAndMalformed(t *testing.T) {
	w := newWebhookEnv(t)
	big := bytes.Repeat([]byte(" "), 3<<20+1)
	if r := w.post(t, big, whatsapp.Sign(big, []byte(hookSecret))); r.Status != http.StatusRequestEntityTooLarge || r.ErrorCode() != "payload_too_large" {
		t.Errorf("3 MiB + 1 = %d %s", r.Status, r.Body)
	}
	// Without a declared length (chunked), the limit still holds.
	req, _ := http.NewRequest("POST", w.e.URL+"/webhooks/whatsapp", io.MultiReader(bytes.NewReader(big)))
	req.ContentLength = -1
	req.Header.Set(whatsapp.SignatureHeader, whatsapp.Sign(big, []byte(hookSecret)))
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("chunked 3 MiB + 1 = %d", res.StatusCode)
	}
	// Exactly 3 MiB is read (and, not being JSON, kept and refused as such).
	exact := append([]byte(`{"object":"whatsapp_business_account","entry":[]}`), bytes.Repeat([]byte(" "), 3<<20-50)...)
	if r := w.post(t, exact, whatsapp.Sign(exact, []byte(hookSecret))); r.Status != 200 {
		t.Errorf("3 MiB = %d %s", r.Status, r.Body)
	}

	bad := []byte(`{"object":"whatsapp_business_account","entry":[{"id":`)
	r := w.post(t, bad, whatsapp.Sign(bad, []byte(hookSecret)))
	if r.Status != http.StatusBadRequest || r.ErrorCode() != "invalid_request" {
		t.Fatalf("malformed = %d %s", r.Status, r.Body)
	}
	var d struct {
		State string `db:"state"`
		Error string `db:"error"`
		Body  []byte `db:"body"`
	}
	if err := w.e.App.DB.R.GetContext(context.Background(), &d, "SELECT state, error, body FROM webhook_deliveries ORDER BY id DESC LIMIT 1"); err != nil {
		t.Fatal(err)
	}
	if d.State != "failed" || !strings.Contains(d.Error, "malformed") || !bytes.Equal(d.Body, bad) {
		t.Errorf("kept = %+v", d)
	}
	notWA := []byte(`{"object":"page","entry":[]}`)
	if r := w.post(t, notWA, whatsapp.Sign(notWA, []byte(hookSecret))); r.Status != http.StatusBadRequest {
		t.Errorf("other object = %d", r.Status)
	}
}

// TestWebhookVerification is Meta's subscription handshake (F25).
func TestWebhookVerification(t *testing.T) {
	w := newWebhookEnv(t)
	c := w.e.Anonymous(t)
	q := func(mode, token, challenge string) string {
		return fmt.Sprintf("/webhooks/whatsapp?hub.mode=%s&hub.verify_token=%s&hub.challenge=%s", mode, token, challenge)
	}
	r := c.Do("GET", q("subscribe", "meu-token-de-verificacao", "1158201444"), nil)
	if r.Status != 200 || string(r.Body) != "1158201444" || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/plain") {
		t.Errorf("verify = %d %q %s", r.Status, r.Body, r.Header.Get("Content-Type"))
	}
	r = c.Do("GET", q("subscribe", "meu-token-de-verificacao", "abc%20def"), nil)
	if r.Status != 200 || string(r.Body) != "abc def" {
		t.Errorf("challenge echoed = %q", r.Body)
	}
	for _, path := range []string{
		q("subscribe", "wrong", "1"), q("unsubscribe", "meu-token-de-verificacao", "1"), q("subscribe", "", "1"),
		"/webhooks/whatsapp",
	} {
		r := c.Do("GET", path, nil)
		if r.Status != http.StatusForbidden || r.ErrorCode() != "forbidden" {
			t.Errorf("%s = %d %s, want 403 JSON error", path, r.Status, r.Body)
		}
	}
}
