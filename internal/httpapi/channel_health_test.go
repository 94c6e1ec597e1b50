package httpapi_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"papo/internal/apptest"
	"papo/internal/auth"
	"papo/internal/channel"
	"papo/internal/message"
	"papo/internal/sandbox"
	"papo/internal/store"
	"papo/internal/whatsapp"
)

// Channel health and the webhook's stored deliveries (F29).

// chDelivery stores a malformed delivery (a signed body that is not JSON is
// kept) and returns its path with suffix: an authorization row's fixture.
func chDelivery(suffix string) func(*fixture) string {
	return func(f *fixture) string {
		rc, err := f.env.App.Inbound.Receive(context.Background(), []byte("{not json"))
		if err == nil || rc.DeliveryID == 0 {
			f.t.Fatalf("malformed delivery = %+v %v", rc, err)
		}
		return "/api/v1/webhook-deliveries/" + rc.DeliveryID.String() + suffix
	}
}

// health is the answer of GET /api/v1/channels/{id}/health.
type health struct {
	ChannelID     string     `json:"channel_id"`
	LastWebhookAt *time.Time `json:"last_webhook_at"`
	LastSendAt    *time.Time `json:"last_send_at"`
	LastError     *struct {
		Code    string    `json:"code"`
		Message string    `json:"message"`
		At      time.Time `json:"at"`
	} `json:"last_error"`
	TokenProblem      bool `json:"token_problem"`
	FailedMessages24h int  `json:"failed_messages_24h"`
	FailedDeliveries  int  `json:"failed_deliveries"`
	WaitingStatuses   int  `json:"waiting_statuses"`
}

func getHealth(t *testing.T, c *apptest.Client, id store.ID) health {
	t.Helper()
	var h health
	c.MustDo(200, "GET", "/api/v1/channels/"+id.String()+"/health", nil, &h)
	if h.ChannelID != id.String() {
		t.Fatalf("health of channel %q, want %s", h.ChannelID, id)
	}
	return h
}

