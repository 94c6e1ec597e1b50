package sandbox

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// sendRequest is the body of POST /{version}/{phone_number_id}/messages.
type sendRequest struct {
	MessagingProduct string `json:"messaging_product"`
	RecipientType    string `json:"recipient_type"`
	To               string `json:"to"`
	Type             string `json:"type"`
	Status           string `json:"status"`
	MessageID        string `json:"message_id"`
	TypingIndicator  *struct {
		Type string `json:"type"`
	} `json:"typing_indicator"`
	Context *struct {
		MessageID string `json:"message_id"`
	} `json:"context"`
	BizOpaque string `json:"biz_opaque_callback_data"`
	Text      *struct {
		Body       string `json:"body"`
		PreviewURL bool   `json:"preview_url"`
	} `json:"text"`
	Image    *mediaRef `json:"image"`
	Audio    *mediaRef `json:"audio"`
	Video    *mediaRef `json:"video"`
	Document *mediaRef `json:"document"`
	Sticker  *mediaRef `json:"sticker"`
	Reaction *struct {
		MessageID string  `json:"message_id"`
		Emoji     *string `json:"emoji"`
	} `json:"reaction"`
	Template *sendTemplate `json:"template"`
}

type mediaRef struct {
	ID       string `json:"id"`
	Link     string `json:"link"`
	Caption  string `json:"caption"`
	Filename string `json:"filename"`
}

// maxSendBody bounds a send request.
const maxSendBody = 1 << 20

// sendTypes are the outbound types the sandbox accepts.
var sendTypes = []string{"audio", "contacts", "document", "image", "interactive", "location", "reaction", "sticker", "template", "text", "video"}

// outgoing is a validated business message about to be accepted.
type outgoing struct {
	typ          string
	text         string
	payload      any
	replyTo      string
	category     string // pricing category
	asyncCode    int    // fail asynchronously with this code
	asyncDetails string
	reactTarget  string
	reactEmoji   string
}

