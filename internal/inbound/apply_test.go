package inbound_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"papo/internal/conversation"
	"papo/internal/message"
	"papo/internal/store"
)

func (h *hook) conv(t *testing.T, id store.ID) *conversation.Conversation {
	t.Helper()
	ctx := context.Background()
	row, err := h.e.App.Conv.Load(ctx, nil, id)
	if err != nil {
		t.Fatal(err)
	}
	out, err := h.e.App.Conv.Present(ctx, nil, []conversation.Row{*row})
	if err != nil {
		t.Fatal(err)
	}
	return &out[0]
}

func get(p map[string]any, path ...string) any {
	var v any = p
	for _, k := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

func wantPayload(t *testing.T, m *message.Message, want any, path ...string) {
	t.Helper()
	if got := get(payload(t, m), path...); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("%s payload.%s = %v, want %v (payload %s)", *m.WAMessageID, strings.Join(path, "."), got, want, m.Payload)
	}
}

func wantText(t *testing.T, m *message.Message, typ, text string) {
	t.Helper()
	if m.Type != typ || m.Text != text || m.Direction != "in" || m.Status != "received" {
		t.Errorf("%s = type %q text %q direction %s status %s; want %q %q in received", *m.WAMessageID, m.Type, m.Text,
			m.Direction, m.Status, typ, text)
	}
}

