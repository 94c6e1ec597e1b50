package httpapi

import (
	"net/http"

	"papo/internal/channel"
	"papo/internal/store"
)

// channelRequest accepts the write-only credentials; they never come back.
type channelRequest struct {
	Name               *string   `json:"name"`
	PhoneNumberID      *string   `json:"phone_number_id"`
	WABAID             *string   `json:"waba_id"`
	DisplayPhoneNumber *string   `json:"display_phone_number"`
	DefaultTeamID      *store.ID `json:"default_team_id"`
	GraphAPIURL        *string   `json:"graph_api_url"`
	GraphAPIVersion    *string   `json:"graph_api_version"`
	VerifyToken        *string   `json:"verify_token"`
	MessagesPerSecond  *int      `json:"messages_per_second"`
	AccessToken        *string   `json:"access_token"`
	AppSecret          *string   `json:"app_secret"`
}

func (in channelRequest) input() channel.Input {
	return channel.Input{
		Name: in.Name, PhoneNumberID: in.PhoneNumberID, WABAID: in.WABAID, DisplayPhoneNumber: in.DisplayPhoneNumber,
		DefaultTeamID: in.DefaultTeamID, GraphAPIURL: in.GraphAPIURL, GraphAPIVersion: in.GraphAPIVersion,
		VerifyToken: in.VerifyToken, MessagesPerSecond: in.MessagesPerSecond, AccessToken: in.AccessToken, AppSecret: in.AppSecret,
	}
}

func (s *Server) listChannels(w http.ResponseWriter, r *http.Request) error {
	cs, err := s.channels.List(r.Context())
	return reply(w, http.StatusOK, list[channel.Channel]{Items: cs}, err)
}

func (s *Server) getChannel(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	c, err := s.channels.Get(r.Context(), id)
	return reply(w, http.StatusOK, c, err)
}

func (s *Server) createChannel(w http.ResponseWriter, r *http.Request) error {
	in, err := decode[channelRequest](w, r)
	if err != nil {
		return err
	}
	c, err := s.channels.Create(r.Context(), in.input())
	return reply(w, http.StatusCreated, c, err)
}

func (s *Server) updateChannel(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	in, err := decode[channelRequest](w, r)
	if err != nil {
		return err
	}
	c, err := s.channels.Update(r.Context(), id, in.input())
	return reply(w, http.StatusOK, c, err)
}
