// Package repayment is the consumer's side of an order (P3, P6): the payment
// plan a captured order becomes, the payments that pay it, the money paid
// back when a refund leaves the consumer in credit, reminders and capped late
// fees before and after due dates, pauses, and monthly financing statements.
//
// The schedule maths is internal/plan's; this package stores a schedule per
// order, keeps it in step with the order (checkout calls the hooks in
// hooks.go inside its own transactions) and with the ledger. The invariant
// ledger.Verify checks for every plan:
//
//	receivable(order) = SUM(amount - paid) over its instalments - credit
//
// where credit is money the consumer paid that no instalment owes yet (a
// pay-now prepayment before capture, or an overpayment on its way back).
//
// Money moves through a payment rail (internal/rail): a consumer payment is a
// collect transfer and becomes a payment on the plan only when the rail
// confirms it; money owed back is a payout transfer.
package repayment

import (
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"time"

	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/plan"
	"github.com/tillit/tillit/internal/rail"
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/vault"
)

// Plan statuses.
const (
	// StatusOpen: the order may still be captured, or something is owed.
	StatusOpen = "OPEN"
	// StatusClosed: nothing is owed, nothing is due back and nothing more can
	// be captured; the credit is closed.
	StatusClosed = "CLOSED"
)

// Checkout category names of the payment methods, as stored on orders.
const (
	CategoryPayNow    = "pay_now"
	CategoryPayLater  = "pay_later"
	CategoryPayIn3    = "pay_in_parts"
	CategoryFinancing = "pay_over_time"
)

// MethodOf maps a checkout payment method category to the plan method.
func MethodOf(category string) (plan.Method, error) {
	switch category {
	case CategoryPayNow:
		return plan.PayNow, nil
	case CategoryPayLater:
		return plan.PayLater, nil
	case CategoryPayIn3:
		return plan.PayIn3, nil
	case CategoryFinancing:
		return plan.Financing, nil
	}
	return 0, apperr.BadField("payment_method_category", "must be one of pay_now, pay_later, pay_in_parts, pay_over_time")
}

// DefaultFinancingMonths is the term used when a financing purchase does not
// name one.
const DefaultFinancingMonths = 12

// Config holds the repayment rules an operator can change.
type Config struct {
	// Financing are the terms offered for financing (Months is chosen by the
	// consumer).
	Financing plan.Terms
	// ReminderDaysBefore is how many days before a due date the consumer is
	// reminded (0: no reminder before).
	ReminderDaysBefore int
	// OverdueDays are the days after a due date on which an unpaid
	// instalment gets an overdue reminder, each with a late fee while the
	// order's cap allows.
	OverdueDays []int
	// LateFee is the fee per overdue reminder, in minor units per currency;
	// a currency without an entry is charged no fee.
	LateFee map[string]int64
	// LateFeeCap is the most late fees one order can carry in total, per
	// currency.
	LateFeeCap map[string]int64
	// PayoutRetry is how long after a failed payout it is tried again.
	PayoutRetry time.Duration
}

// DefaultConfig returns the shipped rules: 19.95% nominal interest without
// fees for financing; a reminder 3 days before each due date; overdue
// reminders 7, 17 and 27 days after, each with a late fee, at most three fees
// per order (the figures follow the Nordic caps on reminder fees: 100 DKK,
// 60 SEK, 35 NOK; 10 in EUR, GBP and USD).
func DefaultConfig() Config {
	fees := map[string]int64{"DKK": 10000, "SEK": 6000, "NOK": 3500, "EUR": 1000, "GBP": 1000, "USD": 1000}
	caps := make(map[string]int64, len(fees))
	for c, f := range fees {
		caps[c] = 3 * f
	}
	return Config{
		Financing:          plan.Terms{NominalRateBP: 1995},
		ReminderDaysBefore: 3,
		OverdueDays:        []int{7, 17, 27},
		LateFee:            fees,
		LateFeeCap:         caps,
		PayoutRetry:        24 * time.Hour,
	}
}

