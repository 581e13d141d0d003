package repayment

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/i18n"
	"github.com/tillit/tillit/internal/ids"
	"github.com/tillit/tillit/internal/jobs"
	"github.com/tillit/tillit/internal/ledger"
	"github.com/tillit/tillit/internal/rail"
	"github.com/tillit/tillit/internal/store"
)

// Purposes of the transfers repayment makes.
const (
	// PurposePayNow is the charge of a pay-now purchase.
	PurposePayNow = "pay_now"
	// PurposeInstallment pays the next unpaid instalment.
	PurposeInstallment = "installment"
	// PurposePayAll pays everything still owed.
	PurposePayAll = "pay_all"
	// PurposeOverpayment pays money owed back to the consumer.
	PurposeOverpayment = "overpayment"
)

// Receipt kinds and statuses (plan_payments).
const (
	KindPayment = "payment"
	KindPayout  = "payout"

	PaymentPending    = "PENDING"
	PaymentSettled    = "SETTLED"
	PaymentFailed     = "FAILED"
	defaultInstrument = "sim:ok"
)

// JobPayoutRetry retries paying back a consumer after a failed payout.
const JobPayoutRetry = "repayment.payout_retry"

// collect asks the rail for amount from the consumer and records the pending
// receipt; the plan changes only when the rail confirms.
func (s *Service) collect(tx *store.Tx, p *planRow, purpose string, amount int64, instrument string) error {
	if instrument == "" {
		instrument = defaultInstrument
	}
	t, err := s.Rail.Create(tx, rail.Transfer{
		Direction: rail.Collect, OrderID: p.OrderID, Purpose: purpose, Amount: amount, Currency: p.Currency,
		Instrument: instrument, IdempotencyKey: "repayment:" + ids.New(),
	})
	if err != nil {
		return err
	}
	return insertReceipt(tx, p, KindPayment, t.ID, purpose, amount)
}

// payout sends amount of the plan's credit back to the consumer: the ledger
// moves it off the order at once (in transit until the rail confirms).
func (s *Service) payout(tx *store.Tx, p *planRow, amount int64) error {
	instrument := p.Instrument
	if instrument == "" {
		instrument = defaultInstrument
	}
	t, err := s.Rail.Create(tx, rail.Transfer{
		Direction: rail.Payout, OrderID: p.OrderID, Purpose: PurposeOverpayment, Amount: amount, Currency: p.Currency,
		Instrument: instrument, IdempotencyKey: "repayment:" + ids.New(),
	})
	if err != nil {
		return err
	}
	if err := ledger.ConsumerPayout(tx, t.ID, p.OrderID, p.Currency, amount); err != nil {
		return err
	}
	p.Credit -= amount
	return insertReceipt(tx, p, KindPayout, t.ID, PurposeOverpayment, amount)
}

