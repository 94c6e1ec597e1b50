package automation_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"papo/internal/apptest"
	"papo/internal/auth"
	"papo/internal/events"
	"papo/internal/message"
	"papo/internal/settings"
	"papo/internal/store"
)

type env struct {
	e       *apptest.Env
	admin   *apptest.Client
	channel store.ID
	team    store.ID
	n       int
}

func setup(t *testing.T, closing settings.Message) *env {
	e := apptest.New(t, nil)
	tm := e.Team(t, "Suporte")
	admin := e.Login(t, e.User(t, "Root", auth.RoleAdmin, tm.ID))
	var ch struct{ ID store.ID }
	admin.MustDo(201, "POST", "/api/v1/channels", map[string]any{"name": "c", "phone_number_id": "4242",
		"default_team_id": tm.ID, "graph_api_url": "http://127.0.0.1:9", "access_token": "t", "app_secret": "s"}, &ch)
	d := settings.Defaults()
	d.ClosingMessage = closing
	admin.MustDo(200, "PUT", "/api/v1/settings", d, nil)
	return &env{e: e, admin: admin, channel: ch.ID, team: tm.ID}
}

// conversation stores a customer message at `at` and returns its conversation.
func (v *env) conversation(t *testing.T, at time.Time) store.ID {
	t.Helper()
	v.n++
	ctx := context.Background()
	a := v.e.App
	var conv store.ID
	err := a.DB.InTx(ctx, func(tx *store.Tx) error {
		contactID, err := a.Contacts.Upsert(ctx, tx, fmt.Sprintf("55119876500%02d", v.n), "")
		if err != nil {
			return err
		}
		c, _, err := a.Conv.OpenForInbound(ctx, tx, v.channel, v.team, contactID, at)
		if err != nil {
			return err
		}
		id, _, err := a.Messages.InsertInbound(ctx, tx, message.Inbound{ConversationID: c.ID, ChannelID: v.channel,
			ContactID: contactID, Type: "text", Text: "oi", WAMessageID: fmt.Sprintf("wamid.c%d", v.n), At: at})
		if err != nil {
			return err
		}
		conv = c.ID
		return a.Conv.RecordInbound(ctx, tx, c.ID, id, at)
	})
	if err != nil {
		t.Fatal(err)
	}
	return conv
}

// systemMessages returns the automatic messages of a conversation.
func (v *env) systemMessages(t *testing.T, conv store.ID) []message.Message {
	t.Helper()
	var page struct {
		Items []struct {
			Kind    string          `json:"kind"`
			Message json.RawMessage `json:"message"`
		} `json:"items"`
	}
	v.admin.MustDo(200, "GET", "/api/v1/conversations/"+conv.String()+"/timeline", nil, &page)
	var out []message.Message
	for _, it := range page.Items {
		if it.Kind != "message" {
			continue
		}
		var m message.Message
		if err := json.Unmarshal(it.Message, &m); err != nil {
			t.Fatal(err)
		}
		if m.Author.Type == message.AuthorSystem {
			out = append(out, m)
		}
	}
	return out
}

