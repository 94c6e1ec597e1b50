package sandbox_test

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"papo/internal/sandbox"
)

// F27: an inbound text becomes Meta's webhook body, escaped like Meta's and signed over those bytes.
func TestF27InboundTextWebhookIsShapedEscapedAndSigned(t *testing.T) {
	e := newEnv(t, nil)
	code, m := e.do(t, http.MethodPost, "api/phones/"+customer+"/messages", "",
		map[string]any{"type": "text", "text": "Olá 👍", "name": "Maria Silva"})
	if code != http.StatusCreated {
		t.Fatalf("status %d: %v", code, m)
	}
	if m["direction"] != "in" || m["type"] != "text" || m["text"] != "Olá 👍" || path(m, "webhook", "status") != float64(200) {
		t.Fatalf("answer = %v", m)
	}
	id, _ := m["id"].(string)
	if !strings.HasPrefix(id, "wamid.") {
		t.Fatalf("id = %q", id)
	}

	bodies := e.rc.all()
	if len(bodies) != 1 {
		t.Fatalf("receiver got %d bodies, want 1", len(bodies))
	}
	raw := bodies[0]
	if !bytes.Contains(raw, []byte(`"body":"Ol\u00e1 \ud83d\udc4d"`)) {
		t.Errorf("body not escaped like Meta's (lowercase \\u, surrogate pair):\n%s", raw)
	}
	for _, c := range raw {
		if c >= 0x80 {
			t.Fatalf("raw non-ASCII byte in webhook body:\n%s", raw)
		}
	}
	h := decodeHook(t, raw)
	if h.Object != "whatsapp_business_account" || len(h.Entry) != 1 || h.Entry[0].ID != testWABA {
		t.Fatalf("envelope = %+v", h)
	}
	ch := h.Entry[0].Changes[0]
	v := ch.Value
	if ch.Field != "messages" || v.MessagingProduct != "whatsapp" ||
		v.Metadata.PhoneNumberID != testPNID || v.Metadata.DisplayPhoneNumber != "5511940028922" {
		t.Errorf("change = %+v", ch)
	}
	if len(v.Contacts) != 1 || v.Contacts[0].WaID != customer || v.Contacts[0].Profile.Name != "Maria Silva" {
		t.Errorf("contacts = %+v", v.Contacts)
	}
	msg := v.Messages[0]
	wantTS := fmt.Sprint(e.clock.Now().Unix())
	if msg["from"] != customer || msg["id"] != id || msg["timestamp"] != wantTS || msg["type"] != "text" ||
		path(msg, "text", "body") != "Olá 👍" {
		t.Errorf("message = %v (timestamp must be the string %q)", msg, wantTS)
	}
	if n := e.rc.badCount(); n != 0 {
		t.Errorf("%d webhooks with a bad signature", n)
	}
	// papo answered 200: the phone shows the message delivered.
	items := e.chat(t, customer)
	if len(items) != 1 || items[0]["status"] != "delivered" || items[0]["direction"] != "in" {
		t.Errorf("chat = %v", items)
	}
}

// F27: an accepted text gets sent then delivered status webhooks (AutoDeliver).
func TestF27SendTextReportsSentThenDelivered(t *testing.T) {
	e := newEnv(t, nil)
	e.customerSays(t, customer, "oi")
	code, m := e.send(t, textSend("+"+customer, "Olá, Maria! Como posso ajudar?"))
	if code != http.StatusOK {
		t.Fatalf("send: %d %v", code, m)
	}
	if m["messaging_product"] != "whatsapp" || path(m, "contacts", 0, "input") != "+"+customer ||
		path(m, "contacts", 0, "wa_id") != customer || path(m, "messages", 0, "message_status") != "accepted" {
		t.Fatalf("answer = %v", m)
	}
	id := wamidOf(t, m)
	st := e.rc.waitStatuses(t, id, "sent", "delivered")
	sent := st[0]
	if sent.RecipientID != customer || sent.Timestamp != fmt.Sprint(e.clock.Now().Unix()) {
		t.Errorf("sent = %+v", sent)
	}
	if sent.Conversation == nil || sent.Conversation.ExpirationTimestamp == "" || sent.Conversation.Origin.Type != "service" {
		t.Errorf("sent.conversation = %+v", sent.Conversation)
	}
	if sent.Pricing == nil || sent.Pricing.PricingModel != "PMP" || sent.Pricing.Category != "service" ||
		sent.Pricing.Type != "free_customer_service" || sent.Pricing.Billable {
		t.Errorf("sent.pricing = %+v", sent.Pricing)
	}
	if st[1].Conversation == nil || st[1].Conversation.ExpirationTimestamp != "" {
		t.Errorf("delivered.conversation = %+v (no expiration after sent)", st[1].Conversation)
	}
	items := e.chat(t, customer)
	last := items[len(items)-1]
	if last["id"] != id || last["direction"] != "out" || last["status"] != "delivered" || last["text"] != "Olá, Maria! Como posso ajudar?" {
		t.Errorf("chat item = %v", last)
	}
}

