package inbound

import (
	"context"
	"errors"
	"fmt"
	"time"

	"papo/internal/apperr"
	"papo/internal/clip"
	"papo/internal/store"
	"papo/internal/whatsapp"
)

// Delivery is a stored webhook delivery (F29).
type Delivery struct {
	ID             store.ID   `json:"id" db:"id"`
	Body           []byte     `json:"-" db:"body"`
	ReceivedAt     time.Time  `json:"received_at" db:"received_at"`
	State          string     `json:"state" db:"state"`
	Error          string     `json:"error" db:"error"`
	PhoneNumberIDs string     `json:"phone_number_ids" db:"phone_number_ids"`
	Items          int        `json:"items" db:"items"`
	AppliedAt      *time.Time `json:"applied_at" db:"applied_at"`
}

// Delivery returns a stored delivery, body included.
func (s *Service) Delivery(ctx context.Context, id store.ID) (*Delivery, error) {
	var d Delivery
	if err := store.Get(ctx, s.db.R, &d, s.q.GetDelivery, id); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return nil, fmt.Errorf("delivery %s: %w", id, apperr.ErrNotFound)
		}
		return nil, fmt.Errorf("inbound: delivery: %w", err)
	}
	return &d, nil
}

// FailedDeliveries lists the newest deliveries that could not be applied,
// with their reasons, without bodies (F29 channel health).
func (s *Service) FailedDeliveries(ctx context.Context, limit int) ([]Delivery, error) {
	p, err := s.FailedDeliveryPage(ctx, DeliveryQuery{Limit: limit})
	if err != nil {
		return nil, err
	}
	return p.Items, nil
}

// DeliveryQuery selects a page of failed deliveries.
type DeliveryQuery struct {
	// PhoneNumberID keeps one channel's deliveries and the malformed ones,
	// which name no channel; "" keeps every delivery.
	PhoneNumberID string
	After         *DeliveryCursor
	// Limit is the page size (default 50, at most 200).
	Limit int
}

// DeliveryCursor is where the next page starts: deliveries are listed
// newest first, by (received_at, id).
type DeliveryCursor struct {
	ReceivedAt time.Time `json:"t"`
	ID         store.ID  `json:"id"`
}

// DeliveryPage is one page of deliveries, without bodies; Next is nil on
// the last page.
type DeliveryPage struct {
	Items []Delivery
	Next  *DeliveryCursor
}

// FailedDeliveryPage lists the deliveries that could not be applied, newest
// first, a page at a time (F29).
func (s *Service) FailedDeliveryPage(ctx context.Context, q DeliveryQuery) (*DeliveryPage, error) {
	if q.Limit <= 0 || q.Limit > 200 {
		q.Limit = 50
	}
	var after DeliveryCursor
	if q.After != nil {
		after = *q.After
	}
	items := []Delivery{}
	if err := s.db.R.SelectContext(ctx, &items, s.q.FailedDeliveries, q.PhoneNumberID, numberPattern(q.PhoneNumberID),
		q.After == nil, after.ReceivedAt, after.ID, q.Limit+1); err != nil {
		return nil, fmt.Errorf("inbound: failed deliveries: %w", err)
	}
	p := &DeliveryPage{Items: items}
	if len(items) > q.Limit {
		p.Items = items[:q.Limit]
		last := p.Items[q.Limit-1]
		p.Next = &DeliveryCursor{ReceivedAt: last.ReceivedAt, ID: last.ID}
	}
	return p, nil
}

// numberPattern matches a phone_number_id inside a delivery's space-separated
// list. Channels' phone_number_ids are digits only, so nothing needs escaping.
func numberPattern(phoneNumberID string) string { return "% " + phoneNumberID + " %" }

// ChannelCounts counts, for the channel of a phone_number_id, what its
// health shows of the webhook (F29): the failed deliveries that name it or
// no channel at all (malformed ones), and its statuses still waiting for
// their message.
func (s *Service) ChannelCounts(ctx context.Context, channelID store.ID, phoneNumberID string) (failed, waiting int, err error) {
	if err := s.db.R.GetContext(ctx, &failed, s.q.CountFailed, numberPattern(phoneNumberID)); err != nil {
		return 0, 0, fmt.Errorf("inbound: count failed deliveries: %w", err)
	}
	if err := s.db.R.GetContext(ctx, &waiting, s.q.CountChannelWaiting, channelID); err != nil {
		return 0, 0, fmt.Errorf("inbound: count waiting statuses: %w", err)
	}
	return failed, waiting, nil
}

