// Package team holds papo's teams: every conversation belongs to one, agents
// belong to some, and each has a time zone and business hours (used by the
// out-of-hours message).
package team

import (
	"context"
	"database/sql/driver"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"
	"unicode/utf8"

	"papo/internal/apperr"
	"papo/internal/clock"
	"papo/internal/store"
)

//go:embed *.sql
var queryFS embed.FS

// Team is a group of agents and the conversations they work.
type Team struct {
	ID            store.ID `json:"id" db:"id"`
	Name          string   `json:"name" db:"name"`
	Timezone      string   `json:"timezone" db:"timezone"`
	BusinessHours Hours    `json:"business_hours" db:"business_hours"`
}

// Interval is one opening interval of a weekday (0 = Sunday), "HH:MM" in the
// team's time zone, start before end.
type Interval struct {
	Weekday int    `json:"weekday"`
	Start   string `json:"start"`
	End     string `json:"end"`
}

// Hours are a team's business hours; empty means always open.
type Hours []Interval

// Value stores Hours as JSON text.
func (h Hours) Value() (driver.Value, error) {
	if h == nil {
		h = Hours{}
	}
	b, err := json.Marshal(h)
	return string(b), err
}

// Scan reads Hours from JSON text.
func (h *Hours) Scan(src any) error {
	var b []byte
	switch v := src.(type) {
	case string:
		b = []byte(v)
	case []byte:
		b = v
	case nil:
		*h = Hours{}
		return nil
	default:
		return fmt.Errorf("team: scan hours from %T", src)
	}
	return json.Unmarshal(b, h)
}

// OpenAt reports whether the hours are open at t, read in loc.
func (h Hours) OpenAt(t time.Time, loc *time.Location) bool {
	if len(h) == 0 {
		return true
	}
	lt := t.In(loc)
	minute := lt.Hour()*60 + lt.Minute()
	for _, iv := range h {
		if iv.Weekday != int(lt.Weekday()) {
			continue
		}
		s, _ := parseHHMM(iv.Start)
		e, _ := parseHHMM(iv.End)
		if minute >= s && minute < e {
			return true
		}
	}
	return false
}

// OpenAt reports whether the team is within its business hours at t.
func (t *Team) OpenAt(at time.Time) bool {
	return t.BusinessHours.OpenAt(at, t.location())
}

// ClosedSince returns when the team's hours last ended before at, and
// false when it is open at at. Never open (hours that name no day it
// opens) gives the zero time. It names the closed period an out-of-hours
// reply belongs to (F19: one per conversation per period).
func (t *Team) ClosedSince(at time.Time) (time.Time, bool) {
	return t.BusinessHours.ClosedSince(at, t.location())
}

func (t *Team) location() *time.Location {
	loc, err := time.LoadLocation(t.Timezone)
	if err != nil {
		return time.UTC
	}
	return loc
}

// ClosedSince returns the end of the last open interval before at (read in
// loc), and false when the hours are open at at.
func (h Hours) ClosedSince(at time.Time, loc *time.Location) (time.Time, bool) {
	if h.OpenAt(at, loc) {
		return time.Time{}, false
	}
	lt := at.In(loc)
	var last time.Time
	for back := 0; back <= 7; back++ { // a week back covers every weekday
		day := time.Date(lt.Year(), lt.Month(), lt.Day()-back, 0, 0, 0, 0, loc)
		for _, iv := range h {
			if iv.Weekday != int(day.Weekday()) {
				continue
			}
			e, ok := parseHHMM(iv.End)
			if !ok {
				continue
			}
			end := day.Add(time.Duration(e) * time.Minute)
			if !end.After(at) && end.After(last) {
				last = end
			}
		}
		if !last.IsZero() {
			break
		}
	}
	return last.UTC(), true
}

func parseHHMM(s string) (int, bool) {
	if len(s) != 5 || s[2] != ':' {
		return 0, false
	}
	h, m := atoi2(s[:2]), atoi2(s[3:])
	if h < 0 || m < 0 || m > 59 || h > 24 || (h == 24 && m != 0) {
		return 0, false
	}
	return h*60 + m, true
}

func atoi2(s string) int {
	if s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9' {
		return -1
	}
	return int(s[0]-'0')*10 + int(s[1]-'0')
}

// Options configure a Service.
type Options struct {
	DB  *store.DB
	Log *slog.Logger
	Now clock.Clock
}

// Service manages teams. It is safe for concurrent use.
type Service struct {
	db  *store.DB
	now clock.Clock
	q   struct {
		List   string `query:"list-teams"`
		Get    string `query:"get-team"`
		Insert string `query:"insert-team"`
		Update string `query:"update-team"`
		InUse  string `query:"team-in-use"`
		Delete string `query:"delete-team"`
	}
}

// New returns a Service.
func New(o Options) (*Service, error) {
	s := &Service{db: o.DB, now: o.Now}
	if s.now == nil {
		s.now = clock.Real
	}
	if err := store.LoadQueries(queryFS, o.DB.Dialect, &s.q); err != nil {
		return nil, fmt.Errorf("team: %w", err)
	}
	return s, nil
}

// List returns every team, by name. Every user may list teams (agents pick a
// target team when forwarding).
func (s *Service) List(ctx context.Context) ([]Team, error) {
	out := []Team{}
	if err := s.db.R.SelectContext(ctx, &out, s.q.List); err != nil {
		return nil, fmt.Errorf("team: list: %w", err)
	}
	return out, nil
}