// handleSend imitates POST /{version}/{phone_number_id}/messages: sends and read receipts.
func (s *Sandbox) handleSend(w http.ResponseWriter, r *http.Request) {
	if e := s.checkBearer(r); e != nil {
		writeGraphError(w, e)
		return
	}
	if e := checkVersion(r); e != nil {
		writeGraphError(w, e)
		return
	}
	pnid := r.PathValue("id")
	num := s.number(pnid)
	if num == nil {
		writeGraphError(w, methodError(r.Method, pnid))
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxSendBody))
	if err != nil {
		s.reject(w, newGraphError(100, "The request body is too large or could not be read."))
		return
	}
	var req sendRequest
	jerr := json.Unmarshal(body, &req)
	to := normalizeWAID(req.To)

	// Injected failures come first; an "accept" rule lets the send through and answers the error.
	lost := s.takeFailure("messages", pnid, to, false)
	if lost != nil && !lost.Accept {
		writeFailure(r.Context(), w, lost)
		return
	}
	answer := func(status int, v any) {
		if lost != nil {
			writeFailure(r.Context(), w, lost)
			return
		}
		writeGraphJSON(w, status, v)
	}

	if jerr != nil {
		s.reject(w, newGraphError(100, "The request body is not valid JSON: "+jerr.Error()))
		return
	}
	if req.MessagingProduct != "whatsapp" {
		s.reject(w, &graphError{status: http.StatusBadRequest, code: 100, message: "(#100) The parameter messaging_product is required.", details: `messaging_product must be "whatsapp"`})
		return
	}
	if req.Status != "" {
		s.readReceipt(w, pnid, &req, answer)
		return
	}
	if to == "" {
		if strings.TrimSpace(req.To) == "" {
			s.reject(w, &graphError{status: http.StatusBadRequest, code: 100, message: "(#100) The parameter to is required.", details: "The parameter to is required."})
		} else {
			s.reject(w, newGraphError(100, fmt.Sprintf("Invalid parameter to: %q is not a phone number.", req.To)))
		}
		return
	}
	if req.RecipientType != "" && req.RecipientType != "individual" {
		s.reject(w, newGraphError(100, "Param recipient_type must be individual."))
		return
	}
	if to == normalizeWAID(num.DisplayPhoneNumber) {
		s.reject(w, newGraphError(131021, "The recipient is the sending business number."))
		return
	}
	typ := req.Type
	if typ == "" {
		typ = "text"
	}
	var raw map[string]json.RawMessage
	_ = json.Unmarshal(body, &raw)

	now := s.now()
	s.mu.Lock()
	out, gerr := s.buildOutgoingLocked(typ, &req, raw)
	if gerr != nil {
		s.mu.Unlock()
		s.reject(w, gerr)
		return
	}
	waID := to
	p := s.lookupPhoneLocked(to)
	if p != nil {
		waID = p.waID
	}
	if typ != "template" && !p.windowOpen(pnid, now) {
		if s.syncWindow {
			s.mu.Unlock()
			s.reject(w, newGraphError(131047, errorDetails(131047)))
			return
		}
		out.asyncCode, out.asyncDetails = 131047, errorDetails(131047)
	}
	s.mu.Unlock()

	if !s.allowSend(pnid) {
		writeGraphError(w, newGraphError(130429, errorDetails(130429)))
		return
	}
	if f := s.takeFailure("messages", pnid, waID, true); f != nil && out.asyncCode == 0 {
		out.asyncCode, out.asyncDetails = f.Code, f.Details
	}

	m := s.accept(num, &req, out, waID, body, raw[typ], now)
	id := m.id
	switch {
	case out.asyncCode != 0:
		code, details := out.asyncCode, out.asyncDetails
		s.later(s.statusDelay, func() { s.failMessage(id, code, details) })
	case s.autoDeliver:
		s.later(s.statusDelay, func() {
			s.advance(id, "sent")
			s.later(s.statusDelay, func() { s.advance(id, "delivered") })
		})
	}
	answer(http.StatusOK, object{
		{"messaging_product", "whatsapp"},
		{"contacts", []any{object{{"input", req.To}, {"wa_id", waID}}}},
		{"messages", []any{object{{"id", id}, {"message_status", "accepted"}}}},
	})
}

// reject answers a refused send and counts it.
func (s *Sandbox) reject(w http.ResponseWriter, e *graphError) {
	s.mu.Lock()
	s.stats.Rejected++
	s.mu.Unlock()
	writeGraphError(w, e)
}

// accept records an accepted business message in the chat, the stats and the sent log.
func (s *Sandbox) accept(num *Number, req *sendRequest, out *outgoing, waID string, body, typeObj []byte, now time.Time) *chatMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.phoneLocked(waID, "")
	m := &chatMessage{
		id: newWAMID(p.waID), direction: "out", typ: out.typ, text: out.text, payload: out.payload,
		status: "accepted", createdAt: now, numberID: num.ID, waID: p.waID, replyTo: out.replyTo,
		bizOpaque: req.BizOpaque, category: out.category,
	}
	p.items = append(p.items, m)
	p.typingUntil = time.Time{}
	s.messages[m.id] = m
	if out.reactTarget != "" {
		if t := s.messages[out.reactTarget]; t != nil {
			if t.reactions == nil {
				t.reactions = map[string]string{}
			}
			if out.reactEmoji == "" {
				delete(t.reactions, "business")
			} else {
				t.reactions["business"] = out.reactEmoji
			}
		}
	}
	acceptedAt := time.Now()
	s.stats.Accepted++
	ps := s.stats.phone(num.ID)
	ps.Accepted++
	if s.stats.FirstAccepted == nil {
		s.stats.FirstAccepted = &acceptedAt
	}
	s.stats.LastAccepted = &acceptedAt
	key := num.ID + "\x00" + p.waID + "\x00" + out.typ + "\x00" + string(typeObj)
	dup := s.dupKeys[key]
	if dup {
		s.stats.Duplicates++
		ps.Duplicates++
	}
	s.dupKeys[key] = true
	if len(s.sent) < maxSentLog {
		s.sent = append(s.sent, sentRecord{
			ID: m.id, PhoneNumberID: num.ID, To: req.To, WaID: p.waID, Type: out.typ, Text: out.text,
			Duplicate: dup, AcceptedAt: acceptedAt, Request: json.RawMessage(body),
		})
	}
	return m
}

