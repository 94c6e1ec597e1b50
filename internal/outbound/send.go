package outbound

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/riverqueue/river"

	"papo/internal/apperr"
	"papo/internal/auth"
	"papo/internal/conversation"
	"papo/internal/jobs"
	"papo/internal/message"
	"papo/internal/store"
	"papo/internal/whatsapp"
)

// Message types an agent may send (api.md "Messages").
const (
	TypeText     = "text"
	TypeImage    = "image"
	TypeAudio    = "audio"
	TypeVideo    = "video"
	TypeDocument = "document"
	TypeSticker  = "sticker"
	TypeReaction = "reaction"
	TypeTemplate = "template"
)

// Limits WhatsApp puts on what is sent.
const (
	MaxCaption        = 1024 // characters of a media caption
	MaxIdempotencyKey = 255
)

// SendInput is one message an agent sends. Type picks the fields that
// matter: Text (text), MediaID and Caption (image, audio, video, document,
// sticker), Reaction, Template. ReplyToID quotes a message of the
// conversation's timeline.
type SendInput struct {
	Type           string
	Text           string
	ReplyToID      store.ID
	MediaID        store.ID
	Caption        string
	Reaction       *ReactionInput
	Template       *TemplateInput
	IdempotencyKey string
}

// ReactionInput reacts to a message with an emoji; an empty emoji removes
// the reaction.
type ReactionInput struct {
	MessageID store.ID
	Emoji     string
}

// SendArgs is the durable job that sends one message.
type SendArgs struct {
	MessageID store.ID `json:"message_id"`
}

// Kind names the job.
func (SendArgs) Kind() string { return "outbound_send" }

