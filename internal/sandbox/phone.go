package sandbox

import (
	"cmp"
	"context"
	"net/http"
	"time"
)

// phone is a simulated customer: a WhatsApp user and their chat with the business numbers.
type phone struct {
	waID        string
	name        string
	items       []*chatMessage
	lastInbound map[string]time.Time // by phone_number_id: opens the 24-hour window
	typingUntil time.Time            // real clock: the business's typing indicator
	createdAt   time.Time
}

// windowOpen reports whether the 24-hour customer service window with a business number is open.
func (p *phone) windowOpen(numberID string, now time.Time) bool {
	if p == nil {
		return false
	}
	last, ok := p.lastInbound[numberID]
	return ok && now.Before(last.Add(24*time.Hour))
}

// chatMessage is one message of a chat: in = sent by the customer, out = by the business.
type chatMessage struct {
	id        string
	direction string
	typ       string
	text      string
	payload   any
	status    string // in: sent, delivered (papo took the webhook), read; out: accepted, sent, delivered, read, failed
	createdAt time.Time
	numberID  string
	waID      string
	replyTo   string
	reactions map[string]string // "customer" | "business" → emoji
	err       *statusError
	bizOpaque string
	category  string // pricing category: service, or the template's category
}

// statusError is the error of a failed status.
type statusError struct {
	Code    int    `json:"code"`
	Title   string `json:"title"`
	Details string `json:"details,omitempty"`
}

// conversation is Meta's pricing conversation between a user and a business number.
type conversation struct {
	id      string
	expires time.Time
	origin  string
}

// statusRank orders the forward-only statuses of business messages.
var statusRank = map[string]int{"accepted": 0, "sent": 1, "delivered": 2, "read": 3, "played": 4}

// itemJSON is a chat message as the api/ endpoints show it.
type itemJSON struct {
	ID            string         `json:"id"`
	Direction     string         `json:"direction"`
	Type          string         `json:"type"`
	Text          string         `json:"text"`
	Payload       any            `json:"payload"`
	Status        string         `json:"status"`
	CreatedAt     string         `json:"created_at"`
	PhoneNumberID string         `json:"phone_number_id"`
	ReplyTo       string         `json:"reply_to,omitempty"`
	Reactions     []reactionJSON `json:"reactions,omitempty"`
	Error         *statusError   `json:"error,omitempty"`
	Webhook       *webhookResult `json:"webhook,omitempty"`
}

type reactionJSON struct {
	Emoji string `json:"emoji"`
	By    string `json:"by"` // customer | business
}

func (m *chatMessage) json() itemJSON {
	j := itemJSON{
		ID: m.id, Direction: m.direction, Type: m.typ, Text: m.text, Payload: m.payload, Status: m.status,
		CreatedAt: formatTime(m.createdAt), PhoneNumberID: m.numberID, ReplyTo: m.replyTo,
	}
	if j.Payload == nil {
		j.Payload = map[string]any{}
	}
	for _, by := range []string{"customer", "business"} {
		if e := m.reactions[by]; e != "" {
			j.Reactions = append(j.Reactions, reactionJSON{Emoji: e, By: by})
		}
	}
	if m.err != nil {
		e := *m.err
		j.Error = &e
	}
	return j
}

// lookupPhoneLocked finds a phone by wa_id, trying the other form of a Brazilian mobile number
// (with or without the ninth digit) when the typed one is unknown.
func (s *Sandbox) lookupPhoneLocked(waID string) *phone {
	if p := s.phones[waID]; p != nil {
		return p
	}
	if alt := brAlternate(waID); alt != "" {
		return s.phones[alt]
	}
	return nil
}

// phoneLocked returns the phone for waID, registering it under waID when unknown.
func (s *Sandbox) phoneLocked(waID, name string) *phone {
	if p := s.lookupPhoneLocked(waID); p != nil {
		if name != "" {
			p.name = name
		}
		return p
	}
	p := &phone{
		waID:        waID,
		name:        cmp.Or(name, "Cliente "+waID[max(0, len(waID)-4):]),
		lastInbound: map[string]time.Time{},
		createdAt:   s.now(),
	}
	s.phones[waID] = p
	s.phoneOrder = append(s.phoneOrder, waID)
	return p
}

// phoneJSON is a phone as GET api/phones lists it.
type phoneJSON struct {
	WaID          string  `json:"wa_id"`
	Name          string  `json:"name"`
	Messages      int     `json:"messages"`
	LastInboundAt *string `json:"last_inbound_at"`
	CreatedAt     string  `json:"created_at"`
}

