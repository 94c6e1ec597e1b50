package store

import (
	"container/list"
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"reflect"
	"sync"

	"modernc.org/sqlite"
)

// SQLite compiles every statement it runs, and papo's queries are sent as
// text (sqlx with arguments), so without help each execution parses and
// plans its SQL again — most of the CPU of a write-heavy path such as the
// webhook's. PostgreSQL through pgx caches prepared statements per
// connection by itself; this file gives SQLite connections the same: each
// keeps its compiled statements by query text (least recently used evicted)
// and reuses them, which modernc.org/sqlite supports (a statement is reset,
// not finalized, after use).

// stmtCacheSize bounds the statements one connection keeps.
const stmtCacheSize = 512

// openSQLiteDB opens a database/sql pool on dsn whose connections cache
// their prepared statements.
func openSQLiteDB(dsn string) *sql.DB {
	return sql.OpenDB(&cachingConnector{dsn: dsn, drv: &sqlite.Driver{}})
}

type cachingConnector struct {
	dsn string
	drv *sqlite.Driver
}

func (c *cachingConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.drv.Open(c.dsn)
	if err != nil {
		return nil, err
	}
	return &cachedConn{Conn: conn, stmts: map[string]*cachedStmt{}, lru: list.New()}, nil
}

func (c *cachingConnector) Driver() driver.Driver { return c.drv }

// cachedConn is a driver connection that reuses compiled statements for
// Exec and Query. database/sql uses a connection from one goroutine at a
// time; the mutex only guards against a Rows closed elsewhere.
type cachedConn struct {
	driver.Conn
	mu    sync.Mutex
	stmts map[string]*cachedStmt
	lru   *list.List // of *cachedStmt, most recently used first
}

type cachedStmt struct {
	query   string
	st      driver.Stmt
	busy    bool // a Rows reads from it
	evicted bool // close when no longer busy
	elem    *list.Element
}

var (
	_ driver.ExecerContext      = (*cachedConn)(nil)
	_ driver.QueryerContext     = (*cachedConn)(nil)
	_ driver.ConnPrepareContext = (*cachedConn)(nil)
	_ driver.ConnBeginTx        = (*cachedConn)(nil)
	_ driver.SessionResetter    = (*cachedConn)(nil)
	_ driver.Validator          = (*cachedConn)(nil)
	_ driver.Pinger             = (*cachedConn)(nil)
)

// stmt returns the compiled statement for query, marked busy; fresh means
// it is not cached (the cached one is in use) and must be closed after use.
func (c *cachedConn) stmt(ctx context.Context, query string) (cs *cachedStmt, fresh bool, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if cs := c.stmts[query]; cs != nil {
		if !cs.busy {
			cs.busy = true
			c.lru.MoveToFront(cs.elem)
			return cs, false, nil
		}
		st, err := c.prepare(ctx, query)
		if err != nil {
			return nil, false, err
		}
		return &cachedStmt{query: query, st: st, busy: true}, true, nil
	}
	st, err := c.prepare(ctx, query)
	if err != nil {
		return nil, false, err
	}
	cs = &cachedStmt{query: query, st: st, busy: true}
	cs.elem = c.lru.PushFront(cs)
	c.stmts[query] = cs
	for c.lru.Len() > stmtCacheSize {
		old := c.lru.Back().Value.(*cachedStmt)
		c.dropLocked(old)
	}
	return cs, false, nil
}

func (c *cachedConn) prepare(ctx context.Context, query string) (driver.Stmt, error) {
	if p, ok := c.Conn.(driver.ConnPrepareContext); ok {
		return p.PrepareContext(ctx, query)
	}
	return c.Conn.Prepare(query)
}

// dropLocked removes cs from the cache, closing it now or when released.
func (c *cachedConn) dropLocked(cs *cachedStmt) {
	if cs.elem != nil {
		c.lru.Remove(cs.elem)
		cs.elem = nil
	}
	if c.stmts[cs.query] == cs {
		delete(c.stmts, cs.query)
	}
	if cs.busy {
		cs.evicted = true
		return
	}
	_ = cs.st.Close()
}