// TestCorpusApplied delivers every body of the webhook corpus through the
// real handler, signed, and checks what papo stored for each message and
// status type (F18, F25).
func TestCorpusApplied(t *testing.T) {
	h := newHook(t)
	h.deliver(t, "text.json")
	first := h.mustMsg(t, "wamid.HBgNNTUxMTk4NzY1NDMyMRUCABIYFjNFQjBDMEE5RDg3QjY1NjIxNkQ0AA==")
	for _, wa := range []string{"wamid.OUTBOUND_TEXT", "wamid.OUTBOUND_QUESTION", "wamid.OUT01", "wamid.OUT02", "wamid.OUT03", "wamid.OUT04"} {
		h.outbound(t, wa)
	}
	for _, name := range corpusNames(t) {
		if r := h.post(t, corpus(t, name), mainSecret); r.Status != http.StatusOK {
			t.Fatalf("%s: POST = %d %s", name, r.Status, r.Body)
		}
	}

	t.Run("text opens a pending conversation in the default team", func(t *testing.T) {
		wantText(t, first, "text", "Bom dia, preciso de ajuda com meu pedido")
		if got := first.CreatedAt.Format(time.RFC3339); got != "2025-11-25T18:00:00Z" {
			t.Errorf("created_at = %s, want WhatsApp's timestamp", got)
		}
		c := h.conv(t, first.ConversationID)
		if c.Status != "pending" || c.TeamID != h.team.ID || c.AssigneeID != nil ||
			c.Contact.WaID != customerWaID || c.Contact.ProfileName != "João Silva" {
			t.Errorf("conversation = %+v contact %+v", c, c.Contact)
		}
		if first.Author.Type != "contact" {
			t.Errorf("author = %+v", first.Author)
		}
	})
	t.Run("non-ASCII text, escaped and raw", func(t *testing.T) {
		wantText(t, h.mustMsg(t, "wamid.UNI01"), "text", "Olá, João 👍")
		wantText(t, h.mustMsg(t, "wamid.UNI02"), "text", "Olá, João 👍")
	})
	t.Run("media carry their caption and a pending or downloaded file", func(t *testing.T) {
		img := h.mustMsg(t, "wamid.IMAGE01")
		wantText(t, img, "image", "Foto do produto quebrado")
		if img.Media == nil || img.Media.MimeType != "image/jpeg" {
			t.Errorf("image media = %+v", img.Media)
		}
		wantPayload(t, img, "1479537139650973", "media", "wa_media_id")
		doc := h.mustMsg(t, "wamid.DOC01")
		wantText(t, doc, "document", "Segue a nota fiscal")
		if doc.Media == nil || doc.Media.Filename != "nota-fiscal-1042.pdf" {
			t.Errorf("document media = %+v", doc.Media)
		}
		audio := h.mustMsg(t, "wamid.AUDIO01")
		wantText(t, audio, "audio", "")
		wantPayload(t, audio, true, "media", "voice")
		st := h.mustMsg(t, "wamid.STICKER01")
		wantText(t, st, "sticker", "")
		wantPayload(t, st, true, "media", "animated")
		wantText(t, h.mustMsg(t, "wamid.VIDEO01"), "video", "")
		fwd := h.mustMsg(t, "wamid.FWD02")
		wantText(t, fwd, "image", "")
		wantPayload(t, fwd, true, "frequently_forwarded")
	})
	t.Run("location, contacts, order", func(t *testing.T) {
		loc := h.mustMsg(t, "wamid.LOC01")
		wantText(t, loc, "location", "")
		wantPayload(t, loc, "MASP", "location", "name")
		wantPayload(t, loc, -23.561414, "location", "latitude")
		plain := h.mustMsg(t, "wamid.LOC02")
		wantPayload(t, plain, -43.210487, "location", "longitude")
		wantPayload(t, plain, nil, "location", "name")
		card := h.mustMsg(t, "wamid.CONTACTS01")
		wantText(t, card, "contacts", "")
		cards, _ := get(payload(t, card), "contacts").([]any)
		if len(cards) == 0 || get(cards[0].(map[string]any), "name", "formatted_name") == nil {
			t.Errorf("contacts payload = %s", card.Payload)
		}
		order := h.mustMsg(t, "wamid.ORDER01")
		wantText(t, order, "order", "Quero estes itens")
		items, _ := get(payload(t, order), "order", "product_items").([]any)
		if len(items) != 2 {
			t.Errorf("order payload = %s", order.Payload)
		}
	})
	t.Run("interactive replies and template buttons", func(t *testing.T) {
		btn := h.mustMsg(t, "wamid.INTBTN01")
		wantText(t, btn, "interactive", "5 - Excelente")
		wantPayload(t, btn, "survey_5", "interactive", "id")
		wantPayload(t, btn, "button_reply", "interactive", "type")
		list := h.mustMsg(t, "wamid.INTLIST01")
		wantText(t, list, "interactive", "Financeiro")
		wantPayload(t, list, "dept_financeiro", "interactive", "id")
		wantPayload(t, list, "Boletos e notas fiscais", "interactive", "description")
		flow := h.mustMsg(t, "wamid.INTNFM01")
		wantText(t, flow, "interactive", "Sent")
		if !strings.Contains(fmt.Sprint(get(payload(t, flow), "interactive", "response_json")), "abc123") {
			t.Errorf("flow payload = %s", flow.Payload)
		}
		wantText(t, h.mustMsg(t, "wamid.INTEMPTY"), "interactive", "")
		tb := h.mustMsg(t, "wamid.BUTTON01")
		wantText(t, tb, "button", "Confirmar entrega")
		wantPayload(t, tb, "CONFIRMAR_ENTREGA", "button", "payload")
		wantPayload(t, tb, "wamid.OUTBOUND_TEMPLATE", "context", "id")
		if tb.ReplyToID != nil {
			t.Errorf("reply_to_id = %v for a message papo does not have", *tb.ReplyToID)
		}
	})
	t.Run("replies, forwards, referrals", func(t *testing.T) {
		reply := h.mustMsg(t, "wamid.REPLY01") // its text was edited: edit.json
		wantText(t, reply, "text", "Sim, pode ser depois de amanhã")
		q := h.mustMsg(t, "wamid.OUTBOUND_QUESTION")
		if reply.ReplyToID == nil || *reply.ReplyToID != q.ID {
			t.Errorf("reply_to_id = %v, want %s", reply.ReplyToID, q.ID)
		}
		wantPayload(t, h.mustMsg(t, "wamid.FWD01"), true, "forwarded")
		ref := h.mustMsg(t, "wamid.REF01")
		wantPayload(t, ref, "120210432567890123", "referral", "source_id")
		wantPayload(t, ref, "ad", "referral", "source_type")
	})
	t.Run("system messages, with and without contacts", func(t *testing.T) {
		sys := h.mustMsg(t, "wamid.SYS01")
		wantText(t, sys, "system", "João changed their phone number to a number that is shown here.")
		wantPayload(t, sys, "5511912345678", "system", "new_wa_id")
		wantPayload(t, h.mustMsg(t, "wamid.SYS02"), "customer_identity_changed", "system", "type")
		wantText(t, h.mustMsg(t, "wamid.NOCONTACTS01"), "text", "sem contacts")
		wantText(t, h.mustMsg(t, "wamid.FIELD01"), "text", "field antes de value")
	})
	t.Run("types papo does not model are kept as unsupported with their raw body", func(t *testing.T) {
		u := h.mustMsg(t, "wamid.UNSUP01")
		wantText(t, u, "unsupported", "")
		wantPayload(t, u, "poll_creation", "unsupported", "type")
		errs, _ := get(payload(t, u), "errors").([]any)
		if len(errs) != 1 || fmt.Sprint(get(errs[0].(map[string]any), "code")) != "131051" {
			t.Errorf("unsupported payload = %s", u.Payload)
		}
		if get(payload(t, u), "raw") == nil {
			t.Errorf("no raw body: %s", u.Payload)
		}
		f := h.mustMsg(t, "wamid.FUTURE01")
		wantText(t, f, "unsupported", "")
		wantPayload(t, f, "hologram", "wa_type")
		wantPayload(t, f, "cube", "raw", "hologram", "shape")
		// Edits and revokes change their original instead of being messages.
		if h.msg(t, "wamid.EDIT01") != nil || h.msg(t, "wamid.REVOKE01") != nil {
			t.Error("an edit or a revoke was stored as a message")
		}
		if r := h.mustMsg(t, "wamid.REPLY01"); r.EditedAt == nil || r.Text != "Sim, pode ser depois de amanhã" {
			t.Errorf("edited original = %q edited_at %v", r.Text, r.EditedAt)
		}
		if n := h.count(t, "SELECT COUNT(*) FROM webhook_message_changes WHERE kind = 'edit' AND previous_text = 'Sim, pode ser amanhã'"); n != 1 {
			t.Errorf("the replaced text was not kept (%d rows)", n)
		}
		if r := h.mustMsg(t, "wamid.HBgNNTUxMTk4NzY1NDMyMRUCABIYFjNFQjBDMEE5RDg3QjY1NjIxNkQ0AA=="); r.RevokedAt == nil || r.Text == "" {
			t.Errorf("revoked original: revoked_at %v, text %q (kept)", r.RevokedAt, r.Text)
		}
	})
	t.Run("batches span entries, changes and channels", func(t *testing.T) {
		wantText(t, h.mustMsg(t, "wamid.B1"), "text", "primeira")
		wantText(t, h.mustMsg(t, "wamid.B2"), "text", "segunda")
		b3 := h.msgOn(t, h.second.ID, "wamid.B3")
		b4 := h.msgOn(t, h.second.ID, "wamid.B4")
		if b3 == nil || b4 == nil || b3.Text != "sou o Bruno" || b4.Type != "image" || b3.ConversationID == b4.ConversationID {
			t.Fatalf("second channel messages = %+v %+v", b3, b4)
		}
		c := h.conv(t, b3.ConversationID)
		if c.ChannelID != h.second.ID || c.Contact.ProfileName != "Bruno" {
			t.Errorf("conversation = %+v", c)
		}
	})
	t.Run("statuses move forward only; failed carries the reason", func(t *testing.T) {
		// Delivered, read, then a late "sent": read stays.
		if m := h.mustMsg(t, "wamid.OUT01"); m.Status != "read" {
			t.Errorf("OUT01 status = %s, want read", m.Status)
		}
		m := h.mustMsg(t, "wamid.OUT02")
		if m.Status != "failed" || m.Error == nil || m.Error.Code != "131047" || m.Error.Retryable ||
			!strings.Contains(m.Error.Message, "24") {
			t.Errorf("OUT02 = %s %+v", m.Status, m.Error)
		}
		if m := h.mustMsg(t, "wamid.OUT03"); m.Status != "read" {
			t.Errorf("played: status = %s, want read", m.Status)
		}
		if m := h.mustMsg(t, "wamid.OUT04"); m.Status != "sent" {
			t.Errorf("unknown status changed the message: %s", m.Status)
		}
	})
	t.Run("reactions are not messages", func(t *testing.T) {
		if h.msg(t, "wamid.REACT01") != nil {
			t.Error("a reaction was stored as a message")
		}
		// Added, then removed twice (absent and empty emoji).
		if m := h.mustMsg(t, "wamid.OUTBOUND_TEXT"); len(m.Reactions) != 0 {
			t.Errorf("reactions = %+v, want none after removal", m.Reactions)
		}
	})
	t.Run("deliveries are kept with what became of them", func(t *testing.T) {
		all := h.deliveries(t)
		for name, want := range map[string]string{"errors_only.json": "ignored", "template_status_update.json": "ignored",
			"bsuid_username.json": "applied", "bad_timestamp_item.json": "failed", "text.json": "applied", "batch_mixed.json": "applied"} {
			body := string(corpus(t, name))
			i := slices.IndexFunc(all, func(d delivery) bool { return string(d.Body) == body })
			if i < 0 {
				t.Errorf("%s: no delivery kept with these exact bytes", name)
				continue
			}
			d := all[i]
			if d.State != want || (want != "applied" && d.Error == "") {
				t.Errorf("%s delivery = %s %q, want %s with a reason", name, d.State, d.Error, want)
			}
		}
		if h.msg(t, "wamid.GOODTS") == nil || h.msg(t, "wamid.BADTS") != nil {
			t.Error("an unreadable item must not stop the rest of its delivery")
		}
	})
}

