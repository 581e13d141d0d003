package plan

import (
	"errors"
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/money"
)

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func amounts(s Schedule) []int64 {
	out := make([]int64, len(s.Installments))
	for i, in := range s.Installments {
		out[i] = in.Amount
	}
	return out
}

func eqInts(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func mustValid(t *testing.T, s Schedule) {
	t.Helper()
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
}

// refAPR is an independent float64 reference (TEST ONLY): bisection on the
// annual rate X of sum c_k (1+X)^(-k/12) = A, returned in basis points.
func refAPR(a int64, pays []int64) float64 {
	f := func(x float64) float64 {
		s := -float64(a)
		for k, c := range pays {
			s += float64(c) * math.Pow(1+x, -float64(k+1)/12)
		}
		return s
	}
	lo, hi := 0.0, 1e6
	for range 300 {
		m := (lo + hi) / 2
		if f(m) > 0 {
			lo = m
		} else {
			hi = m
		}
	}
	return lo * 10000
}

func TestMethodString(t *testing.T) {
	for _, tc := range []struct {
		m    Method
		name string
	}{{PayNow, "pay_now"}, {PayLater, "pay_later"}, {PayIn3, "pay_in_3"}, {Financing, "financing"}} {
		if tc.m.String() != tc.name {
			t.Errorf("%d.String() = %q, want %q", tc.m, tc.m.String(), tc.name)
		}
		if m, err := ParseMethod(tc.name); err != nil || m != tc.m {
			t.Errorf("ParseMethod(%q) = %v, %v", tc.name, m, err)
		}
	}
	if _, err := ParseMethod("barter"); apperr.Code(err) != apperr.BadValue {
		t.Errorf("ParseMethod(barter) err = %v", err)
	}
}

func TestDates(t *testing.T) {
	cph := time.FixedZone("CET", 3600)
	for _, tc := range []struct {
		name      string
		got, want time.Time
	}{
		{"Date drops clock", Date(time.Date(2026, 3, 5, 23, 59, 0, 0, time.UTC)), day(2026, 3, 5)},
		{"Date keeps local day", Date(time.Date(2026, 3, 5, 0, 30, 0, 0, cph)), day(2026, 3, 5)},
		{"AddDays across month", AddDays(day(2026, 1, 20), 30), day(2026, 2, 19)},
		{"AddMonths plain", AddMonths(day(2026, 1, 15), 1), day(2026, 2, 15)},
		{"AddMonths clamps leap", AddMonths(day(2024, 1, 31), 1), day(2024, 2, 29)},
		{"AddMonths clamps", AddMonths(day(2026, 1, 31), 1), day(2026, 2, 28)},
		{"AddMonths over year", AddMonths(day(2026, 11, 30), 3), day(2027, 2, 28)},
		{"ShipDate given", ShipDate(day(2026, 1, 1), day(2026, 1, 4), 7), day(2026, 1, 4)},
		{"ShipDate default delay", ShipDate(day(2026, 1, 1), time.Time{}, 7), day(2026, 1, 8)},
	} {
		if !tc.got.Equal(tc.want) || tc.got.Location() != time.UTC {
			t.Errorf("%s: got %v, want %v", tc.name, tc.got, tc.want)
		}
	}
}

func TestRoundHalfUp(t *testing.T) {
	for _, tc := range []struct {
		n, d, want int64
	}{
		{5, 2, 3}, {7, 2, 4}, {-5, 2, -3}, {1, 3, 0}, {2, 3, 1}, {249, 100, 2}, {250, 100, 3}, {0, 7, 0}, {10, 1, 10},
	} {
		got, ok := roundHalfUp(big.NewRat(tc.n, tc.d))
		if !ok || got != tc.want {
			t.Errorf("roundHalfUp(%d/%d) = %d, want %d", tc.n, tc.d, got, tc.want)
		}
	}
	huge := new(big.Rat).SetInt(new(big.Int).Lsh(big.NewInt(1), 70))
	if _, ok := roundHalfUp(huge); ok {
		t.Error("roundHalfUp(2^70) fits int64")
	}
}

func TestPayNowAndPayLater(t *testing.T) {
	now, err := NewPayNow(12345, time.Date(2026, 5, 1, 14, 0, 0, 0, time.UTC))
	mustValid(t, now)
	if err != nil || len(now.Installments) != 1 || now.Total != 12345 || !now.Installments[0].Due.Equal(day(2026, 5, 1)) {
		t.Fatalf("pay now = %+v, %v", now, err)
	}
	for _, tc := range []struct {
		name    string
		ship    time.Time
		wantDue time.Time
	}{
		{"shipped date given", ShipDate(day(2026, 5, 1), day(2026, 5, 3), 0), day(2026, 6, 2)},
		{"default capture + delay", ShipDate(day(2026, 5, 1), time.Time{}, 2), day(2026, 6, 2)},
		{"year end", day(2026, 12, 15), day(2027, 1, 14)},
	} {
		s, err := NewPayLater(50000, tc.ship)
		if err != nil {
			t.Fatal(err)
		}
		mustValid(t, s)
		if s.Method != PayLater || len(s.Installments) != 1 || s.Total != 50000 || s.Interest != 0 || !s.Installments[0].Due.Equal(tc.wantDue) {
			t.Errorf("%s: %+v", tc.name, s)
		}
	}
}

func TestPayIn3(t *testing.T) {
	ship := day(2026, 1, 10)
	for _, tc := range []struct {
		amount int64
		want   []int64
	}{
		{10000, []int64{3334, 3333, 3333}},
		{10001, []int64{3335, 3333, 3333}},
		{9999, []int64{3333, 3333, 3333}},
		{3, []int64{1, 1, 1}},
		{2, []int64{2, 0, 0}},
		{1, []int64{1, 0, 0}},
	} {
		s, err := NewPayIn3(tc.amount, ship)
		if err != nil {
			t.Fatal(err)
		}
		mustValid(t, s)
		if !eqInts(amounts(s), tc.want) || s.Total != tc.amount || s.Interest != 0 {
			t.Errorf("PayIn3(%d) = %v, want %v", tc.amount, amounts(s), tc.want)
		}
		for k, want := range []time.Time{day(2026, 1, 10), day(2026, 2, 9), day(2026, 3, 11)} {
			if !s.Installments[k].Due.Equal(want) || s.Installments[k].Number != k+1 {
				t.Errorf("instalment %d due %v, want %v", k, s.Installments[k].Due, want)
			}
		}
	}
}

func TestAmountValidation(t *testing.T) {
	ship := day(2026, 1, 1)
	for _, tc := range []struct {
		name string
		err  error
	}{
		{"pay now zero", second(NewPayNow(0, ship))},
		{"pay later negative", second(NewPayLater(-1, ship))},
		{"pay in 3 too large", second(NewPayIn3(money.MaxAmount+1, ship))},
		{"financing zero", second(NewFinancing(0, ship, Terms{Months: 12}))},
		{"financing 3 months", second(NewFinancing(100000, ship, Terms{Months: 3}))},
		{"financing 48 months", second(NewFinancing(100000, ship, Terms{Months: 48}))},
		{"negative rate", second(NewFinancing(100000, ship, Terms{Months: 12, NominalRateBP: -1}))},
		{"rate too high", second(NewFinancing(100000, ship, Terms{Months: 12, NominalRateBP: MaxNominalRateBP + 1}))},
		{"negative monthly fee", second(NewFinancing(100000, ship, Terms{Months: 12, MonthlyFee: -1}))},
		{"negative setup fee", second(Offer(100000, Terms{Months: 12, SetupFee: -1}))},
		{"annuity bad months", second(AnnuityPayment(100000, 7, 0))},
		{"APR no payments", second(APR(100, nil))},
		{"APR payments below drawdown", second(APR(100, []int64{50, 49}))},
		{"APR negative payment", second(APR(100, []int64{200, -1}))},
		{"payment zero", third(ApplyPayment(Schedule{Method: PayLater}, 0))},
		{"refund zero", third(ApplyRefund(Schedule{Method: PayLater, Principal: 10}, 0))},
		{"refund above principal", third(ApplyRefund(Schedule{Method: PayLater, Principal: 10}, 11))},
		{"pause zero days", second(Pause(Schedule{}, ship, 0))},
		{"pause too long", second(Pause(Schedule{}, ship, MaxPauseDays+1))},
	} {
		if apperr.Code(tc.err) != apperr.BadValue {
			t.Errorf("%s: err = %v, want BAD_VALUE", tc.name, tc.err)
		}
	}
}

func second[T any](_ T, err error) error        { return err }
func third[T, U any](_ T, _ U, err error) error { return err }

func TestOverflow(t *testing.T) {
	if _, err := APR(100, []int64{math.MaxInt64, 1}); !errors.Is(err, money.ErrOverflow) {
		t.Errorf("APR overflow err = %v", err)
	}
	if _, err := finish(PayLater, []Installment{{Principal: math.MaxInt64, Amount: math.MaxInt64}, {Principal: 1, Amount: 1}}); !errors.Is(err, money.ErrOverflow) {
		t.Errorf("finish overflow err = %v", err)
	}
	s := Schedule{Method: PayLater, Principal: math.MaxInt64 - 5, Total: math.MaxInt64 - 5,
		Installments: []Installment{{Number: 1, Due: day(2026, 1, 1), Principal: math.MaxInt64 - 5, Amount: math.MaxInt64 - 5}}}
	if _, err := AddCapture(s, 10, day(2026, 1, 2)); !errors.Is(err, money.ErrOverflow) {
		t.Errorf("AddCapture overflow err = %v", err)
	}
	// The largest amounts and fees at the highest rate still fit.
	if _, err := Offer(money.MaxAmount, Terms{Months: 36, NominalRateBP: MaxNominalRateBP, MonthlyFee: money.MaxAmount, SetupFee: money.MaxAmount}); err != nil {
		t.Errorf("max offer: %v", err)
	}
}

func TestAnnuityPayment(t *testing.T) {
	for _, tc := range []struct {
		amount int64
		months int
		bp     int64
		want   int64
	}{
		{1_000_000, 12, 1000, 87916}, // 10,000.00 at 10%: 879.158... -> 879.16
		{1_000_000, 12, 1995, 92611},
		{1_000_000, 36, 1995, 37138},
		{10_000, 6, 0, 1667}, // 1666.67 rounds up
		{9_000, 6, 0, 1500},
		{3, 6, 0, 1}, // 0.5 rounds half-up to 1
	} {
		got, err := AnnuityPayment(tc.amount, tc.months, tc.bp)
		if err != nil || got != tc.want {
			t.Errorf("AnnuityPayment(%d, %d, %d) = %d, %v; want %d", tc.amount, tc.months, tc.bp, got, err, tc.want)
		}
	}
}

func TestNewFinancing(t *testing.T) {
	start := day(2026, 1, 31)
	for _, tc := range []struct {
		name                  string
		amount                int64
		terms                 Terms
		first, last           Installment // Number/Due ignored
		interest, fees, total int64
	}{
		{"10% 12m", 1_000_000, Terms{Months: 12, NominalRateBP: 1000},
			Installment{Principal: 79583, Interest: 8333, Amount: 87916},
			Installment{Principal: 87186, Interest: 727, Amount: 87913}, 54989, 0, 1_054_989},
		{"19.95% 12m fees", 1_000_000, Terms{Months: 12, NominalRateBP: 1995, MonthlyFee: 2900, SetupFee: 19500},
			Installment{Principal: 75986, Interest: 16625, Fee: 22400, Amount: 115011},
			Installment{Principal: 91091, Interest: 1514, Fee: 2900, Amount: 95505}, 111326, 54300, 1_165_626},
		{"0% 6m", 10_000, Terms{Months: 6},
			Installment{Principal: 1667, Amount: 1667}, Installment{Principal: 1665, Amount: 1665}, 0, 0, 10_000},
		{"tiny amount clamps principal", 3, Terms{Months: 6},
			Installment{Principal: 1, Amount: 1}, Installment{Principal: 0, Amount: 0}, 0, 0, 3},
	} {
		s, err := NewFinancing(tc.amount, start, tc.terms)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		mustValid(t, s)
		f, l := s.Installments[0], s.Installments[len(s.Installments)-1]
		f.Number, f.Due, l.Number, l.Due = 0, time.Time{}, 0, time.Time{}
		if f != tc.first || l != tc.last || s.Interest != tc.interest || s.Fees != tc.fees || s.Total != tc.total || s.Principal != tc.amount {
			t.Errorf("%s: first %+v last %+v totals %d/%d/%d", tc.name, f, l, s.Interest, s.Fees, s.Total)
		}
		if len(s.Installments) != tc.terms.Months {
			t.Errorf("%s: %d instalments", tc.name, len(s.Installments))
		}
	}
	s, _ := NewFinancing(1_000_000, start, Terms{Months: 6, NominalRateBP: 1000})
	for k, want := range []time.Time{day(2026, 2, 28), day(2026, 3, 31), day(2026, 4, 30), day(2026, 5, 31), day(2026, 6, 30), day(2026, 7, 31)} {
		if !s.Installments[k].Due.Equal(want) {
			t.Errorf("instalment %d due %v, want %v", k+1, s.Installments[k].Due, want)
		}
	}
}

func TestAPR(t *testing.T) {
	for _, tc := range []struct {
		name  string
		terms Terms
		want  int64 // exact expectation, or -1 to check only against the reference
		check func(apr int64) bool
	}{
		{"0% no fees is 0", Terms{Months: 12}, 0, nil},
		{"0% 36m no fees is 0", Terms{Months: 36}, 0, nil},
		{"10% 12m is 10.47%", Terms{Months: 12, NominalRateBP: 1000}, 1047, nil},
		{"setup fee lifts APR above nominal", Terms{Months: 12, NominalRateBP: 1000, SetupFee: 19500}, -1, func(a int64) bool { return a > 1047 }},
		{"0% with setup fee is positive", Terms{Months: 12, SetupFee: 19500}, 370, nil},
		{"19.95% 12m with fees", Terms{Months: 12, NominalRateBP: 1995, MonthlyFee: 2900, SetupFee: 19500}, 3416, nil},
		{"19.95% 36m monthly fee", Terms{Months: 36, NominalRateBP: 1995, MonthlyFee: 2900}, 2873, nil},
		{"24m 9.9%", Terms{Months: 24, NominalRateBP: 990}, -1, func(a int64) bool { return a > 990 }},
		{"1000% 6m", Terms{Months: 6, NominalRateBP: MaxNominalRateBP}, -1, nil},
	} {
		o, err := Offer(1_000_000, tc.terms)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		s, _ := NewFinancing(1_000_000, day(2026, 1, 1), tc.terms)
		ref := refAPR(1_000_000, amounts(s))
		if math.Abs(float64(o.APR)-ref) > 1 {
			t.Errorf("%s: APR %d bp, float reference %.3f bp", tc.name, o.APR, ref)
		}
		if tc.want >= 0 && o.APR != tc.want {
			t.Errorf("%s: APR %d, want %d", tc.name, o.APR, tc.want)
		}
		if tc.check != nil && !tc.check(o.APR) {
			t.Errorf("%s: APR %d fails check", tc.name, o.APR)
		}
	}
}

func TestOffer(t *testing.T) {
	o, err := Offer(1_000_000, Terms{Months: 12, NominalRateBP: 1995, MonthlyFee: 2900, SetupFee: 19500})
	if err != nil {
		t.Fatal(err)
	}
	want := FinancingOffer{Months: 12, NominalRateBP: 1995, MonthlyPayment: 95511, TotalInterest: 111326,
		TotalFees: 54300, TotalCreditCost: 165626, TotalPayable: 1_165_626, APR: 3416}
	if o != want {
		t.Errorf("Offer = %+v, want %+v", o, want)
	}
}

func TestApplyPayment(t *testing.T) {
	s, _ := NewPayIn3(10000, day(2026, 1, 1))
	for _, tc := range []struct {
		name     string
		pays     []int64
		wantPaid []int64
		excess   int64
	}{
		{"exact first", []int64{3334}, []int64{3334, 0, 0}, 0},
		{"spills into second", []int64{5000}, []int64{3334, 1666, 0}, 0},
		{"two payments", []int64{1000, 3000}, []int64{3334, 666, 0}, 0},
		{"over pays", []int64{12000}, []int64{3334, 3333, 3333}, 2000},
	} {
		cur := s
		var excess int64
		for _, p := range tc.pays {
			var e int64
			var err error
			cur, e, err = ApplyPayment(cur, p)
			if err != nil {
				t.Fatal(err)
			}
			excess += e
		}
		mustValid(t, cur)
		got := []int64{cur.Installments[0].Paid, cur.Installments[1].Paid, cur.Installments[2].Paid}
		if !eqInts(got, tc.wantPaid) || excess != tc.excess {
			t.Errorf("%s: paid %v excess %d, want %v %d", tc.name, got, excess, tc.wantPaid, tc.excess)
		}
	}
	if s.Paid() != 0 {
		t.Error("ApplyPayment modified its argument")
	}
}

func TestApplyRefund(t *testing.T) {
	p3, _ := NewPayIn3(10000, day(2026, 1, 1))
	p3paid1, _, _ := ApplyPayment(p3, 3334)
	p3paidAll, _, _ := ApplyPayment(p3, 10000)
	fin, _ := NewFinancing(1_000_000, day(2026, 1, 1), Terms{Months: 6, NominalRateBP: 1200, MonthlyFee: 100, SetupFee: 500})
	tiny, _ := NewFinancing(7, day(2026, 1, 1), Terms{Months: 6, MonthlyFee: 100, SetupFee: 500}) // principal all on the last instalment
	finPaid2, _, _ := ApplyPayment(fin, fin.Installments[0].Amount+fin.Installments[1].Amount)
	for _, tc := range []struct {
		name      string
		s         Schedule
		refund    int64
		want      []int64
		overpaid  int64
		wantTotal int64
	}{
		{"pay in 3 unpaid, from the last", p3, 5000, []int64{3334, 1666, 0}, 0, 5000},
		{"pay in 3 small refund", p3, 1, []int64{3334, 3333, 3332}, 0, 9999},
		{"pay in 3 first paid, refund reaches it", p3paid1, 7000, []int64{3000, 0, 0}, 334, 3000},
		{"pay in 3 full refund after one paid", p3paid1, 10000, []int64{0, 0, 0}, 3334, 0},
		{"pay in 3 fully paid, partial refund", p3paidAll, 4000, []int64{3334, 2666, 0}, 4000, 6000},
		{"financing full refund waives interest and fees", fin, 1_000_000, []int64{0, 0, 0, 0, 0, 0}, 0, 0},
		{"financing full refund, principal on the tail", tiny, 7, []int64{0, 0, 0, 0, 0, 0}, 0, 0},
		{"financing full refund returns payments", finPaid2, 1_000_000, []int64{0, 0, 0, 0, 0, 0}, finPaid2.Paid(), 0},
	} {
		got, over, err := ApplyRefund(tc.s, tc.refund)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		mustValid(t, got)
		if !eqInts(amounts(got), tc.want) || over != tc.overpaid || got.Total != tc.wantTotal {
			t.Errorf("%s: %v overpaid %d total %d; want %v %d %d", tc.name, amounts(got), over, got.Total, tc.want, tc.overpaid, tc.wantTotal)
		}
	}
	// Financing partial refund: the last instalments' principal goes first; a
	// month whose principal reaches zero loses its interest and fee, a partly
	// reduced one keeps them.
	last, prev := fin.Installments[5], fin.Installments[4]
	got, over, err := ApplyRefund(fin, last.Principal+10)
	if err != nil || over != 0 {
		t.Fatal(err, over)
	}
	mustValid(t, got)
	g5, g4 := got.Installments[5], got.Installments[4]
	if g5.Amount != 0 || g4.Principal != prev.Principal-10 || g4.Interest != prev.Interest || g4.Fee != prev.Fee {
		t.Errorf("partial financing refund: %+v %+v", g4, g5)
	}
	if got.Principal != fin.Principal-last.Principal-10 || got.Interest != fin.Interest-last.Interest || got.Fees != fin.Fees-last.Fee {
		t.Errorf("partial financing totals: %+v", got)
	}
}

func TestAddCapture(t *testing.T) {
	p3, _ := NewPayIn3(10000, day(2026, 1, 1))
	p3, _, _ = ApplyPayment(p3, 3334)
	got, err := AddCapture(p3, 5000, day(2026, 1, 11))
	if err != nil {
		t.Fatal(err)
	}
	mustValid(t, got)
	if !eqInts(amounts(got), []int64{3334, 3333, 3333, 1668, 1666, 1666}) || got.Total != 15000 || got.Paid() != 3334 {
		t.Errorf("pay in 3 capture: %v total %d", amounts(got), got.Total)
	}
	for k, in := range got.Installments {
		if in.Number != k+1 {
			t.Errorf("instalment %d numbered %d", k, in.Number)
		}
	}
	if !got.Installments[3].Due.Equal(day(2026, 1, 11)) || !got.Installments[5].Due.Equal(day(2026, 3, 12)) {
		t.Errorf("capture dates: %v %v", got.Installments[3].Due, got.Installments[5].Due)
	}
	pl, _ := NewPayLater(7000, day(2026, 1, 1))
	pl2, err := AddCapture(pl, 3000, day(2026, 1, 5))
	if err != nil || len(pl2.Installments) != 2 || pl2.Total != 10000 || !pl2.Installments[1].Due.Equal(day(2026, 2, 4)) {
		t.Errorf("pay later capture: %+v %v", pl2, err)
	}
	now, _ := NewPayNow(100, day(2026, 1, 1))
	if now2, err := AddCapture(now, 50, day(2026, 1, 3)); err != nil || now2.Total != 150 {
		t.Errorf("pay now capture: %+v %v", now2, err)
	}
	fin, _ := NewFinancing(100000, day(2026, 1, 1), Terms{Months: 6})
	if _, err := AddCapture(fin, 100, day(2026, 1, 2)); apperr.Code(err) != apperr.CaptureNotAllowed {
		t.Errorf("financing capture err = %v", err)
	}
	if _, err := AddCapture(pl, 0, day(2026, 1, 2)); apperr.Code(err) != apperr.BadValue {
		t.Errorf("zero capture err = %v", err)
	}
}

func TestPause(t *testing.T) {
	s, _ := NewPayIn3(9000, day(2026, 1, 1)) // due 1 Jan, 31 Jan, 2 Mar
	s, _, _ = ApplyPayment(s, 3000)
	for _, tc := range []struct {
		name string
		from time.Time
		days int
		want []time.Time
	}{
		{"from start skips paid", day(2026, 1, 1), 14, []time.Time{day(2026, 1, 1), day(2026, 2, 14), day(2026, 3, 16)}},
		{"from the due date itself", day(2026, 1, 31), 10, []time.Time{day(2026, 1, 1), day(2026, 2, 10), day(2026, 3, 12)}},
		{"only later ones", day(2026, 2, 1), 10, []time.Time{day(2026, 1, 1), day(2026, 1, 31), day(2026, 3, 12)}},
		{"after all", day(2026, 4, 1), 10, []time.Time{day(2026, 1, 1), day(2026, 1, 31), day(2026, 3, 2)}},
	} {
		got, err := Pause(s, tc.from, tc.days)
		if err != nil {
			t.Fatal(err)
		}
		mustValid(t, got)
		for k, want := range tc.want {
			if !got.Installments[k].Due.Equal(want) {
				t.Errorf("%s: instalment %d due %v, want %v", tc.name, k+1, got.Installments[k].Due, want)
			}
		}
		if got.Total != s.Total || !eqInts(amounts(got), amounts(s)) {
			t.Errorf("%s: amounts changed", tc.name)
		}
	}
	if !s.Installments[1].Due.Equal(day(2026, 1, 31)) {
		t.Error("Pause modified its argument")
	}
}

// TestPropertyRandomOps drives random schedules through random payments,
// refunds, captures and pauses and checks after every step that the
// invariants hold: instalments sum to the total, nothing is negative, paid
// never exceeds owed, and money is conserved.
func TestPropertyRandomOps(t *testing.T) {
	rng := rand.New(rand.NewPCG(2026, 11))
	start := day(2026, 1, 1)
	for iter := range 2000 {
		method := []Method{PayNow, PayLater, PayIn3, Financing}[rng.IntN(4)]
		amount := 1 + rng.Int64N(5_000_000)
		if rng.IntN(10) == 0 {
			amount = 1 + rng.Int64N(10)
		}
		var s Schedule
		var err error
		switch method {
		case PayNow:
			s, err = NewPayNow(amount, start)
		case PayLater:
			s, err = NewPayLater(amount, start)
		case PayIn3:
			s, err = NewPayIn3(amount, start)
		case Financing:
			s, err = NewFinancing(amount, start, Terms{Months: FinancingMonths[rng.IntN(4)],
				NominalRateBP: rng.Int64N(3000), MonthlyFee: rng.Int64N(5000), SetupFee: rng.Int64N(30000)})
		}
		if err != nil {
			t.Fatal(err)
		}
		principalIn := amount
		var refunded, paidIn, returned int64
		for step := range 12 {
			switch rng.IntN(4) {
			case 0: // payment
				var e int64
				p := 1 + rng.Int64N(s.Total/2+2)
				s, e, err = ApplyPayment(s, p)
				paidIn += p
				returned += e
			case 1: // refund
				if s.Principal == 0 {
					continue
				}
				r := 1 + rng.Int64N(s.Principal)
				var over int64
				before := s.Total
				s, over, err = ApplyRefund(s, r)
				refunded += r
				returned += over
				if err == nil && s.Total > before {
					t.Fatalf("iter %d: refund raised the total", iter)
				}
				if err == nil && s.Principal == 0 && s.Total != 0 {
					t.Fatalf("iter %d: full refund still owes %d: %+v", iter, s.Total, s)
				}
			case 2: // capture
				if method == Financing {
					continue
				}
				c := 1 + rng.Int64N(2_000_000)
				s, err = AddCapture(s, c, AddDays(start, rng.IntN(40)))
				principalIn += c
			case 3: // pause
				s, err = Pause(s, AddDays(start, rng.IntN(90)), 1+rng.IntN(60))
			}
			if err != nil {
				t.Fatalf("iter %d step %d: %v", iter, step, err)
			}
			if err := s.Validate(); err != nil {
				t.Fatalf("iter %d step %d: %v", iter, step, err)
			}
			if s.Principal != principalIn-refunded {
				t.Fatalf("iter %d step %d: principal %d, want %d", iter, step, s.Principal, principalIn-refunded)
			}
			if s.Paid() != paidIn-returned {
				t.Fatalf("iter %d step %d: paid %d, want %d", iter, step, s.Paid(), paidIn-returned)
			}
			if method != Financing && (s.Interest != 0 || s.Fees != 0 || s.Total != s.Principal) {
				t.Fatalf("iter %d: interest-free method has cost: %+v", iter, s)
			}
		}
	}
}

// TestPropertyFinancing checks random financing schedules: the principal
// parts add up exactly to the amount, every instalment is the annuity payment
// except the last (and the setup fee on the first), and the APR agrees with an
// independent float64 computation within 1 bp.
func TestPropertyFinancing(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 42))
	for iter := range 300 {
		amount := 10_000 + rng.Int64N(100_000_000)
		terms := Terms{Months: FinancingMonths[rng.IntN(4)], NominalRateBP: rng.Int64N(4000)}
		if rng.IntN(2) == 0 {
			terms.MonthlyFee, terms.SetupFee = rng.Int64N(5000), rng.Int64N(50000)
		}
		s, err := NewFinancing(amount, day(2026, 3, 31), terms)
		if err != nil {
			t.Fatal(err)
		}
		mustValid(t, s)
		if s.Principal != amount || len(s.Installments) != terms.Months {
			t.Fatalf("iter %d: principal %d of %d", iter, s.Principal, amount)
		}
		pay, _ := AnnuityPayment(amount, terms.Months, terms.NominalRateBP)
		for k, in := range s.Installments[:terms.Months-1] {
			if in.Principal+in.Interest != pay {
				t.Fatalf("iter %d: instalment %d is %d, annuity %d", iter, k+1, in.Principal+in.Interest, pay)
			}
		}
		lastPI := s.Installments[terms.Months-1].Principal + s.Installments[terms.Months-1].Interest
		if d := lastPI - pay; d < -int64(terms.Months) || d > int64(terms.Months) {
			t.Fatalf("iter %d: last instalment %d far from annuity %d", iter, lastPI, pay)
		}
		o, err := Offer(amount, terms)
		if err != nil {
			t.Fatal(err)
		}
		if ref := refAPR(amount, amounts(s)); math.Abs(float64(o.APR)-ref) > 1 {
			t.Fatalf("iter %d: APR %d, reference %.3f (%+v)", iter, o.APR, ref, terms)
		}
		if o.TotalPayable != amount+o.TotalCreditCost || o.TotalCreditCost != o.TotalInterest+o.TotalFees {
			t.Fatalf("iter %d: offer totals %+v", iter, o)
		}
		if terms.NominalRateBP > 0 && o.APR < terms.NominalRateBP {
			t.Fatalf("iter %d: APR %d below nominal %d", iter, o.APR, terms.NominalRateBP)
		}
	}
}
