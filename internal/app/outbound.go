package app

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"testing"
	"time"

	"papo/internal/jobs"
	"papo/internal/outbound"
	"papo/internal/store"
)

// startOutbound builds the job queue (River, migrated at start) and the
// WhatsApp sender, whose workers it registers, and starts working jobs. On
// Close the queue stops first and lets running sends finish for a few
// seconds (a send cut short is retried at the next start).
func (a *App) startOutbound(ctx context.Context) error {
	q, err := jobs.New(ctx, jobs.Options{DB: a.DB, Log: a.Log})
	if err != nil {
		return err
	}
	a.Jobs = q
	var pending outbound.PendingApplier
	if a.Inbound != nil {
		pending = a.Inbound
	}
	if a.Outbound, err = outbound.New(outbound.Options{DB: a.DB, Log: a.Log, Now: a.now, Jobs: q, Channels: a.Channels,
		Contacts: a.Contacts, Conv: a.Conv, Messages: a.Messages, Pending: pending, HTTP: graphHTTP(),
		Notifier: outboundEvents{a.Events}}); err != nil {
		return err
	}
	a.link.s = a.Outbound
	if a.closing != nil {
		a.closing.Queue = a.Outbound
	}
	if a.arrivals != nil {
		a.arrivals.SetQueue(a.Outbound)
	}
	if a.surveys != nil {
		a.surveys.SetQueue(a.Outbound)
	}
	if err := q.Start(context.WithoutCancel(ctx)); err != nil {
		return fmt.Errorf("app: %w", err)
	}
	a.closers = append(a.closers, func() error {
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		return q.Stop(sctx)
	})
	return nil
}

// outboundLink lets the conversation service, built before the sender
// (which works on conversations), queue read receipts through it.
type outboundLink struct{ s *outbound.Service }

// EnqueueReadReceipt implements conversation.ReadReceipts.
func (l *outboundLink) EnqueueReadReceipt(ctx context.Context, tx *store.Tx, channelID store.ID, waMessageID string) error {
	if l.s == nil {
		return nil
	}
	return l.s.EnqueueReadReceipt(ctx, tx, channelID, waMessageID)
}

// graphHTTP is the client of every Graph API call. In a test binary it
// refuses any host but loopback, so that a test whose channel still points
// at graph.facebook.com fails its call at once instead of reaching out.
func graphHTTP() *http.Client {
	c := &http.Client{Timeout: 30 * time.Second}
	if testing.Testing() {
		c.Transport = loopbackOnly{http.DefaultTransport}
	}
	return c
}

type loopbackOnly struct{ next http.RoundTripper }

func (l loopbackOnly) RoundTrip(r *http.Request) (*http.Response, error) {
	h := r.URL.Hostname()
	if ip := net.ParseIP(h); h != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return nil, fmt.Errorf("app: tests call no host but loopback, not %s", h)
	}
	return l.next.RoundTrip(r)
}
