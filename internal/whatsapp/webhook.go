package whatsapp

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"time"
)

// ObjectWhatsAppBusinessAccount is the only "object" a WhatsApp webhook
// notification may carry.
const ObjectWhatsAppBusinessAccount = "whatsapp_business_account"

// FieldMessages is the webhook field carrying inbound messages, statuses and
// out-of-band errors.
const FieldMessages = "messages"

// Webhook parsing errors.
var (
	// ErrMalformed is wrapped by [ParseWebhook] when the body is not JSON,
	// does not have the notification shape, or its object is not
	// whatsapp_business_account.
	ErrMalformed = errors.New("whatsapp: malformed webhook payload")
	// ErrBadTimestamp is wrapped in [InvalidItem.Err] when a message or
	// status timestamp is not unix seconds.
	ErrBadTimestamp = errors.New("whatsapp: bad timestamp")
	// ErrMissingID is wrapped in [InvalidItem.Err] when a message or status
	// has no id.
	ErrMissingID = errors.New("whatsapp: missing id")
)

// Metadata says where a webhook item belongs: the WhatsApp Business
// Account (entry id) and the business phone number of its change. Route by
// PhoneNumberID; DisplayPhoneNumber is cosmetic and may be formatted.
type Metadata struct {
	WABAID             string `json:"waba_id,omitempty"`
	PhoneNumberID      string `json:"phone_number_id,omitempty"`
	DisplayPhoneNumber string `json:"display_phone_number,omitempty"`
}

// Notification is a parsed webhook body: every item of every change of
// every entry, in order of appearance, grouped by kind.
type Notification struct {
	// Messages are inbound messages (field "messages", value.messages[]).
	Messages []Inbound
	// Statuses are delivery updates (value.statuses[]).
	Statuses []Status
	// Errors are out-of-band errors (value.errors[]), e.g. 131000
	// "Unsupported webhook payload" or 130429.
	Errors []ChangeError
	// Others are changes of fields other than "messages"
	// (message_template_status_update, account_update, ...), kept raw.
	Others []Other
	// Invalid are the items that could not be read (bad timestamp, no id,
	// wrong JSON types). The rest of the notification is unaffected.
	Invalid []InvalidItem
}

// Len returns the number of items in n, invalid ones included.
func (n *Notification) Len() int {
	return len(n.Messages) + len(n.Statuses) + len(n.Errors) + len(n.Others) + len(n.Invalid)
}

// ChangeError is an out-of-band error reported in a change's value.errors[]
// rather than attached to a message or status.
type ChangeError struct {
	Metadata
	Error
}

// Other is a change of a webhook field this package does not model. Value
// is the change's value exactly as received.
type Other struct {
	Field  string          `json:"field"`
	Value  json.RawMessage `json:"value,omitempty"`
	WABAID string          `json:"waba_id,omitempty"`
	// Time is entry[].time when present (older template status payloads).
	Time time.Time `json:"time,omitzero"`
}

// Kinds of [InvalidItem].
const (
	InvalidMessage  = "message"  // a value.messages[] item
	InvalidStatus   = "status"   // a value.statuses[] item
	InvalidError    = "error"    // a value.errors[] item
	InvalidContacts = "contacts" // value.contacts (messages still parse, without names)
	InvalidMetadata = "metadata" // value.metadata (items parse with empty metadata)
	InvalidValue    = "value"    // the whole value of a "messages" change
)

// InvalidItem is a part of a notification that could not be read. Raw is
// the part exactly as received, so it can be kept and shown with Err.
type InvalidItem struct {
	Metadata
	Kind string
	// Entry, Change and Index locate the item: entry[Entry].changes[Change]
	// and, for items of a list, its position in that list (else -1).
	Entry, Change, Index int
	Raw                  json.RawMessage
	Err                  error
}

type wireEnvelope struct {
	Object string      `json:"object"`
	Entry  []wireEntry `json:"entry"`
}

type wireEntry struct {
	ID      flexString      `json:"id"`
	Time    json.RawMessage `json:"time"` // informative: a bad value is ignored
	Changes []wireChange    `json:"changes"`
}

type wireChange struct {
	Field string          `json:"field"`
	Value json.RawMessage `json:"value"`
}

type wireValue struct {
	Metadata json.RawMessage   `json:"metadata"`
	Contacts json.RawMessage   `json:"contacts"`
	Messages []json.RawMessage `json:"messages"`
	Statuses []json.RawMessage `json:"statuses"`
	Errors   []json.RawMessage `json:"errors"`
}

