package httpapi

import (
	"encoding/json"
	"net/http"

	"papo/internal/events"
	"papo/internal/settings"
)

func (s *Server) getSettings(w http.ResponseWriter, r *http.Request) error {
	d, err := s.settings.Get(r.Context())
	return reply(w, http.StatusOK, d, err)
}

// putSettings replaces the whole document; absent fields take their defaults.
func (s *Server) putSettings(w http.ResponseWriter, r *http.Request) error {
	raw, err := decode[json.RawMessage](w, r)
	if err != nil {
		return err
	}
	d, err := settings.Decode(raw)
	if err != nil {
		return jsonError(err)
	}
	d, err = s.settings.Put(r.Context(), d)
	if err == nil {
		s.events.Publish(events.SettingsUpdated, 0)
	}
	return reply(w, http.StatusOK, d, err)
}
