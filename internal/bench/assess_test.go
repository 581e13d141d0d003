package bench_test

import (
	"context"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/tillit/tillit/internal/bench"
	"github.com/tillit/tillit/internal/risk"
	"github.com/tillit/tillit/internal/store/storetest"
)

// BenchmarkAssessment measures the whole risk assessment of one
// authorization as checkout runs it (identity, screening, the operator
// rules, the fraud model over the purchase history, the credit decision)
// against a database holding 2,000 customers and 20,000 purchases,
// reporting the median and the 99th percentile.
func BenchmarkAssessment(b *testing.B) {
	ctx := context.Background()
	w, err := bench.NewWorld(ctx, bench.AssessOptions{People: 2_000, Purchases: 20_000, DatabaseURL: storetest.DSN(b), Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	defer w.Close()
	r := rand.New(rand.NewPCG(2, 2))
	ins := make([]risk.Input, 1000)
	for i := range ins {
		ins[i] = w.Purchase(r, i)
	}
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	started := time.Now()
	for i := range b.N {
		in := ins[i%len(ins)]
		in.Now = in.Now.Truncate(time.Hour).Add(time.Since(started)) // the run's own clock
		t0 := time.Now()
		if _, err := w.App.Checkout.Assessor.Assess(ctx, in); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(t0))
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
}

// TestAssessmentRun: a short run of the assessment benchmark assesses
// purchases through every stage of the live pipeline, and ordinary
// purchases of customers with a history are accepted.
func TestAssessmentRun(t *testing.T) {
	res, err := bench.RunAssessment(context.Background(), bench.AssessOptions{
		Duration: 300 * time.Millisecond, Concurrency: 2, People: 300, Purchases: 3000, DatabaseURL: storetest.DSN(t), Seed: 1,
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Assessments == 0 || res.P99MS <= 0 || res.Outcomes[risk.Accepted] == 0 {
		t.Fatalf("%+v", res)
	}
	for _, stage := range []string{"rules", "model"} {
		if !slices.Contains(res.Stages, stage) {
			t.Errorf("stage %s did not run: %v", stage, res.Stages)
		}
	}
	if share := float64(res.Outcomes[risk.Accepted]) / float64(res.Assessments); share < 0.9 {
		t.Errorf("only %.0f%% of ordinary purchases accepted: %v", 100*share, res.Outcomes)
	}
}
