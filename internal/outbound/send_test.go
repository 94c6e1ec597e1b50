package outbound_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"papo/internal/message"
	"papo/internal/outbound"
	"papo/internal/sandbox"
	"papo/internal/store"
	"papo/internal/whatsapp"
)

const settle = 15 * time.Second

// TestSendText: a text reply (F26) is queued (202), sent once through the
// real client to the sandbox with to = the contact's wa_id exactly and the
// quoted message as context, marked sent with WhatsApp's id, and the first
// reply takes the unassigned conversation for its sender (F06).
func TestSendText(t *testing.T) {
	r := newRig(t, sandbox.Options{})
	wa := newWaID()
	conv, in := r.customerSays(t, wa, "Oi, preciso de ajuda")

	res, m := post(t, r.agentC, conv, map[string]any{"type": "text", "text": "Olá! Como posso ajudar?", "reply_to_id": in})
	if res.Status != http.StatusAccepted {
		t.Fatalf("send = %d %s", res.Status, res.Body)
	}
	if m.Status != message.StatusQueued || m.Direction != "out" || m.Author.Type != "agent" || m.ReplyToID == nil || *m.ReplyToID != in {
		t.Fatalf("queued message = %+v", m)
	}
	got := r.waitStatus(t, m.ID, settle)
	if got.Status == message.StatusQueued || got.Status == message.StatusFailed || got.WAMessageID == nil {
		t.Fatalf("message after send = %+v", got)
	}
	items := r.sent(t, wa)
	if len(items) != 1 {
		t.Fatalf("sandbox accepted %d messages, want 1: %+v", len(items), items)
	}
	var req struct {
		To      string `json:"to"`
		Context struct {
			MessageID string `json:"message_id"`
		} `json:"context"`
		Text struct {
			Body string `json:"body"`
		} `json:"text"`
	}
	_ = json.Unmarshal(items[0].Request, &req)
	inMsg := r.message(t, in)
	if req.To != wa || req.Text.Body != "Olá! Como posso ajudar?" || req.Context.MessageID != *inMsg.WAMessageID {
		t.Fatalf("Graph request = %s", items[0].Request)
	}
	if items[0].ID != *got.WAMessageID {
		t.Fatalf("wa_message_id = %s, sandbox id %s", *got.WAMessageID, items[0].ID)
	}
	c, err := r.e.App.Conv.Load(context.Background(), nil, conv)
	if err != nil {
		t.Fatal(err)
	}
	if c.AssigneeID == nil || *c.AssigneeID != r.agent.ID || c.LastMessageID == nil || *c.LastMessageID != m.ID {
		t.Fatalf("conversation after first reply: assignee %v last %v", c.AssigneeID, c.LastMessageID)
	}
	var events int
	_ = r.e.App.DB.R.GetContext(context.Background(), &events, r.e.App.DB.R.Rebind(
		"SELECT count(*) FROM conversation_events WHERE conversation_id = ? AND type = 'assigned' AND actor_id = ? AND assignee_id = ?"),
		conv, r.agent.ID, r.agent.ID)
	if events != 1 {
		t.Fatalf("assigned events = %d, want 1", events)
	}
	if st := r.stats(t); st.Accepted != 1 || st.Duplicates != 0 {
		t.Fatalf("sandbox stats = %+v", st)
	}
}