// snapshot is everything the webhook writes, to compare before and after a
// redelivery.
func (h *hook) snapshot(t *testing.T) string {
	t.Helper()
	var b strings.Builder
	for _, q := range []string{
		"SELECT COUNT(*) FROM contacts", "SELECT COUNT(*) FROM conversations", "SELECT COUNT(*) FROM messages",
		"SELECT COUNT(*) FROM media", "SELECT COUNT(*) FROM message_reactions", "SELECT COUNT(*) FROM webhook_statuses",
	} {
		fmt.Fprintf(&b, "%s=%d\n", q, h.count(t, q))
	}
	var rows []struct {
		ID     store.ID `db:"id"`
		Conv   store.ID `db:"conversation_id"`
		Type   string   `db:"type"`
		Text   string   `db:"text"`
		Status string   `db:"status"`
		Pay    string   `db:"payload"`
	}
	if err := h.e.App.DB.R.SelectContext(context.Background(), &rows,
		"SELECT id, conversation_id, type, text, status, payload FROM messages ORDER BY id"); err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		fmt.Fprintf(&b, "%v\n", r)
	}
	var convs []struct {
		ID     store.ID  `db:"id"`
		Status string    `db:"status"`
		Unread int       `db:"unread_count"`
		Last   *store.ID `db:"last_message_id"`
	}
	if err := h.e.App.DB.R.SelectContext(context.Background(), &convs,
		"SELECT id, status, unread_count, last_message_id FROM conversations ORDER BY id"); err != nil {
		t.Fatal(err)
	}
	for _, c := range convs {
		fmt.Fprintf(&b, "conv %v %s %d %v\n", c.ID, c.Status, c.Unread, *c.Last)
	}
	return b.String()
}

