package httpapi_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"papo/internal/apptest"
	"papo/internal/canned"
	"papo/internal/channel"
	"papo/internal/conversation"
	"papo/internal/message"
	"papo/internal/store"
)

// Conversations for the HTTP tests are built the way the webhook builds
// them — contact.Upsert, conversation.OpenForInbound, message.InsertInbound
// and RecordInbound in one transaction — so these tests need no WhatsApp.

var waSeq atomic.Int64

// newWaID returns a fresh Brazilian mobile wa_id (with the ninth digit).
func newWaID() string { return fmt.Sprintf("551198%07d", 1000000+waSeq.Add(1)) }

// newChannel creates a WhatsApp channel routing new conversations to teamID.
func newChannel(t testing.TB, e *apptest.Env, teamID store.ID) *channel.Channel {
	t.Helper()
	name, pnid, tok := "Canal", fmt.Sprintf("77%d%d", teamID, waSeq.Add(1)), "token"
	ch, err := e.App.Channels.Create(context.Background(), channel.Input{Name: &name, PhoneNumberID: &pnid, DefaultTeamID: &teamID, AccessToken: &tok})
	if err != nil {
		t.Fatalf("channel: %v", err)
	}
	return ch
}

// inbound stores a customer's text message at the given time (as WhatsApp
// timestamps it) and returns its conversation and message.
func inbound(t testing.TB, e *apptest.Env, ch *channel.Channel, waID, text string, at time.Time) (*conversation.Row, store.ID) {
	t.Helper()
	ctx := context.Background()
	var convID, msgID store.ID
	err := e.App.DB.InTx(ctx, func(tx *store.Tx) error {
		contactID, err := e.App.Contacts.Upsert(ctx, tx, waID, "Perfil")
		if err != nil {
			return err
		}
		r, _, err := e.App.Conv.OpenForInbound(ctx, tx, ch.ID, ch.DefaultTeamID, contactID, at)
		if err != nil {
			return err
		}
		msgID, _, err = e.App.Messages.InsertInbound(ctx, tx, message.Inbound{ConversationID: r.ID, ChannelID: ch.ID,
			ContactID: contactID, Type: "text", Text: text, WAMessageID: fmt.Sprintf("wamid.%d", waSeq.Add(1)), At: at})
		if err != nil {
			return err
		}
		convID = r.ID
		return e.App.Conv.RecordInbound(ctx, tx, r.ID, msgID, at)
	})
	if err != nil {
		t.Fatalf("inbound: %v", err)
	}
	return loadConv(t, e, convID), msgID
}

func loadConv(t testing.TB, e *apptest.Env, id store.ID) *conversation.Row {
	t.Helper()
	r, err := e.App.Conv.Load(context.Background(), nil, id)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// execSQL runs a statement on the test database ("?" placeholders).
func execSQL(t testing.TB, e *apptest.Env, query string, args ...any) {
	t.Helper()
	if _, err := e.App.DB.W.ExecContext(context.Background(), e.App.DB.W.Rebind(query), args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

// setAssignee sets a conversation's assignee directly (nil: unassigned).
func setAssignee(t testing.TB, e *apptest.Env, convID store.ID, userID *store.ID) {
	t.Helper()
	execSQL(t, e, "UPDATE conversations SET assignee_id = ? WHERE id = ?", userID, convID)
}

// closeDirectly closes a conversation as the inactivity job would.
func closeDirectly(t testing.TB, e *apptest.Env, convID store.ID) {
	t.Helper()
	execSQL(t, e, "UPDATE conversations SET status = 'closed', closed_at = ?, closed_reason = 'inactivity' WHERE id = ?", e.Clock.Now(), convID)
}

// setSegmented switches the segmented view (F02).
func setSegmented(t testing.TB, e *apptest.Env, on bool) {
	t.Helper()
	ctx := context.Background()
	d, err := e.App.Settings.Get(ctx)
	if err != nil {
		t.Fatal(err)
	}
	d.SegmentedView = on
	if _, err := e.App.Settings.Put(ctx, d); err != nil {
		t.Fatal(err)
	}
}

// hasRoute reports whether the server has a route (other areas' endpoints
// may not exist yet while they are built).
func hasRoute(e *apptest.Env, pattern string) bool {
	for _, p := range e.App.Server.Patterns() {
		if p == pattern {
			return true
		}
	}
	return false
}

func idPtr(id store.ID) *store.ID { return &id }

// Authorization rows (authz_test.go) of the conversation detail, actions,
// contacts and canned responses build their targets with these.

// cvFixture is the path of a fresh conversation of the fixture's team.
func cvFixture(rest string) func(f *fixture) string {
	return func(f *fixture) string {
		c, _ := inbound(f.t, f.env, f.channel, newWaID(), "oi", f.env.Clock.Now())
		return convPath(c.ID, rest)
	}
}

// ctFixture is the path of the contact of a fresh conversation of the fixture's team.
func ctFixture(rest string) func(f *fixture) string {
	return func(f *fixture) string {
		c, _ := inbound(f.t, f.env, f.channel, newWaID(), "oi", f.env.Clock.Now())
		return "/api/v1/contacts/" + c.ContactID.String() + rest
	}
}

// cnFixture is the path of a fresh canned response for every team.
func cnFixture(rest string) func(f *fixture) string {
	return func(f *fixture) string {
		sc, title, body := fmt.Sprintf("c%d", waSeq.Add(1)), "Título", "Olá {{contact.name}}"
		r, err := f.env.App.Canned.Create(context.Background(), canned.Input{Shortcut: &sc, Title: &title, Body: &body})
		if err != nil {
			f.t.Fatal(err)
		}
		return "/api/v1/canned-responses/" + r.ID.String() + rest
	}
}
