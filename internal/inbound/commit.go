package inbound

import (
	"context"
	"crypto/subtle"
	"fmt"
	"hash/fnv"
	"strings"
	"sync"
	"time"

	"papo/internal/clip"
	"papo/internal/store"
	"papo/internal/whatsapp"
)

// States of a stored delivery.
const (
	StateApplied = "applied" // every item applied (duplicates included)
	StateIgnored = "ignored" // nothing for papo: other fields, unknown numbers
	StateFailed  = "failed"  // malformed, or an item could not be applied
)

// Receipt is what became of one delivery.
type Receipt struct {
	DeliveryID store.ID
	State      string
	// Reason explains a failed or ignored delivery, and notes what was
	// skipped in an applied one.
	Reason string
}

// ErrMalformed is returned by Receive (wrapping whatsapp.ErrMalformed) for
// a body that is not a webhook notification; it was stored all the same.
var ErrMalformed = whatsapp.ErrMalformed

// request is one delivery waiting for its batch.
type request struct {
	body     []byte
	n        *whatsapp.Notification
	parseErr error
	received time.Time
	done     chan result

	// filled while the batch runs
	receipt Receipt
	changes Changes
	media   bool
}

type result struct {
	receipt Receipt
	err     error
}

// Receive stores a delivery whose signature was checked and applies it,
// returning once both are committed (F25): the caller may then answer 200.
// A body that is not a notification is stored as failed and Receive returns
// an error wrapping ErrMalformed. Any other error means nothing was stored
// (the database is unavailable): answer so that WhatsApp delivers again.
//
// Deliveries arriving together are committed together, in one transaction,
// each applied on its own so that one bad delivery never fails the others.
func (s *Service) Receive(ctx context.Context, body []byte) (Receipt, error) {
	r := &request{body: body, received: s.now(), done: make(chan result, 1)}
	r.n, r.parseErr = whatsapp.ParseWebhook(body)
	s.mu.RLock()
	if s.closed {
		s.mu.RUnlock()
		return Receipt{}, ErrClosed
	}
	select {
	case s.queues[s.shard(r)] <- r:
		s.mu.RUnlock()
	case <-ctx.Done():
		s.mu.RUnlock()
		return Receipt{}, ctx.Err()
	}
	select {
	case res := <-r.done:
		if res.err == nil && r.parseErr != nil {
			return res.receipt, fmt.Errorf("inbound: delivery %s: %w", res.receipt.DeliveryID, r.parseErr)
		}
		return res.receipt, res.err
	case <-ctx.Done():
		// The batch still commits; the caller is gone.
		return Receipt{}, ctx.Err()
	}
}

// commitLoop gathers queued requests into batches and commits them until
// the service stops; what is queued when it stops is still committed.
func (s *Service) commitLoop(queue chan *request) {
	defer s.wg.Done()
	batch := make([]*request, 0, s.maxBatch)
	for {
		batch = batch[:0]
		select {
		case r := <-queue:
			batch = append(batch, r)
		case <-s.stop:
			s.drain(queue)
			return
		}
		batch = s.gather(queue, batch)
		s.commit(batch)
	}
}

// shard picks the committer of a delivery: by its first sender (or status),
// so that one customer's messages are always committed by the same one and
// concurrent transactions rarely touch the same rows.
func (s *Service) shard(r *request) int {
	if len(s.queues) == 1 || r.n == nil {
		return 0
	}
	key := ""
	switch {
	case len(r.n.Messages) > 0:
		key = firstNonEmpty(r.n.Messages[0].From, r.n.Messages[0].FromUserID)
	case len(r.n.Statuses) > 0:
		key = r.n.Statuses[0].ID
	}
	h := fnv.New32a()
	h.Write([]byte(key))
	return int(h.Sum32() % uint32(len(s.queues)))
}