// readReceipt handles {"status":"read","message_id"} (optionally with a typing indicator): the
// customer's message, and every earlier one to this number, show as read on the phone.
func (s *Sandbox) readReceipt(w http.ResponseWriter, pnid string, req *sendRequest, answer func(int, any)) {
	if req.Status != "read" {
		s.reject(w, newGraphError(100, "Param status must be read."))
		return
	}
	if req.MessageID == "" {
		s.reject(w, &graphError{status: http.StatusBadRequest, code: 100, message: "(#100) The parameter message_id is required.", details: "The parameter message_id is required."})
		return
	}
	s.mu.Lock()
	m := s.messages[req.MessageID]
	if m == nil || m.direction != "in" || m.numberID != pnid {
		s.mu.Unlock()
		s.reject(w, newGraphError(100, "Invalid message_id: no message from a user to this number has this id."))
		return
	}
	if p := s.phones[m.waID]; p != nil {
		for _, it := range p.items {
			if it.direction == "in" && it.numberID == pnid && it.status != "read" {
				it.status = "read"
			}
			if it == m {
				break
			}
		}
		if req.TypingIndicator != nil {
			p.typingUntil = time.Now().Add(25 * time.Second)
		}
	}
	s.stats.ReadReceipts++
	s.mu.Unlock()
	answer(http.StatusOK, object{{"success", true}})
}