// TestCloseQueuesTheClosingMessageOnce_F16: closing sends the configured
// closing message (authored "system"), once; a contact with automatic
// messages blocked gets none (F17); send_closing_message=false sends none.
func TestCloseQueuesTheClosingMessageOnce_F16(t *testing.T) {
	v := setup(t, settings.Message{Enabled: true, Text: "Atendimento encerrado. Obrigado!"})
	conv := v.conversation(t, v.e.Clock.Now())
	v.admin.MustDo(200, "POST", "/api/v1/conversations/"+conv.String()+"/close", map[string]any{}, nil)
	if res := v.admin.Do("POST", "/api/v1/conversations/"+conv.String()+"/close", map[string]any{}); res.Status != 409 {
		t.Fatalf("second close = %d", res.Status)
	}
	got := v.systemMessages(t, conv)
	if len(got) != 1 || got[0].Text != "Atendimento encerrado. Obrigado!" || got[0].Type != "text" {
		t.Fatalf("closing messages = %+v", got)
	}

	blocked := v.conversation(t, v.e.Clock.Now())
	var c struct{ Contact struct{ ID store.ID } }
	v.admin.MustDo(200, "GET", "/api/v1/conversations/"+blocked.String(), nil, &c)
	v.admin.MustDo(200, "PUT", "/api/v1/contacts/"+c.Contact.ID.String()+"/automation-block", map[string]bool{"blocked": true}, nil)
	v.admin.MustDo(200, "POST", "/api/v1/conversations/"+blocked.String()+"/close", map[string]any{}, nil)
	if got := v.systemMessages(t, blocked); len(got) != 0 {
		t.Fatalf("blocked contact got %+v", got)
	}

	optOut := v.conversation(t, v.e.Clock.Now())
	v.admin.MustDo(200, "POST", "/api/v1/conversations/"+optOut.String()+"/close", map[string]any{"send_closing_message": false}, nil)
	if got := v.systemMessages(t, optOut); len(got) != 0 {
		t.Fatalf("send_closing_message=false sent %+v", got)
	}
}

// TestClosingOutsideTheWindow_F28: after 24 h free text cannot go; with no
// template chosen nothing is sent, with one the template goes instead.
func TestClosingOutsideTheWindow_F28(t *testing.T) {
	v := setup(t, settings.Message{Enabled: true, Text: "Tchau"})
	old := v.conversation(t, v.e.Clock.Now().Add(-25*time.Hour))
	v.admin.MustDo(200, "POST", "/api/v1/conversations/"+old.String()+"/close", map[string]any{}, nil)
	if got := v.systemMessages(t, old); len(got) != 0 {
		t.Fatalf("free text outside the window: %+v", got)
	}

	_, err := v.e.App.DB.W.ExecContext(context.Background(), v.e.App.DB.W.Rebind(
		`INSERT INTO templates (channel_id, name, language, status, category, components, parameter_format, synced_at)
		 VALUES (?, 'encerramento', 'pt_BR', 'APPROVED', 'UTILITY', '[{"type":"BODY","text":"Conversa encerrada."}]', 'positional', ?)`),
		v.channel, v.e.Clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	d := settings.Defaults()
	d.ClosingMessage = settings.Message{Enabled: true, Text: "Tchau", Template: "encerramento", TemplateLanguage: "pt_BR"}
	v.admin.MustDo(200, "PUT", "/api/v1/settings", d, nil)
	old2 := v.conversation(t, v.e.Clock.Now().Add(-25*time.Hour))
	v.admin.MustDo(200, "POST", "/api/v1/conversations/"+old2.String()+"/close", map[string]any{}, nil)
	got := v.systemMessages(t, old2)
	if len(got) != 1 || got[0].Type != "template" || got[0].Text != "Conversa encerrada." {
		t.Fatalf("template closing message = %+v", got)
	}
}

// F16, F23: the closing message a close queues is announced live, with the
// close itself.
func TestClosingMessageIsPublishedF16(t *testing.T) {
	v := setup(t, settings.Message{Enabled: true, Text: "Até logo!"})
	conv := v.conversation(t, v.e.Clock.Now())
	sub, _ := v.e.App.Events.Subscribe(0)
	defer sub.Close()
	v.admin.MustDo(200, "POST", "/api/v1/conversations/"+conv.String()+"/close", map[string]any{}, nil)
	sent := v.systemMessages(t, conv)
	if len(sent) != 1 {
		t.Fatalf("closing messages = %d", len(sent))
	}
	got := map[string]bool{}
	deadline := time.After(5 * time.Second)
	for !got["message"] || !got["conversation"] {
		select {
		case e := <-sub.C:
			if e.Kind == events.MessageCreated && e.ID == sent[0].ID {
				got["message"] = true
			}
			if e.Kind == events.ConversationUpdated && e.ID == conv {
				got["conversation"] = true
			}
		case <-deadline:
			t.Fatalf("published: %v", got)
		}
	}
}
