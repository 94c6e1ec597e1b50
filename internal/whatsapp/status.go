package whatsapp

import (
	"encoding/json"
	"fmt"
	"time"
)

// Message statuses. WhatsApp reports sent, delivered, read, played and
// failed; queued is papo's own state before the Graph API accepted a send.
const (
	StatusQueued    = "queued"
	StatusSent      = "sent"
	StatusDelivered = "delivered"
	StatusRead      = "read"
	StatusPlayed    = "played"
	StatusFailed    = "failed"
)

// Status is one delivery update for a message the business sent
// (value.statuses[]). Status is kept as given, including values this
// package does not know (older material mentions "deleted" and "warning").
type Status struct {
	Metadata

	// ID is the wamid of the message we sent.
	ID     string `json:"id"`
	Status string `json:"status"`
	// Timestamp is when the status happened, in UTC.
	Timestamp time.Time `json:"timestamp"`
	// RecipientID is the recipient's wa_id; RecipientUserID and
	// RecipientParentUserID their business-scoped user ids, when given.
	RecipientID           string `json:"recipient_id,omitempty"`
	RecipientUserID       string `json:"recipient_user_id,omitempty"`
	RecipientParentUserID string `json:"recipient_parent_user_id,omitempty"`

	Conversation *Conversation `json:"conversation,omitempty"`
	Pricing      *Pricing      `json:"pricing,omitempty"`
	// Errors explains a failed status (e.g. 131047, 131026).
	Errors []Error `json:"errors,omitempty"`
	// BizOpaqueCallbackData echoes the value set when sending.
	BizOpaqueCallbackData string `json:"biz_opaque_callback_data,omitempty"`

	// Raw is the status object exactly as received.
	Raw json.RawMessage `json:"raw,omitempty"`
}

// Conversation is the billing conversation a status belongs to.
// Expiration is usually only set on "sent" statuses (zero otherwise).
type Conversation struct {
	ID         string    `json:"id,omitempty"`
	Expiration time.Time `json:"expiration,omitzero"`
	OriginType string    `json:"origin_type,omitempty"`
}

// Pricing is a status's pricing information. PricingModel is "CBP"
// (per conversation, older) or "PMP" (per message).
type Pricing struct {
	Billable     bool   `json:"billable"`
	PricingModel string `json:"pricing_model,omitempty"`
	Category     string `json:"category,omitempty"`
	Type         string `json:"type,omitempty"`
}

type wireStatus struct {
	ID                    string     `json:"id"`
	Status                string     `json:"status"`
	Timestamp             flexString `json:"timestamp"`
	RecipientID           string     `json:"recipient_id"`
	RecipientUserID       string     `json:"recipient_user_id"`
	ParentRecipientUserID string     `json:"parent_recipient_user_id"`
	RecipientParentUserID string     `json:"recipient_parent_user_id"`
	Conversation          *struct {
		ID                  string     `json:"id"`
		ExpirationTimestamp flexString `json:"expiration_timestamp"`
		Origin              *struct {
			Type string `json:"type"`
		} `json:"origin"`
	} `json:"conversation"`
	Pricing               *Pricing    `json:"pricing"`
	Errors                []wireError `json:"errors"`
	BizOpaqueCallbackData string      `json:"biz_opaque_callback_data"`
}

// parseStatus decodes one raw status object.
func parseStatus(raw json.RawMessage, meta Metadata) (Status, error) {
	var w wireStatus
	if err := json.Unmarshal(raw, &w); err != nil {
		return Status{}, fmt.Errorf("whatsapp: decode status: %w", err)
	}
	if w.ID == "" {
		return Status{}, fmt.Errorf("whatsapp: status: %w", ErrMissingID)
	}
	ts, err := parseUnix(string(w.Timestamp))
	if err != nil {
		return Status{}, fmt.Errorf("whatsapp: status %s %s: %w", w.ID, w.Status, err)
	}
	s := Status{
		Metadata:              meta,
		ID:                    w.ID,
		Status:                w.Status,
		Timestamp:             ts,
		RecipientID:           w.RecipientID,
		RecipientUserID:       w.RecipientUserID,
		RecipientParentUserID: w.ParentRecipientUserID,
		Pricing:               w.Pricing,
		Errors:                normaliseErrors(w.Errors),
		BizOpaqueCallbackData: w.BizOpaqueCallbackData,
		Raw:                   raw,
	}
	if s.RecipientParentUserID == "" {
		s.RecipientParentUserID = w.RecipientParentUserID
	}
	if c := w.Conversation; c != nil {
		s.Conversation = &Conversation{ID: c.ID}
		if c.Origin != nil {
			s.Conversation.OriginType = c.Origin.Type
		}
		// The expiration is informative: a bad one is dropped, not fatal.
		if t, err := parseUnix(string(c.ExpirationTimestamp)); err == nil {
			s.Conversation.Expiration = t
		}
	}
	return s, nil
}

// StatusRank orders statuses on the delivery ladder: queued 1 < sent 2 <
// delivered 3 < read 4 = played 4. Failed and unknown statuses are not on
// the ladder and rank 0. Use [StatusAdvances] to decide whether an update
// applies; it also handles failed.
func StatusRank(status string) int {
	switch status {
	case StatusQueued:
		return 1
	case StatusSent:
		return 2
	case StatusDelivered:
		return 3
	case StatusRead, StatusPlayed:
		return 4
	}
	return 0
}

// StatusAdvances reports whether a message whose status is current should
// take status next, so that statuses only move forward however webhooks are
// reordered or repeated:
//
//   - on the ladder, only a higher rank advances (read after delivered, not
//     delivered after read; read and played do not replace each other);
//   - failed applies to a message not yet delivered (queued, sent or no
//     status) and is final, except that a later delivered, read or played
//     proves delivery and replaces it;
//   - unknown next statuses never advance; an unknown current status is
//     treated as no status.
func StatusAdvances(current, next string) bool {
	if next == StatusFailed {
		return current != StatusFailed && StatusRank(current) < StatusRank(StatusDelivered)
	}
	nr := StatusRank(next)
	if nr == 0 {
		return false
	}
	if current == StatusFailed {
		return nr >= StatusRank(StatusDelivered)
	}
	return nr > StatusRank(current)
}