// chSandbox starts a Cloud API sandbox on its own server and a channel
// sending through it; the returned function injects a Graph failure rule.
func chSandbox(t *testing.T, e *apptest.Env, teamID store.ID) (*channel.Channel, func(rule string)) {
	t.Helper()
	sb, err := sandbox.New(sandbox.Options{AppSecret: "chs-secret", Now: e.Clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sb.Handler())
	t.Cleanup(func() { srv.Close(); sb.Close() })
	name, pnid, waba := "Sandbox", sandbox.DefaultPhoneNumberID, sandbox.DefaultWABAID
	url, tok := srv.URL+"/graph", sandbox.DefaultAccessToken
	ch, err := e.App.Channels.Create(context.Background(), channel.Input{Name: &name, PhoneNumberID: &pnid, WABAID: &waba,
		DefaultTeamID: &teamID, GraphAPIURL: &url, AccessToken: &tok})
	if err != nil {
		t.Fatal(err)
	}
	inject := func(rule string) {
		t.Helper()
		res, err := http.Post(srv.URL+"/api/failures", "application/json", strings.NewReader(rule))
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode/100 != 2 {
			t.Fatalf("sandbox failure rule %s = %d", rule, res.StatusCode)
		}
	}
	return ch, inject
}

// sendAndWait sends a text in a conversation opened now by a new customer
// and waits until the sender is done with it (sent or failed).
func sendAndWait(t *testing.T, e *apptest.Env, c *apptest.Client, ch *channel.Channel) message.Row {
	t.Helper()
	conv, _ := inbound(t, e, ch, newWaID(), "Oi", e.Clock.Now())
	var m struct {
		ID store.ID `json:"id"`
	}
	c.MustDo(202, "POST", "/api/v1/conversations/"+conv.ID.String()+"/messages", map[string]any{"type": "text", "text": "Olá"}, &m)
	deadline := time.Now().Add(15 * time.Second)
	for {
		r, err := e.App.Messages.Load(context.Background(), nil, m.ID)
		if err != nil {
			t.Fatal(err)
		}
		if r.Status != message.StatusQueued {
			return *r
		}
		if time.Now().After(deadline) {
			t.Fatalf("message %s still queued", m.ID)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestChannelHealthF29Sends: an accepted send shows as last_send_at; a send
// refused for an expired token (190) shows at once as the last error with a
// token problem and a failed message of the last 24 hours; 25 hours later
// the failure has left the count but the error stays, and once a send is
// accepted again the token problem is over while the error keeps its time.
func TestChannelHealthF29Sends(t *testing.T) {
	e := apptest.New(t, nil)
	tm := e.Team(t, "Suporte")
	admin := e.Login(t, e.User(t, "Ana Admin", auth.RoleAdmin))
	ch, inject := chSandbox(t, e, tm.ID)

	h := getHealth(t, admin, ch.ID)
	if h.LastWebhookAt != nil || h.LastSendAt != nil || h.LastError != nil || h.TokenProblem ||
		h.FailedMessages24h != 0 || h.FailedDeliveries != 0 || h.WaitingStatuses != 0 {
		t.Fatalf("a new channel's health = %+v", h)
	}

	sentAt := e.Clock.Now()
	if m := sendAndWait(t, e, admin, ch); m.Status != message.StatusSent {
		t.Fatalf("first send = %s", m.Status)
	}
	h = getHealth(t, admin, ch.ID)
	if h.LastSendAt == nil || !h.LastSendAt.Equal(sentAt) || h.LastError != nil || h.TokenProblem {
		t.Fatalf("after an accepted send: %+v", h)
	}

	e.Clock.Advance(time.Minute)
	failedAt := e.Clock.Now()
	inject(`{"code": 190, "count": 1}`)
	if m := sendAndWait(t, e, admin, ch); m.Status != message.StatusFailed {
		t.Fatalf("send with an expired token = %s", m.Status)
	}
	h = getHealth(t, admin, ch.ID)
	if h.LastError == nil || h.LastError.Code != "190" || !strings.Contains(h.LastError.Message, "token") ||
		!h.LastError.At.Equal(failedAt) {
		t.Fatalf("last error = %+v", h.LastError)
	}
	if !h.TokenProblem || h.FailedMessages24h != 1 || h.LastSendAt == nil || !h.LastSendAt.Equal(sentAt) {
		t.Fatalf("after a 190: %+v", h)
	}

	e.Clock.Advance(25 * time.Hour)
	h = getHealth(t, admin, ch.ID)
	if h.FailedMessages24h != 0 || !h.TokenProblem || h.LastError == nil || h.LastError.Code != "190" {
		t.Fatalf("25 hours later: %+v", h)
	}

	// The token works again (the rule was used up): the next accepted send
	// ends the token problem; the error stays, older than the send.
	resentAt := e.Clock.Now()
	if m := sendAndWait(t, e, admin, ch); m.Status != message.StatusSent {
		t.Fatalf("send after the token was fixed = %s", m.Status)
	}
	h = getHealth(t, admin, ch.ID)
	if h.TokenProblem || h.LastSendAt == nil || !h.LastSendAt.Equal(resentAt) ||
		h.LastError == nil || !h.LastError.At.Equal(failedAt) {
		t.Fatalf("after the token was fixed: %+v", h)
	}
}

// TestChannelHealthF29RetryableErrors: a throttled send (130429, retried)
// is a Graph API error the channel shows too, without a token problem.
func TestChannelHealthF29RetryableErrors(t *testing.T) {
	e := apptest.New(t, nil)
	tm := e.Team(t, "Suporte")
	admin := e.Login(t, e.User(t, "Ana Admin", auth.RoleAdmin))
	ch, inject := chSandbox(t, e, tm.ID)
	inject(`{"code": 130429, "count": 1}`)
	if m := sendAndWait(t, e, admin, ch); m.Status != message.StatusSent {
		t.Fatalf("throttled send = %s, want sent on the retry", m.Status)
	}
	h := getHealth(t, admin, ch.ID)
	if h.LastError == nil || h.LastError.Code != "130429" || h.TokenProblem || h.FailedMessages24h != 0 || h.LastSendAt == nil {
		t.Fatalf("after a throttled send: %+v (error %+v)", h, h.LastError)
	}
}

// delivery is an item of GET /api/v1/webhook-deliveries and the answer of
// GET /api/v1/webhook-deliveries/{id}.
type delivery struct {
	ID             string  `json:"id"`
	State          string  `json:"state"`
	Error          string  `json:"error"`
	PhoneNumberIDs string  `json:"phone_number_ids"`
	Body           *string `json:"body"`
}

type deliveryList struct {
	Items      []delivery `json:"items"`
	NextCursor *string    `json:"next_cursor"`
}

// TestChannelHealthF29Deliveries: a signed body that is not JSON (400) and
// one with an item that cannot be applied are kept as failed deliveries,
// listed newest first (with the reason, without the body), counted in the
// health of their channel — malformed ones in every channel's — shown whole
// to admins, and re-applicable; a message of an unknown type applies and
// blocks nothing.
func TestChannelHealthF29Deliveries(t *testing.T) {
	w := newWebhookEnv(t)
	e, admin := w.e, w.admin
	sign := func(b []byte) string { return whatsapp.Sign(b, []byte(hookSecret)) }
	var second channel.Channel
	admin.MustDo(201, "POST", "/api/v1/channels", map[string]any{"name": "Segundo", "phone_number_id": "200300400500600",
		"default_team_id": w.ch.DefaultTeamID, "app_secret": hookSecret}, &second)

	malformed := []byte("{\"object\": \"whatsapp\xff\xfe")
	if r := w.post(t, malformed, sign(malformed)); r.Status != http.StatusBadRequest {
		t.Fatalf("malformed = %d %s", r.Status, r.Body)
	}
	badItem := corpusFile(t, "bad_timestamp_item.json")
	secondBad := []byte(strings.ReplaceAll(string(badItem), w.ch.PhoneNumberID, second.PhoneNumberID))
	future := corpusFile(t, "unknown_future_type.json")
	for _, b := range [][]byte{badItem, secondBad, future} {
		if r := w.post(t, b, sign(b)); r.Status != http.StatusOK {
			t.Fatalf("delivery = %d %s", r.Status, r.Body)
		}
	}
	if n := w.count(t, "SELECT COUNT(*) FROM messages WHERE wa_message_id IN ('wamid.GOODTS', 'wamid.FUTURE01')"); n != 3 {
		t.Fatalf("applied messages = %d, want GOODTS on both channels and FUTURE01", n)
	}

	var all deliveryList
	admin.MustDo(200, "GET", "/api/v1/webhook-deliveries?state=failed", nil, &all)
	if len(all.Items) != 3 || all.NextCursor != nil {
		t.Fatalf("failed deliveries = %+v", all)
	}
	secondD, firstD, malformedD := all.Items[0], all.Items[1], all.Items[2]
	if secondD.PhoneNumberIDs != second.PhoneNumberID || firstD.PhoneNumberIDs != w.ch.PhoneNumberID || malformedD.PhoneNumberIDs != "" {
		t.Fatalf("not newest first: %+v", all.Items)
	}
	for _, d := range all.Items {
		if d.State != "failed" || d.Error == "" || d.Body != nil {
			t.Errorf("listed delivery = %+v", d)
		}
	}
	if !strings.HasPrefix(malformedD.Error, "malformed") || !strings.Contains(firstD.Error, "timestamp") {
		t.Errorf("reasons: %q / %q", malformedD.Error, firstD.Error)
	}

	// One channel's: its own and the malformed, a page at a time.
	path := "/api/v1/webhook-deliveries?state=failed&limit=1&channel_id=" + w.ch.ID.String()
	var page deliveryList
	admin.MustDo(200, "GET", path, nil, &page)
	if len(page.Items) != 1 || page.Items[0].ID != firstD.ID || page.NextCursor == nil {
		t.Fatalf("first page = %+v", page)
	}
	admin.MustDo(200, "GET", path+"&cursor="+*page.NextCursor, nil, &page)
	if len(page.Items) != 1 || page.Items[0].ID != malformedD.ID || page.NextCursor != nil {
		t.Fatalf("second and last page = %+v", page)
	}
	for q, field := range map[string]string{"state=applied": "state", "channel_id=999999": "channel_id", "channel_id=x": "channel_id", "cursor=nope": "cursor"} {
		if r := admin.Do("GET", "/api/v1/webhook-deliveries?"+q, nil); r.Status != 400 || r.Fields()[field] == "" {
			t.Errorf("?%s = %d %s", q, r.Status, r.Body)
		}
	}

	if h := getHealth(t, admin, w.ch.ID); h.FailedDeliveries != 2 || h.WaitingStatuses != 0 {
		t.Errorf("first channel's health = %+v", h)
	}
	if h := getHealth(t, admin, second.ID); h.FailedDeliveries != 2 {
		t.Errorf("second channel's health = %+v", h)
	}
	if r := admin.Do("GET", "/api/v1/channels/999999/health", nil); r.Status != 404 || r.ErrorCode() != "not_found" {
		t.Errorf("health of no channel = %d %s", r.Status, r.Body)
	}

	// Whole deliveries: the body as received, invalid UTF-8 replaced.
	var d delivery
	admin.MustDo(200, "GET", "/api/v1/webhook-deliveries/"+firstD.ID, nil, &d)
	if d.Body == nil || *d.Body != string(badItem) || d.Error != firstD.Error {
		t.Errorf("delivery = %+v", d)
	}
	admin.MustDo(200, "GET", "/api/v1/webhook-deliveries/"+malformedD.ID, nil, &d)
	if d.Body == nil || *d.Body != strings.ToValidUTF8(string(malformed), "\uFFFD") {
		t.Errorf("malformed delivery = %+v", d)
	}
	if r := admin.Do("GET", "/api/v1/webhook-deliveries/999999", nil); r.Status != 404 {
		t.Errorf("no delivery = %d", r.Status)
	}

	// Re-applied while still broken: 200, and the state says so; what was
	// applied stays applied once.
	var rc struct {
		DeliveryID string `json:"delivery_id"`
		State      string `json:"state"`
		Reason     string `json:"reason"`
	}
	for _, id := range []string{firstD.ID, malformedD.ID} {
		admin.MustDo(200, "POST", "/api/v1/webhook-deliveries/"+id+"/reapply", nil, &rc)
		if rc.DeliveryID != id || rc.State != "failed" || rc.Reason == "" {
			t.Errorf("reapply %s = %+v", id, rc)
		}
	}
	if n := w.count(t, "SELECT COUNT(*) FROM messages WHERE wa_message_id = 'wamid.GOODTS'"); n != 2 {
		t.Errorf("GOODTS stored %d times after reapplying", n)
	}
	if r := admin.Do("POST", "/api/v1/webhook-deliveries/999999/reapply", nil); r.Status != 404 || r.ErrorCode() != "not_found" {
		t.Errorf("reapply of no delivery = %d %s", r.Status, r.Body)
	}

	// A delivery kept for a number no channel had applies once it has one.
	text := corpusFile(t, "text.json")
	unknown := []byte(strings.ReplaceAll(string(text), w.ch.PhoneNumberID, "300300300"))
	r := w.post(t, unknown, sign(unknown))
	var receipt struct {
		DeliveryID string `json:"delivery_id"`
	}
	r.Decode(&receipt)
	var third channel.Channel
	admin.MustDo(201, "POST", "/api/v1/channels", map[string]any{"name": "Terceiro", "phone_number_id": "300300300",
		"default_team_id": w.ch.DefaultTeamID}, &third)
	admin.MustDo(200, "POST", "/api/v1/webhook-deliveries/"+receipt.DeliveryID+"/reapply", nil, &rc)
	if rc.State != "applied" {
		t.Errorf("reapply once the channel exists = %+v", rc)
	}
	if n := w.count(t, fmt.Sprintf("SELECT COUNT(*) FROM messages WHERE channel_id = %d", third.ID)); n != 1 {
		t.Errorf("messages on the new channel = %d", n)
	}

	// The webhook's last visit is written in the background.
	deadline := time.Now().Add(15 * time.Second)
	for h := getHealth(t, admin, w.ch.ID); h.LastWebhookAt == nil || !h.LastWebhookAt.Equal(e.Clock.Now()); h = getHealth(t, admin, w.ch.ID) {
		if time.Now().After(deadline) {
			t.Fatalf("last_webhook_at = %v, want %v", h.LastWebhookAt, e.Clock.Now())
		}
		time.Sleep(50 * time.Millisecond)
	}
}
