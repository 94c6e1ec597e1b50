package outbound_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"papo/internal/apptest"
	"papo/internal/auth"
	"papo/internal/channel"
	"papo/internal/contact"
	"papo/internal/conversation"
	"papo/internal/jobs"
	"papo/internal/message"
	"papo/internal/outbound"
	"papo/internal/sandbox"
	"papo/internal/secret"
	"papo/internal/settings"
	"papo/internal/store"
	"papo/internal/store/storetest"
	"papo/internal/team"
)

// failingPending fails the first ApplyPending: the transaction that marks
// the message sent rolls back after WhatsApp accepted it.
type failingPending struct{ calls atomic.Int64 }

func (f *failingPending) ApplyPending(ctx context.Context, tx *store.Tx, channelID store.ID, waID string) error {
	if f.calls.Add(1) == 1 {
		return errors.New("database hiccup")
	}
	return nil
}

// TestCommitFailureNeverResends (F26): when WhatsApp accepted a message but
// marking it sent failed, the job's retry records the send without calling
// the Graph API again — the customer gets the message once.
func TestCommitFailureNeverResends(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	box, err := secret.NewBox(bytes.Repeat([]byte{7}, 32))
	must(err)
	authS, err := auth.New(auth.Options{DB: db, Hash: apptest.CheapHash})
	must(err)
	teams, err := team.New(team.Options{DB: db})
	must(err)
	contacts, err := contact.New(contact.Options{DB: db, Region: "BR"})
	must(err)
	channels, err := channel.New(channel.Options{DB: db, Box: box, BaseURL: "http://127.0.0.1:1"})
	must(err)
	sets, err := settings.New(settings.Options{DB: db})
	must(err)
	convs, err := conversation.New(conversation.Options{DB: db, Contacts: contacts, Settings: sets})
	must(err)
	msgs, err := message.New(message.Options{DB: db, Contacts: contacts})
	must(err)
	q, err := jobs.New(ctx, jobs.Options{DB: db})
	must(err)
	pending := &failingPending{}
	out, err := outbound.New(outbound.Options{DB: db, Jobs: q, Channels: channels, Contacts: contacts, Conv: convs,
		Messages: msgs, Pending: pending, RetryScale: 0.2})
	must(err)

	sb, err := sandbox.New(sandbox.Options{AppSecret: "s"})
	must(err)
	srv := httptest.NewServer(sb.Handler())
	t.Cleanup(func() { srv.Close(); sb.Close() })

	name := "Suporte"
	tm, err := teams.Create(ctx, team.Input{Name: &name})
	must(err)
	u, err := authS.CreateUser(ctx, auth.CreateUserInput{Name: "Ana", Email: "ana@x.io", Role: auth.RoleAgent, Password: apptest.Password, TeamIDs: []store.ID{tm.ID}})
	must(err)
	pnid, url, tok := sandbox.DefaultPhoneNumberID, srv.URL+"/graph", sandbox.DefaultAccessToken
	ch, err := channels.Create(ctx, channel.Input{Name: &name, PhoneNumberID: &pnid, DefaultTeamID: &tm.ID, GraphAPIURL: &url, AccessToken: &tok})
	must(err)

	wa := newWaID()
	res, err := http.Post(srv.URL+"/api/phones/"+wa+"/messages", "application/json", bytes.NewReader([]byte(`{"type":"text","text":"oi"}`)))
	must(err)
	var item struct {
		ID string `json:"id"`
	}
	must(json.NewDecoder(res.Body).Decode(&item))
	res.Body.Close()
	var convID store.ID
	now := time.Now().UTC()
	must(db.InTx(ctx, func(tx *store.Tx) error {
		cid, err := contacts.Upsert(ctx, tx, wa, "Cliente")
		if err != nil {
			return err
		}
		c, _, err := convs.OpenForInbound(ctx, tx, ch.ID, tm.ID, cid, now)
		if err != nil {
			return err
		}
		id, _, err := msgs.InsertInbound(ctx, tx, message.Inbound{ConversationID: c.ID, ChannelID: ch.ID, ContactID: cid, Type: "text",
			Text: "oi", WAMessageID: item.ID, At: now})
		if err != nil {
			return err
		}
		convID = c.ID
		return convs.RecordInbound(ctx, tx, c.ID, id, now)
	}))

	p := &auth.Principal{User: *u}
	m, created, err := out.Send(ctx, p, convID, outbound.SendInput{Type: outbound.TypeText, Text: "Olá"})
	must(err)
	if !created {
		t.Fatal("not created")
	}
	must(q.Start(ctx))
	t.Cleanup(func() {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = q.Stop(sctx)
	})
	deadline := time.Now().Add(15 * time.Second)
	var row *message.Row
	for {
		row, err = msgs.Load(ctx, nil, m.ID)
		must(err)
		if row.Status != message.StatusQueued || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if row.Status != message.StatusSent || row.WAMessageID == nil {
		t.Fatalf("message = %s %v", row.Status, row.WAMessageID)
	}
	if n := pending.calls.Load(); n != 2 {
		t.Fatalf("ApplyPending called %d times, want 2 (a failed commit, then the retry)", n)
	}
	var sent struct {
		Items []struct {
			ID string `json:"id"`
		} `json:"items"`
	}
	res, err = http.Get(srv.URL + "/api/sent")
	must(err)
	must(json.NewDecoder(res.Body).Decode(&sent))
	res.Body.Close()
	if len(sent.Items) != 1 || sent.Items[0].ID != *row.WAMessageID {
		t.Fatalf("WhatsApp got %d sends (%+v); want exactly the one recorded", len(sent.Items), sent.Items)
	}
}
