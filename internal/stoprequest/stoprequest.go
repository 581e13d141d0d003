// Package stoprequest asks a merchant to stop an order the security analysts
// found too risky after approval, and follows the merchant's answer to its
// end (requirements T4, T5, T6; table stop_requests).
//
// When an order's fraud status becomes STOPPED (package checkout calls
// Opened through its OnStopped hook, whichever way the status was set) a
// stop request opens in the same transaction. The merchant is told three
// ways, each with a link to the answer form: the FRAUD_RISK_STOPPED webhook
// (stop_request_url), an e-mail to the merchant's owners and admins, and a
// banner in the merchant portal. The link is signed for that request alone
// and expires (package signedlink); the same form is in the portal and the
// same answer is a JSON endpoint. Nothing the merchant is told names the
// consumer: the risk belongs to the order, and details go only to the
// person responsible for the payment.
//
// The merchant answers one of four things:
//   - not_shipped: the order was stopped before it shipped. The invoice is
//     removed: by Tillit at once (invoice_removal "tillit": the order is
//     cancelled, or refunded in full and the rest released), or by the
//     merchant's own order system through the Order Management API
//     (invoice_removal "merchant"), after which the merchant confirms and
//     the request closes as removed.
//   - service: a service, not goods. Access cut (service_stopped true) is
//     handled like not_shipped; a service that cannot be stopped leaves the
//     request awaiting_dispute: the platform waits for the consumer to
//     dispute the claim (package fraudcase).
//   - shipped: carrier and tracking number are required, picked up or not.
//     With PostNord or DB Schenker (Privpak) Tillit recalls the parcel
//     through the carrier's adapter (package carrier, a durable job); for
//     other carriers the merchant must recall it. Shipping without a
//     tracking number breaches the agreement: the claim is reversed to the
//     merchant at once (a "Return (fraud)" settlement line only).
//   - returned: the parcel came back and the order is registered returned:
//     refunded in full by Tillit, or by the merchant's own system and
//     confirmed.
//
// The fraud policy (T6) is met when the merchant is covered by it, answered
// before the deadline and did not ship without a tracking number. When the
// claim is finally cancelled as fraud (WriteOff: the parcel was delivered
// despite the recall, an analyst settles a lost parcel, or an investigation
// confirms the consumer is a victim), checkout's FraudWriteOff takes the
// captured amount back from the merchant and, when the policy was met, pays
// it back excluding VAT; otherwise the claim stays reversed to the merchant.
//
// Reminders go to the merchant while the request is unanswered; at the
// deadline the request is marked overdue (the policy no longer covers it)
// and keeps being reminded daily. Open requests are worked in priority
// order: the closest deadline first, then the largest amount, so the most
// orders are stopped in time. Every answer and staff action is audited.
package stoprequest

import (
	"database/sql"
	"encoding/json"
	"errors"
	"log/slog"
	"time"

	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/carrier"
	"github.com/tillit/tillit/internal/checkout"
	"github.com/tillit/tillit/internal/signedlink"
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/vault"
)

// Statuses of a stop request.
const (
	StatusOpen            = "open"
	StatusAwaitingRemoval = "awaiting_removal"
	StatusAwaitingDispute = "awaiting_dispute"
	StatusAwaitingReturn  = "awaiting_return"
	StatusClosed          = "closed"
)

// Outcomes of a closed stop request.
const (
	// OutcomeRemoved: stopped in time; the invoice was removed.
	OutcomeRemoved = "removed"
	// OutcomeReturned: the parcel came back and the order was returned.
	OutcomeReturned = "returned"
	// OutcomeWrittenOff: the claim was cancelled as fraud and the fraud
	// policy paid the merchant back excluding VAT.
	OutcomeWrittenOff = "written_off"
	// OutcomeReversed: the claim was cancelled as fraud and reversed to the
	// merchant, who did not meet the fraud policy.
	OutcomeReversed = "reversed_to_merchant"
)

// Answers a merchant can give.
const (
	AnswerNotShipped = "not_shipped"
	AnswerService    = "service"
	AnswerShipped    = "shipped"
	AnswerReturned   = "returned"
)

// Who removes the invoice of a stopped or returned order.
const (
	// RemovalByTillit: Tillit cancels or refunds the order at once.
	RemovalByTillit = "tillit"
	// RemovalByMerchant: the merchant's own order system cancels or
	// refunds it through the Order Management API; the merchant confirms.
	RemovalByMerchant = "merchant"
)

// Recall statuses (T5).
const (
	RecallPending         = "pending"
	RecallRecalled        = string(carrier.Recalled)
	RecallDelivered       = string(carrier.AlreadyDelivered)
	RecallUnknownTracking = string(carrier.UnknownTracking)
	// RecallByMerchant: Tillit cannot recall with this carrier.
	RecallByMerchant = "merchant_recalls"
)

