package inbound

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"papo/internal/whatsapp"
)

// secretMaxAge is how long decrypted app secrets are trusted without a
// reload: a secret an admin replaced stops validating within this time.
const secretMaxAge = 30 * time.Second

// secretCache keeps the channels' decrypted app secrets. A signature that
// matches none reloads them — so a channel added a moment ago works at once
// — but only when no reload has started since the request arrived, so a
// flood of bad signatures costs at most one reload at a time.
//
// It times itself with the monotonic wall clock: this is a cache, not
// domain logic, and a test's fake clock must not freeze it.
type secretCache struct {
	load func(ctx context.Context) ([][]byte, error)

	mu           sync.Mutex
	secrets      [][]byte
	loaded       bool
	loadedStart  time.Time
	loading      chan struct{}
	loadingStart time.Time
}

// get returns the secrets; fresh makes sure they were read after arrived.
func (c *secretCache) get(ctx context.Context, arrived time.Time, fresh bool) ([][]byte, error) {
	for {
		c.mu.Lock()
		if c.loaded {
			young := time.Since(c.loadedStart) < secretMaxAge
			if (!fresh && young) || (fresh && !c.loadedStart.Before(arrived)) {
				s := c.secrets
				c.mu.Unlock()
				return s, nil
			}
		}
		if c.loading != nil {
			ch := c.loading
			c.mu.Unlock()
			select {
			case <-ch:
			case <-ctx.Done():
				return nil, ctx.Err()
			}
			continue
		}
		ch := make(chan struct{})
		c.loading, c.loadingStart = ch, time.Now()
		start := c.loadingStart
		c.mu.Unlock()

		secrets, err := c.load(ctx)

		c.mu.Lock()
		if err == nil {
			c.secrets, c.loaded, c.loadedStart = secrets, true, start
		}
		c.loading = nil
		close(ch)
		c.mu.Unlock()
		if err != nil {
			return nil, err
		}
		return secrets, nil
	}
}

// loadSecrets reads every channel's app secret, each distinct one once.
func (s *Service) loadSecrets(ctx context.Context) ([][]byte, error) {
	creds, err := s.channels.AllCredentials(ctx)
	if err != nil {
		return nil, fmt.Errorf("inbound: app secrets: %w", err)
	}
	var out [][]byte
	for _, c := range creds {
		if c.AppSecret == "" {
			continue
		}
		b := []byte(c.AppSecret)
		if !slices.ContainsFunc(out, func(o []byte) bool { return string(o) == c.AppSecret }) {
			out = append(out, b)
		}
	}
	return out, nil
}

// CheckSignature verifies the X-Hub-Signature-256 header against the raw
// body under every channel's app secret (F25), before anything parses the
// body. It returns nil when one matches; otherwise an error matching
// whatsapp.ErrSignatureMissing or whatsapp.ErrSignatureInvalid, or a
// database error when the secrets cannot be read.
func (s *Service) CheckSignature(ctx context.Context, body []byte, header string) error {
	arrived := time.Now()
	secrets, err := s.secrets.get(ctx, arrived, false)
	if err != nil {
		return err
	}
	_, err = whatsapp.CheckSignature(body, header, secrets)
	if !errors.Is(err, whatsapp.ErrSignatureMismatch) {
		return err
	}
	// Maybe a channel was added or its secret changed since the last read.
	if secrets, err = s.secrets.get(ctx, arrived, true); err != nil {
		return err
	}
	_, err = whatsapp.CheckSignature(body, header, secrets)
	return err
}

// VerifyToken reports whether token is the verify token of a channel (the
// webhook's GET handshake), comparing in constant time.
func (s *Service) VerifyToken(ctx context.Context, token string) (bool, error) {
	if token == "" {
		return false, nil
	}
	chs, err := s.channels.List(ctx)
	if err != nil {
		return false, err
	}
	ok := false
	for _, c := range chs {
		if constantTimeEqual(c.VerifyToken, token) {
			ok = true
		}
	}
	return ok, nil
}
