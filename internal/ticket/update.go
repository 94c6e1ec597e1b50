package ticket

import (
	"context"
	"fmt"
	"slices"

	"papo/internal/apperr"
	"papo/internal/auth"
	"papo/internal/store"
)

// UpdateInput changes a ticket: nil fields stay as they are. AssigneeSet
// and RequesterSet say that the field was given (a nil id then clears it).
type UpdateInput struct {
	Title        *string
	Description  *string
	Status       *string
	TeamID       *store.ID
	AssigneeSet  bool
	AssigneeID   *store.ID
	RequesterSet bool
	RequesterID  *store.ID
}

// Update edits a ticket the caller may see. The assignee must be an active
// member of the ticket's team; moving a ticket to another team without
// naming an assignee unassigns it unless its assignee belongs to that team
// too. An agent may hand a ticket to a team they are not in (they stop
// seeing it). Editing never touches the linked messages.
func (s *Service) Update(ctx context.Context, p *auth.Principal, number int64, in UpdateInput) (*Ticket, error) {
	var out *Row
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		r, err := s.loadVisible(ctx, tx, p, number, apperr.ErrNotFound)
		if err != nil {
			return err
		}
		f := apperr.Fields{}
		title, description := r.Title, r.Description
		if in.Title != nil {
			title = *in.Title
		}
		if in.Description != nil {
			description = *in.Description
		}
		title, description = checkText(f, title, description)
		if in.Status != nil {
			if !slices.Contains(Statuses, *in.Status) {
				f.Add("status", "must be one of open, in_progress, resolved, closed")
			} else {
				r.Status = *in.Status
			}
		}
		if in.RequesterSet {
			if in.RequesterID != nil {
				if err := s.checkCustomer(ctx, tx, f, *in.RequesterID); err != nil {
					return err
				}
			}
			r.RequesterID = in.RequesterID
		}
		teamMoved := false
		if in.TeamID != nil && *in.TeamID != r.TeamID {
			var n int
			if err := tx.GetContext(ctx, &n, s.q.TeamExists, *in.TeamID); err != nil {
				return fmt.Errorf("ticket: check team: %w", err)
			}
			if n == 0 {
				f.Add("team_id", "unknown team")
			}
			r.TeamID, teamMoved = *in.TeamID, true
		}
		switch {
		case in.AssigneeSet && in.AssigneeID != nil && f["team_id"] == "":
			if err := s.checkAssignee(ctx, tx, f, *in.AssigneeID, r.TeamID); err != nil {
				return err
			}
			r.AssigneeID = in.AssigneeID
		case in.AssigneeSet:
			r.AssigneeID = in.AssigneeID
		case teamMoved && r.AssigneeID != nil && f["team_id"] == "":
			ok, err := s.activeMember(ctx, tx, *r.AssigneeID, r.TeamID)
			if err != nil {
				return err
			}
			if !ok {
				r.AssigneeID = nil
			}
		}
		if err := f.Err(); err != nil {
			return err
		}
		r.Title, r.Description, r.UpdatedAt = title, description, s.now()
		if _, err := tx.ExecContext(ctx, s.q.Update, r.Title, r.Description, r.Status, r.RequesterID, r.TeamID,
			r.AssigneeID, searchText(r.Title, r.Description), r.UpdatedAt, r.ID); err != nil {
			return fmt.Errorf("ticket: update: %w", err)
		}
		out = r
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s.detail(ctx, out)
}
