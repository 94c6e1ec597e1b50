package automation_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"papo/internal/apptest"
	"papo/internal/events"
	"papo/internal/settings"
	"papo/internal/store"
	"papo/internal/whatsapp"
)

// writes posts a customer's text through the signed webhook, WhatsApp's
// timestamp at (the fake clock set to it, as if it arrived at once), and
// returns the message's conversation.
func (v *env) writes(t *testing.T, waID, text string, at time.Time) store.ID {
	t.Helper()
	v.post(t, waID, text, at)
	var page struct {
		Items []struct {
			ID      store.ID
			Contact struct {
				WaID string `json:"wa_id"`
			}
		}
	}
	v.admin.MustDo(200, "GET", "/api/v1/conversations?view=all", nil, &page)
	for _, c := range page.Items {
		if c.Contact.WaID == waID {
			return c.ID
		}
	}
	t.Fatalf("no open conversation for %s", waID)
	return 0
}

// post posts a customer's text through the signed webhook (see writes).
func (v *env) post(t *testing.T, waID, text string, at time.Time) {
	t.Helper()
	v.n++
	v.e.Clock.Set(at)
	body := fmt.Appendf(nil, `{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"1","phone_number_id":"4242"},"contacts":[{"profile":{"name":"Cliente"},"wa_id":%q}],"messages":[{"from":%q,"id":"wamid.a%d","timestamp":"%d","type":"text","text":{"body":%q}}]}}]}]}`,
		waID, waID, v.n, at.Unix(), text)
	res := v.e.Anonymous(t).Do("POST", "/webhooks/whatsapp", body, whatsapp.SignatureHeader, whatsapp.Sign(body, []byte("s")))
	if res.Status != http.StatusOK {
		t.Fatalf("webhook = %d %s", res.Status, res.Body)
	}
}

func (v *env) answers(t *testing.T, conv store.ID) []string {
	t.Helper()
	var out []string
	for _, m := range v.systemMessages(t, conv) {
		out = append(out, m.Text)
	}
	return out
}

func setAnswers(t *testing.T, v *env, greeting, outOfHours bool) {
	t.Helper()
	d := settings.Defaults()
	d.Greeting = settings.Message{Enabled: greeting, Text: "Olá! Já vamos atender."}
	d.OutOfHours = settings.Message{Enabled: outOfHours, Text: "Estamos fora do horário; respondemos amanhã cedo."}
	v.admin.MustDo(200, "PUT", "/api/v1/settings", d, nil)
}

// F19: the greeting answers the message that opens a conversation — once,
// not the next ones — and again when a closed conversation's customer
// writes and opens a new one; a contact with automatic messages blocked
// gets none (F17).
func TestGreetingAnswersANewConversationOnceF19(t *testing.T) {
	v := setup(t, settings.Message{})
	setAnswers(t, v, true, false)
	at := apptest.Start2026.Add(time.Hour)
	conv := v.writes(t, "5511987650101", "oi", at)
	v.writes(t, "5511987650101", "tem alguém aí?", at.Add(time.Minute))
	if got := v.answers(t, conv); len(got) != 1 || got[0] != "Olá! Já vamos atender." {
		t.Fatalf("greetings = %q, want one", got)
	}
	v.admin.MustDo(200, "POST", "/api/v1/conversations/"+conv.String()+"/close", map[string]any{"send_closing_message": false}, nil)
	next := v.writes(t, "5511987650101", "voltei", at.Add(2*time.Hour))
	// The timeline shows the contact's whole history (F07): one greeting
	// per conversation.
	if got := v.answers(t, next); next == conv || len(got) != 2 {
		t.Errorf("after the new conversation %s: %q, want a second greeting", next, got)
	}

	blocked := v.writes(t, "5511987650102", "oi", at.Add(3*time.Hour))
	var c struct{ Contact struct{ ID store.ID } }
	v.admin.MustDo(200, "GET", "/api/v1/conversations/"+blocked.String(), nil, &c)
	v.admin.MustDo(200, "PUT", "/api/v1/contacts/"+c.Contact.ID.String()+"/automation-block", map[string]bool{"blocked": true}, nil)
	v.admin.MustDo(200, "POST", "/api/v1/conversations/"+blocked.String()+"/close", map[string]any{"send_closing_message": false}, nil)
	again := v.writes(t, "5511987650102", "oi de novo", at.Add(4*time.Hour))
	if got := v.answers(t, again); len(got) != 1 { // the greeting from before the block
		t.Errorf("a blocked contact was greeted: %q", got)
	}
}

