package httpapi_test

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"papo/internal/apptest"
	"papo/internal/auth"
	"papo/internal/channel"
	"papo/internal/contact"
	"papo/internal/conversation"
	"papo/internal/message"
	"papo/internal/store"
	"papo/internal/ticket"
)

// Fixtures of the ticket tests (prefixed tk so they never collide with the
// other fixtures of this package). Conversations and messages are built
// through the domain functions the webhook uses.

var tkSeq atomic.Int64

// tkChat is a contact's open conversation on a channel and its messages.
type tkChat struct {
	Channel   *channel.Channel
	Conv      *conversation.Row
	ContactID store.ID
	Msgs      []store.ID
}

func tkChannel(t testing.TB, e *apptest.Env, teamID store.ID) *channel.Channel {
	t.Helper()
	n := tkSeq.Add(1)
	name, pid := fmt.Sprintf("Canal tk %d", n), fmt.Sprintf("77%d%d", teamID, n)
	ch, err := e.App.Channels.Create(context.Background(), channel.Input{Name: &name, PhoneNumberID: &pid, DefaultTeamID: &teamID})
	if err != nil {
		t.Fatalf("channel: %v", err)
	}
	return ch
}

// tkNewChat receives texts from a new WhatsApp number on ch, one second apart.
func tkNewChat(t testing.TB, e *apptest.Env, ch *channel.Channel, texts ...string) *tkChat {
	t.Helper()
	return tkChatFrom(t, e, ch, fmt.Sprintf("552198%07d", 1000000+tkSeq.Add(1)), texts...)
}

