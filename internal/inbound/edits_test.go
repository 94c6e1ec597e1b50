package inbound_test

import (
	"fmt"
	"testing"
	"time"
)

// changeBody is a customer's edit (text != "") or revoke of original, sent
// at unix time at.
func changeBody(wamid, original, text string, at int64) []byte {
	obj := fmt.Sprintf(`"type": "revoke", "revoke": {"original_message_id": %q}`, original)
	if text != "" {
		obj = fmt.Sprintf(`"type": "edit", "edit": {"original_message_id": %q, "message": {"type": "text", "text": {"body": %q}}}`, original, text)
	}
	return fmt.Appendf(nil, `{"object": "whatsapp_business_account", "entry": [{"id": "102290129340398", "changes": [{"field": "messages",
  "value": {"messaging_product": "whatsapp", "metadata": {"display_phone_number": "15550783881", "phone_number_id": %q},
    "contacts": [{"profile": {"name": "João"}, "wa_id": %q}],
    "messages": [{"from": %q, "id": %q, "timestamp": "%d", %s}]}}]}]}`, mainPhoneID, customerWaID, customerWaID, wamid, at, obj)
}

// F18: a customer's edit changes the text agents see (the newest edit wins,
// whatever the order they arrive in, and a redelivery changes nothing
// more); an edit that arrives before its original waits for it; a delete
// marks the message deleted and keeps what was received.
func TestCustomerEditsAndDeletesApplyToTheOriginalF18(t *testing.T) {
	h := newHook(t)
	const t0 = 1764093600
	h.deliverBody(t, textBody("wamid.ORIG", customerWaID, "João", "Quero cancelar o pedido 123", t0))
	h.deliverBody(t, changeBody("wamid.EDIT2", "wamid.ORIG", "Quero cancelar o pedido 124", t0+120))
	h.deliverBody(t, changeBody("wamid.EDIT1", "wamid.ORIG", "Quero cancelar o pedido 12", t0+60))   // older, late
	h.deliverBody(t, changeBody("wamid.EDIT2", "wamid.ORIG", "Quero cancelar o pedido 124", t0+120)) // again
	m := h.mustMsg(t, "wamid.ORIG")
	if m.Text != "Quero cancelar o pedido 124" || m.EditedAt == nil || !m.EditedAt.Equal(time.Unix(t0+120, 0)) {
		t.Errorf("after edits: text %q edited_at %v, want the newest edit's", m.Text, m.EditedAt)
	}
	if n := h.count(t, "SELECT COUNT(*) FROM messages"); n != 1 {
		t.Errorf("%d messages: edits must not become messages", n)
	}
	if n := h.count(t, "SELECT COUNT(*) FROM webhook_message_changes WHERE previous_text = 'Quero cancelar o pedido 123'"); n != 1 {
		t.Error("the text the edit replaced was not kept")
	}

	// An edit and a delete of a message that arrives after them.
	h.deliverBody(t, changeBody("wamid.EDITLATE", "wamid.LATE", "mensagem corrigida", t0+300))
	h.deliverBody(t, changeBody("wamid.REVLATE", "wamid.LATE", "", t0+400))
	if h.msg(t, "wamid.LATE") != nil {
		t.Fatal("the original appeared out of nowhere")
	}
	h.deliverBody(t, textBody("wamid.LATE", customerWaID, "João", "mensagem com erro", t0+200))
	late := h.mustMsg(t, "wamid.LATE")
	if late.Text != "mensagem corrigida" || late.EditedAt == nil || late.RevokedAt == nil || !late.RevokedAt.Equal(time.Unix(t0+400, 0)) {
		t.Errorf("late original: text %q edited %v revoked %v", late.Text, late.EditedAt, late.RevokedAt)
	}
	if n := h.count(t, "SELECT COUNT(*) FROM webhook_message_changes WHERE NOT applied"); n != 0 {
		t.Errorf("%d changes still waiting", n)
	}
}

// F18: a reply quoting a message that arrives in the same delivery (so is
// filed in the same multi-row statement: four messages make one chunk)
// still points at it.
func TestReplyToAMessageOfTheSameDeliveryF18(t *testing.T) {
	h := newHook(t)
	body := fmt.Appendf(nil, `{"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": [{"field": "messages",
  "value": {"messaging_product": "whatsapp", "metadata": {"display_phone_number": "15550783881", "phone_number_id": %q},
    "contacts": [{"profile": {"name": "João"}, "wa_id": %q}],
    "messages": [
      {"from": %[2]q, "id": "wamid.FIRST", "timestamp": "1764093600", "type": "text", "text": {"body": "meu pedido é o 123"}},
      {"from": %[2]q, "id": "wamid.SECOND", "timestamp": "1764093601", "type": "text", "text": {"body": "não chegou"}},
      {"from": %[2]q, "id": "wamid.THIRD", "timestamp": "1764093602", "type": "text", "text": {"body": "já faz uma semana"}},
      {"from": %[2]q, "id": "wamid.QUOTE", "timestamp": "1764093603", "type": "text", "text": {"body": "esse aqui"},
       "context": {"from": %[2]q, "id": "wamid.FIRST"}}]}}]}]}`, mainPhoneID, customerWaID)
	h.deliverBody(t, body)
	first, quote := h.mustMsg(t, "wamid.FIRST"), h.mustMsg(t, "wamid.QUOTE")
	if quote.ReplyToID == nil || *quote.ReplyToID != first.ID {
		t.Errorf("reply_to_id = %v, want %d", quote.ReplyToID, first.ID)
	}
}
