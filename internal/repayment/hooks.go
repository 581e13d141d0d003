package repayment

import (
	"fmt"
	"slices"
	"time"

	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/ledger"
	"github.com/tillit/tillit/internal/person"
	"github.com/tillit/tillit/internal/plan"
	"github.com/tillit/tillit/internal/store"
)

// Placed is what checkout knows about an order it has just placed.
type Placed struct {
	OrderID, MerchantID string
	// Category is the checkout payment method category (pay_now, ...).
	Category string
	Currency string
	Locale   string
	// PersonID is the person the order is about (package person).
	PersonID string
	// Instrument is the rail reference the consumer pays with (pay now).
	Instrument string
	// Amount is the order amount in minor units.
	Amount int64
	// FinancingMonths is the chosen term (financing only; 0 means the default).
	FinancingMonths int
}

// CheckFinancingMonths validates a financing term chosen at checkout: 0 (the
// default term) or one of plan.FinancingMonths.
func CheckFinancingMonths(months int) error {
	if months == 0 || slices.Contains(plan.FinancingMonths, months) {
		return nil
	}
	return apperr.BadField("financing_months", "must be one of %v", plan.FinancingMonths)
}

// OrderPlaced creates the order's plan, with no instalments until the first
// capture. A pay-now order is charged at once: a collect transfer for the
// order amount goes to the rail and, when it confirms, the money waits on the
// plan as credit until the goods are captured.
func (s *Service) OrderPlaced(tx *store.Tx, o Placed) error {
	m, err := MethodOf(o.Category)
	if err != nil {
		return err
	}
	if err := CheckFinancingMonths(o.FinancingMonths); err != nil {
		return err
	}
	terms := plan.Terms{}
	if m == plan.Financing {
		terms = s.Config.Financing
		terms.Months = o.FinancingMonths
		if terms.Months == 0 {
			terms.Months = DefaultFinancingMonths
		}
	}
	now := store.Micros(tx.Now)
	if _, err := tx.Exec(`INSERT INTO payment_plans (order_id, merchant_id, person_id, method, currency, locale, instrument, months, nominal_rate_bp,
		monthly_fee, setup_fee, status, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
		o.OrderID, o.MerchantID, o.PersonID, o.Category, o.Currency, o.Locale, o.Instrument,
		terms.Months, terms.NominalRateBP, terms.MonthlyFee, terms.SetupFee, StatusOpen, now, now); err != nil {
		return fmt.Errorf("repayment: create plan: %w", err)
	}
	if err := person.ContractStarted(tx, o.PersonID); err != nil {
		return err
	}
	if m != plan.PayNow {
		return nil
	}
	p, err := loadPlan(tx, o.OrderID)
	if err != nil {
		return err
	}
	return s.collect(tx, p, PurposePayNow, o.Amount, o.Instrument)
}

// Captured adds a capture of amount to the order's plan. The goods ship on
// ship (see plan.ShipDate); due dates count from it. The first capture
// creates the schedule; a financing plan takes only one capture. Money the
// consumer already paid (a pay-now charge) pays the new instalments.
func (s *Service) Captured(tx *store.Tx, orderID, captureID string, amount int64, ship time.Time) error {
	p, err := loadPlan(tx, orderID)
	if err != nil {
		return err
	}
	var sched plan.Schedule
	switch {
	case len(p.Schedule.Installments) == 0:
		sched, err = s.newSchedule(p, amount, tx.Now, ship)
	case p.Schedule.Method == plan.Financing:
		return apperr.New(apperr.CaptureNotAllowed, "A financing order is captured once; release the rest of the authorization instead.")
	default:
		sched, err = plan.AddCapture(p.Schedule, amount, ship)
	}
	if err != nil {
		return err
	}
	before := len(p.Schedule.Installments)
	p.Schedule = sched
	if charges := sched.Interest + sched.Fees; before == 0 && charges > 0 {
		if err := ledger.CreditCharges(tx, captureID, orderID, p.Currency, charges); err != nil {
			return err
		}
	}
	if sched.Method == plan.Financing {
		p.StatementDay.Valid, p.StatementDay.Int64 = true, store.Micros(plan.Date(ship))
		if err := s.scheduleStatement(tx, p, plan.Date(ship)); err != nil {
			return err
		}
	}
	if err := s.settle(tx, p); err != nil {
		return err
	}
	return s.scheduleReminders(tx, p, sched.Installments[before:])
}

// newSchedule builds the first schedule of a plan from its first capture.
func (s *Service) newSchedule(p *planRow, amount int64, captured, ship time.Time) (plan.Schedule, error) {
	switch p.Category {
	case CategoryPayNow:
		return plan.NewPayNow(amount, captured)
	case CategoryPayLater:
		return plan.NewPayLater(amount, ship)
	case CategoryPayIn3:
		return plan.NewPayIn3(amount, ship)
	}
	return plan.NewFinancing(amount, ship, p.Terms)
}

// Refunded reduces the order's plan by a refund of amount (see
// plan.ApplyRefund: the last instalments first; interest, fees and late fees
// of instalments the refund clears are waived). What the consumer had paid
// above the new total is paid back.
func (s *Service) Refunded(tx *store.Tx, orderID, refundID string, amount int64) error {
	p, err := loadPlan(tx, orderID)
	if err != nil {
		return err
	}
	oldCharges := p.Schedule.Interest + p.Schedule.Fees
	oldLate := p.lateTotal()
	sched, overpaid, err := plan.ApplyRefund(p.Schedule, amount)
	if err != nil {
		return err
	}
	p.Schedule = sched
	for _, in := range sched.Installments {
		p.late[in.Number] = min(p.late[in.Number], in.Fee)
	}
	waivedLate := oldLate - p.lateTotal()
	waivedCredit := oldCharges - (sched.Interest + sched.Fees) - waivedLate
	if waivedLate+waivedCredit > 0 {
		if err := ledger.ChargeWaiver(tx, refundID, orderID, p.Currency, waivedCredit, waivedLate); err != nil {
			return err
		}
	}
	p.Credit += overpaid
	return s.settle(tx, p)
}

// OrderEnded tells the plan that nothing more can be captured on the order
// (cancelled, expired, or the rest of the authorization released): money the
// consumer paid that no instalment owes is paid back.
func (s *Service) OrderEnded(tx *store.Tx, orderID string) error {
	p, err := loadPlan(tx, orderID)
	if err != nil {
		return err
	}
	return s.settle(tx, p)
}

// lateTotal is the sum of the late fees inside the instalments.
func (p *planRow) lateTotal() int64 {
	var t int64
	for _, in := range p.Schedule.Installments {
		t += p.late[in.Number]
	}
	return t
}

// orderOpen reports whether the order can still be captured.
func orderOpen(tx *store.Tx, orderID string) (bool, error) {
	var status string
	if err := tx.QueryRow(`SELECT status FROM orders WHERE id = $1`, orderID).Scan(&status); err != nil {
		return false, err
	}
	return status == "AUTHORIZED" || status == "PART_CAPTURED", nil
}

// settle brings a changed plan to rest and saves it: credit pays unpaid
// instalments; credit nothing can use is paid back (a pay-now prepayment
// waits while the order can still be captured); the plan closes when nothing
// is owed and nothing more can be captured.
func (s *Service) settle(tx *store.Tx, p *planRow) error {
	if p.Credit > 0 && p.Schedule.Outstanding() > 0 {
		sched, excess, err := plan.ApplyPayment(p.Schedule, p.Credit)
		if err != nil {
			return err
		}
		p.Schedule, p.Credit = sched, excess
	}
	open, err := orderOpen(tx, p.OrderID)
	if err != nil {
		return err
	}
	if p.Credit > 0 && (!open || p.Category != CategoryPayNow) {
		if err := s.payout(tx, p, p.Credit); err != nil {
			return err
		}
	}
	was := p.Status
	switch {
	case !open && p.Schedule.Outstanding() == 0 && p.Credit == 0:
		if p.Status != StatusClosed {
			p.Status = StatusClosed
			p.ClosedAt.Valid, p.ClosedAt.Int64 = true, store.Micros(tx.Now)
		}
	default:
		p.Status = StatusOpen
		p.ClosedAt.Valid = false
	}
	if err := p.save(tx); err != nil {
		return err
	}
	if p.Status == was || p.PersonID == "" {
		return nil
	}
	// The person's relationship ends with their last open plan, and
	// starts again when a plan reopens (a late capture, a chargeback).
	if p.Status == StatusClosed {
		return person.ContractEnded(tx, p.PersonID)
	}
	return person.ContractStarted(tx, p.PersonID)
}
