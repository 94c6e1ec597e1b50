package ticket

import (
	"context"
	"fmt"

	"papo/internal/apperr"
	"papo/internal/auth"
	"papo/internal/store"
)

// LinkInput names messages (or notes) of one conversation to link to a ticket.
type LinkInput struct {
	ConversationID store.ID
	MessageIDs     []store.ID
}

// Link attaches messages of a conversation to the ticket numbered number
// (F11, F30) and returns how many links are new: linking a message again
// changes nothing. It is all or nothing: the conversation must be visible
// to the caller (else apperr.ErrNotFound), the ticket must exist and be
// visible (else apperr.ErrTicketNotFound), and every id must name a message
// of that conversation (else a validation error on message_ids).
func (s *Service) Link(ctx context.Context, p *auth.Principal, number int64, in LinkInput) (int, error) {
	if in.ConversationID == 0 {
		return 0, apperr.Invalid("conversation_id", "required")
	}
	f := apperr.Fields{}
	var n int
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		conv, err := s.conv.LoadVisible(ctx, tx, p, in.ConversationID)
		if err != nil {
			return err
		}
		t, err := s.loadVisible(ctx, tx, p, number, apperr.ErrTicketNotFound)
		if err != nil {
			return err
		}
		if len(in.MessageIDs) == 0 {
			return apperr.Invalid("message_ids", "select at least one message")
		}
		ids, err := s.checkMessages(ctx, tx, f, conv.ID, in.MessageIDs)
		if err != nil {
			return err
		}
		if err := f.Err(); err != nil {
			return err
		}
		if n, err = s.link(ctx, tx, p, t.ID, ids); err != nil {
			return err
		}
		if n > 0 {
			if _, err := tx.ExecContext(ctx, s.q.Touch, s.now(), t.ID); err != nil {
				return fmt.Errorf("ticket: touch: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	s.log.InfoContext(ctx, "messages linked to ticket", "ticket_number", number, "conversation_id", in.ConversationID,
		"user_id", p.ID, "linked", n)
	return n, nil
}
