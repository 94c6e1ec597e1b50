package outbound_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"papo/internal/apptest"
	"papo/internal/auth"
	"papo/internal/channel"
	"papo/internal/message"
	"papo/internal/sandbox"
	"papo/internal/store"
	"papo/internal/team"
)

// rig is a papo (apptest) with a WhatsApp channel whose Graph API is a real
// sandbox on its own httptest server, posting its signed webhooks to papo's
// /webhooks/whatsapp: sends go through the production client over HTTP.
type rig struct {
	e       *apptest.Env
	sb      *sandbox.Sandbox
	sbURL   string
	ch      *channel.Channel
	team    *team.Team
	agent   *auth.User
	admin   *auth.User
	agentC  *apptest.Client
	adminC  *apptest.Client
	secret  string
	httpCli *http.Client
}

var seq atomic.Int64

// newWaID returns a fresh Brazilian mobile wa_id.
func newWaID() string { return fmt.Sprintf("551197%07d", 1000000+seq.Add(1)) }

func newRig(t *testing.T, so sandbox.Options) *rig {
	t.Helper()
	e := apptest.New(t, nil)
	r := &rig{e: e, secret: "app-secret-" + fmt.Sprint(seq.Add(1)), httpCli: &http.Client{Timeout: 10 * time.Second}}
	so.AppSecret = r.secret
	so.WebhookURL = e.URL + "/webhooks/whatsapp"
	if so.Now == nil {
		so.Now = e.Clock.Now
	}
	so.RetryDelays = []time.Duration{} // a refused webhook is not redelivered in tests
	sb, err := sandbox.New(so)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sb.Handler())
	t.Cleanup(func() { srv.Close(); sb.Close() })
	r.sb, r.sbURL = sb, srv.URL
	r.team = e.Team(t, "Atendimento")
	r.agent = e.User(t, "Ana Agente", auth.RoleAgent, r.team.ID)
	r.admin = e.User(t, "Rui Admin", auth.RoleAdmin)
	r.agentC, r.adminC = e.Login(t, r.agent), e.Login(t, r.admin)
	r.adminC.MustDo(201, "POST", "/api/v1/channels", map[string]any{
		"name": "Sandbox", "phone_number_id": sandbox.DefaultPhoneNumberID, "waba_id": sandbox.DefaultWABAID,
		"display_phone_number": sandbox.DefaultDisplayPhoneNumber, "default_team_id": r.team.ID,
		"graph_api_url": srv.URL + "/graph", "graph_api_version": "v23.0",
		"access_token": sandbox.DefaultAccessToken, "app_secret": r.secret,
	}, &r.ch)
	return r
}

// customerSays makes a customer write through the sandbox (which signs and
// posts the webhook to papo) and returns the conversation and message of
// papo holding it. If the webhook did not store it, the test stores it the
// way the webhook does, with the same WhatsApp id and time.
func (r *rig) customerSays(t *testing.T, waID, text string) (convID, msgID store.ID) {
	t.Helper()
	var item struct {
		ID string `json:"id"`
	}
	r.sandboxDo(t, "POST", "/api/phones/"+waID+"/messages", map[string]any{"type": "text", "text": text, "name": "Cliente"}, 201, &item)
	ctx := context.Background()
	if id, err := r.e.App.Messages.IDByWaID(ctx, r.e.App.DB.R, r.ch.ID, item.ID); err == nil {
		m, err := r.e.App.Messages.Load(ctx, nil, id)
		if err != nil {
			t.Fatal(err)
		}
		return m.ConversationID, id
	}
	return r.storeInbound(t, waID, text, item.ID, r.e.Clock.Now())
}

