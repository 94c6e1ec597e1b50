package httpapi_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"papo/internal/apptest"
	"papo/internal/auth"
	"papo/internal/httpapi"
	"papo/internal/whatsapp"
)

// customerText is a signed-ready webhook body: a text from waID.
func customerText(wamid, waID, text string, at time.Time) []byte {
	return fmt.Appendf(nil, `{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":"106540352242922"},"contacts":[{"profile":{"name":"Cliente"},"wa_id":%q}],"messages":[{"from":%q,"id":%q,"timestamp":"%d","type":"text","text":{"body":%q}}]}}]}]}`,
		waID, waID, wamid, at.Unix(), text)
}

// next reads events until one of kind arrives, failing after wait.
func nextOf(t *testing.T, s *apptest.Stream, kind string) apptest.SSE {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		e, ok := s.Next(time.Until(deadline))
		if !ok {
			break
		}
		if e.Event == kind {
			return e
		}
	}
	t.Fatalf("no %s event", kind)
	return apptest.SSE{}
}

// F23: a customer's message reaches, live, every open stream allowed to see
// it — with the message itself as data, its text JSON-escaped — and no
// other; a client that reconnects with the last id it saw gets what it
// missed.
func TestEventStreamDeliversWhatEachUserMaySeeF23(t *testing.T) {
	w := newWebhookEnv(t)
	e := w.e
	var teamID string
	{
		var ch map[string]any
		w.admin.MustDo(200, "GET", "/api/v1/channels/"+w.ch.ID.String(), nil, &ch)
		teamID = fmt.Sprint(ch["default_team_id"])
	}
	own := e.Login(t, e.User(t, "Agente do time", auth.RoleAgent, mustID(t, teamID)))
	other := e.Login(t, e.User(t, "Agente de outro time", auth.RoleAgent, e.Team(t, "Financeiro").ID))
	streams := map[string]*apptest.Stream{"admin": w.admin.Stream("/api/v1/events"), "own": own.Stream("/api/v1/events"),
		"other": other.Stream("/api/v1/events")}
	for who, s := range streams {
		if s.Status != 200 {
			t.Fatalf("%s: stream = %d", who, s.Status)
		}
		defer s.Close()
	}

	body := customerText("wamid.LIVE1", "5511987650001", `<script>alert(1)</script> meu pedido`, e.Clock.Now())
	if r := w.post(t, body, whatsapp.Sign(body, []byte(hookSecret))); r.Status != 200 {
		t.Fatalf("webhook = %d %s", r.Status, r.Body)
	}
	var lastAdmin, customerMsg string
	for _, who := range []string{"admin", "own"} {
		conv := nextOf(t, streams[who], "conversation.created")
		msg := nextOf(t, streams[who], "message.created")
		var m struct {
			ID             string `json:"id"`
			Text           string `json:"text"`
			ConversationID string `json:"conversation_id"`
		}
		if err := json.Unmarshal(msg.Data, &m); err != nil {
			t.Fatalf("%s: message data %s: %v", who, msg.Data, err)
		}
		if m.Text != `<script>alert(1)</script> meu pedido` || strings.Contains(string(msg.Data), "<script>") {
			t.Errorf("%s: message data = %s, want the text, JSON-escaped", who, msg.Data)
		}
		if !strings.Contains(string(conv.Data), `"id":"`+m.ConversationID+`"`) {
			t.Errorf("%s: conversation data %s is not the message's conversation %s", who, conv.Data, m.ConversationID)
		}
		if who == "admin" {
			lastAdmin, customerMsg = msg.ID, m.ID
		}
	}
	// Everyone may see the settings: the other team's agent's first event
	// is that, not the customer's message.
	w.admin.MustDo(200, "PUT", "/api/v1/settings", map[string]any{"segmented_view": true}, nil)
	if e, ok := streams["other"].Next(5 * time.Second); !ok || e.Event != "settings.updated" {
		t.Errorf("other team's agent got %+v first, want settings.updated", e)
	}

	// The admin's stream drops; a note is written meanwhile; the reconnect
	// with Last-Event-ID gets it (and the settings change) first.
	streams["admin"].Close()
	var conv struct {
		Items []struct {
			ID string `json:"id"`
		} `json:"items"`
	}
	w.admin.MustDo(200, "GET", "/api/v1/conversations?view=all", nil, &conv)
	w.admin.MustDo(201, "POST", "/api/v1/conversations/"+conv.Items[0].ID+"/notes", map[string]any{"text": "cliente VIP"}, nil)
	again := w.admin.Stream("/api/v1/events", "Last-Event-ID", lastAdmin)
	defer again.Close()
	if e := nextOf(t, again, "settings.updated"); e.ID == "" {
		t.Error("resumed events carry no id")
	}
	if note := nextOf(t, again, "message.created"); !strings.Contains(string(note.Data), "cliente VIP") {
		t.Errorf("resumed note = %s", note.Data)
	}
	// Linking the message to a ticket updates it live (its ticket_numbers).
	w.admin.MustDo(201, "POST", "/api/v1/tickets", map[string]any{"title": "Pedido não chegou",
		"conversation_id": conv.Items[0].ID, "message_ids": []string{customerMsg}}, nil)
	if upd := nextOf(t, again, "message.updated"); !strings.Contains(string(upd.Data), `"ticket_numbers":[1]`) {
		t.Errorf("after linking a ticket: %s", upd.Data)
	}
	// A reply changes its conversation (last message, and the first reply
	// takes it): the conversation is published too.
	w.admin.Do("POST", "/api/v1/conversations/"+conv.Items[0].ID+"/messages", map[string]any{"type": "text", "text": "Já verifico."},
		"Idempotency-Key", "reply-1")
	if upd := nextOf(t, again, "conversation.updated"); !strings.Contains(string(upd.Data), `"id":"`+conv.Items[0].ID+`"`) {
		t.Errorf("after a reply: %s", upd.Data)
	}
	if bad := w.admin.Stream("/api/v1/events", "Last-Event-ID", "ontem"); bad.Status != 400 {
		t.Errorf("a Last-Event-ID papo never sent = %d, want 400", bad.Status)
	}
}