// Get returns one team.
func (s *Service) Get(ctx context.Context, id store.ID) (*Team, error) {
	return s.GetIn(ctx, s.db.R, id)
}

// GetIn returns a team read through q (a transaction: on PostgreSQL a
// second connection taken while one is held can deadlock the pool).
func (s *Service) GetIn(ctx context.Context, q store.Queryer, id store.ID) (*Team, error) {
	var t Team
	if err := store.Get(ctx, q, &t, s.q.Get, id); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return nil, fmt.Errorf("team %s: %w", id, apperr.ErrNotFound)
		}
		return nil, fmt.Errorf("team: get: %w", err)
	}
	return &t, nil
}

// Input creates or (for the fields that are not nil) changes a team.
type Input struct {
	Name          *string
	Timezone      *string
	BusinessHours *Hours
}

// DefaultTimezone is a new team's zone when none is given.
const DefaultTimezone = "America/Sao_Paulo"

// Create adds a team. A taken name is apperr.ErrConflict.
func (s *Service) Create(ctx context.Context, in Input) (*Team, error) {
	t := Team{Timezone: DefaultTimezone, BusinessHours: Hours{}}
	if in.Name == nil {
		in.Name = new(string)
	}
	apply(&t, in)
	if err := validate(&t); err != nil {
		return nil, err
	}
	now := s.now()
	var id store.ID
	if err := s.db.W.GetContext(ctx, &id, s.q.Insert, t.Name, t.Timezone, t.BusinessHours, now, now); err != nil {
		if store.IsUniqueViolation(err) {
			return nil, apperr.New(apperr.ErrConflict, "A team with this name already exists.")
		}
		return nil, fmt.Errorf("team: insert: %w", err)
	}
	t.ID = id
	return &t, nil
}

// Update changes a team.
func (s *Service) Update(ctx context.Context, id store.ID, in Input) (*Team, error) {
	var out *Team
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		var t Team
		if err := store.Get(ctx, tx, &t, s.q.Get, id); err != nil {
			if errors.Is(err, store.ErrNotFound) {
				return fmt.Errorf("team %s: %w", id, apperr.ErrNotFound)
			}
			return fmt.Errorf("team: get: %w", err)
		}
		apply(&t, in)
		if err := validate(&t); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q.Update, t.Name, t.Timezone, t.BusinessHours, s.now(), id); err != nil {
			if store.IsUniqueViolation(err) {
				return apperr.New(apperr.ErrConflict, "A team with this name already exists.")
			}
			return fmt.Errorf("team: update: %w", err)
		}
		out = &t
		return nil
	})
	return out, err
}

// Delete removes a team. A team that a channel routes to, or that still
// holds open conversations, cannot be deleted (apperr.ErrConflict).
func (s *Service) Delete(ctx context.Context, id store.ID) error {
	return s.db.InTx(ctx, func(tx *store.Tx) error {
		var t Team
		if err := store.Get(ctx, tx, &t, s.q.Get, id); err != nil {
			if errors.Is(err, store.ErrNotFound) {
				return fmt.Errorf("team %s: %w", id, apperr.ErrNotFound)
			}
			return fmt.Errorf("team: get: %w", err)
		}
		var inUse bool
		if err := tx.GetContext(ctx, &inUse, s.q.InUse, id); err != nil {
			return fmt.Errorf("team: check use: %w", err)
		}
		if inUse {
			return apperr.New(apperr.ErrConflict, "This team still receives a channel's conversations or holds open conversations.")
		}
		if _, err := tx.ExecContext(ctx, s.q.Delete, id); err != nil {
			if store.IsForeignKeyViolation(err) {
				return apperr.New(apperr.ErrConflict, "This team still receives a channel's conversations or holds open conversations.")
			}
			return fmt.Errorf("team: delete: %w", err)
		}
		return nil
	})
}

func apply(t *Team, in Input) {
	if in.Name != nil {
		t.Name = strings.TrimSpace(*in.Name)
	}
	if in.Timezone != nil {
		t.Timezone = strings.TrimSpace(*in.Timezone)
	}
	if in.BusinessHours != nil {
		t.BusinessHours = *in.BusinessHours
		if t.BusinessHours == nil {
			t.BusinessHours = Hours{}
		}
	}
}

func validate(t *Team) error {
	f := apperr.Fields{}
	switch {
	case t.Name == "":
		f.Add("name", "required")
	case utf8.RuneCountInString(t.Name) > 100:
		f.Add("name", "too long (100 characters at most)")
	}
	if _, err := time.LoadLocation(t.Timezone); err != nil || t.Timezone == "" || t.Timezone == "Local" {
		f.Add("timezone", "unknown time zone (use an IANA name such as America/Sao_Paulo)")
	}
	if len(t.BusinessHours) > 7*8 {
		f.Add("business_hours", "too many intervals")
	}
	for i, iv := range t.BusinessHours {
		s, ok1 := parseHHMM(iv.Start)
		e, ok2 := parseHHMM(iv.End)
		field := fmt.Sprintf("business_hours[%d]", i)
		switch {
		case iv.Weekday < 0 || iv.Weekday > 6:
			f.Add(field, "weekday must be 0 (Sunday) to 6")
		case !ok1 || !ok2:
			f.Add(field, "start and end must be HH:MM")
		case s >= e:
			f.Add(field, "start must be before end")
		}
	}
	return f.Err()
}
