// Package jobs owns durable background work and timers: the jobs table, enqueueing
// work in the same transaction as the change that needs it, and the runner that
// claims due jobs, runs their handlers and retries failures with backoff.
//
// Delivery is at least once: a job row is deleted only after its handler
// succeeded, and a claimed job whose lease expires (the process died, or the
// handler overran Lease) is claimed again. Handlers must therefore be
// idempotent. Claiming uses only portable SQL (one conditional UPDATE ...
// RETURNING), so any number of processes may run a Runner against the same
// PostgreSQL database, and all times come from the database's clock, so tests
// drive timers by moving a clock.Manual and calling Runner.RunDue.
package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/tillit/tillit/internal/ids"
	"github.com/tillit/tillit/internal/store"
)

// Lease is how long a claimed job stays locked to the runner that claimed it.
// If the job is neither finished nor failed within Lease (the process crashed),
// any runner claims it again. Handlers should finish well within it; their
// context is cancelled after handlerTimeout.
const Lease = 5 * time.Minute

const (
	handlerTimeout = Lease - 30*time.Second
	backoffBase    = 10 * time.Second
	backoffCap     = time.Hour
	minRetryDelay  = time.Second
	maxErrorLen    = 1000
)

// Job is work to do at or after RunAt.
type Job struct {
	// Kind selects the Handler registered under that name.
	Kind string
	// UniqueKey is optional; at most one pending job exists per key.
	UniqueKey string
	// Payload is JSON-encoded with encoding/json (pass json.RawMessage for
	// bytes that already are JSON) and handed to the handler.
	Payload any
	// RunAt is the earliest time the job runs; the zero time means the
	// transaction's time (due now).
	RunAt time.Time
}

// Enqueue inserts j in tx (the same transaction as the change that needs it).
// With a UniqueKey that already has a pending job, the existing job's run_at and
// payload are replaced (so rescheduling a timer is Enqueue again); its attempt
// count and last error are reset. If that job is running right now, the
// replacement survives the run: the runner neither deletes nor reschedules a
// job that was replaced while it ran.
func Enqueue(tx *store.Tx, j Job) error {
	if j.Kind == "" {
		return errors.New("jobs: enqueue: empty kind")
	}
	payload, err := json.Marshal(j.Payload)
	if err != nil {
		return fmt.Errorf("jobs: enqueue %s: encode payload: %w", j.Kind, err)
	}
	runAt := j.RunAt
	if runAt.IsZero() {
		runAt = tx.Now
	}
	var key any
	if j.UniqueKey != "" {
		key = j.UniqueKey
	}
	// A replaced job gets a new id: the id together with locked_until is the
	// claim token a runner checks when it finishes a job, so a job replaced
	// while it runs is not deleted or rescheduled by that run.
	_, err = tx.Exec(`INSERT INTO jobs (id, kind, unique_key, payload, run_at, attempts, locked_until, last_error, created_at)
VALUES ($1, $2, $3, $4, $5, 0, 0, '', $6)
ON CONFLICT (unique_key) DO UPDATE SET
    id = excluded.id, kind = excluded.kind, payload = excluded.payload, run_at = excluded.run_at,
    attempts = 0, locked_until = 0, last_error = ''`,
		ids.New(), j.Kind, key, string(payload), store.Micros(runAt), store.Micros(tx.Now))
	if err != nil {
		return fmt.Errorf("jobs: enqueue %s: %w", j.Kind, err)
	}
	return nil
}

// Handler does one job; returning an error schedules a retry with exponential
// backoff (base 10s, doubling per attempt, capped at 1h), attempts counted; a
// handler can return jobs.Drop(err) to give up permanently (the job is deleted
// and the error logged) or jobs.RetryAt(t, err) to choose its own time. A panic
// counts as an error. Handlers must be idempotent (see the package doc).
type Handler func(ctx context.Context, payload []byte) error

