package plan_test

import (
	"fmt"
	"time"

	"github.com/tillit/tillit/internal/plan"
)

// A 100.00 purchase paid in 3: the odd minor unit goes on the first instalment.
func ExampleNewPayIn3() {
	s, err := plan.NewPayIn3(10000, time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC))
	if err != nil {
		panic(err)
	}
	for _, in := range s.Installments {
		fmt.Printf("%d %s %d.%02d\n", in.Number, in.Due.Format("2006-01-02"), in.Amount/100, in.Amount%100)
	}
	fmt.Printf("total %d.%02d\n", s.Total/100, s.Total%100)
	// Output:
	// 1 2026-01-15 33.34
	// 2 2026-02-14 33.33
	// 3 2026-03-16 33.33
	// total 100.00
}

// 10,000.00 over 12 months at 19.95% nominal with a 29.00 monthly fee and a
// 195.00 setup fee.
func ExampleOffer() {
	o, err := plan.Offer(1_000_000, plan.Terms{Months: 12, NominalRateBP: 1995, MonthlyFee: 2900, SetupFee: 19500})
	if err != nil {
		panic(err)
	}
	fmt.Printf("%+v\n", o)
	fmt.Printf("APR %d.%02d%%\n", o.APR/100, o.APR%100)
	// Output:
	// {Months:12 NominalRateBP:1995 MonthlyPayment:95511 TotalInterest:111326 TotalFees:54300 TotalCreditCost:165626 TotalPayable:1165626 APR:3416}
	// APR 34.16%
}
