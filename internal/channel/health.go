package channel

import (
	"cmp"
	"context"
	"fmt"
	"time"

	"papo/internal/clip"
	"papo/internal/store"
	"papo/internal/whatsapp"
)

// Channel health (F29). The outbound workers record here what the Graph API
// did with the channel's calls; internal/inbound keeps last_webhook_at and
// counts the deliveries it could not apply.

// Health is what an administrator sees of a channel's traffic.
type Health struct {
	ChannelID     store.ID    `json:"channel_id"`
	LastWebhookAt *time.Time  `json:"last_webhook_at"`
	LastSendAt    *time.Time  `json:"last_send_at"`
	LastError     *GraphError `json:"last_error"`
	// TokenProblem: the latest error says the access token no longer works
	// and no send was accepted since, so sending is broken until an
	// administrator replaces the token.
	TokenProblem      bool `json:"token_problem"`
	FailedMessages24h int  `json:"failed_messages_24h"`
	// FailedDeliveries and WaitingStatuses are the webhook's side: Health
	// leaves them zero for the caller to fill from internal/inbound, which
	// finds the deliveries by PhoneNumberID.
	FailedDeliveries int    `json:"failed_deliveries"`
	WaitingStatuses  int    `json:"waiting_statuses"`
	PhoneNumberID    string `json:"-"`
}

// GraphError is the latest error the Graph API answered a call of the
// channel with: WhatsApp's code as text ("190", or "http_502" without one)
// and a readable reason.
type GraphError struct {
	Code    string    `json:"code"`
	Message string    `json:"message"`
	At      time.Time `json:"at"`
}

type healthRow struct {
	ID            store.ID   `db:"id"`
	PhoneNumberID string     `db:"phone_number_id"`
	LastWebhookAt *time.Time `db:"last_webhook_at"`
	LastSendAt    *time.Time `db:"last_send_at"`
	ErrorCode     *string    `db:"last_error_code"`
	ErrorMessage  *string    `db:"last_error_message"`
	ErrorAt       *time.Time `db:"last_error_at"`
}

// FailedWindow is how far back Health counts failed messages.
const FailedWindow = 24 * time.Hour

// Health returns the health of channel id; apperr.ErrNotFound when there is
// no such channel.
func (s *Service) Health(ctx context.Context, id store.ID) (*Health, error) {
	var r healthRow
	if err := store.Get(ctx, s.db.R, &r, s.q.Health, id); err != nil {
		return nil, fmt.Errorf("channel %s: health: %w", id, err)
	}
	h := r.health()
	if err := s.db.R.GetContext(ctx, &h.FailedMessages24h, s.q.FailedSince, id, s.now().Add(-FailedWindow)); err != nil {
		return nil, fmt.Errorf("channel %s: failed messages: %w", id, err)
	}
	return h, nil
}

func (r *healthRow) health() *Health {
	h := &Health{ChannelID: r.ID, PhoneNumberID: r.PhoneNumberID, LastWebhookAt: r.LastWebhookAt, LastSendAt: r.LastSendAt}
	if r.ErrorAt != nil {
		h.LastError = &GraphError{Code: deref(r.ErrorCode), Message: deref(r.ErrorMessage), At: *r.ErrorAt}
		// At the same instant the order is unknown: a possible token
		// problem is shown rather than hidden.
		h.TokenProblem = tokenCode(h.LastError.Code) && (r.LastSendAt == nil || !r.ErrorAt.Before(*r.LastSendAt))
	}
	return h
}

// tokenCode reports whether a recorded code means the access token no longer
// works: Graph's 190 (expired, revoked, changed password), or an HTTP 401
// that carried no code.
func tokenCode(code string) bool { return code == "190" || code == "http_401" }

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// RecordSend notes that the Graph API accepted a send of channel id. It runs
// in the caller's transaction — the one marking the message sent — so the
// send path gains a statement, not a transaction; callers run it last there,
// as on PostgreSQL it holds the channel row's lock until the commit.
func (s *Service) RecordSend(ctx context.Context, q store.Queryer, id store.ID) error {
	now := s.now()
	if _, err := q.ExecContext(ctx, s.q.SendAccepted, now, id, now); err != nil {
		return fmt.Errorf("channel %s: record send: %w", id, err)
	}
	return nil
}

// maxErrorMessage bounds a recorded error's message (bytes).
const maxErrorMessage = 1000

// RecordGraphError notes e as channel id's latest Graph API error: its code,
// its reason in lang ("pt-BR" or "en") followed by Graph's own words, and
// the time. An accepted send does not clear it; Health compares the times.
func (s *Service) RecordGraphError(ctx context.Context, q store.Queryer, id store.ID, e *whatsapp.APIError, lang string) error {
	now := s.now()
	msg := e.Reason(lang)
	if detail := cmp.Or(e.Details, e.Message); detail != "" {
		msg += " (" + detail + ")" // Graph's text names no credential (APIError.Error)
	}
	if _, err := q.ExecContext(ctx, s.q.GraphError, e.CodeString(), clip.String(msg, maxErrorMessage), now, id, now); err != nil {
		return fmt.Errorf("channel %s: record graph error: %w", id, err)
	}
	return nil
}
