package main

import (
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/tillit/tillit/internal/app"
	"github.com/tillit/tillit/internal/risk/credit"
)

// withCreditSettings reads the credit policy from the environment into cfg
// (docs/credit.md): TILLIT_CREDIT_MAX_OPEN_BALANCE and
// TILLIT_CREDIT_BUREAU_THRESHOLD (minor units), TILLIT_CREDIT_MIN_SCORE,
// TILLIT_CREDIT_BUREAU_CACHE and TILLIT_CREDIT_BUREAU_TIMEOUT (durations
// such as 720h or 2s) and TILLIT_CREDIT_BUREAU_LATENCY (how long the
// simulated bureau takes). Unset variables keep credit.DefaultConfig.
func withCreditSettings(cfg *app.Config) error {
	policy := credit.DefaultConfig()
	for name, into := range map[string]*int64{
		"TILLIT_CREDIT_MAX_OPEN_BALANCE": &policy.MaxOpenBalance,
		"TILLIT_CREDIT_BUREAU_THRESHOLD": &policy.BureauThreshold,
	} {
		if v := os.Getenv(name); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return fmt.Errorf("%s: %q is not an amount in minor units", name, v)
			}
			*into = n
		}
	}
	if v := os.Getenv("TILLIT_CREDIT_MIN_SCORE"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return fmt.Errorf("TILLIT_CREDIT_MIN_SCORE: %q is not a score", v)
		}
		policy.MinBureauScore = n
	}
	latency := time.Duration(0)
	for name, into := range map[string]*time.Duration{
		"TILLIT_CREDIT_BUREAU_CACHE":   &policy.BureauCacheFor,
		"TILLIT_CREDIT_BUREAU_TIMEOUT": &policy.BureauTimeout,
		"TILLIT_CREDIT_BUREAU_LATENCY": &latency,
	} {
		if v := os.Getenv(name); v != "" {
			d, err := time.ParseDuration(v)
			if err != nil || d < 0 {
				return fmt.Errorf("%s: %q is not a duration", name, v)
			}
			*into = d
		}
	}
	if err := policy.Validate(); err != nil {
		return err
	}
	cfg.Credit, cfg.CreditBureauLatency = policy, latency
	return nil
}
