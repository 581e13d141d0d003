package app

import (
	"github.com/tillit/tillit/internal/risk/credit"
	"github.com/tillit/tillit/internal/store"
)

// creditStage returns the credit decision of the assessment with the
// configured (or default) policy and bureau adapter, counting bureau calls
// in counter.
func creditStage(db *store.DB, cfg Config, counter credit.Counter) (*credit.Stage, error) {
	policy := cfg.Credit
	if policy == (credit.Config{}) {
		policy = credit.DefaultConfig()
	}
	bureau := cfg.CreditBureau
	if bureau == nil {
		bureau = credit.Simulated{Latency: cfg.CreditBureauLatency}
	}
	return credit.NewStage(db, bureau, policy, counter)
}
