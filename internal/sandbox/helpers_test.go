package sandbox_test

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"papo/internal/sandbox"
)

const (
	testSecret = "test-app-secret"
	testToken  = "test-access-token"
	testPNID   = "106540352242922"
	testWABA   = "102290129340398"
	customer   = "5511987654321"
)

// clock is a settable clock for Options.Now.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// receiver is a fake papo webhook endpoint: it checks X-Hub-Signature-256 itself (HMAC computed
// here, not by the sandbox) and records every correctly signed body.
type receiver struct {
	srv *httptest.Server

	mu     sync.Mutex
	bodies [][]byte
	bad    int // requests with a wrong signature (answered 401)
	fail   int // next requests to answer 500
}

func newReceiver(t *testing.T) *receiver {
	t.Helper()
	rc := &receiver{}
	rc.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		mac := hmac.New(sha256.New, []byte(testSecret))
		mac.Write(body)
		want := "sha256=" + hex.EncodeToString(mac.Sum(nil))
		rc.mu.Lock()
		defer rc.mu.Unlock()
		if !hmac.Equal([]byte(r.Header.Get("X-Hub-Signature-256")), []byte(want)) {
			rc.bad++
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		if r.Header.Get("Content-Type") != "application/json" {
			http.Error(w, "content type", http.StatusUnsupportedMediaType)
			return
		}
		if rc.fail > 0 {
			rc.fail--
			http.Error(w, "boom", http.StatusInternalServerError)
			return
		}
		rc.bodies = append(rc.bodies, body)
	}))
	t.Cleanup(rc.srv.Close)
	return rc
}

func (rc *receiver) all() [][]byte {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([][]byte(nil), rc.bodies...)
}

// hook is a decoded webhook body.
type hook struct {
	Object string `json:"object"`
	Entry  []struct {
		ID      string `json:"id"`
		Changes []struct {
			Field string `json:"field"`
			Value struct {
				MessagingProduct string `json:"messaging_product"`
				Metadata         struct {
					DisplayPhoneNumber string `json:"display_phone_number"`
					PhoneNumberID      string `json:"phone_number_id"`
				} `json:"metadata"`
				Contacts []struct {
					Profile struct {
						Name string `json:"name"`
					} `json:"profile"`
					WaID string `json:"wa_id"`
				} `json:"contacts"`
				Messages []map[string]any `json:"messages"`
				Statuses []status         `json:"statuses"`
			} `json:"value"`
		} `json:"changes"`
	} `json:"entry"`
}

type status struct {
	ID           string `json:"id"`
	Status       string `json:"status"`
	Timestamp    string `json:"timestamp"`
	RecipientID  string `json:"recipient_id"`
	Conversation *struct {
		ID                  string `json:"id"`
		ExpirationTimestamp string `json:"expiration_timestamp"`
		Origin              struct {
			Type string `json:"type"`
		} `json:"origin"`
	} `json:"conversation"`
	Pricing *struct {
		Billable     bool   `json:"billable"`
		PricingModel string `json:"pricing_model"`
		Category     string `json:"category"`
		Type         string `json:"type"`
	} `json:"pricing"`
	Errors []struct {
		Code      int    `json:"code"`
		Title     string `json:"title"`
		Message   string `json:"message"`
		ErrorData struct {
			Details string `json:"details"`
		} `json:"error_data"`
		Href string `json:"href"`
	} `json:"errors"`
}

func decodeHook(t *testing.T, b []byte) hook {
	t.Helper()
	var h hook
	if err := json.Unmarshal(b, &h); err != nil {
		t.Fatalf("webhook body is not JSON: %v\n%s", err, b)
	}
	return h
}

// statusesOf returns every status webhook for a message id, in arrival order, with its contacts count.
func (rc *receiver) statusesOf(t *testing.T, id string) (out []status, contacts []int) {
	t.Helper()
	for _, b := range rc.all() {
		h := decodeHook(t, b)
		for _, e := range h.Entry {
			for _, c := range e.Changes {
				for _, s := range c.Value.Statuses {
					if s.ID == id {
						out = append(out, s)
						contacts = append(contacts, len(c.Value.Contacts))
					}
				}
			}
		}
	}
	return out, contacts
}