// gather adds what is queued to batch, waiting up to BatchWait for more.
func (s *Service) gather(queue chan *request, batch []*request) []*request {
	var deadline <-chan time.Time
	if s.batchWait > 0 {
		t := time.NewTimer(s.batchWait)
		defer t.Stop()
		deadline = t.C
	}
	for len(batch) < s.maxBatch {
		select {
		case r := <-queue:
			batch = append(batch, r)
			continue
		default:
		}
		if deadline == nil {
			return batch
		}
		select {
		case r := <-queue:
			batch = append(batch, r)
		case <-deadline:
			return batch
		}
	}
	return batch
}

// drain commits whatever is queued at shutdown.
func (s *Service) drain(queue chan *request) {
	for {
		batch := make([]*request, 0, s.maxBatch)
	fill:
		for len(batch) < s.maxBatch {
			select {
			case r := <-queue:
				batch = append(batch, r)
			default:
				break fill
			}
		}
		if len(batch) == 0 {
			return
		}
		s.commit(batch)
	}
}

// commitTimeout bounds one batch's transaction.
const commitTimeout = time.Minute

// commit stores and applies a batch in one transaction, then answers each
// request. The fast path applies everything at once; if anything fails, the
// batch is done again with a savepoint around each delivery, so a delivery
// that cannot be applied is stored as failed and the others still apply.
func (s *Service) commit(batch []*request) {
	ctx, cancel := context.WithTimeout(context.Background(), commitTimeout)
	defer cancel()
	start := time.Now()
	defer func() { s.stats.add(len(batch), time.Since(start)) }()
	err := s.runBatch(ctx, batch, false)
	if err != nil {
		s.log.Warn("inbound: batch failed, applying its deliveries one by one", "deliveries", len(batch), "err", err)
		err = s.runBatch(ctx, batch, true)
	}
	if err != nil {
		s.log.Error("inbound: deliveries not stored", "deliveries", len(batch), "err", err)
	}
	var all Changes
	media := false
	for _, r := range batch {
		if err != nil {
			r.done <- result{err: fmt.Errorf("inbound: store delivery: %w", err)}
			continue
		}
		r.done <- result{receipt: r.receipt}
		if s.notifier != nil {
			all.merge(&r.changes)
		}
		media = media || r.media
	}
	if err == nil {
		if media {
			s.wakeMedia()
		}
		all.dedupe()
		s.notify(&all)
	}
}

// runBatch is one attempt at a batch's transaction. With careful, every
// delivery runs inside its own savepoint and one that fails to apply is
// stored as failed with the reason.
func (s *Service) runBatch(ctx context.Context, batch []*request, careful bool) error {
	var answer Activity
	if s.arrivals != nil {
		answer = s.arrivals.Active(ctx)
	}
	for attempt := 1; ; attempt++ {
		err := s.db.InTx(ctx, func(tx *store.Tx) error {
			a := s.newApplier(tx)
			a.answer = answer
			if err := a.precheck(ctx, batch); err != nil {
				return err
			}
			for _, r := range batch {
				r.receipt, r.changes, r.media = Receipt{}, Changes{}, false
			}
			if !careful {
				return s.storeAll(ctx, a, batch)
			}
			for _, r := range batch {
				if err := s.storeOne(ctx, a, r); err != nil {
					return err
				}
			}
			return nil
		})
		if err == nil || !retryableTx(err) || attempt == 3 {
			return err
		}
		s.log.Info("inbound: batch conflicted, retrying", "attempt", attempt, "err", err)
	}
}

