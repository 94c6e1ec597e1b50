package httpapi

import (
	"net/http"
	"time"

	"papo/internal/apperr"
	"papo/internal/automation"
	"papo/internal/store"
)

// The satisfaction survey report (F20, api.md "reports/surveys").

// defaultReportDays is the period of a report asked without from/to.
const defaultReportDays = 30

func (s *Server) surveyReport(w http.ResponseWriter, r *http.Request) error {
	if s.surveys == nil {
		return apperr.New(apperr.ErrUnavailable, "Surveys are not available.")
	}
	to, err := queryTime(r, "to", s.now())
	if err != nil {
		return err
	}
	from, err := queryTime(r, "from", to.AddDate(0, 0, -defaultReportDays))
	if err != nil {
		return err
	}
	q := automation.ReportQuery{From: from, To: to}
	if q.TeamID, err = queryID(r, "team_id"); err != nil {
		return err
	}
	if q.AgentID, err = queryID(r, "agent_id"); err != nil {
		return err
	}
	rep, err := s.surveys.Report(r.Context(), q)
	return reply(w, http.StatusOK, rep, err)
}

// queryTime reads an RFC 3339 time or a date (YYYY-MM-DD, midnight UTC)
// from the query; def when absent.
func queryTime(r *http.Request, name string, def time.Time) (time.Time, error) {
	raw := r.URL.Query().Get(name)
	if raw == "" {
		return def, nil
	}
	for _, layout := range []string{time.RFC3339, time.DateOnly} {
		if t, err := time.Parse(layout, raw); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fieldError(name, "a date (2026-11-25) or a time (2026-11-25T14:00:00Z)")
}

// queryID reads an optional id from the query.
func queryID(r *http.Request, name string) (*store.ID, error) {
	raw := r.URL.Query().Get(name)
	if raw == "" {
		return nil, nil
	}
	id, err := store.ParseID(raw)
	if err != nil {
		return nil, fieldError(name, "not an id")
	}
	return &id, nil
}
