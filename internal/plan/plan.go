// Package plan holds the pure schedule maths of Tillit's payment methods
// (requirements P3/P6): pay now, pay later (one invoice 30 days after the goods
// ship), pay in 3 (three interest-free instalments 30 days apart) and financing
// (6-36 monthly annuity instalments with interest, fees and an APR computed per
// the EU Consumer Credit Directive 2008/48/EC, Annex I), plus the pure
// reshaping of a schedule by payments, refunds, further captures and pauses.
//
// The package has no database and no clock: every function takes its inputs
// and returns a new value, never modifying its arguments.
//
// Money is an int64 count of minor units and no float64 is used in any money
// path. Rational arithmetic (math/big.Rat) is used for interest and the
// annuity payment, and a high-precision math/big.Float root finder for the APR.
// Every rounding to a minor unit (or to a basis point of APR) is HALF-UP: a
// value exactly halfway between two units rounds away from zero (all rounded
// values are non-negative, so in practice: up). Dates are calendar days,
// represented as time.Time at UTC midnight (see Date).
//
// The invariants every Schedule returned by this package keeps (see
// Schedule.Validate): each instalment's Amount == Principal + Interest + Fee,
// no component is negative, 0 <= Paid <= Amount, and the schedule's Principal,
// Interest, Fees and Total are the exact sums of its instalments' fields.
package plan

import (
	"fmt"
	"math/big"
	"sort"
	"time"

	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/money"
)

// Method is a payment method a consumer can choose at checkout.
type Method int

// The payment methods. The zero value is not a valid Method.
const (
	// PayNow settles the whole amount at capture: one instalment due on the capture date.
	PayNow Method = iota + 1
	// PayLater is one invoice for the captured amount, due PayLaterDays after the goods ship.
	PayLater
	// PayIn3 is three interest-free instalments: at shipping, then every PayIn3IntervalDays.
	PayIn3
	// Financing is 6, 12, 24 or 36 monthly annuity instalments with interest and fees.
	Financing
)

// PayLaterDays is how many days after shipping a pay-later invoice falls due.
const PayLaterDays = 30

// PayIn3IntervalDays is the number of days between pay-in-3 instalments.
const PayIn3IntervalDays = 30

// MaxNominalRateBP is the largest annual nominal interest rate accepted for
// financing, in basis points (100000 = 1000%).
const MaxNominalRateBP int64 = 100_000

// String returns the method's stable lower-case name ("pay_now", ...).
func (m Method) String() string {
	switch m {
	case PayNow:
		return "pay_now"
	case PayLater:
		return "pay_later"
	case PayIn3:
		return "pay_in_3"
	case Financing:
		return "financing"
	}
	return fmt.Sprintf("Method(%d)", int(m))
}

// ParseMethod returns the Method named by s (as printed by Method.String).
func ParseMethod(s string) (Method, error) {
	for _, m := range []Method{PayNow, PayLater, PayIn3, Financing} {
		if m.String() == s {
			return m, nil
		}
	}
	return 0, apperr.BadField("method", "%q is not a payment method", s)
}

// Installment is one payment the consumer owes. Amount is always
// Principal + Interest + Fee; Paid is how much of Amount has been paid so far.
type Installment struct {
	// Number is the instalment's 1-based position in the schedule; captures
	// appended by AddCapture continue the numbering.
	Number int
	// Due is the calendar day the instalment falls due (UTC midnight).
	Due time.Time
	// Principal is the part of the purchase price this instalment repays.
	Principal int64
	// Interest is the credit interest in this instalment (financing only).
	Interest int64
	// Fee is the monthly and, on the first instalment, setup fee in this
	// instalment (financing only).
	Fee int64
	// Amount is what the consumer owes for this instalment in total.
	Amount int64
	// Paid is how much of Amount has been paid (see ApplyPayment).
	Paid int64
}

// Unpaid returns Amount - Paid.
func (in Installment) Unpaid() int64 { return in.Amount - in.Paid }