// storeInbound stores a customer message in papo only (WhatsApp's side
// knows nothing of it).
func (r *rig) storeInbound(t *testing.T, waID, text, wamid string, at time.Time) (convID, msgID store.ID) {
	t.Helper()
	ctx := context.Background()
	err := r.e.App.DB.InTx(ctx, func(tx *store.Tx) error {
		contactID, err := r.e.App.Contacts.Upsert(ctx, tx, waID, "Cliente")
		if err != nil {
			return err
		}
		c, _, err := r.e.App.Conv.OpenForInbound(ctx, tx, r.ch.ID, r.ch.DefaultTeamID, contactID, at)
		if err != nil {
			return err
		}
		id, inserted, err := r.e.App.Messages.InsertInbound(ctx, tx, message.Inbound{ConversationID: c.ID, ChannelID: r.ch.ID,
			ContactID: contactID, Type: "text", Text: text, WAMessageID: wamid, At: at})
		if err != nil {
			return err
		}
		convID, msgID = c.ID, id
		if inserted {
			return r.e.App.Conv.RecordInbound(ctx, tx, c.ID, id, at)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("store inbound: %v", err)
	}
	return convID, msgID
}

// sandboxDo calls the sandbox's own API.
func (r *rig) sandboxDo(t *testing.T, method, path string, body any, want int, out any) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, r.sbURL+path, rd)
	req.Header.Set("Content-Type", "application/json")
	res, err := r.httpCli.Do(req)
	if err != nil {
		t.Fatalf("sandbox %s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != want {
		t.Fatalf("sandbox %s %s = %d %s; want %d", method, path, res.StatusCode, b, want)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("sandbox %s: %v: %s", path, err, b)
		}
	}
}

type sentItem struct {
	ID      string          `json:"id"`
	To      string          `json:"to"`
	WaID    string          `json:"wa_id"`
	Type    string          `json:"type"`
	Text    string          `json:"text"`
	Request json.RawMessage `json:"request"`
}

// sent lists what the sandbox accepted, optionally for one recipient.
func (r *rig) sent(t *testing.T, to string) []sentItem {
	t.Helper()
	var out struct {
		Items []sentItem `json:"items"`
	}
	path := "/api/sent"
	if to != "" {
		path += "?to=" + to
	}
	r.sandboxDo(t, "GET", path, nil, 200, &out)
	return out.Items
}

type sbStats struct {
	Accepted     int `json:"accepted"`
	RateLimited  int `json:"rate_limited"`
	Duplicates   int `json:"duplicates"`
	Rejected     int `json:"rejected"`
	Injected     int `json:"injected"`
	ReadReceipts int `json:"read_receipts"`
	MediaUploads int `json:"media_uploads"`
}

func (r *rig) stats(t *testing.T) sbStats {
	t.Helper()
	var s sbStats
	r.sandboxDo(t, "GET", "/api/stats", nil, 200, &s)
	return s
}

// inject makes the next Graph calls fail (sandbox POST api/failures).
func (r *rig) inject(t *testing.T, rule map[string]any) {
	t.Helper()
	r.sandboxDo(t, "POST", "/api/failures", rule, 201, nil)
}

// message reads a message as the API presents it.
func (r *rig) message(t *testing.T, id store.ID) message.Message {
	t.Helper()
	ctx := context.Background()
	row, err := r.e.App.Messages.Load(ctx, nil, id)
	if err != nil {
		t.Fatal(err)
	}
	ms, err := r.e.App.Messages.Present(ctx, nil, []message.Row{*row})
	if err != nil {
		t.Fatal(err)
	}
	return ms[0]
}

// waitStatus waits until a message leaves "queued" and returns it.
func (r *rig) waitStatus(t *testing.T, id store.ID, within time.Duration) message.Message {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		m := r.message(t, id)
		if m.Status != message.StatusQueued || time.Now().After(deadline) {
			return m
		}
		time.Sleep(25 * time.Millisecond)
	}
}

// post sends a message through the API as c.
func post(t *testing.T, c *apptest.Client, convID store.ID, body any, headers ...string) (*apptest.Response, message.Message) {
	t.Helper()
	res := c.Do("POST", "/api/v1/conversations/"+convID.String()+"/messages", body, headers...)
	var m message.Message
	if res.Status == 200 || res.Status == 202 {
		res.Decode(&m)
	}
	return res, m
}

// countMessages counts the messages of a conversation.
func (r *rig) countMessages(t *testing.T, convID store.ID) int {
	t.Helper()
	var n int
	if err := r.e.App.DB.R.GetContext(context.Background(), &n, r.e.App.DB.R.Rebind("SELECT count(*) FROM messages WHERE conversation_id = ?"), convID); err != nil {
		t.Fatal(err)
	}
	return n
}

// sendJobs counts the send jobs ever queued.
func (r *rig) sendJobs(t *testing.T) int {
	t.Helper()
	n, err := r.e.App.Jobs.Count(context.Background(), "outbound_send")
	if err != nil {
		t.Fatal(err)
	}
	return n
}
