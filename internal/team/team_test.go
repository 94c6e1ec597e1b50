package team

import (
	"testing"
	"time"
)

// TestOpenAtUsesTheTeamsTimeZone (F19 business hours): 09:00–18:00 on
// weekdays in São Paulo (UTC−3).
func TestOpenAtUsesTheTeamsTimeZone(t *testing.T) {
	tm := Team{Timezone: "America/Sao_Paulo", BusinessHours: Hours{
		{Weekday: 1, Start: "09:00", End: "18:00"}, {Weekday: 5, Start: "09:00", End: "12:00"},
	}}
	for _, tc := range []struct {
		at   string
		open bool
	}{
		{"2026-11-23T12:00:00Z", true},  // Monday 09:00 local
		{"2026-11-23T11:59:00Z", false}, // Monday 08:59 local
		{"2026-11-23T20:59:00Z", true},  // Monday 17:59 local
		{"2026-11-23T21:00:00Z", false}, // Monday 18:00 local: closed
		{"2026-11-27T14:00:00Z", true},  // Friday 11:00
		{"2026-11-27T15:00:00Z", false}, // Friday 12:00
		{"2026-11-24T13:00:00Z", false}, // Tuesday: no interval
	} {
		at, _ := time.Parse(time.RFC3339, tc.at)
		if got := tm.OpenAt(at); got != tc.open {
			t.Errorf("OpenAt(%s) = %v, want %v", tc.at, got, tc.open)
		}
	}
	always := Team{Timezone: "UTC"}
	if !always.OpenAt(time.Now()) {
		t.Error("empty business hours must mean always open")
	}
}

func TestValidateHours(t *testing.T) {
	for _, h := range []Interval{{Weekday: 7, Start: "09:00", End: "10:00"}, {Weekday: 1, Start: "9:00", End: "10:00"},
		{Weekday: 1, Start: "10:00", End: "10:00"}, {Weekday: 1, Start: "23:00", End: "24:01"}} {
		tm := Team{Name: "x", Timezone: "UTC", BusinessHours: Hours{h}}
		if validate(&tm) == nil {
			t.Errorf("interval %+v accepted", h)
		}
	}
	ok := Team{Name: "x", Timezone: "UTC", BusinessHours: Hours{{Weekday: 0, Start: "00:00", End: "24:00"}}}
	if err := validate(&ok); err != nil {
		t.Errorf("full day refused: %v", err)
	}
}

// F19: the closed period an out-of-hours reply belongs to starts when the
// team's hours last ended — yesterday evening before opening, earlier today
// at lunch, Friday evening over a weekend — and there is none while open.
func TestClosedSinceNamesTheClosedPeriodF19(t *testing.T) {
	sp, _ := time.LoadLocation("America/Sao_Paulo")
	tm := &Team{Timezone: "America/Sao_Paulo", BusinessHours: Hours{
		{Weekday: 1, Start: "09:00", End: "12:00"}, {Weekday: 1, Start: "13:00", End: "18:00"},
		{Weekday: 2, Start: "09:00", End: "18:00"}, {Weekday: 5, Start: "09:00", End: "17:00"},
	}}
	at := func(d, h, m int) time.Time { return time.Date(2026, 11, d, h, m, 0, 0, sp) } // 2026-11-23 is a Monday
	for _, c := range []struct {
		name   string
		t      time.Time
		closed bool
		since  time.Time
	}{
		{"Monday morning, open", at(23, 10, 0), false, time.Time{}},
		{"Monday lunch", at(23, 12, 30), true, at(23, 12, 0)},
		{"Monday night", at(23, 22, 0), true, at(23, 18, 0)},
		{"Tuesday before opening", at(24, 7, 0), true, at(23, 18, 0)},
		{"Sunday", at(29, 15, 0), true, at(27, 17, 0)},
	} {
		since, closed := tm.ClosedSince(c.t)
		if closed != c.closed || !since.Equal(c.since) {
			t.Errorf("%s: ClosedSince = %v %v, want %v %v", c.name, since.In(sp), closed, c.since.In(sp), c.closed)
		}
	}
}
