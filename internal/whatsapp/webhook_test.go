package whatsapp_test

import (
	"encoding/json"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"papo/internal/whatsapp"
)

// Corpus constants shared by the files under testdata/webhooks.
const (
	wabaID  = "102290129340398"
	pnID    = "106540352242922"
	display = "15550783881"
	waID    = "5511987654321"
	name    = "João Silva"
)

var ts0 = time.Date(2025, 11, 25, 18, 0, 0, 0, time.UTC)

func readCorpus(t testing.TB, file string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "webhooks", file))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func corpusFiles(t testing.TB) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "webhooks", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no webhook corpus")
	}
	for i, f := range files {
		files[i] = filepath.Base(f)
	}
	return files
}

// only returns the single inbound message of n, failing on anything else.
func only(t *testing.T, n *whatsapp.Notification) whatsapp.Inbound {
	t.Helper()
	if len(n.Messages) != 1 || len(n.Statuses) != 0 || len(n.Invalid) != 0 {
		t.Fatalf("want exactly one message, got %d messages, %d statuses, %d invalid %+v",
			len(n.Messages), len(n.Statuses), len(n.Invalid), n.Invalid)
	}
	m := n.Messages[0]
	if m.WABAID == "" || m.PhoneNumberID == "" {
		t.Errorf("metadata not set: %+v", m.Metadata)
	}
	if !json.Valid(m.Raw) {
		t.Errorf("raw is not JSON: %s", m.Raw)
	}
	return m
}

func onlyStatus(t *testing.T, n *whatsapp.Notification) whatsapp.Status {
	t.Helper()
	if len(n.Statuses) != 1 || len(n.Messages) != 0 || len(n.Invalid) != 0 {
		t.Fatalf("want exactly one status, got %d statuses, %d messages, %d invalid",
			len(n.Statuses), len(n.Messages), len(n.Invalid))
	}
	return n.Statuses[0]
}

func eq[T comparable](t *testing.T, what string, got, want T) {
	t.Helper()
	if got != want {
		t.Errorf("%s = %#v, want %#v", what, got, want)
	}
}

// wantMessage checks the fields every single-message corpus file shares.
func wantMessage(t *testing.T, m whatsapp.Inbound, id, typ string) {
	t.Helper()
	eq(t, "ID", m.ID, id)
	eq(t, "Type", m.Type, typ)
	eq(t, "From", m.From, waID)
	eq(t, "WABAID", m.WABAID, wabaID)
	eq(t, "PhoneNumberID", m.PhoneNumberID, pnID)
	eq(t, "DisplayPhoneNumber", m.DisplayPhoneNumber, display)
	eq(t, "Timestamp", m.Timestamp, ts0)
}