// Schedule is the instalment plan of one order's captured amount.
type Schedule struct {
	// Method is the payment method the schedule belongs to.
	Method Method
	// Installments are the payments, numbered from 1 (see Installment.Number).
	Installments []Installment
	// Principal is the sum of the instalments' Principal: the captured amount
	// less refunds.
	Principal int64
	// Interest is the sum of the instalments' Interest.
	Interest int64
	// Fees is the sum of the instalments' Fee.
	Fees int64
	// Total is the sum of the instalments' Amount: everything the consumer pays.
	Total int64
}

// Paid returns the sum of the instalments' Paid.
func (s Schedule) Paid() int64 {
	var p int64
	for _, in := range s.Installments {
		p += in.Paid
	}
	return p
}

// Outstanding returns Total - Paid: what the consumer still owes.
func (s Schedule) Outstanding() int64 { return s.Total - s.Paid() }

// Validate checks the schedule's invariants: known method; every instalment has
// non-negative components, Amount == Principal + Interest + Fee and
// 0 <= Paid <= Amount; the schedule totals are the exact sums. It returns a
// description of the first violation, or nil.
func (s Schedule) Validate() error {
	if s.Method < PayNow || s.Method > Financing {
		return fmt.Errorf("plan: unknown method %d", int(s.Method))
	}
	var p, i, f, t int64
	for k, in := range s.Installments {
		if in.Principal < 0 || in.Interest < 0 || in.Fee < 0 || in.Paid < 0 {
			return fmt.Errorf("plan: instalment %d has a negative component: %+v", k, in)
		}
		if in.Principal+in.Interest+in.Fee != in.Amount {
			return fmt.Errorf("plan: instalment %d amount %d != %d+%d+%d", k, in.Amount, in.Principal, in.Interest, in.Fee)
		}
		if in.Paid > in.Amount {
			return fmt.Errorf("plan: instalment %d paid %d above amount %d", k, in.Paid, in.Amount)
		}
		if !isDate(in.Due) {
			return fmt.Errorf("plan: instalment %d due %v is not a UTC midnight", k, in.Due)
		}
		p += in.Principal
		i += in.Interest
		f += in.Fee
		t += in.Amount
	}
	if p != s.Principal || i != s.Interest || f != s.Fees || t != s.Total {
		return fmt.Errorf("plan: totals %d/%d/%d/%d do not match instalments %d/%d/%d/%d",
			s.Principal, s.Interest, s.Fees, s.Total, p, i, f, t)
	}
	return nil
}

