// Package app assembles papo from its configuration: it opens and migrates
// the database, builds the domain services in one visible order, creates the
// first admin and the demo workspace when asked, and builds the HTTP server.
// cmd/papo runs it; end-to-end tests in other packages build it the same way.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"

	"papo/internal/auth"
	"papo/internal/automation"
	"papo/internal/canned"
	"papo/internal/channel"
	"papo/internal/clock"
	"papo/internal/config"
	"papo/internal/contact"
	"papo/internal/conversation"
	"papo/internal/demo"
	"papo/internal/events"
	"papo/internal/httpapi"
	"papo/internal/inbound"
	"papo/internal/jobs"
	"papo/internal/message"
	"papo/internal/outbound"
	sandboxpkg "papo/internal/sandbox"
	"papo/internal/secret"
	"papo/internal/settings"
	"papo/internal/store"
	"papo/internal/team"
	"papo/internal/ticket"
	"papo/web"
)

// Options build an App.
type Options struct {
	Config *config.Config
	Log    *slog.Logger
	Now    clock.Clock     // nil: the real clock
	Hash   auth.HashParams // zero: production costs
	// Registry receives metrics; nil: a private registry.
	Registry *prometheus.Registry
}

// App is a wired papo. Close releases it.
type App struct {
	Config   *config.Config
	Log      *slog.Logger
	DB       *store.DB
	Auth     *auth.Service
	Teams    *team.Service
	Contacts *contact.Service
	Channels *channel.Service
	Settings *settings.Service
	Conv     *conversation.Service
	Messages *message.Service
	Canned   *canned.Service
	Tickets  *ticket.Service
	Server   *httpapi.Server
	// Events carries what the webhook and the sender change to live
	// consumers (events.go).
	Events *events.Hub
	// Inbound receives the WhatsApp webhook (group commit, media downloads).
	Inbound *inbound.Service
	// Sandbox is the Cloud API imitation served under /sandbox/ (nil unless
	// PAPO_SANDBOX or the demo); see sandbox.go.
	Sandbox *sandboxpkg.Sandbox
	// Jobs is the durable job queue (River); Outbound sends WhatsApp
	// messages through it (outbound.go).
	Jobs     *jobs.Queue
	Outbound *outbound.Service
	link     outboundLink
	closing  *automation.Closing
	arrivals *automation.Arrivals
	surveys  *automation.Surveys
	now      clock.Clock
	closers  []func() error
}