// F27: outside the 24-hour window a free-form send is accepted and then fails with 131047; templates
// still go out; SyncWindowErrors answers 131047 at once.
func TestF27WindowClosedFailsWith131047(t *testing.T) {
	e := newEnv(t, nil)
	e.customerSays(t, customer, "oi")
	e.clock.Advance(24*time.Hour + time.Minute)

	code, m := e.send(t, textSend(customer, "ainda está aí?"))
	if code != http.StatusOK {
		t.Fatalf("send outside the window: %d %v (want 200 then a failed status)", code, m)
	}
	id := wamidOf(t, m)
	st := e.rc.waitStatuses(t, id, "failed")
	if len(st[0].Errors) != 1 || st[0].Errors[0].Code != 131047 || st[0].Errors[0].Title != st[0].Errors[0].Message ||
		st[0].Errors[0].ErrorData.Details == "" || st[0].Errors[0].Href == "" {
		t.Errorf("failed status = %+v", st[0])
	}
	if _, contacts := e.rc.statusesOf(t, id); contacts[0] != 0 {
		t.Errorf("failed status carries contacts")
	}
	items := e.chat(t, customer)
	last := items[len(items)-1]
	if last["status"] != "failed" || path(last, "error", "code") != float64(131047) {
		t.Errorf("chat item = %v", last)
	}

	// A template is fine outside the window.
	code, m = e.send(t, map[string]any{"messaging_product": "whatsapp", "to": customer, "type": "template",
		"template": map[string]any{"name": "pesquisa_satisfacao", "language": map[string]any{"code": "pt_BR"}}})
	if code != http.StatusOK {
		t.Fatalf("template outside the window: %d %v", code, m)
	}
	tid := wamidOf(t, m)
	st = e.rc.waitStatuses(t, tid, "sent", "delivered")
	if st[0].Pricing == nil || st[0].Pricing.Category != "utility" || !st[0].Pricing.Billable {
		t.Errorf("template pricing = %+v", st[0].Pricing)
	}

	// A phone that never wrote has no window either.
	code, m = e.send(t, textSend("5521999998888", "olá"))
	if code != http.StatusOK {
		t.Fatalf("send to a new phone: %d %v", code, m)
	}
	e.rc.waitStatuses(t, wamidOf(t, m), "failed")

	t.Run("sync", func(t *testing.T) {
		e := newEnv(t, func(o *sandbox.Options) { o.SyncWindowErrors = true })
		e.customerSays(t, customer, "oi")
		e.clock.Advance(24*time.Hour + time.Minute)
		code, m := e.send(t, textSend(customer, "ainda está aí?"))
		if code != http.StatusBadRequest || graphCode(t, m) != 131047 || path(m, "error", "error_data", "details") == nil {
			t.Fatalf("sync window error: %d %v", code, m)
		}
	})
}

