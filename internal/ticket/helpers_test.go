package ticket_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"papo/internal/apptest"
	"papo/internal/auth"
	"papo/internal/channel"
	"papo/internal/conversation"
	"papo/internal/message"
	"papo/internal/store"
)

// as is the principal of a user, as the API would authenticate them.
func as(u *auth.User) *auth.Principal { return &auth.Principal{User: *u} }

// chat is a WhatsApp conversation built through the domain functions the
// webhook uses: a contact, its open conversation and its messages.
type chat struct {
	Channel   *channel.Channel
	Conv      *conversation.Row
	ContactID store.ID
	Msgs      []store.ID // inbound, one second apart
}

var channelSeq int

// newChannel creates a WhatsApp channel routing to team.
func newChannel(t *testing.T, e *apptest.Env, team store.ID) *channel.Channel {
	t.Helper()
	channelSeq++
	name, pid := fmt.Sprintf("Canal %d", channelSeq), fmt.Sprintf("10%d%d", team, channelSeq)
	ch, err := e.App.Channels.Create(context.Background(), channel.Input{Name: &name, PhoneNumberID: &pid, DefaultTeamID: &team})
	if err != nil {
		t.Fatalf("channel: %v", err)
	}
	return ch
}

// newChat receives n text messages from waID on ch.
func newChat(t *testing.T, e *apptest.Env, ch *channel.Channel, waID string, n int) *chat {
	t.Helper()
	c := &chat{Channel: ch}
	ctx := context.Background()
	err := e.App.DB.InTx(ctx, func(tx *store.Tx) error {
		var err error
		if c.ContactID, err = e.App.Contacts.Upsert(ctx, tx, waID, "Perfil "+waID); err != nil {
			return err
		}
		at := e.Clock.Now()
		if c.Conv, _, err = e.App.Conv.OpenForInbound(ctx, tx, ch.ID, ch.DefaultTeamID, c.ContactID, at); err != nil {
			return err
		}
		for i := range n {
			id, _, err := e.App.Messages.InsertInbound(ctx, tx, message.Inbound{
				ConversationID: c.Conv.ID, ChannelID: ch.ID, ContactID: c.ContactID, Type: "text",
				Text: fmt.Sprintf("mensagem %d", i+1), WAMessageID: fmt.Sprintf("wamid.%s.%d", waID, i),
				At: at.Add(time.Duration(i) * time.Second),
			})
			if err != nil {
				return err
			}
			c.Msgs = append(c.Msgs, id)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("chat: %v", err)
	}
	return c
}
