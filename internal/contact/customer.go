// Package contact holds the people papo talks to: WhatsApp contacts (a wa_id
// and its profile) and the helpdesk's registered customers, matched to each
// other by phone number, Brazil's mobile ninth digit included (F04).
package contact

import (
	"context"
	"database/sql/driver"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"unicode/utf8"

	"papo/internal/apperr"
	"papo/internal/auth"
	"papo/internal/clock"
	"papo/internal/phone"
	"papo/internal/search"
	"papo/internal/store"
)

//go:embed *.sql
var queryFS embed.FS

// Customer is a person registered in the helpdesk (F04): their name is what
// agents see for a WhatsApp contact whose number matches one of Phones.
type Customer struct {
	ID           store.ID `json:"id" db:"id"`
	Name         string   `json:"name" db:"name"`
	Email        string   `json:"email" db:"email"`
	Phones       Phones   `json:"phones" db:"phones"`
	Organization string   `json:"organization" db:"organization"`
}

// Phones are E.164 numbers, stored as a JSON array.
type Phones []string

// Value stores the list as JSON text.
func (p Phones) Value() (driver.Value, error) {
	if p == nil {
		p = Phones{}
	}
	b, err := json.Marshal(p)
	return string(b), err
}

// Scan reads the list from JSON text.
func (p *Phones) Scan(src any) error {
	switch v := src.(type) {
	case string:
		return json.Unmarshal([]byte(v), p)
	case []byte:
		return json.Unmarshal(v, p)
	case nil:
		*p = Phones{}
		return nil
	}
	return fmt.Errorf("contact: scan phones from %T", src)
}

// Options configure a Service.
type Options struct {
	DB  *store.DB
	Log *slog.Logger
	Now clock.Clock
	// Region is the country assumed for numbers typed without one ("BR").
	Region string
}

// Service manages customers and contacts. It is safe for concurrent use.
type Service struct {
	db     *store.DB
	log    *slog.Logger
	now    clock.Clock
	region string
	q      queries
}

type queries struct {
	InsertCustomer  string `query:"insert-customer"`
	GetCustomer     string `query:"get-customer"`
	UpdateCustomer  string `query:"update-customer"`
	SearchCustomers string `query:"search-customers"`
	DeleteKeys      string `query:"delete-customer-keys"`
	InsertKey       string `query:"insert-customer-key"`
	CustomerByKeys  string `query:"customer-by-keys,in"`

	GetContact         string `query:"get-contact"`
	GetContacts        string `query:"get-contacts,in"`
	UpsertContact      string `query:"upsert-contact"`
	ContactsByWaID     string `query:"contacts-by-wa-id,in"`
	ContactsByBSUID    string `query:"contacts-by-bsuid,in"`
	UpsertByBSUID      string `query:"upsert-contact-by-bsuid"`
	SetProfileName     string `query:"set-contact-profile-name"`
	SetBSUID           string `query:"set-contact-bsuid"`
	SetWaID            string `query:"set-contact-wa-id"`
	SetAutomationBlock string `query:"set-automation-block"`
	ContactsToRematch  string `query:"contacts-to-rematch,in"`
	SetContactCustomer string `query:"set-contact-customer"`
}

// New returns a Service.
func New(o Options) (*Service, error) {
	s := &Service{db: o.DB, log: o.Log, now: o.Now, region: o.Region}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.now == nil {
		s.now = clock.Real
	}
	if s.region == "" {
		s.region = "BR"
	}
	if err := store.LoadQueries(queryFS, o.DB.Dialect, &s.q); err != nil {
		return nil, fmt.Errorf("contact: %w", err)
	}
	return s, nil
}

// CustomerInput creates a customer or (fields not nil) changes one.
type CustomerInput struct {
	Name         *string
	Email        *string
	Phones       *[]string
	Organization *string
}

// maxPhones bounds a customer's numbers.
const maxPhones = 10

// CreateCustomer registers a customer; numbers are stored in E.164 and an
// invalid one is a validation error naming it ("phones[1]").
func (s *Service) CreateCustomer(ctx context.Context, p *auth.Principal, in CustomerInput) (*Customer, error) {
	c := Customer{Phones: Phones{}}
	if in.Name == nil {
		in.Name = new(string)
	}
	if err := s.apply(&c, in); err != nil {
		return nil, err
	}
	now := s.now()
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.GetContext(ctx, &c.ID, s.q.InsertCustomer, c.Name, c.Email, c.Organization, c.Phones, searchText(&c), now, now); err != nil {
			return fmt.Errorf("contact: insert customer: %w", err)
		}
		if err := s.writeKeys(ctx, tx, &c); err != nil {
			return err
		}
		return s.rematch(ctx, tx, &c)
	})
	if err != nil {
		return nil, err
	}
	return &c, nil
}

// UpdateCustomer changes a customer.
func (s *Service) UpdateCustomer(ctx context.Context, p *auth.Principal, id store.ID, in CustomerInput) (*Customer, error) {
	var c Customer
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		if err := store.Get(ctx, tx, &c, s.q.GetCustomer, id); err != nil {
			if errors.Is(err, store.ErrNotFound) {
				return fmt.Errorf("customer %s: %w", id, apperr.ErrNotFound)
			}
			return fmt.Errorf("contact: get customer: %w", err)
		}
		if err := s.apply(&c, in); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q.UpdateCustomer, c.Name, c.Email, c.Organization, c.Phones, searchText(&c), s.now(), id); err != nil {
			return fmt.Errorf("contact: update customer: %w", err)
		}
		if _, err := tx.ExecContext(ctx, s.q.DeleteKeys, id); err != nil {
			return fmt.Errorf("contact: update customer phones: %w", err)
		}
		if err := s.writeKeys(ctx, tx, &c); err != nil {
			return err
		}
		return s.rematch(ctx, tx, &c)
	})
	if err != nil {
		return nil, err
	}
	return &c, nil
}

