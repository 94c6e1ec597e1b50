package demo

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"papo/internal/apperr"
	"papo/internal/channel"
	"papo/internal/sandbox"
	"papo/internal/store"
	"papo/internal/team"
)

// SandboxChannelName is the name of the channel wired to the built-in
// sandbox (F27).
const SandboxChannelName = "Sandbox WhatsApp"

// SandboxChannel is the channel of the built-in sandbox with the secrets the
// sandbox must share with it: the Bearer token it expects on Graph calls and
// the app secret it signs its webhooks with.
type SandboxChannel struct {
	Channel     *channel.Channel
	AccessToken string
	AppSecret   string
}

// EnsureSandboxChannel makes sure one channel speaks to the sandbox served
// by this papo (PAPO_SANDBOX=1, implied by the demo): the sandbox's default
// business number, graph_api_url = baseURL + "/sandbox/graph", random
// credentials stored (encrypted) through the channel service, and as default
// team the first team created (the demo's support team), or a new
// "Suporte" team when there is none. On later starts the existing channel
// is kept — its credentials are read back so the new sandbox shares them —
// and its graph_api_url follows a changed base URL.
func EnsureSandboxChannel(ctx context.Context, channels *channel.Service, teams *team.Service, baseURL string) (*SandboxChannel, error) {
	graphURL := strings.TrimRight(baseURL, "/") + "/sandbox/graph"
	ch, err := channels.ByPhoneNumberID(ctx, sandbox.DefaultPhoneNumberID)
	switch {
	case err == nil:
		creds, err := channels.Credentials(ctx, ch.ID)
		if err != nil {
			return nil, fmt.Errorf("demo: sandbox channel credentials: %w", err)
		}
		var in channel.Input
		changed := false
		if ch.GraphAPIURL != graphURL {
			in.GraphAPIURL, changed = &graphURL, true
		}
		if creds.AccessToken == "" {
			t := randomSecret()
			in.AccessToken, creds.AccessToken, changed = &t, t, true
		}
		if creds.AppSecret == "" {
			t := randomSecret()
			in.AppSecret, creds.AppSecret, changed = &t, t, true
		}
		if changed {
			if ch, err = channels.Update(ctx, ch.ID, in); err != nil {
				return nil, fmt.Errorf("demo: sandbox channel: %w", err)
			}
		}
		return &SandboxChannel{Channel: ch, AccessToken: creds.AccessToken, AppSecret: creds.AppSecret}, nil
	case !errors.Is(err, apperr.ErrNotFound):
		return nil, fmt.Errorf("demo: sandbox channel: %w", err)
	}

	teamID, err := firstTeam(ctx, teams)
	if err != nil {
		return nil, err
	}
	name, pnid, waba, display := SandboxChannelName, sandbox.DefaultPhoneNumberID, sandbox.DefaultWABAID, sandbox.DefaultDisplayPhoneNumber
	token, secret := randomSecret(), randomSecret()
	ch, err = channels.Create(ctx, channel.Input{
		Name: &name, PhoneNumberID: &pnid, WABAID: &waba, DisplayPhoneNumber: &display, DefaultTeamID: &teamID,
		GraphAPIURL: &graphURL, AccessToken: &token, AppSecret: &secret,
	})
	if err != nil {
		return nil, fmt.Errorf("demo: sandbox channel: %w", err)
	}
	return &SandboxChannel{Channel: ch, AccessToken: token, AppSecret: secret}, nil
}

// firstTeam is the team created first (lowest id), creating "Suporte" in an
// empty workspace.
func firstTeam(ctx context.Context, teams *team.Service) (store.ID, error) {
	all, err := teams.List(ctx)
	if err != nil {
		return 0, fmt.Errorf("demo: sandbox channel team: %w", err)
	}
	if len(all) > 0 {
		id := all[0].ID
		for _, t := range all {
			if t.ID < id {
				id = t.ID
			}
		}
		return id, nil
	}
	name, tz := "Suporte", team.DefaultTimezone
	t, err := teams.Create(ctx, team.Input{Name: &name, Timezone: &tz})
	if err != nil {
		return 0, fmt.Errorf("demo: sandbox channel team: %w", err)
	}
	return t.ID, nil
}

func randomSecret() string {
	var b [24]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