// F27: a webhook papo answers 500 is redelivered in the background until papo takes it.
func TestF27WebhookRetriedAfter500(t *testing.T) {
	e := newEnv(t, nil)
	e.rc.mu.Lock()
	e.rc.fail = 1
	e.rc.mu.Unlock()
	code, m := e.do(t, http.MethodPost, "api/phones/"+customer+"/messages", "", map[string]any{"type": "text", "text": "tem alguém aí?"})
	if code != http.StatusCreated || path(m, "webhook", "status") != float64(500) || path(m, "webhook", "error") == nil {
		t.Fatalf("first attempt: %d %v", code, m)
	}
	waitFor(t, "the redelivery", func() bool { return len(e.rc.all()) == 1 })
	waitFor(t, "the delivery log", func() bool {
		_, d := e.do(t, http.MethodGet, "api/deliveries?kind=message", "", nil)
		it, _ := path(d, "items", 0).(map[string]any)
		return it != nil && it["state"] == "delivered"
	})
	_, d := e.do(t, http.MethodGet, "api/deliveries?kind=message", "", nil)
	it := path(d, "items", 0).(map[string]any)
	if it["attempts"] != float64(2) || it["status"] != float64(200) || it["size"].(float64) <= 0 ||
		path(it, "attempt_log", 0, "status") != float64(500) {
		t.Errorf("delivery = %v", it)
	}
	if items := e.chat(t, customer); items[0]["status"] != "delivered" {
		t.Errorf("chat item after redelivery = %v", items[0])
	}
}

// F27: a Brazilian mobile registered under the old 12-digit wa_id answers sends to the 13-digit form
// with its real wa_id, and the reverse.
func TestF27BrazilianNinthDigit(t *testing.T) {
	e := newEnv(t, nil)
	e.customerSays(t, "551187654321", "oi") // old account, no ninth digit
	code, m := e.send(t, textSend("+55 11 98765-4321", "Olá!"))
	if code != http.StatusOK || path(m, "contacts", 0, "input") != "+55 11 98765-4321" || path(m, "contacts", 0, "wa_id") != "551187654321" {
		t.Fatalf("13-digit send: %d %v", code, m)
	}
	e.rc.waitStatuses(t, wamidOf(t, m), "sent", "delivered") // same chat, window open

	e.customerSays(t, "5521987651234", "oi")
	code, m = e.send(t, textSend("552187651234", "Olá!"))
	if code != http.StatusOK || path(m, "contacts", 0, "wa_id") != "5521987651234" {
		t.Fatalf("12-digit send: %d %v", code, m)
	}
	// A landline-looking number has no alternate form.
	code, m = e.send(t, textSend("551132345678", "Olá!"))
	if code != http.StatusOK || path(m, "contacts", 0, "wa_id") != "551132345678" {
		t.Fatalf("landline send: %d %v", code, m)
	}
}

// F27: papo's read receipt marks the customer's message read on the phone.
func TestF27ReadReceiptMarksInboundRead(t *testing.T) {
	e := newEnv(t, nil)
	first := e.customerSays(t, customer, "primeira")["id"].(string)
	second := e.customerSays(t, customer, "segunda")["id"].(string)
	code, m := e.send(t, map[string]any{"messaging_product": "whatsapp", "status": "read", "message_id": second,
		"typing_indicator": map[string]any{"type": "text"}})
	if code != http.StatusOK || m["success"] != true {
		t.Fatalf("read receipt: %d %v", code, m)
	}
	items := e.chat(t, customer)
	if items[0]["id"] != first || items[0]["status"] != "read" || items[1]["status"] != "read" {
		t.Errorf("chat = %v", items)
	}
	_, c := e.do(t, http.MethodGet, "api/phones/"+customer+"/messages", "", nil)
	if c["typing"] != true {
		t.Errorf("typing indicator not shown: %v", c["typing"])
	}
	code, m = e.send(t, map[string]any{"messaging_product": "whatsapp", "status": "read", "message_id": "wamid.nope"})
	if code != http.StatusBadRequest || graphCode(t, m) != 100 {
		t.Errorf("unknown message read: %d %v", code, m)
	}
	_, st := e.do(t, http.MethodGet, "api/stats", "", nil)
	if st["read_receipts"] != float64(1) || st["accepted"] != float64(0) {
		t.Errorf("stats = %v", st)
	}
}

