package app

import (
	"context"
	"strings"
	"testing"

	"github.com/tillit/tillit/internal/metrics"
	"github.com/tillit/tillit/internal/risk"
	"github.com/tillit/tillit/internal/risk/credit"
	"github.com/tillit/tillit/internal/store/storetest"
)

// TestCreditStageCountsBureauCalls: the wired credit decision asks the
// simulated bureau by default, uses the configured policy and counts each
// inquiry in the metrics.
func TestCreditStageCountsBureauCalls(t *testing.T) {
	db, clk := storetest.Open(t)
	policy := credit.DefaultConfig()
	policy.BureauThreshold = 10000
	reg := metrics.New()
	stage, err := creditStage(db, Config{Credit: policy}, reg)
	if err != nil {
		t.Fatal(err)
	}
	if stage.Config() != policy {
		t.Fatalf("policy %+v, want %+v", stage.Config(), policy)
	}
	in := risk.Input{Amount: 20000, Currency: "DKK", DateOfBirth: "1990-05-17", BillingCountry: "DK", Keys: risk.Keys{Email: "key"}, Now: clk.Now()}
	for range 2 {
		d, err := stage.Assess(context.Background(), in)
		if err != nil {
			t.Fatal(err)
		}
		if d.Versions["bureau"] != credit.SimulatedVersion {
			t.Fatalf("versions %v, want the simulated bureau", d.Versions)
		}
	}
	var b strings.Builder
	if _, err := reg.WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{credit.MetricBureauCalls + " 1\n", credit.MetricBureauCacheHits + " 1\n"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("metrics lack %q:\n%s", want, b.String())
		}
	}
	if _, err := creditStage(db, Config{Credit: credit.Config{MaxOpenBalance: -1}}, reg); err == nil {
		t.Fatal("an invalid policy was accepted")
	}
}
