// Package message holds the messages of conversations — customers' and
// agents' WhatsApp messages, automatic ones, and internal notes — with their
// delivery status, reactions, media and ticket links (F18, F30).
package message

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"papo/internal/apperr"
	"papo/internal/clip"
	"papo/internal/clock"
	"papo/internal/contact"
	"papo/internal/store"
	"papo/internal/whatsapp"
)

//go:embed *.sql
var queryFS embed.FS

// Directions. Notes are stored beside messages so that they share the
// timeline and ticket links, but they are never sent.
const (
	DirectionIn   = "in"
	DirectionOut  = "out"
	DirectionNote = "note"
)

// Author types.
const (
	AuthorContact = "contact"
	AuthorAgent   = "agent"
	AuthorSystem  = "system"
)

// Statuses. "received" is every inbound message's; outbound ones move
// forward only: queued < sent < delivered < read, failed aside.
const (
	StatusQueued    = "queued"
	StatusSent      = "sent"
	StatusDelivered = "delivered"
	StatusRead      = "read"
	StatusFailed    = "failed"
	StatusReceived  = "received"
)

// Message is what the API shows (api.md "Messages"). Text is plain text:
// clients render it escaped.
type Message struct {
	ID             store.ID        `json:"id"`
	ConversationID store.ID        `json:"conversation_id"`
	Direction      string          `json:"direction"`
	Author         Author          `json:"author"`
	Type           string          `json:"type"`
	Text           string          `json:"text"`
	Media          *Media          `json:"media"`
	Payload        json.RawMessage `json:"payload"`
	ReplyToID      *store.ID       `json:"reply_to_id"`
	Reactions      []Reaction      `json:"reactions"`
	Status         string          `json:"status"`
	Error          *Error          `json:"error"`
	WAMessageID    *string         `json:"wa_message_id"`
	TicketNumbers  []int64         `json:"ticket_numbers"`
	CreatedAt      time.Time       `json:"created_at"`
	// EditedAt is set when the customer edited the message (text is then
	// the newest version); RevokedAt when they deleted it for everyone
	// (papo keeps what it received: agents may have read it, tickets quote it).
	EditedAt  *time.Time `json:"edited_at"`
	RevokedAt *time.Time `json:"revoked_at"`
}

// Author says who wrote a message.
type Author struct {
	Type string    `json:"type"`
	ID   *store.ID `json:"id"`
	Name string    `json:"name"`
}

// Media describes a message's file; URL streams it to permitted callers.
type Media struct {
	ID       store.ID `json:"id" db:"id"`
	MimeType string   `json:"mime_type" db:"mime_type"`
	Filename string   `json:"filename" db:"filename"`
	Size     int64    `json:"size" db:"size"`
	URL      string   `json:"url" db:"-"`
	State    string   `json:"state" db:"state"`
}

// Reaction is one person's emoji on a message; a later one replaces it.
type Reaction struct {
	Emoji string `json:"emoji"`
	By    string `json:"by"`
}

// Error explains a failed message: the WhatsApp code as a string (or papo's
// own) and a sentence an agent can act on.
type Error struct {
	Code      string `json:"code"`
	Message   string `json:"message"`
	Retryable bool   `json:"retryable"`
}

// Row is a message as stored.
type Row struct {
	ID             store.ID   `db:"id"`
	ConversationID store.ID   `db:"conversation_id"`
	ChannelID      store.ID   `db:"channel_id"`
	ContactID      store.ID   `db:"contact_id"`
	Direction      string     `db:"direction"`
	AuthorType     string     `db:"author_type"`
	AuthorID       *store.ID  `db:"author_id"`
	Type           string     `db:"type"`
	Text           string     `db:"text"`
	MediaID        *store.ID  `db:"media_id"`
	Payload        string     `db:"payload"`
	ReplyToID      *store.ID  `db:"reply_to_id"`
	ReplyToWaID    *string    `db:"reply_to_wa_id"`
	WAMessageID    *string    `db:"wa_message_id"`
	Status         string     `db:"status"`
	ErrorCode      *string    `db:"error_code"`
	ErrorMessage   *string    `db:"error_message"`
	ErrorRetryable *bool      `db:"error_retryable"`
	CreatedAt      time.Time  `db:"created_at"`
	EditedAt       *time.Time `db:"edited_at"`
	RevokedAt      *time.Time `db:"revoked_at"`
}

// Options configure a Service.
type Options struct {
	DB       *store.DB
	Log      *slog.Logger
	Now      clock.Clock
	Contacts *contact.Service
}

