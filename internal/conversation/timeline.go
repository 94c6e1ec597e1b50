package conversation

import (
	"context"
	"fmt"
	"math"
	"time"

	"papo/internal/apperr"
	"papo/internal/auth"
	"papo/internal/store"
)

// Event is a change in a conversation's life as the timeline shows it
// (api.md: {"type": "forwarded", "from_team_id", "to_team_id", "actor_id",
// "note", "at"}); the names beside the ids save clients a lookup.
type Event struct {
	ID             store.ID  `json:"id" db:"id"`
	ConversationID store.ID  `json:"conversation_id" db:"conversation_id"`
	Type           string    `json:"type" db:"type"`
	ActorID        *store.ID `json:"actor_id" db:"actor_id"`
	ActorName      string    `json:"actor_name" db:"actor_name"`
	FromTeamID     *store.ID `json:"from_team_id" db:"from_team_id"`
	FromTeamName   string    `json:"from_team_name" db:"from_team_name"`
	ToTeamID       *store.ID `json:"to_team_id" db:"to_team_id"`
	ToTeamName     string    `json:"to_team_name" db:"to_team_name"`
	AssigneeID     *store.ID `json:"assignee_id" db:"assignee_id"`
	AssigneeName   string    `json:"assignee_name" db:"assignee_name"`
	Status         *string   `json:"status" db:"status"`
	Note           string    `json:"note" db:"note"`
	At             time.Time `json:"at" db:"at"`
}

// Timeline item kinds.
const (
	KindMessage = "message"
	KindNote    = "note"
	KindEvent   = "event"
)

// TimelineEntry is one item of a timeline page: a message or note (by id;
// the message package presents it) or an event.
type TimelineEntry struct {
	Kind      string
	MessageID store.ID
	Event     *Event
	at        time.Time
	id        store.ID
}

// TimelineCursor is where an older page starts: strictly before the oldest
// message and the oldest event the newer pages held. A nil position leaves
// that stream unbounded (none of it was shown yet).
type TimelineCursor struct {
	Msg   *TimelinePos `json:"m,omitempty"`
	Event *TimelinePos `json:"e,omitempty"`
}

// TimelinePos is a (time, id) keyset position.
type TimelinePos struct {
	At time.Time `json:"t"`
	ID store.ID  `json:"i"`
}

// TimelineQuery asks for one page of a timeline.
type TimelineQuery struct {
	// Events includes forwards and assignment changes (the toggle of F07);
	// status changes and closings are always shown.
	Events bool
	Before *TimelineCursor
	Limit  int
}

// TimelinePage is one page, oldest first, and the cursor of the page before
// it (nil at the beginning of the history).
type TimelinePage struct {
	Entries []TimelineEntry
	Next    *TimelineCursor
}

// far is the open upper bound of a first page.
var far = TimelinePos{At: time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC), ID: math.MaxInt64}

// Timeline returns a page of the history with this conversation's contact
// on its channel (F07): the messages, notes and events of every
// conversation between them, earlier closed ones included — the newest
// Limit items before the cursor, oldest first. The conversation must be
// visible to the caller; its history comes with it.
func (s *Service) Timeline(ctx context.Context, p *auth.Principal, id store.ID, q TimelineQuery) (*TimelinePage, error) {
	r, err := s.LoadVisible(ctx, nil, p, id)
	if err != nil {
		return nil, err
	}
	if q.Limit <= 0 {
		q.Limit = 50
	}
	cur := TimelineCursor{}
	if q.Before != nil {
		cur = *q.Before
	}
	msgFrom, evFrom := far, far
	if cur.Msg != nil {
		msgFrom = *cur.Msg
	}
	if cur.Event != nil {
		evFrom = *cur.Event
	}
	var msgs []struct {
		ID        store.ID  `db:"id"`
		Direction string    `db:"direction"`
		CreatedAt time.Time `db:"created_at"`
	}
	if err := s.db.R.SelectContext(ctx, &msgs, s.q.TimelineMsgs, r.ContactID, r.ChannelID, msgFrom.At, msgFrom.ID, q.Limit+1); err != nil {
		return nil, fmt.Errorf("conversation: timeline messages: %w", err)
	}
	var evs []Event
	if err := s.db.R.SelectContext(ctx, &evs, s.q.TimelineEvents, r.ContactID, r.ChannelID, evFrom.At, evFrom.ID, q.Events, q.Limit+1); err != nil {
		return nil, fmt.Errorf("conversation: timeline events: %w", err)
	}
	// Merge the two newest-first streams and keep the newest Limit items.
	all := make([]TimelineEntry, 0, min(len(msgs)+len(evs), q.Limit+1))
	i, j := 0, 0
	for len(all) <= q.Limit && (i < len(msgs) || j < len(evs)) {
		// Newest first; at the same instant an event counts as newer than a
		// message (an action follows the message it answers).
		takeMsg := j >= len(evs) || (i < len(msgs) && msgs[i].CreatedAt.After(evs[j].At))
		if takeMsg {
			kind := KindMessage
			if msgs[i].Direction == "note" {
				kind = KindNote
			}
			all = append(all, TimelineEntry{Kind: kind, MessageID: msgs[i].ID, at: msgs[i].CreatedAt, id: msgs[i].ID})
			i++
		} else {
			all = append(all, TimelineEntry{Kind: KindEvent, Event: &evs[j], at: evs[j].At, id: evs[j].ID})
			j++
		}
	}
	page := &TimelinePage{}
	if len(all) > q.Limit {
		all = all[:q.Limit]
		next := cur
		for _, e := range all {
			pos := &TimelinePos{At: e.at, ID: e.id}
			if e.Kind == KindEvent {
				next.Event = pos
			} else {
				next.Msg = pos
			}
		}
		page.Next = &next
	}
	for l, r := 0, len(all)-1; l < r; l, r = l+1, r-1 {
		all[l], all[r] = all[r], all[l]
	}
	page.Entries = all
	return page, nil
}

// MaxWithinHours is the widest selection by time (F10).
const MaxWithinHours = 24

// maxSelected bounds one selection by time.
const maxSelected = 5000

// MessagesWithin returns the ids of this conversation's messages and notes
// (notes may be linked to tickets too, F30) created in the last hours hours
// by the clock, oldest first (F10). hours must be 1 to 24.
func (s *Service) MessagesWithin(ctx context.Context, p *auth.Principal, id store.ID, hours int) ([]store.ID, error) {
	r, err := s.LoadVisible(ctx, nil, p, id)
	if err != nil {
		return nil, err
	}
	if hours < 1 || hours > MaxWithinHours {
		return nil, apperr.Invalid("within_hours", fmt.Sprintf("must be a whole number of hours from 1 to %d", MaxWithinHours))
	}
	since := s.now().Add(-time.Duration(hours) * time.Hour)
	ids := []store.ID{}
	if err := s.db.R.SelectContext(ctx, &ids, s.q.MessagesSince, r.ID, since, maxSelected); err != nil {
		return nil, fmt.Errorf("conversation: messages within %dh: %w", hours, err)
	}
	return ids, nil
}
