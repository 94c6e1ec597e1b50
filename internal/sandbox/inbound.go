package sandbox

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// phoneMessageRequest is what POST api/phones/{wa_id}/messages takes: the customer's message in a
// compact form the sandbox expands into Meta's message object.
type phoneMessageRequest struct {
	Type          string `json:"type"`
	Text          string `json:"text"` // text body; caption of media; button text
	Name          string `json:"name"` // WhatsApp profile name
	PhoneNumberID string `json:"phone_number_id"`
	// ID and Timestamp (unix seconds) override the generated wamid and Now: a known id makes the
	// sandbox redeliver that message (a duplicate), an old timestamp an out-of-order one.
	ID        string `json:"id"`
	Timestamp int64  `json:"timestamp"`

	ReplyTo             string          `json:"reply_to"` // quoted message id → context {from, id}
	Forwarded           bool            `json:"forwarded"`
	FrequentlyForwarded bool            `json:"frequently_forwarded"`
	Referral            json.RawMessage `json:"referral"` // true for a sample ad referral, or the object

	Media    *mediaInput `json:"media"` // image|audio|video|document|sticker; a tiny file when absent
	Caption  string      `json:"caption"`
	Filename string      `json:"filename"`
	Voice    bool        `json:"voice"`
	Animated bool        `json:"animated"`

	Location  *locationInput `json:"location"`
	Latitude  *float64       `json:"latitude"`
	Longitude *float64       `json:"longitude"`
	Address   string         `json:"address"`

	Contacts    json.RawMessage `json:"contacts"`    // array of contact cards; a sample when absent
	Interactive json.RawMessage `json:"interactive"` // {type:"button_reply"|"list_reply", id, title, description?} or Meta's shape
	Button      *buttonInput    `json:"button"`
	Payload     string          `json:"payload"` // button payload (flat form)

	Reaction  *reactionInput `json:"reaction"`
	MessageID string         `json:"message_id"` // reaction target (flat form)
	Emoji     *string        `json:"emoji"`      // reaction emoji (flat form); empty or absent removes

	UnsupportedType string          `json:"unsupported_type"` // unsupported.type (default "poll")
	Raw             json.RawMessage `json:"raw"`              // type "raw": a message object sent as given (from, id, timestamp filled when absent)
}

type mediaInput struct {
	Data     []byte `json:"data"` // base64
	MimeType string `json:"mime_type"`
	Filename string `json:"filename"`
	Caption  string `json:"caption"`
}

type locationInput struct {
	Latitude  float64 `json:"latitude"`
	Longitude float64 `json:"longitude"`
	Name      string  `json:"name"`
	Address   string  `json:"address"`
	URL       string  `json:"url"`
}

type buttonInput struct {
	Payload string `json:"payload"`
	Text    string `json:"text"`
}

type reactionInput struct {
	MessageID string  `json:"message_id"`
	Emoji     *string `json:"emoji"`
}

// inboundTypes are the types POST api/phones/{wa_id}/messages accepts.
var inboundTypes = map[string]bool{
	"text": true, "image": true, "audio": true, "video": true, "document": true, "sticker": true,
	"location": true, "contacts": true, "interactive": true, "button": true, "reaction": true,
	"unsupported": true, "raw": true,
}

// inbound is a customer message being built.
type inbound struct {
	typ     string
	text    string
	typeObj any // the message's type-specific object
	extra   object
	replyTo string
	target  string // reaction target
	emoji   string
}

