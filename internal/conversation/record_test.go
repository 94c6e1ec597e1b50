package conversation_test

import (
	"context"
	"testing"
	"time"

	"papo/internal/message"
	"papo/internal/store"
)

// TestLateMessageKeepsTheNewestPreview_F01: WhatsApp may deliver an older
// message after a newer one; the list keeps showing the newest message and
// activity time, while the window and the unread count still count it.
func TestLateMessageKeepsTheNewestPreview_F01(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	r := w.customerWrites(t, "5511987650009", "wamid.new")
	newest := *r.LastMessageID
	late := w.e.Clock.Now().Add(-5 * time.Minute)
	err := w.e.App.DB.InTx(ctx, func(tx *store.Tx) error {
		mid, _, err := w.e.App.Messages.InsertInbound(ctx, tx, message.Inbound{ConversationID: r.ID, ChannelID: w.ch.ID,
			ContactID: r.ContactID, Type: "text", Text: "antiga", WAMessageID: "wamid.old", At: late})
		if err != nil {
			return err
		}
		return w.svc.RecordInbound(ctx, tx, r.ID, mid, late)
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := w.svc.Load(ctx, nil, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if *got.LastMessageID != newest || !got.LastActivityAt.Equal(r.LastActivityAt) || got.UnreadCount != 2 {
		t.Fatalf("after a late message: last=%v (want %v) activity=%v unread=%d", *got.LastMessageID, newest, got.LastActivityAt, got.UnreadCount)
	}
	if !got.LastInboundAt.Equal(*r.LastInboundAt) {
		t.Fatalf("the window moved back: %v → %v", r.LastInboundAt, got.LastInboundAt)
	}
}