// TestRedeliveryChangesNothing delivers the whole corpus, then again in
// another order: every message, status and reaction applies once (F25).
func TestRedeliveryChangesNothing(t *testing.T) {
	h := newHook(t)
	h.deliver(t, "text.json")
	for _, wa := range []string{"wamid.OUTBOUND_TEXT", "wamid.OUTBOUND_QUESTION", "wamid.OUT01", "wamid.OUT02"} {
		h.outbound(t, wa)
	}
	names := corpusNames(t)
	for _, n := range names {
		h.post(t, corpus(t, n), mainSecret)
	}
	before := h.snapshot(t)
	rand.Shuffle(len(names), func(i, j int) { names[i], names[j] = names[j], names[i] })
	for _, n := range names {
		if r := h.post(t, corpus(t, n), mainSecret); r.Status != 200 {
			t.Fatalf("%s: %d %s", n, r.Status, r.Body)
		}
	}
	if after := h.snapshot(t); after != before {
		t.Errorf("redelivery changed the store:\nbefore:\n%s\nafter:\n%s", before, after)
	}
}

// textBody is a one-message notification for the main channel.
func textBody(wamid, from, name, text string, ts int64) []byte {
	return fmt.Appendf(nil, `{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550783881","phone_number_id":%q},"contacts":[{"profile":{"name":%q},"wa_id":%q}],"messages":[{"from":%q,"id":%q,"timestamp":"%d","type":"text","text":{"body":%q}}]},"field":"messages"}]}]}`,
		mainPhoneID, name, from, from, wamid, ts, text)
}

