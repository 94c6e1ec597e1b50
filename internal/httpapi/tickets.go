package httpapi

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"

	"papo/internal/apperr"
	"papo/internal/events"
	"papo/internal/store"
	"papo/internal/ticket"
)

// Tickets (api.md "Tickets"; F11, F12, F13, F22). Handlers decode, make one
// ticket.Service call and encode; the rules live in internal/ticket.

func (s *Server) listTickets(w http.ResponseWriter, r *http.Request) error {
	limit, err := parseLimit(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := ticket.Filter{Q: q.Get("q"), Status: q.Get("status"), Origin: q.Get("origin")}
	bad := apperr.Fields{}
	for _, p := range []struct {
		name string
		dst  *store.ID
	}{{"requester_id", &f.RequesterID}, {"team_id", &f.TeamID}} {
		if raw := q.Get(p.name); raw != "" {
			id, err := store.ParseID(raw)
			if err != nil {
				bad.Add(p.name, "not an id")
			}
			*p.dst = id
		}
	}
	var verr *apperr.ValidationError
	if errors.As(f.Validate(), &verr) {
		for k, v := range verr.Fields {
			bad.Add(k, v)
		}
	}
	if err := bad.Err(); err != nil {
		return err
	}
	var after *ticket.Cursor
	if c := q.Get("cursor"); c != "" {
		after = new(ticket.Cursor)
		if err := s.decodeCursor(c, after); err != nil {
			return err
		}
	}
	page, err := s.tickets.List(r.Context(), principal(r), f, after, limit)
	if err != nil {
		return err
	}
	writePage(s, w, page.Items, page.Next)
	return nil
}

// ticketNumber reads {number}; anything but a positive integer names no
// ticket (0).
func ticketNumber(r *http.Request) int64 {
	n, err := strconv.ParseInt(r.PathValue("number"), 10, 64)
	if err != nil || n <= 0 {
		return 0
	}
	return n
}

func (s *Server) getTicket(w http.ResponseWriter, r *http.Request) error {
	t, err := s.tickets.Get(r.Context(), principal(r), ticketNumber(r))
	return reply(w, http.StatusOK, t, err)
}

type createTicketRequest struct {
	Title          string     `json:"title"`
	Description    string     `json:"description"`
	RequesterID    *store.ID  `json:"requester_id"`
	TeamID         *store.ID  `json:"team_id"`
	AssigneeID     *store.ID  `json:"assignee_id"`
	Origin         string     `json:"origin"`
	ConversationID *store.ID  `json:"conversation_id"`
	MessageIDs     []store.ID `json:"message_ids"`
}

func (s *Server) createTicket(w http.ResponseWriter, r *http.Request) error {
	in, err := decode[createTicketRequest](w, r)
	if err != nil {
		return err
	}
	t, err := s.tickets.Create(r.Context(), principal(r), ticket.CreateInput{
		Title: in.Title, Description: in.Description, RequesterID: in.RequesterID, TeamID: in.TeamID,
		AssigneeID: in.AssigneeID, Origin: in.Origin, ConversationID: in.ConversationID, MessageIDs: in.MessageIDs,
	})
	if err == nil {
		s.events.Publish(events.MessageUpdated, in.MessageIDs...) // their ticket_numbers (F11, F23)
	}
	return reply(w, http.StatusCreated, t, err)
}

type updateTicketRequest struct {
	Title       *string   `json:"title"`
	Description *string   `json:"description"`
	Status      *string   `json:"status"`
	TeamID      *store.ID `json:"team_id"`
	AssigneeID  *store.ID `json:"assignee_id"`
	RequesterID *store.ID `json:"requester_id"`
}

func (s *Server) updateTicket(w http.ResponseWriter, r *http.Request) error {
	// Read the body once, then twice over: the fields, and which of them
	// were sent (assignee_id or requester_id null clears it; absent keeps it).
	raw, err := decode[json.RawMessage](w, r)
	if err != nil {
		return err
	}
	var in updateTicketRequest
	if err := json.Unmarshal(raw, &in); err != nil {
		return jsonError(err)
	}
	var sent map[string]json.RawMessage
	if err := json.Unmarshal(raw, &sent); err != nil {
		return apperr.Invalid("body", "must be a JSON object")
	}
	_, assigneeSet := sent["assignee_id"]
	_, requesterSet := sent["requester_id"]
	t, err := s.tickets.Update(r.Context(), principal(r), ticketNumber(r), ticket.UpdateInput{
		Title: in.Title, Description: in.Description, Status: in.Status, TeamID: in.TeamID,
		AssigneeSet: assigneeSet, AssigneeID: in.AssigneeID, RequesterSet: requesterSet, RequesterID: in.RequesterID,
	})
	return reply(w, http.StatusOK, t, err)
}

type linkTicketRequest struct {
	ConversationID store.ID   `json:"conversation_id"`
	MessageIDs     []store.ID `json:"message_ids"`
}

// linkTicketMessages links messages to a ticket by number (F11): 200
// {"linked": n} counting new links; an unknown or invisible number is 404
// ticket_not_found.
func (s *Server) linkTicketMessages(w http.ResponseWriter, r *http.Request) error {
	in, err := decode[linkTicketRequest](w, r)
	if err != nil {
		return err
	}
	n, err := s.tickets.Link(r.Context(), principal(r), ticketNumber(r), ticket.LinkInput{
		ConversationID: in.ConversationID, MessageIDs: in.MessageIDs,
	})
	if err == nil && n > 0 {
		s.events.Publish(events.MessageUpdated, in.MessageIDs...) // their ticket_numbers (F11, F23)
	}
	return reply(w, http.StatusOK, map[string]int{"linked": n}, err)
}
