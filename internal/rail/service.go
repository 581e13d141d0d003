package rail

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/ids"
	"github.com/tillit/tillit/internal/jobs"
	"github.com/tillit/tillit/internal/store"
)

// Config holds the rail's timing.
type Config struct {
	// PollAfter is how long after the rail accepted a transfer its status is
	// first asked; while the rail says pending the wait doubles, up to
	// MaxDelay.
	PollAfter time.Duration
	// RetryAfter is the wait after the first transient Submit or Status
	// error; it doubles per error, up to MaxDelay.
	RetryAfter time.Duration
	// MaxDelay caps the waits between polls and between retries.
	MaxDelay time.Duration
	// MaxAttempts is how many times Submit is tried before the transfer
	// fails with ReasonUnavailable. Status errors are retried for as long as
	// it takes (the rail has the money), and logged as errors from this many
	// in a row on.
	MaxAttempts int
}

// DefaultConfig returns the shipped timing: first poll after 10 s, retries
// from 10 s, waits capped at 1 h, 8 Submit attempts (about 21 minutes).
func DefaultConfig() Config {
	return Config{PollAfter: 10 * time.Second, RetryAfter: 10 * time.Second, MaxDelay: time.Hour, MaxAttempts: 8}
}

// withDefaults fills zero fields from DefaultConfig.
func (c Config) withDefaults() Config {
	d := DefaultConfig()
	if c.PollAfter <= 0 {
		c.PollAfter = d.PollAfter
	}
	if c.RetryAfter <= 0 {
		c.RetryAfter = d.RetryAfter
	}
	if c.MaxDelay <= 0 {
		c.MaxDelay = d.MaxDelay
	}
	if c.MaxAttempts <= 0 {
		c.MaxAttempts = d.MaxAttempts
	}
	return c
}

// Hook runs in the transaction that settles a transfer; an error rolls the
// settlement back (the job or callback that settled it tries again).
type Hook func(tx *store.Tx, t Transfer) error

// Service creates transfers, drives them through the Adapter and settles
// them. Set the hooks before the job runner starts.
type Service struct {
	DB      *store.DB
	Adapter Adapter
	Config  Config
	Logger  *slog.Logger
	// OnConfirmed runs once per transfer, in the transaction that records it
	// confirmed. Nil does nothing.
	OnConfirmed Hook
	// OnFailed runs once per transfer, in the transaction that records it
	// failed. Nil does nothing.
	OnFailed Hook
}

// New returns a Service on db and adapter; zero fields of cfg take the
// defaults of DefaultConfig, and a nil logger means slog.Default().
func New(db *store.DB, adapter Adapter, cfg Config, logger *slog.Logger) *Service {
	if logger == nil {
		logger = slog.Default()
	}
	return &Service{DB: db, Adapter: adapter, Config: cfg.withDefaults(), Logger: logger}
}

// Job kinds the service enqueues; Register installs their handlers.
const (
	// JobSubmit submits a pending transfer to the rail.
	JobSubmit = "rail.submit"
	// JobPoll asks the rail for a submitted transfer's outcome.
	JobPoll = "rail.poll"
)

// Register installs the submit and poll job handlers on r.
func (s *Service) Register(r *jobs.Runner) {
	r.Register(JobSubmit, s.submit)
	r.Register(JobPoll, s.poll)
}

var errNoTransfer = apperr.New(apperr.NotFound, "No such transfer.")