// release ends a use of cs. A statement that failed is dropped: the next
// use compiles it afresh.
func (c *cachedConn) release(cs *cachedStmt, fresh bool, failed bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if fresh {
		_ = cs.st.Close()
		return
	}
	cs.busy = false
	if failed && !cs.evicted {
		c.dropLocked(cs)
		return
	}
	if cs.evicted {
		_ = cs.st.Close()
	}
}

func (c *cachedConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	cs, fresh, err := c.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	var res driver.Result
	if ex, ok := cs.st.(driver.StmtExecContext); ok {
		res, err = ex.ExecContext(ctx, args)
	} else {
		err = driver.ErrSkip
	}
	c.release(cs, fresh, err != nil)
	return res, err
}

func (c *cachedConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	cs, fresh, err := c.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	q, ok := cs.st.(driver.StmtQueryContext)
	if !ok {
		c.release(cs, fresh, false)
		return nil, driver.ErrSkip
	}
	rows, err := q.QueryContext(ctx, args)
	if err != nil {
		c.release(cs, fresh, true)
		return nil, err
	}
	return &cachedRows{Rows: rows, release: func(failed bool) { c.release(cs, fresh, failed) }}, nil
}

func (c *cachedConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	return c.prepare(ctx, query)
}

func (c *cachedConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	if b, ok := c.Conn.(driver.ConnBeginTx); ok {
		return b.BeginTx(ctx, opts)
	}
	return c.Conn.Begin() //nolint:staticcheck // fallback for drivers without BeginTx
}

func (c *cachedConn) ResetSession(ctx context.Context) error {
	if r, ok := c.Conn.(driver.SessionResetter); ok {
		return r.ResetSession(ctx)
	}
	return nil
}

func (c *cachedConn) IsValid() bool {
	if v, ok := c.Conn.(driver.Validator); ok {
		return v.IsValid()
	}
	return true
}

func (c *cachedConn) Ping(ctx context.Context) error {
	if p, ok := c.Conn.(driver.Pinger); ok {
		return p.Ping(ctx)
	}
	return nil
}

// Close closes the cached statements, then the connection.
func (c *cachedConn) Close() error {
	c.mu.Lock()
	var errs []error
	for _, cs := range c.stmts {
		if !cs.busy {
			errs = append(errs, cs.st.Close())
		}
	}
	c.stmts = map[string]*cachedStmt{}
	c.lru.Init()
	c.mu.Unlock()
	errs = append(errs, c.Conn.Close())
	return errors.Join(errs...)
}

// cachedRows hands the statement back when the rows are closed; it passes
// the driver's column type information through.
type cachedRows struct {
	driver.Rows
	once    sync.Once
	release func(failed bool)
}

func (r *cachedRows) Close() error {
	err := r.Rows.Close()
	r.once.Do(func() { r.release(err != nil) })
	return err
}

func (r *cachedRows) ColumnTypeDatabaseTypeName(i int) string {
	if t, ok := r.Rows.(driver.RowsColumnTypeDatabaseTypeName); ok {
		return t.ColumnTypeDatabaseTypeName(i)
	}
	return ""
}

func (r *cachedRows) ColumnTypeLength(i int) (int64, bool) {
	if t, ok := r.Rows.(driver.RowsColumnTypeLength); ok {
		return t.ColumnTypeLength(i)
	}
	return 0, false
}

func (r *cachedRows) ColumnTypeNullable(i int) (bool, bool) {
	if t, ok := r.Rows.(driver.RowsColumnTypeNullable); ok {
		return t.ColumnTypeNullable(i)
	}
	return false, false
}

func (r *cachedRows) ColumnTypePrecisionScale(i int) (int64, int64, bool) {
	if t, ok := r.Rows.(driver.RowsColumnTypePrecisionScale); ok {
		return t.ColumnTypePrecisionScale(i)
	}
	return 0, 0, false
}

func (r *cachedRows) ColumnTypeScanType(i int) reflect.Type {
	if t, ok := r.Rows.(driver.RowsColumnTypeScanType); ok {
		return t.ColumnTypeScanType(i)
	}
	return reflect.TypeFor[any]()
}
