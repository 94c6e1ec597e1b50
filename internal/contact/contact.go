package contact

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"papo/internal/apperr"
	"papo/internal/clip"
	"papo/internal/phone"
	"papo/internal/store"
)

// Contact is a WhatsApp user as the API shows it (api.md "Contacts").
// DisplayName is the registered customer's name when the number matches one
// (ninth-digit aware), otherwise the formatted phone number (F04).
type Contact struct {
	ID                 store.ID   `json:"id"`
	WaID               string     `json:"wa_id"`
	BSUID              string     `json:"bsuid,omitempty"`
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
	if r.BSUID != nil {
		c.BSUID = *r.BSUID
	}
	c.DisplayName = DisplayName(r.CustomerName, r.Phone, c.WaID)
	if c.DisplayName == "" { // known only by a business-scoped user id
		c.DisplayName = c.ProfileName
	}
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
	profileName = clip.String(profileName, maxProfileName)
	now := s.now()
	var id store.ID
	if err := tx.GetContext(ctx, &id, s.q.UpsertContact, waID, e164, profileName, customerID, now, now); err != nil {
		return 0, fmt.Errorf("contact: upsert: %w", err)
	}
	return id, nil
}

// maxProfileName bounds the WhatsApp profile names contacts keep (bytes).
const maxProfileName = 256

// Sender is a WhatsApp user writing to papo, as a webhook names them: by
// wa_id (their number), by business-scoped user id (BSUID, 2026), or both.
type Sender struct {
	WaID        string
	BSUID       string
	ProfileName string
}

// known is a contact as UpsertMany finds it.
type known struct {
	ID          store.ID `db:"id"`
	WaID        *string  `db:"wa_id"`
	BSUID       *string  `db:"bsuid"`
	ProfileName string   `db:"profile_name"`
}

// UpsertMany finds or creates the contact of each sender of a batch of
// webhooks, returning their ids in order. A sender is matched by BSUID
// first, then by wa_id (Meta's advice: a user may change number, and one
// who takes a username may come without one). Contacts papo has already,
// under the same profile name (nearly every sender), are found in two
// queries and not written; new contacts, new names and newly learnt ids go
// through one statement each, in the given order (callers sort senders, so
// concurrent batches lock contacts in one order).
func (s *Service) UpsertMany(ctx context.Context, tx *store.Tx, senders []Sender) ([]store.ID, error) {
	byWa, byBSUID := map[string]*known{}, map[string]*known{}
	var was, bsuids []string
	for i := range senders {
		sd := &senders[i]
		sd.WaID, sd.BSUID, sd.ProfileName = strings.TrimSpace(sd.WaID), strings.TrimSpace(sd.BSUID), clip.String(sd.ProfileName, maxProfileName)
		if sd.WaID == "" && sd.BSUID == "" {
			return nil, apperr.Invalid("wa_id", "required (or a business-scoped user id)")
		}
		if sd.WaID != "" {
			was = append(was, sd.WaID)
		}
		if sd.BSUID != "" {
			bsuids = append(bsuids, sd.BSUID)
		}
	}
	for _, look := range []struct {
		query string
		keys  []string
	}{{s.q.ContactsByWaID, was}, {s.q.ContactsByBSUID, bsuids}} {
		if len(look.keys) == 0 {
			continue
		}
		query, args, err := s.db.In(look.query, look.keys)
		if err != nil {
			return nil, err
		}
		var rows []*known
		if err := tx.SelectContext(ctx, &rows, query, args...); err != nil {
			return nil, fmt.Errorf("contact: look up senders: %w", err)
		}
		for _, k := range rows {
			if k.WaID != nil {
				byWa[*k.WaID] = k
			}
			if k.BSUID != nil {
				byBSUID[*k.BSUID] = k
			}
		}
	}
	ids := make([]store.ID, len(senders))
	for i, sd := range senders {
		var k *known
		if sd.BSUID != "" {
			k = byBSUID[sd.BSUID]
		}
		if k == nil && sd.WaID != "" {
			k = byWa[sd.WaID]
		}
		var err error
		switch {
		case k == nil && sd.WaID != "":
			var id store.ID
			if id, err = s.Upsert(ctx, tx, sd.WaID, sd.ProfileName); err == nil {
				wa := sd.WaID
				k = &known{ID: id, WaID: &wa, ProfileName: sd.ProfileName}
			}
		case k == nil:
			k, err = s.insertByBSUID(ctx, tx, sd)
		case sd.ProfileName != "" && sd.ProfileName != k.ProfileName:
			if _, err = tx.ExecContext(ctx, s.q.SetProfileName, sd.ProfileName, s.now(), k.ID); err == nil {
				k.ProfileName = sd.ProfileName
			}
		}
		if err != nil {
			return nil, fmt.Errorf("contact: sender: %w", err)
		}
		if err := s.learnIDs(ctx, tx, k, sd, byWa); err != nil {
			return nil, err
		}
		if k.WaID != nil {
			byWa[*k.WaID] = k
		}
		if k.BSUID != nil {
			byBSUID[*k.BSUID] = k
		}
		ids[i] = k.ID
	}
	return ids, nil
}

// insertByBSUID creates the contact of a user known only by BSUID.
func (s *Service) insertByBSUID(ctx context.Context, tx *store.Tx, sd Sender) (*known, error) {
	now := s.now()
	var id store.ID
	if err := tx.GetContext(ctx, &id, s.q.UpsertByBSUID, sd.BSUID, sd.ProfileName, now, now); err != nil {
		return nil, fmt.Errorf("contact: upsert by bsuid: %w", err)
	}
	b := sd.BSUID
	return &known{ID: id, BSUID: &b, ProfileName: sd.ProfileName}, nil
}

// learnIDs adds to a contact the ids a message names that it lacks: the
// BSUID of a contact known by number, the number (and so the registered
// customer it matches) of one known by BSUID — unless another contact
// holds that number already.
func (s *Service) learnIDs(ctx context.Context, tx *store.Tx, k *known, sd Sender, byWa map[string]*known) error {
	if sd.BSUID != "" && k.BSUID == nil {
		if _, err := tx.ExecContext(ctx, s.q.SetBSUID, sd.BSUID, s.now(), k.ID); err != nil {
			return fmt.Errorf("contact: set bsuid: %w", err)
		}
		b := sd.BSUID
		k.BSUID = &b
	}
	if sd.WaID != "" && k.WaID == nil {
		if other := byWa[sd.WaID]; other != nil && other.ID != k.ID {
			return nil
		}
		e164, err := phone.FromWaID(sd.WaID)
		if err != nil {
			e164 = ""
		}
		var customerID *store.ID
		if c, err := s.CustomerByNumber(ctx, tx, sd.WaID); err == nil {
			customerID = &c.ID
		} else if !errors.Is(err, apperr.ErrNotFound) {
			return err
		}
		res, err := tx.ExecContext(ctx, s.q.SetWaID, sd.WaID, e164, customerID, s.now(), k.ID, sd.WaID)
		if err != nil {
			return fmt.Errorf("contact: set wa_id: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 1 {
			wa := sd.WaID
			k.WaID = &wa
		}
	}
	return nil
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