// F27: reading the chat on the phone reports sent, delivered and read for unread business messages.
func TestF27PhoneReadReportsReadStatuses(t *testing.T) {
	e := newEnv(t, func(o *sandbox.Options) { o.AutoDeliver = false })
	e.customerSays(t, customer, "oi")
	_, m := e.send(t, textSend(customer, "Olá!"))
	id := wamidOf(t, m)
	time.Sleep(20 * time.Millisecond)
	if got, _ := e.rc.statusesOf(t, id); len(got) != 0 {
		t.Fatalf("statuses without AutoDeliver: %+v", got)
	}
	if items := e.chat(t, customer); items[1]["status"] != "accepted" {
		t.Errorf("before any status: %v", items[1])
	}
	code, r := e.do(t, http.MethodPost, "api/phones/"+customer+"/read", "", map[string]any{})
	if code != http.StatusOK || r["statuses"] != float64(3) {
		t.Fatalf("read: %d %v", code, r)
	}
	st := e.rc.waitStatuses(t, id, "sent", "delivered", "read")
	if st[2].Pricing != nil || st[2].Conversation != nil {
		t.Errorf("read status carries pricing/conversation: %+v", st[2])
	}
	if items := e.chat(t, customer); items[1]["status"] != "read" {
		t.Errorf("after read: %v", items[1])
	}

	// Tests can also post any status, out of order included.
	code, r = e.do(t, http.MethodPost, "api/statuses", "", map[string]any{"message_id": id, "status": "delivered"})
	if code != http.StatusCreated || path(r, "webhook", "status") != float64(200) {
		t.Fatalf("api/statuses: %d %v", code, r)
	}
	e.rc.waitStatuses(t, id, "sent", "delivered", "read", "delivered")
}

// F27: the simulator sends every inbound type in Meta's shapes, with context, reactions and raw objects.
func TestF27InboundTypes(t *testing.T) {
	e := newEnv(t, nil)
	in := func(body map[string]any) map[string]any {
		t.Helper()
		body["name"] = "Maria Silva"
		code, m := e.do(t, http.MethodPost, "api/phones/"+customer+"/messages", "", body)
		if code != http.StatusCreated {
			t.Fatalf("%v: %d %v", body, code, m)
		}
		msg := e.rc.message(t, m["id"].(string))
		if msg == nil {
			t.Fatalf("no webhook for %v", m["id"])
		}
		return msg
	}
	first := in(map[string]any{"type": "text", "text": "oi"})

	_, sm := e.send(t, map[string]any{"messaging_product": "whatsapp", "to": customer, "type": "template",
		"template": map[string]any{"name": "pesquisa_satisfacao", "language": map[string]any{"code": "pt_BR"}}})
	tplID := wamidOf(t, sm)

	msg := in(map[string]any{"type": "button", "text": "Ótimo"})
	if path(msg, "button", "text") != "Ótimo" || path(msg, "button", "payload") != "Ótimo" || path(msg, "context", "id") != tplID ||
		path(msg, "context", "from") != "5511940028922" {
		t.Errorf("button = %v", msg)
	}
	msg = in(map[string]any{"type": "interactive", "interactive": map[string]any{"type": "list_reply", "id": "op_2", "title": "Segunda via", "description": "Boleto"}})
	if path(msg, "interactive", "type") != "list_reply" || path(msg, "interactive", "list_reply", "id") != "op_2" {
		t.Errorf("interactive = %v", msg)
	}
	msg = in(map[string]any{"type": "location", "location": map[string]any{"latitude": -23.5, "longitude": -46.6, "name": "Casa", "address": "Rua A, 1"}})
	if path(msg, "location", "latitude") != -23.5 || path(msg, "location", "name") != "Casa" {
		t.Errorf("location = %v", msg)
	}
	msg = in(map[string]any{"type": "contacts"})
	if path(msg, "contacts", 0, "name", "formatted_name") == nil {
		t.Errorf("contacts = %v", msg)
	}
	msg = in(map[string]any{"type": "text", "text": "respondendo", "reply_to": first["id"]})
	if path(msg, "context", "id") != first["id"] || path(msg, "context", "from") != customer {
		t.Errorf("reply context = %v", msg)
	}
	msg = in(map[string]any{"type": "text", "text": "olha isso", "forwarded": true})
	if path(msg, "context", "forwarded") != true {
		t.Errorf("forwarded = %v", msg)
	}
	msg = in(map[string]any{"type": "text", "text": "vim do anúncio", "referral": true})
	if path(msg, "referral", "source_type") != "ad" || path(msg, "referral", "ctwa_clid") == nil {
		t.Errorf("referral = %v", msg)
	}
	msg = in(map[string]any{"type": "reaction", "message_id": tplID, "emoji": "❤️"})
	if path(msg, "reaction", "message_id") != tplID || path(msg, "reaction", "emoji") != "❤️" || msg["context"] != nil {
		t.Errorf("reaction = %v", msg)
	}
	msg = in(map[string]any{"type": "reaction", "message_id": tplID, "emoji": ""})
	if path(msg, "reaction", "emoji") != "" {
		t.Errorf("reaction removal = %v", msg)
	}
	msg = in(map[string]any{"type": "audio", "voice": true})
	if path(msg, "audio", "voice") != true || path(msg, "audio", "mime_type") != "audio/ogg; codecs=opus" || path(msg, "audio", "id") == nil {
		t.Errorf("audio = %v", msg)
	}
	msg = in(map[string]any{"type": "document", "media": map[string]any{"data": []byte("olá"), "mime_type": "text/plain", "filename": "nota.txt"}, "caption": "segue"})
	if path(msg, "document", "filename") != "nota.txt" || path(msg, "document", "caption") != "segue" {
		t.Errorf("document = %v", msg)
	}
	msg = in(map[string]any{"type": "unsupported"})
	if path(msg, "errors", 0, "code") != float64(131051) || path(msg, "unsupported", "type") != "poll" {
		t.Errorf("unsupported = %v", msg)
	}
	msg = in(map[string]any{"type": "raw", "raw": map[string]any{"type": "order", "order": map[string]any{"catalog_id": "123", "product_items": []any{}}}})
	if msg["type"] != "order" || msg["from"] != customer || path(msg, "order", "catalog_id") != "123" {
		t.Errorf("raw = %v", msg)
	}

	// The template shows the customer's reaction removed, then nothing; the chat lists everything in order.
	items := e.chat(t, customer)
	for _, it := range items {
		if it["id"] == tplID && it["reactions"] != nil {
			t.Errorf("template reactions after removal = %v", it["reactions"])
		}
	}
	if items[0]["id"] != first["id"] || items[1]["id"] != tplID || items[1]["direction"] != "out" {
		t.Errorf("chat order = %v, %v", items[0]["id"], items[1]["id"])
	}

	// Sending a known id again redelivers the same message: one chat item, two webhooks.
	n := len(e.chat(t, customer))
	code, _ := e.do(t, http.MethodPost, "api/phones/"+customer+"/messages", "", map[string]any{"type": "text", "text": "oi", "id": first["id"]})
	if code != http.StatusCreated || len(e.chat(t, customer)) != n {
		t.Errorf("redelivery changed the chat")
	}
}

