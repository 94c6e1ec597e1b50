package inbound_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"papo/internal/apptest"
	"papo/internal/auth"
	"papo/internal/channel"
	"papo/internal/message"
	"papo/internal/store"
	"papo/internal/team"
	"papo/internal/whatsapp"
)

// Phone number ids of the corpus in internal/whatsapp/testdata/webhooks.
const (
	mainPhoneID   = "106540352242922"
	secondPhoneID = "200300400500600"
	mainSecret    = "main-app-secret"
	secondSecret  = "second-app-secret"
	customerWaID  = "5511987654321"
)

// hook is a running papo with the two channels of the corpus, whose Graph
// API is a stub serving media.
type hook struct {
	e      *apptest.Env
	graph  *graphStub
	admin  *apptest.Client
	team   *team.Team
	ch     *channel.Channel // mainPhoneID, signed with mainSecret
	second *channel.Channel // secondPhoneID, signed with secondSecret
}

func newHook(t *testing.T) *hook {
	t.Helper()
	e := apptest.New(t, nil)
	h := &hook{e: e, graph: newGraphStub(t)}
	h.team = e.Team(t, "Suporte")
	h.admin = e.Login(t, e.User(t, "Ana Admin", auth.RoleAdmin))
	h.ch = h.channel(t, "Principal", mainPhoneID, mainSecret, h.graph.URL)
	h.second = h.channel(t, "Segundo", secondPhoneID, secondSecret, h.graph.URL)
	return h
}

func (h *hook) channel(t *testing.T, name, phoneID, secret, graphURL string) *channel.Channel {
	t.Helper()
	body := map[string]any{"name": name, "phone_number_id": phoneID, "default_team_id": h.team.ID,
		"access_token": "token-" + phoneID, "app_secret": secret}
	if graphURL != "" {
		body["graph_api_url"] = graphURL
	}
	var ch channel.Channel
	h.admin.MustDo(201, "POST", "/api/v1/channels", body, &ch)
	return &ch
}

// corpus reads a webhook body of the shared corpus, bytes as they are.
func corpus(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "whatsapp", "testdata", "webhooks", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func corpusNames(t *testing.T) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join("..", "whatsapp", "testdata", "webhooks", "*.json"))
	if err != nil || len(m) == 0 {
		t.Fatalf("corpus: %v", err)
	}
	out := make([]string, len(m))
	for i, p := range m {
		out[i] = filepath.Base(p)
	}
	return out
}

// post delivers body signed with secret ("" sends no signature).
func (h *hook) post(t *testing.T, body []byte, secret string) *apptest.Response {
	t.Helper()
	sig := ""
	if secret != "" {
		sig = whatsapp.Sign(body, []byte(secret))
	}
	return h.e.Anonymous(t).Do("POST", "/webhooks/whatsapp", body, whatsapp.SignatureHeader, sig)
}

// deliver posts a corpus file signed with the secret of its channel and
// expects 200.
func (h *hook) deliver(t *testing.T, name string) {
	t.Helper()
	h.deliverBody(t, corpus(t, name))
}

func (h *hook) deliverBody(t *testing.T, body []byte) {
	t.Helper()
	if r := h.post(t, body, mainSecret); r.Status != http.StatusOK {
		t.Fatalf("POST webhook = %d %s", r.Status, r.Body)
	}
}

// msg returns the API view of the message with a WhatsApp id on the main
// channel, or nil.
func (h *hook) msg(t *testing.T, waID string) *message.Message {
	t.Helper()
	return h.msgOn(t, h.ch.ID, waID)
}

func (h *hook) msgOn(t *testing.T, channelID store.ID, waID string) *message.Message {
	t.Helper()
	ctx := context.Background()
	id, err := h.e.App.Messages.IDByWaID(ctx, h.e.App.DB.R, channelID, waID)
	if err != nil {
		return nil
	}
	row, err := h.e.App.Messages.Load(ctx, nil, id)
	if err != nil {
		t.Fatal(err)
	}
	out, err := h.e.App.Messages.Present(ctx, nil, []message.Row{*row})
	if err != nil {
		t.Fatal(err)
	}
	return &out[0]
}

func (h *hook) mustMsg(t *testing.T, waID string) *message.Message {
	t.Helper()
	m := h.msg(t, waID)
	if m == nil {
		t.Fatalf("message %s not stored", waID)
	}
	return m
}

