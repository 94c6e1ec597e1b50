package conversation

import (
	"context"
	"fmt"

	"papo/internal/auth"
	"papo/internal/store"
)

// TakeOnReply assigns an unassigned conversation to the sender of its first
// reply (F06: "sending the first reply to an unassigned conversation takes
// it too") and records an "assigned" event with the sender as actor. It runs
// in the caller's transaction — the one that stores the reply — and changes
// nothing when the conversation already has an assignee (someone else may
// have taken it a moment before: the conditional UPDATE decides) or is
// closed. conv.AssigneeID is updated when the conversation is taken.
func (s *Service) TakeOnReply(ctx context.Context, tx *store.Tx, p *auth.Principal, conv *Row) error {
	if p == nil || conv.AssigneeID != nil || conv.Status == StatusClosed {
		return nil
	}
	res, err := tx.ExecContext(ctx, s.q.ReplyTake, p.ID, conv.ID)
	if err != nil {
		return fmt.Errorf("conversation: take on reply: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return nil
	}
	if _, err := tx.ExecContext(ctx, s.q.ReplyEvent, conv.ID, conv.ChannelID, conv.ContactID, p.ID, p.ID, s.now()); err != nil {
		return fmt.Errorf("conversation: take on reply: event: %w", err)
	}
	id := p.ID
	conv.AssigneeID = &id
	return nil
}
