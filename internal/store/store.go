// Package store opens Tillit's database (embedded SQLite by default, PostgreSQL
// when configured), applies the migrations, and runs transactions. Business
// packages write portable SQL with $1-style placeholders; the small differences
// between the engines stay in this package.
//
// Every state change runs inside DB.Write: one transaction that carries the time
// it started at (Tx.Now), so the changed rows, ledger postings, audit entries and
// enqueued jobs share a timestamp and commit together. Optimistic-concurrency
// conflicts and serialization failures are retried automatically.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/tillit/tillit/internal/clock"
)

// Dialect names a storage engine.
type Dialect string

// The supported engines.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// ErrConflict reports that a row changed under an optimistic update. DB.Write
// retries the whole transaction when it sees it.
var ErrConflict = errors.New("store: concurrent update, retry")

// DB is an open database.
type DB struct {
	Dialect Dialect
	Clock   clock.Clock
	write   *sql.DB
	read    *sql.DB
	batch   *batcher
	ckpt    *checkpointer
	// writeStmts and readStmts cache prepared statements on SQLite.
	writeStmts, readStmts *stmtCache
}

// DefaultSQLitePath is where `tillit serve` keeps its embedded database unless
// TILLIT_DATABASE_URL says otherwise.
const DefaultSQLitePath = "tillit.db"

// PostgresPoolSize is how many connections one process opens to PostgreSQL.
const PostgresPoolSize = 8

// Open connects to the database named by dsn: a postgres:// or postgresql://
// URL for PostgreSQL, or a file path (optionally prefixed with sqlite:) for
// SQLite. It does not migrate; call Migrate.
func Open(ctx context.Context, dsn string, clk clock.Clock) (*DB, error) {
	if clk == nil {
		clk = clock.System{}
	}
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		pool, err := sql.Open("pgx", dsn)
		if err != nil {
			return nil, fmt.Errorf("store: open postgres: %w", err)
		}
		// A small pool: on a few cores more connections only queue inside
		// PostgreSQL (measured in docs/benchmarks.md).
		pool.SetMaxOpenConns(PostgresPoolSize)
		pool.SetMaxIdleConns(PostgresPoolSize)
		pool.SetConnMaxIdleTime(5 * time.Minute)
		if err := pool.PingContext(ctx); err != nil {
			pool.Close()
			return nil, fmt.Errorf("store: connect postgres: %w", err)
		}
		return &DB{Dialect: Postgres, Clock: clk, write: pool, read: pool}, nil
	}
	return openSQLite(ctx, strings.TrimPrefix(dsn, "sqlite:"), clk)
}

// openSQLite opens one writer connection and a small pool of readers on the
// same file. SQLite allows one writer at a time; queueing writers in Go rather
// than in SQLite's busy handler keeps latency fair and predictable.
func openSQLite(ctx context.Context, path string, clk clock.Clock) (*DB, error) {
	if path == "" {
		path = DefaultSQLitePath
	}
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("store: create directory for %s: %w", path, err)
		}
	}
	params := url.Values{}
	// temp_store(MEMORY) keeps the savepoint journals of batched writes off
	// the disk; it holds nothing that durability depends on.
	for _, p := range []string{"journal_mode(WAL)", "synchronous(FULL)", "foreign_keys(1)", "busy_timeout(10000)", "temp_store(MEMORY)"} {
		params.Add("_pragma", p)
	}
	ckptConn, err := sql.Open("sqlite", "file:"+path+"?"+params.Encode())
	if err != nil {
		return nil, fmt.Errorf("store: open sqlite: %w", err)
	}
	ckptConn.SetMaxOpenConns(1)
	params.Set("_txlock", "immediate")
	writerParams := url.Values{}
	for k, v := range params {
		writerParams[k] = append([]string(nil), v...)
	}
	writerParams.Add("_pragma", "wal_autocheckpoint(0)")
	write, err := sql.Open("sqlite", "file:"+path+"?"+writerParams.Encode())
	if err != nil {
		ckptConn.Close()
		return nil, fmt.Errorf("store: open sqlite: %w", err)
	}
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxIdleTime(0)
	if err := write.PingContext(ctx); err != nil {
		write.Close()
		ckptConn.Close()
		return nil, fmt.Errorf("store: open sqlite %s: %w", path, err)
	}
	params.Set("_txlock", "deferred")
	params.Add("_pragma", "query_only(1)")
	read, err := sql.Open("sqlite", "file:"+path+"?"+params.Encode())
	if err != nil {
		write.Close()
		ckptConn.Close()
		return nil, fmt.Errorf("store: open sqlite readers: %w", err)
	}
	read.SetMaxOpenConns(8)
	read.SetMaxIdleConns(8)
	db := &DB{Dialect: SQLite, Clock: clk, write: write, read: read, writeStmts: newStmtCache(write), readStmts: newStmtCache(read)}
	db.batch = newBatcher(db)
	db.ckpt = startCheckpointer(ckptConn)
	return db, nil
}

// Close closes every connection.
func (db *DB) Close() error {
	if db.batch != nil {
		db.batch.close()
	}
	if db.writeStmts != nil {
		db.writeStmts.close()
		db.readStmts.close()
	}
	var err error
	if db.ckpt != nil {
		err = db.ckpt.close()
	}
	err = errors.Join(err, db.write.Close())
	if db.read != db.write {
		err = errors.Join(err, db.read.Close())
	}
	return err
}

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error {
	return db.write.PingContext(ctx)
}