// buildOutgoingLocked validates the type-specific part of a send and renders its chat text.
func (s *Sandbox) buildOutgoingLocked(typ string, req *sendRequest, raw map[string]json.RawMessage) (*outgoing, *graphError) {
	out := &outgoing{typ: typ, category: "service"}
	if req.Context != nil {
		out.replyTo = req.Context.MessageID
	}
	if sub := raw[typ]; len(sub) > 0 {
		out.payload = sub
	}
	switch typ {
	case "text":
		if req.Text == nil || req.Text.Body == "" {
			return nil, &graphError{status: http.StatusBadRequest, code: 100, message: "(#100) The parameter text['body'] is required.", details: "The parameter text['body'] is required."}
		}
		if utf8.RuneCountInString(req.Text.Body) > 4096 {
			return nil, newGraphError(100, "Param text['body'] must be at most 4096 characters long.")
		}
		out.text = req.Text.Body
	case "image", "audio", "video", "document", "sticker":
		ref := map[string]*mediaRef{"image": req.Image, "audio": req.Audio, "video": req.Video, "document": req.Document, "sticker": req.Sticker}[typ]
		if ref == nil {
			return nil, newGraphError(100, fmt.Sprintf("The parameter %s is required.", typ))
		}
		if (ref.ID == "") == (ref.Link == "") {
			return nil, newGraphError(100, fmt.Sprintf("Param %s must contain exactly one of id or link.", typ))
		}
		if ref.ID != "" {
			m := s.media[ref.ID]
			if m == nil || m.expired(s.now()) {
				return nil, newGraphError(100, fmt.Sprintf("Param %s['id'] is not a valid whatsapp business account media attachment ID", typ))
			}
			if !compatibleMedia(typ, m.kind) {
				out.asyncCode = 131053
				out.asyncDetails = fmt.Sprintf("Media upload error: the media type %s is not supported for %s messages.", m.mime, typ)
			}
		} else if u, err := url.Parse(ref.Link); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, newGraphError(100, fmt.Sprintf("Param %s['link'] must be a valid http(s) URL.", typ))
		}
		if typ == "image" || typ == "video" || typ == "document" {
			out.text = ref.Caption
		}
	case "reaction":
		if req.Reaction == nil || req.Reaction.MessageID == "" {
			return nil, &graphError{status: http.StatusBadRequest, code: 100, message: "(#100) The parameter reaction['message_id'] is required.", details: "The parameter reaction['message_id'] is required."}
		}
		out.reactTarget = req.Reaction.MessageID
		if req.Reaction.Emoji != nil {
			out.reactEmoji = *req.Reaction.Emoji
		}
		out.text = out.reactEmoji
	case "template":
		return s.templateOutgoingLocked(req, out)
	case "location":
		var loc struct {
			Latitude  *float64 `json:"latitude"`
			Longitude *float64 `json:"longitude"`
			Name      string   `json:"name"`
			Address   string   `json:"address"`
		}
		if json.Unmarshal(raw["location"], &loc) != nil || loc.Latitude == nil || loc.Longitude == nil {
			return nil, newGraphError(100, "Param location must have latitude and longitude.")
		}
		out.text = strings.TrimSpace(loc.Name + " " + loc.Address)
	case "contacts":
		var cards []struct {
			Name struct {
				FormattedName string `json:"formatted_name"`
			} `json:"name"`
		}
		if json.Unmarshal(raw["contacts"], &cards) != nil || len(cards) == 0 {
			return nil, newGraphError(100, "Param contacts must be a non-empty array.")
		}
		var names []string
		for _, c := range cards {
			if c.Name.FormattedName == "" {
				return nil, newGraphError(100, "Param contacts[0]['name']['formatted_name'] is required.")
			}
			names = append(names, c.Name.FormattedName)
		}
		out.text = strings.Join(names, ", ")
	case "interactive":
		var it struct {
			Type string `json:"type"`
			Body struct {
				Text string `json:"text"`
			} `json:"body"`
			Action json.RawMessage `json:"action"`
		}
		if json.Unmarshal(raw["interactive"], &it) != nil || it.Type == "" {
			return nil, newGraphError(100, "Param interactive['type'] is required.")
		}
		if (it.Type == "button" || it.Type == "list") && (it.Body.Text == "" || len(it.Action) == 0) {
			return nil, newGraphError(100, "Param interactive requires body['text'] and action for button and list messages.")
		}
		out.text = it.Body.Text
	default:
		return nil, newGraphError(100, "Param type must be one of {"+strings.Join(sendTypes, ", ")+"}, got "+typ+".")
	}
	return out, nil
}

// sendTemplate is the template object of a send.
type sendTemplate struct {
	Name     string `json:"name"`
	Language struct {
		Code string `json:"code"`
	} `json:"language"`
	Components []sendComponent `json:"components"`
}

type sendComponent struct {
	Type       string          `json:"type"`
	SubType    string          `json:"sub_type"`
	Index      json.RawMessage `json:"index"`
	Parameters []sendParameter `json:"parameters"`
}

type sendParameter struct {
	Type          string    `json:"type"`
	ParameterName string    `json:"parameter_name"`
	Text          *string   `json:"text"`
	Payload       string    `json:"payload"`
	Image         *mediaRef `json:"image"`
	Video         *mediaRef `json:"video"`
	Document      *mediaRef `json:"document"`
	Currency      *struct {
		FallbackValue string `json:"fallback_value"`
	} `json:"currency"`
	DateTime *struct {
		FallbackValue string `json:"fallback_value"`
	} `json:"date_time"`
	Location json.RawMessage `json:"location"`
}

