package app

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"papo/internal/demo"
	"papo/internal/sandbox"
	"papo/internal/store"
)

// startSandbox serves the Cloud API sandbox (F27) when PAPO_SANDBOX is set
// (the demo implies it): it makes sure a channel points at the sandbox's
// Graph imitation (demo.EnsureSandboxChannel), and starts a sandbox that
// shares that channel's access token and app secret and posts its signed
// webhooks to this papo's /webhooks/whatsapp — so the production client and
// webhook code are the ones exercised. It returns the handler to mount at
// /sandbox/, or nil when the sandbox is off.
func (a *App) startSandbox(ctx context.Context) (http.Handler, error) {
	if !a.Config.Sandbox {
		return nil, nil
	}
	sc, err := demo.EnsureSandboxChannel(ctx, a.Channels, a.Teams, a.Config.BaseURL)
	if err != nil {
		return nil, fmt.Errorf("app: sandbox: %w", err)
	}
	sb, err := sandbox.New(sandbox.Options{
		PhoneNumberID:      sc.Channel.PhoneNumberID,
		DisplayPhoneNumber: sc.Channel.DisplayPhoneNumber,
		WABAID:             sc.Channel.WABAID,
		AccessToken:        sc.AccessToken,
		AppSecret:          sc.AppSecret,
		WebhookURL:         sc.Channel.WebhookURL,
		PublicURL:          a.Config.BaseURL + "/sandbox",
		AutoDeliver:        true,
		Log:                a.Log.With("component", "sandbox"),
	})
	if err != nil {
		return nil, fmt.Errorf("app: sandbox: %w", err)
	}
	a.Sandbox = sb
	a.closers = append(a.closers, sb.Close)
	a.Log.Info("sandbox enabled", "url", a.Config.BaseURL+"/sandbox/", "channel_id", sc.Channel.ID,
		"phone_number_id", sc.Channel.PhoneNumberID)
	a.syncSandboxTemplates(sc.Channel.ID)
	return sb.Handler(), nil
}

// syncSandboxTemplates fetches the sandbox's templates into its channel as
// soon as papo answers (papo serves the Graph imitation itself, so not
// before it listens), so that a fresh demo has templates to send once a
// 24-hour window closes (F15). It gives up after a minute or at Close.
func (a *App) syncSandboxTemplates(channelID store.ID) {
	if a.Outbound == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	done := make(chan struct{})
	go func() {
		defer close(done)
		wait := time.Second // papo starts listening right after New returns
		for {
			select {
			case <-ctx.Done():
				return
			case <-time.After(wait):
			}
			wait = 500 * time.Millisecond
			n, err := a.Outbound.SyncTemplates(ctx, channelID)
			if err == nil {
				a.Log.Info("sandbox templates synced", "templates", n)
				return
			}
			if ctx.Err() != nil {
				a.Log.Warn("sandbox templates not synced", "err", err)
				return
			}
		}
	}()
	a.closers = append(a.closers, func() error { cancel(); <-done; return nil })
}
