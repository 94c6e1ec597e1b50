package inbound_test

import (
	"testing"
	"time"

	"papo/internal/events"
	"papo/internal/store"
)

// F23, F26: what the webhook changes is published once committed — a new
// conversation and its first message, then the status WhatsApp reports for
// a message papo sent — so that open inboxes update without reloading.
func TestWebhookChangesArePublishedF23(t *testing.T) {
	h := newHook(t)
	sub, _ := h.e.App.Events.Subscribe(0)
	defer sub.Close()
	next := func() events.Event {
		t.Helper()
		select {
		case e := <-sub.C:
			return e
		case <-time.After(5 * time.Second):
			t.Fatal("no event published")
		}
		return events.Event{}
	}

	h.deliverBody(t, textBody("wamid.EV1", customerWaID, "João", "oi", 1764093600))
	m := h.mustMsg(t, "wamid.EV1")
	got := map[string]store.ID{}
	for range 2 {
		e := next()
		got[e.Kind] = e.ID
	}
	if got[events.ConversationCreated] != m.ConversationID || got[events.MessageCreated] != m.ID {
		t.Errorf("events %v, want conversation.created %d and message.created %d", got, m.ConversationID, m.ID)
	}

	out := h.outbound(t, "wamid.OUTEV")
	h.deliverBody(t, statusBody("wamid.OUTEV", "delivered", 1764093700, 0))
	if e := next(); e.Kind != events.MessageUpdated || e.ID != out {
		t.Errorf("after the delivered status: %+v, want message.updated %d", e, out)
	}
}