// templateOutgoingLocked checks a template send against the stored definition (132001 unknown or
// not approved, 132000 parameter count or names, 132012 header format) and renders it.
func (s *Sandbox) templateOutgoingLocked(req *sendRequest, out *outgoing) (*outgoing, *graphError) {
	ts := req.Template
	if ts == nil || ts.Name == "" {
		return nil, &graphError{status: http.StatusBadRequest, code: 100, message: "(#100) The parameter template['name'] is required.", details: "The parameter template['name'] is required."}
	}
	if ts.Language.Code == "" {
		return nil, &graphError{status: http.StatusBadRequest, code: 100, message: "(#100) The parameter template['language']['code'] is required.", details: "The parameter template['language']['code'] is required."}
	}
	tpl := s.templateLocked(ts.Name, ts.Language.Code)
	if tpl == nil {
		return nil, newGraphError(132001, fmt.Sprintf("template name (%s) does not exist in %s", ts.Name, ts.Language.Code))
	}
	switch tpl.Status {
	case "APPROVED":
	case "PAUSED":
		return nil, newGraphError(132015, fmt.Sprintf("Template %s is paused due to low quality.", ts.Name))
	case "DISABLED":
		return nil, newGraphError(132016, fmt.Sprintf("Template %s has been disabled.", ts.Name))
	default:
		return nil, newGraphError(132001, fmt.Sprintf("template name (%s) does not exist in %s (status %s: only APPROVED templates can be sent)", ts.Name, ts.Language.Code, tpl.Status))
	}
	var headerParams, bodyParams []sendParameter
	buttonParams := map[string][]sendParameter{}
	for _, c := range ts.Components {
		switch strings.ToLower(c.Type) {
		case "header":
			headerParams = append(headerParams, c.Parameters...)
		case "body":
			bodyParams = append(bodyParams, c.Parameters...)
		case "button":
			idx := strings.Trim(string(c.Index), `"`)
			buttonParams[idx] = append(buttonParams[idx], c.Parameters...)
		default:
			return nil, newGraphError(100, fmt.Sprintf("Param template['components'] has an unknown type %q.", c.Type))
		}
	}
	named := tpl.ParameterFormat == "NAMED"
	var header, bodyText, footer string
	var headerMedia any
	var buttons []string
	hasHeader := false
	for _, c := range tpl.Components {
		switch c.Type {
		case "HEADER":
			hasHeader = true
			if c.Format == "TEXT" {
				v, e := bindParams("header", c.Text, headerParams, named)
				if e != nil {
					return nil, e
				}
				header = v
				continue
			}
			want := strings.ToLower(c.Format)
			if len(headerParams) != 1 || strings.ToLower(headerParams[0].Type) != want {
				got := "UNKNOWN"
				if len(headerParams) > 0 {
					got = strings.ToUpper(headerParams[0].Type)
				}
				return nil, newGraphError(132012, fmt.Sprintf("header: Format mismatch, expected %s, received %s", c.Format, got))
			}
			hp := headerParams[0]
			var ref *mediaRef
			switch want {
			case "image":
				ref = hp.Image
			case "video":
				ref = hp.Video
			case "document":
				ref = hp.Document
			case "location":
				headerMedia = hp.Location
			}
			if want != "location" {
				if ref == nil || (ref.ID == "" && ref.Link == "") {
					return nil, newGraphError(132012, fmt.Sprintf("header: the %s parameter needs an id or a link", want))
				}
				if ref.ID != "" && s.media[ref.ID] == nil {
					return nil, newGraphError(100, fmt.Sprintf("Param template header %s['id'] is not a valid whatsapp business account media attachment ID", want))
				}
				headerMedia = object{{"type", want}, {"id", ref.ID}, {"link", ref.Link}}
			}
		case "BODY":
			v, e := bindParams("body", c.Text, bodyParams, named)
			if e != nil {
				return nil, e
			}
			if utf8.RuneCountInString(v) > 1024 {
				return nil, newGraphError(132005, "The body text with its parameters is longer than 1024 characters.")
			}
			bodyText = v
		case "FOOTER":
			footer = c.Text
		case "BUTTONS":
			for i, b := range c.Buttons {
				buttons = append(buttons, b.Text)
				if b.Type != "URL" || len(placeholders(b.URL)) == 0 {
					continue
				}
				if _, e := bindParams(fmt.Sprintf("button at index %d", i), b.URL, buttonParams[fmt.Sprint(i)], false); e != nil {
					return nil, e
				}
			}
		}
	}
	if !hasHeader && len(headerParams) > 0 {
		return nil, newGraphError(132000, fmt.Sprintf("header: number of localizable_params (%d) does not match the expected number of params (0)", len(headerParams)))
	}
	var parts []string
	for _, p := range []string{header, bodyText, footer} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	out.text = strings.Join(parts, "\n\n")
	out.category = strings.ToLower(tpl.Category)
	rendered := object{{"name", tpl.Name}, {"language", tpl.Language}, {"category", tpl.Category}}
	if header != "" {
		rendered = append(rendered, member{"header", header})
	}
	if headerMedia != nil {
		rendered = append(rendered, member{"header_media", headerMedia})
	}
	rendered = append(rendered, member{"body", bodyText})
	if footer != "" {
		rendered = append(rendered, member{"footer", footer})
	}
	if len(buttons) > 0 {
		rendered = append(rendered, member{"buttons", buttons})
	}
	rendered = append(rendered, member{"components", ts.Components})
	out.payload = rendered
	return out, nil
}

