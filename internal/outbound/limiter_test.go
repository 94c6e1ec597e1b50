package outbound

import (
	"testing"
	"time"
)

// TestBucketPacing (F26): a number's bucket lets its burst go at once, then
// spaces sends at its rate, serving waiters in the order they asked; a
// cancelled reservation gives its token back.
func TestBucketPacing(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	b := newBucket(10, 3, t0) // 10/s, burst 3
	for i := range 3 {
		if d := b.reserve(t0); d != 0 {
			t.Fatalf("burst send %d waits %s", i, d)
		}
	}
	for i, want := range []time.Duration{100 * time.Millisecond, 200 * time.Millisecond, 300 * time.Millisecond} {
		if d := b.reserve(t0); d != want {
			t.Fatalf("waiter %d waits %s, want %s", i, d, want)
		}
	}
	b.cancel()
	if d := b.wouldWait(t0); d != 300*time.Millisecond {
		t.Fatalf("after a cancel the next waits %s", d)
	}
	// A second later the debt is paid and tokens refill up to the burst.
	if d := b.wouldWait(t0.Add(2 * time.Second)); d != 0 || !b.full(t0.Add(2*time.Second)) {
		t.Fatalf("bucket did not refill")
	}
}

// TestPhoneBucketHeadroom: a number's bucket runs at 98 % of its tier with
// a burst of an eighth of a second (9 at 80/s), and follows tier changes.
func TestPhoneBucketHeadroom(t *testing.T) {
	l := newLimiters(Pacing{})
	b := l.phoneBucket("1", 80)
	if b.rate != 78.4 || b.burst != 9 {
		t.Fatalf("80/s tier: rate %v burst %v", b.rate, b.burst)
	}
	b = l.phoneBucket("1", 1000)
	if b.rate != 980 || b.burst != 122 {
		t.Fatalf("1000/s tier: rate %v burst %v", b.rate, b.burst)
	}
	p := l.pairBucket("1", "5511999999999")
	if p.burst != 20 || p.rate < 0.16 || p.rate > 0.17 {
		t.Fatalf("pair bucket: rate %v burst %v", p.rate, p.burst)
	}
}
