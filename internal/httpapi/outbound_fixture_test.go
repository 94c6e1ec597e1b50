package httpapi_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"
	"sync/atomic"

	"papo/internal/auth"
	"papo/internal/channel"
	"papo/internal/message"
	"papo/internal/sandbox"
	"papo/internal/store"
)

// Fixtures of the authorization rows for messages, media and templates
// (F15, F18, F26). Their behaviour is tested in internal/outbound.

var obSeq atomic.Int64

// obConversation stores a customer message on the fixture's channel now
// (the 24-hour window is open) and returns its conversation.
func obConversation(f *fixture) (convID, msgID store.ID) {
	f.t.Helper()
	ctx := context.Background()
	e := f.env
	n := obSeq.Add(1)
	waID := fmt.Sprintf("551196%07d", 1000000+n)
	now := e.Clock.Now()
	err := e.App.DB.InTx(ctx, func(tx *store.Tx) error {
		contactID, err := e.App.Contacts.Upsert(ctx, tx, waID, "Cliente")
		if err != nil {
			return err
		}
		c, _, err := e.App.Conv.OpenForInbound(ctx, tx, f.channel.ID, f.channel.DefaultTeamID, contactID, now)
		if err != nil {
			return err
		}
		msgID, _, err = e.App.Messages.InsertInbound(ctx, tx, message.Inbound{ConversationID: c.ID, ChannelID: f.channel.ID,
			ContactID: contactID, Type: "text", Text: "oi", WAMessageID: fmt.Sprintf("wamid.ob%d", n), At: now})
		if err != nil {
			return err
		}
		convID = c.ID
		return e.App.Conv.RecordInbound(ctx, tx, c.ID, msgID, now)
	})
	if err != nil {
		f.t.Fatalf("outbound fixture: %v", err)
	}
	return convID, msgID
}

// obConv returns the path of a fresh conversation's sub-resource.
func obConv(suffix string) func(*fixture) string {
	return func(f *fixture) string {
		c, _ := obConversation(f)
		return "/api/v1/conversations/" + c.String() + suffix
	}
}

// obTemplatePreview stores an approved template on the fixture's channel
// and asks for its preview.
func obTemplatePreview(f *fixture) any {
	_, err := f.env.App.DB.W.ExecContext(context.Background(), f.env.App.DB.W.Rebind(
		`INSERT INTO templates (channel_id, name, language, status, category, components, parameter_format, synced_at)
		 VALUES (?, 'boas_vindas', 'pt_BR', 'APPROVED', 'UTILITY', '[{"type":"BODY","text":"Olá {{1}}!"}]', 'positional', ?)
		 ON CONFLICT (channel_id, name, language) DO NOTHING`), f.channel.ID, f.env.Clock.Now())
	if err != nil {
		f.t.Fatal(err)
	}
	return map[string]any{"template": map[string]any{"name": "boas_vindas", "language": "pt_BR", "parameters": []string{"Ana"}}}
}

// obMedia stores a file the fixture's agent sent in a conversation of the
// fixture's team, so the row's agent (same team) may see it.
func obMedia(f *fixture) string {
	ctx := context.Background()
	e := f.env
	p := &auth.Principal{User: *f.agent}
	info, err := e.App.Outbound.StoreMedia(ctx, p, "nota.txt", "text/plain", strings.NewReader("olá"))
	if err != nil {
		f.t.Fatal(err)
	}
	conv, _ := obConversation(f)
	c, err := e.App.Conv.Load(ctx, nil, conv)
	if err != nil {
		f.t.Fatal(err)
	}
	err = e.App.DB.InTx(ctx, func(tx *store.Tx) error {
		mid, author := info.ID, f.agent.ID
		_, _, err := e.App.Messages.InsertOutbound(ctx, tx, message.Outbound{ConversationID: conv, ChannelID: c.ChannelID,
			ContactID: c.ContactID, Direction: message.DirectionOut, AuthorType: message.AuthorAgent, AuthorID: &author,
			Type: "document", MediaID: &mid})
		return err
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return "/api/v1/media/" + info.ID.String()
}

// obSandboxChannel creates a channel whose Graph API is a sandbox of its own
// (so that a template sync can succeed) and returns its path + suffix.
func obSandboxChannel(suffix string) func(*fixture) string {
	return func(f *fixture) string {
		sb, err := sandbox.New(sandbox.Options{AppSecret: "s"})
		if err != nil {
			f.t.Fatal(err)
		}
		srv := httptest.NewServer(sb.Handler())
		f.t.Cleanup(func() { srv.Close(); sb.Close() })
		name, pnid := "Sandbox", sandbox.DefaultPhoneNumberID
		waba, url, tok := sandbox.DefaultWABAID, srv.URL+"/graph", sandbox.DefaultAccessToken
		// phone_number_id is unique per papo: give each row's channel its own.
		pnid = fmt.Sprintf("%s%d", pnid[:10], obSeq.Add(1))
		ch, err := f.env.App.Channels.Create(context.Background(), channel.Input{Name: &name, PhoneNumberID: &pnid, WABAID: &waba,
			DefaultTeamID: &f.team.ID, GraphAPIURL: &url, AccessToken: &tok})
		if err != nil {
			f.t.Fatal(err)
		}
		return "/api/v1/channels/" + ch.ID.String() + suffix
	}
}
