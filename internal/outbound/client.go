package outbound

import (
	"context"
	"errors"
	"fmt"
	"time"

	"papo/internal/apperr"
	"papo/internal/channel"
	"papo/internal/store"
	"papo/internal/whatsapp"
)

// clientTTL bounds how long a channel's settings and token are reused by the
// workers: a changed token or tier applies within it.
const clientTTL = 10 * time.Second

// errNoToken: the channel has no access token, so nothing can be sent.
var errNoToken = apperr.New(apperr.ErrConflict, "The channel has no access token: an administrator must set it.")

type cachedClient struct {
	ch *channel.Channel
	wa *whatsapp.Client
	at time.Time
}

// client returns the Graph API client of a channel (its URL, version,
// number, WABA and token), cached for clientTTL unless fresh.
func (s *Service) client(ctx context.Context, channelID store.ID, fresh bool) (*cachedClient, error) {
	now := s.limits.wall()
	if v, ok := s.clients.Load(channelID); ok && !fresh {
		if c := v.(*cachedClient); now.Sub(c.at) < clientTTL {
			return c, nil
		}
	}
	ch, err := s.channels.Get(ctx, channelID)
	if err != nil {
		return nil, err
	}
	creds, err := s.channels.Credentials(ctx, channelID)
	if err != nil {
		return nil, err
	}
	if creds.AccessToken == "" {
		return nil, errNoToken
	}
	wa, err := whatsapp.NewClient(whatsapp.ClientOptions{
		BaseURL: ch.GraphAPIURL, Version: ch.GraphAPIVersion, PhoneNumberID: ch.PhoneNumberID, WABAID: ch.WABAID,
		AccessToken: creds.AccessToken, HTTP: s.http,
	})
	if err != nil {
		if errors.Is(err, whatsapp.ErrNotConfigured) {
			return nil, apperr.New(apperr.ErrConflict, "The channel's Graph API URL is not a valid http(s) URL.")
		}
		return nil, fmt.Errorf("outbound: client: %w", err)
	}
	c := &cachedClient{ch: ch, wa: wa, at: now}
	s.clients.Store(channelID, c)
	return c, nil
}