// Error codes particular to stop requests.
const (
	// CodeAnswered: the request was already answered (HTTP 409); nothing
	// was written.
	CodeAnswered = "STOP_REQUEST_ANSWERED"
	// CodeNotRemoved: the merchant confirmed a removal the order does not
	// show yet (it still has an open authorization or an unrefunded
	// capture).
	CodeNotRemoved = "INVOICE_NOT_REMOVED"
)

// Audit actions; the subject is the order.
const (
	ActionOpened          = "stop_request.opened"
	ActionAnswered        = "stop_request.answered"
	ActionRemovalConfirm  = "stop_request.removal_confirmed"
	ActionRecalled        = "stop_request.recall"
	ActionWrittenOff      = "stop_request.written_off"
	ActionDeadlinePassed  = "stop_request.deadline_passed"
	ActionReminderSent    = "stop_request.reminder_sent"
	ActionAnsweredCorrect = "stop_request.tracking_corrected"
)

// LinkPurpose is the signedlink purpose of answer-form links.
const LinkPurpose = "stop-request-answer"

// FormPath is where the merchant portal serves the answer form of a signed
// link; the token follows it.
const FormPath = "/portal/stop-requests/answer/"

// VaultContextTracking is the vault context of a sealed tracking number.
const VaultContextTracking = "stop_requests.tracking_number"

// Config holds the timing of stop requests.
type Config struct {
	// AnswerWithin is how long the merchant has to answer for the fraud
	// policy to cover the order (default 48 hours).
	AnswerWithin time.Duration
	// RemindAfter is how long after opening, and then between, reminders go
	// out while the request is unanswered (default 12 hours; daily after
	// the deadline).
	RemindAfter time.Duration
	// LinkValidFor is how long a form link works (default 30 days: a late
	// answer is still wanted, it just falls outside the policy).
	LinkValidFor time.Duration
	// BaseURL is Tillit's public origin, such as https://pay.example.com,
	// that links start with.
	BaseURL string
}

func (c Config) withDefaults() Config {
	if c.AnswerWithin <= 0 {
		c.AnswerWithin = 48 * time.Hour
	}
	if c.RemindAfter <= 0 {
		c.RemindAfter = 12 * time.Hour
	}
	if c.LinkValidFor <= 0 {
		c.LinkValidFor = 30 * 24 * time.Hour
	}
	return c
}

// Service runs stop requests.
type Service struct {
	db        *store.DB
	checkout  *checkout.Service
	vault     *vault.Vault
	lookupKey string
	links     *signedlink.Signer
	carriers  carrier.Adapters
	cfg       Config
	logger    *slog.Logger
}

// New returns a Service. lookupKey is the instance secret that keys the
// hash of e-mail recipients (ids.ConsumerKeySecret).
func New(db *store.DB, co *checkout.Service, v *vault.Vault, lookupKey string, links *signedlink.Signer, carriers carrier.Adapters, cfg Config, logger *slog.Logger) *Service {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Service{db: db, checkout: co, vault: v, lookupKey: lookupKey, links: links, carriers: carriers, cfg: cfg.withDefaults(), logger: logger}
}

// Details are the merchant's choices with an answer (codes and flags only).
type Details struct {
	// InvoiceRemoval is RemovalByTillit or RemovalByMerchant.
	InvoiceRemoval string `json:"invoice_removal,omitempty"`
	// ServiceStopped answers a service: access cut (true) or it cannot be
	// stopped (false).
	ServiceStopped *bool `json:"service_stopped,omitempty"`
	// PickedUp says whether the consumer picked the parcel up: yes, no or
	// unknown.
	PickedUp string `json:"picked_up,omitempty"`
	// NoTrackingNumber is the merchant's statement that it shipped without
	// a tracking number.
	NoTrackingNumber bool `json:"shipped_without_tracking_number,omitempty"`
	// RemovalConfirmedAt is when the merchant confirmed its own system
	// removed the invoice.
	RemovalConfirmedAt *time.Time `json:"removal_confirmed_at,omitempty"`
}

// Request is a stop request as the merchant and staff see it. It carries
// nothing about the consumer; TrackingNumber is filled only by the views
// that open it (the merchant's own, the staff's and the case file).
type Request struct {
	ID              string     `json:"stop_request_id"`
	OrderID         string     `json:"order_id"`
	MerchantID      string     `json:"merchant_id"`
	Reference       string     `json:"order_reference"`
	Status          string     `json:"status"`
	Outcome         string     `json:"outcome,omitempty"`
	Answer          string     `json:"answer,omitempty"`
	Details         Details    `json:"details"`
	Carrier         string     `json:"carrier,omitempty"`
	TrackingNumber  string     `json:"tracking_number,omitempty"`
	RecallStatus    string     `json:"recall_status,omitempty"`
	RecallReference string     `json:"recall_reference,omitempty"`
	Amount          int64      `json:"amount"`
	Currency        string     `json:"currency"`
	Reminders       int        `json:"reminders"`
	CreatedAt       time.Time  `json:"created_at"`
	DeadlineAt      time.Time  `json:"deadline_at"`
	LinkExpiresAt   time.Time  `json:"-"`
	AnsweredAt      *time.Time `json:"answered_at,omitempty"`
	AnsweredBy      string     `json:"-"`
	AnsweredInTime  bool       `json:"answered_in_time"`
	ClosedAt        *time.Time `json:"closed_at,omitempty"`
	Version         int64      `json:"version"`

	personID       string
	sealedTracking string
	detailsJSON    string
}