type wireMetadata struct {
	DisplayPhoneNumber flexString `json:"display_phone_number"`
	PhoneNumberID      flexString `json:"phone_number_id"`
}

// ParseWebhook parses a webhook notification body (F25). It fails, with an
// error wrapping [ErrMalformed], only when the body is not JSON, lacks the
// envelope shape (entry[].changes[]) or is not about a
// whatsapp_business_account. Everything else is returned: unknown fields as
// [Other], unknown message types and status values as given, and items
// that cannot be read in [Notification.Invalid] without failing the batch.
// Verify the signature ([CheckSignature]) on the same bytes first.
func ParseWebhook(body []byte) (*Notification, error) {
	var env wireEnvelope
	if err := json.Unmarshal(body, &env); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	if env.Object != ObjectWhatsAppBusinessAccount {
		return nil, fmt.Errorf("%w: object is %q, want %q", ErrMalformed, env.Object, ObjectWhatsAppBusinessAccount)
	}
	n := &Notification{}
	for ei, e := range env.Entry {
		var entryTime time.Time
		var unix flexInt64
		if len(e.Time) > 0 && json.Unmarshal(e.Time, &unix) == nil && unix > 0 {
			entryTime, _ = parseUnix(strconv.FormatInt(int64(unix), 10))
		}
		for ci, c := range e.Changes {
			if c.Field != FieldMessages {
				n.Others = append(n.Others, Other{Field: c.Field, Value: c.Value, WABAID: string(e.ID), Time: entryTime})
				continue
			}
			n.parseMessagesValue(ei, ci, string(e.ID), c.Value)
		}
	}
	return n, nil
}

// parseMessagesValue adds the items of one "messages" change to n.
func (n *Notification) parseMessagesValue(ei, ci int, wabaID string, value json.RawMessage) {
	meta := Metadata{WABAID: wabaID}
	invalid := func(kind string, index int, raw json.RawMessage, err error) {
		n.Invalid = append(n.Invalid, InvalidItem{
			Metadata: meta, Kind: kind, Entry: ei, Change: ci, Index: index, Raw: raw, Err: err,
		})
	}
	if len(value) == 0 || string(value) == "null" {
		return
	}
	var v wireValue
	if err := json.Unmarshal(value, &v); err != nil {
		invalid(InvalidValue, -1, value, fmt.Errorf("whatsapp: decode value: %w", err))
		return
	}
	if len(v.Metadata) > 0 {
		var md wireMetadata
		if err := json.Unmarshal(v.Metadata, &md); err != nil {
			invalid(InvalidMetadata, -1, v.Metadata, fmt.Errorf("whatsapp: decode metadata: %w", err))
		} else {
			meta.PhoneNumberID = string(md.PhoneNumberID)
			meta.DisplayPhoneNumber = string(md.DisplayPhoneNumber)
		}
	}
	var contacts []wireContact
	if len(v.Contacts) > 0 {
		if err := json.Unmarshal(v.Contacts, &contacts); err != nil {
			contacts = nil
			invalid(InvalidContacts, -1, v.Contacts, fmt.Errorf("whatsapp: decode contacts: %w", err))
		}
	}
	for i, raw := range v.Messages {
		m, err := parseInbound(raw, meta, contacts)
		if err != nil {
			invalid(InvalidMessage, i, raw, err)
			continue
		}
		n.Messages = append(n.Messages, m)
	}
	for i, raw := range v.Statuses {
		s, err := parseStatus(raw, meta)
		if err != nil {
			invalid(InvalidStatus, i, raw, err)
			continue
		}
		n.Statuses = append(n.Statuses, s)
	}
	for i, raw := range v.Errors {
		var w wireError
		if err := json.Unmarshal(raw, &w); err != nil {
			invalid(InvalidError, i, raw, fmt.Errorf("whatsapp: decode error: %w", err))
			continue
		}
		n.Errors = append(n.Errors, ChangeError{Metadata: meta, Error: w.normalise()})
	}
}

// ParseVerification reads the query of Meta's GET verification request
// (hub.mode, hub.verify_token, hub.challenge). ok is false unless hub.mode
// is "subscribe". The caller compares verifyToken with its channels' verify
// tokens and, on a match, answers 200 with challenge exactly as given (it
// is not a number to parse); otherwise 403.
func ParseVerification(q url.Values) (verifyToken, challenge string, ok bool) {
	if q.Get("hub.mode") != "subscribe" {
		return "", "", false
	}
	return q.Get("hub.verify_token"), q.Get("hub.challenge"), true
}