func reactionBody(wamid, target, emoji string, ts int64) []byte {
	e := fmt.Sprintf(`,"emoji":%q`, emoji)
	if emoji == "-" {
		e = ""
	}
	return fmt.Appendf(nil, `{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"1","phone_number_id":%q},"contacts":[{"profile":{"name":"João"},"wa_id":%q}],"messages":[{"from":%q,"id":%q,"timestamp":"%d","type":"reaction","reaction":{"message_id":%q%s}}]},"field":"messages"}]}]}`,
		mainPhoneID, customerWaID, customerWaID, wamid, ts, target, e)
}

func statusBody(wamid, status string, ts int64, code int) []byte {
	errs := ""
	if code != 0 {
		errs = fmt.Sprintf(`,"errors":[{"code":%d,"title":"x","message":"x","error_data":{"details":"x"}}]`, code)
	}
	return fmt.Appendf(nil, `{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"1","phone_number_id":%q},"statuses":[{"id":%q,"status":%q,"timestamp":"%d","recipient_id":%q%s}]},"field":"messages"}]}]}`,
		mainPhoneID, wamid, status, ts, customerWaID, errs)
}

const t0 = int64(1795000000)

// TestReactionsAddChangeRemove follows one customer's reaction on a message
// (F18): added, changed, removed, an old one redelivered late, and a
// reaction to a message that only appears afterwards.
func TestReactionsAddChangeRemove(t *testing.T) {
	h := newHook(t)
	h.deliverBody(t, textBody("wamid.T1", customerWaID, "João", "oi", t0))
	reactions := func() []message.Reaction { return h.mustMsg(t, "wamid.T1").Reactions }
	want := func(step string, emoji string) {
		t.Helper()
		r := reactions()
		if emoji == "" && len(r) != 0 || emoji != "" && (len(r) != 1 || r[0].Emoji != emoji || r[0].By != "contact:"+customerWaID) {
			t.Errorf("%s: reactions = %+v, want %q", step, r, emoji)
		}
	}
	h.deliverBody(t, reactionBody("wamid.R1", "wamid.T1", "👍", t0+1))
	want("added", "👍")
	h.deliverBody(t, reactionBody("wamid.R2", "wamid.T1", "❤️", t0+2))
	want("changed", "❤️")
	h.deliverBody(t, reactionBody("wamid.R1", "wamid.T1", "👍", t0+1))
	want("old one redelivered", "❤️")
	h.deliverBody(t, reactionBody("wamid.R3", "wamid.T1", "-", t0+3))
	want("removed (no emoji)", "")
	h.deliverBody(t, reactionBody("wamid.R2", "wamid.T1", "❤️", t0+2))
	want("change redelivered after removal", "")
	h.deliverBody(t, reactionBody("wamid.R4", "wamid.T1", "😮", t0+4))
	want("added again", "😮")
	h.deliverBody(t, reactionBody("wamid.R5", "wamid.T1", "", t0+5))
	want("removed (empty emoji)", "")
	// Out of order: an older reaction or removal arriving for the first time
	// after a newer one changes nothing.
	h.deliverBody(t, reactionBody("wamid.R9", "wamid.T1", "🔥", t0+30))
	h.deliverBody(t, reactionBody("wamid.R10", "wamid.T1", "💧", t0+25))
	want("older reaction arriving late", "🔥")
	h.deliverBody(t, reactionBody("wamid.R11", "wamid.T1", "", t0+28))
	want("older removal arriving late", "🔥")

	// A reaction before its message: kept, applied when the message appears,
	// the newest one winning.
	h.deliverBody(t, reactionBody("wamid.R6", "wamid.T2", "🙏", t0+11))
	h.deliverBody(t, reactionBody("wamid.R7", "wamid.T2", "🎉", t0+12))
	h.deliverBody(t, textBody("wamid.T2", customerWaID, "João", "segunda", t0+10))
	if r := h.mustMsg(t, "wamid.T2").Reactions; len(r) != 1 || r[0].Emoji != "🎉" {
		t.Errorf("waiting reactions = %+v, want 🎉", r)
	}
	// ...also when both come in one body, the reaction first.
	both := fmt.Appendf(nil, `{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"1","phone_number_id":%q},"contacts":[{"profile":{"name":"João"},"wa_id":%q}],"messages":[{"from":%q,"id":"wamid.R9B","timestamp":"%d","type":"reaction","reaction":{"message_id":"wamid.T3","emoji":"✅"}},{"from":%q,"id":"wamid.T3","timestamp":"%d","type":"text","text":{"body":"terceira"}}]},"field":"messages"}]}]}`,
		mainPhoneID, customerWaID, customerWaID, t0+41, customerWaID, t0+40)
	h.deliverBody(t, both)
	if r := h.mustMsg(t, "wamid.T3").Reactions; len(r) != 1 || r[0].Emoji != "✅" {
		t.Errorf("reaction before its message in one body = %+v", r)
	}
	// ...also when the message is one papo sends later (ApplyPending).
	h.deliverBody(t, reactionBody("wamid.R8", "wamid.OUTLATER", "👌", t0+20))
	h.outbound(t, "wamid.OUTLATER")
	if r := h.mustMsg(t, "wamid.OUTLATER").Reactions; len(r) != 1 || r[0].Emoji != "👌" {
		t.Errorf("reaction to a later outbound message = %+v", r)
	}
}

