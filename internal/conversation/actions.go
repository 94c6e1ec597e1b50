package conversation

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"papo/internal/apperr"
	"papo/internal/auth"
	"papo/internal/events"
	"papo/internal/settings"
	"papo/internal/store"
)

// ClosingSender sends what closing a conversation sends the customer: the
// closing message and the satisfaction survey (F16, F20, F28). It runs inside
// the closing transaction, so that a message it queues commits with the
// close; conv is the conversation as closed. The WhatsApp outbound side
// implements it; a nil ClosingSender sends nothing.
type ClosingSender interface {
	SendClosing(ctx context.Context, tx *store.Tx, conv *Row, actor *auth.Principal, sendMessage, sendSurvey bool) (queued []store.ID, err error)
}

// ReadReceipts queues a WhatsApp read receipt for a customer message, inside
// the caller's transaction. The WhatsApp outbound side implements it; a nil
// ReadReceipts sends none.
type ReadReceipts interface {
	EnqueueReadReceipt(ctx context.Context, tx *store.Tx, channelID store.ID, waMessageID string) error
}

// Event types of the timeline (F07). Forwards and assignment changes are
// the "history of changes" the timeline's toggle hides.
const (
	EventForwarded     = "forwarded"
	EventAssigned      = "assigned"
	EventUnassigned    = "unassigned"
	EventStatusChanged = "status_changed"
	EventClosed        = "closed"
	EventOpened        = "opened"
)

// MaxForwardNote bounds the note written when forwarding (F08).
const MaxForwardNote = 1000

// NewEvent is an event to record in a conversation's timeline.
type NewEvent struct {
	Type       string
	ActorID    *store.ID
	FromTeamID *store.ID
	ToTeamID   *store.ID
	AssigneeID *store.ID
	Status     *string
	Note       string
}

// RecordEvent writes an event of conv's timeline in the caller's transaction
// (the other actions, such as taking a conversation by replying, use it too).
func (s *Service) RecordEvent(ctx context.Context, tx *store.Tx, conv *Row, e NewEvent, at time.Time) error {
	if _, err := tx.ExecContext(ctx, s.q.InsertEvent, conv.ID, conv.ChannelID, conv.ContactID, e.Type, e.ActorID,
		e.FromTeamID, e.ToTeamID, e.AssigneeID, e.Status, e.Note, at); err != nil {
		return fmt.Errorf("conversation: record %s event: %w", e.Type, err)
	}
	return nil
}

var (
	errConvClosed = apperr.New(apperr.ErrConflict, "This conversation is closed.")
	errConvTaken  = apperr.New(apperr.ErrConflict, "Another agent has already taken this conversation.")
)

// Assign gives a conversation to assigneeID (F06). Admins assign to any
// active agent or admin of the conversation's team (anyone else: a
// validation error on assignee_id) and may reassign. An agent may only take
// an unassigned conversation for themselves: naming someone else is
// apperr.ErrForbidden, and a conversation someone already holds is
// apperr.ErrConflict — of many agents taking one conversation at the same
// moment exactly one wins. Taking one's own conversation again changes
// nothing. A closed conversation is apperr.ErrConflict.
func (s *Service) Assign(ctx context.Context, p *auth.Principal, id, assigneeID store.ID) (*Conversation, error) {
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		r, err := s.LoadVisible(ctx, tx, p, id)
		if err != nil {
			return err
		}
		if assigneeID == 0 {
			return apperr.Invalid("assignee_id", "required: the id of an active agent of the conversation's team")
		}
		if !p.IsAdmin() && assigneeID != p.ID {
			return apperr.New(apperr.ErrForbidden, "Agents can only take a conversation for themselves.")
		}
		if r.Status == StatusClosed {
			return errConvClosed
		}
		if r.AssigneeID != nil && *r.AssigneeID == assigneeID {
			return nil // already theirs
		}
		query := s.q.AssignTo
		if !p.IsAdmin() {
			if r.AssigneeID != nil {
				return errConvTaken
			}
			query = s.q.Take
		} else {
			var ok bool
			if err := tx.GetContext(ctx, &ok, s.q.Assignable, assigneeID, r.TeamID); err != nil {
				return fmt.Errorf("conversation: check assignee: %w", err)
			}
			if !ok {
				return apperr.Invalid("assignee_id", "not an active agent of the conversation's team")
			}
		}
		if err := s.changeOne(ctx, tx, r.ID, query, assigneeID, r.ID, r.TeamID); err != nil {
			return err
		}
		actor, who := p.ID, assigneeID
		return s.RecordEvent(ctx, tx, r, NewEvent{Type: EventAssigned, ActorID: &actor, AssigneeID: &who}, s.now())
	})
	if err != nil {
		return nil, err
	}
	return s.changed(ctx, id)
}