// waitStatuses waits until the message has received the given statuses (in this order).
func (rc *receiver) waitStatuses(t *testing.T, id string, want ...string) []status {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		got, _ := rc.statusesOf(t, id)
		var names []string
		for _, s := range got {
			names = append(names, s.Status)
		}
		if strings.Join(names, ",") == strings.Join(want, ",") {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("statuses of %s = %v, want %v", id, names, want)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// env is a sandbox served by httptest, posting to a receiver.
type env struct {
	sb    *sandbox.Sandbox
	srv   *httptest.Server
	rc    *receiver
	clock *clock
}

func newEnv(t *testing.T, mutate func(*sandbox.Options)) *env {
	t.Helper()
	rc := newReceiver(t)
	ck := &clock{t: time.Date(2026, 11, 25, 18, 0, 0, 0, time.UTC)}
	opts := sandbox.Options{
		PhoneNumberID:      testPNID,
		DisplayPhoneNumber: "5511940028922",
		WABAID:             testWABA,
		AccessToken:        testToken,
		AppSecret:          testSecret,
		WebhookURL:         rc.srv.URL + "/webhooks/whatsapp",
		AutoDeliver:        true,
		StatusDelay:        2 * time.Millisecond,
		RetryDelays:        []time.Duration{20 * time.Millisecond, 20 * time.Millisecond},
		Now:                ck.Now,
	}
	if mutate != nil {
		mutate(&opts)
	}
	sb, err := sandbox.New(opts)
	if err != nil {
		t.Fatalf("sandbox.New: %v", err)
	}
	srv := httptest.NewServer(sb.Handler())
	t.Cleanup(func() {
		srv.Close()
		if err := sb.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return &env{sb: sb, srv: srv, rc: rc, clock: ck}
}

// do sends a request to the sandbox and decodes a JSON answer into a map (nil for other bodies).
func (e *env) do(t *testing.T, method, path, token string, body any) (int, map[string]any) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		switch b := body.(type) {
		case string:
			rd = strings.NewReader(b)
		default:
			j, err := json.Marshal(b)
			if err != nil {
				t.Fatal(err)
			}
			rd = bytes.NewReader(j)
		}
	}
	url := path
	if !strings.HasPrefix(path, "http") {
		url = e.srv.URL + "/" + strings.TrimPrefix(path, "/")
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var m map[string]any
	if json.Unmarshal(raw, &m) != nil {
		m = nil
	}
	return resp.StatusCode, m
}

// send posts a Graph send as papo would.
func (e *env) send(t *testing.T, body any) (int, map[string]any) {
	t.Helper()
	return e.do(t, http.MethodPost, "graph/v23.0/"+testPNID+"/messages", testToken, body)
}

// customerSays makes a phone send a text (and so opens the 24-hour window).
func (e *env) customerSays(t *testing.T, waID, text string) map[string]any {
	t.Helper()
	code, m := e.do(t, http.MethodPost, "api/phones/"+waID+"/messages", "", map[string]any{"type": "text", "text": text, "name": "Maria Silva"})
	if code != http.StatusCreated {
		t.Fatalf("phone message: %d %v", code, m)
	}
	return m
}

func textSend(to, body string) map[string]any {
	return map[string]any{"messaging_product": "whatsapp", "recipient_type": "individual", "to": to, "type": "text", "text": map[string]any{"body": body}}
}

// graphCode returns error.code of a Graph error answer.
func graphCode(t *testing.T, m map[string]any) int {
	t.Helper()
	e, ok := m["error"].(map[string]any)
	if !ok {
		t.Fatalf("no Graph error in %v", m)
	}
	c, _ := e["code"].(float64)
	return int(c)
}

func path(m map[string]any, keys ...any) any {
	var cur any = m
	for _, k := range keys {
		switch k := k.(type) {
		case string:
			mm, ok := cur.(map[string]any)
			if !ok {
				return nil
			}
			cur = mm[k]
		case int:
			a, ok := cur.([]any)
			if !ok || k >= len(a) {
				return nil
			}
			cur = a[k]
		}
	}
	return cur
}

func wamidOf(t *testing.T, m map[string]any) string {
	t.Helper()
	id, _ := path(m, "messages", 0, "id").(string)
	if !strings.HasPrefix(id, "wamid.") {
		t.Fatalf("no wamid in %v", m)
	}
	return id
}

// chat returns a phone's chat items.
func (e *env) chat(t *testing.T, waID string) []map[string]any {
	t.Helper()
	code, m := e.do(t, http.MethodGet, "api/phones/"+waID+"/messages", "", nil)
	if code != http.StatusOK {
		t.Fatalf("chat: %d %v", code, m)
	}
	var out []map[string]any
	for _, it := range m["items"].([]any) {
		out = append(out, it.(map[string]any))
	}
	return out
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }

func (rc *receiver) badCount() int {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return rc.bad
}

// message returns the last webhook message object with this id, or nil.
func (rc *receiver) message(t *testing.T, id string) map[string]any {
	t.Helper()
	var found map[string]any
	for _, b := range rc.all() {
		h := decodeHook(t, b)
		for _, e := range h.Entry {
			for _, c := range e.Changes {
				for _, m := range c.Value.Messages {
					if m["id"] == id {
						found = m
					}
				}
			}
		}
	}
	return found
}
