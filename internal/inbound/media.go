package inbound

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"papo/internal/clip"
	"papo/internal/store"
	"papo/internal/whatsapp"
)

// Media download policy (F18): WhatsApp keeps received media about 7 days,
// so papo fetches them at once and retries with growing pauses.
const (
	mediaLease       = 5 * time.Minute // a claimed download not finished by then is retried
	mediaTimeout     = 2 * time.Minute // one attempt
	maxMediaAttempts = 10
)

// mediaBackoff is the pause after failed attempt number n (1-based).
func mediaBackoff(n int) time.Duration {
	steps := []time.Duration{30 * time.Second, 2 * time.Minute, 10 * time.Minute, 30 * time.Minute, time.Hour,
		2 * time.Hour, 4 * time.Hour, 6 * time.Hour}
	if n < 1 {
		n = 1
	}
	if n > len(steps) {
		return steps[len(steps)-1]
	}
	return steps[n-1]
}

// MaxMediaSize is the largest file of a MIME type papo downloads: WhatsApp's
// own limits (stickers 500 KB, images 5 MB, audio and video 16 MB, documents
// 100 MB).
func MaxMediaSize(mime string) int64 {
	mime = strings.ToLower(strings.TrimSpace(mime))
	switch {
	case strings.HasPrefix(mime, "image/webp"):
		return 500 << 10
	case strings.HasPrefix(mime, "image/"):
		return 5 << 20
	case strings.HasPrefix(mime, "audio/"), strings.HasPrefix(mime, "video/"):
		return 16 << 20
	}
	return 100 << 20
}

type claimedMedia struct {
	ID        store.ID `db:"id"`
	ChannelID store.ID `db:"channel_id"`
	WaMediaID string   `db:"wa_media_id"`
	MimeType  string   `db:"mime_type"`
	SHA256    string   `db:"sha256"`
	Attempts  int      `db:"attempts"`
}

func (s *Service) wakeMedia() {
	select {
	case s.mediaWake <- struct{}{}:
	default:
	}
}

// mediaLoop downloads due media until the service stops; it also flushes
// the channels' last-webhook times and prunes old webhook records.
func (s *Service) mediaLoop() {
	defer s.wg.Done()
	t := time.NewTicker(s.mediaPoll)
	defer t.Stop()
	var lastPrune time.Time
	for {
		for {
			n, err := s.ProcessMedia(s.bg)
			if err != nil && s.bg.Err() == nil {
				s.log.Error("inbound: media downloads", "err", err)
			}
			if n == 0 || err != nil {
				break
			}
		}
		s.flushTouches(s.bg)
		s.logStats()
		if time.Since(lastPrune) > time.Hour {
			lastPrune = time.Now()
			if err := s.Prune(s.bg); err != nil && s.bg.Err() == nil {
				s.log.Error("inbound: prune", "err", err)
			}
		}
		select {
		case <-s.stop:
			s.flushTouches(context.Background())
			return
		case <-t.C:
		case <-s.mediaWake:
		}
	}
}

// ProcessMedia runs one round of the media worker: it claims the downloads
// that are due (several workers or instances never claim the same one) and
// performs them, returning how many it claimed. The worker calls it; tests
// may too.
func (s *Service) ProcessMedia(ctx context.Context) (int, error) {
	now := s.now()
	var due int
	if err := s.db.R.GetContext(ctx, &due, s.q.MediaDue, now); err != nil {
		return 0, fmt.Errorf("inbound: media due: %w", err)
	}
	if due == 0 {
		return 0, nil
	}
	var claimed []claimedMedia
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		return tx.SelectContext(ctx, &claimed, s.q.ClaimMedia, now.Add(mediaLease), now, now, now, 2*s.mediaWorkers)
	})
	if err != nil {
		return 0, fmt.Errorf("inbound: claim media: %w", err)
	}
	if len(claimed) == 0 {
		return 0, nil
	}
	work := make(chan claimedMedia)
	var wg sync.WaitGroup
	for range min(s.mediaWorkers, len(claimed)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for c := range work {
				s.downloadMedia(ctx, c)
			}
		}()
	}
	for _, c := range claimed {
		work <- c
	}
	close(work)
	wg.Wait()
	return len(claimed), nil
}

// errPermanent marks a download failure that retrying cannot fix.
var errPermanent = errors.New("permanent")

// downloadMedia fetches one file through the channel's Graph API client
// (media id → URL → bytes, with the Bearer token) into media_blobs.
func (s *Service) downloadMedia(ctx context.Context, c claimedMedia) {
	ctx, cancel := context.WithTimeout(ctx, mediaTimeout)
	defer cancel()
	data, mime, err := s.fetchMedia(ctx, c)
	if err == nil {
		err = s.storeMedia(ctx, c, data, mime)
	}
	if err == nil {
		return
	}
	if ctx.Err() != nil && s.bg.Err() != nil {
		return // shutting down: the lease expires and another attempt follows
	}
	s.mediaFailed(c, err)
}

