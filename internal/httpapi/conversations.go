package httpapi

import (
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"papo/internal/apperr"
	"papo/internal/conversation"
	"papo/internal/events"
	"papo/internal/message"
	"papo/internal/store"
)

// Conversation detail, actions, timeline, notes and summary (api.md
// "Conversations"; F03, F06–F10, F16, F30, F31). Every handler goes through
// the conversation service, which checks visibility before anything else.

func (s *Server) getConversation(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	c, err := s.conv.Get(r.Context(), principal(r), id)
	return reply(w, http.StatusOK, c, err)
}

type assignRequest struct {
	AssigneeID store.ID `json:"assignee_id"`
}

func (s *Server) assignConversation(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	in, err := decode[assignRequest](w, r)
	if err != nil {
		return err
	}
	c, err := s.conv.Assign(r.Context(), principal(r), id, in.AssigneeID)
	return reply(w, http.StatusOK, c, err)
}

type forwardRequest struct {
	TeamID store.ID `json:"team_id"`
	Note   string   `json:"note"`
}

func (s *Server) forwardConversation(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	in, err := decode[forwardRequest](w, r)
	if err != nil {
		return err
	}
	c, err := s.conv.Forward(r.Context(), principal(r), id, conversation.ForwardInput{TeamID: in.TeamID, Note: in.Note})
	return reply(w, http.StatusOK, c, err)
}

type statusRequest struct {
	Status string `json:"status"`
}

func (s *Server) setConversationStatus(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	in, err := decode[statusRequest](w, r)
	if err != nil {
		return err
	}
	c, err := s.conv.SetStatus(r.Context(), principal(r), id, in.Status)
	return reply(w, http.StatusOK, c, err)
}

type closeRequest struct {
	SendClosingMessage *bool `json:"send_closing_message"`
	SendSurvey         *bool `json:"send_survey"`
}

func (s *Server) closeConversation(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	in, err := decodeOptional[closeRequest](w, r)
	if err != nil {
		return err
	}
	c, err := s.conv.Close(r.Context(), principal(r), id, conversation.CloseInput{
		SendClosingMessage: in.SendClosingMessage, SendSurvey: in.SendSurvey})
	return reply(w, http.StatusOK, c, err)
}

func (s *Server) readConversation(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	c, err := s.conv.MarkRead(r.Context(), principal(r), id)
	return reply(w, http.StatusOK, c, err)
}

// timelineItem is one item of a timeline (api.md): exactly one of Message,
// Note and Event is set, as Kind says.
type timelineItem struct {
	Kind    string              `json:"kind"`
	Message *message.Message    `json:"message,omitempty"`
	Note    *message.Message    `json:"note,omitempty"`
	Event   *conversation.Event `json:"event,omitempty"`
}