// TestStatusBeforeItsMessage: statuses for a send papo has not recorded yet
// wait and apply, forward only, when the message gets its WhatsApp id
// (F25, F26).
func TestStatusBeforeItsMessage(t *testing.T) {
	h := newHook(t)
	h.deliverBody(t, textBody("wamid.T1", customerWaID, "João", "oi", t0))
	h.deliverBody(t, statusBody("wamid.EARLY", "delivered", t0+2, 0))
	h.deliverBody(t, statusBody("wamid.EARLY", "sent", t0+1, 0))
	h.deliverBody(t, statusBody("wamid.EARLY", "delivered", t0+2, 0))
	if n, err := h.e.App.Inbound.WaitingStatuses(context.Background()); err != nil || n != 2 {
		t.Fatalf("waiting statuses = %d %v, want 2", n, err)
	}
	h.outbound(t, "wamid.EARLY")
	if m := h.mustMsg(t, "wamid.EARLY"); m.Status != "delivered" {
		t.Errorf("status = %s, want delivered", m.Status)
	}
	if n, _ := h.e.App.Inbound.WaitingStatuses(context.Background()); n != 0 {
		t.Errorf("%d statuses still waiting", n)
	}
	// Later ones apply at once; an older one changes nothing.
	h.deliverBody(t, statusBody("wamid.EARLY", "read", t0+5, 0))
	h.deliverBody(t, statusBody("wamid.EARLY", "failed", t0+6, 131026))
	if m := h.mustMsg(t, "wamid.EARLY"); m.Status != "read" || m.Error != nil {
		t.Errorf("after read + late failed: %s %+v", m.Status, m.Error)
	}
	// A failed status carries WhatsApp's code and a readable reason; a later
	// delivered proves delivery.
	h.outbound(t, "wamid.FAIL")
	h.deliverBody(t, statusBody("wamid.FAIL", "failed", t0+1, 131026))
	m := h.mustMsg(t, "wamid.FAIL")
	if m.Status != "failed" || m.Error == nil || m.Error.Code != "131026" || m.Error.Message == "" {
		t.Errorf("failed = %s %+v", m.Status, m.Error)
	}
	h.deliverBody(t, statusBody("wamid.FAIL", "delivered", t0+2, 0))
	if m := h.mustMsg(t, "wamid.FAIL"); m.Status != "delivered" {
		t.Errorf("delivered after failed = %s", m.Status)
	}
}