// paramTextDetails is Meta's refusal of parameter values with layout characters.
const paramTextDetails = "Param text cannot have new-line/tab characters or more than 4 consecutive spaces"

// bindParams matches the text parameters of one component to the variables of text and returns
// text filled in.
func bindParams(where, text string, params []sendParameter, named bool) (string, *graphError) {
	vars := placeholders(text)
	if len(params) != len(vars) {
		return "", newGraphError(132000, fmt.Sprintf("%s: number of localizable_params (%d) does not match the expected number of params (%d)", where, len(params), len(vars)))
	}
	values := map[string]string{}
	for i, p := range params {
		var v string
		switch strings.ToLower(p.Type) {
		case "text":
			if p.Text == nil || *p.Text == "" {
				return "", newGraphError(131008, fmt.Sprintf("%s: parameter %d has no text", where, i+1))
			}
			v = *p.Text
		case "currency":
			if p.Currency == nil || p.Currency.FallbackValue == "" {
				return "", newGraphError(131008, fmt.Sprintf("%s: currency parameter %d needs fallback_value", where, i+1))
			}
			v = p.Currency.FallbackValue
		case "date_time":
			if p.DateTime == nil || p.DateTime.FallbackValue == "" {
				return "", newGraphError(131008, fmt.Sprintf("%s: date_time parameter %d needs fallback_value", where, i+1))
			}
			v = p.DateTime.FallbackValue
		default:
			return "", newGraphError(132012, fmt.Sprintf("%s: parameter %d has type %q where text is expected", where, i+1, p.Type))
		}
		if strings.ContainsAny(v, "\n\t") || strings.Contains(v, "     ") {
			return "", newGraphError(100, paramTextDetails)
		}
		if named {
			if p.ParameterName == "" {
				return "", newGraphError(100, fmt.Sprintf("%s: parameter %d has no parameter_name (the template uses NAMED parameters)", where, i+1))
			}
			if _, dup := values[p.ParameterName]; dup || !slices.Contains(vars, p.ParameterName) {
				return "", newGraphError(132000, fmt.Sprintf("%s: parameter name %q does not match the template's parameters (%s)", where, p.ParameterName, strings.Join(vars, ", ")))
			}
			values[p.ParameterName] = v
		} else {
			values[vars[i]] = v
		}
	}
	return fill(text, values), nil
}
