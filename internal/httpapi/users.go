package httpapi

import (
	"net/http"

	"papo/internal/auth"
	"papo/internal/store"
)

type userRequest struct {
	Name     *string     `json:"name"`
	Email    *string     `json:"email"`
	Role     *auth.Role  `json:"role"`
	Password *string     `json:"password"`
	TeamIDs  *[]store.ID `json:"team_ids"`
	Active   *bool       `json:"active"`
}

func (s *Server) listUsers(w http.ResponseWriter, r *http.Request) error {
	users, err := s.auth.ListUsers(r.Context(), principal(r))
	return reply(w, http.StatusOK, list[auth.User]{Items: users}, err)
}

func (s *Server) createUser(w http.ResponseWriter, r *http.Request) error {
	in, err := decode[userRequest](w, r)
	if err != nil {
		return err
	}
	c := auth.CreateUserInput{Name: deref(in.Name), Email: deref(in.Email), Password: deref(in.Password), Role: deref(in.Role)}
	if in.TeamIDs != nil {
		c.TeamIDs = *in.TeamIDs
	}
	u, err := s.auth.CreateUser(r.Context(), c)
	return reply(w, http.StatusCreated, u, err)
}

func (s *Server) updateUser(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	in, err := decode[userRequest](w, r)
	if err != nil {
		return err
	}
	if id == principal(r).ID && in.Active != nil && !*in.Active {
		return fieldError("active", "you cannot deactivate your own account")
	}
	u, err := s.auth.UpdateUser(r.Context(), id, auth.UpdateUserInput{
		Name: in.Name, Email: in.Email, Role: in.Role, Password: in.Password, TeamIDs: in.TeamIDs, Active: in.Active,
	})
	return reply(w, http.StatusOK, u, err)
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
