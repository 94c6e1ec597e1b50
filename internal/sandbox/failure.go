package sandbox

import (
	"context"
	"fmt"
	"net/http"
	"time"
)

// failureRule makes the next Count matching Graph calls fail (POST api/failures).
type failureRule struct {
	ID            int    `json:"id"`
	Code          int    `json:"code"`
	Subcode       int    `json:"error_subcode,omitempty"`
	HTTPStatus    int    `json:"http_status"`
	Count         int    `json:"count"` // remaining; -1 = until cleared
	Match         string `json:"match"` // messages | media | templates | any
	PhoneNumberID string `json:"phone_number_id,omitempty"`
	To            string `json:"to,omitempty"`
	Message       string `json:"message,omitempty"`
	Details       string `json:"details,omitempty"`
	HTML          bool   `json:"html,omitempty"`     // a non-JSON (HTML) body, as a proxy in front of Graph gives
	Async         bool   `json:"async,omitempty"`    // accept the send, then report a failed status with Code
	Accept        bool   `json:"accept,omitempty"`   // accept the send but answer with the error (a lost answer)
	DelayMS       int    `json:"delay_ms,omitempty"` // wait before answering (timeouts)
	Used          int    `json:"used"`
}

var failureMatches = map[string]bool{"messages": true, "media": true, "templates": true, "any": true}

// normalize fills defaults and checks the rule.
func (f *failureRule) normalize() error {
	if f.Code <= 0 {
		return fmt.Errorf("code must be a positive Graph error code")
	}
	if f.Match == "" {
		f.Match = "messages"
	}
	if !failureMatches[f.Match] {
		return fmt.Errorf("match must be messages, media, templates or any")
	}
	if f.Async && f.Match != "messages" {
		return fmt.Errorf("async applies to match messages only")
	}
	if f.Count == 0 {
		f.Count = 1
	}
	if f.Count < -1 {
		return fmt.Errorf("count must be positive, or -1 for every call until cleared")
	}
	if f.HTTPStatus == 0 {
		if f.HTML {
			f.HTTPStatus = http.StatusBadGateway
		} else {
			f.HTTPStatus = defaultHTTPStatus(f.Code)
		}
	}
	if f.HTTPStatus < 400 || f.HTTPStatus > 599 {
		return fmt.Errorf("http_status must be 4xx or 5xx")
	}
	if f.To != "" {
		if f.To = normalizeWAID(f.To); f.To == "" {
			return fmt.Errorf("to must be a phone number")
		}
	}
	if f.DelayMS < 0 || f.DelayMS > 120_000 {
		return fmt.Errorf("delay_ms must be between 0 and 120000")
	}
	return nil
}

// takeFailure consumes and returns the first rule matching a Graph call, or nil. async selects the
// asynchronous rules (checked once a send is accepted) instead of the synchronous ones. to is the
// recipient's wa_id when known.
func (s *Sandbox) takeFailure(kind, phoneNumberID, to string, async bool) *failureRule {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, f := range s.failures {
		if f.Async != async || (f.Match != "any" && f.Match != kind) {
			continue
		}
		if f.PhoneNumberID != "" && f.PhoneNumberID != phoneNumberID {
			continue
		}
		if f.To != "" && f.To != to && brAlternate(f.To) != to {
			continue
		}
		f.Used++
		s.stats.Injected++
		c := *f
		if f.Count > 0 {
			f.Count--
			if f.Count == 0 {
				s.failures = append(s.failures[:i:i], s.failures[i+1:]...)
			}
		}
		return &c
	}
	return nil
}

// graphError is the error the rule answers with.
func (f *failureRule) graphError() *graphError {
	e := newGraphError(f.Code, f.Details)
	e.status = f.HTTPStatus
	e.subcode = f.Subcode
	e.message = f.Message
	if f.Code == 190 && f.Subcode == 0 && f.Message == "" {
		e.message = errorTitle(190)
	}
	if e.details == "" && f.Code >= 130000 {
		e.details = errorDetails(f.Code)
	}
	return e
}

// writeFailure answers a Graph call with an injected failure, after its delay.
func writeFailure(ctx context.Context, w http.ResponseWriter, f *failureRule) {
	sleepFor(ctx, time.Duration(f.DelayMS)*time.Millisecond)
	if ctx.Err() != nil {
		return
	}
	if f.HTML {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(f.HTTPStatus)
		fmt.Fprintf(w, "<html><head><title>%d %s</title></head><body><h1>%d %s</h1><p>The server is temporarily unable to service your request.</p></body></html>\n",
			f.HTTPStatus, http.StatusText(f.HTTPStatus), f.HTTPStatus, http.StatusText(f.HTTPStatus))
		return
	}
	writeGraphError(w, f.graphError())
}

// sleepFor waits d or until ctx ends.
func sleepFor(ctx context.Context, d time.Duration) {
	if d <= 0 {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}
