package contact

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"papo/internal/apperr"
	"papo/internal/phone"
	"papo/internal/store"
)

// Contact is a WhatsApp user as the API shows it (api.md "Contacts").
// DisplayName is the registered customer's name when the number matches one
// (ninth-digit aware), otherwise the formatted phone number (F04).
type Contact struct {
	ID                 store.ID   `json:"id"`
	WaID               string     `json:"wa_id"`
	Phone              string     `json:"phone"`
	ProfileName        string     `json:"profile_name"`
	DisplayName        string     `json:"display_name"`
	CustomerID         *store.ID  `json:"customer_id"`
	AutomationBlocked  bool       `json:"automation_blocked"`
	LastWhatsAppTicket *TicketRef `json:"last_whatsapp_ticket"`
}

// TicketRef is the short form of a ticket shown under a contact (F13). The
// ticket package fills it.
type TicketRef struct {
	ID     store.ID `json:"id"`
	Number int64    `json:"number"`
	Title  string   `json:"title"`
	Status string   `json:"status"`
}

type contactRow struct {
	ID                store.ID  `db:"id"`
	WaID              *string   `db:"wa_id"`
	BSUID             *string   `db:"bsuid"`
	Phone             string    `db:"phone"`
	ProfileName       string    `db:"profile_name"`
	CustomerID        *store.ID `db:"customer_id"`
	AutomationBlocked bool      `db:"automation_blocked"`
	CustomerName      string    `db:"customer_name"`
}

func (r *contactRow) present() *Contact {
	c := &Contact{ID: r.ID, Phone: r.Phone, ProfileName: r.ProfileName, CustomerID: r.CustomerID, AutomationBlocked: r.AutomationBlocked}
	if r.WaID != nil {
		c.WaID = *r.WaID
	}
	c.DisplayName = DisplayName(r.CustomerName, r.Phone, c.WaID)
	return c
}

// DisplayName is the rule of F04 in one place: the registry's name, else the
// formatted number (never the WhatsApp profile name, which customers choose).
func DisplayName(customerName, e164, waID string) string {
	if customerName != "" {
		return customerName
	}
	if e164 != "" {
		return phone.Format(e164)
	}
	return waID
}

// GetContact returns one contact (visibility is the caller's business: a
// contact is visible when one of its conversations is).
func (s *Service) GetContact(ctx context.Context, q store.Queryer, id store.ID) (*Contact, error) {
	if q == nil {
		q = s.db.R
	}
	var r contactRow
	if err := store.Get(ctx, q, &r, s.q.GetContact, id); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return nil, fmt.Errorf("contact %s: %w", id, apperr.ErrNotFound)
		}
		return nil, fmt.Errorf("contact: get: %w", err)
	}
	return r.present(), nil
}

