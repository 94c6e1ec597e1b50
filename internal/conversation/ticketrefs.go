package conversation

import (
	"context"

	"papo/internal/contact"
	"papo/internal/store"
)

// TicketRefs finds the last WhatsApp ticket of contacts (F13), keyed by
// contact id (contacts without one are absent). ticket.Refs implements it;
// the conversation service takes it through Options because the ticket
// service itself depends on this one.
type TicketRefs interface {
	LastWhatsAppTickets(ctx context.Context, q store.Queryer, contactIDs []store.ID) (map[store.ID]*contact.TicketRef, error)
}

// WithTicketRefs sets LastWhatsAppTicket on each contact of cs (F13). It
// does nothing when no TicketRefs is wired. q may be a transaction (nil:
// the read pool).
func (s *Service) WithTicketRefs(ctx context.Context, q store.Queryer, cs map[store.ID]*contact.Contact) error {
	if s.tickets == nil || len(cs) == 0 {
		return nil
	}
	if q == nil {
		q = s.db.R
	}
	ids := make([]store.ID, 0, len(cs))
	for id := range cs {
		ids = append(ids, id)
	}
	refs, err := s.tickets.LastWhatsAppTickets(ctx, q, ids)
	if err != nil {
		return err
	}
	for id, c := range cs {
		if c != nil {
			c.LastWhatsAppTicket = refs[id]
		}
	}
	return nil
}

// PresentContact returns a contact as the API shows it, with its last
// WhatsApp ticket (for GET /api/v1/contacts/{id}; visibility is the
// caller's business: a contact is visible when one of its conversations is).
func (s *Service) PresentContact(ctx context.Context, q store.Queryer, id store.ID) (*contact.Contact, error) {
	c, err := s.contacts.GetContact(ctx, q, id)
	if err != nil {
		return nil, err
	}
	if err := s.WithTicketRefs(ctx, q, map[store.ID]*contact.Contact{id: c}); err != nil {
		return nil, err
	}
	return c, nil
}