// Tx is a transaction together with the time it started at.
type Tx struct {
	tx      *sql.Tx
	Now     time.Time
	Dialect Dialect
	ctx     context.Context
	// stmtCtx, when set, is the context statements run under instead of ctx:
	// in a shared SQLite batch one caller's cancellation must not interrupt
	// the connection the others are using.
	stmtCtx context.Context
	// stmts is the pool's statement cache (SQLite only); unprepared lists the
	// queries this transaction ran that are not cached yet.
	stmts      *stmtCache
	unprepared []string
}

// statementContext is the context statements run under.
func (t *Tx) statementContext() context.Context {
	if t.stmtCtx != nil {
		return t.stmtCtx
	}
	return t.ctx
}

// Context returns the context the transaction runs under.
func (t *Tx) Context() context.Context { return t.ctx }

// Exec runs a statement.
func (t *Tx) Exec(query string, args ...any) (sql.Result, error) {
	if s := t.statement(query); s != nil {
		return s.ExecContext(t.statementContext(), args...)
	}
	return t.tx.ExecContext(t.statementContext(), query, args...)
}

// ExecOne runs a statement that must change exactly one row; otherwise it
// returns ErrConflict (for optimistic updates) so the transaction is retried.
func (t *Tx) ExecOne(query string, args ...any) error {
	res, err := t.Exec(query, args...)
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n != 1 {
		return ErrConflict
	}
	return nil
}

// Query runs a query returning rows.
func (t *Tx) Query(query string, args ...any) (*sql.Rows, error) {
	if s := t.statement(query); s != nil {
		return s.QueryContext(t.statementContext(), args...)
	}
	return t.tx.QueryContext(t.statementContext(), query, args...)
}

// QueryRow runs a query returning at most one row.
func (t *Tx) QueryRow(query string, args ...any) *sql.Row {
	if s := t.statement(query); s != nil {
		return s.QueryRowContext(t.statementContext(), args...)
	}
	return t.tx.QueryRowContext(t.statementContext(), query, args...)
}

// maxAttempts bounds how often a conflicting transaction is retried.
const maxAttempts = 20

// Write runs fn in a read-write transaction and commits it if fn returns nil;
// it returns only once the commit is durable. Conflicts (ErrConflict,
// serialization failures, deadlocks, SQLite busy) roll back and run fn again,
// so fn must not have side effects outside the transaction. On SQLite, Writes
// that queue up together share one commit (see batch.go); fn must not call
// Write itself.
func (db *DB) Write(ctx context.Context, fn func(tx *Tx) error) error {
	if db.batch != nil {
		return db.batch.submit(ctx, fn)
	}
	return db.run(ctx, db.write, false, fn)
}

// Read runs fn in a read-only transaction, which sees one consistent snapshot.
func (db *DB) Read(ctx context.Context, fn func(tx *Tx) error) error {
	return db.run(ctx, db.read, true, fn)
}

// cacheFor returns the statement cache of a pool, or nil.
func (db *DB) cacheFor(pool *sql.DB) *stmtCache {
	switch {
	case db.writeStmts == nil:
		return nil
	case pool == db.write:
		return db.writeStmts
	}
	return db.readStmts
}

func (db *DB) run(ctx context.Context, pool *sql.DB, readOnly bool, fn func(tx *Tx) error) error {
	var err error
	for attempt := 0; attempt < maxAttempts; attempt++ {
		err = db.once(ctx, pool, readOnly, fn)
		if err == nil || !retryable(err) {
			return err
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		time.Sleep(time.Duration(attempt+1) * time.Millisecond)
	}
	return err
}

func (db *DB) once(ctx context.Context, pool *sql.DB, readOnly bool, fn func(tx *Tx) error) error {
	opts := &sql.TxOptions{ReadOnly: readOnly && db.Dialect == Postgres}
	sqlTx, err := pool.BeginTx(ctx, opts)
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	cache := db.cacheFor(pool)
	tx := &Tx{tx: sqlTx, Now: db.Clock.Now().UTC().Truncate(time.Microsecond), Dialect: db.Dialect, ctx: ctx, stmts: cache}
	err = fn(tx)
	if err != nil {
		_ = sqlTx.Rollback()
	} else if err = sqlTx.Commit(); err != nil {
		err = fmt.Errorf("store: commit: %w", err)
	}
	if cache != nil && len(tx.unprepared) > 0 {
		cache.prepare(tx.unprepared)
	}
	return err
}

func retryable(err error) bool {
	if errors.Is(err, ErrConflict) {
		return true
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code == "40001" || pgErr.Code == "40P01"
	}
	var sqErr *sqlite.Error
	if errors.As(err, &sqErr) {
		code := sqErr.Code() & 0xff
		return code == sqlite3.SQLITE_BUSY || code == sqlite3.SQLITE_LOCKED
	}
	return false
}

// IsUniqueViolation reports whether err is a unique-constraint violation on
// either engine.
func IsUniqueViolation(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code == "23505"
	}
	var sqErr *sqlite.Error
	if errors.As(err, &sqErr) {
		return sqErr.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || sqErr.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	return false
}

// Micros converts a time to the int64 microseconds since the Unix epoch in
// which every timestamp column is stored (the one representation that sorts and
// compares identically on both engines).
func Micros(t time.Time) int64 { return t.UnixMicro() }

// FromMicros converts a stored timestamp back to UTC time.
func FromMicros(us int64) time.Time { return time.UnixMicro(us).UTC() }