// handlePhoneSend makes the customer wa_id send a message: it is added to the chat, the webhook
// body is built, signed and posted to papo (first attempt now, redeliveries in the background),
// and the answer is 201 with the message and the first attempt's outcome.
func (s *Sandbox) handlePhoneSend(w http.ResponseWriter, r *http.Request) {
	waID := normalizeWAID(r.PathValue("wa_id"))
	if waID == "" {
		writeAPIError(w, http.StatusBadRequest, "invalid_request", "wa_id must be 8 to 15 digits")
		return
	}
	var in phoneMessageRequest
	if err := decodeJSON(w, r, maxPhoneBody, &in); err != nil {
		writeAPIError(w, http.StatusBadRequest, "invalid_request", err.Error())
		return
	}
	in.Type = cmp.Or(strings.ToLower(in.Type), "text")
	if !inboundTypes[in.Type] {
		writeAPIError(w, http.StatusBadRequest, "invalid_request", "unknown type "+in.Type)
		return
	}
	num := &s.numbers[0]
	if in.PhoneNumberID != "" {
		if num = s.number(in.PhoneNumberID); num == nil {
			writeAPIError(w, http.StatusBadRequest, "invalid_request", "unknown phone_number_id")
			return
		}
	}
	base := s.baseURL(r)

	s.mu.Lock()
	p := s.phoneLocked(waID, strings.TrimSpace(in.Name))
	now := s.now()
	if in.Timestamp > 0 {
		now = time.Unix(in.Timestamp, 0)
	}
	msg, err := s.buildInboundLocked(&in, p, num, now, base)
	if err != nil {
		s.mu.Unlock()
		writeAPIError(w, http.StatusBadRequest, "invalid_request", err.Error())
		return
	}
	id := cmp.Or(in.ID, newWAMID(p.waID))
	msgObj := object{}
	if ctx := s.contextLocked(&in, msg, num, p); ctx != nil {
		msgObj = append(msgObj, member{"context", ctx})
	}
	msgObj = append(msgObj, member{"from", p.waID}, member{"id", id}, member{"timestamp", unixString(now)})
	if msg.typ == "raw" {
		msgObj = rawMessage(in.Raw, p.waID, id, unixString(now))
		if t, ok := msgObj.get("type").(string); ok {
			msg.typ = t
		}
		if v, ok := msgObj.get("id").(string); ok {
			id = v
		}
		var t struct {
			Text struct {
				Body string `json:"body"`
			} `json:"text"`
		}
		if json.Unmarshal(in.Raw, &t) == nil {
			msg.text = t.Text.Body
		}
	} else {
		if msg.typeObj != nil {
			msgObj = append(msgObj, member{msg.typ, msg.typeObj})
		}
		msgObj = append(msgObj, member{"type", msg.typ})
		msgObj = append(msgObj, msg.extra...)
	}
	value := messagesValue(num)
	value = append(value, member{"contacts", contactsOf(p.name, p.waID)}, member{"messages", []any{msgObj}})

	// A known id is a redelivery of that message: the chat keeps one copy.
	m := s.messages[id]
	if m == nil || m.direction != "in" {
		m = &chatMessage{
			id: id, direction: "in", typ: msg.typ, text: msg.text, payload: msg.typeObj, status: "sent",
			createdAt: now, numberID: num.ID, waID: p.waID, replyTo: msg.replyTo,
		}
		if msg.typ == "raw" || m.payload == nil {
			m.payload = msgObj
		}
		p.items = append(p.items, m)
		s.messages[id] = m
		if msg.target != "" {
			if t := s.messages[msg.target]; t != nil {
				if t.reactions == nil {
					t.reactions = map[string]string{}
				}
				if msg.emoji == "" {
					delete(t.reactions, "customer")
				} else {
					t.reactions["customer"] = msg.emoji
				}
			}
		}
	}
	if last := p.lastInbound[num.ID]; now.After(last) {
		p.lastInbound[num.ID] = now
	}
	d, err := s.newDeliveryLocked("message", id, s.envelope("messages", value))
	s.mu.Unlock()
	if err != nil {
		writeAPIError(w, http.StatusInternalServerError, "internal", err.Error())
		return
	}
	d.onDelivered = func() {
		s.mu.Lock()
		if m.status == "sent" {
			m.status = "delivered"
		}
		s.mu.Unlock()
	}
	res := s.attempt(context.WithoutCancel(r.Context()), d)
	s.mu.Lock()
	j := m.json()
	s.mu.Unlock()
	j.Webhook = &res
	writeJSON(w, http.StatusCreated, j)
}

// contextLocked builds the message's context object: a quoted message, a forward, or nothing.
// Taps on template buttons quote the latest business template when reply_to is not given.
func (s *Sandbox) contextLocked(in *phoneMessageRequest, msg *inbound, num *Number, p *phone) object {
	if msg.typ == "raw" || msg.typ == "reaction" {
		return nil
	}
	replyTo := in.ReplyTo
	if replyTo == "" && (msg.typ == "button" || msg.typ == "interactive") {
		for i := len(p.items) - 1; i >= 0; i-- {
			if it := p.items[i]; it.direction == "out" && (it.typ == "template" || it.typ == "interactive") {
				replyTo = it.id
				break
			}
		}
	}
	var ctx object
	if in.Forwarded || in.FrequentlyForwarded {
		if in.FrequentlyForwarded {
			ctx = append(ctx, member{"frequently_forwarded", true})
		} else {
			ctx = append(ctx, member{"forwarded", true})
		}
	}
	if replyTo != "" {
		from := p.waID
		if q := s.messages[replyTo]; q != nil && q.direction == "out" {
			if qn := s.number(q.numberID); qn != nil {
				from = qn.DisplayPhoneNumber
			}
		} else if q == nil {
			from = num.DisplayPhoneNumber
		}
		ctx = append(ctx, member{"from", normalizeWAID(from)}, member{"id", replyTo})
		msg.replyTo = replyTo
	}
	return ctx
}

