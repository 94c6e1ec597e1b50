// Package jobs is papo's durable job queue: River on both engines — the
// riverpgxv5 driver over the store's pgx pool on PostgreSQL (LISTEN/NOTIFY
// wakes workers at once), riversqlite over the store's single writer
// connection on SQLite. River's own tables are migrated at start with
// rivermigrate.
//
// Jobs are inserted inside the caller's transaction ([Queue.InsertTx]), so
// that a job exists exactly when the data it works on was committed — the
// outbox pattern without an outbox. The store's transactions are
// database/sql ones; on PostgreSQL they are inserted through a second,
// insert-only River client on the riverdatabasesql driver over the same
// pool (pgx's database/sql adapter), which shares River's tables and
// notifies the working client on commit.
//
// Register every worker ([Register]) before [Queue.Start]; [Queue.Stop]
// lets running jobs finish.
package jobs

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"

	"papo/internal/store"
)

// Queues papo works. Outbound sends are paced by their own rate limiters,
// so their queue may hold many jobs waiting at once.
const (
	QueueDefault  = river.QueueDefault
	QueueOutbound = "outbound"
)

// DefaultQueues are the queues and their worker counts when Options.Queues
// is nil.
func DefaultQueues() map[string]int {
	return map[string]int{QueueDefault: 20, QueueOutbound: 100}
}

// Options configure a Queue.
type Options struct {
	DB  *store.DB
	Log *slog.Logger
	// Queues maps queue names to their number of concurrent workers
	// (DefaultQueues when nil).
	Queues map[string]int
	// JobTimeout cancels a job's context after this long (default 2 min).
	JobTimeout time.Duration
	// RescueAfter is how long a job may stay running before it is taken to
	// have died with its process and is run again (default 5 min; must be
	// longer than JobTimeout).
	RescueAfter time.Duration
}

// Queue inserts and works papo's jobs. It is safe for concurrent use.
type Queue struct {
	db          *store.DB
	log         *slog.Logger
	workers     *river.Workers
	queues      map[string]river.QueueConfig
	jobTimeout  time.Duration
	rescueAfter time.Duration

	// ins inserts inside database/sql transactions (both engines).
	ins *river.Client[*sql.Tx]

	mu      sync.Mutex
	started bool
	lite    *river.Client[*sql.Tx] // SQLite: works
	pg      *river.Client[pgx.Tx]  // PostgreSQL: works
}

// New migrates River's tables and returns a Queue that can insert jobs at
// once and works them after Start.
func New(ctx context.Context, o Options) (*Queue, error) {
	q := &Queue{db: o.DB, log: o.Log, workers: river.NewWorkers(), jobTimeout: o.JobTimeout, rescueAfter: o.RescueAfter}
	if q.log == nil {
		q.log = slog.Default()
	}
	if q.jobTimeout <= 0 {
		q.jobTimeout = 2 * time.Minute
	}
	if q.rescueAfter <= q.jobTimeout {
		q.rescueAfter = max(5*time.Minute, q.jobTimeout+time.Minute)
	}
	queues := o.Queues
	if queues == nil {
		queues = DefaultQueues()
	}
	q.queues = make(map[string]river.QueueConfig, len(queues))
	for name, n := range queues {
		q.queues[name] = river.QueueConfig{MaxWorkers: max(n, 1)}
	}
	if err := q.migrate(ctx); err != nil {
		return nil, err
	}
	var err error
	switch o.DB.Dialect {
	case store.SQLite:
		q.ins, err = river.NewClient(riversqlite.New(o.DB.W.DB), q.config(false))
	case store.Postgres:
		q.ins, err = river.NewClient(riverdatabasesql.New(o.DB.W.DB), q.config(false))
	default:
		err = fmt.Errorf("unknown dialect %q", o.DB.Dialect)
	}
	if err != nil {
		return nil, fmt.Errorf("jobs: insert client: %w", err)
	}
	return q, nil
}

// riverLog keeps River's own chatter at warnings and above.
func (q *Queue) riverLog() *slog.Logger {
	return slog.New(levelFilter{q.log.Handler(), slog.LevelWarn}).With("component", "river")
}

func (q *Queue) config(work bool) *river.Config {
	c := &river.Config{
		Logger:               q.riverLog(),
		Workers:              q.workers,
		JobTimeout:           q.jobTimeout,
		RescueStuckJobsAfter: q.rescueAfter,
		// Sends are retried by their worker (snoozes); this bounds jobs
		// that keep failing for unexpected reasons (database errors).
		MaxAttempts: 25,
	}
	if work {
		c.Queues = q.queues
		c.FetchPollInterval = 500 * time.Millisecond
	}
	return c
}

