package ticket_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"papo/internal/apperr"
	"papo/internal/apptest"
	"papo/internal/auth"
	"papo/internal/contact"
	"papo/internal/ticket"
)

// TestConcurrentCreationsGetConsecutiveNumbers (F22): 100 tickets created at
// once get 100 distinct, consecutive numbers, on the engine under test.
func TestConcurrentCreationsGetConsecutiveNumbers(t *testing.T) {
	e := apptest.New(t, nil)
	tm := e.Team(t, "Suporte")
	agent := as(e.User(t, "Ana", auth.RoleAgent, tm.ID))
	const n = 100
	numbers := make([]int64, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			tk, err := e.App.Tickets.Create(context.Background(), agent, ticket.CreateInput{Title: "Pedido"})
			errs[i] = err
			if err == nil {
				numbers[i] = tk.Number
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	slices.Sort(numbers)
	for i, got := range numbers {
		if got != int64(i+1) {
			t.Fatalf("numbers = %v…; want 1..%d, each once", numbers[:min(len(numbers), i+3)], n)
		}
	}
	next, err := e.App.Tickets.Create(context.Background(), agent, ticket.CreateInput{Title: "Depois"})
	if err != nil || next.Number != n+1 {
		t.Fatalf("next ticket = %+v, %v; want number %d", next, err, n+1)
	}
}

// TestLinkIsAllOrNothing (F11): an unknown number or a foreign message id
// writes no link at all; linking twice adds nothing.
func TestLinkIsAllOrNothing(t *testing.T) {
	e := apptest.New(t, nil)
	ctx := context.Background()
	tm := e.Team(t, "Suporte")
	agent := as(e.User(t, "Ana", auth.RoleAgent, tm.ID))
	ch := newChannel(t, e, tm.ID)
	c := newChat(t, e, ch, "5511987654321", 3)
	other := newChat(t, e, ch, "5511912345678", 1)
	tk, err := e.App.Tickets.Create(ctx, agent, ticket.CreateInput{Title: "Boleto"})
	if err != nil {
		t.Fatal(err)
	}
	links := func() int {
		var n int
		if err := e.App.DB.R.GetContext(ctx, &n, "SELECT COUNT(*) FROM ticket_messages"); err != nil {
			t.Fatal(err)
		}
		return n
	}

	_, err = e.App.Tickets.Link(ctx, agent, tk.Number+1, ticket.LinkInput{ConversationID: c.Conv.ID, MessageIDs: c.Msgs})
	if !errors.Is(err, apperr.ErrTicketNotFound) || links() != 0 {
		t.Fatalf("unknown number: err %v, %d links; want ErrTicketNotFound and none", err, links())
	}
	_, err = e.App.Tickets.Link(ctx, agent, tk.Number, ticket.LinkInput{ConversationID: c.Conv.ID, MessageIDs: append(c.Msgs[:2:2], other.Msgs[0])})
	var verr *apperr.ValidationError
	if !errors.As(err, &verr) || verr.Fields["message_ids"] == "" || links() != 0 {
		t.Fatalf("foreign message: err %v, %d links; want a message_ids error and none", err, links())
	}
	n, err := e.App.Tickets.Link(ctx, agent, tk.Number, ticket.LinkInput{ConversationID: c.Conv.ID, MessageIDs: c.Msgs})
	if err != nil || n != 3 {
		t.Fatalf("link = %d, %v; want 3", n, err)
	}
	n, err = e.App.Tickets.Link(ctx, agent, tk.Number, ticket.LinkInput{ConversationID: c.Conv.ID, MessageIDs: c.Msgs})
	if err != nil || n != 0 || links() != 3 {
		t.Fatalf("link again = %d, %v, %d rows; want 0 new, 3 rows", n, err, links())
	}
}

// TestLastWhatsAppTicket (F13): a registered customer's newest ticket of
// origin whatsapp, whatever newer tickets of other origins exist; an
// unregistered contact's newest one created from their conversations, kept
// once the contact is registered; nil without any; and the conversation's
// contact shows it.
func TestLastWhatsAppTicket(t *testing.T) {
	e := apptest.New(t, nil)
	ctx := context.Background()
	tm := e.Team(t, "Suporte")
	agent := as(e.User(t, "Ana", auth.RoleAgent, tm.ID))
	admin := as(e.User(t, "Root", auth.RoleAdmin))
	name := "Maria Souza"
	phones := []string{"+5511987654321"}
	maria, err := e.App.Contacts.CreateCustomer(ctx, admin, contact.CustomerInput{Name: &name, Phones: &phones})
	if err != nil {
		t.Fatal(err)
	}
	ch := newChannel(t, e, tm.ID)
	// WhatsApp sends Maria's number without the ninth digit: still her (F04).
	registered := newChat(t, e, ch, "551187654321", 1)
	stranger := newChat(t, e, ch, "5521999990000", 1)

	ref, err := e.App.Tickets.LastWhatsAppTicket(ctx, nil, registered.ContactID)
	if err != nil || ref != nil {
		t.Fatalf("no tickets yet: %+v, %v; want nil", ref, err)
	}
	create := func(in ticket.CreateInput) *ticket.Ticket {
		t.Helper()
		e.Clock.Advance(time.Minute)
		tk, err := e.App.Tickets.Create(ctx, agent, in)
		if err != nil {
			t.Fatal(err)
		}
		return tk
	}
	create(ticket.CreateInput{Title: "WA antigo", Origin: "whatsapp", RequesterID: &maria.ID})
	want := create(ticket.CreateInput{Title: "WA novo", ConversationID: &registered.Conv.ID})
	if want.Requester == nil || want.Requester.ID != maria.ID || want.Origin != "whatsapp" {
		t.Fatalf("ticket from the conversation = %+v; want origin whatsapp, requester Maria", want)
	}
	create(ticket.CreateInput{Title: "E-mail mais novo", Origin: "email", RequesterID: &maria.ID})
	create(ticket.CreateInput{Title: "Telefone mais novo", Origin: "phone", RequesterID: &maria.ID})
	create(ticket.CreateInput{Title: "WA de outra pessoa", ConversationID: &stranger.Conv.ID})

	ref, err = e.App.Tickets.LastWhatsAppTicket(ctx, nil, registered.ContactID)
	if err != nil || ref == nil || ref.Number != want.Number || ref.Title != "WA novo" || ref.Status != "open" {
		t.Fatalf("last whatsapp ticket = %+v, %v; want #%d WA novo", ref, err, want.Number)
	}
	ref, err = e.App.Tickets.LastWhatsAppTicket(ctx, nil, stranger.ContactID)
	if err != nil || ref == nil || ref.Title != "WA de outra pessoa" {
		t.Fatalf("unregistered contact's ticket = %+v, %v; want the one from their conversation", ref, err)
	}

	conv, err := e.App.Conv.Get(ctx, agent, registered.Conv.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got := conv.Contact.LastWhatsAppTicket; got == nil || got.Number != want.Number {
		t.Fatalf("conversation's contact shows %+v; want #%d", got, want.Number)
	}
	c, err := e.App.Conv.PresentContact(ctx, nil, stranger.ContactID)
	if err != nil || c.LastWhatsAppTicket == nil || c.LastWhatsAppTicket.Title != "WA de outra pessoa" {
		t.Fatalf("contact = %+v, %v", c, err)
	}
	// The stranger registers: the ticket from their conversation stays
	// theirs until a newer WhatsApp ticket names them as requester.
	joao, phones2 := "João", []string{"+5521999990000"}
	cust, err := e.App.Contacts.CreateCustomer(ctx, admin, contact.CustomerInput{Name: &joao, Phones: &phones2})
	if err != nil {
		t.Fatal(err)
	}
	ref, err = e.App.Tickets.LastWhatsAppTicket(ctx, nil, stranger.ContactID)
	if err != nil || ref == nil || ref.Title != "WA de outra pessoa" {
		t.Fatalf("after registering: %+v, %v; want the ticket from their conversation", ref, err)
	}
	newer := create(ticket.CreateInput{Title: "WA pelo cadastro", Origin: "whatsapp", RequesterID: &cust.ID})
	ref, err = e.App.Tickets.LastWhatsAppTicket(ctx, nil, stranger.ContactID)
	if err != nil || ref == nil || ref.Number != newer.Number {
		t.Fatalf("after a newer ticket of the customer: %+v, %v; want #%d", ref, err, newer.Number)
	}

	lonely := newChat(t, e, ch, "5531988887777", 1)
	conv, err = e.App.Conv.Get(ctx, agent, lonely.Conv.ID)
	if err != nil || conv.Contact.LastWhatsAppTicket != nil {
		t.Fatalf("contact without tickets shows %+v, %v; want null", conv.Contact.LastWhatsAppTicket, err)
	}
}

// TestEditingKeepsTranscript (F22): changing a ticket's fields, team and
// status leaves its linked messages as they were.
func TestEditingKeepsTranscript(t *testing.T) {
	e := apptest.New(t, nil)
	ctx := context.Background()
	tm := e.Team(t, "Suporte")
	other := e.Team(t, "Financeiro")
	agent := as(e.User(t, "Ana", auth.RoleAgent, tm.ID))
	ch := newChannel(t, e, tm.ID)
	c := newChat(t, e, ch, "5511987654321", 2)
	tk, err := e.App.Tickets.Create(ctx, agent, ticket.CreateInput{Title: "Boleto", ConversationID: &c.Conv.ID, MessageIDs: c.Msgs})
	if err != nil || len(tk.LinkedMessages) != 2 {
		t.Fatalf("create = %+v, %v", tk, err)
	}
	title, status := "Boleto vencido", "resolved"
	if _, err := e.App.Tickets.Update(ctx, agent, tk.Number, ticket.UpdateInput{Title: &title, Status: &status, TeamID: &other.ID}); err != nil {
		t.Fatal(err)
	}
	admin := as(e.User(t, "Root", auth.RoleAdmin))
	got, err := e.App.Tickets.Get(ctx, admin, tk.Number)
	if err != nil || got.Title != title || got.Status != status || got.TeamID != other.ID || len(got.LinkedMessages) != 2 {
		t.Fatalf("after edit = %+v, %v", got, err)
	}
	if _, err := e.App.Tickets.Get(ctx, agent, tk.Number); !errors.Is(err, apperr.ErrNotFound) {
		t.Fatalf("agent after handing the ticket to another team: %v; want not found", err)
	}
}