// ForwardInput moves a conversation to another team (F08).
type ForwardInput struct {
	TeamID store.ID
	Note   string
}

// Forward moves a conversation to another team's New list: it leaves its
// assignee and a "forwarded" event records who moved it, from which team to
// which, and the note. Any caller who may see the conversation may forward
// it to any team. An unknown team, or the team it is already in, is a
// validation error on team_id; a closed conversation is apperr.ErrConflict.
func (s *Service) Forward(ctx context.Context, p *auth.Principal, id store.ID, in ForwardInput) (*Conversation, error) {
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		r, err := s.LoadVisible(ctx, tx, p, id)
		if err != nil {
			return err
		}
		note := strings.TrimSpace(in.Note)
		f := apperr.Fields{}
		if utf8.RuneCountInString(note) > MaxForwardNote {
			f.Add("note", fmt.Sprintf("at most %d characters", MaxForwardNote))
		}
		if in.TeamID == 0 {
			f.Add("team_id", "required")
		} else {
			var exists bool
			if err := tx.GetContext(ctx, &exists, s.q.TeamExists, in.TeamID); err != nil {
				return fmt.Errorf("conversation: check team: %w", err)
			}
			switch {
			case !exists:
				f.Add("team_id", "unknown team")
			case in.TeamID == r.TeamID:
				f.Add("team_id", "the conversation is already in this team")
			}
		}
		if err := f.Err(); err != nil {
			return err
		}
		if r.Status == StatusClosed {
			return errConvClosed
		}
		if err := s.changeOne(ctx, tx, r.ID, s.q.ForwardTo, in.TeamID, r.ID, r.TeamID); err != nil {
			return err
		}
		actor, from, to := p.ID, r.TeamID, in.TeamID
		return s.RecordEvent(ctx, tx, r, NewEvent{Type: EventForwarded, ActorID: &actor, FromTeamID: &from, ToTeamID: &to, Note: note}, s.now())
	})
	if err != nil {
		return nil, err
	}
	return s.changed(ctx, id)
}

// SetStatus marks a conversation pending or resolved (F09); any other
// status is a validation error on status, and a closed conversation is
// apperr.ErrConflict (closing has its own action). Setting the status it
// already has changes nothing.
func (s *Service) SetStatus(ctx context.Context, p *auth.Principal, id store.ID, status string) (*Conversation, error) {
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		r, err := s.LoadVisible(ctx, tx, p, id)
		if err != nil {
			return err
		}
		if status != StatusPending && status != StatusResolved {
			return apperr.Invalid("status", `must be "pending" or "resolved"`)
		}
		if r.Status == StatusClosed {
			return errConvClosed
		}
		if r.Status == status {
			return nil
		}
		if err := s.changeOne(ctx, tx, r.ID, s.q.SetStatus, status, r.ID); err != nil {
			return err
		}
		actor, st := p.ID, status
		return s.RecordEvent(ctx, tx, r, NewEvent{Type: EventStatusChanged, ActorID: &actor, Status: &st}, s.now())
	})
	if err != nil {
		return nil, err
	}
	return s.changed(ctx, id)
}

// CloseInput says what closing sends; nil takes the setting (closing
// message enabled, survey on manual close).
type CloseInput struct {
	SendClosingMessage *bool
	SendSurvey         *bool
}

