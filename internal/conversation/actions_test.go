package conversation_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"papo/internal/apperr"
	"papo/internal/apptest"
	"papo/internal/auth"
	"papo/internal/channel"
	"papo/internal/conversation"
	"papo/internal/message"
	"papo/internal/store"
)

// fakeClosing records what closing asked to send (F16).
type fakeClosing struct {
	mu    sync.Mutex
	calls []string
	fail  error
}

func (f *fakeClosing) SendClosing(ctx context.Context, tx *store.Tx, conv *conversation.Row, actor *auth.Principal, msg, survey bool) ([]store.ID, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if conv.Status != conversation.StatusClosed || tx == nil {
		return nil, fmt.Errorf("called outside the closing: status %s", conv.Status)
	}
	f.calls = append(f.calls, fmt.Sprintf("conv=%s actor=%s message=%v survey=%v", conv.ID, actor.ID, msg, survey))
	return nil, f.fail
}

// fakeReceipts records the read receipts queued.
type fakeReceipts struct {
	mu    sync.Mutex
	calls []string
}

func (f *fakeReceipts) EnqueueReadReceipt(ctx context.Context, tx *store.Tx, channelID store.ID, waID string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, channelID.String()+"/"+waID)
	return nil
}

type world struct {
	e        *apptest.Env
	svc      *conversation.Service
	closing  *fakeClosing
	receipts *fakeReceipts
	ch       *channel.Channel
	agent    *auth.Principal
}

func newWorld(t *testing.T) *world {
	t.Helper()
	e := apptest.New(t, nil)
	w := &world{e: e, closing: &fakeClosing{}, receipts: &fakeReceipts{}}
	var err error
	w.svc, err = conversation.New(conversation.Options{DB: e.App.DB, Now: e.Clock.Now, Contacts: e.App.Contacts,
		Settings: e.App.Settings, Closing: w.closing, Receipts: w.receipts})
	if err != nil {
		t.Fatal(err)
	}
	tm := e.Team(t, "Suporte")
	name, pnid, tok := "Canal", "5550001", "tok"
	if w.ch, err = e.App.Channels.Create(context.Background(), channel.Input{Name: &name, PhoneNumberID: &pnid, DefaultTeamID: &tm.ID, AccessToken: &tok}); err != nil {
		t.Fatal(err)
	}
	u := e.User(t, "Agente", auth.RoleAgent, tm.ID)
	w.agent = &auth.Principal{User: *u}
	return w
}