// Create inserts t as a pending transfer and enqueues its submission, both in
// tx: the rail is asked only if tx commits. It returns the stored transfer.
// A transfer whose IdempotencyKey exists is not created again: the existing
// one is returned (whatever its status), and nothing is enqueued.
//
// Errors: BAD_VALUE (bad direction, order id, purpose, amount, currency,
// instrument or key; nothing is written), IDEMPOTENCY_KEY_REUSED (the key
// belongs to a different transfer).
func (s *Service) Create(tx *store.Tx, t Transfer) (Transfer, error) {
	if err := validate(t); err != nil {
		return Transfer{}, err
	}
	t.ID = ids.New()
	if t.IdempotencyKey == "" {
		t.IdempotencyKey = t.ID
	}
	existing, err := scanTransfer(tx.QueryRow(`SELECT `+columns+` FROM rail_transfers WHERE idempotency_key = $1`, t.IdempotencyKey))
	switch {
	case err == nil:
		if !sameRequest(existing, t) {
			return Transfer{}, apperr.New(apperr.IdempotencyReused, "The idempotency key was used for a different transfer.")
		}
		return existing, nil
	case !errors.Is(err, sql.ErrNoRows):
		return Transfer{}, fmt.Errorf("rail: look up idempotency key: %w", err)
	}
	t.Status, t.ProviderReference, t.FailureReason, t.Attempts = StatusPending, "", "", 0
	t.CreatedAt, t.SubmittedAt, t.SettledAt, t.Version = tx.Now, time.Time{}, time.Time{}, 1
	// DO NOTHING rather than a unique violation, which would abort the
	// caller's transaction on PostgreSQL: a concurrent transaction inserted
	// the key first, so retry the whole transaction, which then finds it.
	res, err := tx.Exec(`INSERT INTO rail_transfers (id, direction, order_id, purpose, amount, currency, instrument, status,
	failure_reason, attempts, idempotency_key, created_at, version)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, '', 0, $9, $10, 1)
ON CONFLICT (idempotency_key) DO NOTHING`,
		t.ID, string(t.Direction), t.OrderID, t.Purpose, t.Amount, t.Currency, t.Instrument, string(t.Status),
		t.IdempotencyKey, store.Micros(t.CreatedAt))
	if err != nil {
		return Transfer{}, fmt.Errorf("rail: insert transfer: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return Transfer{}, err
	} else if n != 1 {
		return Transfer{}, store.ErrConflict
	}
	if err := jobs.Enqueue(tx, jobs.Job{Kind: JobSubmit, UniqueKey: JobSubmit + ":" + t.ID, Payload: submitPayload{TransferID: t.ID}}); err != nil {
		return Transfer{}, err
	}
	return t, nil
}

// sameRequest reports whether a stored transfer is what t asks for.
func sameRequest(stored, t Transfer) bool {
	return stored.Direction == t.Direction && stored.OrderID == t.OrderID && stored.Purpose == t.Purpose &&
		stored.Amount == t.Amount && stored.Currency == t.Currency && stored.Instrument == t.Instrument
}

// Get returns a transfer. Errors: NOT_FOUND.
func (s *Service) Get(ctx context.Context, id string) (Transfer, error) {
	var t Transfer
	err := s.DB.Read(ctx, func(tx *store.Tx) error {
		var err error
		t, err = load(tx, id)
		return err
	})
	return t, err
}

// ListForOrder returns an order's transfers, oldest first (none for an
// unknown order).
func (s *Service) ListForOrder(ctx context.Context, orderID string) ([]Transfer, error) {
	var out []Transfer
	err := s.DB.Read(ctx, func(tx *store.Tx) error {
		out = nil
		rows, err := tx.Query(`SELECT `+columns+` FROM rail_transfers WHERE order_id = $1 ORDER BY created_at, id`, orderID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			t, err := scanTransfer(rows)
			if err != nil {
				return err
			}
			out = append(out, t)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("rail: list transfers of order: %w", err)
	}
	return out, nil
}

const columns = `id, direction, order_id, purpose, amount, currency, instrument, status, provider_reference, failure_reason,
	attempts, idempotency_key, created_at, submitted_at, settled_at, version`

// scanner is a *sql.Row or *sql.Rows.
type scanner interface{ Scan(dest ...any) error }

func scanTransfer(r scanner) (Transfer, error) {
	var (
		t                  Transfer
		ref                sql.NullString
		created            int64
		submitted, settled sql.NullInt64
		direction, status  string
	)
	if err := r.Scan(&t.ID, &direction, &t.OrderID, &t.Purpose, &t.Amount, &t.Currency, &t.Instrument, &status, &ref,
		&t.FailureReason, &t.Attempts, &t.IdempotencyKey, &created, &submitted, &settled, &t.Version); err != nil {
		return Transfer{}, err
	}
	t.Direction, t.Status, t.ProviderReference = Direction(direction), Status(status), ref.String
	t.CreatedAt = store.FromMicros(created)
	if submitted.Valid {
		t.SubmittedAt = store.FromMicros(submitted.Int64)
	}
	if settled.Valid {
		t.SettledAt = store.FromMicros(settled.Int64)
	}
	return t, nil
}

// load reads a transfer by id. Errors: NOT_FOUND.
func load(tx *store.Tx, id string) (Transfer, error) {
	t, err := scanTransfer(tx.QueryRow(`SELECT `+columns+` FROM rail_transfers WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Transfer{}, errNoTransfer
	}
	if err != nil {
		return Transfer{}, fmt.Errorf("rail: load transfer: %w", err)
	}
	return t, nil
}
