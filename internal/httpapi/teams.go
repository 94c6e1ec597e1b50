package httpapi

import (
	"net/http"

	"papo/internal/team"
)

type teamRequest struct {
	Name          *string     `json:"name"`
	Timezone      *string     `json:"timezone"`
	BusinessHours *team.Hours `json:"business_hours"`
}

func (in teamRequest) input() team.Input {
	return team.Input{Name: in.Name, Timezone: in.Timezone, BusinessHours: in.BusinessHours}
}

func (s *Server) listTeams(w http.ResponseWriter, r *http.Request) error {
	teams, err := s.teams.List(r.Context())
	return reply(w, http.StatusOK, list[team.Team]{Items: teams}, err)
}

func (s *Server) createTeam(w http.ResponseWriter, r *http.Request) error {
	in, err := decode[teamRequest](w, r)
	if err != nil {
		return err
	}
	t, err := s.teams.Create(r.Context(), in.input())
	return reply(w, http.StatusCreated, t, err)
}

func (s *Server) updateTeam(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	in, err := decode[teamRequest](w, r)
	if err != nil {
		return err
	}
	t, err := s.teams.Update(r.Context(), id, in.input())
	return reply(w, http.StatusOK, t, err)
}

func (s *Server) deleteTeam(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.teams.Delete(r.Context(), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
