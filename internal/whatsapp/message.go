package whatsapp

import (
	"encoding/json"
	"fmt"
	"time"
)

// Inbound message types as WhatsApp spells them in messages[].type. Types
// not listed here still parse: [Inbound.Type] keeps the value as given and
// [Inbound.Raw] the whole object.
const (
	TypeText        = "text"
	TypeImage       = "image"
	TypeAudio       = "audio"
	TypeVideo       = "video"
	TypeDocument    = "document"
	TypeSticker     = "sticker"
	TypeLocation    = "location"
	TypeContacts    = "contacts"
	TypeInteractive = "interactive"
	TypeButton      = "button"
	TypeReaction    = "reaction"
	TypeOrder       = "order"
	TypeSystem      = "system"
	TypeUnsupported = "unsupported"
	TypeUnknown     = "unknown" // older spelling of unsupported
	TypeRevoke      = "revoke"
	TypeEdit        = "edit"
	TypeTemplate    = "template" // outbound only
)

// Interactive reply kinds ([Interactive.Type]).
const (
	InteractiveButtonReply = "button_reply"
	InteractiveListReply   = "list_reply"
	InteractiveFlowReply   = "nfm_reply"
)

// Inbound is one message a WhatsApp user sent to a business number, as
// found in a "messages" change (value.messages[]). Only the sub-value that
// matches Type is set; every field is optional on the wire except ID and
// Timestamp, which [ParseWebhook] requires.
type Inbound struct {
	Metadata

	// ID is the wamid: opaque, up to 128 characters, the deduplication key.
	ID string `json:"id"`
	// From is the sender's wa_id (digits, country code first, no "+"). It
	// may be empty for users identified only by a business-scoped user id.
	From string `json:"from,omitempty"`
	// FromUserID and FromParentUserID are the business-scoped user ids
	// (BSUID), from the message or else from its contacts[] entry.
	FromUserID       string `json:"from_user_id,omitempty"`
	FromParentUserID string `json:"from_parent_user_id,omitempty"`
	// GroupID is set for messages sent in a group.
	GroupID string `json:"group_id,omitempty"`
	// ProfileName and Username come from value.contacts[] (matched by wa_id,
	// else by user id); both are empty when contacts is absent.
	ProfileName string `json:"profile_name,omitempty"`
	Username    string `json:"username,omitempty"`
	// Timestamp is when WhatsApp received the message, in UTC.
	Timestamp time.Time `json:"timestamp"`
	// Type is messages[].type as given ("text", "image", ..., or a type
	// this package does not know).
	Type string `json:"type"`
	// Text is the plain text to show: the text body, the caption of a
	// media message, a quick-reply button's text, an interactive reply's
	// title (the body of a Flow reply), an order's text, a system message's
	// body or an edit's new text. Empty for other types.
	Text string `json:"text,omitempty"`

	Media       *Media        `json:"media,omitempty"`
	Location    *Location     `json:"location,omitempty"`
	Contacts    []ContactCard `json:"contacts,omitempty"`
	Interactive *Interactive  `json:"interactive,omitempty"`
	Button      *Button       `json:"button,omitempty"`
	Reaction    *Reaction     `json:"reaction,omitempty"`
	Order       *Order        `json:"order,omitempty"`
	System      *System       `json:"system,omitempty"`
	Identity    *Identity     `json:"identity,omitempty"`
	Unsupported *Unsupported  `json:"unsupported,omitempty"`
	Revoke      *Revoke       `json:"revoke,omitempty"`
	Edit        *Edit         `json:"edit,omitempty"`

	Context  *Context  `json:"context,omitempty"`
	Referral *Referral `json:"referral,omitempty"`
	// Errors is messages[].errors, e.g. 131051 on an unsupported message.
	Errors []Error `json:"errors,omitempty"`

	// Raw is the message object exactly as received, for types papo does
	// not model and for auditing.
	Raw json.RawMessage `json:"raw,omitempty"`
}

// IsMedia reports whether the message type carries a downloadable media
// object (image, audio, video, document, sticker).
func IsMedia(messageType string) bool {
	switch messageType {
	case TypeImage, TypeAudio, TypeVideo, TypeDocument, TypeSticker:
		return true
	}
	return false
}