// New opens the database, migrates it and wires every service.
func New(ctx context.Context, o Options) (_ *App, err error) {
	cfg, log := o.Config, o.Log
	if log == nil {
		log = slog.Default()
	}
	now := o.Now
	if now == nil {
		now = clock.Real
	}
	a := &App{Config: cfg, Log: log}
	defer func() {
		if err != nil {
			a.Close()
		}
	}()

	if a.DB, err = store.Open(ctx, cfg.DatabaseURL); err != nil {
		return nil, err
	}
	a.closers = append(a.closers, a.DB.Close)
	if err = a.DB.Migrate(ctx); err != nil {
		return nil, err
	}
	key, err := cfg.ResolveSecretKey()
	if err != nil {
		return nil, err
	}
	box, err := secret.NewBox(key)
	if err != nil {
		return nil, err
	}

	if a.Auth, err = auth.New(auth.Options{DB: a.DB, Log: log, Now: now, Hash: o.Hash}); err != nil {
		return nil, err
	}
	if a.Teams, err = team.New(team.Options{DB: a.DB, Log: log, Now: now}); err != nil {
		return nil, err
	}
	if a.Contacts, err = contact.New(contact.Options{DB: a.DB, Log: log, Now: now, Region: "BR"}); err != nil {
		return nil, err
	}
	if a.Channels, err = channel.New(channel.Options{DB: a.DB, Box: box, Now: now, BaseURL: cfg.BaseURL}); err != nil {
		return nil, err
	}
	if a.Settings, err = settings.New(settings.Options{DB: a.DB, Now: now}); err != nil {
		return nil, err
	}

	// The last WhatsApp ticket under each contact (F13): the conversation
	// service shows it, the ticket service shares it.
	ticketRefs, err := ticket.NewRefs(a.DB)
	if err != nil {
		return nil, err
	}
	// Closing a conversation queues the closing message through the sender,
	// built later (it works on conversations); startOutbound links it.
	if a.surveys, err = automation.NewSurveys(&automation.Surveys{DB: a.DB, Settings: a.Settings, Log: log, Now: now}); err != nil {
		return nil, err
	}
	a.closing = &automation.Closing{Settings: a.Settings, Log: log, Surveys: a.surveys}
	a.Events = events.New(now)
	if a.Conv, err = conversation.New(conversation.Options{DB: a.DB, Log: log, Now: now, Contacts: a.Contacts, Settings: a.Settings,
		Tickets: ticketRefs, Receipts: &a.link, Closing: a.closing, Events: a.Events}); err != nil {
		return nil, err
	}
	if a.Messages, err = message.New(message.Options{DB: a.DB, Log: log, Now: now, Contacts: a.Contacts}); err != nil {
		return nil, err
	}
	// Customers' messages are answered automatically (F19) through the
	// sender too; startOutbound links it.
	if a.arrivals, err = automation.NewArrivals(&automation.Arrivals{DB: a.DB, Settings: a.Settings, Teams: a.Teams,
		Log: log, Now: now, Surveys: a.surveys}); err != nil {
		return nil, err
	}
	// The WhatsApp webhook's receiving side (F25): its committers and media
	// worker run until Close. The outbound sender calls a.Inbound.ApplyPending.
	if a.Inbound, err = inbound.New(inbound.Options{DB: a.DB, Log: log, Now: now, Channels: a.Channels,
		Contacts: a.Contacts, Conv: a.Conv, Messages: a.Messages, HTTP: inboundHTTP(),
		Notifier: inboundEvents(a.Events), Arrivals: a.arrivals}); err != nil {
		return nil, err
	}
	a.closers = append(a.closers, a.Inbound.Close)
	if a.Tickets, err = ticket.New(ticket.Options{DB: a.DB, Log: log, Now: now, Conv: a.Conv, Messages: a.Messages, Refs: ticketRefs}); err != nil {
		return nil, err
	}
	if a.Canned, err = canned.New(canned.Options{DB: a.DB, Log: log, Now: now, Conv: a.Conv, Contacts: a.Contacts, Teams: a.Teams}); err != nil {
		return nil, err
	}

	if cfg.Admin.Email != "" {
		if err = a.ensureAdmin(ctx); err != nil {
			return nil, err
		}
	}
	if cfg.Demo {
		if err = demo.Seed(ctx, demo.Services{Auth: a.Auth, Teams: a.Teams, Contacts: a.Contacts, Channels: a.Channels,
			Settings: a.Settings, Canned: a.Canned}, cfg.BaseURL); err != nil {
			return nil, fmt.Errorf("app: demo workspace: %w", err)
		}
	}

	a.now = now
	if err = a.startOutbound(ctx); err != nil {
		return nil, err
	}
	a.startInactivity()

	var sandbox http.Handler // sandbox.go (F27)
	if sandbox, err = a.startSandbox(ctx); err != nil {
		return nil, err
	}
	a.Server = httpapi.New(httpapi.Options{
		Log: log, DB: a.DB, Now: now, Auth: a.Auth, Teams: a.Teams, Contacts: a.Contacts, Channels: a.Channels,
		Settings: a.Settings, Conv: a.Conv, Messages: a.Messages, BaseURL: cfg.BaseURL, CursorKey: key, Web: web.Handler(), Sandbox: sandbox,
		Registry: o.Registry,
		Canned:   a.Canned,
		Tickets:  a.Tickets,
		Inbound:  a.Inbound,
		Outbound: a.Outbound,
		Events:   a.Events,
		Surveys:  a.surveys,
	})
	return a, nil
}

// ensureAdmin creates PAPO_ADMIN_* when no user exists yet; later starts
// change nothing.
func (a *App) ensureAdmin(ctx context.Context) error {
	n, err := a.Auth.CountUsers(ctx)
	if err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	u, created, err := a.Auth.EnsureUser(ctx, auth.CreateUserInput{
		Name: a.Config.Admin.Name, Email: a.Config.Admin.Email, Password: a.Config.Admin.Password, Role: auth.RoleAdmin,
	})
	if err != nil {
		return fmt.Errorf("app: PAPO_ADMIN_*: %w", err)
	}
	if created {
		a.Log.Info("admin created", "user_id", u.ID, "email", u.Email)
	}
	return nil
}

// Close releases what New opened, newest first.
func (a *App) Close() error {
	var errs []error
	for i := len(a.closers) - 1; i >= 0; i-- {
		errs = append(errs, a.closers[i]())
	}
	a.closers = nil
	return errors.Join(errs...)
}
