// Package returns runs consumers' returns of goods (requirement B4; table
// returns).
//
// A consumer registers that they sent order lines back with a carrier and
// a tracking number. The order's payment plan pauses at once (package
// repayment: due dates move, no reminders, no late fees) for Config.PauseDays;
// the merchant gets the return.registered webhook and an e-mail. When the
// merchant refunds the order (checkout's OnRefund hook) the return is
// refunded and the plan resumes; a refund of money the consumer already
// paid is paid back to them by repayment as an overpayment payout. When the
// pause ends without a refund (durable job) the return is unrefunded, the
// plan resumes and the consumer is invited, by e-mail and in the app, to
// open a returned_not_refunded dispute. The merchant may mark the parcel
// received; the consumer may cancel a return still registered.
//
// One live (registered or received) return per order. Every transition is
// version-checked and audited in its transaction with the order as subject.
// The tracking number is sealed under the order's person.
package returns

import (
	"database/sql"
	"encoding/json"
	"errors"
	"log/slog"
	"time"

	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/repayment"
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/vault"
)

// Status is where a return is.
type Status string

// Statuses.
const (
	// Registered: the consumer sent the goods; the plan is paused.
	Registered Status = "registered"
	// Received: the merchant has the parcel; the plan stays paused.
	Received Status = "received"
	// Refunded: the merchant refunded the order; the plan resumed.
	Refunded Status = "refunded"
	// Unrefunded: the pause ended without a refund; the plan resumed and
	// the consumer was invited to dispute.
	Unrefunded Status = "unrefunded"
	// Cancelled: the consumer withdrew the return.
	Cancelled Status = "cancelled"
)

// Live reports whether the return still holds the order's payments.
func (s Status) Live() bool { return s == Registered || s == Received }

// Audit actions; the subject is the order.
const (
	ActionRegistered = "return.registered"
	ActionReceived   = "return.received"
	ActionRefunded   = "return.refunded"
	ActionUnrefunded = "return.unrefunded"
	ActionCancelled  = "return.cancelled"
)

// WebhookRegistered is the webhook event type sent to the merchant when a
// return is registered.
const WebhookRegistered = "return.registered"

// Error codes particular to returns.
const (
	// CodeAlreadyRegistered: the order already has a live return (409).
	CodeAlreadyRegistered = "RETURN_ALREADY_REGISTERED"
	// CodeChanged: the return changed since the version the caller read
	// (409); reload it.
	CodeChanged = "RETURN_CHANGED"
	// CodeNotLive: the return is no longer registered or received (409).
	CodeNotLive = "RETURN_NOT_LIVE"
)

// ContextTracking is the vault context of the sealed tracking number.
const ContextTracking = "returns.tracking_number"

// Limits of what the consumer sends.
const (
	MaxCarrier  = 60
	MaxTracking = 40
)

// Config is how returns run.
type Config struct {
	// PauseDays is how long the plan pauses for a registered return
	// (default 21, at most repayment.MaxPauseDays).
	PauseDays int
}

// DefaultPauseDays is the default pause of a return.
const DefaultPauseDays = 21

// DefaultConfig is the platform's configuration.
func DefaultConfig() Config { return Config{PauseDays: DefaultPauseDays} }

func (c Config) withDefaults() Config {
	if c.PauseDays <= 0 {
		c.PauseDays = DefaultPauseDays
	}
	c.PauseDays = min(c.PauseDays, repayment.MaxPauseDays)
	return c
}

// Line is one order line sent back: its position in the order's lines
// (from 0) and how many of it.
type Line struct {
	Index    int    `json:"index"`
	Name     string `json:"name,omitempty"`
	Quantity int64  `json:"quantity"`
}

// Return is what a consumer registers, and a registered return as its
// parties read it.
type Return struct {
	ID             string     `json:"return_id"`
	OrderID        string     `json:"order_id"`
	MerchantID     string     `json:"merchant_id"`
	Reference      string     `json:"order_reference"`
	Status         Status     `json:"status"`
	Lines          []Line     `json:"lines"`
	Amount         int64      `json:"amount"`
	Currency       string     `json:"currency"`
	Carrier        string     `json:"carrier"`
	TrackingNumber string     `json:"tracking_number"`
	RefundID       string     `json:"refund_id,omitempty"`
	CreatedAt      time.Time  `json:"created_at"`
	PauseUntil     time.Time  `json:"pause_until"`
	ReceivedAt     *time.Time `json:"received_at,omitempty"`
	ClosedAt       *time.Time `json:"closed_at,omitempty"`
	Version        int64      `json:"version"`

	personID string
	sealed   string
}

// subject is the vault subject of the sealed tracking number.
func (r Return) subject() string {
	if r.personID != "" {
		return r.personID
	}
	return r.ID
}