func (p *phone) json() phoneJSON {
	j := phoneJSON{WaID: p.waID, Name: p.name, Messages: len(p.items), CreatedAt: formatTime(p.createdAt)}
	var last time.Time
	for _, t := range p.lastInbound {
		if t.After(last) {
			last = t
		}
	}
	if !last.IsZero() {
		v := formatTime(last)
		j.LastInboundAt = &v
	}
	return j
}

func (s *Sandbox) handlePhoneList(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	items := make([]phoneJSON, 0, len(s.phoneOrder))
	for _, id := range s.phoneOrder {
		items = append(items, s.phones[id].json())
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"items": items})
}

// handlePhoneCreate registers a phone without sending anything: {"wa_id","name"}. Use it to
// register a Brazilian user under the old 12-digit wa_id.
func (s *Sandbox) handlePhoneCreate(w http.ResponseWriter, r *http.Request) {
	var in struct {
		WaID string `json:"wa_id"`
		Name string `json:"name"`
	}
	if err := decodeJSON(w, r, maxJSONBody, &in); err != nil {
		writeAPIError(w, http.StatusBadRequest, "invalid_request", err.Error())
		return
	}
	waID := normalizeWAID(in.WaID)
	if waID == "" {
		writeAPIError(w, http.StatusBadRequest, "invalid_request", "wa_id must be 8 to 15 digits")
		return
	}
	s.mu.Lock()
	p := s.phoneLocked(waID, in.Name)
	j := p.json()
	s.mu.Unlock()
	writeJSON(w, http.StatusCreated, j)
}

// handlePhoneMessages lists a phone's whole chat, oldest first. An unknown phone has an empty chat.
func (s *Sandbox) handlePhoneMessages(w http.ResponseWriter, r *http.Request) {
	waID := normalizeWAID(r.PathValue("wa_id"))
	if waID == "" {
		writeAPIError(w, http.StatusBadRequest, "invalid_request", "wa_id must be 8 to 15 digits")
		return
	}
	s.mu.Lock()
	items := []itemJSON{}
	resp := map[string]any{"wa_id": waID, "name": "", "typing": false}
	if p := s.lookupPhoneLocked(waID); p != nil {
		for _, m := range p.items {
			items = append(items, m.json())
		}
		resp["wa_id"], resp["name"] = p.waID, p.name
		resp["typing"] = time.Now().Before(p.typingUntil)
	}
	s.mu.Unlock()
	resp["items"] = items
	writeJSON(w, http.StatusOK, resp)
}

// handlePhoneRead makes the customer read every business message of the chat: the missing sent
// and delivered statuses, then read, are reported to papo.
func (s *Sandbox) handlePhoneRead(w http.ResponseWriter, r *http.Request) {
	waID := normalizeWAID(r.PathValue("wa_id"))
	if waID == "" {
		writeAPIError(w, http.StatusBadRequest, "invalid_request", "wa_id must be 8 to 15 digits")
		return
	}
	var ds []*delivery
	s.mu.Lock()
	p := s.lookupPhoneLocked(waID)
	if p == nil {
		s.mu.Unlock()
		writeAPIError(w, http.StatusNotFound, "not_found", "unknown phone")
		return
	}
	for _, m := range p.items {
		if m.direction != "out" || m.status == "failed" || m.typ == "reaction" {
			continue
		}
		for _, st := range []string{"sent", "delivered", "read"} {
			if statusRank[m.status] < statusRank[st] {
				if d := s.statusDeliveryLocked(m, st, nil); d != nil {
					ds = append(ds, d)
				}
			}
		}
	}
	s.mu.Unlock()
	for _, d := range ds {
		s.enqueue(d)
	}
	writeJSON(w, http.StatusOK, map[string]any{"statuses": len(ds)})
}

// advance reports status for a business message unless it already got that far or failed
// (AutoDeliver's sent and delivered).
func (s *Sandbox) advance(id, status string) {
	s.mu.Lock()
	m := s.messages[id]
	if m == nil || m.status == "failed" || statusRank[m.status] >= statusRank[status] {
		s.mu.Unlock()
		return
	}
	d := s.statusDeliveryLocked(m, status, nil)
	s.mu.Unlock()
	if d != nil {
		s.enqueue(d)
	}
}