// Media is an inbound image, audio, video, document or sticker. Its content
// is fetched with [Client.MediaInfo] and [Client.Download]; the id expires
// about 7 days after the webhook.
type Media struct {
	ID       string `json:"id"`
	MimeType string `json:"mime_type,omitempty"`
	// SHA256 is the base64 SHA-256 of the file, as Meta gives it.
	SHA256   string `json:"sha256,omitempty"`
	Caption  string `json:"caption,omitempty"`
	Filename string `json:"filename,omitempty"` // documents
	Voice    bool   `json:"voice,omitempty"`    // audio: a recorded voice note
	Animated bool   `json:"animated,omitempty"` // stickers
	// URL is a lookaside link some payloads include; it still needs the
	// bearer token.
	URL string `json:"url,omitempty"`
}

// Location is a shared location. A live or current location has only the
// coordinates.
type Location struct {
	Latitude  float64 `json:"latitude"`
	Longitude float64 `json:"longitude"`
	Name      string  `json:"name,omitempty"`
	Address   string  `json:"address,omitempty"`
	URL       string  `json:"url,omitempty"`
}

// ContactCard is one shared contact (messages[].contacts[]).
type ContactCard struct {
	Name      ContactName      `json:"name"`
	Phones    []ContactPhone   `json:"phones,omitempty"`
	Emails    []ContactEmail   `json:"emails,omitempty"`
	Addresses []ContactAddress `json:"addresses,omitempty"`
	Org       *ContactOrg      `json:"org,omitempty"`
	URLs      []ContactURL     `json:"urls,omitempty"`
	Birthday  string           `json:"birthday,omitempty"`
}

// ContactName is a contact card's name.
type ContactName struct {
	FormattedName string `json:"formatted_name,omitempty"`
	FirstName     string `json:"first_name,omitempty"`
	LastName      string `json:"last_name,omitempty"`
	MiddleName    string `json:"middle_name,omitempty"`
	Suffix        string `json:"suffix,omitempty"`
	Prefix        string `json:"prefix,omitempty"`
}

// ContactPhone is a contact card's phone; WaID is set when the number is on
// WhatsApp.
type ContactPhone struct {
	Phone string `json:"phone,omitempty"`
	WaID  string `json:"wa_id,omitempty"`
	Type  string `json:"type,omitempty"`
}

// ContactEmail is a contact card's e-mail address.
type ContactEmail struct {
	Email string `json:"email,omitempty"`
	Type  string `json:"type,omitempty"`
}

// ContactAddress is a contact card's postal address.
type ContactAddress struct {
	Street      string `json:"street,omitempty"`
	City        string `json:"city,omitempty"`
	State       string `json:"state,omitempty"`
	Zip         string `json:"zip,omitempty"`
	Country     string `json:"country,omitempty"`
	CountryCode string `json:"country_code,omitempty"`
	Type        string `json:"type,omitempty"`
}

// ContactOrg is a contact card's organisation.
type ContactOrg struct {
	Company    string `json:"company,omitempty"`
	Department string `json:"department,omitempty"`
	Title      string `json:"title,omitempty"`
}

// ContactURL is a contact card's web address.
type ContactURL struct {
	URL  string `json:"url,omitempty"`
	Type string `json:"type,omitempty"`
}

// Interactive is the user's answer to an interactive message: a reply
// button (Type "button_reply": ID, Title), a list row ("list_reply": ID,
// Title, Description) or a Flow ("nfm_reply": Name, Body, ResponseJSON).
// Type may be empty when the payload carried no sub-object.
type Interactive struct {
	Type        string `json:"type"`
	ID          string `json:"id,omitempty"`
	Title       string `json:"title,omitempty"`
	Description string `json:"description,omitempty"`
	Name        string `json:"name,omitempty"`
	Body        string `json:"body,omitempty"`
	// ResponseJSON is the Flow's response, a JSON document kept as the
	// string it arrived as.
	ResponseJSON string `json:"response_json,omitempty"`
}

// Button is a tap on a template's quick-reply button.
type Button struct {
	Payload string `json:"payload,omitempty"`
	Text    string `json:"text,omitempty"`
}

// Reaction is an emoji reaction to MessageID. An empty Emoji (absent or ""
// on the wire) means the user removed their reaction.
type Reaction struct {
	MessageID string `json:"message_id"`
	Emoji     string `json:"emoji"`
}

// Removed reports whether the reaction removes an earlier one.
func (r Reaction) Removed() bool { return r.Emoji == "" }

// Order is a cart sent from a catalog.
type Order struct {
	CatalogID    string      `json:"catalog_id,omitempty"`
	Text         string      `json:"text,omitempty"`
	ProductItems []OrderItem `json:"product_items,omitempty"`
}

