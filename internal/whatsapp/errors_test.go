package whatsapp_test

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"papo/internal/whatsapp"
)

// TestAPIErrorRetryable: F26 — retry decisions follow error.code (fact
// sheet §6 and §10), HTTP status only for unknown codes.
func TestAPIErrorRetryable(t *testing.T) {
	retry := []int{130429, 131056, 131000, 80007, 4, 1, 2, 131016, 131057}
	never := []int{131047, 131026, 190, 100, 368, 132000, 132001, 132005, 132012, 132015, 132016,
		131009, 131008, 131050, 131049, 131048, 131031, 131030, 131051, 131052, 131053, 130472}
	for _, code := range retry {
		for _, status := range []int{400, 403, 429, 500} {
			e := &whatsapp.APIError{HTTPStatus: status, Code: code}
			if !e.Retryable() {
				t.Errorf("code %d (HTTP %d) should be retryable", code, status)
			}
			if e.Backoff(1) <= 0 {
				t.Errorf("code %d: no backoff", code)
			}
		}
	}
	for _, code := range never {
		for _, status := range []int{400, 401, 500, 503} {
			e := &whatsapp.APIError{HTTPStatus: status, Code: code, Transient: true}
			if e.Retryable() {
				t.Errorf("code %d (HTTP %d) must not be retried now", code, status)
			}
			if e.Backoff(1) != 0 || whatsapp.BackoffHint(code, 1) != 0 {
				t.Errorf("code %d: backoff for a permanent error", code)
			}
		}
	}
	unknown := []struct {
		e    whatsapp.APIError
		want bool
	}{
		{whatsapp.APIError{HTTPStatus: 500}, true},
		{whatsapp.APIError{HTTPStatus: 502}, true},
		{whatsapp.APIError{HTTPStatus: 429}, true},
		{whatsapp.APIError{HTTPStatus: 400}, false},
		{whatsapp.APIError{HTTPStatus: 404}, false},
		{whatsapp.APIError{HTTPStatus: 400, Code: 999999}, false},
		{whatsapp.APIError{HTTPStatus: 400, Code: 999999, Transient: true}, true},
		{whatsapp.APIError{HTTPStatus: 503, Code: 999999}, true},
	}
	for _, tt := range unknown {
		if got := tt.e.Retryable(); got != tt.want {
			t.Errorf("%+v Retryable = %v, want %v", tt.e, got, tt.want)
		}
	}
}

// TestBackoffHint: F26 — pair rate limit backs off 4^n seconds.
func TestBackoffHint(t *testing.T) {
	tests := []struct {
		code, attempt int
		want          time.Duration
	}{
		{131056, 0, 4 * time.Second},
		{131056, 1, 4 * time.Second},
		{131056, 2, 16 * time.Second},
		{131056, 3, 64 * time.Second},
		{131056, 4, 256 * time.Second},
		{131056, 5, 1024 * time.Second},
		{131056, 6, time.Hour},
		{131056, 100, time.Hour},
		{130429, 1, time.Second},
		{130429, 4, 8 * time.Second},
		{130429, 30, 5 * time.Minute},
		{131057, 1, 20 * time.Second},
		{131057, 10, 2 * time.Minute},
		{80007, 1, time.Minute},
		{4, 3, 4 * time.Minute},
		{4, 50, time.Hour},
		{131000, 1, 2 * time.Second},
		{1, 3, 8 * time.Second},
		{2, 40, 10 * time.Minute},
		{131016, 2, 4 * time.Second},
		{131047, 1, 0},
		{190, 1, 0},
		{999999, 1, 0},
	}
	for _, tt := range tests {
		if got := whatsapp.BackoffHint(tt.code, tt.attempt); got != tt.want {
			t.Errorf("BackoffHint(%d, %d) = %v, want %v", tt.code, tt.attempt, got, tt.want)
		}
	}
	// Unknown codes on a 5xx back off too.
	if d := (&whatsapp.APIError{HTTPStatus: 502}).Backoff(3); d != 8*time.Second {
		t.Errorf("502 backoff = %v", d)
	}
}

// TestReason: F18/F26 — every mapped code has a clear sentence in pt-BR
// (default) and en; unknown codes name the code.
func TestReason(t *testing.T) {
	codes := []int{131047, 131026, 131049, 131050, 131051, 131052, 131053, 131000, 130429, 131056, 131048,
		80007, 4, 131057, 132000, 132001, 132005, 132012, 132015, 132016, 190, 100, 131009, 131008, 368,
		131031, 131030, 130472, 1, 2, 131016}
	seenPT := map[string]int{}
	for _, code := range codes {
		c := strconv.Itoa(code)
		pt, en := whatsapp.Reason(c, "pt-BR"), whatsapp.Reason(c, "en")
		if pt == "" || en == "" || pt == en {
			t.Errorf("code %d: pt %q en %q", code, pt, en)
		}
		if strings.Contains(pt, "código "+c) || strings.Contains(en, "code "+c) {
			t.Errorf("code %d falls back to the generic sentence", code)
		}
		if prev, dup := seenPT[pt]; dup {
			t.Errorf("codes %d and %d share a sentence", prev, code)
		}
		seenPT[pt] = code
		eq(t, "default language is pt-BR", whatsapp.Reason(c, ""), pt)
		eq(t, "en-US", whatsapp.Reason(c, "en-US"), en)
	}
	eq(t, "131047 pt", whatsapp.Reason("131047", "pt-BR"),
		"A janela de 24 horas está fechada: o cliente não escreve há mais de 24 horas. Envie um modelo de mensagem aprovado.")
	eq(t, "fallback pt", whatsapp.Reason("424242", ""), "O WhatsApp informou um erro (código 424242).")
	eq(t, "fallback en", whatsapp.Reason("424242", "en"), "WhatsApp reported an error (code 424242).")
	eq(t, "http fallback", whatsapp.Reason("http_502", "en"), "WhatsApp reported an error (code http_502).")
	if r := whatsapp.Reason("", "en"); r == "" {
		t.Error("empty code")
	}

	e := &whatsapp.APIError{HTTPStatus: 400, Code: 131047}
	eq(t, "APIError.Reason", e.Reason("en"), whatsapp.Reason("131047", "en"))
	eq(t, "CodeString", e.CodeString(), "131047")
	eq(t, "CodeString without code", (&whatsapp.APIError{HTTPStatus: 502}).CodeString(), "http_502")
}

// TestAPIErrorString: the message names code, status and details.
func TestAPIErrorString(t *testing.T) {
	e := &whatsapp.APIError{HTTPStatus: 401, Code: 190, Subcode: 463, Type: "OAuthException", Message: "Session has expired", FBTraceID: "T1"}
	eq(t, "Error", e.Error(), "graph api error 190/463 (HTTP 401, OAuthException): Session has expired [fbtrace_id T1]")
	e2 := &whatsapp.APIError{HTTPStatus: 502, Message: "Bad Gateway"}
	eq(t, "Error", e2.Error(), "graph api error (HTTP 502): Bad Gateway")
	e3 := &whatsapp.APIError{HTTPStatus: 400, Code: 131047, Message: "(#131047) Re-engagement message", Details: "more than 24 hours"}
	eq(t, "Error", fmt.Sprint(e3), "graph api error 131047 (HTTP 400): (#131047) Re-engagement message: more than 24 hours")
}
