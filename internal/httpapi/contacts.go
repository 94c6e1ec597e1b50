package httpapi

import (
	"net/http"
)

// Contacts (api.md "Contacts"; F04, F17): a contact is visible to a caller
// who may see one of its conversations.

func (s *Server) getContact(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.conv.ContactVisible(r.Context(), principal(r), id); err != nil {
		return err
	}
	c, err := s.conv.PresentContact(r.Context(), nil, id)
	return reply(w, http.StatusOK, c, err)
}

type automationBlockRequest struct {
	Blocked *bool `json:"blocked"`
}

// setAutomationBlock switches automatic messages off or on for a contact
// (F17); messages agents write are never blocked.
func (s *Server) setAutomationBlock(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	in, err := decode[automationBlockRequest](w, r)
	if err != nil {
		return err
	}
	if err := s.conv.ContactVisible(r.Context(), principal(r), id); err != nil {
		return err
	}
	if in.Blocked == nil {
		return fieldError("blocked", "required: true or false")
	}
	if _, err := s.contacts.SetAutomationBlock(r.Context(), id, *in.Blocked); err != nil {
		return err
	}
	c, err := s.conv.PresentContact(r.Context(), nil, id)
	return reply(w, http.StatusOK, c, err)
}
