package httpapi

import (
	"net/http"

	"papo/internal/contact"
)

type customerRequest struct {
	Name         *string   `json:"name"`
	Email        *string   `json:"email"`
	Phones       *[]string `json:"phones"`
	Organization *string   `json:"organization"`
}

func (in customerRequest) input() contact.CustomerInput {
	return contact.CustomerInput{Name: in.Name, Email: in.Email, Phones: in.Phones, Organization: in.Organization}
}

func (s *Server) listCustomers(w http.ResponseWriter, r *http.Request) error {
	limit, err := parseLimit(r)
	if err != nil {
		return err
	}
	var after *contact.CustomerCursor
	if c := r.URL.Query().Get("cursor"); c != "" {
		after = new(contact.CustomerCursor)
		if err := s.decodeCursor(c, after); err != nil {
			return err
		}
	}
	page, err := s.contacts.SearchCustomers(r.Context(), r.URL.Query().Get("q"), after, limit)
	if err != nil {
		return err
	}
	writePage(s, w, page.Items, page.Next)
	return nil
}

func (s *Server) getCustomer(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	c, err := s.contacts.GetCustomer(r.Context(), id)
	return reply(w, http.StatusOK, c, err)
}

func (s *Server) createCustomer(w http.ResponseWriter, r *http.Request) error {
	in, err := decode[customerRequest](w, r)
	if err != nil {
		return err
	}
	c, err := s.contacts.CreateCustomer(r.Context(), principal(r), in.input())
	return reply(w, http.StatusCreated, c, err)
}

func (s *Server) updateCustomer(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	in, err := decode[customerRequest](w, r)
	if err != nil {
		return err
	}
	c, err := s.contacts.UpdateCustomer(r.Context(), principal(r), id, in.input())
	return reply(w, http.StatusOK, c, err)
}