// F27: raw deliveries reach papo byte for byte, optionally with a wrong signature.
func TestF27RawDeliveries(t *testing.T) {
	e := newEnv(t, nil)
	code, m := e.do(t, http.MethodPost, "api/deliveries", "", map[string]any{"body": `{"object":"whatsapp_business_account","entry":[]}`})
	if code != http.StatusCreated || m["status"] != float64(200) || m["attempts"] != float64(1) {
		t.Fatalf("raw delivery: %d %v", code, m)
	}
	if got := string(e.rc.all()[0]); got != `{"object":"whatsapp_business_account","entry":[]}` {
		t.Errorf("raw body = %s", got)
	}
	code, m = e.do(t, http.MethodPost, "api/deliveries", "", map[string]any{"body": map[string]any{"object": "whatsapp_business_account", "x": "ç"}, "bad_signature": true})
	if code != http.StatusCreated || m["status"] != float64(401) || m["state"] != "failed" {
		t.Fatalf("bad signature delivery: %d %v", code, m)
	}
	e.rc.mu.Lock()
	bad := e.rc.bad
	e.rc.bad = 0
	e.rc.mu.Unlock()
	if bad != 1 {
		t.Errorf("receiver saw %d bad signatures, want 1", bad)
	}
}

// F27: Close stops background work and may be called twice.
func TestF27Close(t *testing.T) {
	sb, err := sandbox.New(sandbox.Options{AppSecret: "x", AutoDeliver: true, StatusDelay: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if err := sb.Close(); err != nil {
		t.Fatal(err)
	}
	if err := sb.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := sandbox.New(sandbox.Options{}); err == nil {
		t.Error("New without AppSecret succeeded")
	}
	if _, err := sandbox.New(sandbox.Options{AppSecret: "x", WebhookURL: "not a url"}); err == nil {
		t.Error("New with a bad WebhookURL succeeded")
	}
}

// F27: several business numbers: each has its own id in webhooks, its own 24-hour window and its own
// throughput bucket.
func TestF27SeveralNumbers(t *testing.T) {
	const second = "207654321098765"
	e := newEnv(t, func(o *sandbox.Options) {
		o.Numbers = []sandbox.Number{{ID: second, DisplayPhoneNumber: "5521930001000", VerifiedName: "Loja Rio"}}
	})
	if got := e.sb.Numbers(); len(got) != 2 || got[0].ID != testPNID || got[1].ID != second || got[1].VerifiedName != "Loja Rio" {
		t.Fatalf("Numbers() = %+v", got)
	}
	code, m := e.do(t, http.MethodPost, "api/phones/"+customer+"/messages", "", map[string]any{"type": "text", "text": "oi, Rio", "phone_number_id": second})
	if code != http.StatusCreated {
		t.Fatalf("%d %v", code, m)
	}
	h := decodeHook(t, e.rc.all()[0])
	if md := h.Entry[0].Changes[0].Value.Metadata; md.PhoneNumberID != second || md.DisplayPhoneNumber != "5521930001000" {
		t.Errorf("metadata = %+v", md)
	}
	// The customer wrote to the second number only: the first one's window is closed.
	_, m = e.do(t, http.MethodPost, "graph/v23.0/"+second+"/messages", testToken, textSend(customer, "Olá do Rio"))
	e.rc.waitStatuses(t, wamidOf(t, m), "sent", "delivered")
	_, m = e.send(t, textSend(customer, "Olá de SP"))
	e.rc.waitStatuses(t, wamidOf(t, m), "failed")
	_, st := e.do(t, http.MethodGet, "api/stats", "", nil)
	if path(st, "by_phone", second, "accepted") != float64(1) || path(st, "by_phone", testPNID, "accepted") != float64(1) {
		t.Errorf("stats = %v", st)
	}
}

// F27: changing a template's status posts a message_template_status_update webhook.
func TestF27TemplateStatusWebhook(t *testing.T) {
	e := newEnv(t, nil)
	code, m := e.do(t, http.MethodPost, "api/templates", "", map[string]any{"name": "oferta_relampago", "language": "pt_BR", "status": "APPROVED",
		"category": "MARKETING", "components": []any{map[string]any{"type": "BODY", "text": "{{1}}, só hoje: {{2}} de desconto!"}}})
	if code != http.StatusCreated {
		t.Fatalf("%d %v", code, m)
	}
	waitFor(t, "the template webhook", func() bool { return len(e.rc.all()) == 1 })
	var h struct {
		Entry []struct {
			Time    int64 `json:"time"`
			Changes []struct {
				Field string         `json:"field"`
				Value map[string]any `json:"value"`
			} `json:"changes"`
		} `json:"entry"`
	}
	if err := jsonUnmarshal(e.rc.all()[0], &h); err != nil {
		t.Fatal(err)
	}
	c := h.Entry[0].Changes[0]
	if c.Field != "message_template_status_update" || c.Value["event"] != "APPROVED" || c.Value["message_template_name"] != "oferta_relampago" ||
		c.Value["message_template_language"] != "pt_BR" || h.Entry[0].Time == 0 {
		t.Errorf("webhook = %+v", h)
	}
	if _, ok := c.Value["message_template_id"].(float64); !ok {
		t.Errorf("message_template_id is not a number: %v", c.Value["message_template_id"])
	}
	// Now approved, it can be sent.
	code, m = e.send(t, map[string]any{"messaging_product": "whatsapp", "to": customer, "type": "template", "template": map[string]any{
		"name": "oferta_relampago", "language": map[string]any{"code": "pt_BR"},
		"components": []any{map[string]any{"type": "body", "parameters": []any{map[string]any{"type": "text", "text": "Ana"}, map[string]any{"type": "text", "text": "20%"}}}}}})
	if code != http.StatusOK {
		t.Errorf("approved template: %d %v", code, m)
	}
}
