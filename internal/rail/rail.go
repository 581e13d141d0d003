// Package rail moves money between Tillit and consumers through a payment
// rail (a card acquirer or a bank transfer scheme): collects (the consumer
// pays Tillit: pay-now purchases, instalments, paying everything) and payouts
// (Tillit pays a consumer back, such as an overpayment after a refund).
//
// It owns the rail_transfers table and the Adapter interface a real rail
// implements. A transfer's life:
//
//  1. Service.Create inserts it pending and enqueues a submit job in the
//     caller's transaction, so the rail is asked only if the business change
//     commits.
//  2. The submit job (JobSubmit) calls Adapter.Submit outside any
//     transaction and records the rail's reference (submitted). A transient
//     error is retried with exponential backoff; after Config.MaxAttempts the
//     transfer fails with reason ReasonUnavailable. A rejection (Reject)
//     fails it at once.
//  3. The poll job (JobPoll) asks Adapter.Status until the outcome is final,
//     backing off while the rail says pending. A rail that calls back instead
//     hands its outcome to Service.HandleCallback.
//  4. The outcome is recorded and the hook (Service.OnConfirmed or
//     Service.OnFailed) runs in the same transaction. A transfer settles
//     exactly once: poll and callback racing, or a job running twice, settle
//     it once, because the update is guarded by the row's status and version.
//
// # The simulated rail
//
// Simulated is the rail Tillit ships for tests and demos. Its outcomes follow
// from the transfer's instrument, so they are deterministic and the same
// after a restart:
//
//	sim:ok                  accepted; confirmed at the first status check
//	sim:fail:REASON         accepted; failed with REASON at the first check
//	                        (e.g. sim:fail:insufficient_funds)
//	sim:reject:REASON       Submit rejects it: failed with REASON, never accepted
//	sim:slow[:N]            accepted; pending for N status checks (default
//	                        Simulated.SlowPolls, 3), then confirmed
//	sim:flaky[:N]           Submit fails transiently N times (default 1), then
//	                        accepted and confirmed
//	sim:down                Submit always fails transiently: after
//	                        Config.MaxAttempts the transfer fails rail_unavailable
//	anything else           accepted; confirmed at the first status check
//
// REASON is lower-case letters, digits and underscores.
package rail

import (
	"context"
	"errors"
	"time"
)

// Direction says which way money moves.
type Direction string

// The directions.
const (
	// Collect moves money from the consumer to Tillit.
	Collect Direction = "collect"
	// Payout moves money from Tillit to the consumer.
	Payout Direction = "payout"
)

// Status is where a transfer is in its life, or (in an Outcome) what the rail
// says about it.
type Status string

// The statuses. StatusConfirmed and StatusFailed are final.
const (
	// StatusPending: created, not yet accepted by the rail. In an Outcome:
	// the rail has not decided yet.
	StatusPending Status = "pending"
	// StatusSubmitted: the rail accepted it and has not decided yet.
	StatusSubmitted Status = "submitted"
	// StatusConfirmed: the money moved.
	StatusConfirmed Status = "confirmed"
	// StatusFailed: the money did not move and will not.
	StatusFailed Status = "failed"
)

// Final reports whether s is an outcome that never changes.
func (s Status) Final() bool { return s == StatusConfirmed || s == StatusFailed }

// ReasonUnavailable is the failure reason of a transfer the rail could not be
// reached for within Config.MaxAttempts.
const ReasonUnavailable = "rail_unavailable"

// reasonUnspecified is the failure reason when the rail gives none.
const reasonUnspecified = "unspecified"

// Transfer is one money movement through the rail. The caller of
// Service.Create fills Direction, OrderID, Purpose, Amount, Currency,
// Instrument and, to make creation idempotent, IdempotencyKey; the rest is
// the service's.
type Transfer struct {
	ID        string    `json:"id"`
	Direction Direction `json:"direction"`
	OrderID   string    `json:"order_id"`
	// Purpose says what the money is for: pay_now, installment, pay_all,
	// overpayment, ... (lower-case letters, digits and underscores).
	Purpose string `json:"purpose"`
	// Amount is in minor units of Currency, positive.
	Amount   int64  `json:"amount"`
	Currency string `json:"currency"`
	// Instrument is an opaque rail reference: a card token, a test IBAN
	// label, sim:ok. Never a card number (Create rejects one).
	Instrument string `json:"-"`
	Status     Status `json:"status"`
	// ProviderReference is the rail's id of the transfer, once it accepted it.
	ProviderReference string `json:"provider_reference,omitempty"`
	// FailureReason says why a failed transfer failed (the rail's reason, or
	// ReasonUnavailable).
	FailureReason string `json:"failure_reason,omitempty"`
	// Attempts counts the calls to Adapter.Submit.
	Attempts int `json:"attempts"`
	// IdempotencyKey is unique across transfers; creating a transfer with a
	// key that exists returns the existing transfer. Empty means the id.
	IdempotencyKey string    `json:"-"`
	CreatedAt      time.Time `json:"created_at"`
	// SubmittedAt is when the rail accepted it; zero before.
	SubmittedAt time.Time `json:"submitted_at,omitzero"`
	// SettledAt is when it was confirmed or failed; zero before.
	SettledAt time.Time `json:"settled_at,omitzero"`
	Version   int64     `json:"-"`
}

// Outcome is what the rail says about a transfer it accepted.
type Outcome struct {
	// Status is StatusPending (not decided yet), StatusConfirmed or
	// StatusFailed.
	Status Status
	// Reason says why it failed (lower-case code such as
	// insufficient_funds).
	Reason string
}

// Adapter is a payment rail. Tillit calls it from background jobs, never
// inside a database transaction, and may call it again for the same transfer
// (a job is run at least once), so:
//
//   - Submit must be idempotent on Transfer.ID: submitting a transfer again
//     returns the same reference and moves the money at most once (pass the
//     id as the rail's idempotency key). It returns an error made by Reject
//     when the rail refuses the transfer for good; any other error is
//     transient and the transfer is submitted again later. After
//     Config.MaxAttempts transient errors Tillit gives the transfer up as
//     failed, so an adapter must not return a transient error for a transfer
//     the rail may still carry out.
//   - Status returns the rail's outcome for a reference Submit returned. An
//     error is transient: Tillit asks again later, for as long as it takes.
type Adapter interface {
	Submit(ctx context.Context, t Transfer) (providerRef string, err error)
	Status(ctx context.Context, providerRef string) (Outcome, error)
}

// RejectedError is a permanent refusal of a transfer by the rail.
type RejectedError struct {
	// Reason is the rail's reason, a lower-case code.
	Reason string
}

func (e *RejectedError) Error() string { return "rail: transfer rejected: " + e.Reason }

// Reject returns the error an Adapter's Submit returns when the rail refuses
// a transfer for good; the transfer fails with reason.
func Reject(reason string) error { return &RejectedError{Reason: reason} }

// ErrUnavailable is a transient error an Adapter may return (or wrap) when the
// rail cannot be reached.
var ErrUnavailable = errors.New("rail: unavailable")