// GetContacts returns several contacts by id (for list pages), keyed by id.
func (s *Service) GetContacts(ctx context.Context, q store.Queryer, ids []store.ID) (map[store.ID]*Contact, error) {
	out := make(map[store.ID]*Contact, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	if q == nil {
		q = s.db.R
	}
	query, args, err := s.db.In(s.q.GetContacts, ids)
	if err != nil {
		return nil, err
	}
	var rows []contactRow
	if err := q.SelectContext(ctx, &rows, query, args...); err != nil {
		return nil, fmt.Errorf("contact: get contacts: %w", err)
	}
	for i := range rows {
		out[rows[i].ID] = rows[i].present()
	}
	return out, nil
}

// Upsert finds or creates the contact of a WhatsApp user (inbound message),
// updating its profile name. A new contact is matched to a registered
// customer by number, ninth digit included. It runs in the caller's
// transaction.
func (s *Service) Upsert(ctx context.Context, tx *store.Tx, waID, profileName string) (store.ID, error) {
	waID = strings.TrimSpace(waID)
	if waID == "" {
		return 0, apperr.Invalid("wa_id", "required")
	}
	e164, err := phone.FromWaID(waID)
	if err != nil {
		e164 = "" // keep the contact; WhatsApp decides which numbers exist
	}
	var customerID *store.ID
	if c, err := s.CustomerByNumber(ctx, tx, waID); err == nil {
		customerID = &c.ID
	} else if !errors.Is(err, apperr.ErrNotFound) {
		return 0, err
	}
	profileName = boundName(profileName)
	now := s.now()
	var id store.ID
	if err := tx.GetContext(ctx, &id, s.q.UpsertContact, waID, e164, profileName, customerID, now, now); err != nil {
		return 0, fmt.Errorf("contact: upsert: %w", err)
	}
	return id, nil
}

// Sender is a WhatsApp user writing to papo, as a webhook names them.
type Sender struct {
	WaID        string
	ProfileName string
}

// UpsertMany does Upsert for the senders of a batch of webhooks, returning
// their contacts' ids by wa_id. The contacts papo has already, under the
// same profile name (nearly every sender), are found in one query and not
// written; the others go through Upsert, in the given order (callers sort
// senders, so concurrent batches lock contacts in one order). A wa_id given
// twice with two names ends with the later one.
func (s *Service) UpsertMany(ctx context.Context, tx *store.Tx, senders []Sender) (map[string]store.ID, error) {
	ids := make(map[string]store.ID, len(senders))
	if len(senders) == 0 {
		return ids, nil
	}
	waIDs := make([]string, 0, len(senders))
	for _, sd := range senders {
		waIDs = append(waIDs, strings.TrimSpace(sd.WaID))
	}
	query, args, err := s.db.In(s.q.ContactsByWaID, waIDs)
	if err != nil {
		return nil, err
	}
	var known []struct {
		ID          store.ID `db:"id"`
		WaID        string   `db:"wa_id"`
		ProfileName string   `db:"profile_name"`
	}
	if err := tx.SelectContext(ctx, &known, query, args...); err != nil {
		return nil, fmt.Errorf("contact: look up senders: %w", err)
	}
	names := make(map[string]string, len(known))
	for _, k := range known {
		ids[k.WaID] = k.ID
		names[k.WaID] = k.ProfileName
	}
	for i, sd := range senders {
		name := boundName(sd.ProfileName)
		if cur, ok := names[waIDs[i]]; ok && (name == "" || name == cur) {
			continue
		}
		id, err := s.Upsert(ctx, tx, waIDs[i], sd.ProfileName)
		if err != nil {
			return nil, err
		}
		ids[waIDs[i]] = id
		if name != "" || names[waIDs[i]] == "" {
			names[waIDs[i]] = name
		}
	}
	return ids, nil
}

// boundName cuts a profile name to the 256 bytes contacts keep, without
// splitting a UTF-8 sequence.
func boundName(name string) string {
	n := 256
	if len(name) <= n {
		return name
	}
	for n > 0 && name[n]&0xC0 == 0x80 {
		n--
	}
	return name[:n]
}

// SetAutomationBlock switches automatic messages off (or on) for a contact
// (F17). Messages agents write are never blocked.
func (s *Service) SetAutomationBlock(ctx context.Context, id store.ID, blocked bool) (*Contact, error) {
	res, err := s.db.W.ExecContext(ctx, s.q.SetAutomationBlock, blocked, s.now(), id)
	if err != nil {
		return nil, fmt.Errorf("contact: automation block: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil, fmt.Errorf("contact %s: %w", id, apperr.ErrNotFound)
	}
	return s.GetContact(ctx, nil, id)
}

// rematch points contacts at the right customer after a customer's numbers
// changed: contacts that matched it before, and contacts whose wa_id is one
// of its keys now. Each is matched afresh (oldest matching customer wins).
func (s *Service) rematch(ctx context.Context, tx *store.Tx, c *Customer) error {
	keys := []string{}
	for _, p := range c.Phones {
		keys = append(keys, phone.MatchKeys(p)...)
	}
	if len(keys) == 0 {
		keys = append(keys, "")
	}
	query, args, err := s.db.In(s.q.ContactsToRematch, c.ID, keys)
	if err != nil {
		return err
	}
	var rows []struct {
		ID   store.ID `db:"id"`
		WaID *string  `db:"wa_id"`
	}
	if err := tx.SelectContext(ctx, &rows, query, args...); err != nil {
		return fmt.Errorf("contact: rematch: %w", err)
	}
	for _, r := range rows {
		var customerID *store.ID
		if r.WaID != nil {
			if m, err := s.CustomerByNumber(ctx, tx, *r.WaID); err == nil {
				customerID = &m.ID
			} else if !errors.Is(err, apperr.ErrNotFound) {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, s.q.SetContactCustomer, customerID, r.ID); err != nil {
			return fmt.Errorf("contact: rematch: %w", err)
		}
	}
	return nil
}