// Service runs returns.
type Service struct {
	db        *store.DB
	plans     *repayment.Service
	vault     *vault.Vault
	lookupKey string
	baseURL   string
	cfg       Config
	logger    *slog.Logger
}

// New returns a Service. lookupKey is the instance secret that keys the
// hash of e-mail recipients (ids.ConsumerKeySecret); baseURL is where the
// consumer app is served (for links in e-mails).
func New(db *store.DB, plans *repayment.Service, v *vault.Vault, lookupKey, baseURL string, cfg Config, logger *slog.Logger) *Service {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Service{db: db, plans: plans, vault: v, lookupKey: lookupKey, baseURL: baseURL, cfg: cfg.withDefaults(), logger: logger}
}

// Config returns the configuration in force.
func (s *Service) Config() Config { return s.cfg }

const returnColumns = `r.id, r.order_id, r.merchant_id, o.reference, COALESCE(r.person_id, ''), r.status, r.lines, r.amount, r.currency,
    r.carrier, r.tracking_number, r.refund_id, r.created_at, r.pause_until, r.received_at, r.closed_at, r.version`

const returnFrom = ` FROM returns r JOIN orders o ON o.id = r.order_id`

type scanner interface{ Scan(dest ...any) error }

func scanReturn(row scanner) (Return, error) {
	var (
		r                Return
		status, lines    string
		created, until   int64
		received, closed sql.NullInt64
	)
	if err := row.Scan(&r.ID, &r.OrderID, &r.MerchantID, &r.Reference, &r.personID, &status, &lines, &r.Amount, &r.Currency,
		&r.Carrier, &r.sealed, &r.RefundID, &created, &until, &received, &closed, &r.Version); err != nil {
		return Return{}, err
	}
	r.Status = Status(status)
	if err := json.Unmarshal([]byte(lines), &r.Lines); err != nil {
		return Return{}, err
	}
	r.CreatedAt, r.PauseUntil = store.FromMicros(created), store.FromMicros(until)
	r.ReceivedAt, r.ClosedAt = optTime(received), optTime(closed)
	return r, nil
}

func optTime(v sql.NullInt64) *time.Time {
	if !v.Valid {
		return nil
	}
	t := store.FromMicros(v.Int64)
	return &t
}

var errNotFound = apperr.New(apperr.NotFound, "No such return.")

// load reads a return by id. Errors: NOT_FOUND.
func load(tx *store.Tx, id string) (Return, error) {
	r, err := scanReturn(tx.QueryRow(`SELECT `+returnColumns+returnFrom+` WHERE r.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Return{}, errNotFound
	}
	return r, err
}

// open fills the sealed tracking number; a shredded one reads empty.
func (s *Service) open(tx *store.Tx, r Return) (Return, error) {
	t, err := s.vault.OpenString(tx, r.subject(), ContextTracking, r.sealed)
	if errors.Is(err, vault.ErrShredded) {
		return r, nil
	}
	r.TrackingNumber = t
	return r, err
}

// list reads the returns a query selects, tracking numbers opened.
func (s *Service) list(tx *store.Tx, where string, args ...any) ([]Return, error) {
	rows, err := tx.Query(`SELECT `+returnColumns+returnFrom+` WHERE `+where+` ORDER BY r.created_at DESC, r.id`, args...)
	if err != nil {
		return nil, err
	}
	var out []Return
	for rows.Next() {
		r, err := scanReturn(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, r)
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	for i := range out {
		if out[i], err = s.open(tx, out[i]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// save writes the return's mutable fields and bumps its version; a return
// changed meanwhile is CodeChanged.
func (r *Return) save(tx *store.Tx) error {
	var live, received, closed any
	if r.Status.Live() {
		live = r.OrderID
	}
	if r.ReceivedAt != nil {
		received = store.Micros(*r.ReceivedAt)
	}
	if r.ClosedAt != nil {
		closed = store.Micros(*r.ClosedAt)
	}
	res, err := tx.Exec(`UPDATE returns SET live_key = $1, status = $2, refund_id = $3, received_at = $4, closed_at = $5, version = version + 1
    WHERE id = $6 AND version = $7`, live, string(r.Status), r.RefundID, received, closed, r.ID, r.Version)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return apperr.New(CodeChanged, "The return changed meanwhile; reload it.")
	}
	r.Version++
	return nil
}

// check refuses a return changed since version, or no longer live.
func (r Return) check(version int64) error {
	if r.Version != version {
		return apperr.New(CodeChanged, "The return changed meanwhile (version %d, not %d); reload it.", r.Version, version)
	}
	if !r.Status.Live() {
		return apperr.New(CodeNotLive, "The return is %s.", r.Status)
	}
	return nil
}
