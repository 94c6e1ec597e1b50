package inbound_test

import (
	"fmt"
	"net/http"
	"testing"

	"papo/internal/contact"
	"papo/internal/conversation"
)

// bsuidBody is a text message from a user named by business-scoped user id,
// with their number (wa_id) or without it (2026 usernames).
func bsuidBody(wamid, waID, text string) []byte {
	from, contactWa := "", ""
	if waID != "" {
		from, contactWa = fmt.Sprintf(`"from": %q,`, waID), fmt.Sprintf(`"wa_id": %q,`, waID)
	}
	return fmt.Appendf(nil, `{"object": "whatsapp_business_account", "entry": [{"id": "102290129340398", "changes": [{"field": "messages",
  "value": {"messaging_product": "whatsapp", "metadata": {"display_phone_number": "15550783881", "phone_number_id": %q},
    "contacts": [{"profile": {"name": "Carla"}, %s "user_id": "BR.13491208655302741918"}],
    "messages": [{%s "from_user_id": "BR.13491208655302741918", "id": %q, "timestamp": "1764093700", "type": "text", "text": {"body": %q}}]}}]}]}`,
		mainPhoneID, contactWa, from, wamid, text)
}

// F18, F04: a customer WhatsApp names only by business-scoped user id (no
// number: a 2026 username) is filed like any other — a contact known by that
// id, shown by profile name, in a pending conversation — and when a later
// message brings their number, the same contact learns it, so the
// conversation continues instead of splitting in two.
func TestSenderKnownOnlyByBSUIDIsFiledF18(t *testing.T) {
	h := newHook(t)
	h.deliver(t, "bsuid_username.json")
	first := h.mustMsg(t, "wamid.BSUID01")
	if first.Text != "oi, sem número" {
		t.Errorf("text = %q", first.Text)
	}
	var conv conversation.Conversation
	h.admin.MustDo(http.StatusOK, "GET", fmt.Sprintf("/api/v1/conversations/%d", first.ConversationID), nil, &conv)
	c := conv.Contact
	if c == nil || c.WaID != "" || c.BSUID != "BR.13491208655302741918" || c.DisplayName != "Carla" || conv.Status != "pending" {
		t.Fatalf("conversation %+v contact %+v: want a pending conversation with a contact known by BSUID, shown as Carla", conv, c)
	}

	// The same user again, still without a number, then with it.
	h.deliverBody(t, bsuidBody("wamid.BSUID02", "", "ainda sem número"))
	h.deliverBody(t, bsuidBody("wamid.BSUID03", customerWaID, "agora com número"))
	for _, wamid := range []string{"wamid.BSUID02", "wamid.BSUID03"} {
		if m := h.mustMsg(t, wamid); m.ConversationID != first.ConversationID {
			t.Errorf("%s went to conversation %d, want %d", wamid, m.ConversationID, first.ConversationID)
		}
	}
	var got contact.Contact
	h.admin.MustDo(http.StatusOK, "GET", fmt.Sprintf("/api/v1/contacts/%d", c.ID), nil, &got)
	if got.WaID != customerWaID || got.Phone != "+"+customerWaID || got.BSUID != c.BSUID || got.DisplayName != "+55 11 98765-4321" {
		t.Errorf("contact after the number came = %+v", got)
	}
	if n := h.count(t, "SELECT COUNT(*) FROM contacts"); n != 1 {
		t.Errorf("%d contacts, want the one", n)
	}
}
