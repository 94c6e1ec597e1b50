package jobs_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"papo/internal/jobs"
	"papo/internal/store"
	"papo/internal/store/storetest"
)

type pingArgs struct {
	N int `json:"n"`
}

func (pingArgs) Kind() string { return "test_ping" }

type pingWorker struct {
	river.WorkerDefaults[pingArgs]
	seen *atomic.Int64
}

func (w *pingWorker) Work(ctx context.Context, job *river.Job[pingArgs]) error {
	w.seen.Add(int64(job.Args.N))
	return nil
}

// TestInsertTxFollowsTheTransaction: a job inserted in a transaction that
// rolls back never runs; one that commits runs once, and a unique job
// inserted twice runs once (F26: a message's send job commits with it).
func TestInsertTxFollowsTheTransaction(t *testing.T) {
	ctx := context.Background()
	db := storetest.Open(t)
	q, err := jobs.New(ctx, jobs.Options{DB: db})
	if err != nil {
		t.Fatal(err)
	}
	var seen atomic.Int64
	jobs.Register(q, &pingWorker{seen: &seen})
	if err := q.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = q.Stop(sctx)
	})

	boom := errors.New("boom")
	err = db.InTx(ctx, func(tx *store.Tx) error {
		if _, err := q.InsertTx(ctx, tx, pingArgs{N: 100}, nil); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("InTx = %v", err)
	}
	unique := &river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true}}
	for range 2 {
		if err := db.InTx(ctx, func(tx *store.Tx) error {
			_, err := q.InsertTx(ctx, tx, pingArgs{N: 1}, unique)
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for seen.Load() < 1 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond)
	if got := seen.Load(); got != 1 {
		t.Fatalf("worked sum = %d, want 1 (rolled-back job must not run, unique job once)", got)
	}
	n, err := q.Count(ctx, "test_ping")
	if err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Fatalf("jobs stored = %d, want 1", n)
	}
}