// InsertOpts puts sends in the outbound queue, one job per message.
func (SendArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: jobs.QueueOutbound, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

var (
	errClosed      = apperr.New(apperr.ErrConflict, "This conversation is closed.")
	errWindow      = apperr.New(apperr.ErrWindowClosed, "The 24-hour window is closed: the customer has not written for more than 24 hours. Send an approved template instead.")
	errKeyElsewhre = apperr.New(apperr.ErrConflict, "This Idempotency-Key was already used for a message in another conversation.")
	errNotSentYet  = apperr.New(apperr.ErrConflict, "That message has not reached WhatsApp yet: react once it is sent.")
)

// checkShape validates what needs no database, naming each bad field.
func (in *SendInput) checkShape() error {
	f := apperr.Fields{}
	switch in.Type {
	case TypeText:
		if strings.TrimSpace(in.Text) == "" {
			f.Add("text", "required")
		} else if n := utf8.RuneCountInString(in.Text); n > whatsapp.MaxTextLength {
			f.Add("text", fmt.Sprintf("at most %d characters (got %d)", whatsapp.MaxTextLength, n))
		}
	case TypeImage, TypeAudio, TypeVideo, TypeDocument, TypeSticker:
		if in.MediaID == 0 {
			f.Add("media_id", "required: the id of a file uploaded with POST /api/v1/media")
		}
		if in.Caption != "" && (in.Type == TypeAudio || in.Type == TypeSticker) {
			f.Add("caption", in.Type+" messages take no caption")
		} else if n := utf8.RuneCountInString(in.Caption); n > MaxCaption {
			f.Add("caption", fmt.Sprintf("at most %d characters (got %d)", MaxCaption, n))
		}
	case TypeReaction:
		switch {
		case in.Reaction == nil:
			f.Add("reaction", "required: {\"message_id\", \"emoji\"}")
		case in.Reaction.MessageID == 0:
			f.Add("reaction.message_id", "required")
		case !isEmoji(in.Reaction.Emoji):
			f.Add("reaction.emoji", "must be one emoji, or empty to remove the reaction")
		}
	case TypeTemplate:
		if in.Template == nil {
			f.Add("template", "required: {\"name\", \"language\", \"parameters\"}")
		} else if strings.TrimSpace(in.Template.Name) == "" {
			f.Add("template.name", "required")
		}
	case "":
		f.Add("type", "required")
	default:
		f.Add("type", "must be text, image, audio, video, document, sticker, reaction or template")
	}
	if n := len(in.IdempotencyKey); n > MaxIdempotencyKey {
		f.Add("idempotency_key", fmt.Sprintf("at most %d characters", MaxIdempotencyKey))
	} else if strings.IndexFunc(in.IdempotencyKey, func(r rune) bool { return r < 0x21 || r > 0x7e }) >= 0 {
		f.Add("idempotency_key", "printable ASCII only")
	}
	return f.Err()
}

// isEmoji accepts an empty string (removal) or a short run of symbols: one
// emoji may take several code points (skin tones, ZWJ sequences, flags).
func isEmoji(s string) bool {
	if s == "" {
		return true
	}
	if utf8.RuneCountInString(s) > 12 {
		return false
	}
	for _, r := range s {
		if r < 0x80 && r != '#' && r != '*' && !unicode.IsDigit(r) {
			return false
		}
		if unicode.IsLetter(r) || unicode.IsSpace(r) {
			return false
		}
	}
	return true
}

// needsWindow reports whether a type may only be sent within 24 hours of
// the customer's last message (F15: everything but templates).
func needsWindow(typ string) bool { return typ != TypeTemplate }

// Send stores a message an agent sends in a conversation and queues it
// (F10, F15, F26), checking in this order: the conversation is visible to p
// (else apperr.ErrNotFound), the input's shape (validation errors naming
// fields), an Idempotency-Key already used by p (the first message is
// returned with created false; nothing is queued again), a closed
// conversation (apperr.ErrConflict), the 24-hour window for everything but
// templates (apperr.ErrWindowClosed), then references: the quoted message,
// the file, the reaction's target, the template and its values.
//
// The message (status queued), the conversation's last activity, taking an
// unassigned conversation (the first reply assigns it to the sender) and
// the send job commit together. Reactions are not new timeline messages:
// they do not change the conversation's last message.
func (s *Service) Send(ctx context.Context, p *auth.Principal, convID store.ID, in SendInput) (*message.Message, bool, error) {
	if _, err := s.conv.LoadVisible(ctx, nil, p, convID); err != nil {
		return nil, false, err
	}
	if err := in.checkShape(); err != nil {
		return nil, false, err
	}
	var (
		id      store.ID
		created bool
		err     error
	)
	// Two requests with one key: on PostgreSQL the second insert waits for
	// the first and then violates the key's unique index; running it again
	// finds the first message.
	for attempt := 0; ; attempt++ {
		var keyConflict bool
		id, created, keyConflict, err = s.send(ctx, p, convID, in)
		if err == nil || !keyConflict || attempt > 0 {
			break
		}
	}
	if err != nil {
		return nil, false, err
	}
	row, err := s.messages.Load(ctx, nil, id)
	if err != nil {
		return nil, false, err
	}
	ms, err := s.messages.Present(ctx, nil, []message.Row{*row})
	if err != nil {
		return nil, false, err
	}
	if created {
		s.notify(ctx, []store.ID{id}, nil)
		if s.notifier != nil {
			s.notifier.ConversationsChanged(ctx, []store.ID{convID})
		}
		s.log.Debug("message queued", "message_id", id, "conversation_id", convID, "type", in.Type)
	}
	return &ms[0], created, nil
}

func (s *Service) send(ctx context.Context, p *auth.Principal, convID store.ID, in SendInput) (id store.ID, created, keyConflict bool, err error) {
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		conv, err := s.conv.LoadVisible(ctx, tx, p, convID)
		if err != nil {
			return err
		}
		if in.IdempotencyKey != "" {
			var prev struct {
				ID             store.ID `db:"id"`
				ConversationID store.ID `db:"conversation_id"`
			}
			err := store.Get(ctx, tx, &prev, s.q.MessageByKey, p.ID, in.IdempotencyKey)
			if err == nil {
				if prev.ConversationID != conv.ID {
					return errKeyElsewhre
				}
				id = prev.ID
				return nil
			}
			if !errors.Is(err, store.ErrNotFound) {
				return fmt.Errorf("outbound: idempotency key: %w", err)
			}
		}
		if conv.Status == conversation.StatusClosed {
			return errClosed
		}
		now := s.now()
		if needsWindow(in.Type) && !conv.WindowOpen(now) {
			return errWindow
		}
		out, err := s.prepare(ctx, tx, p, conv, &in)
		if err != nil {
			return err
		}
		id, created, err = s.messages.InsertOutbound(ctx, tx, out)
		if err != nil {
			keyConflict = errors.Is(err, apperr.ErrConflict)
			return err
		}
		if !created {
			return nil
		}
		if in.Type != TypeReaction {
			if err := s.conv.RecordOutbound(ctx, tx, conv.ID, id, now); err != nil {
				return err
			}
			if err := s.conv.TakeOnReply(ctx, tx, p, conv); err != nil {
				return err
			}
		}
		if _, err := s.jobs.InsertTx(ctx, tx, SendArgs{MessageID: id}, nil); err != nil {
			return err
		}
		return nil
	})
	return id, created, keyConflict, err
}

