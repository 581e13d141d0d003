package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"time"
)

// Group commit for SQLite.
//
// SQLite has one writer, and with synchronous=FULL every commit waits for the
// disk. Rather than one disk flush per Write, a single goroutine owns the
// writer connection and runs the Writes queued while the previous commit was
// flushing as one transaction, each inside its own savepoint: a Write that
// fails rolls back to its savepoint without touching the others, and every
// caller returns only after the shared commit is durable. A Write's outcome is
// therefore exactly what it would be alone, at a fraction of the flushes.

// maxBatch bounds how many Writes share one commit.
const maxBatch = 128

// writeRequest is one queued Write.
type writeRequest struct {
	ctx  context.Context
	fn   func(tx *Tx) error
	done chan error
}

// batcher runs queued Writes in shared transactions.
type batcher struct {
	db       *DB
	requests chan *writeRequest
	stop     chan struct{}
	stopped  sync.WaitGroup
}

type inBatchKey struct{}

// errNestedWrite reports a Write issued from inside another Write's function,
// which would wait for itself.
var errNestedWrite = errors.New("store: Write called inside a Write; pass the *Tx instead")

func newBatcher(db *DB) *batcher {
	b := &batcher{db: db, requests: make(chan *writeRequest, 4*maxBatch), stop: make(chan struct{})}
	b.stopped.Add(1)
	go b.loop()
	return b
}

// submit queues fn and waits for its outcome.
func (b *batcher) submit(ctx context.Context, fn func(tx *Tx) error) error {
	if ctx.Value(inBatchKey{}) != nil {
		return errNestedWrite
	}
	req := &writeRequest{ctx: ctx, fn: fn, done: make(chan error, 1)}
	select {
	case b.requests <- req:
	case <-ctx.Done():
		return ctx.Err()
	case <-b.stop:
		return errors.New("store: database is closed")
	}
	return <-req.done
}

func (b *batcher) loop() {
	defer b.stopped.Done()
	for {
		var first *writeRequest
		select {
		case first = <-b.requests:
		case <-b.stop:
			b.failQueued()
			return
		}
		batch := []*writeRequest{first}
	drain:
		for len(batch) < maxBatch {
			select {
			case r := <-b.requests:
				batch = append(batch, r)
			default:
				break drain
			}
		}
		b.run(batch)
	}
}

// failQueued answers every request still queued after Close.
func (b *batcher) failQueued() {
	for {
		select {
		case r := <-b.requests:
			r.done <- errors.New("store: database is closed")
		default:
			return
		}
	}
}

// run executes one batch in one transaction.
func (b *batcher) run(batch []*writeRequest) {
	results := make([]error, len(batch))
	err := b.runOnce(batch, results)
	for attempt := 1; err != nil && retryable(err) && attempt < maxAttempts; attempt++ {
		time.Sleep(time.Duration(attempt) * time.Millisecond)
		err = b.runOnce(batch, results)
	}
	for i, r := range batch {
		if err != nil && results[i] == nil {
			results[i] = err
		}
		r.done <- results[i]
	}
}

func (b *batcher) runOnce(batch []*writeRequest, results []error) error {
	ctx := context.Background()
	sqlTx, err := b.db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	var unprepared []string
	for i, r := range batch {
		results[i] = b.runOne(ctx, sqlTx, r, &unprepared)
	}
	err = sqlTx.Commit()
	if err != nil {
		_ = sqlTx.Rollback()
		err = fmt.Errorf("store: commit: %w", err)
	}
	if len(unprepared) > 0 {
		b.db.writeStmts.prepare(unprepared)
	}
	return err
}

// runOne runs one request inside a savepoint, retrying it on conflicts.
func (b *batcher) runOne(ctx context.Context, sqlTx *sql.Tx, r *writeRequest, unprepared *[]string) error {
	if err := r.ctx.Err(); err != nil {
		return err
	}
	var err error
	for attempt := 0; attempt < maxAttempts; attempt++ {
		if _, err = sqlTx.ExecContext(ctx, "SAVEPOINT write_request"); err != nil {
			return err
		}
		tx := &Tx{tx: sqlTx, Now: b.db.Clock.Now().UTC().Truncate(time.Microsecond), Dialect: b.db.Dialect,
			ctx: context.WithValue(r.ctx, inBatchKey{}, true), stmtCtx: ctx, stmts: b.db.writeStmts}
		err = r.fn(tx)
		*unprepared = append(*unprepared, tx.unprepared...)
		if err == nil {
			_, err = sqlTx.ExecContext(ctx, "RELEASE write_request")
			return err
		}
		if _, rbErr := sqlTx.ExecContext(ctx, "ROLLBACK TO write_request"); rbErr != nil {
			return errors.Join(err, rbErr)
		}
		if _, rbErr := sqlTx.ExecContext(ctx, "RELEASE write_request"); rbErr != nil {
			return errors.Join(err, rbErr)
		}
		if !errors.Is(err, ErrConflict) {
			return err
		}
	}
	return err
}

// close stops the batcher after the running batch.
func (b *batcher) close() {
	close(b.stop)
	b.stopped.Wait()
}
