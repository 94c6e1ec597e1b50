package httpapi

import (
	"net/http"
	"unicode/utf8"

	"papo/internal/apperr"
	"papo/internal/conversation"
	"papo/internal/store"
)

// conversationList is the answer of GET /api/v1/conversations: a page of a
// view and the caller's counts (api.md "Conversations").
type conversationList struct {
	Items      []conversation.Conversation `json:"items"`
	NextCursor *string                     `json:"next_cursor"`
	Counts     conversation.Counts         `json:"counts"`
}

// listConversations serves the inbox views, counts and search (F01, F02,
// F03, F05).
func (s *Server) listConversations(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	in := conversation.ListParams{View: q.Get("view"), Status: q.Get("status"), Query: q.Get("q")}
	var err error
	if in.Limit, err = parseLimit(r); err != nil {
		return err
	}
	if raw := q.Get("team_id"); raw != "" {
		id, err := store.ParseID(raw)
		if err != nil || id <= 0 {
			return apperr.Invalid("team_id", "not a team id")
		}
		in.TeamID = &id
	}
	if utf8.RuneCountInString(in.Query) > 200 {
		return apperr.Invalid("q", "too long (200 characters at most)")
	}
	if c := q.Get("cursor"); c != "" {
		in.After = new(conversation.ListCursor)
		if err := s.decodeCursor(c, in.After); err != nil {
			return err
		}
	}
	page, err := s.conv.List(r.Context(), principal(r), in)
	if err != nil {
		return err
	}
	out := conversationList{Items: page.Items, Counts: page.Counts}
	if page.Next != nil {
		out.NextCursor = s.encodeCursor(page.Next)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
