package automation_test

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"papo/internal/apptest"
	"papo/internal/automation"
	"papo/internal/settings"
	"papo/internal/store"
	"papo/internal/whatsapp"
)

func surveySettings(t *testing.T, v *env) {
	t.Helper()
	d := settings.Defaults()
	d.Survey.OnManualClose = true
	d.Survey.Question = "De 1 a 5, como foi o atendimento?"
	d.Survey.Options = []string{"1", "2", "3", "4", "5"}
	d.Survey.AnswerTimeoutMinutes = 60
	v.admin.MustDo(200, "PUT", "/api/v1/settings", d, nil)
}

// closeWithSurvey assigns the conversation to the admin and closes it
// asking for the survey (and no closing message).
func (v *env) closeWithSurvey(t *testing.T, conv store.ID) {
	t.Helper()
	v.admin.MustDo(200, "POST", "/api/v1/conversations/"+conv.String()+"/assign", map[string]any{"assignee_id": v.admin.User.ID}, nil)
	v.admin.MustDo(200, "POST", "/api/v1/conversations/"+conv.String()+"/close",
		map[string]any{"send_closing_message": false, "send_survey": true}, nil)
}

func (v *env) conversationOf(t *testing.T, wamid string) (store.ID, string) {
	t.Helper()
	var row struct {
		ID     store.ID `db:"conversation_id"`
		Status string   `db:"status"`
	}
	if err := v.e.App.DB.R.GetContext(context.Background(), &row, v.e.App.DB.R.Rebind(
		`SELECT m.conversation_id, c.status FROM messages m JOIN conversations c ON c.id = m.conversation_id WHERE m.wa_message_id = ?`), wamid); err != nil {
		t.Fatalf("message %s: %v", wamid, err)
	}
	return row.ID, row.Status
}

// F20: closing sends the survey; the customer's next message, within the
// timeout and matching an option (by number or text), is its answer — kept
// in the closed conversation, which stays closed, and thanked — while a
// reply that is not an option, or one after the timeout, opens a new
// conversation and leaves the survey expired; the report adds it up.
func TestSurveyAnswerStaysInTheClosedConversationF20(t *testing.T) {
	v := setup(t, settings.Message{})
	surveySettings(t, v)
	t0 := apptest.Start2026.Add(time.Hour)

	// Answered.
	conv := v.writes(t, "5511987650301", "meu pedido chegou", t0)
	v.closeWithSurvey(t, conv)
	if got := v.answers(t, conv); len(got) != 1 || !strings.Contains(got[0], "De 1 a 5") {
		t.Fatalf("survey = %q", got)
	}
	v.post(t, "5511987650301", " 5 ", t0.Add(10*time.Minute))
	answeredIn, status := v.conversationOf(t, "wamid.a"+strconv.Itoa(v.n))
	if answeredIn != conv || status != "closed" {
		t.Fatalf("the answer went to conversation %s (%s), want the closed %s", answeredIn, status, conv)
	}
	if got := v.answers(t, conv); len(got) != 2 || got[1] != automation.ThankYou {
		t.Errorf("after the answer: %q, want the thank-you", got)
	}
	// A later message is a new conversation.
	next := v.writes(t, "5511987650301", "outra coisa", t0.Add(20*time.Minute))
	if next == conv {
		t.Error("a message after the answer went to the closed conversation")
	}

	// Not an option: a new conversation, the survey expired.
	other := v.writes(t, "5511987650302", "oi", t0)
	v.closeWithSurvey(t, other)
	if c := v.writes(t, "5511987650302", "obrigado!", t0.Add(5*time.Minute)); c == other {
		t.Error("a reply that is no option went to the closed conversation")
	}
	// After the timeout: a new conversation too.
	late := v.writes(t, "5511987650303", "oi", t0)
	v.closeWithSurvey(t, late)
	if c := v.writes(t, "5511987650303", "4", t0.Add(61*time.Minute)); c == late {
		t.Error("an answer after the timeout went to the closed conversation")
	}

	var rep automation.Report
	v.admin.MustDo(200, "GET", "/api/v1/reports/surveys?from=2026-01-01&to=2027-01-01", nil, &rep)
	if rep.Sent != 3 || rep.Answered != 1 || rep.Expired != 2 || rep.Average == nil || *rep.Average != 5 ||
		rep.Distribution["5"] != 1 || len(rep.ByAgent) != 1 || rep.ByAgent[0].AgentID != v.admin.User.ID || rep.ByAgent[0].Average != 5 {
		t.Errorf("report = %+v", rep)
	}
	var agentOnly automation.Report
	v.admin.MustDo(200, "GET", "/api/v1/reports/surveys?from=2026-01-01&to=2027-01-01&agent_id=999999", nil, &agentOnly)
	if agentOnly.Sent != 0 || agentOnly.Average != nil {
		t.Errorf("another agent's report = %+v", agentOnly)
	}
}

