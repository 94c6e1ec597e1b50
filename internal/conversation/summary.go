package conversation

import (
	"context"
	"fmt"
	"slices"
	"time"

	"papo/internal/auth"
	"papo/internal/store"
)

// Summary is the structured summary of one conversation (F31).
type Summary struct {
	ConversationID store.ID        `json:"conversation_id"`
	Status         string          `json:"status"`
	OpenedAt       time.Time       `json:"opened_at"`
	ClosedAt       *time.Time      `json:"closed_at"`
	ClosedReason   *string         `json:"closed_reason"`
	Teams          []NamedRef      `json:"teams"`    // in the order it passed through them
	Handlers       []NamedRef      `json:"handlers"` // everyone it was assigned to, in order
	Tickets        []SummaryTicket `json:"tickets"`
	SurveyAnswer   *SurveyAnswer   `json:"survey_answer"` // null until surveys exist (F20)
	Messages       MessageCounts   `json:"messages"`
}

// NamedRef is a team or user with its name.
type NamedRef struct {
	ID   store.ID `json:"id" db:"id"`
	Name string   `json:"name" db:"name"`
}

// SummaryTicket is a ticket created from the conversation ("created") or
// holding one of its messages ("linked").
type SummaryTicket struct {
	ID       store.ID `json:"id" db:"id"`
	Number   int64    `json:"number" db:"number"`
	Title    string   `json:"title" db:"title"`
	Status   string   `json:"status" db:"status"`
	Relation string   `json:"relation" db:"relation"`
}

// SurveyAnswer is the customer's answer to the satisfaction survey.
type SurveyAnswer struct {
	Answer     string    `json:"answer"`
	AnsweredAt time.Time `json:"answered_at"`
}

// MessageCounts counts a conversation's messages each way, and its notes.
type MessageCounts struct {
	In    int `json:"in"`
	Out   int `json:"out"`
	Notes int `json:"notes"`
}

// Summary returns when a visible conversation opened and closed, the teams
// it passed through, who handled it, the tickets created from it or linked
// to its messages, the survey answer and its message counts (F31).
func (s *Service) Summary(ctx context.Context, p *auth.Principal, id store.ID) (*Summary, error) {
	r, err := s.LoadVisible(ctx, nil, p, id)
	if err != nil {
		return nil, err
	}
	out := &Summary{ConversationID: r.ID, Status: r.Status, OpenedAt: r.CreatedAt, ClosedAt: r.ClosedAt,
		ClosedReason: r.ClosedReason, Teams: []NamedRef{}, Handlers: []NamedRef{}, Tickets: []SummaryTicket{}}

	var evs []struct {
		Type       string    `db:"type"`
		FromTeamID *store.ID `db:"from_team_id"`
		ToTeamID   *store.ID `db:"to_team_id"`
		AssigneeID *store.ID `db:"assignee_id"`
	}
	if err := s.db.R.SelectContext(ctx, &evs, s.q.SummaryEvents, r.ID); err != nil {
		return nil, fmt.Errorf("conversation: summary events: %w", err)
	}
	var teams, users []store.ID
	for _, e := range evs {
		switch e.Type {
		case EventForwarded:
			if len(teams) == 0 && e.FromTeamID != nil {
				teams = append(teams, *e.FromTeamID)
			}
			if e.ToTeamID != nil {
				teams = append(teams, *e.ToTeamID)
			}
		case EventAssigned:
			if e.AssigneeID != nil && !slices.Contains(users, *e.AssigneeID) {
				users = append(users, *e.AssigneeID)
			}
		}
	}
	if len(teams) == 0 {
		teams = append(teams, r.TeamID)
	}
	if r.AssigneeID != nil && !slices.Contains(users, *r.AssigneeID) {
		users = append(users, *r.AssigneeID)
	}
	if out.Teams, err = s.named(ctx, s.q.SummaryTeams, teams); err != nil {
		return nil, err
	}
	if out.Handlers, err = s.named(ctx, s.q.SummaryUsers, users); err != nil {
		return nil, err
	}

	var counts []struct {
		Direction string `db:"direction"`
		N         int    `db:"n"`
	}
	if err := s.db.R.SelectContext(ctx, &counts, s.q.SummaryCounts, r.ID); err != nil {
		return nil, fmt.Errorf("conversation: summary counts: %w", err)
	}
	for _, c := range counts {
		switch c.Direction {
		case "in":
			out.Messages.In = c.N
		case "out":
			out.Messages.Out = c.N
		case "note":
			out.Messages.Notes = c.N
		}
	}

	var tickets []SummaryTicket
	if err := s.db.R.SelectContext(ctx, &tickets, s.q.SummaryTickets, r.ID, r.ID); err != nil {
		return nil, fmt.Errorf("conversation: summary tickets: %w", err)
	}
	for _, t := range tickets { // a ticket created here and holding its messages counts once, as created
		if len(out.Tickets) > 0 && out.Tickets[len(out.Tickets)-1].ID == t.ID {
			continue
		}
		out.Tickets = append(out.Tickets, t)
	}
	return out, nil
}

// named returns the names of ids (users or teams, by query), in the order
// of ids; ids no longer there are left out.
func (s *Service) named(ctx context.Context, query string, ids []store.ID) ([]NamedRef, error) {
	out := []NamedRef{}
	if len(ids) == 0 {
		return out, nil
	}
	q, args, err := s.db.In(query, ids)
	if err != nil {
		return nil, err
	}
	var rows []NamedRef
	if err := s.db.R.SelectContext(ctx, &rows, q, args...); err != nil {
		return nil, fmt.Errorf("conversation: summary names: %w", err)
	}
	byID := map[store.ID]string{}
	for _, r := range rows {
		byID[r.ID] = r.Name
	}
	for _, id := range ids {
		if name, ok := byID[id]; ok {
			out = append(out, NamedRef{ID: id, Name: name})
		}
	}
	return out, nil
}