// TestParseWebhookCorpus parses every corpus file and checks its fields
// (F18 message kinds, F25 every message and status type parsed).
func TestParseWebhookCorpus(t *testing.T) {
	tests := map[string]func(t *testing.T, n *whatsapp.Notification){
		"text.json": func(t *testing.T, n *whatsapp.Notification) {
			m := only(t, n)
			wantMessage(t, m, "wamid.HBgNNTUxMTk4NzY1NDMyMRUCABIYFjNFQjBDMEE5RDg3QjY1NjIxNkQ0AA==", "text")
			eq(t, "Text", m.Text, "Bom dia, preciso de ajuda com meu pedido")
			eq(t, "ProfileName", m.ProfileName, name)
			if m.Media != nil || m.Context != nil || m.Referral != nil {
				t.Errorf("unexpected sub-objects: %+v", m)
			}
			if !strings.Contains(string(m.Raw), `"Bom dia, preciso de ajuda com meu pedido"`) || !strings.HasPrefix(string(m.Raw), "{") {
				t.Errorf("raw = %s", m.Raw)
			}
		},
		"image_caption.json": func(t *testing.T, n *whatsapp.Notification) {
			m := only(t, n)
			wantMessage(t, m, "wamid.IMAGE01", "image")
			eq(t, "Text", m.Text, "Foto do produto quebrado")
			want := whatsapp.Media{ID: "1479537139650973", MimeType: "image/jpeg", SHA256: "ZmFrZS1zaGEyNTYtaW1hZ2U=", Caption: "Foto do produto quebrado"}
			if m.Media == nil || *m.Media != want {
				t.Errorf("Media = %+v, want %+v", m.Media, want)
			}
			eq(t, "IsMedia", whatsapp.IsMedia(m.Type), true)
		},
		"audio_voice.json": func(t *testing.T, n *whatsapp.Notification) {
			m := only(t, n)
			wantMessage(t, m, "wamid.AUDIO01", "audio")
			want := whatsapp.Media{ID: "2158496834548390", MimeType: "audio/ogg; codecs=opus", SHA256: "ZmFrZS1zaGEyNTYtYXVkaW8=", Voice: true}
			if m.Media == nil || *m.Media != want {
				t.Errorf("Media = %+v, want %+v", m.Media, want)
			}
			eq(t, "Text", m.Text, "")
		},
		"video.json": func(t *testing.T, n *whatsapp.Notification) {
			m := only(t, n)
			wantMessage(t, m, "wamid.VIDEO01", "video")
			if m.Media == nil || m.Media.ID != "932884315271410" || m.Media.MimeType != "video/mp4" ||
				!strings.HasPrefix(m.Media.URL, "https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=932884315271410") {
				t.Errorf("Media = %+v", m.Media)
			}
		},
		"document_filename.json": func(t *testing.T, n *whatsapp.Notification) {
			m := only(t, n)
			wantMessage(t, m, "wamid.DOC01", "document")
			want := whatsapp.Media{ID: "1096468371888163", MimeType: "application/pdf", SHA256: "ZmFrZS1zaGEyNTYtZG9j", Caption: "Segue a nota fiscal", Filename: "nota-fiscal-1042.pdf"}
			if m.Media == nil || *m.Media != want {
				t.Errorf("Media = %+v, want %+v", m.Media, want)
			}
			eq(t, "Text", m.Text, "Segue a nota fiscal")
		},
		"sticker_animated.json": func(t *testing.T, n *whatsapp.Notification) {
			m := only(t, n)
			wantMessage(t, m, "wamid.STICKER01", "sticker")
			if m.Media == nil || !m.Media.Animated || m.Media.MimeType != "image/webp" || m.Media.ID != "775361651128431" {
				t.Errorf("Media = %+v", m.Media)
			}
		},
		"location_named.json": func(t *testing.T, n *whatsapp.Notification) {
			m := only(t, n)
			wantMessage(t, m, "wamid.LOC01", "location")
			want := whatsapp.Location{Latitude: -23.561414, Longitude: -46.655881, Name: "MASP",
				Address: "Av. Paulista, 1578 - Bela Vista, São Paulo - SP", URL: "https://masp.org.br"}
			if m.Location == nil || *m.Location != want {
				t.Errorf("Location = %+v, want %+v", m.Location, want)
			}
		},
		"location_plain.json": func(t *testing.T, n *whatsapp.Notification) {
			m := only(t, n)
			wantMessage(t, m, "wamid.LOC02", "location")
			want := whatsapp.Location{Latitude: -22.951916, Longitude: -43.210487}
			if m.Location == nil || *m.Location != want {
				t.Errorf("Location = %+v, want %+v", m.Location, want)
			}
		},
		"contacts_card.json": func(t *testing.T, n *whatsapp.Notification) {
			m := only(t, n)
			wantMessage(t, m, "wamid.CONTACTS01", "contacts")
			eq(t, "ProfileName", m.ProfileName, name)
			if len(m.Contacts) != 1 {
				t.Fatalf("Contacts = %+v", m.Contacts)
			}
			c := m.Contacts[0]
			eq(t, "FormattedName", c.Name.FormattedName, "Maria Souza")
			eq(t, "FirstName", c.Name.FirstName, "Maria")
			eq(t, "Birthday", c.Birthday, "1990-04-12")
			want := []whatsapp.ContactPhone{{Phone: "+55 19 99876-5432", WaID: "5519998765432", Type: "CELL"}, {Phone: "+55 19 3232-1000", Type: "WORK"}}
			if !slices.Equal(c.Phones, want) {
				t.Errorf("Phones = %+v", c.Phones)
			}
			if len(c.Emails) != 1 || c.Emails[0].Email != "maria@example.com" {
				t.Errorf("Emails = %+v", c.Emails)
			}
			if len(c.Addresses) != 1 || c.Addresses[0].City != "Campinas" || c.Addresses[0].CountryCode != "BR" {
				t.Errorf("Addresses = %+v", c.Addresses)
			}
			if c.Org == nil || c.Org.Company != "Acme Ltda" {
				t.Errorf("Org = %+v", c.Org)
			}
			if len(c.URLs) != 1 || c.URLs[0].URL != "https://acme.example.com" {
				t.Errorf("URLs = %+v", c.URLs)
			}
		},
		"interactive_button_reply.json": func(t *testing.T, n *whatsapp.Notification) {
			m := only(t, n)
			wantMessage(t, m, "wamid.INTBTN01", "interactive")
			want := whatsapp.Interactive{Type: "button_reply", ID: "survey_5", Title: "5 - Excelente"}
			if m.Interactive == nil || *m.Interactive != want {
				t.Errorf("Interactive = %+v", m.Interactive)
			}
			eq(t, "Text", m.Text, "5 - Excelente")
			if m.Context == nil || m.Context.ID != "wamid.OUTBOUND_BUTTONS" || m.Context.From != display {
				t.Errorf("Context = %+v", m.Context)
			}
		},
		"interactive_list_reply.json": func(t *testing.T, n *whatsapp.Notification) {
			m := only(t, n)
			wantMessage(t, m, "wamid.INTLIST01", "interactive")
			want := whatsapp.Interactive{Type: "list_reply", ID: "dept_financeiro", Title: "Financeiro", Description: "Boletos e notas fiscais"}
			if m.Interactive == nil || *m.Interactive != want {
				t.Errorf("Interactive = %+v", m.Interactive)
			}
			eq(t, "Text", m.Text, "Financeiro")
		},
		"interactive_nfm_reply.json": func(t *testing.T, n *whatsapp.Notification) {
			m := only(t, n)
			wantMessage(t, m, "wamid.INTNFM01", "interactive")
			if m.Interactive == nil {
				t.Fatal("no interactive")
			}
			it := m.Interactive
			eq(t, "Type", it.Type, "nfm_reply")
			eq(t, "Name", it.Name, "flow")
			eq(t, "Body", it.Body, "Sent")
			eq(t, "ResponseJSON", it.ResponseJSON, `{"flow_token":"abc123","nota":"5","comentario":"Ótimo"}`)
			var resp map[string]string
			if err := json.Unmarshal([]byte(it.ResponseJSON), &resp); err != nil || resp["nota"] != "5" {
				t.Errorf("response_json not usable: %v %v", resp, err)
			}
			eq(t, "Text", m.Text, "Sent")
		},
		"button_quick_reply.json": func(t *testing.T, n *whatsapp.Notification) {
			m := only(t, n)
			wantMessage(t, m, "wamid.BUTTON01", "button")
			if m.Button == nil || *m.Button != (whatsapp.Button{Payload: "CONFIRMAR_ENTREGA", Text: "Confirmar entrega"}) {
				t.Errorf("Button = %+v", m.Button)
			}
			eq(t, "Text", m.Text, "Confirmar entrega")
			if m.Context == nil || m.Context.ID != "wamid.OUTBOUND_TEMPLATE" {
				t.Errorf("Context = %+v", m.Context)
			}
		},
		"reaction_added.json": func(t *testing.T, n *whatsapp.Notification) {
			m := only(t, n)
			wantMessage(t, m, "wamid.REACT01", "reaction")
			if m.Reaction == nil || *m.Reaction != (whatsapp.Reaction{MessageID: "wamid.OUTBOUND_TEXT", Emoji: "👍"}) || m.Reaction.Removed() {
				t.Errorf("Reaction = %+v", m.Reaction)
			}
		},
		"reaction_removed_empty.json": func(t *testing.T, n *whatsapp.Notification) {
			m := only(t, n)
			wantMessage(t, m, "wamid.REACT02", "reaction")
			if m.Reaction == nil || m.Reaction.MessageID != "wamid.OUTBOUND_TEXT" || !m.Reaction.Removed() {
				t.Errorf("Reaction = %+v", m.Reaction)
			}
		},
		"reaction_removed_absent.json": func(t *testing.T, n *whatsapp.Notification) {
			m := only(t, n)
			wantMessage(t, m, "wamid.REACT03", "reaction")
			if m.Reaction == nil || m.Reaction.MessageID != "wamid.OUTBOUND_TEXT" || !m.Reaction.Removed() {
				t.Errorf("Reaction = %+v", m.Reaction)
			}
		},
		"reply_context.json": func(t *testing.T, n *whatsapp.Notification) {
			m := only(t, n)
			wantMessage(t, m, "wamid.REPLY01", "text")
			eq(t, "Text", m.Text, "Sim, pode ser amanhã")
			if m.Context == nil || *m.Context != (whatsapp.Context{From: display, ID: "wamid.OUTBOUND_QUESTION"}) {
				t.Errorf("Context = %+v", m.Context)
			}
		},
		"forwarded.json": func(t *testing.T, n *whatsapp.Notification) {
			m := only(t, n)
			wantMessage(t, m, "wamid.FWD01", "text")
			if m.Context == nil || !m.Context.Forwarded || m.Context.FrequentlyForwarded || m.Context.ID != "" {
				t.Errorf("Context = %+v", m.Context)
			}
			eq(t, "Text", m.Text, "Olha essa promoção")
		},
		"frequently_forwarded.json": func(t *testing.T, n *whatsapp.Notification) {
			m := only(t, n)
			wantMessage(t, m, "wamid.FWD02", "image")
			if m.Context == nil || !m.Context.FrequentlyForwarded {
				t.Errorf("Context = %+v", m.Context)
			}
			if m.Media == nil || m.Media.ID != "5550001" {
				t.Errorf("Media = %+v", m.Media)
			}
		},
		"referral_ad.json": func(t *testing.T, n *whatsapp.Notification) {
			m := only(t, n)
			wantMessage(t, m, "wamid.REF01", "text")
			eq(t, "Text", m.Text, "Oi, vi o anúncio")
			r := m.Referral
			if r == nil {
				t.Fatal("no referral")
			}
			eq(t, "SourceType", r.SourceType, "ad")
			eq(t, "SourceID", r.SourceID, "120210432567890123")
			eq(t, "SourceURL", r.SourceURL, "https://fb.me/3cr4Wqqkv")
			eq(t, "Headline", r.Headline, "Frete grátis hoje")
			eq(t, "MediaType", r.MediaType, "image")
			eq(t, "ImageURL", r.ImageURL, "https://scontent.xx.fbcdn.net/v/ad.jpg")
			if !strings.HasPrefix(r.CtwaClid, "ARAkLkA8") {
				t.Errorf("CtwaClid = %q", r.CtwaClid)
			}
		},
		"order.json": func(t *testing.T, n *whatsapp.Notification) {
			m := only(t, n)
			wantMessage(t, m, "wamid.ORDER01", "order")
			eq(t, "Text", m.Text, "Quero estes itens")
			o := m.Order
			if o == nil || o.CatalogID != "1234567890123456" || len(o.ProductItems) != 2 {
				t.Fatalf("Order = %+v", o)
			}
			want := []whatsapp.OrderItem{
				{ProductRetailerID: "SKU-001", Quantity: "2", ItemPrice: "49.9", Currency: "BRL"},
				{ProductRetailerID: "SKU-002", Quantity: "1", ItemPrice: "120.00", Currency: "BRL"},
			}
			if !slices.Equal(o.ProductItems, want) {
				t.Errorf("ProductItems = %+v, want %+v", o.ProductItems, want)
			}
		},
		"system_user_changed_number.json": func(t *testing.T, n *whatsapp.Notification) {
			m := only(t, n)
			wantMessage(t, m, "wamid.SYS01", "system")
			eq(t, "ProfileName", m.ProfileName, "")
			if m.System == nil || m.System.Type != "user_changed_number" || m.System.NewWaID != "5511912345678" {
				t.Errorf("System = %+v", m.System)
			}
			eq(t, "Text", m.Text, "João changed their phone number to a number that is shown here.")
		},
		"system_identity_changed.json": func(t *testing.T, n *whatsapp.Notification) {
			m := only(t, n)
			wantMessage(t, m, "wamid.SYS02", "system")
			if m.System == nil || m.System.Type != "customer_identity_changed" || m.System.Customer != waID {
				t.Errorf("System = %+v", m.System)
			}
			want := whatsapp.Identity{Acknowledged: true, CreatedTimestamp: "1764090000", Hash: "ZmFrZWhhc2g="}
			if m.Identity == nil || *m.Identity != want {
				t.Errorf("Identity = %+v", m.Identity)
			}
		},
		"unsupported_131051.json": func(t *testing.T, n *whatsapp.Notification) {
			m := only(t, n)
			wantMessage(t, m, "wamid.UNSUP01", "unsupported")
			want := []whatsapp.Error{{Code: 131051, Title: "Message type unknown", Message: "Message type unknown", Details: "Message type is currently not supported."}}
			if !slices.Equal(m.Errors, want) {
				t.Errorf("Errors = %+v", m.Errors)
			}
			if m.Unsupported == nil || m.Unsupported.Type != "poll_creation" {
				t.Errorf("Unsupported = %+v", m.Unsupported)
			}
		},
		"unknown_future_type.json": func(t *testing.T, n *whatsapp.Notification) {
			m := only(t, n)
			wantMessage(t, m, "wamid.FUTURE01", "hologram")
			eq(t, "Text", m.Text, "")
			var raw struct {
				Hologram struct {
					Shape string `json:"shape"`
				} `json:"hologram"`
			}
			if err := json.Unmarshal(m.Raw, &raw); err != nil || raw.Hologram.Shape != "cube" {
				t.Errorf("raw does not keep the unknown object: %s", m.Raw)
			}
		},
		"revoke.json": func(t *testing.T, n *whatsapp.Notification) {
			m := only(t, n)
			wantMessage(t, m, "wamid.REVOKE01", "revoke")
			if m.Revoke == nil || m.Revoke.OriginalMessageID != "wamid.HBgNNTUxMTk4NzY1NDMyMRUCABIYFjNFQjBDMEE5RDg3QjY1NjIxNkQ0AA==" {
				t.Errorf("Revoke = %+v", m.Revoke)
			}
		},
		"edit.json": func(t *testing.T, n *whatsapp.Notification) {
			m := only(t, n)
			wantMessage(t, m, "wamid.EDIT01", "edit")
			e := m.Edit
			if e == nil || e.OriginalMessageID != "wamid.REPLY01" || e.Type != "text" || e.Text != "Sim, pode ser depois de amanhã" || !json.Valid(e.Message) {
				t.Errorf("Edit = %+v", e)
			}
			eq(t, "Text", m.Text, "Sim, pode ser depois de amanhã")
		},
		"bsuid_username.json": func(t *testing.T, n *whatsapp.Notification) {
			m := only(t, n)
			eq(t, "From", m.From, "")
			eq(t, "FromUserID", m.FromUserID, "BR.13491208655302741918")
			eq(t, "FromParentUserID", m.FromParentUserID, "BR.ENT.1234")
			eq(t, "ProfileName", m.ProfileName, "Carla")
			eq(t, "Username", m.Username, "@carla")
			eq(t, "Text", m.Text, "oi, sem número")
		},
		"contacts_missing.json": func(t *testing.T, n *whatsapp.Notification) {
			m := only(t, n)
			wantMessage(t, m, "wamid.NOCONTACTS01", "text")
			eq(t, "ProfileName", m.ProfileName, "")
			eq(t, "Text", m.Text, "sem contacts")
		},
		"text_unicode_escaped.json": func(t *testing.T, n *whatsapp.Notification) {
			m := only(t, n)
			wantMessage(t, m, "wamid.UNI01", "text")
			eq(t, "Text", m.Text, "Olá, João 👍")
			eq(t, "ProfileName", m.ProfileName, name)
			if !strings.Contains(string(m.Raw), `Ol\u00e1, Jo\u00e3o \ud83d\udc4d`) {
				t.Errorf("raw must keep the bytes as sent: %s", m.Raw)
			}
		},
		"text_unicode_raw.json": func(t *testing.T, n *whatsapp.Notification) {
			m := only(t, n)
			wantMessage(t, m, "wamid.UNI02", "text")
			eq(t, "Text", m.Text, "Olá, João 👍")
			eq(t, "ProfileName", m.ProfileName, name)
		},
		"field_first.json": func(t *testing.T, n *whatsapp.Notification) {
			m := only(t, n)
			wantMessage(t, m, "wamid.FIELD01", "text")
			eq(t, "Text", m.Text, "field antes de value")
		},
		"status_sent.json": func(t *testing.T, n *whatsapp.Notification) {
			s := onlyStatus(t, n)
			eq(t, "ID", s.ID, "wamid.OUT01")
			eq(t, "Status", s.Status, "sent")
			eq(t, "Timestamp", s.Timestamp, ts0)
			eq(t, "RecipientID", s.RecipientID, waID)
			eq(t, "PhoneNumberID", s.PhoneNumberID, pnID)
			eq(t, "WABAID", s.WABAID, wabaID)
			eq(t, "BizOpaqueCallbackData", s.BizOpaqueCallbackData, "papo:msg:42")
			want := whatsapp.Conversation{ID: "CONVERSATION_ID_1", Expiration: time.Date(2025, 11, 26, 18, 0, 0, 0, time.UTC), OriginType: "service"}
			if s.Conversation == nil || *s.Conversation != want {
				t.Errorf("Conversation = %+v", s.Conversation)
			}
			wantP := whatsapp.Pricing{Billable: true, PricingModel: "PMP", Category: "service", Type: "free_customer_service"}
			if s.Pricing == nil || *s.Pricing != wantP {
				t.Errorf("Pricing = %+v", s.Pricing)
			}
			if !json.Valid(s.Raw) {
				t.Errorf("raw = %s", s.Raw)
			}
		},
		"status_delivered.json": func(t *testing.T, n *whatsapp.Notification) {
			s := onlyStatus(t, n)
			eq(t, "Status", s.Status, "delivered")
			eq(t, "Timestamp", s.Timestamp, ts0.Add(5*time.Second))
			if s.Conversation == nil || !s.Conversation.Expiration.IsZero() || s.Conversation.OriginType != "service" {
				t.Errorf("Conversation = %+v", s.Conversation)
			}
			if s.Pricing == nil || s.Pricing.Billable || s.Pricing.PricingModel != "CBP" {
				t.Errorf("Pricing = %+v", s.Pricing)
			}
		},
		"status_read.json": func(t *testing.T, n *whatsapp.Notification) {
			s := onlyStatus(t, n)
			eq(t, "Status", s.Status, "read")
			eq(t, "Timestamp", s.Timestamp, ts0.Add(time.Minute))
			if s.Conversation != nil || s.Pricing != nil || s.Errors != nil {
				t.Errorf("read status should have no conversation/pricing/errors: %+v", s)
			}
		},
		"status_failed_131047.json": func(t *testing.T, n *whatsapp.Notification) {
			s := onlyStatus(t, n)
			eq(t, "ID", s.ID, "wamid.OUT02")
			eq(t, "Status", s.Status, "failed")
			eq(t, "RecipientID", s.RecipientID, waID)
			want := []whatsapp.Error{{Code: 131047, Title: "Re-engagement message", Message: "Re-engagement message",
				Details: "Message failed to send because more than 24 hours have passed since the customer last replied to this number.",
				Href:    "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/"}}
			if !slices.Equal(s.Errors, want) {
				t.Errorf("Errors = %+v", s.Errors)
			}
		},
		"status_played.json": func(t *testing.T, n *whatsapp.Notification) {
			s := onlyStatus(t, n)
			eq(t, "Status", s.Status, "played")
			eq(t, "rank", whatsapp.StatusRank(s.Status), whatsapp.StatusRank("read"))
		},
		"status_unknown.json": func(t *testing.T, n *whatsapp.Notification) {
			s := onlyStatus(t, n)
			eq(t, "Status", s.Status, "teleported")
			eq(t, "rank", whatsapp.StatusRank(s.Status), 0)
		},
		"batch_mixed.json": func(t *testing.T, n *whatsapp.Notification) {
			if len(n.Invalid) != 0 || len(n.Errors) != 0 {
				t.Fatalf("invalid %+v errors %+v", n.Invalid, n.Errors)
			}
			var ids []string
			for _, m := range n.Messages {
				ids = append(ids, m.ID+"@"+m.PhoneNumberID+"@"+m.WABAID+"@"+m.ProfileName)
			}
			wantIDs := []string{
				"wamid.B1@" + pnID + "@" + wabaID + "@" + name,
				"wamid.B2@" + pnID + "@" + wabaID + "@" + name,
				"wamid.B3@200300400500600@987654321098765@Bruno",
				"wamid.B4@200300400500600@987654321098765@Ana",
			}
			if !slices.Equal(ids, wantIDs) {
				t.Errorf("messages = %v, want %v", ids, wantIDs)
			}
			eq(t, "B2 time", n.Messages[1].Timestamp, ts0.Add(time.Second))
			eq(t, "B3 display", n.Messages[2].DisplayPhoneNumber, "+55 21 3003-4000")
			var sts []string
			for _, s := range n.Statuses {
				sts = append(sts, s.ID+"="+s.Status+"@"+s.PhoneNumberID)
			}
			wantSts := []string{"wamid.OUT10=delivered@" + pnID, "wamid.OUT11=read@" + pnID, "wamid.OUT12=sent@200300400500600"}
			if !slices.Equal(sts, wantSts) {
				t.Errorf("statuses = %v, want %v", sts, wantSts)
			}
			if len(n.Others) != 1 || n.Others[0].Field != "message_template_status_update" || n.Others[0].WABAID != "987654321098765" {
				t.Errorf("Others = %+v", n.Others)
			}
			eq(t, "Len", n.Len(), 8)
		},
		"template_status_update.json": func(t *testing.T, n *whatsapp.Notification) {
			if len(n.Others) != 1 || n.Len() != 1 {
				t.Fatalf("want one Other, got %+v", n)
			}
			o := n.Others[0]
			eq(t, "Field", o.Field, "message_template_status_update")
			eq(t, "WABAID", o.WABAID, wabaID)
			eq(t, "Time", o.Time, ts0)
			var v struct {
				Event string `json:"event"`
				ID    int64  `json:"message_template_id"`
				Name  string `json:"message_template_name"`
			}
			if err := json.Unmarshal(o.Value, &v); err != nil || v.Event != "REJECTED" || v.ID != 987654321 || v.Name != "promo_black_friday" {
				t.Errorf("Value = %s (%v)", o.Value, err)
			}
		},
		"errors_only.json": func(t *testing.T, n *whatsapp.Notification) {
			if len(n.Errors) != 1 || n.Len() != 1 {
				t.Fatalf("want one error, got %+v", n)
			}
			e := n.Errors[0]
			eq(t, "Code", e.Code, 131000)
			eq(t, "Details", e.Details, "Unsupported webhook payload")
			eq(t, "PhoneNumberID", e.PhoneNumberID, pnID)
			eq(t, "WABAID", e.WABAID, wabaID)
		},
		"interactive_no_subobject.json": func(t *testing.T, n *whatsapp.Notification) {
			if len(n.Messages) != 1 || len(n.Errors) != 1 || len(n.Invalid) != 0 {
				t.Fatalf("got %+v", n)
			}
			m := n.Messages[0]
			eq(t, "Type", m.Type, "interactive")
			if m.Interactive == nil || m.Interactive.Type != "button_reply" || m.Interactive.Title != "" {
				t.Errorf("Interactive = %+v", m.Interactive)
			}
			eq(t, "Text", m.Text, "")
			eq(t, "error code", n.Errors[0].Code, 131000)
		},
		"bad_timestamp_item.json": func(t *testing.T, n *whatsapp.Notification) {
			if len(n.Messages) != 1 || n.Messages[0].ID != "wamid.GOODTS" {
				t.Fatalf("the good message must survive: %+v", n.Messages)
			}
			if len(n.Invalid) != 1 {
				t.Fatalf("Invalid = %+v", n.Invalid)
			}
			bad := n.Invalid[0]
			eq(t, "Kind", bad.Kind, whatsapp.InvalidMessage)
			eq(t, "Index", bad.Index, 0)
			eq(t, "PhoneNumberID", bad.PhoneNumberID, pnID)
			if !errors.Is(bad.Err, whatsapp.ErrBadTimestamp) || !strings.Contains(bad.Err.Error(), "wamid.BADTS") {
				t.Errorf("Err = %v", bad.Err)
			}
			if !strings.Contains(string(bad.Raw), `"ontem"`) {
				t.Errorf("Raw = %s", bad.Raw)
			}
		},
	}

	files := corpusFiles(t)
	for _, f := range files {
		if _, ok := tests[f]; !ok {
			t.Errorf("corpus file %s has no assertions", f)
		}
	}
	for file, check := range tests {
		t.Run(file, func(t *testing.T) {
			n, err := whatsapp.ParseWebhook(readCorpus(t, file))
			if err != nil {
				t.Fatalf("ParseWebhook: %v", err)
			}
			check(t, n)
		})
	}
}