// customerWrites stores a customer message as the webhook does.
func (w *world) customerWrites(t *testing.T, waID, wamid string) *conversation.Row {
	t.Helper()
	ctx := context.Background()
	var id store.ID
	err := w.e.App.DB.InTx(ctx, func(tx *store.Tx) error {
		cid, err := w.e.App.Contacts.Upsert(ctx, tx, waID, "")
		if err != nil {
			return err
		}
		r, _, err := w.svc.OpenForInbound(ctx, tx, w.ch.ID, w.ch.DefaultTeamID, cid, w.e.Clock.Now())
		if err != nil {
			return err
		}
		mid, _, err := w.e.App.Messages.InsertInbound(ctx, tx, message.Inbound{ConversationID: r.ID, ChannelID: w.ch.ID, ContactID: cid,
			Type: "text", Text: "oi", WAMessageID: wamid, At: w.e.Clock.Now()})
		if err != nil {
			return err
		}
		id = r.ID
		return w.svc.RecordInbound(ctx, tx, r.ID, mid, w.e.Clock.Now())
	})
	if err != nil {
		t.Fatal(err)
	}
	r, err := w.svc.Load(ctx, nil, id)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func ptr[T any](v T) *T { return &v }

// TestCloseCallsTheClosingSender_F16: closing passes the caller's choices,
// or the settings' defaults, to the ClosingSender inside the closing
// transaction; a failing sender leaves the conversation open; closing twice
// is a conflict and sends nothing.
func TestCloseCallsTheClosingSender_F16(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	d, _ := w.e.App.Settings.Get(ctx)
	d.ClosingMessage.Enabled, d.Survey.OnManualClose = true, false
	if _, err := w.e.App.Settings.Put(ctx, d); err != nil {
		t.Fatal(err)
	}

	c1 := w.customerWrites(t, "5511987650001", "wamid.1")
	got, err := w.svc.Close(ctx, w.agent, c1.ID, conversation.CloseInput{})
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != "closed" || got.ClosedReason == nil || *got.ClosedReason != "manual" || !got.ClosedAt.Equal(w.e.Clock.Now()) {
		t.Fatalf("closed: %+v", got)
	}
	c2 := w.customerWrites(t, "5511987650002", "wamid.2")
	if _, err := w.svc.Close(ctx, w.agent, c2.ID, conversation.CloseInput{SendClosingMessage: ptr(false), SendSurvey: ptr(true)}); err != nil {
		t.Fatal(err)
	}
	want := []string{
		fmt.Sprintf("conv=%s actor=%s message=true survey=false", c1.ID, w.agent.ID),
		fmt.Sprintf("conv=%s actor=%s message=false survey=true", c2.ID, w.agent.ID),
	}
	if fmt.Sprint(w.closing.calls) != fmt.Sprint(want) {
		t.Fatalf("closing calls %v, want %v", w.closing.calls, want)
	}
	if _, err := w.svc.Close(ctx, w.agent, c1.ID, conversation.CloseInput{}); !errors.Is(err, apperr.ErrConflict) {
		t.Fatalf("closing twice: %v", err)
	}
	if len(w.closing.calls) != 2 {
		t.Fatalf("closing twice sent again: %v", w.closing.calls)
	}

	w.closing.fail = errors.New("queue down")
	c3 := w.customerWrites(t, "5511987650003", "wamid.3")
	if _, err := w.svc.Close(ctx, w.agent, c3.ID, conversation.CloseInput{}); err == nil {
		t.Fatal("close succeeded although the closing message could not be queued")
	}
	if r, _ := w.svc.Load(ctx, nil, c3.ID); r.Status == conversation.StatusClosed {
		t.Fatal("the conversation closed without its closing message")
	}
}

// TestMarkReadSendsOneReceipt: reading zeroes unread and queues one read
// receipt for the customer's latest message; reading again queues none.
func TestMarkReadSendsOneReceipt(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	w.customerWrites(t, "5511987650009", "wamid.a")
	w.e.Clock.Advance(time.Second)
	c := w.customerWrites(t, "5511987650009", "wamid.b")
	if c.UnreadCount != 2 {
		t.Fatalf("unread = %d", c.UnreadCount)
	}
	got, err := w.svc.MarkRead(ctx, w.agent, c.ID)
	if err != nil || got.UnreadCount != 0 {
		t.Fatalf("read: %+v %v", got, err)
	}
	if _, err := w.svc.MarkRead(ctx, w.agent, c.ID); err != nil {
		t.Fatal(err)
	}
	if want := []string{w.ch.ID.String() + "/wamid.b"}; fmt.Sprint(w.receipts.calls) != fmt.Sprint(want) {
		t.Fatalf("receipts %v, want %v", w.receipts.calls, want)
	}
}

// TestActionsOnInvisibleConversations_F03: every action answers not found
// for a conversation the caller may not see, before looking at its input.
func TestActionsOnInvisibleConversations_F03(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	c := w.customerWrites(t, "5511987650010", "wamid.x")
	stranger := &auth.Principal{User: auth.User{ID: 999, Role: auth.RoleAgent}}
	checks := map[string]error{}
	_, checks["assign"] = w.svc.Assign(ctx, stranger, c.ID, 0)
	_, checks["forward"] = w.svc.Forward(ctx, stranger, c.ID, conversation.ForwardInput{})
	_, checks["status"] = w.svc.SetStatus(ctx, stranger, c.ID, "bogus")
	_, checks["close"] = w.svc.Close(ctx, stranger, c.ID, conversation.CloseInput{})
	_, checks["read"] = w.svc.MarkRead(ctx, stranger, c.ID)
	_, checks["timeline"] = w.svc.Timeline(ctx, stranger, c.ID, conversation.TimelineQuery{})
	_, checks["within"] = w.svc.MessagesWithin(ctx, stranger, c.ID, 99)
	_, checks["summary"] = w.svc.Summary(ctx, stranger, c.ID)
	checks["contact"] = w.svc.ContactVisible(ctx, stranger, c.ContactID)
	for name, err := range checks {
		if !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("%s: %v, want not found", name, err)
		}
	}
	if len(w.closing.calls)+len(w.receipts.calls) != 0 {
		t.Fatal("something was sent for an invisible conversation")
	}
}