// rawMessage returns a raw message object with from, id and timestamp filled in when absent.
// Keys keep their order; missing ones come first.
func rawMessage(raw json.RawMessage, from, id, ts string) object {
	var keys []string
	vals := map[string]json.RawMessage{}
	dec := json.NewDecoder(bytes.NewReader(raw))
	if tok, err := dec.Token(); err == nil && tok == json.Delim('{') {
		for dec.More() {
			t, err := dec.Token()
			if err != nil {
				break
			}
			k, _ := t.(string)
			var v json.RawMessage
			if err := dec.Decode(&v); err != nil {
				break
			}
			if _, seen := vals[k]; !seen {
				keys = append(keys, k)
			}
			vals[k] = v
		}
	}
	var o object
	for _, kv := range []struct{ k, v string }{{"from", from}, {"id", id}, {"timestamp", ts}} {
		if _, ok := vals[kv.k]; !ok {
			o = append(o, member{kv.k, kv.v})
		}
	}
	for _, k := range keys {
		var s string
		if (k == "id" || k == "type") && json.Unmarshal(vals[k], &s) == nil {
			o = append(o, member{k, s})
			continue
		}
		o = append(o, member{k, vals[k]})
	}
	return o
}

// buildInboundLocked expands the request into the message's type object.
func (s *Sandbox) buildInboundLocked(in *phoneMessageRequest, p *phone, num *Number, now time.Time, base string) (*inbound, error) {
	msg := &inbound{typ: in.Type}
	switch in.Type {
	case "text":
		if strings.TrimSpace(in.Text) == "" {
			return nil, fmt.Errorf("text is required")
		}
		msg.text = in.Text
		msg.typeObj = object{{"body", in.Text}}
	case "image", "audio", "video", "document", "sticker":
		return msg, s.inboundMediaLocked(in, msg, num, now, base)
	case "location":
		loc := locationInput{}
		if in.Location != nil {
			loc = *in.Location
		} else if in.Latitude != nil && in.Longitude != nil {
			loc = locationInput{Latitude: *in.Latitude, Longitude: *in.Longitude, Address: in.Address}
		} else {
			loc = locationInput{Latitude: -23.561414, Longitude: -46.655881, Name: "MASP", Address: "Av. Paulista, 1578 - Bela Vista, São Paulo - SP"}
		}
		o := object{{"latitude", loc.Latitude}, {"longitude", loc.Longitude}}
		if loc.Name != "" {
			o = append(o, member{"name", loc.Name})
		}
		if loc.Address != "" {
			o = append(o, member{"address", loc.Address})
		}
		if loc.URL != "" {
			o = append(o, member{"url", loc.URL})
		}
		msg.text = strings.TrimSpace(loc.Name + " " + loc.Address)
		msg.typeObj = o
	case "contacts":
		raw := in.Contacts
		if len(raw) == 0 {
			raw = json.RawMessage(`[{"name":{"formatted_name":"João Souza","first_name":"João","last_name":"Souza"},"phones":[{"phone":"+55 11 91234-5678","wa_id":"5511912345678","type":"CELL"}]}]`)
		}
		var cards []struct {
			Name struct {
				FormattedName string `json:"formatted_name"`
			} `json:"name"`
		}
		if err := json.Unmarshal(raw, &cards); err != nil || len(cards) == 0 {
			return nil, fmt.Errorf("contacts must be a non-empty array of contact cards")
		}
		var names []string
		for _, c := range cards {
			names = append(names, c.Name.FormattedName)
		}
		msg.text = strings.Join(names, ", ")
		msg.typeObj = raw
	case "interactive":
		return msg, buildInteractive(in, msg)
	case "button":
		b := buttonInput{Payload: in.Payload, Text: in.Text}
		if in.Button != nil {
			b = *in.Button
		}
		if b.Text == "" {
			return nil, fmt.Errorf("button text is required")
		}
		msg.text = b.Text
		msg.typeObj = object{{"payload", cmp.Or(b.Payload, b.Text)}, {"text", b.Text}}
	case "reaction":
		rc := reactionInput{MessageID: in.MessageID, Emoji: in.Emoji}
		if in.Reaction != nil {
			rc = *in.Reaction
		}
		if rc.MessageID == "" {
			return nil, fmt.Errorf("message_id (the message reacted to) is required")
		}
		o := object{{"message_id", rc.MessageID}}
		if rc.Emoji != nil {
			o = append(o, member{"emoji", *rc.Emoji})
			msg.emoji = *rc.Emoji
		}
		msg.text = msg.emoji
		msg.target = rc.MessageID
		msg.typeObj = o
	case "unsupported":
		kind := cmp.Or(in.UnsupportedType, "poll")
		msg.typeObj = object{{"type", kind}}
		msg.extra = object{{"errors", []any{object{
			{"code", 131051}, {"title", "Message type unknown"}, {"message", "Message type unknown"},
			{"error_data", object{{"details", "Message type is currently not supported."}}},
		}}}}
	case "raw":
		if len(bytes.TrimSpace(in.Raw)) == 0 || bytes.TrimSpace(in.Raw)[0] != '{' {
			return nil, fmt.Errorf("raw must be a message object")
		}
	}
	if len(in.Referral) > 0 && string(in.Referral) != "false" && string(in.Referral) != "null" {
		ref := json.RawMessage(in.Referral)
		if string(in.Referral) == "true" {
			ref = json.RawMessage(`{"source_url":"https://fb.me/3cr4Wqqkv","source_id":"120210000000000000","source_type":"ad","headline":"Fale com a gente no WhatsApp","body":"Atendimento rápido pelo WhatsApp","media_type":"image","image_url":"https://scontent.xx.fbcdn.net/v/t45.1600-4/ad.jpg","thumbnail_url":"https://scontent.xx.fbcdn.net/v/t45.1600-4/ad_thumb.jpg","ctwa_clid":"ARAkLkA8rmlFeiCktEJQ-QTwRiyYHAFDLMNDBH0CD3qpjd0HR4irJ6LEkR7JwFF4XvnO2E4Nx0-eM-GABDLOPaOdRMv-_zfUQ2a"}`)
		}
		msg.extra = append(msg.extra, member{"referral", ref})
	}
	return msg, nil
}