// TestParseWebhookMalformed: F25 — only a body that is not a WhatsApp
// notification fails, and it fails with ErrMalformed.
func TestParseWebhookMalformed(t *testing.T) {
	tests := []struct{ name, body string }{
		{"empty", ``},
		{"not json", `not json`},
		{"truncated", `{"object":"whatsapp_business_account","entry":[`},
		{"array", `[]`},
		{"null", `null`},
		{"wrong object", `{"object":"page","entry":[]}`},
		{"missing object", `{"entry":[]}`},
		{"entry not array", `{"object":"whatsapp_business_account","entry":{}}`},
		{"changes not array", `{"object":"whatsapp_business_account","entry":[{"id":"1","changes":"x"}]}`},
		{"field not string", `{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":1}]}]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, err := whatsapp.ParseWebhook([]byte(tt.body))
			if !errors.Is(err, whatsapp.ErrMalformed) {
				t.Fatalf("err = %v, want ErrMalformed", err)
			}
			if n != nil {
				t.Errorf("notification = %+v, want nil", n)
			}
		})
	}
}

// TestParseWebhookItemErrors: F25 — a bad item is recorded, never fatal.
func TestParseWebhookItemErrors(t *testing.T) {
	const head = `{"object":"whatsapp_business_account","entry":[{"id":"W","changes":[{"field":"messages","value":`
	const tail = `}]}]}`
	tests := []struct {
		name     string
		value    string
		kinds    []string
		messages int
		statuses int
		is       error
	}{
		{"value not object", `"x"`, []string{whatsapp.InvalidValue}, 0, 0, nil},
		{"message without id", `{"messages":[{"from":"1","timestamp":"1","type":"text"}]}`, []string{whatsapp.InvalidMessage}, 0, 0, whatsapp.ErrMissingID},
		{"message wrong type", `{"messages":[{"id":"a","timestamp":"1","type":"text","text":"oops"},{"id":"b","timestamp":"1","type":"text"}]}`, []string{whatsapp.InvalidMessage}, 1, 0, nil},
		{"negative timestamp", `{"messages":[{"id":"a","timestamp":"-5","type":"text"}]}`, []string{whatsapp.InvalidMessage}, 0, 0, whatsapp.ErrBadTimestamp},
		{"float timestamp", `{"statuses":[{"id":"a","status":"sent","timestamp":"1.5"}]}`, []string{whatsapp.InvalidStatus}, 0, 0, whatsapp.ErrBadTimestamp},
		{"missing timestamp", `{"statuses":[{"id":"a","status":"sent"},{"id":"b","status":"read","timestamp":1764093600}]}`, []string{whatsapp.InvalidStatus}, 0, 1, whatsapp.ErrBadTimestamp},
		{"bad contacts", `{"contacts":{"wa_id":"1"},"messages":[{"id":"a","from":"1","timestamp":"1","type":"text","text":{"body":"x"}}]}`, []string{whatsapp.InvalidContacts}, 1, 0, nil},
		{"bad metadata", `{"metadata":[],"messages":[{"id":"a","timestamp":"1","type":"text"}]}`, []string{whatsapp.InvalidMetadata}, 1, 0, nil},
		{"bad error item", `{"errors":["x",{"code":"131000"}]}`, []string{whatsapp.InvalidError}, 0, 0, nil},
		{"null value", `null`, nil, 0, 0, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, err := whatsapp.ParseWebhook([]byte(head + tt.value + tail))
			if err != nil {
				t.Fatalf("ParseWebhook: %v", err)
			}
			var kinds []string
			for _, it := range n.Invalid {
				kinds = append(kinds, it.Kind)
				if it.Err == nil || it.WABAID != "W" || it.Entry != 0 || it.Change != 0 {
					t.Errorf("invalid item = %+v", it)
				}
				if tt.is != nil && !errors.Is(it.Err, tt.is) {
					t.Errorf("Err = %v, want %v", it.Err, tt.is)
				}
			}
			if !slices.Equal(kinds, tt.kinds) {
				t.Errorf("invalid kinds = %v, want %v", kinds, tt.kinds)
			}
			eq(t, "messages", len(n.Messages), tt.messages)
			eq(t, "statuses", len(n.Statuses), tt.statuses)
		})
	}
}

// TestParseWebhookErrorCodeAsString: out-of-band error codes are accepted
// as numbers or numeric strings (F25).
func TestParseWebhookErrorCodeAsString(t *testing.T) {
	body := `{"object":"whatsapp_business_account","entry":[{"id":"W","changes":[{"field":"messages","value":{"errors":[{"code":"130429","title":"Rate limit hit"}]}}]}]}`
	n, err := whatsapp.ParseWebhook([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	if len(n.Errors) != 1 || n.Errors[0].Code != 130429 || n.Errors[0].Title != "Rate limit hit" {
		t.Errorf("Errors = %+v", n.Errors)
	}
}

// TestStatusOrdering: F18/F26 — statuses only move forward.
func TestStatusOrdering(t *testing.T) {
	if !(whatsapp.StatusRank("queued") < whatsapp.StatusRank("sent") &&
		whatsapp.StatusRank("sent") < whatsapp.StatusRank("delivered") &&
		whatsapp.StatusRank("delivered") < whatsapp.StatusRank("read") &&
		whatsapp.StatusRank("read") == whatsapp.StatusRank("played")) {
		t.Error("ladder out of order")
	}
	eq(t, "failed rank", whatsapp.StatusRank("failed"), 0)
	eq(t, "unknown rank", whatsapp.StatusRank("deleted"), 0)

	tests := []struct {
		current, next string
		want          bool
	}{
		{"", "sent", true},
		{"queued", "sent", true},
		{"sent", "delivered", true},
		{"delivered", "read", true},
		{"sent", "read", true},
		{"delivered", "played", true},
		{"read", "delivered", false},
		{"read", "sent", false},
		{"delivered", "delivered", false},
		{"read", "played", false},
		{"played", "read", false},
		{"queued", "failed", true},
		{"sent", "failed", true},
		{"", "failed", true},
		{"delivered", "failed", false},
		{"read", "failed", false},
		{"failed", "failed", false},
		{"failed", "sent", false},
		{"failed", "delivered", true},
		{"failed", "read", true},
		{"sent", "warning", false},
		{"deleted", "sent", true},
	}
	for _, tt := range tests {
		if got := whatsapp.StatusAdvances(tt.current, tt.next); got != tt.want {
			t.Errorf("StatusAdvances(%q, %q) = %v, want %v", tt.current, tt.next, got, tt.want)
		}
	}
}

// FuzzParseWebhook: F25 — ParseWebhook never panics, and parsing the same
// bytes twice gives the same result. Seeded with every corpus file.
func FuzzParseWebhook(f *testing.F) {
	for _, file := range corpusFiles(f) {
		f.Add(readCorpus(f, file))
	}
	f.Add([]byte(`{"object":"whatsapp_business_account","entry":[{"id":1,"time":"x","changes":[{"field":"messages","value":{"messages":[{"id":"a","timestamp":"9999999999999"}]}}]}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		n1, err1 := whatsapp.ParseWebhook(body)
		n2, err2 := whatsapp.ParseWebhook(body)
		if (err1 == nil) != (err2 == nil) {
			t.Fatalf("non-deterministic error: %v vs %v", err1, err2)
		}
		if err1 != nil {
			if !errors.Is(err1, whatsapp.ErrMalformed) {
				t.Fatalf("error does not wrap ErrMalformed: %v", err1)
			}
			return
		}
		if !reflect.DeepEqual(n1, n2) {
			t.Fatal("re-parsing gave a different notification")
		}
		for _, m := range n1.Messages {
			if m.ID == "" || m.Timestamp.Location() != time.UTC {
				t.Fatalf("message without id or UTC time: %+v", m)
			}
			if !json.Valid(m.Raw) {
				t.Fatalf("raw message is not JSON: %q", m.Raw)
			}
			if _, err := json.Marshal(m); err != nil {
				t.Fatalf("message does not marshal: %v", err)
			}
		}
		for _, s := range n1.Statuses {
			if s.ID == "" || !json.Valid(s.Raw) {
				t.Fatalf("bad status: %+v", s)
			}
		}
		for _, it := range n1.Invalid {
			if it.Err == nil {
				t.Fatalf("invalid item without error: %+v", it)
			}
		}
	})
}

// TestParseWebhookLenientEntryTime: entry[].time is informative; a bad one
// does not make the payload malformed (F25).
func TestParseWebhookLenientEntryTime(t *testing.T) {
	for _, tm := range []string{`"abc"`, `{}`, `-1`, `"1764093600"`, `1764093600`} {
		body := `{"object":"whatsapp_business_account","entry":[{"id":"W","time":` + tm + `,"changes":[{"field":"account_update","value":{"event":"X"}}]}]}`
		n, err := whatsapp.ParseWebhook([]byte(body))
		if err != nil || len(n.Others) != 1 {
			t.Fatalf("time %s: %v", tm, err)
		}
		if wantSet := strings.Contains(tm, "1764093600"); wantSet != (n.Others[0].Time == ts0) {
			t.Errorf("time %s: Other.Time = %v", tm, n.Others[0].Time)
		}
	}
}

// TestParseVerification: F25 — the GET handshake parameters.
func TestParseVerification(t *testing.T) {
	tests := []struct {
		query            string
		token, challenge string
		ok               bool
	}{
		{"hub.mode=subscribe&hub.verify_token=segredo&hub.challenge=1158201444", "segredo", "1158201444", true},
		{"hub.mode=subscribe&hub.verify_token=a%20b&hub.challenge=00abc%2B1", "a b", "00abc+1", true},
		{"hub.mode=unsubscribe&hub.verify_token=segredo&hub.challenge=1", "", "", false},
		{"hub.verify_token=segredo&hub.challenge=1", "", "", false},
	}
	for _, tt := range tests {
		q, err := url.ParseQuery(tt.query)
		if err != nil {
			t.Fatal(err)
		}
		token, challenge, ok := whatsapp.ParseVerification(q)
		if token != tt.token || challenge != tt.challenge || ok != tt.ok {
			t.Errorf("%s: got %q %q %v", tt.query, token, challenge, ok)
		}
	}
}
