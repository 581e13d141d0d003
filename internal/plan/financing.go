package plan

import (
	"math/big"
	"time"

	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/money"
)

// FinancingMonths are the supported financing terms, in months.
var FinancingMonths = []int{6, 12, 24, 36}

// Terms are the conditions of a financing plan.
type Terms struct {
	// Months is the number of monthly instalments: 6, 12, 24 or 36.
	Months int
	// NominalRateBP is the annual nominal interest rate in basis points
	// (1995 = 19.95%); the monthly rate is NominalRateBP/12.
	NominalRateBP int64
	// MonthlyFee is a fee in minor units added to every instalment.
	MonthlyFee int64
	// SetupFee is a one-off fee in minor units added to the first instalment
	// (it is not deducted from the amount paid out at the start).
	SetupFee int64
}

// FinancingOffer is what a consumer is shown for a financing plan, in minor
// units. TotalCreditCost = TotalInterest + TotalFees and
// TotalPayable = the financed amount + TotalCreditCost.
type FinancingOffer struct {
	// Months is the number of monthly instalments.
	Months int
	// NominalRateBP is the annual nominal interest rate in basis points.
	NominalRateBP int64
	// MonthlyPayment is the regular instalment: the rounded annuity payment
	// plus the monthly fee (the first instalment also carries the setup fee
	// and the last absorbs the rounding).
	MonthlyPayment int64
	// TotalInterest is the sum of the interest in all instalments.
	TotalInterest int64
	// TotalFees is the setup fee plus all monthly fees.
	TotalFees int64
	// TotalCreditCost is TotalInterest + TotalFees.
	TotalCreditCost int64
	// TotalPayable is the sum of all instalments.
	TotalPayable int64
	// APR is the annual percentage rate of charge in basis points, rounded
	// half-up to 1 bp (2134 = 21.34%), computed by APR.
	APR int64
}

func checkTerms(t Terms) error {
	ok := false
	for _, m := range FinancingMonths {
		ok = ok || m == t.Months
	}
	if !ok {
		return apperr.BadField("months", "must be one of %v, got %d", FinancingMonths, t.Months)
	}
	if t.NominalRateBP < 0 || t.NominalRateBP > MaxNominalRateBP {
		return apperr.BadField("nominal_rate_bp", "must be 0..%d, got %d", MaxNominalRateBP, t.NominalRateBP)
	}
	if t.MonthlyFee < 0 || t.MonthlyFee > money.MaxAmount {
		return apperr.BadField("monthly_fee", "must be 0..%d, got %d", money.MaxAmount, t.MonthlyFee)
	}
	if t.SetupFee < 0 || t.SetupFee > money.MaxAmount {
		return apperr.BadField("setup_fee", "must be 0..%d, got %d", money.MaxAmount, t.SetupFee)
	}
	return nil
}

// monthlyRate returns NominalRateBP / 10000 / 12 as an exact rational.
func monthlyRate(bp int64) *big.Rat { return big.NewRat(bp, 120_000) }

// AnnuityPayment returns the monthly annuity payment that repays amount in
// months instalments at the annual nominal rate rateBP:
// P = A*r / (1 - (1+r)^-n) with r = rateBP/10000/12, computed exactly and
// rounded half-up to the minor unit. At 0% it is A/n rounded half-up.
func AnnuityPayment(amount int64, months int, rateBP int64) (int64, error) {
	if err := checkAmount("amount", amount); err != nil {
		return 0, err
	}
	if err := checkTerms(Terms{Months: months, NominalRateBP: rateBP}); err != nil {
		return 0, err
	}
	return annuity(amount, months, rateBP)
}

func annuity(amount int64, months int, rateBP int64) (int64, error) {
	a := new(big.Rat).SetInt64(amount)
	var p *big.Rat
	if rateBP == 0 {
		p = a.Quo(a, big.NewRat(int64(months), 1))
	} else {
		r := monthlyRate(rateBP)
		g := new(big.Rat).Add(big.NewRat(1, 1), r) // (1+r)
		pow := big.NewRat(1, 1)
		for range months {
			pow.Mul(pow, g)
		}
		// P = A*r*g^n / (g^n - 1)
		num := new(big.Rat).Mul(a, r)
		num.Mul(num, pow)
		den := new(big.Rat).Sub(pow, big.NewRat(1, 1))
		p = num.Quo(num, den)
	}
	v, ok := roundHalfUp(p)
	if !ok {
		return 0, overflow()
	}
	return v, nil
}