// F19, F20: a conversation whose customer has not written for the
// configured hours is closed for inactivity — once, whoever runs the pass —
// with the closing message and, when survey.on_inactivity_close, the
// survey; one whose customer wrote since stays open.
func TestInactivityCloseSendsClosingMessageAndSurveyF19(t *testing.T) {
	v := setup(t, settings.Message{Enabled: true, Text: "Encerramos por falta de resposta."})
	d := settings.Defaults()
	d.ClosingMessage = settings.Message{Enabled: true, Text: "Encerramos por falta de resposta."}
	d.Survey.OnInactivityClose = true
	d.Survey.Options = []string{"1", "2", "3"}
	d.Survey.Question = "Nota?"
	d.InactivityClose = settings.InactivityClose{Enabled: true, Hours: 2}
	v.admin.MustDo(200, "PUT", "/api/v1/settings", d, nil)
	t0 := apptest.Start2026.Add(time.Hour)
	silent := v.writes(t, "5511987650401", "oi", t0)
	active := v.writes(t, "5511987650402", "oi", t0.Add(150*time.Minute))
	v.e.Clock.Set(t0.Add(3 * time.Hour))
	ctx := context.Background()
	n, err := v.e.App.Conv.CloseInactive(ctx)
	if err != nil || n != 1 {
		t.Fatalf("CloseInactive = %d, %v; want 1", n, err)
	}
	if again, _ := v.e.App.Conv.CloseInactive(ctx); again != 0 {
		t.Errorf("a second pass closed %d more", again)
	}
	var c struct {
		Status       string  `json:"status"`
		ClosedReason *string `json:"closed_reason"`
	}
	v.admin.MustDo(200, "GET", "/api/v1/conversations/"+silent.String(), nil, &c)
	if c.Status != "closed" || c.ClosedReason == nil || *c.ClosedReason != "inactivity" {
		t.Errorf("silent conversation = %+v", c)
	}
	if got := v.answers(t, silent); len(got) != 2 || got[0] != "Encerramos por falta de resposta." || !strings.HasPrefix(got[1], "Nota?") {
		t.Errorf("sent on the inactivity close: %q", got)
	}
	v.admin.MustDo(200, "GET", "/api/v1/conversations/"+active.String(), nil, &c)
	if c.Status == "closed" {
		t.Error("a conversation whose customer wrote 30 minutes ago was closed")
	}
}

// F20: a question and options that each fit WhatsApp's 4096 characters but
// not together still go out (the question alone) instead of failing the
// close.
func TestLongSurveyStillGoesOutF20(t *testing.T) {
	v := setup(t, settings.Message{})
	d := settings.Defaults()
	d.Survey.OnManualClose = true
	d.Survey.Question = strings.Repeat("Como foi? ", 400) // 4,000 characters
	d.Survey.Options = []string{strings.Repeat("a", 100), strings.Repeat("b", 100)}
	v.admin.MustDo(200, "PUT", "/api/v1/settings", d, nil)
	conv := v.writes(t, "5511987650501", "oi", apptest.Start2026.Add(time.Hour))
	v.closeWithSurvey(t, conv)
	if got := v.answers(t, conv); len(got) != 1 || got[0] != strings.TrimSpace(d.Survey.Question) {
		t.Errorf("long survey: %d messages", len(got))
	}
}

// F19: a backlog larger than one page (the switch just turned on over 201
// silent conversations) is closed in one pass, not a page a minute.
func TestInactivityCloseTakesTheWholeBacklogF19(t *testing.T) {
	v := setup(t, settings.Message{})
	d := settings.Defaults()
	d.InactivityClose = settings.InactivityClose{Enabled: true, Hours: 2}
	v.admin.MustDo(200, "PUT", "/api/v1/settings", d, nil)
	t0 := apptest.Start2026.Add(time.Hour)
	v.e.Clock.Set(t0)
	var contacts, messages []string
	for i := range 201 {
		wa := fmt.Sprintf("55119877%05d", i)
		contacts = append(contacts, fmt.Sprintf(`{"profile":{"name":"C%d"},"wa_id":%q}`, i, wa))
		messages = append(messages, fmt.Sprintf(`{"from":%q,"id":"wamid.backlog%d","timestamp":"%d","type":"text","text":{"body":"oi"}}`, wa, i, t0.Unix()))
	}
	body := fmt.Appendf(nil, `{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"1","phone_number_id":"4242"},"contacts":[%s],"messages":[%s]}}]}]}`,
		strings.Join(contacts, ","), strings.Join(messages, ","))
	if res := v.e.Anonymous(t).Do("POST", "/webhooks/whatsapp", body, whatsapp.SignatureHeader, whatsapp.Sign(body, []byte("s"))); res.Status != http.StatusOK {
		t.Fatalf("webhook = %d %s", res.Status, res.Body)
	}
	v.e.Clock.Set(t0.Add(3 * time.Hour))
	if n, err := v.e.App.Conv.CloseInactive(context.Background()); err != nil || n != 201 {
		t.Fatalf("CloseInactive = %d, %v; want all 201 in one pass", n, err)
	}
}