// F19: outside the team's business hours the customer gets the
// out-of-hours reply instead of the greeting, once per closed period: not
// again that night or the next morning before opening, but again after the
// next day's closing.
func TestOutOfHoursReplyOncePerClosedPeriodF19(t *testing.T) {
	v := setup(t, settings.Message{})
	v.admin.MustDo(200, "PATCH", "/api/v1/teams/"+v.team.String(), map[string]any{"timezone": "America/Sao_Paulo",
		"business_hours": []map[string]any{{"weekday": 1, "start": "09:00", "end": "18:00"}, {"weekday": 2, "start": "09:00", "end": "18:00"}}}, nil)
	setAnswers(t, v, true, true)
	sp, _ := time.LoadLocation("America/Sao_Paulo")
	monday := time.Date(2026, 11, 23, 0, 0, 0, 0, sp)
	wa := "5511987650201"
	conv := v.writes(t, wa, "boa noite", monday.Add(22*time.Hour))
	v.writes(t, wa, "alguém?", monday.Add(23*time.Hour))
	v.writes(t, wa, "bom dia", monday.Add(31*time.Hour)) // Tuesday 07:00: the same closed period
	want := "Estamos fora do horário; respondemos amanhã cedo."
	if got := v.answers(t, conv); len(got) != 1 || got[0] != want {
		t.Fatalf("night and early morning: %q, want one out-of-hours reply (and no greeting)", got)
	}
	v.writes(t, wa, "e agora?", monday.Add(34*time.Hour))  // Tuesday 10:00: open
	v.writes(t, wa, "ainda aí?", monday.Add(43*time.Hour)) // Tuesday 19:00: closed again
	if got := v.answers(t, conv); len(got) != 2 || got[1] != want {
		t.Errorf("after Tuesday's closing: %q, want a second out-of-hours reply", got)
	}
}

// F19, F18: a customer known only by business-scoped id (no number) is not
// greeted: WhatsApp gives papo no way to write to them yet, and a greeting
// would only add a failed message to the conversation.
func TestNoGreetingForACustomerWithoutANumberF19(t *testing.T) {
	v := setup(t, settings.Message{})
	setAnswers(t, v, true, false)
	v.e.Clock.Set(apptest.Start2026.Add(time.Hour))
	body := fmt.Appendf(nil, `{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"1","phone_number_id":"4242"},"contacts":[{"profile":{"name":"Carla"},"user_id":"BR.1"}],"messages":[{"from_user_id":"BR.1","id":"wamid.nonumber","timestamp":"%d","type":"text","text":{"body":"oi"}}]}}]}]}`,
		v.e.Clock.Now().Unix())
	if res := v.e.Anonymous(t).Do("POST", "/webhooks/whatsapp", body, whatsapp.SignatureHeader, whatsapp.Sign(body, []byte("s"))); res.Status != http.StatusOK {
		t.Fatalf("webhook = %d %s", res.Status, res.Body)
	}
	var page struct{ Items []struct{ ID store.ID } }
	v.admin.MustDo(200, "GET", "/api/v1/conversations?view=all", nil, &page)
	if len(page.Items) != 1 {
		t.Fatalf("%d conversations", len(page.Items))
	}
	if got := v.answers(t, page.Items[0].ID); len(got) != 0 {
		t.Errorf("greeted a customer without a number: %q", got)
	}
}

// F19, F25: when the automatic answer cannot be written (here its table is
// gone), the customer's message is filed all the same — the answer's
// writes are undone under their savepoint — and the failure is logged.
func TestFailingAutomaticAnswerNeverLosesTheMessageF19(t *testing.T) {
	v := setup(t, settings.Message{})
	setAnswers(t, v, true, false)
	if _, err := v.e.App.DB.W.Exec("DROP TABLE automation_sends"); err != nil {
		t.Fatal(err)
	}
	conv := v.writes(t, "5511987650601", "oi, alguém aí?", apptest.Start2026.Add(time.Hour))
	if got := v.answers(t, conv); len(got) != 0 {
		t.Errorf("answers = %q, want none", got)
	}
	var n int
	if err := v.e.App.DB.R.Get(&n, "SELECT COUNT(*) FROM messages WHERE text = 'oi, alguém aí?'"); err != nil || n != 1 {
		t.Errorf("the customer's message: %d rows (%v), want 1", n, err)
	}
	if !strings.Contains(v.e.Logs.String(), "automation failed") {
		t.Error("the failure was not logged")
	}
}

// F19, F23: the greeting is announced live with the customer's message, so
// an open inbox shows both without reloading.
func TestGreetingIsPublishedF19(t *testing.T) {
	v := setup(t, settings.Message{})
	setAnswers(t, v, true, false)
	sub, _ := v.e.App.Events.Subscribe(0)
	defer sub.Close()
	conv := v.writes(t, "5511987650701", "oi", apptest.Start2026.Add(time.Hour))
	greetings := v.systemMessages(t, conv)
	if len(greetings) != 1 {
		t.Fatalf("greetings = %d", len(greetings))
	}
	deadline := time.After(5 * time.Second)
	for {
		select {
		case e := <-sub.C:
			if e.Kind == events.MessageCreated && e.ID == greetings[0].ID {
				return
			}
		case <-deadline:
			t.Fatal("the greeting was not published")
		}
	}
}