// Service stores and presents messages. It is safe for concurrent use.
type Service struct {
	db       *store.DB
	log      *slog.Logger
	now      clock.Clock
	contacts *contact.Service
	q        queries
}

type queries struct {
	InsertInbound  string `query:"insert-inbound,rows"`
	IDByWaID       string `query:"id-by-wa-id"`
	InsertOutbound string `query:"insert-outbound"`
	IDByKey        string `query:"id-by-idempotency-key"`
	GetMany        string `query:"get-messages,in"`
	Get            string `query:"get-message"`
	StatusByWaID   string `query:"status-by-wa-id"`
	SetStatus      string `query:"set-status"`
	SetSent        string `query:"set-sent"`
	UpsertReaction string `query:"upsert-reaction"`
	EditInbound    string `query:"edit-inbound"`
	SetReplyTo     string `query:"set-reply-to"`
	TextOf         string `query:"text-of"`
	RevokeInbound  string `query:"revoke-inbound"`
	DeleteReaction string `query:"delete-reaction"`
	ReactionsOf    string `query:"reactions-of,in"`
	TicketNumbers  string `query:"ticket-numbers-of,in"`
	MediaOf        string `query:"media-of,in"`
	UserNames      string `query:"user-names,in"`
}

// New returns a Service.
func New(o Options) (*Service, error) {
	s := &Service{db: o.DB, log: o.Log, now: o.Now, contacts: o.Contacts}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.now == nil {
		s.now = clock.Real
	}
	if err := store.LoadQueries(queryFS, o.DB.Dialect, &s.q); err != nil {
		return nil, fmt.Errorf("message: %w", err)
	}
	return s, nil
}

// MaxText bounds stored text (WhatsApp's own limit for a text body is 4096).
const MaxText = 65536

// Inbound is a customer message to store.
type Inbound struct {
	ConversationID, ChannelID, ContactID store.ID
	Type                                 string
	Text                                 string
	MediaID                              *store.ID
	Payload                              json.RawMessage
	ReplyToWaID                          string
	WAMessageID                          string
	At                                   time.Time
}

// InsertInbound stores a customer message once per WhatsApp id; inserted is
// false when it was already there (a redelivery), id then the stored one.
func (s *Service) InsertInbound(ctx context.Context, tx *store.Tx, in Inbound) (id store.ID, inserted bool, err error) {
	ids, err := s.InsertInboundMany(ctx, tx, []Inbound{in})
	if err != nil {
		return 0, false, err
	}
	if ids[0] != 0 {
		return ids[0], true, nil
	}
	id, err = s.IDByWaID(ctx, tx, in.ChannelID, in.WAMessageID)
	if err != nil {
		return 0, false, fmt.Errorf("message: inbound id: %w", err)
	}
	return id, false, nil
}