// migrate brings River's tables up to date. rivermigrate takes no lock, so
// on PostgreSQL an advisory lock (keyed by schema, like papo's own
// migrations) keeps instances starting together from migrating twice.
func (q *Queue) migrate(ctx context.Context) error {
	log := q.riverLog()
	switch q.db.Dialect {
	case store.SQLite:
		m, err := rivermigrate.New(riversqlite.New(q.db.W.DB), &rivermigrate.Config{Logger: log})
		if err != nil {
			return fmt.Errorf("jobs: migrate: %w", err)
		}
		if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
			return fmt.Errorf("jobs: migrate: %w", err)
		}
		return nil
	case store.Postgres:
		conn, err := q.db.Pool.Acquire(ctx)
		if err != nil {
			return fmt.Errorf("jobs: migrate: %w", err)
		}
		defer conn.Release()
		var schema string
		if err := conn.QueryRow(ctx, "SELECT current_schema()").Scan(&schema); err != nil {
			return fmt.Errorf("jobs: migrate: current schema: %w", err)
		}
		h := fnv.New64a()
		h.Write([]byte("papo-river-migrate:" + schema))
		key := int64(h.Sum64() >> 1)
		if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", key); err != nil {
			return fmt.Errorf("jobs: migrate: lock: %w", err)
		}
		defer func() { _, _ = conn.Exec(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", key) }()
		m, err := rivermigrate.New(riverpgxv5.New(q.db.Pool), &rivermigrate.Config{Logger: log})
		if err != nil {
			return fmt.Errorf("jobs: migrate: %w", err)
		}
		if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
			return fmt.Errorf("jobs: migrate: %w", err)
		}
		return nil
	}
	return fmt.Errorf("jobs: unknown dialect %q", q.db.Dialect)
}

// Register adds the worker of one job kind. Call it before Start.
func Register[T river.JobArgs](q *Queue, w river.Worker[T]) {
	river.AddWorker(q.workers, w)
}

// Start begins working jobs. It returns once the working client runs.
func (q *Queue) Start(ctx context.Context) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.started {
		return nil
	}
	var err error
	switch q.db.Dialect {
	case store.SQLite:
		if q.lite, err = river.NewClient(riversqlite.New(q.db.W.DB), q.config(true)); err == nil {
			err = q.lite.Start(ctx)
		}
	case store.Postgres:
		if q.pg, err = river.NewClient(riverpgxv5.New(q.db.Pool), q.config(true)); err == nil {
			err = q.pg.Start(ctx)
		}
	}
	if err != nil {
		return fmt.Errorf("jobs: start: %w", err)
	}
	q.started = true
	return nil
}

// Stop stops fetching jobs and waits for running ones until ctx ends, then
// cancels them (they are run again after the next start).
func (q *Queue) Stop(ctx context.Context) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if !q.started {
		return nil
	}
	q.started = false
	var err error
	switch {
	case q.lite != nil:
		err = q.lite.StopAndCancel(ctx)
		if err == nil || errors.Is(err, context.DeadlineExceeded) {
			err = nil
		}
		q.lite = nil
	case q.pg != nil:
		err = q.pg.StopAndCancel(ctx)
		if err == nil || errors.Is(err, context.DeadlineExceeded) {
			err = nil
		}
		q.pg = nil
	}
	if err != nil {
		return fmt.Errorf("jobs: stop: %w", err)
	}
	return nil
}

// InsertTx inserts a job in the caller's transaction: it becomes workable
// when tx commits and vanishes if tx rolls back. A unique job (see
// river.InsertOpts.UniqueOpts) that already exists is not inserted again:
// the result's UniqueSkippedAsDuplicate says so.
func (q *Queue) InsertTx(ctx context.Context, tx *store.Tx, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error) {
	res, err := q.ins.InsertTx(ctx, tx.Tx, args, opts)
	if err != nil {
		return nil, fmt.Errorf("jobs: insert %s: %w", args.Kind(), err)
	}
	return res, nil
}

// Insert inserts a job in a transaction of its own.
func (q *Queue) Insert(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error) {
	var res *rivertype.JobInsertResult
	err := q.db.InTx(ctx, func(tx *store.Tx) error {
		var err error
		res, err = q.InsertTx(ctx, tx, args, opts)
		return err
	})
	return res, err
}

// Count returns how many jobs of a kind exist in the given states (every
// state when none is given); tests and benchmarks use it.
func (q *Queue) Count(ctx context.Context, kind string, states ...rivertype.JobState) (int, error) {
	params := river.NewJobListParams().Kinds(kind).First(10000)
	if len(states) > 0 {
		params = params.States(states...)
	}
	n := 0
	for {
		res, err := q.ins.JobList(ctx, params)
		if err != nil {
			return 0, fmt.Errorf("jobs: list %s: %w", kind, err)
		}
		n += len(res.Jobs)
		if len(res.Jobs) < 10000 {
			return n, nil
		}
		params = params.After(res.LastCursor)
	}
}

// levelFilter drops records below a level.
type levelFilter struct {
	slog.Handler
	min slog.Level
}

func (f levelFilter) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= f.min && f.Handler.Enabled(ctx, l)
}

func (f levelFilter) WithAttrs(as []slog.Attr) slog.Handler {
	return levelFilter{f.Handler.WithAttrs(as), f.min}
}

func (f levelFilter) WithGroup(name string) slog.Handler {
	return levelFilter{f.Handler.WithGroup(name), f.min}
}