func (s *Service) fetchMedia(ctx context.Context, c claimedMedia) ([]byte, string, error) {
	var ch struct {
		PhoneNumberID string `db:"phone_number_id"`
		WABAID        string `db:"waba_id"`
		GraphAPIURL   string `db:"graph_api_url"`
		Version       string `db:"graph_api_version"`
	}
	if err := store.Get(ctx, s.db.R, &ch, s.q.ChannelForMedia, c.ChannelID); err != nil {
		return nil, "", fmt.Errorf("channel %s: %w", c.ChannelID, err)
	}
	creds, err := s.channels.Credentials(ctx, c.ChannelID)
	if err != nil {
		return nil, "", err
	}
	client, err := whatsapp.NewClient(whatsapp.ClientOptions{BaseURL: ch.GraphAPIURL, Version: ch.Version,
		PhoneNumberID: ch.PhoneNumberID, WABAID: ch.WABAID, AccessToken: creds.AccessToken, HTTP: s.http})
	if err != nil {
		return nil, "", err
	}
	info, err := client.MediaInfo(ctx, c.WaMediaID)
	if err != nil {
		return nil, "", err
	}
	mime := firstNonEmpty(c.MimeType, info.MimeType)
	limit := MaxMediaSize(mime)
	if info.FileSize > limit {
		return nil, "", fmt.Errorf("%w: %w: %d bytes, at most %d for %s", errPermanent, whatsapp.ErrTooLarge, info.FileSize, limit, mime)
	}
	var buf bytes.Buffer
	if _, err := client.Download(ctx, info.URL, &buf, limit); err != nil {
		if errors.Is(err, whatsapp.ErrTooLarge) {
			return nil, "", fmt.Errorf("%w: %w", errPermanent, err)
		}
		return nil, "", err
	}
	sum := sha256.Sum256(buf.Bytes())
	for _, want := range []string{c.SHA256, info.SHA256} {
		if !hashMatches(want, sum[:]) {
			// Keep the file — losing a customer's media is worse — but say so.
			s.log.Warn("inbound: media sha256 differs from WhatsApp's", "media_id", c.ID)
			break
		}
	}
	return buf.Bytes(), info.MimeType, nil
}

// hashMatches compares a WhatsApp sha256 (base64 or hex) with sum; a value
// that is neither is not evidence of a mismatch.
func hashMatches(want string, sum []byte) bool {
	want = strings.TrimSpace(want)
	if want == "" {
		return true
	}
	if b, err := base64.StdEncoding.DecodeString(want); err == nil && len(b) == len(sum) {
		return bytes.Equal(b, sum)
	}
	if b, err := hex.DecodeString(want); err == nil && len(b) == len(sum) {
		return bytes.Equal(b, sum)
	}
	return true
}

func (s *Service) storeMedia(ctx context.Context, c claimedMedia, data []byte, mime string) error {
	var msgs []store.ID
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		if _, err := tx.ExecContext(ctx, s.q.PutMediaBlob, c.ID, data); err != nil {
			return fmt.Errorf("store media: %w", err)
		}
		if _, err := tx.ExecContext(ctx, s.q.MediaReady, len(data), clip.String(mime, 200), s.now(), c.ID); err != nil {
			return fmt.Errorf("media ready: %w", err)
		}
		return tx.SelectContext(ctx, &msgs, s.q.MessagesOfMedia, c.ID)
	})
	if err != nil {
		return err
	}
	s.log.Debug("inbound: media downloaded", "media_id", c.ID, "bytes", len(data))
	s.notify(&Changes{MessagesUpdated: msgs})
	return nil
}

// mediaFailed schedules another attempt, or gives up with the reason.
func (s *Service) mediaFailed(c claimedMedia, cause error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s.noteGraphError(ctx, c.ChannelID, cause)
	reason := clip.String(strings.TrimPrefix(cause.Error(), errPermanent.Error()+": "), 500)
	now := s.now()
	final := errors.Is(cause, errPermanent) || c.Attempts >= maxMediaAttempts
	var err error
	if final {
		_, err = s.db.W.ExecContext(ctx, s.q.MediaFailed, reason, now, c.ID)
	} else {
		_, err = s.db.W.ExecContext(ctx, s.q.MediaRetry, reason, now.Add(mediaBackoff(c.Attempts)), now, c.ID)
	}
	if err != nil {
		s.log.Error("inbound: record media failure", "media_id", c.ID, "err", err)
		return
	}
	s.log.Warn("inbound: media download failed", "media_id", c.ID, "attempt", c.Attempts, "final", final, "err", cause)
	if final {
		var msgs []store.ID
		if err := s.db.R.SelectContext(ctx, &msgs, s.q.MessagesOfMedia, c.ID); err == nil {
			s.notify(&Changes{MessagesUpdated: msgs})
		}
	}
}

// noteGraphError records cause, when the Graph API answered it, as the
// channel's latest error (F29 channel health): an expired token shows on
// the channel when a customer's photo cannot be fetched, before an agent
// tries to reply. Best effort, like the rest of the bookkeeping here.
func (s *Service) noteGraphError(ctx context.Context, channelID store.ID, cause error) {
	ae, ok := errors.AsType[*whatsapp.APIError](cause)
	if !ok {
		return
	}
	if err := s.channels.RecordGraphError(ctx, s.db.W, channelID, ae, ReasonLanguage); err != nil {
		s.log.Warn("inbound: record the channel's Graph API error", "channel_id", channelID, "err", err)
	}
}
