// Package apperr holds the kinds of failure every domain package shares.
// Domains return these (wrapped with %w and their own prefix); the HTTP layer
// maps each kind to one status and error code of api.md in one place. No
// transport detail and no translated text lives here.
package apperr

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
)

// Sentinel kinds. Wrap them: fmt.Errorf("conversation %s: %w", id, apperr.ErrNotFound).
var (
	// ErrNotFound: the resource does not exist or the caller may not see it.
	ErrNotFound = errors.New("not found")
	// ErrForbidden: the resource is visible but the caller's role may not act on it.
	ErrForbidden = errors.New("forbidden")
	// ErrConflict: the resource is in a state that forbids the action (taken, closed twice, duplicate).
	ErrConflict = errors.New("conflict")
	// ErrUnauthenticated: no valid session or token, or wrong credentials.
	ErrUnauthenticated = errors.New("unauthenticated")
	// ErrWindowClosed: free-form WhatsApp message outside the 24-hour window.
	ErrWindowClosed = errors.New("the 24-hour window is closed")
	// ErrTicketNotFound: no ticket with that number (visible to the caller).
	ErrTicketNotFound = errors.New("ticket not found")
	// ErrUnavailable: a dependency (database, WhatsApp) cannot answer now.
	ErrUnavailable = errors.New("unavailable")
)

// ValidationError names each bad input field and what is wrong with it.
// Messages are short English phrases safe to show; clients translate by field.
type ValidationError struct {
	Fields map[string]string
}

// Error lists the fields in a stable order.
func (e *ValidationError) Error() string {
	keys := make([]string, 0, len(e.Fields))
	for k := range e.Fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + ": " + e.Fields[k]
	}
	return "invalid input: " + strings.Join(parts, "; ")
}

// Invalid returns a ValidationError for one field.
func Invalid(field, msg string) *ValidationError {
	return &ValidationError{Fields: map[string]string{field: msg}}
}

// Fields collects validation problems; Err returns nil when there are none.
type Fields map[string]string

// Add records a problem with field unless one is already recorded.
func (f Fields) Add(field, msg string) {
	if _, ok := f[field]; !ok {
		f[field] = msg
	}
}

// Err returns the collected problems as a *ValidationError, or nil.
func (f Fields) Err() error {
	if len(f) == 0 {
		return nil
	}
	return &ValidationError{Fields: map[string]string(f)}
}

// RateLimitedError asks the caller to wait before trying again.
type RateLimitedError struct {
	RetryAfter time.Duration
}

func (e *RateLimitedError) Error() string {
	return fmt.Sprintf("too many attempts; retry after %s", e.RetryAfter.Round(time.Second))
}

// Error is a failure of one of the kinds above with a message safe to show
// to an agent ("this e-mail is already in use").
type Error struct {
	Kind error
	Msg  string
}

func (e *Error) Error() string { return e.Msg }

// Unwrap returns the kind, so errors.Is(err, ErrConflict) holds.
func (e *Error) Unwrap() error { return e.Kind }

// New returns an error of kind with a message safe to show.
func New(kind error, msg string) error { return &Error{Kind: kind, Msg: msg} }
