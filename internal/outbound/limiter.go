package outbound

import (
	"context"
	"math"
	"sync"
	"time"
)

// Pacing keeps papo's sends under WhatsApp's limits (fact sheet §10).
//
// Per business number, a token bucket runs at Headroom × the channel's
// messages_per_second with a burst of Burst's worth of that rate: WhatsApp
// answers 130429 past the number's tier, so papo stays a little below it
// and never bursts far above it — a send waits for its token instead.
//
// Per recipient, WhatsApp's pair limit is about one message every 6 seconds
// with short bursts allowed (they borrow from later quota) and 131056 past
// it. papo lets PairBurst messages go to one person at once and then one per
// PairInterval; a send that would wait longer than a moment is snoozed
// instead of holding a worker. An agent typing several quick replies stays
// well inside the burst.
//
// The buckets live in each papo process; several instances sending through
// one number each take its full rate, and WhatsApp's 130429/131056 answers
// are then retried with backoff.
type Pacing struct {
	Headroom     float64       // share of messages_per_second used (default 0.98)
	Burst        time.Duration // burst, as that many seconds' worth of the rate (default 125 ms: 10 at 80/s)
	PairInterval time.Duration // one message per recipient per interval on average (default 6 s)
	PairBurst    int           // messages to one recipient at once (default 20)
	// OrderWait is how long a message waits for earlier messages of its
	// conversation that are still queued, so a conversation's messages
	// leave in the order they were written (default 30 s; an earlier message
	// stuck in retries longer than that no longer holds the later ones).
	OrderWait time.Duration
}

// DefaultPacing is the pacing papo uses unless told otherwise.
func DefaultPacing() Pacing {
	return Pacing{Headroom: 0.98, Burst: 125 * time.Millisecond, PairInterval: 6 * time.Second, PairBurst: 20, OrderWait: 30 * time.Second}
}

func (p Pacing) withDefaults() Pacing {
	d := DefaultPacing()
	if p.Headroom <= 0 || p.Headroom > 1 {
		p.Headroom = d.Headroom
	}
	if p.Burst <= 0 {
		p.Burst = d.Burst
	}
	if p.PairInterval <= 0 {
		p.PairInterval = d.PairInterval
	}
	if p.PairBurst <= 0 {
		p.PairBurst = d.PairBurst
	}
	if p.OrderWait <= 0 {
		p.OrderWait = d.OrderWait
	}
	return p
}

// bucket is a token bucket whose tokens may be reserved ahead: a reservation
// that finds no token makes the balance negative and says how long to wait,
// so waiters are served in the order they asked.
type bucket struct {
	mu     sync.Mutex
	rate   float64 // tokens per second
	burst  float64
	tokens float64
	last   time.Time
}

func newBucket(rate, burst float64, now time.Time) *bucket {
	return &bucket{rate: rate, burst: burst, tokens: burst, last: now}
}

func (b *bucket) advanceLocked(now time.Time) {
	if el := now.Sub(b.last).Seconds(); el > 0 {
		b.tokens = math.Min(b.burst, b.tokens+el*b.rate)
		b.last = now
	}
}

// setRate changes the rate and burst (a channel's tier changed).
func (b *bucket) setRate(rate, burst float64, now time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.rate == rate && b.burst == burst {
		return
	}
	b.advanceLocked(now)
	b.rate, b.burst = rate, burst
	b.tokens = math.Min(b.tokens, burst)
}

// reserve takes a token and returns how long to wait before using it.
func (b *bucket) reserve(now time.Time) time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.advanceLocked(now)
	b.tokens--
	if b.tokens >= 0 {
		return 0
	}
	return time.Duration(-b.tokens / b.rate * float64(time.Second))
}

// wouldWait returns how long a reservation made now would wait, taking
// nothing.
func (b *bucket) wouldWait(now time.Time) time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.advanceLocked(now)
	if b.tokens >= 1 {
		return 0
	}
	return time.Duration((1 - b.tokens) / b.rate * float64(time.Second))
}

// cancel gives back a reserved token that was not used.
func (b *bucket) cancel() {
	b.mu.Lock()
	b.tokens = math.Min(b.burst, b.tokens+1)
	b.mu.Unlock()
}

// full reports whether the bucket has been idle long enough to forget.
func (b *bucket) full(now time.Time) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.advanceLocked(now)
	return b.tokens >= b.burst
}

// limiters hold the buckets of business numbers and recipients, and a lock
// per recipient so that one person's messages are sent one at a time.
type limiters struct {
	p     Pacing
	wall  func() time.Time
	mu    sync.Mutex
	phone map[string]*bucket // by phone_number_id
	pair  map[string]*bucket // by phone_number_id + wa_id
	locks map[string]*recipientLock
}

type recipientLock struct {
	ch   chan struct{}
	refs int
}

func newLimiters(p Pacing) *limiters {
	return &limiters{p: p.withDefaults(), wall: time.Now, phone: map[string]*bucket{}, pair: map[string]*bucket{}, locks: map[string]*recipientLock{}}
}

// phoneBucket returns the bucket of a business number at its tier.
func (l *limiters) phoneBucket(phoneNumberID string, mps int) *bucket {
	if mps <= 0 {
		mps = 80
	}
	rate := float64(mps) * l.p.Headroom
	burst := math.Max(1, math.Floor(rate*l.p.Burst.Seconds()))
	now := l.wall()
	l.mu.Lock()
	b := l.phone[phoneNumberID]
	if b == nil {
		b = newBucket(rate, burst, now)
		l.phone[phoneNumberID] = b
	}
	l.mu.Unlock()
	b.setRate(rate, burst, now)
	return b
}

// pairBucket returns the bucket of one recipient of one number.
func (l *limiters) pairBucket(phoneNumberID, waID string) *bucket {
	key := phoneNumberID + ":" + waID
	now := l.wall()
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.pair[key]
	if b == nil {
		if len(l.pair) >= 50_000 { // forget recipients whose buckets refilled
			for k, o := range l.pair {
				if o.full(now) {
					delete(l.pair, k)
				}
			}
		}
		b = newBucket(1/l.p.PairInterval.Seconds(), float64(l.p.PairBurst), now)
		l.pair[key] = b
	}
	return b
}

// lock takes the recipient's lock, waiting until ctx ends; unlock releases
// it.
func (l *limiters) lock(ctx context.Context, key string) (unlock func(), err error) {
	l.mu.Lock()
	rl := l.locks[key]
	if rl == nil {
		rl = &recipientLock{ch: make(chan struct{}, 1)}
		l.locks[key] = rl
	}
	rl.refs++
	l.mu.Unlock()
	release := func() {
		l.mu.Lock()
		rl.refs--
		if rl.refs == 0 {
			delete(l.locks, key)
		}
		l.mu.Unlock()
	}
	select {
	case rl.ch <- struct{}{}:
		return func() { <-rl.ch; release() }, nil
	case <-ctx.Done():
		release()
		return nil, ctx.Err()
	}
}

// wait takes a token of b, sleeping until it is due; the token is given
// back when ctx ends first.
func (l *limiters) wait(ctx context.Context, b *bucket) error {
	d := b.reserve(l.wall())
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		b.cancel()
		return ctx.Err()
	}
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
