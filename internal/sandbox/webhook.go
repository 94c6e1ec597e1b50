package sandbox

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"
)

// delivery is one webhook body and its delivery attempts.
type delivery struct {
	id           int
	kind         string // message | status | raw | template_status
	ref          string // the wamid or template concerned
	body         []byte
	badSignature bool
	retry        bool
	createdAt    time.Time
	attempts     []attemptLog
	state        string // queued | delivered | retrying | failed
	onDelivered  func() // called once, without locks held, when papo answers 200
}

type attemptLog struct {
	At         time.Time `json:"at"`
	Status     int       `json:"status"` // papo's HTTP status, 0 when none
	Error      string    `json:"error,omitempty"`
	DurationMS int64     `json:"duration_ms"`
}

// webhookResult is the outcome of one attempt as API answers show it.
type webhookResult struct {
	Status int    `json:"status"`
	Error  string `json:"error,omitempty"`
}

// maxDeliveryLog bounds the delivery log kept for GET api/deliveries.
const maxDeliveryLog = 5000

// envelope wraps a change value in Meta's notification envelope. Meta writes "value" before "field".
func (s *Sandbox) envelope(field string, value object) object {
	return object{
		{"object", "whatsapp_business_account"},
		{"entry", []any{object{
			{"id", s.wabaID},
			{"changes", []any{object{{"value", value}, {"field", field}}}},
		}}},
	}
}

// messagesValue starts the value of a "messages" change for a business number.
func messagesValue(n *Number) object {
	return object{
		{"messaging_product", "whatsapp"},
		{"metadata", object{{"display_phone_number", n.DisplayPhoneNumber}, {"phone_number_id", n.ID}}},
	}
}

// contactsOf is value.contacts for one user.
func contactsOf(name, waID string) []any {
	return []any{object{{"profile", object{{"name", name}}}, {"wa_id", waID}}}
}

// newDelivery encodes body the Meta way and registers a delivery (not yet attempted).
func (s *Sandbox) newDelivery(kind, ref string, body any) (*delivery, error) {
	b, err := metaJSON(body)
	if err != nil {
		return nil, err
	}
	return s.registerDelivery(kind, ref, b), nil
}

// newDeliveryLocked is newDelivery with s.mu held.
func (s *Sandbox) newDeliveryLocked(kind, ref string, body any) (*delivery, error) {
	b, err := metaJSON(body)
	if err != nil {
		return nil, err
	}
	return s.registerDeliveryLocked(kind, ref, b), nil
}

func (s *Sandbox) registerDelivery(kind, ref string, body []byte) *delivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.registerDeliveryLocked(kind, ref, body)
}

func (s *Sandbox) registerDeliveryLocked(kind, ref string, body []byte) *delivery {
	s.nextDeliveryID++
	d := &delivery{id: s.nextDeliveryID, kind: kind, ref: ref, body: body, retry: true, createdAt: s.now(), state: "queued"}
	s.deliveries = append(s.deliveries, d)
	if len(s.deliveries) > maxDeliveryLog {
		s.deliveries = append([]*delivery(nil), s.deliveries[len(s.deliveries)-maxDeliveryLog:]...)
	}
	return d
}

// sign returns the X-Hub-Signature-256 value for body.
func (s *Sandbox) sign(body []byte) string {
	m := hmac.New(sha256.New, s.appSecret)
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// enqueue hands d to the background worker, which attempts deliveries in order.
func (s *Sandbox) enqueue(d *delivery) {
	s.queueMu.Lock()
	s.queue = append(s.queue, d)
	s.queueMu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// worker delivers queued webhooks one at a time, so statuses of one message arrive in order on
// their first attempt (redeliveries may then overtake, as with Meta).
func (s *Sandbox) worker() {
	defer s.wg.Done()
	for {
		select {
		case <-s.done:
			return
		case <-s.wake:
		}
		for {
			s.queueMu.Lock()
			if len(s.queue) == 0 {
				s.queueMu.Unlock()
				break
			}
			d := s.queue[0]
			s.queue = s.queue[1:]
			s.queueMu.Unlock()
			select {
			case <-s.done:
				return
			default:
			}
			s.attempt(context.Background(), d)
		}
	}
}

// attempt posts d once, records the outcome, and schedules a redelivery after a failure.
func (s *Sandbox) attempt(parent context.Context, d *delivery) webhookResult {
	ctx, cancel := context.WithTimeout(parent, 20*time.Second)
	defer cancel()
	go func() { // Close cancels attempts in flight
		select {
		case <-s.done:
			cancel()
		case <-ctx.Done():
		}
	}()

	start := time.Now()
	res := s.post(ctx, d)
	log := attemptLog{At: s.now().UTC(), Status: res.Status, Error: res.Error, DurationMS: time.Since(start).Milliseconds()}

	s.mu.Lock()
	d.attempts = append(d.attempts, log)
	n := len(d.attempts)
	ok := res.Status == http.StatusOK
	var onDelivered func()
	var next time.Duration
	switch {
	case ok:
		d.state = "delivered"
		onDelivered, d.onDelivered = d.onDelivered, nil
	case d.retry && s.webhookURL != "" && n-1 < len(s.retryDelays):
		d.state = "retrying"
		next = s.retryDelays[n-1]
	default:
		d.state = "failed"
	}
	state := d.state
	s.mu.Unlock()

	if ok {
		s.log.Debug("sandbox webhook delivered", "delivery_id", d.id, "kind", d.kind, "attempt", n)
		if onDelivered != nil {
			onDelivered()
		}
	} else {
		s.log.Info("sandbox webhook not accepted", "delivery_id", d.id, "kind", d.kind, "attempt", n, "status", res.Status, "error", res.Error, "state", state)
		if state == "retrying" {
			s.later(next, func() { s.attempt(context.Background(), d) })
		}
	}
	return res
}

// post sends d's body to papo, signed over the exact bytes.
func (s *Sandbox) post(ctx context.Context, d *delivery) webhookResult {
	if s.webhookURL == "" {
		return webhookResult{Error: "no webhook URL configured"}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.webhookURL, bytes.NewReader(d.body))
	if err != nil {
		return webhookResult{Error: err.Error()}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "facebookexternalua")
	sig := s.sign(d.body)
	if d.badSignature {
		sig = "sha256=" + randomHex(32)
	}
	req.Header.Set("X-Hub-Signature-256", sig)
	m := hmac.New(sha1.New, s.appSecret)
	m.Write(d.body)
	req.Header.Set("X-Hub-Signature", "sha1="+hex.EncodeToString(m.Sum(nil)))
	resp, err := s.client.Do(req)
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return webhookResult{Error: "canceled: " + err.Error()}
		}
		return webhookResult{Error: err.Error()}
	}
	defer resp.Body.Close()
	snippet, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	res := webhookResult{Status: resp.StatusCode}
	if resp.StatusCode != http.StatusOK {
		res.Error = fmt.Sprintf("HTTP %d: %s", resp.StatusCode, bytes.TrimSpace(snippet))
	}
	return res
}