// storeOne applies one delivery and stores it with its outcome.
// storeAll applies a batch's deliveries together (applyAll) and stores
// them with their outcomes in a few multi-row inserts: the fast path.
func (s *Service) storeAll(ctx context.Context, a *applier, batch []*request) error {
	ns := make([]*whatsapp.Notification, len(batch))
	for i, r := range batch {
		ns[i] = r.n
	}
	outs, err := a.applyAll(ctx, ns)
	if err != nil {
		return err
	}
	for i, r := range batch {
		if r.parseErr != nil {
			if err := s.insertDelivery(ctx, a, r, StateFailed, "malformed: "+r.parseErr.Error(), false, true); err != nil {
				return err
			}
			continue
		}
		out := outs[i]
		r.changes, r.media = out.changes, out.media
		if err := s.insertDelivery(ctx, a, r, out.state(), out.reason(), true, true); err != nil {
			return err
		}
	}
	return s.flushDeliveries(ctx, a)
}

// storeOne applies one delivery inside its own savepoint and stores it
// with its outcome; one that fails to apply is rolled back to the savepoint
// and stored as failed with the reason: the careful path.
func (s *Service) storeOne(ctx context.Context, a *applier, r *request) error {
	a.begin()
	if r.parseErr != nil {
		return s.insertDelivery(ctx, a, r, StateFailed, "malformed: "+r.parseErr.Error(), false, false)
	}
	if _, err := a.tx.ExecContext(ctx, "SAVEPOINT delivery"); err != nil {
		return fmt.Errorf("inbound: savepoint: %w", err)
	}
	out, err := a.apply(ctx, r.n)
	if err != nil {
		if _, rerr := a.tx.ExecContext(ctx, "ROLLBACK TO SAVEPOINT delivery"); rerr != nil {
			return fmt.Errorf("inbound: rollback to savepoint: %w (after %w)", rerr, err)
		}
		a.forget()
		s.log.Error("inbound: delivery could not be applied; kept as failed", "err", err)
		if err := s.insertDelivery(ctx, a, r, StateFailed, "apply: "+err.Error(), false, false); err != nil {
			return err
		}
	} else {
		r.changes, r.media = out.changes, out.media
		if err := s.insertDelivery(ctx, a, r, out.state(), out.reason(), true, false); err != nil {
			return err
		}
	}
	if _, err := a.tx.ExecContext(ctx, "RELEASE SAVEPOINT delivery"); err != nil {
		return fmt.Errorf("inbound: release savepoint: %w", err)
	}
	return nil
}

// insertDelivery stores r with its outcome — at once, or (deferred) with
// the rest of the batch in a few multi-row statements (flushDeliveries).
func (s *Service) insertDelivery(ctx context.Context, a *applier, r *request, state, reason string, applied, deferred bool) error {
	d := deliveryRow{r: r, state: state, reason: clip.String(reason, 4000)}
	if r.n != nil {
		d.phones, d.items = phoneNumberIDs(r.n), r.n.Len()
	}
	if applied {
		t := s.now()
		d.appliedAt = &t
	}
	r.receipt = Receipt{State: state, Reason: reason}
	if deferred {
		a.deliveries = append(a.deliveries, d)
		return nil
	}
	q, err := s.db.Rows(s.q.InsertDelivery, 1)
	if err != nil {
		return err
	}
	var id store.ID
	if err := a.tx.GetContext(ctx, &id, q, d.args()...); err != nil {
		return fmt.Errorf("inbound: insert delivery: %w", err)
	}
	r.receipt.DeliveryID = id
	return nil
}

type deliveryRow struct {
	r             *request
	state, reason string
	phones        string
	items         int
	appliedAt     *time.Time
}

func (d *deliveryRow) args() []any {
	return []any{d.r.body, d.r.received, d.state, d.reason, d.phones, d.items, d.appliedAt}
}

// flushDeliveries inserts the deferred deliveries of a batch, a chunk of
// rows per statement.
func (s *Service) flushDeliveries(ctx context.Context, a *applier) error {
	rows := a.deliveries
	a.deliveries = nil
	return store.Chunks(len(rows), func(lo, hi int) error {
		q, err := s.db.Rows(s.q.InsertDelivery, hi-lo)
		if err != nil {
			return err
		}
		args := make([]any, 0, 7*(hi-lo))
		for i := lo; i < hi; i++ {
			args = append(args, rows[i].args()...)
		}
		var ids []store.ID
		if err := a.tx.SelectContext(ctx, &ids, q, args...); err != nil {
			return fmt.Errorf("inbound: insert deliveries: %w", err)
		}
		if len(ids) != hi-lo {
			return fmt.Errorf("inbound: insert deliveries: %d ids for %d rows", len(ids), hi-lo)
		}
		for i := lo; i < hi; i++ {
			rows[i].r.receipt.DeliveryID = ids[i-lo]
		}
		return nil
	})
}

