// Package demo seeds the demo workspace of `papo serve --demo`: an admin
// (admin@papo.local / papo-demo), agents, two teams, customers and settings,
// so that papo can be tried at once. Seeding is idempotent: a workspace that
// already has the demo admin is left alone.
package demo

import (
	"context"
	"errors"
	"fmt"

	"papo/internal/apperr"
	"papo/internal/auth"
	"papo/internal/canned"
	"papo/internal/channel"
	"papo/internal/contact"
	"papo/internal/settings"
	"papo/internal/store"
	"papo/internal/team"
)

// The demo logins.
const (
	AdminEmail    = "admin@papo.local"
	AdminPassword = "papo-demo"
	AgentPassword = "papo-demo"
)

// Services are what seeding writes through (the domain services, so the
// demo rows obey the same rules as any other).
type Services struct {
	Auth     *auth.Service
	Teams    *team.Service
	Contacts *contact.Service
	Channels *channel.Service
	Settings *settings.Service
	Canned   *canned.Service // nil: no canned responses (canned.go)
}

// Seed creates the demo workspace unless it exists.
func Seed(ctx context.Context, s Services, baseURL string) error {
	if _, err := s.Auth.GetUserByEmail(ctx, AdminEmail); err == nil {
		return nil
	} else if !errors.Is(err, apperr.ErrNotFound) {
		return err
	}
	weekdays := team.Hours{}
	for d := 1; d <= 5; d++ {
		weekdays = append(weekdays, team.Interval{Weekday: d, Start: "08:00", End: "18:00"})
	}
	mkTeam := func(name string) (*team.Team, error) {
		tz := team.DefaultTimezone
		return s.Teams.Create(ctx, team.Input{Name: &name, Timezone: &tz, BusinessHours: &weekdays})
	}
	support, err := mkTeam("Suporte")
	if err != nil {
		return fmt.Errorf("demo: team: %w", err)
	}
	sales, err := mkTeam("Financeiro")
	if err != nil {
		return fmt.Errorf("demo: team: %w", err)
	}
	users := []auth.CreateUserInput{
		{Name: "Ana Admin", Email: AdminEmail, Password: AdminPassword, Role: auth.RoleAdmin, TeamIDs: []store.ID{support.ID, sales.ID}},
		{Name: "Bruno Souza", Email: "bruno@papo.local", Password: AgentPassword, Role: auth.RoleAgent, TeamIDs: []store.ID{support.ID}},
		{Name: "Carla Lima", Email: "carla@papo.local", Password: AgentPassword, Role: auth.RoleAgent, TeamIDs: []store.ID{support.ID}},
		{Name: "Diego Rocha", Email: "diego@papo.local", Password: AgentPassword, Role: auth.RoleAgent, TeamIDs: []store.ID{sales.ID}},
	}
	for _, u := range users {
		if _, _, err := s.Auth.EnsureUser(ctx, u); err != nil {
			return fmt.Errorf("demo: user %s: %w", u.Email, err)
		}
	}
	customers := []struct {
		name, email, org string
		phones           []string
	}{
		{"Maria Silva", "maria@example.com", "Padaria Silva", []string{"+55 11 98765-4321"}},
		{"João Pereira", "joao@example.com", "", []string{"+55 21 99876-5432"}},
		{"Fernanda Costa", "fernanda@example.com", "Costa & Filhos", []string{"+55 31 3456-7890", "+55 31 98888-7777"}},
	}
	for _, c := range customers {
		name, email, org, phones := c.name, c.email, c.org, c.phones
		if _, err := s.Contacts.CreateCustomer(ctx, nil, contact.CustomerInput{Name: &name, Email: &email, Organization: &org, Phones: &phones}); err != nil {
			return fmt.Errorf("demo: customer %s: %w", name, err)
		}
	}
	doc := settings.Defaults()
	doc.ClosingMessage.Enabled = true
	doc.Greeting.Enabled = true
	if _, err := s.Settings.Put(ctx, doc); err != nil {
		return fmt.Errorf("demo: settings: %w", err)
	}
	if err := seedCanned(ctx, s.Canned, support.ID); err != nil {
		return err
	}
	return nil
}
