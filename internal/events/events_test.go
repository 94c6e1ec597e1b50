package events_test

import (
	"testing"
	"time"

	"papo/internal/clock"
	"papo/internal/events"
	"papo/internal/store"
)

func recv(t *testing.T, s *events.Sub) events.Event {
	t.Helper()
	select {
	case e, ok := <-s.C:
		if !ok {
			t.Fatal("subscription closed")
		}
		return e
	case <-time.After(time.Second):
		t.Fatal("no event")
	}
	return events.Event{}
}

// F23: a subscriber gets every change in order; one that reconnects with the
// last id it saw gets what it missed, and is told when some of that is
// older than the hub keeps (five minutes).
func TestSubscribersGetChangesInOrderAndResumeF23(t *testing.T) {
	fake := clock.NewFake(time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC))
	h := events.New(fake.Now)
	s, _ := h.Subscribe(0)
	h.Publish(events.MessageCreated, 7, 8)
	h.Publish(events.ConversationUpdated, 3)
	for i, want := range []events.Event{{Seq: 1, Kind: events.MessageCreated, ID: 7}, {Seq: 2, Kind: events.MessageCreated, ID: 8},
		{Seq: 3, Kind: events.ConversationUpdated, ID: 3}} {
		if e := recv(t, s); e.Seq != want.Seq || e.Kind != want.Kind || e.ID != want.ID {
			t.Errorf("event %d = %+v, want %+v", i, e, want)
		}
	}
	s.Close()

	r, complete := h.Subscribe(1)
	if !complete {
		t.Error("resuming within five minutes was reported incomplete")
	}
	if e := recv(t, r); e.Seq != 2 || e.ID != 8 {
		t.Errorf("first resumed event = %+v, want seq 2", e)
	}
	recv(t, r)
	r.Close()

	fake.Advance(6 * time.Minute)
	h.Publish(events.MessageUpdated, 9)
	late, complete := h.Subscribe(1)
	if complete {
		t.Error("events older than five minutes are gone: the resume must say it is incomplete")
	}
	if e := recv(t, late); e.Seq != 4 || e.ID != store.ID(9) {
		t.Errorf("after the gap = %+v, want seq 4", e)
	}
}

// F23: a subscriber that stops reading is dropped (its channel closed)
// instead of blocking the services that publish.
func TestSlowSubscriberIsDroppedNotWaitedForF23(t *testing.T) {
	h := events.New(nil)
	s, _ := h.Subscribe(0)
	done := make(chan struct{})
	go func() {
		for i := range 5000 {
			h.Publish(events.MessageCreated, store.ID(i+1))
		}
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Publish blocked on a subscriber that does not read")
	}
	n := 0
	for range s.C {
		n++
	}
	if n == 0 || n >= 5000 {
		t.Errorf("the slow subscriber got %d events before being dropped", n)
	}
}

// BenchmarkPublishFullHub publishes into a hub that keeps MaxKept events
// (the steady state of a busy server): the cost must not grow with them.
func BenchmarkPublishFullHub(b *testing.B) {
	fake := clock.NewFake(time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC))
	h := events.New(fake.Now)
	for i := range events.MaxKept {
		h.Publish(events.MessageCreated, store.ID(i))
	}
	b.ResetTimer()
	for i := range b.N {
		h.Publish(events.MessageUpdated, store.ID(i))
	}
}