// pngBytes returns a small PNG image.
func pngBytes(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 4, 4))
	img.Set(1, 1, color.RGBA{200, 10, 10, 255})
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// upload posts a file to POST /api/v1/media as multipart.
func (r *rig) upload(t *testing.T, token, filename, contentType string, data []byte) (*http.Response, []byte) {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	h := make(map[string][]string)
	h["Content-Disposition"] = []string{fmt.Sprintf(`form-data; name="file"; filename="%s"`, strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(filename))}
	h["Content-Type"] = []string{contentType}
	part, _ := mw.CreatePart(h)
	_, _ = part.Write(data)
	_ = mw.Close()
	req, _ := http.NewRequest("POST", r.e.URL+"/api/v1/media", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, b
}

// TestSendMedia: an uploaded image (F18, F26) is uploaded to the Graph API
// first and sent by its WhatsApp media id with its caption; the file
// streams back to the uploader with a safe type and name.
func TestSendMedia(t *testing.T) {
	r := newRig(t, sandbox.Options{})
	wa := newWaID()
	conv, _ := r.customerSays(t, wa, "Manda a foto?")
	img := pngBytes(t)

	res, b := r.upload(t, r.agentC.Token, `foto "da loja".png`, "image/png", img)
	if res.StatusCode != 201 {
		t.Fatalf("upload = %d %s", res.StatusCode, b)
	}
	var info struct {
		ID       store.ID `json:"id"`
		MimeType string   `json:"mime_type"`
		Size     int64    `json:"size"`
		Filename string   `json:"filename"`
	}
	_ = json.Unmarshal(b, &info)
	if info.MimeType != "image/png" || info.Size != int64(len(img)) || strings.Contains(info.Filename, `"`) {
		t.Fatalf("upload answer = %s", b)
	}

	gr := r.agentC.Do("GET", "/api/v1/media/"+info.ID.String(), nil)
	if gr.Status != 200 || !bytes.Equal(gr.Body, img) || gr.Header.Get("Content-Type") != "image/png" ||
		gr.Header.Get("X-Content-Type-Options") != "nosniff" || !strings.Contains(gr.Header.Get("Content-Disposition"), "filename=") {
		t.Fatalf("GET media = %d %v", gr.Status, gr.Header)
	}

	sres, m := post(t, r.agentC, conv, map[string]any{"type": "image", "media_id": info.ID, "caption": "Aqui está"})
	if sres.Status != 202 || m.Media == nil || m.Media.ID != info.ID || m.Text != "Aqui está" {
		t.Fatalf("send image = %d %s", sres.Status, sres.Body)
	}
	got := r.waitStatus(t, m.ID, settle)
	if got.Status != message.StatusSent && got.Status != message.StatusDelivered {
		t.Fatalf("image message = %+v", got)
	}
	items := r.sent(t, wa)
	if len(items) != 1 || items[0].Type != "image" {
		t.Fatalf("sandbox sent = %+v", items)
	}
	var req struct {
		Image struct {
			ID      string `json:"id"`
			Caption string `json:"caption"`
		} `json:"image"`
	}
	_ = json.Unmarshal(items[0].Request, &req)
	if req.Image.ID == "" || req.Image.Caption != "Aqui está" {
		t.Fatalf("Graph request = %s", items[0].Request)
	}
	if st := r.stats(t); st.MediaUploads != 1 {
		t.Fatalf("media uploads = %d, want 1", st.MediaUploads)
	}

	// Type and size rules (api.md: 400 / 413).
	if res, b := r.upload(t, r.agentC.Token, "x.exe", "application/x-msdownload", []byte("MZ....")); res.StatusCode != 400 {
		t.Fatalf("exe upload = %d %s", res.StatusCode, b)
	}
	if res, b := r.upload(t, r.agentC.Token, "fake.png", "image/png", []byte("not a png at all")); res.StatusCode != 400 {
		t.Fatalf("fake png upload = %d %s", res.StatusCode, b)
	}
	big := append(append([]byte{}, img...), make([]byte, 5<<20)...)
	if res, b := r.upload(t, r.agentC.Token, "big.png", "image/png", big); res.StatusCode != 413 {
		t.Fatalf("6 MB png upload = %d %s", res.StatusCode, b)
	}
	// A PNG cannot go as audio.
	if res, _ := post(t, r.agentC, conv, map[string]any{"type": "audio", "media_id": info.ID}); res.Status != 400 || res.Fields()["media_id"] == "" {
		t.Fatalf("png as audio = %d %s", res.Status, res.Body)
	}
}

// TestSendTemplate: templates are synced from the Graph API (F15), listed to
// agents, validated (name, approval, parameter count and names → 400 naming
// the field), previewed, and sent with positional and named parameters.
func TestSendTemplate(t *testing.T) {
	r := newRig(t, sandbox.Options{})
	var synced struct {
		Synced int `json:"synced"`
	}
	if res := r.agentC.Do("POST", "/api/v1/channels/"+r.ch.ID.String()+"/templates/sync", nil); res.Status != 403 {
		t.Fatalf("agent sync = %d", res.Status)
	}
	r.adminC.MustDo(200, "POST", "/api/v1/channels/"+r.ch.ID.String()+"/templates/sync", nil, &synced)
	if synced.Synced != len(sandbox.DefaultTemplates()) {
		t.Fatalf("synced = %d, want %d", synced.Synced, len(sandbox.DefaultTemplates()))
	}
	var list struct {
		Items []struct {
			Name            string `json:"name"`
			Status          string `json:"status"`
			ParameterFormat string `json:"parameter_format"`
		} `json:"items"`
	}
	r.agentC.MustDo(200, "GET", "/api/v1/channels/"+r.ch.ID.String()+"/templates", nil, &list)
	if len(list.Items) != synced.Synced {
		t.Fatalf("agent sees %d templates", len(list.Items))
	}

	wa := newWaID()
	conv, _ := r.customerSays(t, wa, "Oi")
	var prev struct {
		Text string `json:"text"`
	}
	r.agentC.MustDo(200, "POST", "/api/v1/conversations/"+conv.String()+"/template-preview",
		map[string]any{"template": map[string]any{"name": "atualizacao_pedido", "language": "pt_BR", "parameters": []string{"#7", "Ana", "enviado", "28/11"}}}, &prev)
	if !strings.Contains(prev.Text, "Pedido #7") || !strings.Contains(prev.Text, "Olá Ana, o seu pedido foi enviado") {
		t.Fatalf("preview = %q", prev.Text)
	}

	bad := []struct {
		tpl   map[string]any
		field string
	}{
		{map[string]any{"name": "nao_existe", "language": "pt_BR", "parameters": []string{}}, "template.name"},
		{map[string]any{"name": "oferta_relampago", "language": "pt_BR", "parameters": []string{"a", "b"}}, "template.name"},
		{map[string]any{"name": "boas_vindas", "language": "pt_BR", "parameters": []string{}}, "template.parameters"},
		{map[string]any{"name": "boas_vindas", "language": "pt_BR", "parameters": []string{"a", "b"}}, "template.parameters"},
		{map[string]any{"name": "retomar_atendimento", "language": "pt_BR", "parameters": map[string]string{"nome": "Ana"}}, "template.parameters"},
	}
	for _, b := range bad {
		res, _ := post(t, r.agentC, conv, map[string]any{"type": "template", "template": b.tpl})
		if res.Status != 400 || res.Fields()[b.field] == "" {
			t.Errorf("template %v = %d %s; want 400 naming %s", b.tpl, res.Status, res.Body, b.field)
		}
	}
	if n := r.countMessages(t, conv); n != 1 {
		t.Fatalf("refused templates stored messages: %d", n)
	}

	res, m1 := post(t, r.agentC, conv, map[string]any{"type": "template", "template": map[string]any{"name": "boas_vindas", "language": "pt_BR", "parameters": []string{"Maria"}}})
	if res.Status != 202 || m1.Type != "template" || !strings.Contains(m1.Text, "Olá Maria!") {
		t.Fatalf("send positional template = %d %s", res.Status, res.Body)
	}
	res, m2 := post(t, r.agentC, conv, map[string]any{"type": "template", "template": map[string]any{"name": "retomar_atendimento", "parameters": map[string]string{"first_name": "Ana"}}})
	if res.Status != 202 {
		t.Fatalf("send named template = %d %s", res.Status, res.Body)
	}
	for _, id := range []store.ID{m1.ID, m2.ID} {
		if got := r.waitStatus(t, id, settle); got.Status == message.StatusQueued || got.Status == message.StatusFailed {
			t.Fatalf("template message = %+v", got)
		}
	}
	items := r.sent(t, wa)
	if len(items) != 2 || items[0].Type != "template" || items[1].Type != "template" {
		t.Fatalf("sandbox sent = %+v", items)
	}
	if !strings.Contains(string(items[1].Request), `"parameter_name":"first_name"`) || !strings.Contains(string(items[0].Request), `"text":"Maria"`) {
		t.Fatalf("template requests = %s / %s", items[0].Request, items[1].Request)
	}
}

// TestSendReaction: a reaction (F18) is sent to WhatsApp against the target's
// wamid, and once sent it sits on the target message's reactions as
// "user:<id>"; it does not become the conversation's last message.
func TestSendReaction(t *testing.T) {
	r := newRig(t, sandbox.Options{})
	wa := newWaID()
	conv, in := r.customerSays(t, wa, "Obrigado!")
	before, _ := r.e.App.Conv.Load(context.Background(), nil, conv)

	res, m := post(t, r.agentC, conv, map[string]any{"type": "reaction", "reaction": map[string]any{"message_id": in, "emoji": "👍"}})
	if res.Status != 202 {
		t.Fatalf("react = %d %s", res.Status, res.Body)
	}
	if got := r.waitStatus(t, m.ID, settle); got.Status == message.StatusQueued || got.Status == message.StatusFailed {
		t.Fatalf("reaction message = %+v", got)
	}
	items := r.sent(t, wa)
	if len(items) != 1 || items[0].Type != "reaction" {
		t.Fatalf("sandbox sent = %+v", items)
	}
	target := r.message(t, in)
	if !strings.Contains(string(items[0].Request), *target.WAMessageID) {
		t.Fatalf("reaction request = %s", items[0].Request)
	}
	if len(target.Reactions) != 1 || target.Reactions[0].Emoji != "👍" || target.Reactions[0].By != "user:"+r.agent.ID.String() {
		t.Fatalf("target reactions = %+v", target.Reactions)
	}
	after, _ := r.e.App.Conv.Load(context.Background(), nil, conv)
	if *after.LastMessageID != *before.LastMessageID {
		t.Fatalf("a reaction became the last message")
	}
	if res, _ := post(t, r.agentC, conv, map[string]any{"type": "reaction", "reaction": map[string]any{"message_id": in, "emoji": "abc"}}); res.Status != 400 {
		t.Fatalf("letters as emoji = %d", res.Status)
	}
}

// TestReadReceipt: a queued read receipt (POST …/read's job) reaches the
// Graph API as status "read" for the customer's message.
func TestReadReceipt(t *testing.T) {
	r := newRig(t, sandbox.Options{})
	wa := newWaID()
	_, in := r.customerSays(t, wa, "Oi")
	waID := *r.message(t, in).WAMessageID
	ctx := context.Background()
	if err := r.e.App.DB.InTx(ctx, func(tx *store.Tx) error {
		return r.e.App.Outbound.EnqueueReadReceipt(ctx, tx, r.ch.ID, waID)
	}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(settle)
	for r.stats(t).ReadReceipts < 1 && time.Now().Before(deadline) {
		time.Sleep(25 * time.Millisecond)
	}
	if st := r.stats(t); st.ReadReceipts != 1 || st.Accepted != 0 {
		t.Fatalf("sandbox stats = %+v", st)
	}
	var chat struct {
		Items []struct {
			Direction string `json:"direction"`
			Status    string `json:"status"`
		} `json:"items"`
	}
	r.sandboxDo(t, "GET", "/api/phones/"+wa+"/messages", nil, 200, &chat)
	if len(chat.Items) != 1 || chat.Items[0].Status != "read" {
		t.Fatalf("customer's chat = %+v", chat.Items)
	}
}

// TestRetriesSendOnce: throttling (130429) and a 5xx answer are retried with
// backoff and the message is sent exactly once (F26).
func TestRetriesSendOnce(t *testing.T) {
	r := newRig(t, sandbox.Options{})
	for _, tc := range []struct {
		name string
		rule map[string]any
	}{
		{"130429", map[string]any{"code": 130429, "count": 1, "match": "messages"}},
		{"5xx", map[string]any{"code": 131000, "http_status": 503, "count": 1, "match": "messages"}},
		{"html 502", map[string]any{"code": 1, "html": true, "count": 1, "match": "messages"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wa := newWaID()
			conv, _ := r.customerSays(t, wa, "Oi")
			rule := map[string]any{"to": wa}
			for k, v := range tc.rule {
				rule[k] = v
			}
			r.inject(t, rule)
			res, m := post(t, r.agentC, conv, map[string]any{"type": "text", "text": "Resposta " + tc.name})
			if res.Status != 202 {
				t.Fatalf("send = %d %s", res.Status, res.Body)
			}
			got := r.waitStatus(t, m.ID, 30*time.Second)
			if got.Status == message.StatusQueued || got.Status == message.StatusFailed {
				t.Fatalf("after a retryable error the message is %+v", got)
			}
			if items := r.sent(t, wa); len(items) != 1 {
				t.Fatalf("sandbox accepted %d, want exactly 1", len(items))
			}
		})
	}
	if st := r.stats(t); st.Duplicates != 0 || st.Injected != 3 {
		t.Fatalf("stats = %+v", st)
	}
}

// TestPermanentFailures: outside WhatsApp's window (131047, answered
// synchronously by the sandbox) and with an invalid token (190) the message
// fails at once with the code and a readable reason, and is not retried.
func TestPermanentFailures(t *testing.T) {
	r := newRig(t, sandbox.Options{SyncWindowErrors: true})
	// papo believes the window is open (a message only papo knows), the
	// Graph API does not.
	wa := newWaID()
	conv, _ := r.storeInbound(t, wa, "Oi", "wamid.papo-only-"+wa, r.e.Clock.Now())
	res, m := post(t, r.agentC, conv, map[string]any{"type": "text", "text": "Olá"})
	if res.Status != 202 {
		t.Fatalf("send = %d %s", res.Status, res.Body)
	}
	got := r.waitStatus(t, m.ID, settle)
	if got.Status != message.StatusFailed || got.Error == nil || got.Error.Code != "131047" ||
		got.Error.Message != whatsapp.Reason("131047", "pt-BR") || got.Error.Retryable {
		t.Fatalf("131047 message = %+v (error %+v)", got, got.Error)
	}

	wa2 := newWaID()
	conv2, _ := r.customerSays(t, wa2, "Oi")
	r.sandboxDo(t, "POST", "/api/token", map[string]any{"expired": true}, 200, nil)
	rejectedBefore := r.stats(t).Rejected
	_, m2 := post(t, r.agentC, conv2, map[string]any{"type": "text", "text": "Olá"})
	got2 := r.waitStatus(t, m2.ID, settle)
	if got2.Status != message.StatusFailed || got2.Error == nil || got2.Error.Code != "190" || !strings.Contains(got2.Error.Message, "token") {
		t.Fatalf("190 message = %+v (error %+v)", got2, got2.Error)
	}
	time.Sleep(1500 * time.Millisecond) // a retry would have come by now
	if st := r.stats(t); st.Accepted != 0 || st.Rejected != rejectedBefore {
		t.Fatalf("after permanent failures: %+v", st)
	}
}

// TestIdempotencyKey: the same Idempotency-Key twice returns the first
// message (202 then 200) and WhatsApp gets one request; concurrent requests
// with one key create one message (the others get it, or 409 in flight).
func TestIdempotencyKey(t *testing.T) {
	r := newRig(t, sandbox.Options{})
	wa := newWaID()
	conv, _ := r.customerSays(t, wa, "Oi")
	body := map[string]any{"type": "text", "text": "Só uma vez"}
	res1, m1 := post(t, r.agentC, conv, body, "Idempotency-Key", "k-1")
	res2, m2 := post(t, r.agentC, conv, body, "Idempotency-Key", "k-1")
	if res1.Status != 202 || res2.Status != 200 || m1.ID != m2.ID {
		t.Fatalf("same key: %d %s / %d %s", res1.Status, m1.ID, res2.Status, m2.ID)
	}
	r.waitStatus(t, m1.ID, settle)
	res3, m3 := post(t, r.agentC, conv, body, "Idempotency-Key", "k-1")
	if res3.Status != 200 || m3.ID != m1.ID {
		t.Fatalf("same key after sending: %d", res3.Status)
	}

	var wg sync.WaitGroup
	statuses := make([]int, 6)
	ids := make([]store.ID, 6)
	for i := range statuses {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res := r.agentC.Do("POST", "/api/v1/conversations/"+conv.String()+"/messages", body, "Idempotency-Key", "k-2")
			statuses[i] = res.Status
			if res.Status < 300 {
				var m message.Message
				_ = json.Unmarshal(res.Body, &m)
				ids[i] = m.ID
			}
		}()
	}
	wg.Wait()
	created, first := 0, store.ID(0)
	for i, st := range statuses {
		switch st {
		case 202:
			created++
			first = ids[i]
		case 200, 409:
		default:
			t.Fatalf("concurrent same key: status %d", st)
		}
	}
	if created != 1 {
		t.Fatalf("concurrent same key created %d messages (%v)", created, statuses)
	}
	for i, st := range statuses {
		if st == 200 && ids[i] != first {
			t.Fatalf("a replay returned another message")
		}
	}
	r.waitStatus(t, first, settle)
	time.Sleep(300 * time.Millisecond)
	if items := r.sent(t, wa); len(items) != 2 {
		t.Fatalf("sandbox accepted %d messages, want 2 (one per key)", len(items))
	}
	if n := r.countMessages(t, conv); n != 3 {
		t.Fatalf("conversation has %d messages, want 3", n)
	}
}

// TestWindow (F15): free text, media and reactions are refused outside the
// 24-hour window with 422 window_closed — nothing stored, nothing queued —
// while templates are still accepted. The window is papo's own reckoning
// from the customer's last message, on the injected clock.
func TestWindow(t *testing.T) {
	r := newRig(t, sandbox.Options{})
	r.adminC.MustDo(200, "POST", "/api/v1/channels/"+r.ch.ID.String()+"/templates/sync", nil, nil)
	res, b := r.upload(t, r.agentC.Token, "a.png", "image/png", pngBytes(t))
	if res.StatusCode != 201 {
		t.Fatalf("upload: %s", b)
	}
	var media struct {
		ID store.ID `json:"id"`
	}
	_ = json.Unmarshal(b, &media)

	wa := newWaID()
	start := r.e.Clock.Now() // T: the customer's last message
	conv, in := r.customerSays(t, wa, "Oi")

	r.e.Clock.Set(start.Add(23*time.Hour + 59*time.Minute))
	res1, m1 := post(t, r.agentC, conv, map[string]any{"type": "text", "text": "Ainda dá tempo"})
	if res1.Status != 202 {
		t.Fatalf("text at T+23h59m = %d %s", res1.Status, res1.Body)
	}
	r.waitStatus(t, m1.ID, settle)

	r.e.Clock.Set(start.Add(24*time.Hour + time.Minute))
	msgsBefore, jobsBefore := r.countMessages(t, conv), r.sendJobs(t)
	for _, body := range []map[string]any{
		{"type": "text", "text": "Tarde demais"},
		{"type": "image", "media_id": media.ID},
		{"type": "reaction", "reaction": map[string]any{"message_id": in, "emoji": "👍"}},
	} {
		res, _ := post(t, r.agentC, conv, body)
		if res.Status != 422 || res.ErrorCode() != "window_closed" {
			t.Fatalf("%s at T+24h01m = %d %s; want 422 window_closed", body["type"], res.Status, res.Body)
		}
	}
	if n, j := r.countMessages(t, conv), r.sendJobs(t); n != msgsBefore || j != jobsBefore {
		t.Fatalf("refused sends stored %d messages and %d jobs", n-msgsBefore, j-jobsBefore)
	}
	res2, m2 := post(t, r.agentC, conv, map[string]any{"type": "template", "template": map[string]any{"name": "boas_vindas", "language": "pt_BR", "parameters": []string{"Maria"}}})
	if res2.Status != 202 || m2.Status != message.StatusQueued {
		t.Fatalf("template at T+24h01m = %d %s", res2.Status, res2.Body)
	}
	if j := r.sendJobs(t); j != jobsBefore+1 {
		t.Fatalf("template queued %d jobs", j-jobsBefore)
	}
	if got := r.waitStatus(t, m2.ID, settle); got.Status == message.StatusFailed {
		t.Fatalf("template outside the window failed: %+v", got.Error)
	}
}

// TestSendChecksInOrder (F03, F15): an invisible conversation is 404 before
// the body is even read; then the body's shape (400 naming fields); then a
// closed conversation (409).
func TestSendChecksInOrder(t *testing.T) {
	r := newRig(t, sandbox.Options{})
	wa := newWaID()
	conv, _ := r.customerSays(t, wa, "Oi")
	other := r.e.Team(t, "Outro time")
	outsider := r.e.Login(t, r.e.User(t, "Fora Dotime", "agent", other.ID))

	if res := outsider.Do("POST", "/api/v1/conversations/"+conv.String()+"/messages", "{not json"); res.Status != 404 {
		t.Fatalf("invisible conversation = %d %s", res.Status, res.Body)
	}
	if res := outsider.Do("POST", "/api/v1/conversations/"+conv.String()+"/template-preview", "{}"); res.Status != 404 {
		t.Fatalf("invisible preview = %d", res.Status)
	}
	for _, tc := range []struct {
		body  any
		field string
	}{
		{map[string]any{"type": "text"}, "text"},
		{map[string]any{"type": "text", "text": strings.Repeat("a", 4097)}, "text"},
		{map[string]any{"type": "video"}, "media_id"},
		{map[string]any{"type": "audio", "media_id": "1", "caption": "x"}, "caption"},
		{map[string]any{"type": "reaction"}, "reaction"},
		{map[string]any{"type": "template", "template": map[string]any{}}, "template.name"},
		{map[string]any{"type": "template", "template": map[string]any{"name": "x", "parameters": "oops"}}, "template.parameters"},
		{map[string]any{"type": "poll"}, "type"},
		{map[string]any{}, "type"},
	} {
		res, _ := post(t, r.agentC, conv, tc.body)
		if res.Status != 400 || res.Fields()[tc.field] == "" {
			t.Errorf("%v = %d %s; want 400 naming %s", tc.body, res.Status, res.Body, tc.field)
		}
	}
	if res := r.agentC.Do("POST", "/api/v1/conversations/"+conv.String()+"/messages", "text", "Content-Type", "text/plain"); res.Status != 415 {
		t.Fatalf("text/plain body = %d", res.Status)
	}
	if _, err := r.e.App.DB.W.ExecContext(context.Background(), r.e.App.DB.W.Rebind("UPDATE conversations SET status = 'closed' WHERE id = ?"), conv); err != nil {
		t.Fatal(err)
	}
	if res, _ := post(t, r.agentC, conv, map[string]any{"type": "text", "text": "Oi"}); res.Status != 409 {
		t.Fatalf("closed conversation = %d %s", res.Status, res.Body)
	}
	if res, _ := post(t, r.agentC, conv, map[string]any{"type": "text"}); res.Status != 400 {
		t.Fatalf("closed conversation, bad body = %d (shape comes first)", res.Status)
	}
}

// TestMediaVisibility (F03): a file is streamed to its uploader and to whoever
// may see a message holding it; anyone else gets 404.
func TestMediaVisibility(t *testing.T) {
	r := newRig(t, sandbox.Options{})
	wa := newWaID()
	conv, _ := r.customerSays(t, wa, "Oi")
	other := r.e.Team(t, "Outro time")
	outsider := r.e.Login(t, r.e.User(t, "Fora Dotime", "agent", other.ID))
	colleague := r.e.Login(t, r.e.User(t, "Colega Dotime", "agent", r.team.ID))

	_, b := r.upload(t, r.agentC.Token, "a.png", "image/png", pngBytes(t))
	var media struct {
		ID store.ID `json:"id"`
	}
	_ = json.Unmarshal(b, &media)
	path := "/api/v1/media/" + media.ID.String()
	if res := colleague.Do("GET", path, nil); res.Status != 404 {
		t.Fatalf("colleague before the file is in a message = %d", res.Status)
	}
	if res, _ := post(t, r.agentC, conv, map[string]any{"type": "image", "media_id": media.ID}); res.Status != 202 {
		t.Fatalf("send = %d %s", res.Status, res.Body)
	}
	if res := colleague.Do("GET", path, nil); res.Status != 200 {
		t.Fatalf("colleague who sees the conversation = %d", res.Status)
	}
	if res := outsider.Do("GET", path, nil); res.Status != 404 {
		t.Fatalf("outsider = %d", res.Status)
	}
	if res, _ := post(t, outsider, conv, map[string]any{"type": "image", "media_id": media.ID}); res.Status != 404 {
		t.Fatalf("outsider sending = %d", res.Status)
	}
	if res := r.adminC.Do("GET", "/api/v1/media/999999", nil); res.Status != 404 {
		t.Fatalf("unknown media = %d", res.Status)
	}
}

// TestConversationOrder (F26): a conversation's messages leave in the order
// they were written, even when the first is throttled and retried.
func TestConversationOrder(t *testing.T) {
	r := newRig(t, sandbox.Options{})
	wa := newWaID()
	conv, _ := r.customerSays(t, wa, "Oi")
	r.inject(t, map[string]any{"code": 130429, "count": 1, "match": "messages", "to": wa})
	var ids []store.ID
	for i := range 3 {
		res, m := post(t, r.agentC, conv, map[string]any{"type": "text", "text": fmt.Sprintf("parte %d", i+1)})
		if res.Status != 202 {
			t.Fatalf("send %d = %d", i, res.Status)
		}
		ids = append(ids, m.ID)
	}
	for _, id := range ids {
		if got := r.waitStatus(t, id, 30*time.Second); got.Status == message.StatusQueued || got.Status == message.StatusFailed {
			t.Fatalf("message %s = %s", id, got.Status)
		}
	}
	items := r.sent(t, wa)
	if len(items) != 3 {
		t.Fatalf("sandbox accepted %d", len(items))
	}
	for i, it := range items {
		if it.Text != fmt.Sprintf("parte %d", i+1) {
			t.Fatalf("order at WhatsApp: %q, %q, %q", items[0].Text, items[1].Text, items[2].Text)
		}
	}
}

// TestQueueSystem (F16, F17, F28): an automatic message goes as text inside
// the window, as its template outside it, not at all without a template
// outside it, and never to a contact with automation blocked.
func TestQueueSystem(t *testing.T) {
	r := newRig(t, sandbox.Options{})
	r.adminC.MustDo(200, "POST", "/api/v1/channels/"+r.ch.ID.String()+"/templates/sync", nil, nil)
	ctx := context.Background()
	wa := newWaID()
	conv, _ := r.customerSays(t, wa, "Oi")
	queue := func(in outbound.SystemInput) (store.ID, bool) {
		t.Helper()
		var id store.ID
		var ok bool
		err := r.e.App.DB.InTx(ctx, func(tx *store.Tx) error {
			c, err := r.e.App.Conv.Load(ctx, tx, conv)
			if err != nil {
				return err
			}
			id, ok, err = r.e.App.Outbound.QueueSystem(ctx, tx, c, in)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return id, ok
	}
	tpl := &outbound.TemplateInput{Name: "pesquisa_satisfacao", Language: "pt_BR"}
	id, ok := queue(outbound.SystemInput{Text: "Obrigado pelo contato!", Template: tpl})
	if !ok {
		t.Fatal("nothing queued inside the window")
	}
	if got := r.waitStatus(t, id, settle); got.Status == message.StatusFailed || got.Type != "text" || got.Author.Type != "system" {
		t.Fatalf("system text = %+v", got)
	}
	r.e.Clock.Advance(25 * time.Hour)
	if _, ok := queue(outbound.SystemInput{Text: "Obrigado!"}); ok {
		t.Fatal("free text queued outside the window")
	}
	id, ok = queue(outbound.SystemInput{Text: "Obrigado!", Template: tpl})
	if !ok {
		t.Fatal("template not queued outside the window")
	}
	if got := r.waitStatus(t, id, settle); got.Status == message.StatusFailed || got.Type != "template" {
		t.Fatalf("system template = %+v", got)
	}
	if _, err := r.e.App.DB.W.ExecContext(ctx, r.e.App.DB.W.Rebind("UPDATE contacts SET automation_blocked = TRUE WHERE wa_id = ?"), wa); err != nil {
		t.Fatal(err)
	}
	if _, ok := queue(outbound.SystemInput{Text: "Obrigado!", Template: tpl}); ok {
		t.Fatal("queued for a contact with automation blocked")
	}
	if items := r.sent(t, wa); len(items) != 2 {
		t.Fatalf("WhatsApp got %d messages, want 2", len(items))
	}
}