// TestConcurrentDeliveriesGroupCommit posts many deliveries at once, each
// several times: all are answered 200 after being stored, every message is
// stored exactly once, and a contact's first messages arriving together
// open one conversation (F25).
func TestConcurrentDeliveriesGroupCommit(t *testing.T) {
	h := newHook(t)
	const n = 60
	var wg sync.WaitGroup
	errs := make(chan string, 3*n)
	for i := range 3 * n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			k := i % n
			from := fmt.Sprintf("55119%08d", k%7)
			r := h.post(t, textBody(fmt.Sprintf("wamid.C%d", k), from, "Cliente", fmt.Sprintf("mensagem %d", k), t0+int64(k)), mainSecret)
			if r.Status != 200 {
				errs <- fmt.Sprintf("%d: %d %s", i, r.Status, r.Body)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	if got := h.count(t, "SELECT COUNT(*) FROM messages"); got != n {
		t.Errorf("messages = %d, want %d", got, n)
	}
	if got := h.count(t, "SELECT COUNT(*) FROM conversations"); got != 7 {
		t.Errorf("conversations = %d, want 7 (one per contact)", got)
	}
	if got := h.count(t, "SELECT COUNT(*) FROM webhook_deliveries"); got != 3*n {
		t.Errorf("deliveries = %d, want %d", got, 3*n)
	}
	var unread []int
	if err := h.e.App.DB.R.SelectContext(context.Background(), &unread, "SELECT unread_count FROM conversations"); err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, u := range unread {
		total += u
	}
	if total != n {
		t.Errorf("unread counts %v sum to %d, want %d (each message once)", unread, total, n)
	}
	_ = slices.Max(unread)
}

// TestClosedAndResolvedConversations: a customer message to a resolved
// conversation makes it pending; after a close, a new conversation opens;
// a redelivered old message never reopens anything (F09, F25).
func TestClosedAndResolvedConversations(t *testing.T) {
	h := newHook(t)
	ctx := context.Background()
	h.deliverBody(t, textBody("wamid.A1", customerWaID, "João", "um", t0))
	c1 := h.mustMsg(t, "wamid.A1").ConversationID
	if _, err := h.e.App.DB.W.ExecContext(ctx, h.e.App.DB.W.Rebind("UPDATE conversations SET status = 'resolved' WHERE id = ?"), c1); err != nil {
		t.Fatal(err)
	}
	h.deliverBody(t, textBody("wamid.A2", customerWaID, "João", "dois", t0+1))
	if c := h.conv(t, c1); c.Status != "pending" || h.mustMsg(t, "wamid.A2").ConversationID != c1 {
		t.Errorf("resolved + message: %s", c.Status)
	}
	if _, err := h.e.App.DB.W.ExecContext(ctx, h.e.App.DB.W.Rebind("UPDATE conversations SET status = 'closed', closed_at = ? WHERE id = ?"), h.e.Clock.Now(), c1); err != nil {
		t.Fatal(err)
	}
	h.deliverBody(t, textBody("wamid.A1", customerWaID, "João", "um", t0))
	if n := h.count(t, "SELECT COUNT(*) FROM conversations"); n != 1 {
		t.Errorf("a redelivered message opened a conversation (%d)", n)
	}
	h.deliverBody(t, textBody("wamid.A3", customerWaID, "João", "três", t0+100))
	c2 := h.mustMsg(t, "wamid.A3").ConversationID
	if c2 == c1 {
		t.Fatal("a message after the close went to the closed conversation")
	}
	if c := h.conv(t, c2); c.Status != "pending" || c.AssigneeID != nil || c.TeamID != h.team.ID {
		t.Errorf("new conversation = %+v", c)
	}
}