// Date returns the calendar day of t (in t's own location) as UTC midnight,
// the form every due date in this package takes.
func Date(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func isDate(t time.Time) bool { return t.Location() == time.UTC && t.Equal(Date(t)) }

// AddDays returns the calendar day n days after d (UTC midnight).
func AddDays(d time.Time, n int) time.Time { return Date(d).AddDate(0, 0, n) }

// AddMonths returns the calendar day n months after d, clamped to the last day
// of the target month (31 January + 1 month = 28 or 29 February).
func AddMonths(d time.Time, n int) time.Time {
	y, m, day := Date(d).Date()
	first := time.Date(y, m+time.Month(n), 1, 0, 0, 0, 0, time.UTC)
	last := first.AddDate(0, 1, -1).Day()
	if day > last {
		day = last
	}
	return time.Date(first.Year(), first.Month(), day, 0, 0, 0, 0, time.UTC)
}

// ShipDate returns the day the goods ship: shipped if it is set, otherwise
// the capture date plus the merchant's shipping delay in days.
func ShipDate(captured, shipped time.Time, shippingDelayDays int) time.Time {
	if !shipped.IsZero() {
		return Date(shipped)
	}
	return AddDays(captured, shippingDelayDays)
}

func checkAmount(field string, amount int64) error {
	if amount <= 0 {
		return apperr.BadField(field, "must be positive, got %d", amount)
	}
	if amount > money.MaxAmount {
		return apperr.BadField(field, "must be at most %d, got %d", money.MaxAmount, amount)
	}
	return nil
}

func overflow() error { return fmt.Errorf("plan: %w", money.ErrOverflow) }

// NewPayNow returns the pay-now schedule of amount: one instalment due on the
// capture date.
func NewPayNow(amount int64, captured time.Time) (Schedule, error) {
	if err := checkAmount("amount", amount); err != nil {
		return Schedule{}, err
	}
	return finish(PayNow, []Installment{{Number: 1, Due: Date(captured), Principal: amount, Amount: amount}})
}

// NewPayLater returns the pay-later schedule of amount: one invoice due
// PayLaterDays after ship (see ShipDate for the default ship date).
func NewPayLater(amount int64, ship time.Time) (Schedule, error) {
	if err := checkAmount("amount", amount); err != nil {
		return Schedule{}, err
	}
	due := AddDays(ship, PayLaterDays)
	return finish(PayLater, []Installment{{Number: 1, Due: due, Principal: amount, Amount: amount}})
}

// NewPayIn3 returns the pay-in-3 schedule of amount: three interest-free
// instalments, the first due on ship, the next two every PayIn3IntervalDays.
// The amount is divided by three, truncating, and the remainder (0, 1 or 2
// minor units) goes on the first instalment, so the three add up exactly:
// 10000 -> 3334, 3333, 3333. Amounts below 3 minor units give zero
// instalments at the end.
func NewPayIn3(amount int64, ship time.Time) (Schedule, error) {
	if err := checkAmount("amount", amount); err != nil {
		return Schedule{}, err
	}
	part := amount / 3
	first := amount - 2*part
	ins := make([]Installment, 3)
	for k := range ins {
		a := part
		if k == 0 {
			a = first
		}
		ins[k] = Installment{Number: k + 1, Due: AddDays(ship, k*PayIn3IntervalDays), Principal: a, Amount: a}
	}
	return finish(PayIn3, ins)
}

// finish fills in the schedule totals with checked additions.
func finish(m Method, ins []Installment) (Schedule, error) {
	s := Schedule{Method: m, Installments: ins}
	var err error
	for _, in := range ins {
		if s.Principal, err = money.Add(s.Principal, in.Principal); err != nil {
			return Schedule{}, overflow()
		}
		if s.Interest, err = money.Add(s.Interest, in.Interest); err != nil {
			return Schedule{}, overflow()
		}
		if s.Fees, err = money.Add(s.Fees, in.Fee); err != nil {
			return Schedule{}, overflow()
		}
		if s.Total, err = money.Add(s.Total, in.Amount); err != nil {
			return Schedule{}, overflow()
		}
	}
	return s, nil
}

// clone returns a deep copy of s.
func clone(s Schedule) Schedule {
	s.Installments = append([]Installment(nil), s.Installments...)
	return s
}

// dueOrder returns the instalment indexes of s ordered by due date, then
// number (earliest first).
func dueOrder(s Schedule) []int {
	idx := make([]int, len(s.Installments))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool {
		x, y := s.Installments[idx[a]], s.Installments[idx[b]]
		if !x.Due.Equal(y.Due) {
			return x.Due.Before(y.Due)
		}
		return x.Number < y.Number
	})
	return idx
}

// ApplyPayment records a payment of amount against s: it pays the unpaid
// instalments earliest due first (ties by number), each in full before the
// next. It returns the new schedule and the excess that did not fit (amount
// above the outstanding total), which the caller returns to the consumer.
func ApplyPayment(s Schedule, amount int64) (Schedule, int64, error) {
	if err := checkAmount("payment", amount); err != nil {
		return s, 0, err
	}
	s = clone(s)
	rem := amount
	for _, i := range dueOrder(s) {
		in := &s.Installments[i]
		x := min(rem, in.Unpaid())
		in.Paid += x
		rem -= x
	}
	return s, rem, nil
}

