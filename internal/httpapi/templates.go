package httpapi

import (
	"net/http"

	"papo/internal/outbound"
)

// listTemplates lists a channel's templates as last synced (F15). Every
// logged-in user may: agents pick one to send when the window is closed.
// ?status=APPROVED keeps only those.
func (s *Server) listTemplates(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	ts, err := s.outbound.Templates(r.Context(), id, r.URL.Query().Get("status"))
	return reply(w, http.StatusOK, list[outbound.Template]{Items: ts}, err)
}

// syncTemplates fetches a channel's templates from the Graph API now
// (admin only): 200 {"synced": n}.
func (s *Server) syncTemplates(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	n, err := s.outbound.SyncTemplates(r.Context(), id)
	return reply(w, http.StatusOK, map[string]int{"synced": n}, err)
}

// templatePreview renders a template with the given values for a
// conversation: {"template": {...}} → {"text"}.
func (s *Server) templatePreview(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	p := principal(r)
	if _, err := s.conv.LoadVisible(r.Context(), nil, p, id); err != nil {
		return err
	}
	in, err := decode[struct {
		Template *templateRequest `json:"template"`
	}](w, r)
	if err != nil {
		return err
	}
	if in.Template == nil {
		return fieldError("template", "required: {\"name\", \"language\", \"parameters\"}")
	}
	ti, err := in.Template.input()
	if err != nil {
		return err
	}
	text, err := s.outbound.Preview(r.Context(), p, id, *ti)
	return reply(w, http.StatusOK, map[string]string{"text": text}, err)
}
