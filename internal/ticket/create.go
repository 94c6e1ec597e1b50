package ticket

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"papo/internal/apperr"
	"papo/internal/auth"
	"papo/internal/conversation"
	"papo/internal/store"
)

// CreateInput describes a new ticket. With ConversationID (F12) the
// conversation must be visible to the caller, and it gives the defaults:
// origin whatsapp, the conversation's team, and as requester the contact's
// registered customer; MessageIDs (messages or notes of that conversation)
// are linked in the same transaction. Without a conversation, TeamID
// defaults to an agent's only team and Origin to web.
type CreateInput struct {
	Title          string
	Description    string
	RequesterID    *store.ID
	TeamID         *store.ID
	AssigneeID     *store.ID
	Origin         string
	ConversationID *store.ID
	MessageIDs     []store.ID
}

// Create opens a ticket with the next number. Numbers are sequential and
// unique however many creations run at once, on both engines.
func (s *Service) Create(ctx context.Context, p *auth.Principal, in CreateInput) (*Ticket, error) {
	var number int64
	var linked int
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		var conv *conversation.Row
		if in.ConversationID != nil {
			var err error
			if conv, err = s.conv.LoadVisible(ctx, tx, p, *in.ConversationID); err != nil {
				return err
			}
		}
		f := apperr.Fields{}
		title, description := checkText(f, in.Title, in.Description)
		origin := in.Origin
		switch {
		case origin == "" && conv != nil:
			origin = OriginWhatsApp
		case origin == "":
			origin = OriginWeb
		case !slices.Contains(Origins, origin):
			f.Add("origin", "must be one of whatsapp, email, phone, web")
		}

		var teamID store.ID
		switch {
		case in.TeamID != nil:
			teamID = *in.TeamID
		case conv != nil:
			teamID = conv.TeamID
		case !p.IsAdmin() && len(p.TeamIDs) == 1:
			teamID = p.TeamIDs[0]
		default:
			f.Add("team_id", "required")
		}
		if teamID != 0 || in.TeamID != nil {
			if err := s.checkTeam(ctx, tx, f, p, teamID); err != nil {
				return err
			}
		}

		var requesterID, contactID *store.ID
		if in.RequesterID != nil {
			if err := s.checkCustomer(ctx, tx, f, *in.RequesterID); err != nil {
				return err
			}
			requesterID = in.RequesterID
		}
		if conv != nil {
			cid := conv.ContactID
			contactID = &cid
			if in.RequesterID == nil {
				if err := tx.GetContext(ctx, &requesterID, s.q.ContactCustomer, conv.ContactID); err != nil {
					return fmt.Errorf("ticket: contact's customer: %w", err)
				}
			}
		}
		if in.AssigneeID != nil && f["team_id"] == "" {
			if err := s.checkAssignee(ctx, tx, f, *in.AssigneeID, teamID); err != nil {
				return err
			}
		}

		var msgIDs []store.ID
		switch {
		case len(in.MessageIDs) > 0 && conv == nil:
			f.Add("conversation_id", "required to link messages")
		case len(in.MessageIDs) > 0:
			var err error
			if msgIDs, err = s.checkMessages(ctx, tx, f, conv.ID, in.MessageIDs); err != nil {
				return err
			}
		}
		if err := f.Err(); err != nil {
			return err
		}

		if err := tx.GetContext(ctx, &number, s.q.NextNumber); err != nil {
			return fmt.Errorf("ticket: next number: %w", err)
		}
		var convID *store.ID
		if conv != nil {
			convID = &conv.ID
		}
		now := s.now()
		var id store.ID
		if err := tx.GetContext(ctx, &id, s.q.Insert, number, title, description, StatusOpen, origin, requesterID,
			contactID, convID, teamID, in.AssigneeID, p.ID, searchText(title, description), now, now); err != nil {
			return fmt.Errorf("ticket: insert: %w", err)
		}
		var err error
		linked, err = s.link(ctx, tx, p, id, msgIDs)
		return err
	})
	if err != nil {
		return nil, err
	}
	s.log.InfoContext(ctx, "ticket created", "ticket_number", number, "user_id", p.ID, "linked", linked)
	r, err := s.load(ctx, s.db.R, number)
	if err != nil {
		return nil, err
	}
	return s.detail(ctx, r)
}