// Close closes a conversation by hand (F16): status closed, closed_at now,
// reason manual, a "closed" event, and — in the same transaction — the
// closing message and survey through the ClosingSender. The conversation
// keeps its assignee. Closing a closed conversation is apperr.ErrConflict.
func (s *Service) Close(ctx context.Context, p *auth.Principal, id store.ID, in CloseInput) (*Conversation, error) {
	var sent []store.ID // what closing queued, announced once committed
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		r, err := s.LoadVisible(ctx, tx, p, id)
		if err != nil {
			return err
		}
		if r.Status == StatusClosed {
			return errConvClosed
		}
		sendMsg, sendSurvey := in.SendClosingMessage, in.SendSurvey
		if sendMsg == nil || sendSurvey == nil {
			d, err := s.settings.GetTx(ctx, tx)
			if err != nil {
				return err
			}
			if sendMsg == nil {
				sendMsg = &d.ClosingMessage.Enabled
			}
			if sendSurvey == nil {
				sendSurvey = &d.Survey.OnManualClose
			}
		}
		now := s.now()
		if err := s.changeOne(ctx, tx, r.ID, s.q.CloseManual, now, p.ID, r.ID); err != nil {
			return err
		}
		reason := ReasonManual
		r.Status, r.ClosedAt, r.ClosedReason = StatusClosed, &now, &reason
		actor, st := p.ID, StatusClosed
		if err := s.RecordEvent(ctx, tx, r, NewEvent{Type: EventClosed, ActorID: &actor, Status: &st}, now); err != nil {
			return err
		}
		if s.closing != nil {
			if sent, err = s.closing.SendClosing(ctx, tx, r, p, *sendMsg, *sendSurvey); err != nil {
				return fmt.Errorf("conversation: closing message: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.publishMessages(sent)
	return s.changed(ctx, id)
}

// MarkRead marks a conversation read (unread 0) and, when there was
// something unread, queues a read receipt for the customer's latest message
// (opening a conversation again sends no second receipt).
func (s *Service) MarkRead(ctx context.Context, p *auth.Principal, id store.ID) (*Conversation, error) {
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		r, err := s.LoadVisible(ctx, tx, p, id)
		if err != nil {
			return err
		}
		if r.UnreadCount == 0 {
			return nil
		}
		if _, err := tx.ExecContext(ctx, s.q.MarkRead, r.ID); err != nil {
			return fmt.Errorf("conversation: mark read: %w", err)
		}
		if s.receipts == nil {
			return nil
		}
		var waID string
		if err := store.Get(ctx, tx, &waID, s.q.LatestInbound, r.ID); err != nil {
			if errors.Is(err, store.ErrNotFound) {
				return nil
			}
			return fmt.Errorf("conversation: latest customer message: %w", err)
		}
		if err := s.receipts.EnqueueReadReceipt(ctx, tx, r.ChannelID, waID); err != nil {
			return fmt.Errorf("conversation: read receipt: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s.changed(ctx, id)
}

// segmentedIn reads the segmentation setting (F02) through q when q is a
// transaction, so that an action holds one connection only: on PostgreSQL
// reads and writes share one pool, and transactions that each wait for a
// second connection deadlock once concurrent actions hold them all (50
// agents taking one conversation at once did).
func (s *Service) segmentedIn(ctx context.Context, q store.Queryer) (bool, error) {
	if tx, ok := q.(*store.Tx); ok {
		d, err := s.settings.GetTx(ctx, tx)
		if err != nil {
			return false, err
		}
		return d.SegmentedView, nil
	}
	return s.segmented(ctx)
}

// changeOne runs a conditional UPDATE of one conversation; when no row
// changed, another request got there first: the conversation closed, moved
// or was taken meanwhile (apperr.ErrConflict).
func (s *Service) changeOne(ctx context.Context, tx *store.Tx, id store.ID, query string, args ...any) error {
	res, err := tx.ExecContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("conversation %s: update: %w", id, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("conversation %s: update: %w", id, err)
	}
	if n == 1 {
		return nil
	}
	var now Row
	if err := store.Get(ctx, tx, &now, s.q.Get, id); err != nil {
		return fmt.Errorf("conversation %s: reload: %w", id, err)
	}
	switch {
	case now.Status == StatusClosed:
		return errConvClosed
	case now.AssigneeID != nil:
		return errConvTaken
	}
	return apperr.New(apperr.ErrConflict, "This conversation changed meanwhile; reload it and try again.")
}

// presentID reads a conversation after a committed action and presents it.
// Reasons a conversation was closed (closed_reason).
const (
	ReasonManual     = "manual"
	ReasonInactivity = "inactivity"
)

// inactiveBatch bounds how many conversations one CloseInactive pass looks
// at; the next pass takes the rest.
const inactiveBatch = 200

// CloseInactive closes, with reason "inactivity", the conversations whose
// customer has not written for the settings' inactivity_close.hours (F19),
// each in its own transaction with the closing message and, if
// survey.on_inactivity_close, the survey (as Close sends them; outside the
// 24-hour window only as templates, F28). It returns how many it closed.
// Several instances may run it at once: the conditional update decides
// which closes each conversation, so each is closed (and its messages sent)
// once.
func (s *Service) CloseInactive(ctx context.Context) (int, error) {
	d, err := s.settings.Get(ctx)
	if err != nil || !d.InactivityClose.Enabled || d.InactivityClose.Hours <= 0 {
		return 0, err
	}
	cutoff := s.now().Add(-time.Duration(d.InactivityClose.Hours) * time.Hour)
	closed := 0
	// Page by id until a short page: a backlog (the switch just turned on)
	// is closed in one pass, not inactiveBatch a minute.
	for after := store.ID(0); ; {
		var ids []store.ID
		if err := s.db.R.SelectContext(ctx, &ids, s.q.Inactive, cutoff, after, inactiveBatch); err != nil {
			return closed, fmt.Errorf("conversation: inactive: %w", err)
		}
		for _, id := range ids {
			ok, err := s.closeInactive(ctx, id, cutoff, d)
			if err != nil {
				return closed, err
			}
			if ok {
				closed++
			}
		}
		if len(ids) < inactiveBatch {
			return closed, nil
		}
		after = ids[len(ids)-1]
	}
}

// closeInactive closes one conversation for inactivity, in its own
// transaction, unless its customer wrote since cutoff or another instance
// closed it first (ok false).
func (s *Service) closeInactive(ctx context.Context, id store.ID, cutoff time.Time, d settings.Document) (ok bool, err error) {
	var sent []store.ID
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		now := s.now()
		res, err := tx.ExecContext(ctx, s.q.CloseInactive, now, id, cutoff)
		if err != nil {
			return fmt.Errorf("conversation: close inactive: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil // the customer wrote meanwhile, or another instance closed it
		}
		r, err := s.Load(ctx, tx, id)
		if err != nil {
			return err
		}
		st := StatusClosed
		if err := s.RecordEvent(ctx, tx, r, NewEvent{Type: EventClosed, Status: &st, Note: ReasonInactivity}, now); err != nil {
			return err
		}
		if s.closing != nil {
			if sent, err = s.closing.SendClosing(ctx, tx, r, nil, d.ClosingMessage.Enabled, d.Survey.OnInactivityClose); err != nil {
				return fmt.Errorf("conversation: closing message: %w", err)
			}
		}
		ok = true
		return nil
	})
	if err != nil || !ok {
		return false, err
	}
	s.publishMessages(sent)
	if s.events != nil {
		s.events.Publish(events.ConversationUpdated, id)
	}
	return true, nil
}

// publishMessages announces messages an action queued once it committed.
func (s *Service) publishMessages(ids []store.ID) {
	if s.events != nil && len(ids) > 0 {
		s.events.Publish(events.MessageCreated, ids...)
	}
}

// changed announces that conversation id changed (F23: open inboxes
// update) once its transaction committed, and presents it.
func (s *Service) changed(ctx context.Context, id store.ID) (*Conversation, error) {
	if s.events != nil {
		s.events.Publish(events.ConversationUpdated, id)
	}
	return s.presentID(ctx, id)
}

func (s *Service) presentID(ctx context.Context, id store.ID) (*Conversation, error) {
	r, err := s.Load(ctx, nil, id)
	if err != nil {
		return nil, err
	}
	out, err := s.Present(ctx, nil, []Row{*r})
	if err != nil {
		return nil, err
	}
	return &out[0], nil
}

// ContactVisible reports whether the caller may see a contact: admins every
// contact, others a contact one of whose conversations they may see
// (apperr.ErrNotFound otherwise, whatever the reason).
func (s *Service) ContactVisible(ctx context.Context, p *auth.Principal, contactID store.ID) error {
	if p.IsAdmin() {
		return nil // the contact's own lookup says whether it exists
	}
	var rows []Row
	if err := s.db.R.SelectContext(ctx, &rows, s.q.OfContact, contactID); err != nil {
		return fmt.Errorf("conversation: conversations of contact: %w", err)
	}
	notFound := fmt.Errorf("contact %s: %w", contactID, apperr.ErrNotFound)
	if len(rows) == 0 {
		return notFound
	}
	seg, err := s.segmented(ctx)
	if err != nil {
		return err
	}
	for i := range rows {
		if Visible(p, &rows[i], seg) {
			return nil
		}
	}
	return notFound
}