// dropError is the error Drop returns.
type dropError struct{ err error }

func (e *dropError) Error() string {
	if e.err == nil {
		return "jobs: dropped"
	}
	return e.err.Error()
}
func (e *dropError) Unwrap() error { return e.err }

// Drop wraps err so that the runner deletes the job instead of retrying it,
// logging err. err may be nil.
func Drop(err error) error { return &dropError{err: err} }

// retryError is the error RetryAt returns.
type retryError struct {
	at  time.Time
	err error
}

func (e *retryError) Error() string {
	if e.err == nil {
		return "jobs: retry requested"
	}
	return e.err.Error()
}
func (e *retryError) Unwrap() error { return e.err }

// RetryAt wraps err so that the runner retries the job at t instead of after the
// default backoff. A t less than one second after now is raised to now+1s, so a
// handler cannot make RunDue spin. The attempt is still counted.
func RetryAt(t time.Time, err error) error { return &retryError{at: t, err: err} }

// Runner claims due jobs and runs their handlers.
type Runner struct {
	db       *store.DB
	logger   *slog.Logger
	mu       sync.Mutex
	handlers map[string]Handler
	unknown  map[string]bool // kinds already reported as unhandled
	wake     chan struct{}
	wg       sync.WaitGroup
}

// NewRunner returns a Runner on db with no handlers. A nil logger means
// slog.Default().
func NewRunner(db *store.DB, logger *slog.Logger) *Runner {
	if logger == nil {
		logger = slog.Default()
	}
	return &Runner{
		db:       db,
		logger:   logger,
		handlers: map[string]Handler{},
		unknown:  map[string]bool{},
		wake:     make(chan struct{}, 1),
	}
}

// Register installs h for jobs of kind, replacing any earlier handler. Jobs of
// kinds with no handler are left in the table untouched (another version of the
// binary may handle them) and reported once per kind in the log.
func (r *Runner) Register(kind string, h Handler) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.handlers[kind] = h
	delete(r.unknown, kind)
}

func (r *Runner) kinds() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	kinds := make([]string, 0, len(r.handlers))
	for k := range r.handlers {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	return kinds
}

func (r *Runner) handler(kind string) Handler {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.handlers[kind]
}

// claimed is a job this runner holds the lease of.
type claimed struct {
	id          string
	kind        string
	payload     []byte
	attempts    int
	lockedUntil int64 // with id, the claim token
}

// RunDue claims and runs, one after another, every job whose run_at <=
// db.Clock.Now(), including jobs that become due during the call because a
// handler enqueued them due now; returns how many ran. Tests call this after
// moving the manual clock. Cancelling ctx stops it between jobs; a running
// handler is allowed to finish (it gets a context that is not cancelled with
// ctx but times out before the lease expires). A job that fails is rescheduled
// for later than now, so it does not run twice in one call.
func (r *Runner) RunDue(ctx context.Context) (int, error) {
	kinds := r.kinds()
	if len(kinds) == 0 {
		return 0, nil
	}
	ran := 0
	for ctx.Err() == nil {
		job, err := r.claim(ctx, kinds)
		if err != nil {
			return ran, err
		}
		if job == nil {
			break
		}
		ran++
		if err := r.run(ctx, job); err != nil {
			return ran, err
		}
	}
	if ctx.Err() == nil {
		r.reportUnknown(ctx, kinds)
	}
	return ran, ctx.Err()
}

// kindList returns "$first, $first+1, ..." for len(kinds) placeholders and the
// kinds as arguments.
func kindList(first int, kinds []string) (string, []any) {
	ph := make([]string, len(kinds))
	args := make([]any, len(kinds))
	for i, k := range kinds {
		ph[i] = "$" + strconv.Itoa(first+i)
		args[i] = k
	}
	return strings.Join(ph, ", "), args
}