// buildInteractive expands a button or list reply.
func buildInteractive(in *phoneMessageRequest, msg *inbound) error {
	var it struct {
		Type        string          `json:"type"`
		ID          string          `json:"id"`
		Title       string          `json:"title"`
		Description string          `json:"description"`
		ButtonReply json.RawMessage `json:"button_reply"`
		ListReply   json.RawMessage `json:"list_reply"`
		NfmReply    json.RawMessage `json:"nfm_reply"`
	}
	if len(in.Interactive) > 0 {
		if err := json.Unmarshal(in.Interactive, &it); err != nil {
			return fmt.Errorf("interactive must be an object: %v", err)
		}
	}
	it.Type = cmp.Or(it.Type, "button_reply")
	if len(it.ButtonReply) > 0 || len(it.ListReply) > 0 || len(it.NfmReply) > 0 {
		var reply struct {
			Title string `json:"title"`
			Body  string `json:"body"`
		}
		for _, r := range []json.RawMessage{it.ButtonReply, it.ListReply, it.NfmReply} {
			if len(r) > 0 {
				_ = json.Unmarshal(r, &reply)
			}
		}
		msg.text = cmp.Or(reply.Title, reply.Body)
		msg.typeObj = in.Interactive
		return nil
	}
	if it.Type != "button_reply" && it.Type != "list_reply" {
		return fmt.Errorf("interactive.type must be button_reply or list_reply (or give Meta's object)")
	}
	title := cmp.Or(it.Title, in.Text)
	if title == "" {
		return fmt.Errorf("interactive.title is required")
	}
	reply := object{{"id", cmp.Or(it.ID, strings.ToLower(strings.ReplaceAll(title, " ", "_")))}, {"title", title}}
	if it.Type == "list_reply" && it.Description != "" {
		reply = append(reply, member{"description", it.Description})
	}
	msg.text = title
	msg.typeObj = object{{"type", it.Type}, {it.Type, reply}}
	return nil
}