// prepare checks the references of a send and builds the message to store.
func (s *Service) prepare(ctx context.Context, tx *store.Tx, p *auth.Principal, conv *conversation.Row, in *SendInput) (message.Outbound, error) {
	author := p.ID
	out := message.Outbound{
		ConversationID: conv.ID, ChannelID: conv.ChannelID, ContactID: conv.ContactID, Direction: message.DirectionOut,
		AuthorType: message.AuthorAgent, AuthorID: &author, Type: in.Type, IdempotencyKey: in.IdempotencyKey,
	}
	if in.ReplyToID != 0 && in.Type != TypeReaction {
		if _, err := s.timelineMessage(ctx, tx, conv, in.ReplyToID, "reply_to_id"); err != nil {
			return out, err
		}
		rid := in.ReplyToID
		out.ReplyToID = &rid
	}
	switch in.Type {
	case TypeText:
		out.Text = in.Text
	case TypeImage, TypeAudio, TypeVideo, TypeDocument, TypeSticker:
		m, err := s.loadMedia(ctx, tx, in.MediaID)
		if err == nil {
			err = s.mayUseMedia(ctx, p, m)
		}
		if errors.Is(err, apperr.ErrNotFound) {
			return out, apperr.Invalid("media_id", "unknown file: upload it with POST /api/v1/media")
		}
		if err != nil {
			return out, err
		}
		if m.State != "ready" {
			return out, apperr.Invalid("media_id", "the file is not stored yet")
		}
		if !compatible(in.Type, m.MimeType) {
			return out, apperr.Invalid("media_id", fmt.Sprintf("a %s file cannot be sent as %s", m.MimeType, in.Type))
		}
		mid := in.MediaID
		out.MediaID = &mid
		out.Text = in.Caption
	case TypeReaction:
		target, err := s.timelineMessage(ctx, tx, conv, in.Reaction.MessageID, "reaction.message_id")
		if err != nil {
			return out, err
		}
		if target.WAMessageID == nil || *target.WAMessageID == "" {
			return out, errNotSentYet
		}
		b, _ := json.Marshal(map[string]any{"message_id": target.ID, "emoji": in.Reaction.Emoji})
		out.Payload = b
	case TypeTemplate:
		r, err := s.checkTemplate(ctx, tx, conv.ChannelID, in.Template)
		if err != nil {
			return out, err
		}
		t, err := r.wa()
		if err != nil {
			return out, err
		}
		out.Text = whatsapp.Render(t, in.Template.Positional, in.Template.Named)
		b, _ := json.Marshal(in.Template.payload())
		out.Payload = b
	}
	return out, nil
}

// timelineMessage loads a message of the conversation's timeline — any
// conversation with the same contact on the same channel (F07) — that is
// not a note; anything else is a validation error on field.
func (s *Service) timelineMessage(ctx context.Context, tx *store.Tx, conv *conversation.Row, id store.ID, field string) (*message.Row, error) {
	m, err := s.messages.Load(ctx, tx, id)
	if errors.Is(err, apperr.ErrNotFound) {
		return nil, apperr.Invalid(field, "unknown message")
	}
	if err != nil {
		return nil, err
	}
	if m.ContactID != conv.ContactID || m.ChannelID != conv.ChannelID || m.Direction == message.DirectionNote || m.Type == TypeReaction {
		return nil, apperr.Invalid(field, "not a message of this conversation")
	}
	return m, nil
}
