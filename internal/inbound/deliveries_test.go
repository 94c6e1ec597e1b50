package inbound_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"papo/internal/inbound"
	"papo/internal/store"
	"papo/internal/whatsapp"
)

func eventually(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestFailingDeliveryKeptAndReapplied: a delivery that fails to apply (a
// bug, a broken constraint) does not fail the others committed with it, is
// answered 200 and kept as failed with the reason, and applies once
// re-applied (F25, F29).
func TestFailingDeliveryKeptAndReapplied(t *testing.T) {
	h := newHook(t)
	inbound.SetApplyHook(func(m *whatsapp.Inbound) error {
		if strings.Contains(m.Text, "boom") {
			return errors.New("simulated bug")
		}
		return nil
	})
	t.Cleanup(func() { inbound.SetApplyHook(nil) })
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			text := fmt.Sprintf("ok %d", i)
			if i == 7 {
				text = "boom"
			}
			if r := h.post(t, textBody(fmt.Sprintf("wamid.F%d", i), customerWaID, "João", text, t0+int64(i)), mainSecret); r.Status != 200 {
				t.Errorf("%d: %d %s", i, r.Status, r.Body)
			}
		}()
	}
	wg.Wait()
	for i := range 20 {
		if m := h.msg(t, fmt.Sprintf("wamid.F%d", i)); (m == nil) != (i == 7) {
			t.Errorf("message %d stored = %v", i, m != nil)
		}
	}
	var failed []delivery
	for _, d := range h.deliveries(t) {
		if d.State == inbound.StateFailed {
			failed = append(failed, d)
		}
	}
	if len(failed) != 1 || !strings.Contains(failed[0].Error, "simulated bug") || !strings.Contains(string(failed[0].Body), "boom") {
		t.Fatalf("failed deliveries = %+v", failed)
	}
	list, err := h.e.App.Inbound.FailedDeliveries(context.Background(), 10)
	if err != nil || len(list) != 1 || list[0].ID != failed[0].ID {
		t.Errorf("FailedDeliveries = %+v %v", list, err)
	}

	// Still broken: reapplying keeps it failed.
	if _, err := h.e.App.Inbound.Reapply(context.Background(), failed[0].ID); err == nil {
		t.Error("reapply succeeded while the bug is still there")
	}
	inbound.SetApplyHook(nil)
	rc, err := h.e.App.Inbound.Reapply(context.Background(), failed[0].ID)
	if err != nil || rc.State != inbound.StateApplied {
		t.Fatalf("reapply = %+v %v", rc, err)
	}
	if m := h.msg(t, "wamid.F7"); m == nil || m.Text != "boom" {
		t.Fatalf("reapplied message = %+v", m)
	}
	if _, err := h.e.App.Inbound.Reapply(context.Background(), failed[0].ID); err != nil {
		t.Fatal(err)
	}
	if n := h.count(t, "SELECT COUNT(*) FROM messages"); n != 20 {
		t.Errorf("messages = %d after reapplying twice, want 20", n)
	}
	if d, _ := h.e.App.Inbound.Delivery(context.Background(), failed[0].ID); d.State != inbound.StateApplied || d.AppliedAt == nil {
		t.Errorf("delivery after reapply = %+v", d)
	}
}

// TestUnknownNumberKeptThenReapplied: a delivery for a phone_number_id no
// channel has is answered 200 and kept; once the channel exists it can be
// applied (F25, F29).
func TestUnknownNumberKeptThenReapplied(t *testing.T) {
	h := newHook(t)
	body := []byte(strings.ReplaceAll(string(textBody("wamid.U1", customerWaID, "João", "alô", t0)), mainPhoneID, "123123123"))
	h.deliverBody(t, body)
	d := h.lastDelivery(t)
	if d.State != inbound.StateIgnored || !strings.Contains(d.Error, "123123123") {
		t.Fatalf("delivery = %s %q", d.State, d.Error)
	}
	if n := h.count(t, "SELECT COUNT(*) FROM messages"); n != 0 {
		t.Fatalf("messages = %d", n)
	}
	ch := h.channel(t, "Novo", "123123123", mainSecret, h.graph.URL)
	if rc, err := h.e.App.Inbound.Reapply(context.Background(), d.ID); err != nil || rc.State != inbound.StateApplied {
		t.Fatalf("reapply = %+v %v", rc, err)
	}
	if m := h.msgOn(t, ch.ID, "wamid.U1"); m == nil || m.Text != "alô" {
		t.Errorf("message = %+v", m)
	}
}

type mediaRow struct {
	State    string `db:"state"`
	Size     int64  `db:"size"`
	Error    string `db:"error"`
	Attempts int    `db:"attempts"`
}

func (h *hook) media(t *testing.T, id store.ID) mediaRow {
	t.Helper()
	var m mediaRow
	if err := h.e.App.DB.R.GetContext(context.Background(), &m,
		h.e.App.DB.R.Rebind("SELECT state, size, error, attempts FROM media WHERE id = ?"), id); err != nil {
		t.Fatal(err)
	}
	return m
}