// OrderItem is one line of an [Order]. Quantity and ItemPrice keep the
// number as sent (a JSON number or a numeric string).
type OrderItem struct {
	ProductRetailerID string      `json:"product_retailer_id,omitempty"`
	Quantity          json.Number `json:"quantity,omitempty"`
	ItemPrice         json.Number `json:"item_price,omitempty"`
	Currency          string      `json:"currency,omitempty"`
}

// System is a system notice, e.g. Type "user_changed_number" with the new
// number in NewWaID, or "customer_identity_changed".
type System struct {
	Body     string `json:"body,omitempty"`
	Type     string `json:"type,omitempty"`
	NewWaID  string `json:"new_wa_id,omitempty"`
	Customer string `json:"customer,omitempty"`
}

// Identity is the top-level identity object that accompanies a
// customer_identity_changed system message.
type Identity struct {
	Acknowledged     bool   `json:"acknowledged"`
	CreatedTimestamp string `json:"created_timestamp,omitempty"`
	Hash             string `json:"hash,omitempty"`
}

// Unsupported names the kind of an unsupported message (poll, view-once,
// ...) when newer payloads give it.
type Unsupported struct {
	Type string `json:"type,omitempty"`
}

// Revoke says the user deleted one of their messages.
type Revoke struct {
	OriginalMessageID string `json:"original_message_id"`
}

// Edit says the user edited one of their messages. Message is the new
// message object as received; Type and Text are read from it when present.
type Edit struct {
	OriginalMessageID string          `json:"original_message_id"`
	Type              string          `json:"type,omitempty"`
	Text              string          `json:"text,omitempty"`
	Message           json.RawMessage `json:"message,omitempty"`
}

// Context describes what a message refers to: the message it quotes (ID,
// and From = who sent it; for a button tap, the business message that
// carried the button), a forward, or a product enquiry.
type Context struct {
	From                string           `json:"from,omitempty"`
	ID                  string           `json:"id,omitempty"`
	Forwarded           bool             `json:"forwarded,omitempty"`
	FrequentlyForwarded bool             `json:"frequently_forwarded,omitempty"`
	ReferredProduct     *ReferredProduct `json:"referred_product,omitempty"`
}

// ReferredProduct is the catalog product a message enquires about.
type ReferredProduct struct {
	CatalogID         string `json:"catalog_id,omitempty"`
	ProductRetailerID string `json:"product_retailer_id,omitempty"`
}

// Referral is the click-to-WhatsApp ad or post that led the user to write,
// present on the first message from it.
type Referral struct {
	SourceURL    string `json:"source_url,omitempty"`
	SourceID     string `json:"source_id,omitempty"`
	SourceType   string `json:"source_type,omitempty"` // "ad" or "post"
	Headline     string `json:"headline,omitempty"`
	Body         string `json:"body,omitempty"`
	MediaType    string `json:"media_type,omitempty"`
	ImageURL     string `json:"image_url,omitempty"`
	VideoURL     string `json:"video_url,omitempty"`
	ThumbnailURL string `json:"thumbnail_url,omitempty"`
	CtwaClid     string `json:"ctwa_clid,omitempty"`
}

// Error is a WhatsApp error object as found in webhooks (messages[].errors,
// statuses[].errors, value.errors). Title and Message are usually equal;
// Code and Details are what to act on. See [Reason] for a readable text.
type Error struct {
	Code    int    `json:"code"`
	Title   string `json:"title,omitempty"`
	Message string `json:"message,omitempty"`
	Details string `json:"details,omitempty"`
	Href    string `json:"href,omitempty"`
}

// wireError is [Error] as it travels.
type wireError struct {
	Code      flexInt64 `json:"code"`
	Title     string    `json:"title"`
	Message   string    `json:"message"`
	Href      string    `json:"href"`
	ErrorData *struct {
		Details string `json:"details"`
	} `json:"error_data"`
}

func (w wireError) normalise() Error {
	e := Error{Code: int(w.Code), Title: w.Title, Message: w.Message, Href: w.Href}
	if w.ErrorData != nil {
		e.Details = w.ErrorData.Details
	}
	return e
}

func normaliseErrors(ws []wireError) []Error {
	if len(ws) == 0 {
		return nil
	}
	out := make([]Error, len(ws))
	for i, w := range ws {
		out[i] = w.normalise()
	}
	return out
}

// wireContact is one value.contacts[] entry: who sent the messages of the
// change.
type wireContact struct {
	Profile struct {
		Name     string `json:"name"`
		Username string `json:"username"`
	} `json:"profile"`
	WaID         string `json:"wa_id"`
	UserID       string `json:"user_id"`
	ParentUserID string `json:"parent_user_id"`
}