// NewFinancing returns the financing schedule of amount (the purchase price,
// paid out at start) under terms t. Instalment k is due k months after start
// (AddMonths). Each month the interest is the outstanding principal times the
// monthly rate, rounded half-up to the minor unit; the principal part is the
// annuity payment (AnnuityPayment) less that interest, never more than the
// outstanding principal; the last instalment repays whatever principal is
// left, so the principal parts add up exactly to amount. Every instalment
// carries t.MonthlyFee and the first also t.SetupFee.
func NewFinancing(amount int64, start time.Time, t Terms) (Schedule, error) {
	if err := checkAmount("amount", amount); err != nil {
		return Schedule{}, err
	}
	if err := checkTerms(t); err != nil {
		return Schedule{}, err
	}
	pay, err := annuity(amount, t.Months, t.NominalRateBP)
	if err != nil {
		return Schedule{}, err
	}
	r := monthlyRate(t.NominalRateBP)
	bal := amount
	ins := make([]Installment, t.Months)
	for k := range ins {
		interest, ok := roundHalfUp(new(big.Rat).Mul(new(big.Rat).SetInt64(bal), r))
		if !ok {
			return Schedule{}, overflow()
		}
		principal := pay - interest
		if k == t.Months-1 || principal > bal {
			principal = bal
		}
		principal = max(principal, 0)
		bal -= principal
		fee := t.MonthlyFee
		if k == 0 {
			if fee, err = money.Add(fee, t.SetupFee); err != nil {
				return Schedule{}, overflow()
			}
		}
		amt, err := money.Add(principal, interest)
		if err == nil {
			amt, err = money.Add(amt, fee)
		}
		if err != nil {
			return Schedule{}, overflow()
		}
		ins[k] = Installment{Number: k + 1, Due: AddMonths(start, k+1), Principal: principal, Interest: interest, Fee: fee, Amount: amt}
	}
	return finish(Financing, ins)
}

// Offer returns the financing offer for amount under terms t: the schedule
// NewFinancing builds, summed, and its APR.
func Offer(amount int64, t Terms) (FinancingOffer, error) {
	s, err := NewFinancing(amount, time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), t)
	if err != nil {
		return FinancingOffer{}, err
	}
	pay, err := annuity(amount, t.Months, t.NominalRateBP)
	if err != nil {
		return FinancingOffer{}, err
	}
	mp, err := money.Add(pay, t.MonthlyFee)
	if err != nil {
		return FinancingOffer{}, overflow()
	}
	payments := make([]int64, len(s.Installments))
	for i, in := range s.Installments {
		payments[i] = in.Amount
	}
	apr, err := APR(amount, payments)
	if err != nil {
		return FinancingOffer{}, err
	}
	cost, err := money.Add(s.Interest, s.Fees)
	if err != nil {
		return FinancingOffer{}, overflow()
	}
	return FinancingOffer{
		Months: t.Months, NominalRateBP: t.NominalRateBP, MonthlyPayment: mp,
		TotalInterest: s.Interest, TotalFees: s.Fees, TotalCreditCost: cost,
		TotalPayable: s.Total, APR: apr,
	}, nil
}

// aprPrec is the big.Float precision (bits) of the APR root finder.
const aprPrec = 256

// APR returns the annual percentage rate of charge, in basis points rounded
// half-up to 1 bp, of a credit of drawdown paid out at time 0 and repaid by
// payments[k-1] at k months, per Directive 2008/48/EC Annex I with time in
// years t_k = k/12 (standard months):
//
//	drawdown = sum_k payments[k-1] * (1+X)^(-k/12)
//
// It substitutes v = (1+X)^(-1/12), so the right-hand side is a polynomial
// in v, increasing for v > 0; the root is found by bisection on big.Float at
// 256 bits of precision and X = v^-12 - 1. Payments that add up exactly to the
// drawdown give 0; payments adding up to less are rejected (negative APRs are
// not offered).
func APR(drawdown int64, payments []int64) (int64, error) {
	if err := checkAmount("drawdown", drawdown); err != nil {
		return 0, err
	}
	if len(payments) == 0 || len(payments) > 1200 {
		return 0, apperr.BadField("payments", "must have 1..1200 entries, got %d", len(payments))
	}
	var sum int64
	var err error
	for _, p := range payments {
		if p < 0 {
			return 0, apperr.BadField("payments", "must not be negative, got %d", p)
		}
		if sum, err = money.Add(sum, p); err != nil {
			return 0, overflow()
		}
	}
	if sum < drawdown {
		return 0, apperr.BadField("payments", "add up to %d, below the drawdown %d", sum, drawdown)
	}
	if sum == drawdown {
		return 0, nil
	}
	nf := func() *big.Float { return new(big.Float).SetPrec(aprPrec) }
	a := nf().SetInt64(drawdown)
	cf := make([]*big.Float, len(payments))
	for i, p := range payments {
		cf[i] = nf().SetInt64(p)
	}
	// f(v) = sum c_k v^k - A; f(0) = -A < 0, f(1) = sum - A > 0.
	f := func(v *big.Float) int {
		s, pw, t := nf(), nf().SetInt64(1), nf()
		for _, c := range cf {
			pw.Mul(pw, v)
			s.Add(s, t.Mul(c, pw))
		}
		return s.Cmp(a)
	}
	lo, hi, mid := nf(), nf().SetInt64(1), nf()
	half := nf().SetMantExp(nf().SetInt64(1), -1) // exactly 1/2
	for range aprPrec {
		mid.Add(lo, hi).Mul(mid, half)
		if f(mid) < 0 {
			lo.Set(mid)
		} else {
			hi.Set(mid)
		}
	}
	v := nf().Add(lo, hi)
	v.Mul(v, half)
	v12 := nf().SetInt64(1)
	for range 12 {
		v12.Mul(v12, v)
	}
	x := nf().Quo(nf().SetInt64(1), v12)
	x.Sub(x, nf().SetInt64(1))
	x.Mul(x, nf().SetInt64(10_000))
	r, _ := x.Rat(nil)
	bp, ok := roundHalfUp(r)
	if !ok {
		return 0, overflow()
	}
	return bp, nil
}