// Overdue reports whether the request is unanswered past its deadline at
// now.
func (r Request) Overdue(now time.Time) bool {
	return r.Status == StatusOpen && !now.Before(r.DeadlineAt)
}

// Answerable reports whether the merchant can answer now: an open request,
// a shipped answer whose tracking number the carrier did not know (to
// correct it), or a shipped parcel that may come back (returned).
func (r Request) Answerable() bool {
	return r.Status == StatusOpen || r.Status == StatusAwaitingReturn
}

const requestColumns = `s.id, s.order_id, s.merchant_id, o.reference, COALESCE(s.person_id, ''), s.status, s.outcome, s.answer, s.answer_details,
    s.carrier, s.tracking_number, s.recall_status, s.recall_reference, s.amount, s.currency, s.reminders, s.created_at, s.deadline_at,
    s.link_expires_at, s.answered_at, s.answered_by, s.answered_in_time, s.closed_at, s.version`

const requestFrom = ` FROM stop_requests s JOIN orders o ON o.id = s.order_id`

type scanner interface{ Scan(dest ...any) error }

func scanRequest(row scanner) (Request, error) {
	var (
		r                         Request
		created, deadline, expiry int64
		answered, closed          sql.NullInt64
	)
	err := row.Scan(&r.ID, &r.OrderID, &r.MerchantID, &r.Reference, &r.personID, &r.Status, &r.Outcome, &r.Answer, &r.detailsJSON,
		&r.Carrier, &r.sealedTracking, &r.RecallStatus, &r.RecallReference, &r.Amount, &r.Currency, &r.Reminders, &created, &deadline,
		&expiry, &answered, &r.AnsweredBy, &r.AnsweredInTime, &closed, &r.Version)
	if err != nil {
		return Request{}, err
	}
	r.CreatedAt, r.DeadlineAt, r.LinkExpiresAt = store.FromMicros(created), store.FromMicros(deadline), store.FromMicros(expiry)
	if answered.Valid {
		t := store.FromMicros(answered.Int64)
		r.AnsweredAt = &t
	}
	if closed.Valid {
		t := store.FromMicros(closed.Int64)
		r.ClosedAt = &t
	}
	if err := json.Unmarshal([]byte(r.detailsJSON), &r.Details); err != nil {
		return Request{}, err
	}
	return r, nil
}

var errNotFound = apperr.New(apperr.NotFound, "No such stop request.")

// load reads a stop request by id; merchantID, when set, must own it (another
// merchant's request answers like an unknown one). Errors: NOT_FOUND.
func load(tx *store.Tx, merchantID, id string) (Request, error) {
	r, err := scanRequest(tx.QueryRow(`SELECT `+requestColumns+requestFrom+` WHERE s.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) || (err == nil && merchantID != "" && r.MerchantID != merchantID) {
		return Request{}, errNotFound
	}
	return r, err
}

// withTracking opens the request's tracking number.
func (s *Service) withTracking(tx *store.Tx, r Request) (Request, error) {
	if r.sealedTracking == "" {
		return r, nil
	}
	t, err := s.vault.OpenString(tx, subjectOf(r), VaultContextTracking, r.sealedTracking)
	if errors.Is(err, vault.ErrShredded) {
		return r, nil
	}
	r.TrackingNumber = t
	return r, err
}

// subjectOf is the vault subject a request's sealed values are under: the
// order's person, or the request itself for an order without one.
func subjectOf(r Request) string {
	if r.personID != "" {
		return r.personID
	}
	return r.ID
}

// save writes a request's mutable fields and bumps its version. A request
// changed meanwhile (two answers at once) is CodeAnswered.
func (r *Request) save(tx *store.Tx) error {
	details, err := json.Marshal(r.Details)
	if err != nil {
		return err
	}
	var answered, closed any
	if r.AnsweredAt != nil {
		answered = store.Micros(*r.AnsweredAt)
	}
	if r.ClosedAt != nil {
		closed = store.Micros(*r.ClosedAt)
	}
	res, err := tx.Exec(`UPDATE stop_requests SET status = $1, outcome = $2, answer = $3, answer_details = $4, carrier = $5, tracking_number = $6,
    recall_status = $7, recall_reference = $8, reminders = $9, answered_at = $10, answered_by = $11, answered_in_time = $12, closed_at = $13,
    version = version + 1 WHERE id = $14 AND version = $15`,
		r.Status, r.Outcome, r.Answer, string(details), r.Carrier, r.sealedTracking, r.RecallStatus, r.RecallReference, r.Reminders,
		answered, r.AnsweredBy, r.AnsweredInTime, closed, r.ID, r.Version)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return apperr.New(CodeAnswered, "The stop request changed meanwhile; reload it.")
	}
	r.Version++
	return nil
}