// deliveryJSON is a delivery as GET api/deliveries lists it.
type deliveryJSON struct {
	ID           int          `json:"id"`
	Kind         string       `json:"kind"`
	Ref          string       `json:"ref,omitempty"`
	Size         int          `json:"size"`
	State        string       `json:"state"`
	Status       int          `json:"status"` // last attempt's HTTP status
	Attempts     int          `json:"attempts"`
	AttemptLog   []attemptLog `json:"attempt_log"`
	BadSignature bool         `json:"bad_signature,omitempty"`
	CreatedAt    string       `json:"created_at"`
	Body         *string      `json:"body,omitempty"`
}

func (s *Sandbox) deliveryJSONLocked(d *delivery, withBody bool) deliveryJSON {
	j := deliveryJSON{
		ID: d.id, Kind: d.kind, Ref: d.ref, Size: len(d.body), State: d.state,
		Attempts: len(d.attempts), AttemptLog: append([]attemptLog{}, d.attempts...),
		BadSignature: d.badSignature, CreatedAt: formatTime(d.createdAt),
	}
	if n := len(d.attempts); n > 0 {
		j.Status = d.attempts[n-1].Status
	}
	if withBody {
		b := string(d.body)
		j.Body = &b
	}
	return j
}

// handleDeliveryList lists webhook deliveries, oldest first. ?kind= filters, ?body=1 adds bodies,
// ?after=<id> lists only later ones.
func (s *Sandbox) handleDeliveryList(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	withBody := q.Get("body") == "1" || q.Get("body") == "true"
	after, _ := strconv.Atoi(q.Get("after"))
	kind := q.Get("kind")
	s.mu.Lock()
	items := make([]deliveryJSON, 0, len(s.deliveries))
	for _, d := range s.deliveries {
		if d.id <= after || (kind != "" && d.kind != kind) {
			continue
		}
		items = append(items, s.deliveryJSONLocked(d, withBody))
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"items": items})
}

// handleDeliveryPost posts an arbitrary body to papo's webhook, for tests:
// {"body": <JSON value, encoded Meta's way> | "<string sent byte for byte>", "bad_signature"?: bool,
// "retry"?: bool}. It answers 201 with the delivery after the first attempt.
func (s *Sandbox) handleDeliveryPost(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Body         json.RawMessage `json:"body"`
		BadSignature bool            `json:"bad_signature"`
		Retry        bool            `json:"retry"`
	}
	if err := decodeJSON(w, r, 8<<20, &in); err != nil {
		writeAPIError(w, http.StatusBadRequest, "invalid_request", err.Error())
		return
	}
	if len(in.Body) == 0 {
		writeAPIError(w, http.StatusBadRequest, "invalid_request", "body is required")
		return
	}
	var raw []byte
	var str string
	if json.Unmarshal(in.Body, &str) == nil {
		raw = []byte(str)
	} else {
		var v any
		dec := json.NewDecoder(bytes.NewReader(in.Body))
		dec.UseNumber()
		if err := dec.Decode(&v); err != nil {
			writeAPIError(w, http.StatusBadRequest, "invalid_request", err.Error())
			return
		}
		b, err := metaJSON(v)
		if err != nil {
			writeAPIError(w, http.StatusBadRequest, "invalid_request", err.Error())
			return
		}
		raw = b
	}
	d := s.registerDelivery("raw", "", raw)
	s.mu.Lock()
	d.badSignature, d.retry = in.BadSignature, in.Retry
	s.mu.Unlock()
	s.attempt(context.WithoutCancel(r.Context()), d)
	s.mu.Lock()
	j := s.deliveryJSONLocked(d, false)
	s.mu.Unlock()
	writeJSON(w, http.StatusCreated, j)
}