// wireMedia is the media object of image/audio/video/document/sticker.
type wireMedia struct {
	ID       flexString `json:"id"`
	MimeType string     `json:"mime_type"`
	SHA256   string     `json:"sha256"`
	Caption  string     `json:"caption"`
	Filename string     `json:"filename"`
	Voice    bool       `json:"voice"`
	Animated bool       `json:"animated"`
	URL      string     `json:"url"`
}

type wireInteractive struct {
	Type        string `json:"type"`
	ButtonReply *struct {
		ID    string `json:"id"`
		Title string `json:"title"`
	} `json:"button_reply"`
	ListReply *struct {
		ID          string `json:"id"`
		Title       string `json:"title"`
		Description string `json:"description"`
	} `json:"list_reply"`
	NfmReply *struct {
		Name         string   `json:"name"`
		Body         string   `json:"body"`
		ResponseJSON jsonText `json:"response_json"`
	} `json:"nfm_reply"`
}

type wireReaction struct {
	MessageID string `json:"message_id"`
	Emoji     string `json:"emoji"`
}

type wireSystem struct {
	Body     string `json:"body"`
	Type     string `json:"type"`
	WaID     string `json:"wa_id"`
	NewWaID  string `json:"new_wa_id"`
	Customer string `json:"customer"`
}

type wireIdentity struct {
	Acknowledged     bool       `json:"acknowledged"`
	CreatedTimestamp flexString `json:"created_timestamp"`
	Hash             string     `json:"hash"`
}

type wireEdit struct {
	OriginalMessageID string          `json:"original_message_id"`
	Message           json.RawMessage `json:"message"`
}

// wireBody is the part of a message object that carries its text: used
// for messages and for the message nested in an edit.
type wireBody struct {
	Type string `json:"type"`
	Text *struct {
		Body string `json:"body"`
	} `json:"text"`
	Image    *wireMedia `json:"image"`
	Video    *wireMedia `json:"video"`
	Audio    *wireMedia `json:"audio"`
	Document *wireMedia `json:"document"`
	Sticker  *wireMedia `json:"sticker"`
}

// wireMessage is one value.messages[] object.
type wireMessage struct {
	wireBody
	From             string           `json:"from"`
	FromUserID       string           `json:"from_user_id"`
	FromParentUserID string           `json:"from_parent_user_id"`
	GroupID          string           `json:"group_id"`
	ID               string           `json:"id"`
	Timestamp        flexString       `json:"timestamp"`
	Context          *Context         `json:"context"`
	Location         *Location        `json:"location"`
	Contacts         []ContactCard    `json:"contacts"`
	Interactive      *wireInteractive `json:"interactive"`
	Button           *Button          `json:"button"`
	Reaction         *wireReaction    `json:"reaction"`
	Order            *Order           `json:"order"`
	System           *wireSystem      `json:"system"`
	Identity         *wireIdentity    `json:"identity"`
	Unsupported      *Unsupported     `json:"unsupported"`
	Revoke           *Revoke          `json:"revoke"`
	Edit             *wireEdit        `json:"edit"`
	Referral         *Referral        `json:"referral"`
	Errors           []wireError      `json:"errors"`
}

// media returns the media object matching the message type, if any.
func (b *wireBody) media() *wireMedia {
	switch b.Type {
	case TypeImage:
		return b.Image
	case TypeVideo:
		return b.Video
	case TypeAudio:
		return b.Audio
	case TypeDocument:
		return b.Document
	case TypeSticker:
		return b.Sticker
	}
	return nil
}

// text returns the text body or the media caption.
func (b *wireBody) text() string {
	if b.Type == TypeText && b.Text != nil {
		return b.Text.Body
	}
	if m := b.media(); m != nil {
		return m.Caption
	}
	return ""
}