// claim takes the lease of one due, unlocked job of a handled kind, or returns
// nil if there is none. The outer locked_until condition is re-checked by
// PostgreSQL after a concurrent claim of the same row, so two processes never
// hold the same lease; the loser sees no row and looks again.
func (r *Runner) claim(ctx context.Context, kinds []string) (*claimed, error) {
	in, kindArgs := kindList(3, kinds)
	claimQuery := `UPDATE jobs SET locked_until = $1
WHERE id IN (SELECT id FROM jobs WHERE run_at <= $2 AND locked_until <= $2 AND kind IN (` + in + `) ORDER BY run_at, id LIMIT 1)
  AND locked_until <= $2
RETURNING id, kind, payload, attempts, locked_until`
	for try := 0; try < 5; try++ {
		var job *claimed
		err := r.db.Write(ctx, func(tx *store.Tx) error {
			job = nil
			now := store.Micros(tx.Now)
			args := append([]any{now + Lease.Microseconds(), now}, kindArgs...)
			rows, err := tx.Query(claimQuery, args...)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var c claimed
				var payload string
				if err := rows.Scan(&c.id, &c.kind, &payload, &c.attempts, &c.lockedUntil); err != nil {
					return err
				}
				c.payload = []byte(payload)
				job = &c
			}
			return rows.Err()
		})
		if err != nil {
			return nil, fmt.Errorf("jobs: claim: %w", err)
		}
		if job != nil {
			return job, nil
		}
		// No row: either nothing is due, or another process claimed the
		// row we raced for while other due jobs remain. Look before giving up.
		more, err := r.anyDue(ctx, kinds)
		if err != nil || !more {
			return nil, err
		}
	}
	return nil, nil
}

func (r *Runner) anyDue(ctx context.Context, kinds []string) (bool, error) {
	in, kindArgs := kindList(2, kinds)
	var found bool
	err := r.db.Read(ctx, func(tx *store.Tx) error {
		now := store.Micros(r.db.Clock.Now())
		rows, err := tx.Query(`SELECT id FROM jobs WHERE run_at <= $1 AND locked_until <= $1 AND kind IN (`+in+`) LIMIT 1`,
			append([]any{now}, kindArgs...)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		found = rows.Next()
		return rows.Err()
	})
	if err != nil {
		return false, fmt.Errorf("jobs: look for due jobs: %w", err)
	}
	return found, nil
}

// run runs one claimed job and records the outcome.
func (r *Runner) run(ctx context.Context, job *claimed) error {
	h := r.handler(job.kind)
	hctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), handlerTimeout)
	herr := safeCall(hctx, h, job.payload)
	cancel()

	// Record the outcome even if ctx was cancelled meanwhile.
	rctx := context.WithoutCancel(ctx)
	log := r.logger.With("job_id", job.id, "job_kind", job.kind, "attempt", job.attempts+1)
	var drop *dropError
	switch {
	case herr == nil:
		err := r.db.Write(rctx, func(tx *store.Tx) error {
			_, err := tx.Exec(`DELETE FROM jobs WHERE id = $1 AND locked_until = $2`, job.id, job.lockedUntil)
			return err
		})
		if err != nil {
			return fmt.Errorf("jobs: finish %s %s: %w", job.kind, job.id, err)
		}
		return nil
	case errors.As(herr, &drop):
		log.Error("job dropped", "error", herr.Error())
		err := r.db.Write(rctx, func(tx *store.Tx) error {
			_, err := tx.Exec(`DELETE FROM jobs WHERE id = $1 AND locked_until = $2`, job.id, job.lockedUntil)
			return err
		})
		if err != nil {
			return fmt.Errorf("jobs: drop %s %s: %w", job.kind, job.id, err)
		}
		return nil
	}

	attempts := job.attempts + 1
	var next time.Time
	err := r.db.Write(rctx, func(tx *store.Tx) error {
		next = tx.Now.Add(backoff(attempts))
		var retry *retryError
		if errors.As(herr, &retry) {
			next = retry.at
			if min := tx.Now.Add(minRetryDelay); next.Before(min) {
				next = min
			}
		}
		_, err := tx.Exec(`UPDATE jobs SET attempts = $3, last_error = $4, run_at = $5, locked_until = 0
WHERE id = $1 AND locked_until = $2`,
			job.id, job.lockedUntil, attempts, truncate(herr.Error(), maxErrorLen), store.Micros(next))
		return err
	})
	if err != nil {
		return fmt.Errorf("jobs: reschedule %s %s: %w", job.kind, job.id, err)
	}
	log.Warn("job failed, will retry", "error", herr.Error(), "retry_at", next)
	return nil
}