// retryableTx reports a PostgreSQL deadlock or serialization failure
// between concurrent batches: the whole batch is simply run again.
func retryableTx(err error) bool {
	if err == nil {
		return false
	}
	m := err.Error()
	return strings.Contains(m, "SQLSTATE 40P01") || strings.Contains(m, "SQLSTATE 40001")
}

func (c *Changes) merge(o *Changes) {
	c.ConversationsCreated = append(c.ConversationsCreated, o.ConversationsCreated...)
	c.ConversationsUpdated = append(c.ConversationsUpdated, o.ConversationsUpdated...)
	c.MessagesCreated = append(c.MessagesCreated, o.MessagesCreated...)
	c.MessagesUpdated = append(c.MessagesUpdated, o.MessagesUpdated...)
}

// dedupe keeps each id once, in the first list that names it (created
// before updated).
func (c *Changes) dedupe() {
	seen := map[store.ID]bool{}
	keep := func(ids []store.ID) []store.ID {
		out := ids[:0]
		for _, id := range ids {
			if !seen[id] {
				seen[id] = true
				out = append(out, id)
			}
		}
		return out
	}
	c.ConversationsCreated = keep(c.ConversationsCreated)
	c.ConversationsUpdated = keep(c.ConversationsUpdated)
	seen = map[store.ID]bool{}
	c.MessagesCreated = keep(c.MessagesCreated)
	c.MessagesUpdated = keep(c.MessagesUpdated)
}

func phoneNumberIDs(n *whatsapp.Notification) string {
	var ids []string
	add := func(id string) {
		if id != "" && !containsString(ids, id) {
			ids = append(ids, id)
		}
	}
	for _, m := range n.Messages {
		add(m.PhoneNumberID)
	}
	for _, st := range n.Statuses {
		add(st.PhoneNumberID)
	}
	for _, e := range n.Errors {
		add(e.PhoneNumberID)
	}
	for _, iv := range n.Invalid {
		add(iv.PhoneNumberID)
	}
	return strings.Join(ids, " ")
}

func containsString(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func constantTimeEqual(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// batchStats sums up the committers' work for a debug line every so often.
type batchStats struct {
	mu         sync.Mutex
	batches    int
	deliveries int
	busy       time.Duration
	since      time.Time
}

func (b *batchStats) add(n int, d time.Duration) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.since.IsZero() {
		b.since = time.Now()
	}
	b.batches++
	b.deliveries += n
	b.busy += d
}

// take returns and resets the sums.
func (b *batchStats) take() (batches, deliveries int, busy, over time.Duration) {
	b.mu.Lock()
	defer b.mu.Unlock()
	batches, deliveries, busy = b.batches, b.deliveries, b.busy
	if !b.since.IsZero() {
		over = time.Since(b.since)
	}
	b.batches, b.deliveries, b.busy, b.since = 0, 0, 0, time.Time{}
	return
}

// logStats writes the committers' sums since the last call at debug level.
func (s *Service) logStats() {
	batches, deliveries, busy, over := s.stats.take()
	if batches == 0 {
		return
	}
	s.log.Debug("inbound: committed", "batches", batches, "deliveries", deliveries,
		"mean_batch", float64(deliveries)/float64(batches), "mean_batch_ms", float64(busy.Microseconds())/1000/float64(batches),
		"busy_share", busy.Seconds()/max(over.Seconds(), 1e-9))
}