// parseInbound decodes one raw message object. contacts is the change's
// value.contacts[] (possibly nil) used for the profile name.
func parseInbound(raw json.RawMessage, meta Metadata, contacts []wireContact) (Inbound, error) {
	var w wireMessage
	if err := json.Unmarshal(raw, &w); err != nil {
		return Inbound{}, fmt.Errorf("whatsapp: decode message: %w", err)
	}
	if w.ID == "" {
		return Inbound{}, fmt.Errorf("whatsapp: message: %w", ErrMissingID)
	}
	ts, err := parseUnix(string(w.Timestamp))
	if err != nil {
		return Inbound{}, fmt.Errorf("whatsapp: message %s: %w", w.ID, err)
	}
	m := Inbound{
		Metadata:         meta,
		ID:               w.ID,
		From:             w.From,
		FromUserID:       w.FromUserID,
		FromParentUserID: w.FromParentUserID,
		GroupID:          w.GroupID,
		Timestamp:        ts,
		Type:             w.Type,
		Context:          w.Context,
		Referral:         w.Referral,
		Errors:           normaliseErrors(w.Errors),
		Raw:              raw,
	}
	if c := matchContact(contacts, w.From, w.FromUserID); c != nil {
		m.ProfileName = c.Profile.Name
		m.Username = c.Profile.Username
		if m.FromUserID == "" {
			m.FromUserID = c.UserID
		}
		if m.FromParentUserID == "" {
			m.FromParentUserID = c.ParentUserID
		}
	}
	if md := w.media(); md != nil {
		m.Media = &Media{
			ID:       string(md.ID),
			MimeType: md.MimeType,
			SHA256:   md.SHA256,
			Caption:  md.Caption,
			Filename: md.Filename,
			Voice:    md.Voice,
			Animated: md.Animated,
			URL:      md.URL,
		}
	}
	m.Text = w.text()
	switch w.Type {
	case TypeLocation:
		m.Location = w.Location
	case TypeContacts:
		m.Contacts = w.Contacts
	case TypeInteractive:
		m.Interactive = normaliseInteractive(w.Interactive)
		if m.Interactive != nil {
			m.Text = m.Interactive.Title
			if m.Interactive.Type == InteractiveFlowReply {
				m.Text = m.Interactive.Body
			}
		}
	case TypeButton:
		m.Button = w.Button
		if w.Button != nil {
			m.Text = w.Button.Text
		}
	case TypeReaction:
		if w.Reaction != nil {
			m.Reaction = &Reaction{MessageID: w.Reaction.MessageID, Emoji: w.Reaction.Emoji}
		}
	case TypeOrder:
		m.Order = w.Order
		if w.Order != nil {
			m.Text = w.Order.Text
		}
	case TypeSystem:
		if s := w.System; s != nil {
			m.System = &System{Body: s.Body, Type: s.Type, NewWaID: s.WaID, Customer: s.Customer}
			if m.System.NewWaID == "" {
				m.System.NewWaID = s.NewWaID
			}
			m.Text = s.Body
		}
	}
	// Objects kept whatever the type says.
	m.Revoke = w.Revoke
	if e := w.Edit; e != nil {
		m.Edit = &Edit{OriginalMessageID: e.OriginalMessageID, Message: e.Message}
		var nb wireBody
		if len(e.Message) > 0 && json.Unmarshal(e.Message, &nb) == nil {
			m.Edit.Type = nb.Type
			m.Edit.Text = nb.text()
		}
		if w.Type == TypeEdit {
			m.Text = m.Edit.Text
		}
	}
	m.Unsupported = w.Unsupported
	if id := w.Identity; id != nil {
		m.Identity = &Identity{
			Acknowledged:     id.Acknowledged,
			CreatedTimestamp: string(id.CreatedTimestamp),
			Hash:             id.Hash,
		}
	}
	return m, nil
}

func normaliseInteractive(w *wireInteractive) *Interactive {
	if w == nil {
		return nil
	}
	it := &Interactive{Type: w.Type}
	switch {
	case w.ButtonReply != nil && (w.Type == InteractiveButtonReply || w.Type == ""):
		it.Type = InteractiveButtonReply
		it.ID, it.Title = w.ButtonReply.ID, w.ButtonReply.Title
	case w.ListReply != nil && (w.Type == InteractiveListReply || w.Type == ""):
		it.Type = InteractiveListReply
		it.ID, it.Title, it.Description = w.ListReply.ID, w.ListReply.Title, w.ListReply.Description
	case w.NfmReply != nil && (w.Type == InteractiveFlowReply || w.Type == ""):
		it.Type = InteractiveFlowReply
		it.Name, it.Body, it.ResponseJSON = w.NfmReply.Name, w.NfmReply.Body, string(w.NfmReply.ResponseJSON)
	}
	return it
}

// matchContact finds the value.contacts[] entry of a sender: by wa_id, else
// by business-scoped user id.
func matchContact(contacts []wireContact, waID, userID string) *wireContact {
	if waID != "" {
		for i := range contacts {
			if contacts[i].WaID == waID {
				return &contacts[i]
			}
		}
	}
	if userID != "" {
		for i := range contacts {
			if contacts[i].UserID == userID {
				return &contacts[i]
			}
		}
	}
	return nil
}