// InsertInboundMany stores customer messages, a chunk of rows per
// statement, each once per WhatsApp id: ids[i] is the new id of ins[i], or 0
// when papo had that message already. A reply's quoted message is looked up
// here (it may be missing: then only its WhatsApp id is kept).
func (s *Service) InsertInboundMany(ctx context.Context, tx *store.Tx, ins []Inbound) ([]store.ID, error) {
	type waKey struct {
		channel store.ID
		wa      string
	}
	ids := make([]store.ID, len(ins))
	err := store.Chunks(len(ins), func(lo, hi int) error {
		q, err := s.db.Rows(s.q.InsertInbound, hi-lo)
		if err != nil {
			return err
		}
		now := s.now()
		args := make([]any, 0, 12*(hi-lo))
		var unresolved []int // replies whose quoted message may be in this chunk
		for i, in := range ins[lo:hi] {
			var replyTo *store.ID
			var replyWa *string
			if in.ReplyToWaID != "" {
				replyWa = &in.ReplyToWaID
				var rid store.ID
				if err := store.Get(ctx, tx, &rid, s.q.IDByWaID, in.ChannelID, in.ReplyToWaID); err == nil {
					replyTo = &rid
				} else if !errors.Is(err, store.ErrNotFound) {
					return fmt.Errorf("message: quoted message: %w", err)
				} else {
					unresolved = append(unresolved, lo+i)
				}
			}
			payload := string(in.Payload)
			if payload == "" {
				payload = "{}"
			}
			args = append(args, in.ConversationID, in.ChannelID, in.ContactID, in.Type, clip.String(in.Text, MaxText), in.MediaID,
				payload, replyTo, replyWa, in.WAMessageID, in.At, now)
		}
		var rows []struct {
			ID        store.ID `db:"id"`
			ChannelID store.ID `db:"channel_id"`
			WaID      string   `db:"wa_message_id"`
		}
		if err := tx.SelectContext(ctx, &rows, q, args...); err != nil {
			return fmt.Errorf("message: insert inbound: %w", err)
		}
		got := make(map[waKey]store.ID, len(rows))
		for _, r := range rows {
			got[waKey{r.ChannelID, r.WaID}] = r.ID
		}
		inChunk := make(map[waKey]store.ID, len(rows))
		for k, id := range got {
			inChunk[k] = id
		}
		for i := lo; i < hi; i++ {
			k := waKey{ins[i].ChannelID, ins[i].WAMessageID}
			ids[i] = got[k]
			delete(got, k) // the same message twice: the first one is the new one
		}
		// A reply to a message written just before it, in the same chunk.
		for _, i := range unresolved {
			target, ok := inChunk[waKey{ins[i].ChannelID, ins[i].ReplyToWaID}]
			if !ok || ids[i] == 0 {
				continue
			}
			if _, err := tx.ExecContext(ctx, s.q.SetReplyTo, target, ids[i]); err != nil {
				return fmt.Errorf("message: quoted message: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return ids, nil
}

// Outbound is a message papo sends (or a note it keeps).
type Outbound struct {
	ConversationID, ChannelID, ContactID store.ID
	Direction                            string // out or note
	AuthorType                           string
	AuthorID                             *store.ID
	Type                                 string
	Text                                 string
	MediaID                              *store.ID
	Payload                              json.RawMessage
	ReplyToID                            *store.ID
	IdempotencyKey                       string
}

// InsertOutbound stores an outgoing message (status queued) or a note. With
// an idempotency key, a second insert by the same author returns the first
// message and created=false.
func (s *Service) InsertOutbound(ctx context.Context, tx *store.Tx, in Outbound) (id store.ID, created bool, err error) {
	var key *string
	if in.IdempotencyKey != "" && in.AuthorID != nil {
		key = &in.IdempotencyKey
		err := store.Get(ctx, tx, &id, s.q.IDByKey, *in.AuthorID, in.IdempotencyKey)
		if err == nil {
			return id, false, nil
		}
		if !errors.Is(err, store.ErrNotFound) {
			return 0, false, fmt.Errorf("message: idempotency key: %w", err)
		}
	}
	status := StatusQueued
	if in.Direction == DirectionNote {
		status = StatusSent
	}
	payload := string(in.Payload)
	if payload == "" {
		payload = "{}"
	}
	now := s.now()
	if err := tx.GetContext(ctx, &id, s.q.InsertOutbound, in.ConversationID, in.ChannelID, in.ContactID, in.Direction,
		in.AuthorType, in.AuthorID, in.Type, clip.String(in.Text, MaxText), in.MediaID, payload, in.ReplyToID, status, key, now, now); err != nil {
		if store.IsUniqueViolation(err) {
			return 0, false, apperr.New(apperr.ErrConflict, "A message with this Idempotency-Key is being sent.")
		}
		return 0, false, fmt.Errorf("message: insert outbound: %w", err)
	}
	return id, true, nil
}

// MarkSent records the WhatsApp id of a message the Graph API accepted.
func (s *Service) MarkSent(ctx context.Context, q store.Queryer, id store.ID, waID string) error {
	if _, err := q.ExecContext(ctx, s.q.SetSent, waID, s.now(), id); err != nil {
		return fmt.Errorf("message: mark sent: %w", err)
	}
	return nil
}

// MarkFailed records why a message could not be sent.
func (s *Service) MarkFailed(ctx context.Context, q store.Queryer, id store.ID, e Error) error {
	if _, err := q.ExecContext(ctx, s.q.SetStatus, StatusFailed, e.Code, e.Message, e.Retryable, s.now(), id); err != nil {
		return fmt.Errorf("message: mark failed: %w", err)
	}
	return nil
}

// ApplyStatus moves an outbound message's status forward (an older status
// arriving late changes nothing). found is false when no message has that
// WhatsApp id yet (the caller keeps the status for later); changed reports
// an update.
func (s *Service) ApplyStatus(ctx context.Context, tx *store.Tx, channelID store.ID, waID, status string, e *Error) (id store.ID, found, changed bool, err error) {
	var cur struct {
		ID     store.ID `db:"id"`
		Status string   `db:"status"`
	}
	if err := store.Get(ctx, tx, &cur, s.q.StatusByWaID, channelID, waID); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return 0, false, false, nil
		}
		return 0, false, false, fmt.Errorf("message: status lookup: %w", err)
	}
	if status == "played" {
		status = StatusRead
	}
	if !whatsapp.StatusAdvances(cur.Status, status) {
		return cur.ID, true, false, nil
	}
	var code, msg *string
	var retry *bool
	if status == StatusFailed && e != nil {
		code, msg, retry = &e.Code, &e.Message, &e.Retryable
	}
	if _, err := tx.ExecContext(ctx, s.q.SetStatus, status, code, msg, retry, s.now(), cur.ID); err != nil {
		return 0, false, false, fmt.Errorf("message: set status: %w", err)
	}
	return cur.ID, true, true, nil
}

// IDByWaID returns the message with a WhatsApp id on a channel.
func (s *Service) IDByWaID(ctx context.Context, q store.Queryer, channelID store.ID, waID string) (store.ID, error) {
	var id store.ID
	if err := store.Get(ctx, q, &id, s.q.IDByWaID, channelID, waID); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return 0, fmt.Errorf("message %s: %w", waID, apperr.ErrNotFound)
		}
		return 0, fmt.Errorf("message: by wa id: %w", err)
	}
	return id, nil
}

// SetReaction sets (or, with an empty emoji, removes) one reactor's reaction.
func (s *Service) SetReaction(ctx context.Context, tx *store.Tx, messageID store.ID, reactor, emoji string, at time.Time) error {
	var err error
	if strings.TrimSpace(emoji) == "" {
		_, err = tx.ExecContext(ctx, s.q.DeleteReaction, messageID, reactor)
	} else {
		_, err = tx.ExecContext(ctx, s.q.UpsertReaction, messageID, reactor, emoji, at)
	}
	if err != nil {
		return fmt.Errorf("message: reaction: %w", err)
	}
	return nil
}

// Load reads one message row.
func (s *Service) Load(ctx context.Context, q store.Queryer, id store.ID) (*Row, error) {
	if q == nil {
		q = s.db.R
	}
	var r Row
	if err := store.Get(ctx, q, &r, s.q.Get, id); err != nil {
		return nil, fmt.Errorf("message %s: %w", id, err) // store.ErrNotFound is a 404
	}
	return &r, nil
}

// LoadMany reads message rows by id, in no particular order.
func (s *Service) LoadMany(ctx context.Context, q store.Queryer, ids []store.ID) ([]Row, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	if q == nil {
		q = s.db.R
	}
	query, args, err := s.db.In(s.q.GetMany, ids)
	if err != nil {
		return nil, err
	}
	var rows []Row
	if err := q.SelectContext(ctx, &rows, query, args...); err != nil {
		return nil, fmt.Errorf("message: load many: %w", err)
	}
	return rows, nil
}

// MediaURL is where the API streams a media file.
func MediaURL(id store.ID) string { return "/api/v1/media/" + id.String() }

// Present turns rows into API messages (in the given order), loading
// authors, media, reactions and ticket numbers in a few queries.
func (s *Service) Present(ctx context.Context, q store.Queryer, rows []Row) ([]Message, error) {
	if q == nil {
		q = s.db.R
	}
	out := make([]Message, len(rows))
	if len(rows) == 0 {
		return out, nil
	}
	var ids, users, contacts, media []store.ID
	for _, r := range rows {
		ids = append(ids, r.ID)
		if r.AuthorID != nil {
			users = append(users, *r.AuthorID)
		}
		if r.AuthorType == AuthorContact {
			contacts = append(contacts, r.ContactID)
		}
		if r.MediaID != nil {
			media = append(media, *r.MediaID)
		}
	}
	names := map[store.ID]string{}
	if len(users) > 0 {
		var us []struct {
			ID   store.ID `db:"id"`
			Name string   `db:"name"`
		}
		if err := s.selectIn(ctx, q, &us, s.q.UserNames, users); err != nil {
			return nil, err
		}
		for _, u := range us {
			names[u.ID] = u.Name
		}
	}
	cs, err := s.contacts.GetContacts(ctx, q, contacts)
	if err != nil {
		return nil, err
	}
	mediaByID := map[store.ID]*Media{}
	if len(media) > 0 {
		var ms []Media
		if err := s.selectIn(ctx, q, &ms, s.q.MediaOf, media); err != nil {
			return nil, err
		}
		for i := range ms {
			ms[i].URL = MediaURL(ms[i].ID)
			mediaByID[ms[i].ID] = &ms[i]
		}
	}
	var reactions []struct {
		MessageID store.ID `db:"message_id"`
		Reactor   string   `db:"reactor"`
		Emoji     string   `db:"emoji"`
	}
	if err := s.selectIn(ctx, q, &reactions, s.q.ReactionsOf, ids); err != nil {
		return nil, err
	}
	reactBy := map[store.ID][]Reaction{}
	for _, r := range reactions {
		reactBy[r.MessageID] = append(reactBy[r.MessageID], Reaction{Emoji: r.Emoji, By: r.Reactor})
	}
	var tickets []struct {
		MessageID store.ID `db:"message_id"`
		Number    int64    `db:"number"`
	}
	if err := s.selectIn(ctx, q, &tickets, s.q.TicketNumbers, ids); err != nil {
		return nil, err
	}
	ticketsBy := map[store.ID][]int64{}
	for _, t := range tickets {
		ticketsBy[t.MessageID] = append(ticketsBy[t.MessageID], t.Number)
	}
	for i, r := range rows {
		m := Message{
			ID: r.ID, ConversationID: r.ConversationID, Direction: r.Direction, Type: r.Type, Text: r.Text,
			Payload: json.RawMessage(r.Payload), ReplyToID: r.ReplyToID, Status: r.Status, WAMessageID: r.WAMessageID,
			CreatedAt: r.CreatedAt, EditedAt: r.EditedAt, RevokedAt: r.RevokedAt, Reactions: reactBy[r.ID], TicketNumbers: ticketsBy[r.ID],
			Author: Author{Type: r.AuthorType, ID: r.AuthorID},
		}
		if len(m.Payload) == 0 || !json.Valid(m.Payload) {
			m.Payload = json.RawMessage("{}")
		}
		if m.Reactions == nil {
			m.Reactions = []Reaction{}
		}
		if m.TicketNumbers == nil {
			m.TicketNumbers = []int64{}
		}
		switch r.AuthorType {
		case AuthorContact:
			cid := r.ContactID
			m.Author.ID = &cid
			if c := cs[r.ContactID]; c != nil {
				m.Author.Name = c.DisplayName
			}
		case AuthorAgent:
			if r.AuthorID != nil {
				m.Author.Name = names[*r.AuthorID]
			}
		case AuthorSystem:
			m.Author.Name = "papo"
		}
		if r.MediaID != nil {
			m.Media = mediaByID[*r.MediaID]
		}
		if r.ErrorCode != nil {
			m.Error = &Error{Code: *r.ErrorCode}
			if r.ErrorMessage != nil {
				m.Error.Message = *r.ErrorMessage
			}
			if r.ErrorRetryable != nil {
				m.Error.Retryable = *r.ErrorRetryable
			}
		}
		out[i] = m
	}
	return out, nil
}

func (s *Service) selectIn(ctx context.Context, q store.Queryer, dst any, query string, ids []store.ID) error {
	qq, args, err := s.db.In(query, ids)
	if err != nil {
		return err
	}
	if err := q.SelectContext(ctx, dst, qq, args...); err != nil {
		return fmt.Errorf("message: present: %w", err)
	}
	return nil
}

// Edit sets an inbound message's text to a customer's edit made at at,
// returning the text it replaced; changed is false when nothing changed
// (not a customer message, deleted, or a newer edit applied already).
func (s *Service) Edit(ctx context.Context, tx *store.Tx, id store.ID, text string, at time.Time) (previous string, changed bool, err error) {
	if err := tx.GetContext(ctx, &previous, s.q.TextOf, id); err != nil {
		return "", false, fmt.Errorf("message: edit: %w", err)
	}
	res, err := tx.ExecContext(ctx, s.q.EditInbound, clip.String(text, MaxText), at, s.now(), id, at)
	if err != nil {
		return "", false, fmt.Errorf("message: edit: %w", err)
	}
	n, _ := res.RowsAffected()
	return previous, n == 1, nil
}

// Revoke marks an inbound message deleted by the customer at at; changed
// is false when it was already (or is not a customer message).
func (s *Service) Revoke(ctx context.Context, tx *store.Tx, id store.ID, at time.Time) (changed bool, err error) {
	res, err := tx.ExecContext(ctx, s.q.RevokeInbound, at, s.now(), id)
	if err != nil {
		return false, fmt.Errorf("message: revoke: %w", err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}