// safeCall runs h, turning a panic into an error.
func safeCall(ctx context.Context, h Handler, payload []byte) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("jobs: handler panic: %v\n%s", p, debug.Stack())
		}
	}()
	return h(ctx, payload)
}

// backoff is the delay before retrying a job that has failed attempts times
// (attempts >= 1): 10s, 20s, 40s, ... capped at 1h.
func backoff(attempts int) time.Duration {
	d := backoffBase
	for i := 1; i < attempts; i++ {
		d *= 2
		if d >= backoffCap {
			return backoffCap
		}
	}
	return d
}

// reportUnknown logs, once per kind and Runner, due jobs of kinds that have no
// handler here. They stay in the table for a binary that knows them.
func (r *Runner) reportUnknown(ctx context.Context, kinds []string) {
	in, kindArgs := kindList(2, kinds)
	var found []string
	err := r.db.Read(ctx, func(tx *store.Tx) error {
		found = found[:0]
		now := store.Micros(r.db.Clock.Now())
		rows, err := tx.Query(`SELECT DISTINCT kind FROM jobs WHERE run_at <= $1 AND kind NOT IN (`+in+`)`,
			append([]any{now}, kindArgs...)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var k string
			if err := rows.Scan(&k); err != nil {
				return err
			}
			found = append(found, k)
		}
		return rows.Err()
	})
	if err != nil {
		r.logger.Warn("jobs: looking for unhandled kinds failed", "error", err.Error())
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, k := range found {
		if !r.unknown[k] {
			r.unknown[k] = true
			r.logger.Warn("due jobs of a kind with no handler are left for another version", "job_kind", k)
		}
	}
}

// Workers is how many jobs one process runs at the same time in the
// background, so that one slow job (a webhook to a slow receiver) does not
// hold up the others.
const Workers = 4

// Start runs Workers loops that each run RunDue every interval (and sooner
// after Notify) until ctx is cancelled; Wait blocks until the loops stopped and
// in-flight jobs finished. Leases keep the loops from running a job twice.
// Errors are logged and the loops carry on.
func (r *Runner) Start(ctx context.Context, interval time.Duration) {
	if interval <= 0 {
		interval = time.Second
	}
	for i := 0; i < Workers; i++ {
		r.wg.Add(1)
		go func() {
			defer r.wg.Done()
			ticker := time.NewTicker(interval)
			defer ticker.Stop()
			for {
				if _, err := r.RunDue(ctx); err != nil && ctx.Err() == nil {
					r.logger.Error("jobs: run due jobs", "error", err.Error())
				}
				select {
				case <-ctx.Done():
					return
				case <-ticker.C:
				case <-r.wake:
				}
			}
		}()
	}
}

// Wait blocks until every loop started by Start has stopped (its ctx was
// cancelled) and the job it was running, if any, has finished.
func (r *Runner) Wait() { r.wg.Wait() }

// Notify wakes the loop early (call after committing a tx that enqueued due
// work). It never blocks.
func (r *Runner) Notify() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	// Cut on a rune boundary.
	for n > 0 && !utf8Start(s[n]) {
		n--
	}
	return s[:n] + "…"
}

func utf8Start(b byte) bool { return b&0xC0 != 0x80 }