// failMessage reports an accepted business message as failed with code.
func (s *Sandbox) failMessage(id string, code int, details string) {
	s.mu.Lock()
	m := s.messages[id]
	if m == nil {
		s.mu.Unlock()
		return
	}
	s.stats.Failed++
	d := s.statusDeliveryLocked(m, "failed", &statusError{Code: code, Title: errorTitle(code), Details: cmp.Or(details, errorDetails(code))})
	s.mu.Unlock()
	if d != nil {
		s.enqueue(d)
	}
}

// statusDeliveryLocked records status on m and builds its status webhook.
func (s *Sandbox) statusDeliveryLocked(m *chatMessage, status string, e *statusError) *delivery {
	now := s.now()
	num := s.number(m.numberID)
	if num == nil {
		return nil
	}
	st := object{{"id", m.id}, {"status", status}, {"timestamp", unixString(now)}, {"recipient_id", m.waID}}
	if status == "sent" || status == "delivered" {
		key := m.waID + "|" + m.numberID
		c := s.convs[key]
		if c == nil || !now.Before(c.expires) || (status == "sent" && c.origin != m.category) {
			c = &conversation{id: randomHex(16), expires: now.Add(24 * time.Hour), origin: m.category}
			s.convs[key] = c
		}
		conv := object{{"id", c.id}}
		if status == "sent" {
			conv = append(conv, member{"expiration_timestamp", unixString(c.expires)})
		}
		conv = append(conv, member{"origin", object{{"type", c.origin}}})
		st = append(st, member{"conversation", conv})
		pricingType := "regular"
		if m.category == "service" {
			pricingType = "free_customer_service"
		}
		st = append(st, member{"pricing", object{
			{"billable", m.category != "service"}, {"pricing_model", "PMP"}, {"category", m.category}, {"type", pricingType},
		}})
	}
	if m.bizOpaque != "" {
		st = append(st, member{"biz_opaque_callback_data", m.bizOpaque})
	}
	if e != nil {
		st = append(st, member{"errors", []any{object{
			{"code", e.Code}, {"title", e.Title}, {"message", e.Title},
			{"error_data", object{{"details", e.Details}}},
			{"href", "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/"},
		}}})
	}
	value := messagesValue(num)
	if status != "failed" {
		name := ""
		if p := s.phones[m.waID]; p != nil {
			name = p.name
		}
		value = append(value, member{"contacts", contactsOf(name, m.waID)})
	}
	value = append(value, member{"statuses", []any{st}})
	d, err := s.newDeliveryLocked("status", m.id, s.envelope("messages", value))
	if err != nil {
		s.log.Error("sandbox status webhook", "error", err)
		return nil
	}
	m.status = status
	if e != nil {
		m.err = e
	}
	return d
}

// handleStatusPost reports a status of a business message to papo now, whatever the message's
// current status (tests use it for duplicates and out-of-order statuses):
// {"message_id","status":"sent|delivered|read|played|failed|...","code"?,"details"?}. It answers
// 201 with the message and the first delivery attempt's outcome.
func (s *Sandbox) handleStatusPost(w http.ResponseWriter, r *http.Request) {
	var in struct {
		MessageID string `json:"message_id"`
		Status    string `json:"status"`
		Code      int    `json:"code"`
		Details   string `json:"details"`
	}
	if err := decodeJSON(w, r, maxJSONBody, &in); err != nil {
		writeAPIError(w, http.StatusBadRequest, "invalid_request", err.Error())
		return
	}
	if in.Status == "" {
		writeAPIError(w, http.StatusBadRequest, "invalid_request", "status is required")
		return
	}
	s.mu.Lock()
	m := s.messages[in.MessageID]
	if m == nil || m.direction != "out" {
		s.mu.Unlock()
		writeAPIError(w, http.StatusNotFound, "not_found", "unknown business message id")
		return
	}
	var e *statusError
	if in.Status == "failed" {
		code := cmp.Or(in.Code, 131026)
		e = &statusError{Code: code, Title: errorTitle(code), Details: cmp.Or(in.Details, errorDetails(code))}
		s.stats.Failed++
	}
	d := s.statusDeliveryLocked(m, in.Status, e)
	s.mu.Unlock()
	if d == nil {
		writeAPIError(w, http.StatusInternalServerError, "internal", "could not build the status webhook")
		return
	}
	res := s.attempt(context.WithoutCancel(r.Context()), d)
	s.mu.Lock()
	j := m.json()
	s.mu.Unlock()
	j.Webhook = &res
	writeJSON(w, http.StatusCreated, j)
}