// Rail is the part of the payment rail repayment uses: creating a transfer in
// the caller's transaction.
type Rail interface {
	Create(tx *store.Tx, t rail.Transfer) (rail.Transfer, error)
}

// Service runs payment plans.
type Service struct {
	DB     *store.DB
	Rail   Rail
	Config Config
	Logger *slog.Logger
	// Vault opens the consumer's address for the mail Tillit sends them,
	// and seals that mail.
	Vault *vault.Vault
	// LookupKey is the instance secret ids.ConsumerKeySecret, under which
	// the outbox hashes the addresses it writes to.
	LookupKey string
}

// New returns a Service; lookupKey is the instance secret
// ids.ConsumerKeySecret.
func New(db *store.DB, r Rail, cfg Config, vlt *vault.Vault, lookupKey string, logger *slog.Logger) *Service {
	if logger == nil {
		logger = slog.Default()
	}
	return &Service{DB: db, Rail: r, Config: cfg, Logger: logger, Vault: vlt, LookupKey: lookupKey}
}

// planRow is a stored plan with its schedule.
type planRow struct {
	OrderID, MerchantID, PersonID string
	Category, Currency, Locale    string
	Instrument                    string
	Terms                         plan.Terms
	Status                        string
	Credit, LateFees              int64
	PausedUntil                   sql.NullInt64
	StatementDay                  sql.NullInt64
	CreatedAt                     int64
	ClosedAt                      sql.NullInt64
	Version                       int64

	Schedule plan.Schedule
	// late is the late fee inside each instalment's plan Fee, by number.
	late map[int]int64
	// paidAt is when each fully paid instalment was paid, by number.
	paidAt map[int]int64
	// stored are the instalment numbers already in the database.
	stored map[int]bool
}

const planColumns = `order_id, merchant_id, COALESCE(person_id, ''), method, currency, locale, instrument, months, nominal_rate_bp, monthly_fee, setup_fee,
	status, credit, late_fees, paused_until, statement_day, created_at, closed_at, version`

var errNoPlan = apperr.New(apperr.NoSuchOrder, "The order has no payment plan.")

