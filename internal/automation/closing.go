// Package automation holds what papo sends on its own: the closing message
// of a manual close (F16, F28), the greeting and the out-of-hours reply
// (F19, arrivals.go). Surveys and inactivity close will live here too.
package automation

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"papo/internal/auth"
	"papo/internal/conversation"
	"papo/internal/outbound"
	"papo/internal/settings"
	"papo/internal/store"
)

// Queuer stores an automatic message with its send job in the caller's
// transaction (outbound.Service.QueueSystem).
type Queuer interface {
	QueueSystem(ctx context.Context, tx *store.Tx, conv *conversation.Row, in outbound.SystemInput) (store.ID, bool, error)
}

// Closing sends the closing message when a conversation is closed by hand.
// It implements conversation.ClosingSender: it runs inside the closing
// transaction, so the message is queued exactly once with the close (a
// conversation closes once), and it is skipped for contacts with automatic
// messages blocked (F17). Outside the 24-hour window the template chosen in
// settings goes instead (F28); without one, nothing is sent.
// The satisfaction survey follows (F20, survey.go).
type Closing struct {
	Settings *settings.Service
	Queue    Queuer
	Log      *slog.Logger
	// Surveys sends the satisfaction survey after the closing message
	// (F20); nil sends none.
	Surveys *Surveys
}

var _ conversation.ClosingSender = (*Closing)(nil)

// SendClosing queues the closing message and then the survey, if asked and
// configured.
func (c *Closing) SendClosing(ctx context.Context, tx *store.Tx, conv *conversation.Row, actor *auth.Principal, sendMessage, sendSurvey bool) ([]store.ID, error) {
	if (!sendMessage && !sendSurvey) || c.Queue == nil {
		return nil, nil
	}
	d, err := c.Settings.GetTx(ctx, tx)
	if err != nil {
		return nil, err
	}
	var queued []store.ID
	if sendMessage {
		id, err := c.closingMessage(ctx, tx, conv, d)
		if err != nil {
			return nil, err
		}
		if id != 0 {
			queued = append(queued, id)
		}
	}
	if sendSurvey && c.Surveys != nil {
		manual := conv.ClosedReason == nil || *conv.ClosedReason != conversation.ReasonInactivity
		id, err := c.Surveys.Send(ctx, tx, conv, d, manual)
		if err != nil {
			return nil, err
		}
		if id != 0 {
			queued = append(queued, id)
		}
	}
	return queued, nil
}

func (c *Closing) closingMessage(ctx context.Context, tx *store.Tx, conv *conversation.Row, d settings.Document) (store.ID, error) {
	in := outbound.SystemInput{Text: strings.TrimSpace(d.ClosingMessage.Text)}
	if name := strings.TrimSpace(d.ClosingMessage.Template); name != "" {
		in.Template = &outbound.TemplateInput{Name: name, Language: d.ClosingMessage.TemplateLanguage}
	}
	if in.Text == "" && in.Template == nil {
		return 0, nil
	}
	id, queued, err := c.Queue.QueueSystem(ctx, tx, conv, in)
	if err != nil {
		return 0, fmt.Errorf("automation: closing message: %w", err)
	}
	if c.Log != nil {
		c.Log.InfoContext(ctx, "closing message", "conversation_id", conv.ID, "queued", queued, "message_id", id)
	}
	return id, nil
}