func tkChatFrom(t testing.TB, e *apptest.Env, ch *channel.Channel, waID string, texts ...string) *tkChat {
	t.Helper()
	c := &tkChat{Channel: ch}
	ctx := context.Background()
	err := e.App.DB.InTx(ctx, func(tx *store.Tx) error {
		var err error
		if c.ContactID, err = e.App.Contacts.Upsert(ctx, tx, waID, "Perfil"); err != nil {
			return err
		}
		at := e.Clock.Now()
		if c.Conv, _, err = e.App.Conv.OpenForInbound(ctx, tx, ch.ID, ch.DefaultTeamID, c.ContactID, at); err != nil {
			return err
		}
		for _, text := range texts {
			e.Clock.Advance(time.Second)
			id, _, err := e.App.Messages.InsertInbound(ctx, tx, message.Inbound{
				ConversationID: c.Conv.ID, ChannelID: ch.ID, ContactID: c.ContactID, Type: "text", Text: text,
				WAMessageID: fmt.Sprintf("wamid.tk.%d", tkSeq.Add(1)), At: e.Clock.Now(),
			})
			if err != nil {
				return err
			}
			if err := e.App.Conv.RecordInbound(ctx, tx, c.Conv.ID, id, e.Clock.Now()); err != nil {
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

// tkInsert stores one more message of the chat (a reply, media, a note, an
// agent's message) through the message service.
func tkInsert(t testing.TB, e *apptest.Env, c *tkChat, fn func(tx *store.Tx) (store.ID, error)) store.ID {
	t.Helper()
	var id store.ID
	e.Clock.Advance(time.Second)
	if err := e.App.DB.InTx(context.Background(), func(tx *store.Tx) (err error) {
		id, err = fn(tx)
		return err
	}); err != nil {
		t.Fatalf("insert: %v", err)
	}
	c.Msgs = append(c.Msgs, id)
	return id
}

func tkLinkCount(t testing.TB, e *apptest.Env) int {
	t.Helper()
	var n int
	if err := e.App.DB.R.GetContext(context.Background(), &n, "SELECT COUNT(*) FROM ticket_messages"); err != nil {
		t.Fatal(err)
	}
	return n
}

func tkPath(number int64, rest ...string) string {
	p := "/api/v1/tickets/" + strconv.FormatInt(number, 10)
	for _, r := range rest {
		p += r
	}
	return p
}

type tkLinked struct {
	Linked int `json:"linked"`
}

// TestTicketLinksMessages (F11, F30): linking three messages, then the same
// three again (0 new), an unknown number (404 ticket_not_found, nothing
// written), a mix with another conversation's message (400, nothing
// written), a note and a media message; the transcript shows them in the
// order sent with author, time, text, media link, reply context and the
// ticket's number.
func TestTicketLinksMessages(t *testing.T) {
	e := apptest.New(t, nil)
	ctx := context.Background()
	tm := e.Team(t, "Suporte")
	agentUser := e.User(t, "Ana Lima", auth.RoleAgent, tm.ID)
	agent := e.Login(t, agentUser)
	ch := tkChannel(t, e, tm.ID)
	c := tkNewChat(t, e, ch, "Oi", "Meu boleto venceu", "Podem ajudar?")
	other := tkNewChat(t, e, ch, "Outra pessoa")

	var tk ticket.Ticket
	agent.MustDo(http.StatusCreated, "POST", "/api/v1/tickets", map[string]any{"title": "Boleto vencido"}, &tk)
	if tk.Number < 1 || tk.LinkedMessages == nil || len(tk.LinkedMessages) != 0 {
		t.Fatalf("created %+v; want a number and an empty transcript", tk)
	}
	link := map[string]any{"conversation_id": c.Conv.ID, "message_ids": c.Msgs}

	var out tkLinked
	agent.MustDo(http.StatusOK, "POST", tkPath(tk.Number, "/messages"), link, &out)
	if out.Linked != 3 {
		t.Fatalf("linked %d; want 3", out.Linked)
	}
	agent.MustDo(http.StatusOK, "POST", tkPath(tk.Number, "/messages"), link, &out)
	if out.Linked != 0 || tkLinkCount(t, e) != 3 {
		t.Fatalf("linking again: linked %d, %d rows; want 0 new, 3 rows", out.Linked, tkLinkCount(t, e))
	}

	for _, path := range []string{tkPath(tk.Number+100, "/messages"), "/api/v1/tickets/abc/messages", "/api/v1/tickets/0/messages"} {
		fresh := tkNewChat(t, e, ch, "Nova")
		res := agent.Do("POST", path, map[string]any{"conversation_id": fresh.Conv.ID, "message_ids": fresh.Msgs})
		if res.Status != http.StatusNotFound || res.ErrorCode() != "ticket_not_found" || tkLinkCount(t, e) != 3 {
			t.Fatalf("%s: %d %s, %d rows; want 404 ticket_not_found and nothing linked", path, res.Status, res.Body, tkLinkCount(t, e))
		}
	}

	fresh := tkNewChat(t, e, ch, "Mais uma")
	res := agent.Do("POST", tkPath(tk.Number, "/messages"), map[string]any{
		"conversation_id": fresh.Conv.ID, "message_ids": []store.ID{fresh.Msgs[0], other.Msgs[0]}})
	if res.Status != http.StatusBadRequest || res.Fields()["message_ids"] == "" || tkLinkCount(t, e) != 3 {
		t.Fatalf("foreign message: %d %s, %d rows; want 400 on message_ids and nothing linked", res.Status, res.Body, tkLinkCount(t, e))
	}
	res = agent.Do("POST", tkPath(tk.Number, "/messages"), map[string]any{"conversation_id": fresh.Conv.ID, "message_ids": []store.ID{}})
	if res.Status != http.StatusBadRequest || res.Fields()["message_ids"] == "" {
		t.Fatalf("no messages: %d %s; want 400 on message_ids", res.Status, res.Body)
	}

	// A note (F30), a photo and a customer's reply quoting the first message.
	note := tkInsert(t, e, c, func(tx *store.Tx) (store.ID, error) {
		id, _, err := e.App.Messages.InsertOutbound(ctx, tx, message.Outbound{ConversationID: c.Conv.ID, ChannelID: ch.ID,
			ContactID: c.ContactID, Direction: message.DirectionNote, AuthorType: message.AuthorAgent, AuthorID: &agentUser.ID,
			Type: "text", Text: "Cliente confirmou o CPF"})
		return id, err
	})
	photo := tkInsert(t, e, c, func(tx *store.Tx) (store.ID, error) {
		var mediaID store.ID
		now := e.Clock.Now()
		if err := tx.GetContext(ctx, &mediaID, tx.Rebind(`INSERT INTO media (channel_id, mime_type, filename, size, state, created_at, updated_at)
			VALUES (?, 'image/jpeg', 'boleto.jpg', 2048, 'ready', ?, ?) RETURNING id`), ch.ID, now, now); err != nil {
			return 0, err
		}
		id, _, err := e.App.Messages.InsertInbound(ctx, tx, message.Inbound{ConversationID: c.Conv.ID, ChannelID: ch.ID,
			ContactID: c.ContactID, Type: "image", Text: "foto do boleto", MediaID: &mediaID, WAMessageID: "wamid.tk.photo", At: now})
		return id, err
	})
	var firstWa string
	if err := e.App.DB.R.GetContext(ctx, &firstWa, e.App.DB.R.Rebind("SELECT wa_message_id FROM messages WHERE id = ?"), c.Msgs[0]); err != nil {
		t.Fatal(err)
	}
	quote := tkInsert(t, e, c, func(tx *store.Tx) (store.ID, error) {
		id, _, err := e.App.Messages.InsertInbound(ctx, tx, message.Inbound{ConversationID: c.Conv.ID, ChannelID: ch.ID,
			ContactID: c.ContactID, Type: "text", Text: "sobre isso", ReplyToWaID: firstWa, WAMessageID: "wamid.tk.quote", At: e.Clock.Now()})
		return id, err
	})
	// Selected out of order: the transcript is in the order sent.
	agent.MustDo(http.StatusOK, "POST", tkPath(tk.Number, "/messages"), map[string]any{
		"conversation_id": c.Conv.ID, "message_ids": []store.ID{quote, note, photo}}, &out)
	if out.Linked != 3 {
		t.Fatalf("linked %d; want 3 (note, photo, reply)", out.Linked)
	}

	var got ticket.Ticket
	agent.MustDo(http.StatusOK, "GET", tkPath(tk.Number), nil, &got)
	if len(got.LinkedMessages) != 6 {
		t.Fatalf("transcript has %d messages; want 6", len(got.LinkedMessages))
	}
	for i, m := range got.LinkedMessages {
		if m.ID != c.Msgs[i] {
			t.Fatalf("transcript[%d] = message %s; want %s (order sent)", i, m.ID, c.Msgs[i])
		}
		if len(m.TicketNumbers) != 1 || m.TicketNumbers[0] != tk.Number {
			t.Errorf("message %s ticket_numbers = %v; want [%d]", m.ID, m.TicketNumbers, tk.Number)
		}
		if m.CreatedAt.IsZero() || m.Author.Name == "" {
			t.Errorf("message %s lacks time or author: %+v", m.ID, m)
		}
	}
	if m := got.LinkedMessages[1]; m.Text != "Meu boleto venceu" || m.Author.Type != "contact" {
		t.Errorf("customer message = %+v", m)
	}
	if m := got.LinkedMessages[3]; m.Direction != "note" || m.Author.Type != "agent" || m.Author.Name != "Ana Lima" || m.Text != "Cliente confirmou o CPF" {
		t.Errorf("note = %+v; want Ana Lima's note", m)
	}
	if m := got.LinkedMessages[4]; m.Media == nil || m.Media.URL != message.MediaURL(m.Media.ID) || m.Media.MimeType != "image/jpeg" || m.Media.Filename != "boleto.jpg" {
		t.Errorf("photo media = %+v; want a link to the file", m.Media)
	}
	if m := got.LinkedMessages[5]; m.ReplyToID == nil || *m.ReplyToID != c.Msgs[0] {
		t.Errorf("reply_to_id = %v; want %s", m.ReplyToID, c.Msgs[0])
	}
	// Editing the ticket leaves the transcript as it was.
	var edited ticket.Ticket
	agent.MustDo(http.StatusOK, "PATCH", tkPath(tk.Number), map[string]any{"title": "Boleto 2ª via", "status": "in_progress"}, &edited)
	if edited.Title != "Boleto 2ª via" || edited.Status != "in_progress" || len(edited.LinkedMessages) != 6 || tkLinkCount(t, e) != 6 {
		t.Fatalf("after edit: %+v, %d rows", edited, tkLinkCount(t, e))
	}
}

// TestCreateTicketFromConversation (F12): defaults from the conversation
// (origin whatsapp, its team, the contact's customer as requester), the
// selection linked at once; without a selection the ticket is empty; a
// message of another conversation refuses the whole creation.
func TestCreateTicketFromConversation(t *testing.T) {
	e := apptest.New(t, nil)
	tm := e.Team(t, "Suporte")
	agent := e.Login(t, e.User(t, "Ana", auth.RoleAgent, tm.ID))
	admin := e.Login(t, e.User(t, "Root", auth.RoleAdmin))
	var maria contact.Customer
	admin.MustDo(http.StatusCreated, "POST", "/api/v1/customers", map[string]any{"name": "Maria", "phones": []string{"+5511987654321"}}, &maria)
	ch := tkChannel(t, e, tm.ID)
	c := tkChatFrom(t, e, ch, "5511987654321", "Oi", "Preciso da 2ª via")
	stranger := tkNewChat(t, e, ch, "Olá")

	var tk ticket.Ticket
	agent.MustDo(http.StatusCreated, "POST", "/api/v1/tickets", map[string]any{
		"title": "Segunda via", "description": "Pediu pelo WhatsApp", "conversation_id": c.Conv.ID, "message_ids": c.Msgs}, &tk)
	if tk.Origin != "whatsapp" || tk.TeamID != tm.ID || tk.Requester == nil || tk.Requester.ID != maria.ID ||
		tk.Status != "open" || len(tk.LinkedMessages) != 2 || tk.ConversationID == nil || *tk.ConversationID != c.Conv.ID {
		t.Fatalf("ticket = %+v; want whatsapp, team, Maria, 2 messages", tk)
	}

	var empty ticket.Ticket
	agent.MustDo(http.StatusCreated, "POST", "/api/v1/tickets", map[string]any{"title": "Sem mensagens", "conversation_id": stranger.Conv.ID}, &empty)
	if empty.Requester != nil || empty.Origin != "whatsapp" || len(empty.LinkedMessages) != 0 || empty.Number != tk.Number+1 {
		t.Fatalf("ticket without messages = %+v", empty)
	}

	res := agent.Do("POST", "/api/v1/tickets", map[string]any{"title": "Misturado", "conversation_id": c.Conv.ID,
		"message_ids": []store.ID{c.Msgs[0], stranger.Msgs[0]}})
	if res.Status != http.StatusBadRequest || res.Fields()["message_ids"] == "" {
		t.Fatalf("foreign message: %d %s; want 400 on message_ids", res.Status, res.Body)
	}
	res = agent.Do("POST", "/api/v1/tickets", map[string]any{"title": "Sem conversa", "message_ids": c.Msgs})
	if res.Status != http.StatusBadRequest || res.Fields()["conversation_id"] == "" {
		t.Fatalf("messages without conversation: %d %s", res.Status, res.Body)
	}
	var next ticket.Ticket
	agent.MustDo(http.StatusCreated, "POST", "/api/v1/tickets", map[string]any{"title": "Por telefone", "origin": "phone"}, &next)
	if next.Number != empty.Number+1 || next.Origin != "phone" || next.TeamID != tm.ID || tkLinkCount(t, e) != 2 {
		t.Fatalf("refused creations must use no number and link nothing: %+v, %d links", next, tkLinkCount(t, e))
	}

	// Without a conversation: admins name the team; an agent of several
	// teams too; bad values name their fields.
	res = admin.Do("POST", "/api/v1/tickets", map[string]any{"title": "Sem time"})
	if res.Status != http.StatusBadRequest || res.Fields()["team_id"] == "" {
		t.Fatalf("admin without team: %d %s", res.Status, res.Body)
	}
	other := e.Team(t, "Financeiro")
	both := e.Login(t, e.User(t, "Bia", auth.RoleAgent, tm.ID, other.ID))
	res = both.Do("POST", "/api/v1/tickets", map[string]any{"title": "Qual time?"})
	if res.Status != http.StatusBadRequest || res.Fields()["team_id"] == "" {
		t.Fatalf("agent of two teams without team: %d %s", res.Status, res.Body)
	}
	res = agent.Do("POST", "/api/v1/tickets", map[string]any{"title": " ", "team_id": other.ID, "origin": "fax", "requester_id": "999999"})
	f := res.Fields()
	if res.Status != http.StatusBadRequest || f["title"] == "" || f["team_id"] == "" || f["origin"] == "" || f["requester_id"] == "" {
		t.Fatalf("bad fields: %d %s; want title, team_id, origin and requester_id named", res.Status, res.Body)
	}
	var web ticket.Ticket
	admin.MustDo(http.StatusCreated, "POST", "/api/v1/tickets", map[string]any{"title": "Pelo site", "team_id": other.ID, "requester_id": maria.ID}, &web)
	if web.Origin != "web" || web.Requester == nil || web.Requester.Name != "Maria" || web.ContactID != nil {
		t.Fatalf("ticket without conversation = %+v", web)
	}
}

// TestTicketVisibility (F22, F03): an agent of another team cannot see,
// edit, link to or read the transcript of a ticket (404), nor link messages
// of a conversation they cannot see; lists never widen what they see.
func TestTicketVisibility(t *testing.T) {
	e := apptest.New(t, nil)
	sup, fin := e.Team(t, "Suporte"), e.Team(t, "Financeiro")
	ana := e.Login(t, e.User(t, "Ana", auth.RoleAgent, sup.ID))
	bia := e.Login(t, e.User(t, "Bia", auth.RoleAgent, fin.ID))
	admin := e.Login(t, e.User(t, "Root", auth.RoleAdmin))
	supChat := tkNewChat(t, e, tkChannel(t, e, sup.ID), "Oi do suporte")
	finChat := tkNewChat(t, e, tkChannel(t, e, fin.ID), "Oi do financeiro")

	var supTk, finTk ticket.Ticket
	ana.MustDo(http.StatusCreated, "POST", "/api/v1/tickets", map[string]any{"title": "Do suporte", "conversation_id": supChat.Conv.ID, "message_ids": supChat.Msgs}, &supTk)
	bia.MustDo(http.StatusCreated, "POST", "/api/v1/tickets", map[string]any{"title": "Do financeiro"}, &finTk)

	for method, body := range map[string]any{"GET": nil, "PATCH": map[string]any{"title": "Meu"}} {
		res := bia.Do(method, tkPath(supTk.Number), body)
		if res.Status != http.StatusNotFound || res.ErrorCode() != "not_found" {
			t.Errorf("%s ticket of another team = %d %s; want 404 not_found", method, res.Status, res.Body)
		}
	}
	// Linking her own conversation's message to a ticket she cannot see.
	res := bia.Do("POST", tkPath(supTk.Number, "/messages"), map[string]any{"conversation_id": finChat.Conv.ID, "message_ids": finChat.Msgs})
	if res.Status != http.StatusNotFound || res.ErrorCode() != "ticket_not_found" || tkLinkCount(t, e) != 1 {
		t.Errorf("link to an invisible ticket = %d %s; want 404 ticket_not_found", res.Status, res.Body)
	}
	// Linking a conversation she cannot see to her own ticket.
	res = bia.Do("POST", tkPath(finTk.Number, "/messages"), map[string]any{"conversation_id": supChat.Conv.ID, "message_ids": supChat.Msgs})
	if res.Status != http.StatusNotFound || res.ErrorCode() != "not_found" || tkLinkCount(t, e) != 1 {
		t.Errorf("link from an invisible conversation = %d %s; want 404 not_found", res.Status, res.Body)
	}
	// Creating a ticket from a conversation she cannot see.
	res = bia.Do("POST", "/api/v1/tickets", map[string]any{"title": "x", "conversation_id": supChat.Conv.ID})
	if res.Status != http.StatusNotFound || res.ErrorCode() != "not_found" {
		t.Errorf("create from an invisible conversation = %d %s; want 404", res.Status, res.Body)
	}

	list := func(c *apptest.Client, query string) []int64 {
		t.Helper()
		var page struct {
			Items []ticket.Ticket `json:"items"`
		}
		c.MustDo(http.StatusOK, "GET", "/api/v1/tickets"+query, nil, &page)
		var ns []int64
		for _, tk := range page.Items {
			if tk.LinkedMessages != nil {
				t.Errorf("list items carry linked_messages")
			}
			ns = append(ns, tk.Number)
		}
		return ns
	}
	if got := list(bia, ""); len(got) != 1 || got[0] != finTk.Number {
		t.Errorf("Bia lists %v; want only #%d", got, finTk.Number)
	}
	if got := list(bia, "?team_id="+sup.ID.String()); len(got) != 0 {
		t.Errorf("Bia filtering by Suporte lists %v; want nothing", got)
	}
	if got := list(bia, "?q="+strconv.FormatInt(supTk.Number, 10)); len(got) != 0 {
		t.Errorf("Bia searching Suporte's number lists %v; want nothing", got)
	}
	if got := list(admin, ""); len(got) != 2 {
		t.Errorf("admin lists %v; want both", got)
	}
}

// TestTicketListFiltersSearchAndPaging (F22): newest first, filters,
// accent-insensitive search over title and description, a number found
// exactly, keyset paging, and bad values named.
func TestTicketListFiltersSearchAndPaging(t *testing.T) {
	e := apptest.New(t, nil)
	sup, fin := e.Team(t, "Suporte"), e.Team(t, "Financeiro")
	admin := e.Login(t, e.User(t, "Root", auth.RoleAdmin))
	var maria contact.Customer
	admin.MustDo(http.StatusCreated, "POST", "/api/v1/customers", map[string]any{"name": "Maria"}, &maria)
	create := func(body map[string]any) ticket.Ticket {
		t.Helper()
		var tk ticket.Ticket
		admin.MustDo(http.StatusCreated, "POST", "/api/v1/tickets", body, &tk)
		return tk
	}
	t1 := create(map[string]any{"title": "Instalação do roteador", "description": "João não consegue conectar", "team_id": sup.ID, "origin": "phone"})
	t2 := create(map[string]any{"title": "Cobrança em dobro", "description": "Cartão de crédito", "team_id": fin.ID, "requester_id": maria.ID, "origin": "email"})
	t3 := create(map[string]any{"title": "Roteador reiniciando", "team_id": sup.ID, "requester_id": maria.ID})
	admin.MustDo(http.StatusOK, "PATCH", tkPath(t3.Number), map[string]any{"status": "resolved"}, nil)

	type page struct {
		Items      []ticket.Ticket `json:"items"`
		NextCursor *string         `json:"next_cursor"`
	}
	numbers := func(query string) []int64 {
		t.Helper()
		var p page
		admin.MustDo(http.StatusOK, "GET", "/api/v1/tickets"+query, nil, &p)
		ns := []int64{}
		for _, tk := range p.Items {
			ns = append(ns, tk.Number)
		}
		return ns
	}
	same := func(query string, want ...int64) {
		t.Helper()
		got := numbers(query)
		if fmt.Sprint(got) != fmt.Sprint(append([]int64{}, want...)) {
			t.Errorf("GET /api/v1/tickets%s = %v; want %v", query, got, want)
		}
	}
	same("", t3.Number, t2.Number, t1.Number)
	same("?status=resolved", t3.Number)
	same("?status=open", t2.Number, t1.Number)
	same("?origin=email", t2.Number)
	same("?origin=web", t3.Number)
	same("?requester_id="+maria.ID.String(), t3.Number, t2.Number)
	same("?team_id="+sup.ID.String(), t3.Number, t1.Number)
	same("?team_id="+sup.ID.String()+"&status=open", t1.Number)
	same("?q=roteador", t3.Number, t1.Number)
	same("?q=ROTEA", t3.Number, t1.Number)                     // word prefix, any case
	same("?q=joao", t1.Number)                                 // accents ignored, description searched
	same("?q=instalacao+joao", t1.Number)                      // every word must match
	same("?q=credito", t2.Number)                              // "crédito"
	same("?q=%23"+strconv.FormatInt(t2.Number, 10), t2.Number) // "#2": the number, exactly
	same("?q=naoexiste")
	same("?q=roteador&requester_id="+maria.ID.String(), t3.Number) // words within a requester's tickets
	same("?q=cartao&requester_id="+maria.ID.String(), t2.Number)

	// Search pages too, and follows edits of the title.
	var s1, s2 page
	admin.MustDo(http.StatusOK, "GET", "/api/v1/tickets?q=roteador&limit=1", nil, &s1)
	if len(s1.Items) != 1 || s1.Items[0].Number != t3.Number || s1.NextCursor == nil {
		t.Fatalf("search page 1 = %+v", s1)
	}
	admin.MustDo(http.StatusOK, "GET", "/api/v1/tickets?q=roteador&limit=1&cursor="+*s1.NextCursor, nil, &s2)
	if len(s2.Items) != 1 || s2.Items[0].Number != t1.Number {
		t.Fatalf("search page 2 = %+v; want #%d", s2, t1.Number)
	}
	admin.MustDo(http.StatusOK, "PATCH", tkPath(t3.Number), map[string]any{"title": "Modem travado"}, nil)
	same("?q=roteador", t1.Number)
	same("?q=modem", t3.Number)

	// Keyset paging: limit 2, then the rest, with no overlap — also after a
	// new ticket arrives between the pages.
	var p1, p2 page
	admin.MustDo(http.StatusOK, "GET", "/api/v1/tickets?limit=2", nil, &p1)
	if len(p1.Items) != 2 || p1.NextCursor == nil {
		t.Fatalf("first page = %+v", p1)
	}
	create(map[string]any{"title": "Chegou agora", "team_id": sup.ID})
	admin.MustDo(http.StatusOK, "GET", "/api/v1/tickets?limit=2&cursor="+*p1.NextCursor, nil, &p2)
	if len(p2.Items) != 1 || p2.Items[0].Number != t1.Number || p2.NextCursor != nil {
		t.Fatalf("second page = %+v; want only #%d", p2, t1.Number)
	}

	for query, field := range map[string]string{
		"?status=pending":      "status",
		"?origin=fax":          "origin",
		"?team_id=abc":         "team_id",
		"?requester_id=-1":     "requester_id",
		"?limit=-3":            "limit",
		"?cursor=not-a-cursor": "cursor",
	} {
		res := admin.Do("GET", "/api/v1/tickets"+query, nil)
		if res.Status != http.StatusBadRequest || res.Fields()[field] == "" {
			t.Errorf("GET /api/v1/tickets%s = %d %s; want 400 naming %s", query, res.Status, res.Body, field)
		}
	}
}

// TestUpdateTicket (F22): the assignee must be an active member of the
// ticket's team; null clears the assignee and requester; moving the ticket
// to a team its assignee is not in unassigns it.
func TestUpdateTicket(t *testing.T) {
	e := apptest.New(t, nil)
	sup, fin := e.Team(t, "Suporte"), e.Team(t, "Financeiro")
	anaUser := e.User(t, "Ana", auth.RoleAgent, sup.ID)
	ana := e.Login(t, anaUser)
	carla := e.User(t, "Carla", auth.RoleAgent, fin.ID)
	gone := e.User(t, "Gone", auth.RoleAgent, sup.ID)
	admin := e.Login(t, e.User(t, "Root", auth.RoleAdmin))
	admin.MustDo(http.StatusOK, "PATCH", "/api/v1/users/"+gone.ID.String(), map[string]any{"active": false}, nil)
	var maria contact.Customer
	admin.MustDo(http.StatusCreated, "POST", "/api/v1/customers", map[string]any{"name": "Maria"}, &maria)

	var tk ticket.Ticket
	ana.MustDo(http.StatusCreated, "POST", "/api/v1/tickets", map[string]any{"title": "Wi-fi", "requester_id": maria.ID, "assignee_id": anaUser.ID}, &tk)
	if tk.AssigneeID == nil || *tk.AssigneeID != anaUser.ID {
		t.Fatalf("assignee = %v", tk.AssigneeID)
	}
	for _, who := range []*auth.User{carla, gone} {
		res := ana.Do("PATCH", tkPath(tk.Number), map[string]any{"assignee_id": who.ID})
		if res.Status != http.StatusBadRequest || res.Fields()["assignee_id"] == "" {
			t.Errorf("assigning %s: %d %s; want 400 on assignee_id", who.Name, res.Status, res.Body)
		}
	}
	res := ana.Do("PATCH", tkPath(tk.Number), map[string]any{"status": "done", "title": ""})
	if res.Status != http.StatusBadRequest || res.Fields()["status"] == "" || res.Fields()["title"] == "" {
		t.Errorf("bad status and title: %d %s", res.Status, res.Body)
	}
	var got ticket.Ticket
	ana.MustDo(http.StatusOK, "PATCH", tkPath(tk.Number), map[string]any{"description": "Sem sinal"}, &got)
	if got.AssigneeID == nil || got.Requester == nil || got.Description != "Sem sinal" || got.Title != "Wi-fi" {
		t.Fatalf("absent fields must stay: %+v", got)
	}
	ana.MustDo(http.StatusOK, "PATCH", tkPath(tk.Number), map[string]any{"requester_id": nil}, &got)
	if got.Requester != nil || got.AssigneeID == nil {
		t.Fatalf("requester null: %+v", got)
	}
	admin.MustDo(http.StatusOK, "PATCH", tkPath(tk.Number), map[string]any{"team_id": fin.ID}, &got)
	if got.TeamID != fin.ID || got.AssigneeID != nil {
		t.Fatalf("moved to Financeiro: %+v; want unassigned", got)
	}
	admin.MustDo(http.StatusOK, "PATCH", tkPath(tk.Number), map[string]any{"assignee_id": carla.ID}, &got)
	admin.MustDo(http.StatusOK, "PATCH", tkPath(tk.Number), map[string]any{"assignee_id": nil}, &got)
	if got.AssigneeID != nil {
		t.Fatalf("assignee null: %+v", got)
	}
	if res := ana.Do("GET", tkPath(tk.Number), nil); res.Status != http.StatusNotFound {
		t.Errorf("Ana after the move: %d; want 404", res.Status)
	}
	if res := admin.Do("GET", "/api/v1/tickets/99999", nil); res.Status != http.StatusNotFound || res.ErrorCode() != "not_found" {
		t.Errorf("unknown number: %d %s", res.Status, res.Body)
	}
}

// TestContactShowsLastWhatsAppTicket (F13): the contact inside a
// conversation and GET /contacts/{id} carry the newest WhatsApp ticket of
// the customer, null when there is none.
func TestContactShowsLastWhatsAppTicket(t *testing.T) {
	e := apptest.New(t, nil)
	tm := e.Team(t, "Suporte")
	agent := e.Login(t, e.User(t, "Ana", auth.RoleAgent, tm.ID))
	admin := e.Login(t, e.User(t, "Root", auth.RoleAdmin))
	var maria contact.Customer
	admin.MustDo(http.StatusCreated, "POST", "/api/v1/customers", map[string]any{"name": "Maria", "phones": []string{"+5511987654321"}}, &maria)
	c := tkChatFrom(t, e, tkChannel(t, e, tm.ID), "5511987654321", "Oi")
	type contactOut struct {
		LastWhatsAppTicket *contact.TicketRef `json:"last_whatsapp_ticket"`
	}
	var conv struct {
		Contact contactOut `json:"contact"`
	}
	agent.MustDo(http.StatusOK, "GET", "/api/v1/conversations/"+c.Conv.ID.String(), nil, &conv)
	if conv.Contact.LastWhatsAppTicket != nil {
		t.Fatalf("no ticket yet: %+v", conv.Contact.LastWhatsAppTicket)
	}
	var wa, mail ticket.Ticket
	agent.MustDo(http.StatusCreated, "POST", "/api/v1/tickets", map[string]any{"title": "Pelo WhatsApp", "conversation_id": c.Conv.ID}, &wa)
	e.Clock.Advance(time.Hour)
	agent.MustDo(http.StatusCreated, "POST", "/api/v1/tickets", map[string]any{"title": "Por e-mail", "origin": "email", "requester_id": maria.ID}, &mail)
	agent.MustDo(http.StatusOK, "GET", "/api/v1/conversations/"+c.Conv.ID.String(), nil, &conv)
	if r := conv.Contact.LastWhatsAppTicket; r == nil || r.Number != wa.Number || r.Title != "Pelo WhatsApp" || r.Status != "open" {
		t.Fatalf("conversation's contact shows %+v; want #%d", r, wa.Number)
	}
	var ct contactOut
	agent.MustDo(http.StatusOK, "GET", "/api/v1/contacts/"+c.ContactID.String(), nil, &ct)
	if r := ct.LastWhatsAppTicket; r == nil || r.Number != wa.Number {
		t.Fatalf("contact shows %+v; want #%d", r, wa.Number)
	}
}

// tkFixtureTicket creates a ticket in the authorization fixture's team and
// returns its path.
func tkFixtureTicket(f *fixture) string {
	f.t.Helper()
	tk, err := f.env.App.Tickets.Create(context.Background(), &auth.Principal{User: *f.agent},
		ticket.CreateInput{Title: "Fixture", TeamID: &f.team.ID})
	if err != nil {
		f.t.Fatalf("ticket: %v", err)
	}
	return tkPath(tk.Number)
}
