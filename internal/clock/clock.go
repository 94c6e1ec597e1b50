// Package clock gives papo its notion of now. Domain code never calls
// time.Now: it receives a Clock, so tests can move time (the 24-hour window,
// survey timeouts, inactivity, business hours).
package clock

import (
	"sync"
	"time"
)

// Clock returns the current time.
type Clock func() time.Time

// Real is the wall clock in UTC, truncated to microseconds: the precision
// PostgreSQL keeps, so a time read back equals the time written on both engines.
func Real() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

// Fake is a manual clock for tests. It is safe for concurrent use.
type Fake struct {
	mu  sync.Mutex
	now time.Time
}

// NewFake returns a Fake clock set to t.
func NewFake(t time.Time) *Fake { return &Fake{now: t.UTC().Truncate(time.Microsecond)} }

// Now returns the fake current time.
func (f *Fake) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

// Advance moves the clock forward by d.
func (f *Fake) Advance(d time.Duration) {
	f.mu.Lock()
	f.now = f.now.Add(d)
	f.mu.Unlock()
}

// Set moves the clock to t.
func (f *Fake) Set(t time.Time) {
	f.mu.Lock()
	f.now = t.UTC().Truncate(time.Microsecond)
	f.mu.Unlock()
}
