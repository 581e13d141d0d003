package rules_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tillit/tillit/internal/risk"
	"github.com/tillit/tillit/internal/risk/engine"
	"github.com/tillit/tillit/internal/risk/rules"
)

// manyRules is a rule set of n rules of the kinds operators write.
func manyRules(n int) string {
	var b strings.Builder
	b.WriteString(rules.DefaultSource)
	for i := range n {
		fmt.Fprintf(&b, "review R%03d_RULE when (amount > %d && hour in [0, 1, 2, 3]) || (email_domain == \"d%d.example\" && !ships_abroad) || age_years * 2 < %d\n",
			i, 100000+i*1000, i, 18+i%5)
	}
	return b.String()
}

// BenchmarkAssess measures the whole pipeline of an authorization with the
// built-in rules and with 50 more, reporting the median and the 99th
// percentile per assessment.
func BenchmarkAssess(b *testing.B) {
	for _, c := range []struct {
		name   string
		source string
	}{{"builtin", rules.DefaultSource}, {"50-rules", manyRules(50)}} {
		b.Run(c.name, func(b *testing.B) {
			set, err := rules.Compile(c.source, rules.OrderSchema)
			if err != nil {
				b.Fatal(err)
			}
			pipeline := engine.Pipeline(engine.Config{Rules: rules.Fixed(set)})
			in := input(func(in *risk.Input) { in.ShippingCountry, in.Now = "DK", time.Date(2026, 3, 2, 2, 0, 0, 0, time.UTC) })
			ctx := context.Background()
			lat := make([]time.Duration, 0, b.N)
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				start := time.Now()
				if _, err := pipeline.Assess(ctx, in); err != nil {
					b.Fatal(err)
				}
				lat = append(lat, time.Since(start))
			}
			b.StopTimer()
			slices.Sort(lat)
			b.ReportMetric(float64(lat[len(lat)/2].Nanoseconds()), "p50-ns")
			b.ReportMetric(float64(lat[len(lat)*99/100].Nanoseconds()), "p99-ns")
		})
	}
}