// loadPlan reads the plan of an order with its instalments.
func loadPlan(tx *store.Tx, orderID string) (*planRow, error) {
	var p planRow
	err := tx.QueryRow(`SELECT `+planColumns+` FROM payment_plans WHERE order_id = $1`, orderID).Scan(
		&p.OrderID, &p.MerchantID, &p.PersonID, &p.Category, &p.Currency, &p.Locale, &p.Instrument,
		&p.Terms.Months, &p.Terms.NominalRateBP, &p.Terms.MonthlyFee, &p.Terms.SetupFee,
		&p.Status, &p.Credit, &p.LateFees, &p.PausedUntil, &p.StatementDay, &p.CreatedAt, &p.ClosedAt, &p.Version)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errNoPlan
	}
	if err != nil {
		return nil, err
	}
	m, err := MethodOf(p.Category)
	if err != nil {
		return nil, err
	}
	rows, err := tx.Query(`SELECT number, due_date, principal, interest, fee, late_fee, amount, paid, paid_at
		FROM plan_installments WHERE order_id = $1 ORDER BY number`, orderID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	p.late, p.paidAt, p.stored = map[int]int64{}, map[int]int64{}, map[int]bool{}
	var ins []plan.Installment
	for rows.Next() {
		var (
			in      plan.Installment
			due     int64
			fee     int64
			lateFee int64
			paidAt  sql.NullInt64
		)
		if err := rows.Scan(&in.Number, &due, &in.Principal, &in.Interest, &fee, &lateFee, &in.Amount, &in.Paid, &paidAt); err != nil {
			return nil, err
		}
		in.Due = store.FromMicros(due).UTC()
		in.Fee = fee + lateFee
		p.late[in.Number] = lateFee
		if paidAt.Valid {
			p.paidAt[in.Number] = paidAt.Int64
		}
		p.stored[in.Number] = true
		ins = append(ins, in)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	p.Schedule = plan.Schedule{Method: m, Installments: ins}
	for _, in := range ins {
		p.Schedule.Principal += in.Principal
		p.Schedule.Interest += in.Interest
		p.Schedule.Fees += in.Fee
		p.Schedule.Total += in.Amount
	}
	if err := p.Schedule.Validate(); err != nil {
		return nil, fmt.Errorf("repayment: stored plan %s: %w", orderID, err)
	}
	return &p, nil
}

// save writes the plan row (optimistically, by version) and every instalment.
func (p *planRow) save(tx *store.Tx) error {
	if err := p.Schedule.Validate(); err != nil {
		return fmt.Errorf("repayment: plan %s: %w", p.OrderID, err)
	}
	if p.Credit < 0 {
		return fmt.Errorf("repayment: plan %s: negative credit %d", p.OrderID, p.Credit)
	}
	var paused, statement, closed any
	if p.PausedUntil.Valid {
		paused = p.PausedUntil.Int64
	}
	if p.StatementDay.Valid {
		statement = p.StatementDay.Int64
	}
	if p.ClosedAt.Valid {
		closed = p.ClosedAt.Int64
	}
	if err := tx.ExecOne(`UPDATE payment_plans SET status = $1, credit = $2, late_fees = $3, paused_until = $4, statement_day = $5,
		closed_at = $6, updated_at = $7, version = version + 1 WHERE order_id = $8 AND version = $9`,
		p.Status, p.Credit, p.LateFees, paused, statement, closed, store.Micros(tx.Now), p.OrderID, p.Version); err != nil {
		return err
	}
	p.Version++
	for _, in := range p.Schedule.Installments {
		late := min(p.late[in.Number], in.Fee)
		p.late[in.Number] = late
		var paidAt any
		if in.Unpaid() == 0 && in.Amount > 0 {
			if _, ok := p.paidAt[in.Number]; !ok {
				p.paidAt[in.Number] = store.Micros(tx.Now)
			}
			paidAt = p.paidAt[in.Number]
		} else {
			delete(p.paidAt, in.Number)
		}
		due := store.Micros(in.Due)
		if p.stored[in.Number] {
			if _, err := tx.Exec(`UPDATE plan_installments SET due_date = $1, principal = $2, interest = $3, fee = $4, late_fee = $5, amount = $6, paid = $7, paid_at = $8
				WHERE order_id = $9 AND number = $10`,
				due, in.Principal, in.Interest, in.Fee-late, late, in.Amount, in.Paid, paidAt, p.OrderID, in.Number); err != nil {
				return err
			}
			continue
		}
		if _, err := tx.Exec(`INSERT INTO plan_installments (order_id, number, due_date, principal, interest, fee, late_fee, amount, paid, paid_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
			p.OrderID, in.Number, due, in.Principal, in.Interest, in.Fee-late, late, in.Amount, in.Paid, paidAt); err != nil {
			return err
		}
		p.stored[in.Number] = true
	}
	return nil
}

// paused reports whether the plan is paused at now.
func (p *planRow) paused(now time.Time) bool {
	return p.PausedUntil.Valid && now.UnixMicro() < p.PausedUntil.Int64
}

// unpaidInOrder returns the unpaid instalments, earliest due first.
func (p *planRow) unpaidInOrder() []plan.Installment {
	var out []plan.Installment
	for _, in := range p.Schedule.Installments {
		if in.Unpaid() > 0 {
			out = append(out, in)
		}
	}
	sort.SliceStable(out, func(a, b int) bool {
		if !out[a].Due.Equal(out[b].Due) {
			return out[a].Due.Before(out[b].Due)
		}
		return out[a].Number < out[b].Number
	})
	return out
}

// installment returns the instalment numbered n.
func (p *planRow) installment(n int) (*plan.Installment, bool) {
	for i := range p.Schedule.Installments {
		if p.Schedule.Installments[i].Number == n {
			return &p.Schedule.Installments[i], true
		}
	}
	return nil, false
}