// Reapply applies a stored delivery again — after the bug or the missing
// channel that stopped it is fixed (F29). What was applied before stays
// applied once: messages, statuses and reactions are keyed by their
// WhatsApp ids. The delivery's state and reason are updated either way.
func (s *Service) Reapply(ctx context.Context, id store.ID) (Receipt, error) {
	d, err := s.Delivery(ctx, id)
	if err != nil {
		return Receipt{}, err
	}
	n, perr := whatsapp.ParseWebhook(d.Body)
	if perr != nil {
		return Receipt{DeliveryID: id, State: StateFailed, Reason: d.Error}, fmt.Errorf("inbound: delivery %s: %w", id, perr)
	}
	var out *outcome
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		a := s.newApplier(tx)
		if err := a.precheck(ctx, []*request{{n: n}}); err != nil {
			return err
		}
		var err error
		if out, err = a.apply(ctx, n); err != nil {
			return err
		}
		now := s.now()
		_, err = tx.ExecContext(ctx, s.q.SetDeliveryState, out.state(), clip.String(out.reason(), 4000), now, id)
		return err
	})
	if err != nil {
		reason := clip.String("apply: "+err.Error(), 4000)
		if _, uerr := s.db.W.ExecContext(ctx, s.q.SetDeliveryState, StateFailed, reason, nil, id); uerr != nil {
			s.log.Error("inbound: record reapply failure", "delivery_id", id, "err", uerr)
		}
		return Receipt{DeliveryID: id, State: StateFailed, Reason: reason}, fmt.Errorf("inbound: reapply delivery %s: %w", id, err)
	}
	if out.media {
		s.wakeMedia()
	}
	out.changes.dedupe()
	s.notify(&out.changes)
	return Receipt{DeliveryID: id, State: out.state(), Reason: out.reason()}, nil
}

// Retention of webhook records that have done their job: WhatsApp stops
// redelivering after 7 days, so keys older than twice that can go. Failed
// deliveries stay until re-applied.
const Retention = 14 * 24 * time.Hour

// Prune deletes applied and ignored deliveries, and applied status and
// reaction keys, older than Retention.
func (s *Service) Prune(ctx context.Context) error {
	const chunk = 1000
	before := s.now().Add(-Retention)
	for _, q := range []string{s.q.DeleteOldDeliveries, s.q.DeleteOldStatuses, s.q.DeleteOldReactions} {
		for {
			res, err := s.db.W.ExecContext(ctx, q, before, chunk)
			if err != nil {
				return fmt.Errorf("inbound: prune: %w", err)
			}
			if n, _ := res.RowsAffected(); n < chunk {
				break
			}
		}
	}
	return nil
}

// WaitingStatuses counts statuses kept for messages papo does not know yet.
func (s *Service) WaitingStatuses(ctx context.Context) (int, error) {
	var n int
	if err := s.db.R.GetContext(ctx, &n, s.q.CountWaitingStatuses); err != nil {
		return 0, fmt.Errorf("inbound: waiting statuses: %w", err)
	}
	return n, nil
}

// touch notes that the webhook brought something for a channel; the times
// are written to channels.last_webhook_at in the background (F29), off the
// webhook's hot path.
func (s *Service) touch(channelID store.ID) {
	now := s.now()
	s.touchMu.Lock()
	if s.touched == nil {
		s.touched = map[store.ID]time.Time{}
	}
	if now.After(s.touched[channelID]) {
		s.touched[channelID] = now
	}
	s.touchMu.Unlock()
}

func (s *Service) flushTouches(ctx context.Context) {
	s.touchMu.Lock()
	t := s.touched
	s.touched = nil
	s.touchMu.Unlock()
	for id, at := range t {
		if _, err := s.db.W.ExecContext(ctx, s.q.TouchChannel, at, id, at); err != nil {
			if ctx.Err() == nil {
				s.log.Warn("inbound: last webhook time", "channel_id", id, "err", err)
			}
			return
		}
	}
}
