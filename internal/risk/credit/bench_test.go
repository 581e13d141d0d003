package credit_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/tillit/tillit/internal/repayment"
	"github.com/tillit/tillit/internal/risk"
	"github.com/tillit/tillit/internal/risk/credit"
)

// BenchmarkCreditStage measures the credit decision for a person with a
// history: 24 orders over a year (pay later, pay in 3 and pay now; most
// captured and paid, some paid late, some still open) and a kept bureau
// report. "small" is a purchase below the bureau threshold (the history
// alone); "bureau" one above it, answered from the kept report.
func BenchmarkCreditStage(b *testing.B) {
	f := newFixture(b, credit.DefaultConfig())
	const email = "history@example.com"
	for i := range 24 {
		switch i % 3 {
		case 0:
			id := f.order(b, email, repayment.CategoryPayLater, 40000+int64(i)*1000, "")
			f.capture(b, id, 40000+int64(i)*1000)
			if i%2 == 0 {
				f.pay(b, email, id, repayment.PayAll, "")
			}
		case 1:
			id := f.order(b, email, repayment.CategoryPayIn3, 90000, "")
			f.capture(b, id, 90000)
			f.pay(b, email, id, repayment.PayNext, "")
		default:
			f.order(b, email, repayment.CategoryPayNow, 15000, "sim:ok")
		}
		f.advance(b, 15*24*time.Hour)
	}
	// Settle what is owed so the person is not in arrears now.
	plans, err := f.plans.ForPerson(f.ctx, f.person(b, email))
	if err != nil {
		b.Fatal(err)
	}
	for _, p := range plans {
		if p.Outstanding > 0 {
			f.pay(b, email, p.OrderID, repayment.PayAll, "")
		}
	}
	f.order(b, email, repayment.CategoryPayLater, 120000, "")
	big := f.input(b, email, credit.DefaultConfig().BureauThreshold)
	if d, err := f.stage.Assess(f.ctx, big); err != nil || d.Summary["bureau_called"] != "true" {
		b.Fatalf("priming the report: %+v %v", d, err)
	}
	for _, c := range []struct {
		name   string
		amount int64
	}{{"small", 30000}, {"bureau", credit.DefaultConfig().BureauThreshold}} {
		in := f.input(b, email, c.amount)
		d, err := f.stage.Assess(f.ctx, in)
		if err != nil || d.Outcome == risk.Rejected {
			b.Fatalf("%s: %+v %v", c.name, d, err)
		}
		b.Run(fmt.Sprintf("%s/orders=%d", c.name, 25), func(b *testing.B) {
			calls := f.bureau.count()
			for b.Loop() {
				if _, err := f.stage.Assess(f.ctx, in); err != nil {
					b.Fatal(err)
				}
			}
			if f.bureau.count() != calls {
				b.Fatalf("the bureau was asked during the benchmark")
			}
		})
	}
}
