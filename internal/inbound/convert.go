package inbound

import (
	"encoding/json"

	"papo/internal/whatsapp"
)

// Message types papo stores as they come (api.md "Messages"); any other
// WhatsApp type — unsupported, unknown, revoke, edit, request_welcome, types
// yet to be invented — is stored as "unsupported" with the original type in
// payload.wa_type and the raw message in payload.raw, shown as such and
// never blocking the channel.
var modelled = map[string]bool{
	whatsapp.TypeText: true, whatsapp.TypeImage: true, whatsapp.TypeAudio: true, whatsapp.TypeVideo: true,
	whatsapp.TypeDocument: true, whatsapp.TypeSticker: true, whatsapp.TypeLocation: true,
	whatsapp.TypeContacts: true, whatsapp.TypeInteractive: true, whatsapp.TypeButton: true,
	whatsapp.TypeOrder: true, whatsapp.TypeSystem: true,
}

// TypeUnsupported is the type of every message papo does not model.
const TypeUnsupported = "unsupported"

// mediaPayload is what payload.media keeps of an inbound file (the file
// itself is downloaded into papo's storage and linked as the message's media).
type mediaPayload struct {
	ID       string `json:"wa_media_id,omitempty"`
	MimeType string `json:"mime_type,omitempty"`
	SHA256   string `json:"sha256,omitempty"`
	Filename string `json:"filename,omitempty"`
	Voice    bool   `json:"voice,omitempty"`
	Animated bool   `json:"animated,omitempty"`
}

// payload is the type-specific part of a stored inbound message.
type payload struct {
	WaType              string                    `json:"wa_type,omitempty"`
	Media               *mediaPayload             `json:"media,omitempty"`
	Location            *whatsapp.Location        `json:"location,omitempty"`
	Contacts            []whatsapp.ContactCard    `json:"contacts,omitempty"`
	Interactive         *whatsapp.Interactive     `json:"interactive,omitempty"`
	Button              *whatsapp.Button          `json:"button,omitempty"`
	Order               *whatsapp.Order           `json:"order,omitempty"`
	System              *whatsapp.System          `json:"system,omitempty"`
	Identity            *whatsapp.Identity        `json:"identity,omitempty"`
	Unsupported         *whatsapp.Unsupported     `json:"unsupported,omitempty"`
	Revoke              *whatsapp.Revoke          `json:"revoke,omitempty"`
	Edit                *editPayload              `json:"edit,omitempty"`
	Context             *contextPayload           `json:"context,omitempty"`
	Forwarded           bool                      `json:"forwarded,omitempty"`
	FrequentlyForwarded bool                      `json:"frequently_forwarded,omitempty"`
	ReferredProduct     *whatsapp.ReferredProduct `json:"referred_product,omitempty"`
	Referral            *whatsapp.Referral        `json:"referral,omitempty"`
	Errors              []whatsapp.Error          `json:"errors,omitempty"`
	FromUserID          string                    `json:"from_user_id,omitempty"`
	GroupID             string                    `json:"group_id,omitempty"`
	Raw                 json.RawMessage           `json:"raw,omitempty"`
}

type contextPayload struct {
	ID   string `json:"id,omitempty"`
	From string `json:"from,omitempty"`
}

type editPayload struct {
	OriginalMessageID string `json:"original_message_id"`
	Type              string `json:"type,omitempty"`
	Text              string `json:"text,omitempty"`
}

// Convert returns the type papo stores for an inbound message and its
// payload (api.md: location, contacts, interactive reply id/title, button,
// order, system, referral, forwarded flags, the quoted message, and the raw
// body of types papo does not model). The text is m.Text: the body, the
// caption, the button's or interactive reply's title.
func Convert(m *whatsapp.Inbound) (typ string, raw json.RawMessage, err error) {
	p := payload{
		Location: m.Location, Contacts: m.Contacts, Interactive: m.Interactive, Button: m.Button, Order: m.Order,
		System: m.System, Identity: m.Identity, Unsupported: m.Unsupported, Revoke: m.Revoke, Referral: m.Referral,
		Errors: m.Errors, FromUserID: m.FromUserID, GroupID: m.GroupID,
	}
	if md := m.Media; md != nil {
		p.Media = &mediaPayload{ID: md.ID, MimeType: md.MimeType, SHA256: md.SHA256, Filename: md.Filename,
			Voice: md.Voice, Animated: md.Animated}
	}
	if e := m.Edit; e != nil {
		p.Edit = &editPayload{OriginalMessageID: e.OriginalMessageID, Type: e.Type, Text: e.Text}
	}
	if c := m.Context; c != nil {
		if c.ID != "" || c.From != "" {
			p.Context = &contextPayload{ID: c.ID, From: c.From}
		}
		p.Forwarded, p.FrequentlyForwarded, p.ReferredProduct = c.Forwarded, c.FrequentlyForwarded, c.ReferredProduct
	}
	typ = m.Type
	if !modelled[typ] {
		p.WaType = m.Type
		typ = TypeUnsupported
		if len(m.Raw) > 0 && json.Valid(m.Raw) {
			p.Raw = m.Raw
		}
	}
	b, err := json.Marshal(p)
	if err != nil {
		return "", nil, err
	}
	return typ, b, nil
}