// GetCustomer returns one customer.
func (s *Service) GetCustomer(ctx context.Context, id store.ID) (*Customer, error) {
	var c Customer
	if err := store.Get(ctx, s.db.R, &c, s.q.GetCustomer, id); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return nil, fmt.Errorf("customer %s: %w", id, apperr.ErrNotFound)
		}
		return nil, fmt.Errorf("contact: get customer: %w", err)
	}
	return &c, nil
}

// CustomerPage is one page of a customer search.
type CustomerPage struct {
	Items []Customer
	Next  *CustomerCursor
}

// CustomerCursor continues a customer search after the last row shown.
type CustomerCursor struct {
	Name string   `json:"n"`
	ID   store.ID `json:"i"`
}

// SearchCustomers lists customers by name; q matches words of the name,
// e-mail, organization or phone digits, ignoring case and accents.
func (s *Service) SearchCustomers(ctx context.Context, q string, after *CustomerCursor, limit int) (*CustomerPage, error) {
	pattern := "%"
	if terms := search.Terms(q, 1); len(terms) > 0 {
		pattern = search.LikePattern(terms[0])
	}
	if after == nil {
		after = &CustomerCursor{}
	}
	rows := []Customer{}
	if err := s.db.R.SelectContext(ctx, &rows, s.q.SearchCustomers, pattern, after.Name, after.Name, after.ID, limit+1); err != nil {
		return nil, fmt.Errorf("contact: search customers: %w", err)
	}
	page := &CustomerPage{Items: rows}
	if len(rows) > limit {
		page.Items = rows[:limit]
		last := page.Items[limit-1]
		page.Next = &CustomerCursor{Name: last.Name, ID: last.ID}
	}
	return page, nil
}

// CustomerByNumber returns the registered customer owning an E.164 number or
// wa_id, trying both forms of a Brazilian mobile (with and without the ninth
// digit); apperr.ErrNotFound when none does.
func (s *Service) CustomerByNumber(ctx context.Context, q store.Queryer, number string) (*Customer, error) {
	e164 := number
	if !strings.HasPrefix(number, "+") {
		var err error
		if e164, err = phone.FromWaID(number); err != nil {
			return nil, fmt.Errorf("contact: number %w", apperr.ErrNotFound)
		}
	}
	keys := phone.MatchKeys(e164)
	if len(keys) == 0 {
		return nil, fmt.Errorf("contact: number %w", apperr.ErrNotFound)
	}
	query, args, err := s.db.In(s.q.CustomerByKeys, keys)
	if err != nil {
		return nil, err
	}
	var c Customer
	if err := store.Get(ctx, q, &c, query, args...); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return nil, fmt.Errorf("contact: number %w", apperr.ErrNotFound)
		}
		return nil, fmt.Errorf("contact: customer by number: %w", err)
	}
	return &c, nil
}

func (s *Service) writeKeys(ctx context.Context, tx *store.Tx, c *Customer) error {
	for _, p := range c.Phones {
		for _, k := range phone.MatchKeys(p) {
			if _, err := tx.ExecContext(ctx, s.q.InsertKey, k, c.ID); err != nil {
				return fmt.Errorf("contact: index customer phone: %w", err)
			}
		}
	}
	return nil
}

func (s *Service) apply(c *Customer, in CustomerInput) error {
	f := apperr.Fields{}
	if in.Name != nil {
		c.Name = strings.TrimSpace(*in.Name)
		switch {
		case c.Name == "":
			f.Add("name", "required")
		case utf8.RuneCountInString(c.Name) > 200:
			f.Add("name", "too long (200 characters at most)")
		}
	}
	if in.Email != nil {
		c.Email = strings.TrimSpace(*in.Email)
		if c.Email != "" {
			e, err := auth.NormalizeEmail(c.Email)
			if err != nil {
				f.Add("email", err.Error())
			}
			c.Email = e
		}
	}
	if in.Organization != nil {
		c.Organization = strings.TrimSpace(*in.Organization)
		if utf8.RuneCountInString(c.Organization) > 200 {
			f.Add("organization", "too long (200 characters at most)")
		}
	}
	if in.Phones != nil {
		if len(*in.Phones) > maxPhones {
			f.Add("phones", fmt.Sprintf("at most %d numbers", maxPhones))
		}
		out := Phones{}
		seen := map[string]bool{}
		for i, raw := range *in.Phones {
			if i >= maxPhones {
				break
			}
			e, err := phone.Parse(raw, s.region)
			if err != nil {
				f.Add(fmt.Sprintf("phones[%d]", i), "not a valid phone number")
				continue
			}
			if !seen[e] {
				seen[e] = true
				out = append(out, e)
			}
		}
		c.Phones = out
	}
	return f.Err()
}

func searchText(c *Customer) string {
	var b strings.Builder
	b.WriteString(search.Fold(c.Name + " " + c.Email + " " + c.Organization))
	for _, p := range c.Phones {
		b.WriteString(" ")
		b.WriteString(strings.TrimPrefix(p, "+"))
	}
	return b.String()
}