// payload decodes a message's payload.
func payload(t *testing.T, m *message.Message) map[string]any {
	t.Helper()
	var p map[string]any
	if err := json.Unmarshal(m.Payload, &p); err != nil {
		t.Fatalf("payload %s: %v", m.Payload, err)
	}
	return p
}

// outbound stores a message papo sent to the corpus customer in its open
// conversation and records its WhatsApp id as the sender does (MarkSent,
// then ApplyPending in the same transaction).
func (h *hook) outbound(t *testing.T, waID string) store.ID {
	t.Helper()
	ctx := context.Background()
	a := h.e.App
	var id store.ID
	err := a.DB.InTx(ctx, func(tx *store.Tx) error {
		contactID, err := a.Contacts.Upsert(ctx, tx, customerWaID, "")
		if err != nil {
			return err
		}
		conv, _, err := a.Conv.OpenForInbound(ctx, tx, h.ch.ID, h.team.ID, contactID, h.e.Clock.Now())
		if err != nil {
			return err
		}
		id, _, err = a.Messages.InsertOutbound(ctx, tx, message.Outbound{ConversationID: conv.ID, ChannelID: h.ch.ID,
			ContactID: contactID, Direction: message.DirectionOut, AuthorType: message.AuthorSystem, Type: "text",
			Text: "mensagem da empresa"})
		if err != nil {
			return err
		}
		if err := a.Messages.MarkSent(ctx, tx, id, waID); err != nil {
			return err
		}
		return a.Inbound.ApplyPending(ctx, tx, h.ch.ID, waID)
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// count runs a COUNT(*) query.
func (h *hook) count(t *testing.T, query string, args ...any) int {
	t.Helper()
	var n int
	if err := h.e.App.DB.R.GetContext(context.Background(), &n, h.e.App.DB.W.Rebind(query), args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

type delivery struct {
	ID    store.ID `db:"id"`
	State string   `db:"state"`
	Error string   `db:"error"`
	Body  []byte   `db:"body"`
}

func (h *hook) deliveries(t *testing.T) []delivery {
	t.Helper()
	var out []delivery
	if err := h.e.App.DB.R.SelectContext(context.Background(), &out,
		"SELECT id, state, error, body FROM webhook_deliveries ORDER BY id"); err != nil {
		t.Fatal(err)
	}
	return out
}

func (h *hook) lastDelivery(t *testing.T) delivery {
	t.Helper()
	d := h.deliveries(t)
	if len(d) == 0 {
		t.Fatal("no delivery stored")
	}
	return d[len(d)-1]
}

// graphStub imitates the Graph API's media endpoints: GET /{version}/{id}
// gives a download URL on the stub, which serves "media <id>" to the
// channel's Bearer token. failures[id] makes that many attempts fail (500).
type graphStub struct {
	*httptest.Server
	mu       sync.Mutex
	failures map[string]int
	hits     map[string]int
}

func newGraphStub(t *testing.T) *graphStub {
	g := &graphStub{failures: map[string]int{}, hits: map[string]int{}}
	g.Server = httptest.NewServer(http.HandlerFunc(g.serve))
	t.Cleanup(g.Close)
	return g
}

func (g *graphStub) serve(w http.ResponseWriter, r *http.Request) {
	if !strings.HasPrefix(r.Header.Get("Authorization"), "Bearer token-") {
		w.WriteHeader(401)
		fmt.Fprint(w, `{"error":{"message":"Invalid OAuth access token","type":"OAuthException","code":190}}`)
		return
	}
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	if len(parts) == 2 && parts[0] == "dl" {
		fmt.Fprintf(w, "media %s", parts[1])
		return
	}
	if len(parts) != 2 {
		w.WriteHeader(404)
		return
	}
	id := parts[1]
	g.mu.Lock()
	g.hits[id]++
	fail := g.failures[id] > 0
	if fail {
		g.failures[id]--
	}
	g.mu.Unlock()
	if fail {
		w.WriteHeader(500)
		fmt.Fprint(w, `{"error":{"message":"Something went wrong","type":"OAuthException","code":131000}}`)
		return
	}
	body := "media " + id
	fmt.Fprintf(w, `{"url":%q,"mime_type":"image/jpeg","sha256":"","file_size":%d,"id":%q,"messaging_product":"whatsapp"}`,
		g.URL+"/dl/"+id, len(body), id)
}

func (g *graphStub) fail(id string, n int) {
	g.mu.Lock()
	g.failures[id] = n
	g.mu.Unlock()
}

func (g *graphStub) hitsOf(id string) int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.hits[id]
}
