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
