package httpapi

import (
	"encoding/json"
	"net/http"

	"papo/internal/canned"
	"papo/internal/store"
)

// Canned responses (api.md "Canned responses"; F14).

// optionalID is a JSON id that may be absent (Set false), null or an id;
// text that is no id decodes as 0 so the service names the field.
type optionalID struct {
	Set bool
	ID  *store.ID
}

func (o *optionalID) UnmarshalJSON(b []byte) error {
	o.Set = true
	if string(b) == "null" {
		o.ID = nil
		return nil
	}
	var id store.ID
	if err := json.Unmarshal(b, &id); err != nil {
		id = 0
	}
	o.ID = &id
	return nil
}

type cannedRequest struct {
	Shortcut *string    `json:"shortcut"`
	Title    *string    `json:"title"`
	Body     *string    `json:"body"`
	TeamID   optionalID `json:"team_id"`
}

func (in cannedRequest) input() canned.Input {
	return canned.Input{Shortcut: in.Shortcut, Title: in.Title, Body: in.Body, TeamSet: in.TeamID.Set, TeamID: in.TeamID.ID}
}

func (s *Server) listCanned(w http.ResponseWriter, r *http.Request) error {
	limit, err := parseLimit(r)
	if err != nil {
		return err
	}
	q := canned.ListQuery{Q: r.URL.Query().Get("q"), Limit: limit}
	if raw := r.URL.Query().Get("team_id"); raw != "" {
		id, err := store.ParseID(raw)
		if err != nil {
			return fieldError("team_id", "not a team id")
		}
		q.TeamID = &id
	}
	if c := r.URL.Query().Get("cursor"); c != "" {
		q.After = new(canned.Cursor)
		if err := s.decodeCursor(c, q.After); err != nil {
			return err
		}
	}
	page, err := s.canned.List(r.Context(), principal(r), q)
	if err != nil {
		return err
	}
	writePage(s, w, page.Items, page.Next)
	return nil
}

func (s *Server) createCanned(w http.ResponseWriter, r *http.Request) error {
	in, err := decode[cannedRequest](w, r)
	if err != nil {
		return err
	}
	c, err := s.canned.Create(r.Context(), in.input())
	return reply(w, http.StatusCreated, c, err)
}

func (s *Server) updateCanned(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	in, err := decode[cannedRequest](w, r)
	if err != nil {
		return err
	}
	c, err := s.canned.Update(r.Context(), id, in.input())
	return reply(w, http.StatusOK, c, err)
}

func (s *Server) deleteCanned(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.canned.Delete(r.Context(), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

type renderRequest struct {
	ConversationID store.ID `json:"conversation_id"`
}

type renderResponse struct {
	Text string `json:"text"`
}

// renderCanned fills a canned response's placeholders for a conversation
// the caller may see.
func (s *Server) renderCanned(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	in, err := decode[renderRequest](w, r)
	if err != nil {
		return err
	}
	text, err := s.canned.Render(r.Context(), principal(r), id, in.ConversationID)
	return reply(w, http.StatusOK, renderResponse{Text: text}, err)
}