// ApplyRefund reduces s by a refund of the purchase price (principal).
//
// Rule: the refund reduces the instalments' Principal from the LAST instalment
// (latest due date, then highest number) backwards, each down to zero before
// the next. Because payments are applied earliest first (ApplyPayment), this
// reduces the unpaid instalments first. An instalment whose principal the
// refund reduces to zero (or passes over at zero) is removed in effect: its
// interest and fees are waived too, so a full refund (refund == s.Principal)
// leaves nothing owed at all, interest and fees included. A partially reduced
// instalment keeps its interest and fee. A full refund cancels every
// instalment, wherever its principal sits. If an instalment's new Amount is
// below what was already paid on it, the difference is returned in overpaid
// (to go back to the consumer) and its Paid is lowered to the new Amount.
//
// The refund must be positive and at most s.Principal.
func ApplyRefund(s Schedule, refund int64) (Schedule, int64, error) {
	if refund <= 0 {
		return s, 0, apperr.BadField("refund", "must be positive, got %d", refund)
	}
	if refund > s.Principal {
		return s, 0, apperr.BadField("refund", "%d is above the remaining principal %d", refund, s.Principal)
	}
	s = clone(s)
	order := dueOrder(s)
	rem := refund
	var overpaid int64
	full := refund == s.Principal
	for k := len(order) - 1; k >= 0 && (rem > 0 || full); k-- {
		in := &s.Installments[order[k]]
		x := min(rem, in.Principal)
		in.Principal -= x
		rem -= x
		if in.Principal == 0 {
			in.Interest, in.Fee = 0, 0
		}
		in.Amount = in.Principal + in.Interest + in.Fee
		if in.Paid > in.Amount {
			overpaid += in.Paid - in.Amount
			in.Paid = in.Amount
		}
	}
	s, err := finish(s.Method, s.Installments)
	return s, overpaid, err
}

// AddCapture adds a later (partial) capture of amount, shipped on ship, to a
// pay-now, pay-later or pay-in-3 schedule.
//
// Rule: each capture gets its own sub-schedule, built exactly as a new
// schedule of the same method would be (pay later: its own invoice due
// PayLaterDays after its ship date; pay in 3: its own three instalments from
// its ship date; pay now: due on ship, taken as the capture date). These
// instalments are appended to s, numbered after the existing ones; the
// existing instalments, their due dates and payments are not touched.
// Financing is captured once and cannot be extended.
func AddCapture(s Schedule, amount int64, ship time.Time) (Schedule, error) {
	var add Schedule
	var err error
	switch s.Method {
	case PayNow:
		add, err = NewPayNow(amount, ship)
	case PayLater:
		add, err = NewPayLater(amount, ship)
	case PayIn3:
		add, err = NewPayIn3(amount, ship)
	default:
		return s, apperr.New(apperr.CaptureNotAllowed, "a %s schedule cannot take another capture", s.Method)
	}
	if err != nil {
		return s, err
	}
	next := 0
	for _, in := range s.Installments {
		next = max(next, in.Number)
	}
	ins := append([]Installment(nil), s.Installments...)
	for _, in := range add.Installments {
		next++
		in.Number = next
		ins = append(ins, in)
	}
	out, err := finish(s.Method, ins)
	if err != nil {
		return s, err
	}
	return out, nil
}

// MaxPauseDays is the longest pause Pause accepts.
const MaxPauseDays = 366

// Pause moves the due date of every instalment that is not fully paid and is
// due on or after from by days calendar days (1..MaxPauseDays). Paid
// instalments and those due before from keep their dates. Amounts do not
// change.
func Pause(s Schedule, from time.Time, days int) (Schedule, error) {
	if days <= 0 || days > MaxPauseDays {
		return s, apperr.BadField("days", "must be 1..%d, got %d", MaxPauseDays, days)
	}
	s = clone(s)
	from = Date(from)
	for i := range s.Installments {
		in := &s.Installments[i]
		if in.Unpaid() > 0 && !in.Due.Before(from) {
			in.Due = AddDays(in.Due, days)
		}
	}
	return s, nil
}

// roundHalfUp rounds r to the nearest integer, halves away from zero. ok is
// false if the result does not fit an int64.
func roundHalfUp(r *big.Rat) (int64, bool) {
	num := new(big.Int).Abs(r.Num())
	den := r.Denom()
	// floor((2*|num| + den) / (2*den))
	n := new(big.Int).Lsh(num, 1)
	n.Add(n, den)
	d := new(big.Int).Lsh(den, 1)
	q := n.Quo(n, d)
	if r.Sign() < 0 {
		q.Neg(q)
	}
	if !q.IsInt64() {
		return 0, false
	}
	return q.Int64(), true
}
