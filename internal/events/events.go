// Package events carries what changed in papo — a conversation or a message
// created or updated — from the services that change it to whoever shows it
// live (api.md "Live events", F23). An event names the kind and the id; a
// consumer loads the resource and decides who may see it. The hub keeps
// recent events so that a consumer that lost its connection can resume from
// the last one it saw (Last-Event-ID) instead of missing what happened.
package events

import (
	"cmp"
	"slices"
	"sync"
	"time"

	"papo/internal/clock"
	"papo/internal/store"
)

// Kinds of event, as api.md names them.
const (
	ConversationCreated = "conversation.created"
	ConversationUpdated = "conversation.updated"
	MessageCreated      = "message.created"
	MessageUpdated      = "message.updated"
	SettingsUpdated     = "settings.updated"
)

// Event is one change. Seq orders events and is what a consumer resumes
// from.
type Event struct {
	Seq  uint64
	Kind string
	ID   store.ID
	At   time.Time
}

// Retention is how long events stay available for resuming (api.md asks
// for at least five minutes); MaxKept bounds how many, whatever the rate.
const (
	Retention = 5 * time.Minute
	MaxKept   = 100_000
)

// subBuffer is how many events a subscriber may fall behind before it is
// dropped (it then resumes from its last event, which the hub still keeps).
const subBuffer = 1024

// Hub fans events out to subscribers. It is safe for concurrent use; the
// zero value is not: use New.
type Hub struct {
	now   clock.Clock
	mu    sync.Mutex
	seq   uint64
	kept  []Event // oldest first from start, within Retention and MaxKept
	start int
	subs  map[*Sub]struct{}
}

// New returns a hub reading time from now (nil: the real clock).
func New(now clock.Clock) *Hub {
	if now == nil {
		now = clock.Real
	}
	return &Hub{now: now, subs: map[*Sub]struct{}{}}
}

// Publish records one event of kind per id and hands it to every
// subscriber. It never blocks: a subscriber too far behind is closed.
func (h *Hub) Publish(kind string, ids ...store.ID) {
	if h == nil || len(ids) == 0 {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	at := h.now()
	for _, id := range ids {
		h.seq++
		e := Event{Seq: h.seq, Kind: kind, ID: id, At: at}
		h.kept = append(h.kept, e)
		for s := range h.subs {
			select {
			case s.c <- e:
			default:
				h.drop(s)
			}
		}
	}
	h.trim(at)
}

// trim forgets events older than Retention or beyond MaxKept. The kept
// slice is compacted only once half of it is forgotten, so a publish costs
// the same however many events are kept.
func (h *Hub) trim(now time.Time) {
	for h.start < len(h.kept) && (len(h.kept)-h.start > MaxKept || now.Sub(h.kept[h.start].At) > Retention) {
		h.kept[h.start] = Event{}
		h.start++
	}
	if h.start > 0 && h.start >= len(h.kept)/2 {
		h.kept = append(h.kept[:0], h.kept[h.start:]...)
		h.start = 0
	}
}

// live returns the events kept.
func (h *Hub) live() []Event { return h.kept[h.start:] }

// Sub is a subscription: events arrive on C in Seq order until the hub
// drops the subscriber (C is then closed) or Close is called.
type Sub struct {
	C <-chan Event
	c chan Event
	h *Hub
}

// Subscribe starts a subscription. With after > 0 (the last Seq the
// consumer saw), the kept events after it come first; complete is false
// when some of them are no longer kept (the consumer should reload what it
// shows).
func (h *Hub) Subscribe(after uint64) (s *Sub, complete bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.trim(h.now())
	kept := h.live()
	var missed []Event
	complete = true
	if after > 0 {
		complete = after >= h.seq || (len(kept) > 0 && kept[0].Seq <= after+1)
		i, _ := slices.BinarySearchFunc(kept, after+1, func(e Event, seq uint64) int { return cmp.Compare(e.Seq, seq) })
		missed = kept[i:]
	}
	c := make(chan Event, subBuffer+len(missed))
	s = &Sub{C: c, c: c, h: h}
	for _, e := range missed {
		c <- e
	}
	h.subs[s] = struct{}{}
	return s, complete
}

// Close ends the subscription.
func (s *Sub) Close() {
	s.h.mu.Lock()
	defer s.h.mu.Unlock()
	s.h.drop(s)
}

func (h *Hub) drop(s *Sub) {
	if _, ok := h.subs[s]; ok {
		delete(h.subs, s)
		close(s.c)
	}
}