func (h *hook) blob(t *testing.T, id store.ID) string {
	t.Helper()
	var b []byte
	if err := h.e.App.DB.R.GetContext(context.Background(), &b,
		h.e.App.DB.R.Rebind("SELECT data FROM media_blobs WHERE media_id = ?"), id); err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestMediaDownloadedInBackground: an inbound image is stored at once with
// a pending file, which the media worker fetches through the channel's Graph
// API (media id → URL → bytes with the Bearer token) into papo's storage
// (F18).
func TestMediaDownloadedInBackground(t *testing.T) {
	h := newHook(t)
	h.deliver(t, "image_caption.json")
	m := h.mustMsg(t, "wamid.IMAGE01")
	if m.Media == nil {
		t.Fatal("no media")
	}
	eventually(t, "the download", func() bool { return h.media(t, m.Media.ID).State == "ready" })
	if got := h.blob(t, m.Media.ID); got != "media 1479537139650973" {
		t.Errorf("blob = %q", got)
	}
	if r := h.media(t, m.Media.ID); r.Size != int64(len("media 1479537139650973")) {
		t.Errorf("media = %+v", r)
	}
	if m := h.mustMsg(t, "wamid.IMAGE01"); m.Media.State != "ready" || m.Media.MimeType != "image/jpeg" {
		t.Errorf("presented media = %+v", m.Media)
	}
}

// TestMediaRetriedThenFailed: failed downloads are retried with growing
// pauses (by the injected clock) and finally marked failed with the reason.
func TestMediaRetriedThenFailed(t *testing.T) {
	h := newHook(t)
	ctx := context.Background()
	h.graph.fail("5550001", 2)
	h.deliver(t, "frequently_forwarded.json")
	m := h.mustMsg(t, "wamid.FWD02")
	eventually(t, "the first attempt", func() bool { return h.media(t, m.Media.ID).Attempts == 1 })
	eventually(t, "the retry to be scheduled", func() bool { return h.media(t, m.Media.ID).Error != "" })
	if r := h.media(t, m.Media.ID); r.State != "pending" {
		t.Fatalf("after one failure: %+v", r)
	}
	if n, _ := h.e.App.Inbound.ProcessMedia(ctx); n != 0 {
		t.Errorf("retried before its time (%d)", n)
	}
	h.e.Clock.Advance(31 * time.Second)
	eventually(t, "the second attempt", func() bool {
		_, _ = h.e.App.Inbound.ProcessMedia(ctx)
		return h.graph.hitsOf("5550001") >= 2 && h.media(t, m.Media.ID).Attempts == 2
	})
	h.e.Clock.Advance(3 * time.Minute)
	eventually(t, "the third attempt", func() bool {
		_, _ = h.e.App.Inbound.ProcessMedia(ctx)
		return h.media(t, m.Media.ID).State == "ready"
	})

	// One that never works gives up with the reason.
	h.graph.fail("1479537139650973", 1000)
	h.deliver(t, "image_caption.json")
	img := h.mustMsg(t, "wamid.IMAGE01")
	for i := 0; i < 30 && h.media(t, img.Media.ID).State == "pending"; i++ {
		h.e.Clock.Advance(7 * time.Hour)
		_, _ = h.e.App.Inbound.ProcessMedia(ctx)
	}
	r := h.media(t, img.Media.ID)
	if r.State != "failed" || !strings.Contains(r.Error, "131000") || r.Attempts < 5 {
		t.Errorf("media = %+v, want failed with the Graph error", r)
	}
}

// TestNotifierHearsAfterCommit: the realtime hook hears about the
// conversations and messages a delivery created, after they are committed
// (F23 hook point).
func TestNotifierHearsAfterCommit(t *testing.T) {
	h := newHook(t)
	a := h.e.App
	got := make(chan inbound.Changes, 4)
	svc, err := inbound.New(inbound.Options{DB: a.DB, Now: h.e.Clock.Now, Channels: a.Channels, Contacts: a.Contacts,
		Conv: a.Conv, Messages: a.Messages, NoWorkers: true,
		Notifier: inbound.NotifierFunc(func(ctx context.Context, c inbound.Changes) {
			// Committed: readable from another connection.
			if len(c.MessagesCreated) == 1 {
				if _, err := a.Messages.Load(ctx, nil, c.MessagesCreated[0]); err != nil {
					t.Errorf("notified before commit: %v", err)
				}
			}
			got <- c
		})})
	if err != nil {
		t.Fatal(err)
	}
	svc.StartCommitters()
	defer svc.Close()
	rc, err := svc.Receive(context.Background(), textBody("wamid.N1", customerWaID, "João", "oi", t0))
	if err != nil || rc.State != inbound.StateApplied {
		t.Fatalf("receive = %+v %v", rc, err)
	}
	c := <-got
	m := h.mustMsg(t, "wamid.N1")
	if len(c.ConversationsCreated) != 1 || c.ConversationsCreated[0] != m.ConversationID ||
		len(c.MessagesCreated) != 1 || c.MessagesCreated[0] != m.ID {
		t.Errorf("changes = %+v", c)
	}
	if _, err := svc.Receive(context.Background(), []byte("{not json")); !errors.Is(err, inbound.ErrMalformed) {
		t.Errorf("malformed: %v", err)
	}
}

// TestPruneKeepsFailedDeliveries: old applied deliveries go, failed ones
// stay until re-applied (F29).
func TestPruneKeepsFailedDeliveries(t *testing.T) {
	h := newHook(t)
	h.deliverBody(t, textBody("wamid.P1", customerWaID, "João", "oi", t0))
	h.post(t, []byte("{broken"), mainSecret)
	h.e.Clock.Advance(inbound.Retention + time.Hour)
	if err := h.e.App.Inbound.Prune(context.Background()); err != nil {
		t.Fatal(err)
	}
	d := h.deliveries(t)
	if len(d) != 1 || d[0].State != inbound.StateFailed {
		t.Errorf("after prune: %+v", d)
	}
	if h.msg(t, "wamid.P1") == nil {
		t.Error("prune touched messages")
	}
}