// checkText validates and trims a title and description.
func checkText(f apperr.Fields, title, description string) (string, string) {
	title = strings.TrimSpace(title)
	switch {
	case title == "":
		f.Add("title", "required")
	case utf8.RuneCountInString(title) > MaxTitle:
		f.Add("title", fmt.Sprintf("too long (%d characters at most)", MaxTitle))
	}
	description = strings.TrimSpace(description)
	if utf8.RuneCountInString(description) > MaxDescription {
		f.Add("description", fmt.Sprintf("too long (%d characters at most)", MaxDescription))
	}
	return title, description
}

// checkTeam: the team must exist, and agents may only file tickets in their
// own teams (they could not see them otherwise).
func (s *Service) checkTeam(ctx context.Context, q store.Queryer, f apperr.Fields, p *auth.Principal, id store.ID) error {
	var n int
	if err := q.GetContext(ctx, &n, s.q.TeamExists, id); err != nil {
		return fmt.Errorf("ticket: check team: %w", err)
	}
	switch {
	case n == 0:
		f.Add("team_id", "unknown team")
	case !Visible(p, id):
		f.Add("team_id", "not one of your teams")
	}
	return nil
}

func (s *Service) checkCustomer(ctx context.Context, q store.Queryer, f apperr.Fields, id store.ID) error {
	var n int
	if err := q.GetContext(ctx, &n, s.q.CustomerExists, id); err != nil {
		return fmt.Errorf("ticket: check requester: %w", err)
	}
	if n == 0 {
		f.Add("requester_id", "unknown customer")
	}
	return nil
}

// checkAssignee: an assignee must be an active member of the ticket's team.
func (s *Service) checkAssignee(ctx context.Context, q store.Queryer, f apperr.Fields, userID, teamID store.ID) error {
	ok, err := s.activeMember(ctx, q, userID, teamID)
	if err != nil {
		return err
	}
	if !ok {
		f.Add("assignee_id", "not an active member of the ticket's team")
	}
	return nil
}

func (s *Service) activeMember(ctx context.Context, q store.Queryer, userID, teamID store.ID) (bool, error) {
	var n int
	if err := q.GetContext(ctx, &n, s.q.ActiveTeamMember, userID, teamID); err != nil {
		return false, fmt.Errorf("ticket: check assignee: %w", err)
	}
	return n > 0, nil
}

// checkMessages verifies that every id names a message (or note) of the
// conversation and returns them without repeats; any other id is a
// validation error on message_ids and nothing may be linked.
func (s *Service) checkMessages(ctx context.Context, q store.Queryer, f apperr.Fields, convID store.ID, ids []store.ID) ([]store.ID, error) {
	var uniq []store.ID
	for _, id := range ids {
		if !slices.Contains(uniq, id) {
			uniq = append(uniq, id)
		}
	}
	if len(uniq) > MaxLink {
		f.Add("message_ids", fmt.Sprintf("at most %d messages at a time", MaxLink))
		return nil, nil
	}
	query, args, err := s.db.In(s.q.MessageConvs, uniq)
	if err != nil {
		return nil, err
	}
	var rows []struct {
		ID             store.ID `db:"id"`
		ConversationID store.ID `db:"conversation_id"`
	}
	if err := q.SelectContext(ctx, &rows, query, args...); err != nil {
		return nil, fmt.Errorf("ticket: check messages: %w", err)
	}
	ok := 0
	for _, r := range rows {
		if r.ConversationID == convID {
			ok++
		}
	}
	if ok != len(uniq) {
		f.Add("message_ids", "every message must belong to the conversation")
		return nil, nil
	}
	return uniq, nil
}

// link writes the links of messages to a ticket and returns how many are new.
func (s *Service) link(ctx context.Context, tx *store.Tx, p *auth.Principal, ticketID store.ID, msgIDs []store.ID) (int, error) {
	if len(msgIDs) == 0 {
		return 0, nil
	}
	now := s.now()
	n := 0
	for _, id := range msgIDs {
		res, err := tx.ExecContext(ctx, s.q.LinkMessage, ticketID, id, p.ID, now)
		if err != nil {
			return 0, fmt.Errorf("ticket: link message: %w", err)
		}
		k, err := res.RowsAffected()
		if err != nil {
			return 0, fmt.Errorf("ticket: link message: %w", err)
		}
		n += int(k)
	}
	return n, nil
}