// F23, F03: a stream ends at the first heartbeat after its session ends
// (logout here; a deactivated user likewise), so live customer messages
// stop reaching a browser that is no longer signed in.
func TestEventStreamEndsWithItsSessionF23(t *testing.T) {
	defer httpapi.SetHeartbeat(httpapi.SetHeartbeat(50 * time.Millisecond))
	e := apptest.New(t, nil)
	agent := e.Login(t, e.User(t, "Agente", auth.RoleAgent, e.Team(t, "Suporte").ID))
	s := agent.Stream("/api/v1/events")
	defer s.Close()
	if s.Status != 200 {
		t.Fatalf("stream = %d", s.Status)
	}
	if _, ok := s.Next(300 * time.Millisecond); !ok && s.Ended() {
		t.Fatal("the stream ended while the session was valid")
	}
	agent.MustDo(204, "POST", "/api/v1/auth/logout", nil, nil)
	deadline := time.Now().Add(3 * time.Second)
	for !s.Ended() {
		if time.Now().After(deadline) {
			t.Fatal("the stream outlived its session")
		}
		s.Next(50 * time.Millisecond)
	}
}

// F23: shutting papo down ends the open streams (a graceful shutdown waits
// for requests to finish, and a stream never would); the browser
// reconnects with Last-Event-ID.
func TestEventStreamsEndAtShutdownF23(t *testing.T) {
	e := apptest.New(t, nil)
	agent := e.Login(t, e.User(t, "Agente", auth.RoleAgent, e.Team(t, "Suporte").ID))
	s := agent.Stream("/api/v1/events")
	defer s.Close()
	if s.Status != 200 {
		t.Fatalf("stream = %d", s.Status)
	}
	e.App.Server.EndStreams()
	deadline := time.Now().Add(3 * time.Second)
	for !s.Ended() {
		if time.Now().After(deadline) {
			t.Fatal("the stream outlived the shutdown")
		}
		s.Next(50 * time.Millisecond)
	}
}
