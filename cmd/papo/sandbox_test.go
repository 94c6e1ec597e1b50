package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"papo/internal/whatsapp"
)

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// TestSandboxCommand: `papo sandbox` serves the Cloud API imitation alone
// and posts webhooks signed with --app-secret to --webhook-url (F27).
func TestSandboxCommand(t *testing.T) {
	var out, errb syncBuffer
	if err := run(context.Background(), []string{"sandbox", "--webhook-url", "http://127.0.0.1:1/x"}, envOf(nil), &out, &errb); err == nil ||
		!strings.Contains(err.Error(), "--app-secret") {
		t.Fatalf("without --app-secret: %v", err)
	}
	got := make(chan []byte, 1)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if _, err := whatsapp.CheckSignature(b, r.Header.Get(whatsapp.SignatureHeader), [][]byte{[]byte("standalone-secret")}); err != nil {
			t.Errorf("webhook signature: %v", err)
		}
		select {
		case got <- b:
		default:
		}
	}))
	defer hook.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"sandbox", "--addr", "127.0.0.1:0", "--webhook-url", hook.URL + "/webhooks/whatsapp",
			"--app-secret", "standalone-secret", "--access-token", "tok"}, envOf(nil), &out, &errb)
	}()
	var base string
	deadline := time.Now().Add(10 * time.Second)
	for base == "" {
		if m := regexp.MustCompile(`running at (http://[0-9.:]+)/`).FindStringSubmatch(out.String()); m != nil {
			base = m[1]
		} else if time.Now().After(deadline) {
			t.Fatalf("no address printed: %q %q", out.String(), errb.String())
		} else {
			time.Sleep(10 * time.Millisecond)
		}
	}
	res, err := http.Post(base+"/api/phones/5511987654321/messages", "application/json", strings.NewReader(`{"type":"text","text":"oi"}`))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	select {
	case b := <-got:
		if !bytes.Contains(b, []byte(`"oi"`)) {
			t.Errorf("webhook body = %s", b)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no webhook")
	}
	// The Graph imitation wants the configured token.
	req, _ := http.NewRequest("GET", base+"/graph/v23.0/106540352242922", nil)
	req.Header.Set("Authorization", "Bearer tok")
	if res, err := http.DefaultClient.Do(req); err != nil || res.StatusCode != 200 {
		t.Errorf("graph with the token: %v %v", res, err)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("stop: %v", err)
	}
}
