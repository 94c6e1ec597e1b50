package contact_test

import (
	"context"
	"testing"

	"papo/internal/contact"
	"papo/internal/store"
	"papo/internal/store/storetest"
)

func newService(t *testing.T) (*contact.Service, *store.DB) {
	t.Helper()
	db := storetest.Open(t)
	s, err := contact.New(contact.Options{DB: db})
	if err != nil {
		t.Fatal(err)
	}
	return s, db
}

func upsert(t *testing.T, s *contact.Service, db *store.DB, waID, profile string) *contact.Contact {
	t.Helper()
	var id store.ID
	if err := db.InTx(context.Background(), func(tx *store.Tx) error {
		var err error
		id, err = s.Upsert(context.Background(), tx, waID, profile)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	c, err := s.GetContact(context.Background(), nil, id)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func ptr[T any](v T) *T { return &v }

// TestDisplayNameFollowsTheRegistry_F04: an unregistered contact shows its
// formatted number (never the profile name); registering a customer with
// the number — with or without Brazil's ninth digit — shows their name;
// removing the number falls back again.
func TestDisplayNameFollowsTheRegistry_F04(t *testing.T) {
	s, db := newService(t)
	ctx := context.Background()
	old := upsert(t, s, db, "551187654321", "Zeca 🎸") // a wa_id without the ninth digit
	if old.DisplayName != "+55 11 8765-4321" || old.ProfileName != "Zeca 🎸" {
		t.Fatalf("unregistered: %+v", old)
	}
	cu, err := s.CreateCustomer(ctx, nil, contact.CustomerInput{Name: ptr("José Carlos"), Phones: &[]string{"(11) 98765-4321"}})
	if err != nil {
		t.Fatal(err)
	}
	if cu.Phones[0] != "+5511987654321" {
		t.Fatalf("stored phone %q", cu.Phones[0])
	}
	got, _ := s.GetContact(ctx, nil, old.ID)
	if got.DisplayName != "José Carlos" || got.CustomerID == nil || *got.CustomerID != cu.ID {
		t.Fatalf("after registering the customer: %+v", got)
	}
	// The reverse: a wa_id with the ninth digit, a customer registered without.
	c2, err := s.CreateCustomer(ctx, nil, contact.CustomerInput{Name: ptr("Ana"), Phones: &[]string{"+55 21 8888-7777"}})
	if err != nil {
		t.Fatal(err)
	}
	withNine := upsert(t, s, db, "5521988887777", "")
	if withNine.DisplayName != "Ana" || *withNine.CustomerID != c2.ID {
		t.Fatalf("wa_id with 9, customer without: %+v", withNine)
	}
	// Landlines and other countries match only themselves.
	if _, err := s.CreateCustomer(ctx, nil, contact.CustomerInput{Name: ptr("Loja"), Phones: &[]string{"+55 11 3456-7890"}}); err != nil {
		t.Fatal(err)
	}
	if c := upsert(t, s, db, "5511934567890", ""); c.CustomerID != nil {
		t.Fatalf("a mobile matched a landline: %+v", c)
	}
	if c := upsert(t, s, db, "16505551234", ""); c.DisplayName != "+1 650-555-1234" {
		t.Fatalf("US contact display %q", c.DisplayName)
	}
	// Editing the customer's number away un-matches the contact.
	if _, err := s.UpdateCustomer(ctx, nil, cu.ID, contact.CustomerInput{Phones: &[]string{"+55 11 91111-2222"}}); err != nil {
		t.Fatal(err)
	}
	got, _ = s.GetContact(ctx, nil, old.ID)
	if got.CustomerID != nil || got.DisplayName != "+55 11 8765-4321" {
		t.Fatalf("after removing the number: %+v", got)
	}
	// A second upsert keeps the contact and updates the profile name.
	again := upsert(t, s, db, "551187654321", "Zeca")
	if again.ID != old.ID || again.ProfileName != "Zeca" {
		t.Fatalf("upsert again: %+v", again)
	}
}

// TestCustomerSearchIgnoresAccentsAndCase and pages by name.
func TestCustomerSearchIgnoresAccentsAndCase(t *testing.T) {
	s, _ := newService(t)
	ctx := context.Background()
	for _, n := range []string{"João Álvares", "Joana Silva", "Maria José", "Pedro"} {
		if _, err := s.CreateCustomer(ctx, nil, contact.CustomerInput{Name: ptr(n), Phones: &[]string{}}); err != nil {
			t.Fatal(err)
		}
	}
	page, err := s.SearchCustomers(ctx, "JOAO", nil, 10)
	if err != nil || len(page.Items) != 1 || page.Items[0].Name != "João Álvares" {
		t.Fatalf("search joao: %+v %v", page, err)
	}
	page, _ = s.SearchCustomers(ctx, "jo", nil, 2)
	if len(page.Items) != 2 || page.Next == nil {
		t.Fatalf("page 1: %+v", page)
	}
	page2, _ := s.SearchCustomers(ctx, "jo", page.Next, 2)
	if len(page2.Items) != 1 || page2.Items[0].Name != "Maria José" || page2.Next != nil {
		t.Fatalf("page 2: %+v", page2)
	}
}