func insertReceipt(tx *store.Tx, p *planRow, kind, transferID, purpose string, amount int64) error {
	_, err := tx.Exec(`INSERT INTO plan_payments (id, order_id, kind, transfer_id, purpose, amount, currency, status, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		ids.New(), p.OrderID, kind, transferID, purpose, amount, p.Currency, PaymentPending, store.Micros(tx.Now))
	return err
}

// receipt is a stored pending receipt.
type receipt struct {
	id, orderID, kind, status string
	amount                    int64
}

func loadReceipt(tx *store.Tx, transferID string) (*receipt, error) {
	var r receipt
	err := tx.QueryRow(`SELECT id, order_id, kind, status, amount FROM plan_payments WHERE transfer_id = $1`, transferID).
		Scan(&r.id, &r.orderID, &r.kind, &r.status, &r.amount)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return &r, err
}

func (r *receipt) finish(tx *store.Tx, status string) error {
	return tx.ExecOne(`UPDATE plan_payments SET status = $1, settled_at = $2 WHERE id = $3 AND status = $4`,
		status, store.Micros(tx.Now), r.id, PaymentPending)
}

// TransferConfirmed is the rail's confirmation hook: a confirmed collect is a
// payment on the plan (earliest instalments first; anything above what is
// owed becomes credit and goes back); a confirmed payout leaves the bank.
func (s *Service) TransferConfirmed(tx *store.Tx, t rail.Transfer) error {
	r, err := loadReceipt(tx, t.ID)
	if err != nil || r == nil || r.status != PaymentPending {
		return err
	}
	if err := r.finish(tx, PaymentSettled); err != nil {
		return err
	}
	p, err := loadPlan(tx, r.orderID)
	if err != nil {
		return err
	}
	if r.kind == KindPayout {
		return ledger.ConsumerPayoutSettled(tx, t.ID, p.OrderID, p.Currency, r.amount)
	}
	if err := ledger.ConsumerPayment(tx, t.ID, p.OrderID, p.Currency, r.amount); err != nil {
		return err
	}
	p.Credit += r.amount
	if err := s.settle(tx, p); err != nil {
		return err
	}
	return s.notifyConsumer(tx, p, "payment_received", func(pr i18n.Printer) []paragraph {
		return []paragraph{para("mail.payment_received.body", "amount", pr.Money(r.amount, p.Currency))}
	})
}

// TransferFailed is the rail's failure hook: a failed collect leaves the plan
// as it was (the consumer is told; reminders go on); a failed payout puts the
// money back on the order as credit and is tried again after
// Config.PayoutRetry.
func (s *Service) TransferFailed(tx *store.Tx, t rail.Transfer) error {
	r, err := loadReceipt(tx, t.ID)
	if err != nil || r == nil || r.status != PaymentPending {
		return err
	}
	if err := r.finish(tx, PaymentFailed); err != nil {
		return err
	}
	p, err := loadPlan(tx, r.orderID)
	if err != nil {
		return err
	}
	if r.kind == KindPayment {
		return s.notifyConsumer(tx, p, "payment_failed", func(pr i18n.Printer) []paragraph {
			return []paragraph{para("mail.payment_failed.body", "amount", pr.Money(r.amount, p.Currency))}
		})
	}
	if err := ledger.ConsumerPayoutFailed(tx, t.ID, p.OrderID, p.Currency, r.amount); err != nil {
		return err
	}
	p.Credit += r.amount
	p.Status, p.ClosedAt.Valid = StatusOpen, false // money is owed back again
	if err := p.save(tx); err != nil {
		return err
	}
	return jobs.Enqueue(tx, jobs.Job{Kind: JobPayoutRetry, UniqueKey: JobPayoutRetry + ":" + p.OrderID,
		Payload: orderPayload{OrderID: p.OrderID}, RunAt: tx.Now.Add(s.Config.PayoutRetry)})
}

// orderPayload is the payload of jobs about one plan.
type orderPayload struct {
	OrderID string `json:"order_id"`
}

// Which instalments a consumer payment pays.
const (
	// PayNext pays the earliest unpaid instalment.
	PayNext = "next"
	// PayAll pays everything still owed.
	PayAll = "all"
)

// Payment is a consumer's payment as it was started.
type Payment struct {
	OrderID    string `json:"order_id"`
	TransferID string `json:"transfer_id"`
	Amount     int64  `json:"amount"`
	Currency   string `json:"currency"`
	Status     string `json:"status"`
}

// Pay starts a consumer's payment on one of their orders: the next instalment
// or everything (what). The payment is applied when the rail confirms it.
// Errors: NO_SUCH_ORDER (unknown, or not the consumer's), BAD_VALUE,
// NOT_ALLOWED (nothing owed, or a payment already on its way).
func (s *Service) Pay(ctx context.Context, personID, orderID, what, instrument string) (Payment, error) {
	if what != PayNext && what != PayAll {
		return Payment{}, apperr.BadField("pay", "must be %q or %q", PayNext, PayAll)
	}
	if len(instrument) > 200 {
		return Payment{}, apperr.BadField("instrument", "is too long")
	}
	var out Payment
	err := s.DB.Write(ctx, func(tx *store.Tx) error {
		p, err := loadPlan(tx, orderID)
		if err != nil || p.PersonID == "" || p.PersonID != personID {
			return errNoPlan
		}
		var pending int
		if err := tx.QueryRow(`SELECT COUNT(*) FROM plan_payments WHERE order_id = $1 AND kind = $2 AND status = $3`,
			orderID, KindPayment, PaymentPending).Scan(&pending); err != nil {
			return err
		}
		if pending > 0 {
			return apperr.New(apperr.NotAllowed, "A payment on this order is already on its way; wait for it to complete.")
		}
		owed := p.Schedule.Outstanding() - p.Credit
		if owed <= 0 {
			return apperr.New(apperr.NotAllowed, "Nothing is owed on this order.")
		}
		amount, purpose := owed, PurposePayAll
		if what == PayNext {
			next := p.unpaidInOrder()[0]
			amount, purpose = min(next.Unpaid(), owed), PurposeInstallment
		}
		if instrument == "" {
			instrument = p.Instrument
		}
		if err := s.collect(tx, p, purpose, amount, instrument); err != nil {
			return err
		}
		var transferID string
		if err := tx.QueryRow(`SELECT transfer_id FROM plan_payments WHERE order_id = $1 AND kind = $2 AND status = $3`,
			orderID, KindPayment, PaymentPending).Scan(&transferID); err != nil {
			return err
		}
		out = Payment{OrderID: orderID, TransferID: transferID, Amount: amount, Currency: p.Currency, Status: PaymentPending}
		return nil
	})
	return out, err
}

// retryPayout tries again to pay back a plan's credit.
func (s *Service) retryPayout(ctx context.Context, payload []byte) error {
	var j orderPayload
	if err := decodePayload(payload, &j); err != nil {
		return err
	}
	return s.DB.Write(ctx, func(tx *store.Tx) error {
		p, err := loadPlan(tx, j.OrderID)
		if err != nil {
			return jobs.Drop(err)
		}
		return s.settle(tx, p)
	})
}

func decodePayload(payload []byte, v any) error {
	if err := json.Unmarshal(payload, v); err != nil {
		return jobs.Drop(fmt.Errorf("repayment: bad job payload: %w", err))
	}
	return nil
}