func (s *Server) conversationTimeline(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	limit, err := parseLimit(r)
	if err != nil {
		return err
	}
	q := conversation.TimelineQuery{Events: true, Limit: limit}
	switch strings.ToLower(r.URL.Query().Get("events")) {
	case "", "true", "1":
	case "false", "0":
		q.Events = false
	default:
		return fieldError("events", "must be true or false")
	}
	if c := r.URL.Query().Get("before"); c != "" {
		q.Before = new(conversation.TimelineCursor)
		if err := s.decodeCursor(c, q.Before); err != nil {
			return apperr.Invalid("before", "not a cursor issued by papo")
		}
	}
	page, err := s.conv.Timeline(r.Context(), principal(r), id, q)
	if err != nil {
		return err
	}
	ids := []store.ID{}
	for _, e := range page.Entries {
		if e.Kind != conversation.KindEvent {
			ids = append(ids, e.MessageID)
		}
	}
	msgs, err := s.presentMessagesByID(r, ids)
	if err != nil {
		return err
	}
	out := list[timelineItem]{Items: make([]timelineItem, 0, len(page.Entries))}
	for _, e := range page.Entries {
		it := timelineItem{Kind: e.Kind, Event: e.Event}
		switch e.Kind {
		case conversation.KindMessage:
			if it.Message = msgs[e.MessageID]; it.Message == nil {
				continue // deleted meanwhile
			}
		case conversation.KindNote:
			if it.Note = msgs[e.MessageID]; it.Note == nil {
				continue
			}
		}
		out.Items = append(out.Items, it)
	}
	if page.Next != nil {
		out.NextCursor = s.encodeCursor(page.Next)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// presentMessagesByID loads and presents messages by id.
func (s *Server) presentMessagesByID(r *http.Request, ids []store.ID) (map[store.ID]*message.Message, error) {
	out := make(map[store.ID]*message.Message, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := s.messages.LoadMany(r.Context(), nil, ids)
	if err != nil {
		return nil, err
	}
	ms, err := s.messages.Present(r.Context(), nil, rows)
	if err != nil {
		return nil, err
	}
	for i := range ms {
		out[ms[i].ID] = &ms[i]
	}
	return out, nil
}

// withinResponse is the selection by time (F10).
type withinResponse struct {
	Items []message.Message `json:"items"`
	Count int               `json:"count"`
}

func (s *Server) conversationMessagesWithin(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	hours, err := strconv.Atoi(strings.TrimSpace(r.URL.Query().Get("within_hours")))
	if err != nil {
		hours = -1 // the service names the field, after the visibility check
	}
	ids, err := s.conv.MessagesWithin(r.Context(), principal(r), id, hours)
	if err != nil {
		return err
	}
	msgs, err := s.presentMessagesByID(r, ids)
	if err != nil {
		return err
	}
	out := withinResponse{Items: make([]message.Message, 0, len(ids))}
	for _, mid := range ids {
		if m := msgs[mid]; m != nil {
			out.Items = append(out.Items, *m)
		}
	}
	out.Count = len(out.Items)
	writeJSON(w, http.StatusOK, out)
	return nil
}

// maxNote bounds an internal note (F30).
const maxNote = 4096

type noteRequest struct {
	Text string `json:"text"`
}

// createNote writes an internal note (F30): a timeline item of kind note,
// stored beside the messages and never sent to WhatsApp. A retry with the
// same Idempotency-Key returns the first note.
func (s *Server) createNote(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	in, err := decode[noteRequest](w, r)
	if err != nil {
		return err
	}
	p := principal(r)
	conv, err := s.conv.LoadVisible(r.Context(), nil, p, id)
	if err != nil {
		return err
	}
	text := strings.TrimSpace(in.Text)
	switch n := utf8.RuneCountInString(text); {
	case n == 0:
		return fieldError("text", "required")
	case n > maxNote:
		return fieldError("text", "at most 4096 characters")
	}
	author := p.ID
	var noteID store.ID
	created := true
	err = s.db.InTx(r.Context(), func(tx *store.Tx) error {
		var err error
		noteID, created, err = s.messages.InsertOutbound(r.Context(), tx, message.Outbound{
			ConversationID: conv.ID, ChannelID: conv.ChannelID, ContactID: conv.ContactID,
			Direction: message.DirectionNote, AuthorType: message.AuthorAgent, AuthorID: &author,
			Type: "text", Text: text, IdempotencyKey: r.Header.Get("Idempotency-Key"),
		})
		return err
	})
	if err != nil {
		return err
	}
	if created {
		s.events.Publish(events.MessageCreated, noteID)
	}
	msgs, err := s.presentMessagesByID(r, []store.ID{noteID})
	if err != nil {
		return err
	}
	status := http.StatusCreated
	if !created {
		status = http.StatusOK
	}
	writeJSON(w, status, timelineItem{Kind: conversation.KindNote, Note: msgs[noteID]})
	return nil
}

func (s *Server) conversationSummary(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	sum, err := s.conv.Summary(r.Context(), principal(r), id)
	return reply(w, http.StatusOK, sum, err)
}
