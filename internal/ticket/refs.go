package ticket

import (
	"context"
	"fmt"
	"time"

	"papo/internal/contact"
	"papo/internal/store"
)

// Refs finds the last WhatsApp ticket shown under a contact's name (F13):
// the newest ticket of origin whatsapp whose requester is the contact's
// registered customer or that was created from the contact's own
// conversations (so an unregistered contact has one too, and keeps it once
// registered). It needs only the database,
// so the conversation service can be given one before the ticket service
// (which needs the conversation service) exists. It is safe for concurrent
// use.
type Refs struct {
	db *store.DB
	q  struct {
		Last string `query:"last-whatsapp-tickets,in"`
	}
}

// NewRefs returns a Refs over db.
func NewRefs(db *store.DB) (*Refs, error) {
	r := &Refs{db: db}
	if err := store.LoadQueries(queryFS, db.Dialect, &r.q); err != nil {
		return nil, fmt.Errorf("ticket: %w", err)
	}
	return r, nil
}

// LastWhatsAppTicket returns one contact's last WhatsApp ticket, or nil when
// it has none. q may be a transaction (nil: the read pool).
func (r *Refs) LastWhatsAppTicket(ctx context.Context, q store.Queryer, contactID store.ID) (*contact.TicketRef, error) {
	m, err := r.LastWhatsAppTickets(ctx, q, []store.ID{contactID})
	if err != nil {
		return nil, err
	}
	return m[contactID], nil
}

// LastWhatsAppTickets returns the last WhatsApp ticket of each contact that
// has one, keyed by contact id, in one query.
func (r *Refs) LastWhatsAppTickets(ctx context.Context, q store.Queryer, contactIDs []store.ID) (map[store.ID]*contact.TicketRef, error) {
	out := make(map[store.ID]*contact.TicketRef, len(contactIDs))
	if len(contactIDs) == 0 {
		return out, nil
	}
	if q == nil {
		q = r.db.R
	}
	query, args, err := r.db.In(r.q.Last, contactIDs)
	if err != nil {
		return nil, err
	}
	var rows []struct {
		ContactID store.ID  `db:"contact_id"`
		ID        store.ID  `db:"id"`
		Number    int64     `db:"number"`
		Title     string    `db:"title"`
		Status    string    `db:"status"`
		CreatedAt time.Time `db:"created_at"`
	}
	if err := q.SelectContext(ctx, &rows, query, args...); err != nil {
		return nil, fmt.Errorf("ticket: last whatsapp tickets: %w", err)
	}
	newest := map[store.ID]time.Time{}
	for _, x := range rows {
		cur, seen := out[x.ContactID]
		if seen && (x.CreatedAt.Before(newest[x.ContactID]) || (x.CreatedAt.Equal(newest[x.ContactID]) && x.ID < cur.ID)) {
			continue
		}
		out[x.ContactID] = &contact.TicketRef{ID: x.ID, Number: x.Number, Title: x.Title, Status: x.Status}
		newest[x.ContactID] = x.CreatedAt
	}
	return out, nil
}
