package outbound

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"

	"papo/internal/apperr"
	"papo/internal/conversation"
	"papo/internal/message"
	"papo/internal/store"
	"papo/internal/whatsapp"
)

// SystemInput is an automatic message papo sends on its own (greeting,
// out-of-hours reply, closing message, survey …, F16, F19, F20, F28).
type SystemInput struct {
	// Text is sent while the 24-hour window is open.
	Text string
	// Template is sent instead when the window is closed; nil sends nothing
	// then (WhatsApp refuses free text outside the window).
	Template *TemplateInput
}

// QueueSystem stores an automatic message (author "system") with its send
// job in the caller's transaction, for the automation that decides to send
// it (the caller makes sure each is sent once per occasion). Nothing is
// queued — queued is false — for a contact with automation blocked (F17) or
// without a number WhatsApp lets papo write to (known only by BSUID),
// or when the window is closed and no template is given. Text outside
// WhatsApp's limit and a template that is unknown, not approved or given
// the wrong values are validation errors, as for agents. The message
// becomes the conversation's last message; it does not assign anyone.
func (s *Service) QueueSystem(ctx context.Context, tx *store.Tx, conv *conversation.Row, in SystemInput) (id store.ID, queued bool, err error) {
	c, err := s.contacts.GetContact(ctx, tx, conv.ContactID)
	if err != nil {
		return 0, false, err
	}
	if c.AutomationBlocked || c.WaID == "" { // blocked (F17), or no number to send to (a BSUID-only user)
		return 0, false, nil
	}
	now := s.now()
	out := message.Outbound{
		ConversationID: conv.ID, ChannelID: conv.ChannelID, ContactID: conv.ContactID, Direction: message.DirectionOut,
		AuthorType: message.AuthorSystem,
	}
	switch {
	case conv.WindowOpen(now) && strings.TrimSpace(in.Text) != "":
		if n := utf8.RuneCountInString(in.Text); n > whatsapp.MaxTextLength {
			return 0, false, apperr.Invalid("text", fmt.Sprintf("at most %d characters (got %d)", whatsapp.MaxTextLength, n))
		}
		out.Type, out.Text = TypeText, in.Text
	case in.Template != nil && strings.TrimSpace(in.Template.Name) != "":
		r, err := s.checkTemplate(ctx, tx, conv.ChannelID, in.Template)
		if err != nil {
			return 0, false, err
		}
		t, err := r.wa()
		if err != nil {
			return 0, false, err
		}
		out.Type, out.Text = TypeTemplate, whatsapp.Render(t, in.Template.Positional, in.Template.Named)
		out.Payload, _ = json.Marshal(in.Template.payload())
	default:
		return 0, false, nil
	}
	id, _, err = s.messages.InsertOutbound(ctx, tx, out)
	if err != nil {
		return 0, false, err
	}
	if err := s.conv.RecordOutbound(ctx, tx, conv.ID, id, now); err != nil {
		return 0, false, err
	}
	if _, err := s.jobs.InsertTx(ctx, tx, SendArgs{MessageID: id}, nil); err != nil {
		return 0, false, err
	}
	return id, true, nil
}
