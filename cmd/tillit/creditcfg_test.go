package main

import (
	"testing"
	"time"

	"github.com/tillit/tillit/internal/app"
	"github.com/tillit/tillit/internal/risk/credit"
)

func TestCreditSettingsFromTheEnvironment(t *testing.T) {
	var cfg app.Config
	if err := withCreditSettings(&cfg); err != nil || cfg.Credit != credit.DefaultConfig() || cfg.CreditBureauLatency != 0 {
		t.Fatalf("defaults: %+v %v", cfg.Credit, err)
	}
	t.Setenv("TILLIT_CREDIT_MAX_OPEN_BALANCE", "10000000")
	t.Setenv("TILLIT_CREDIT_BUREAU_THRESHOLD", "250000")
	t.Setenv("TILLIT_CREDIT_MIN_SCORE", "400")
	t.Setenv("TILLIT_CREDIT_BUREAU_CACHE", "168h")
	t.Setenv("TILLIT_CREDIT_BUREAU_LATENCY", "150ms")
	if err := withCreditSettings(&cfg); err != nil {
		t.Fatal(err)
	}
	c := cfg.Credit
	if c.MaxOpenBalance != 10000000 || c.BureauThreshold != 250000 || c.MinBureauScore != 400 || c.BureauCacheFor != 7*24*time.Hour ||
		c.BureauTimeout != credit.DefaultConfig().BureauTimeout || cfg.CreditBureauLatency != 150*time.Millisecond {
		t.Fatalf("read %+v, latency %s", c, cfg.CreditBureauLatency)
	}
	for _, bad := range [][2]string{{"TILLIT_CREDIT_MAX_OPEN_BALANCE", "lots"}, {"TILLIT_CREDIT_MIN_SCORE", "1200"},
		{"TILLIT_CREDIT_BUREAU_TIMEOUT", "0s"}, {"TILLIT_CREDIT_BUREAU_CACHE", "a month"}} {
		t.Setenv(bad[0], bad[1])
		if err := withCreditSettings(&app.Config{}); err == nil {
			t.Errorf("%s=%s accepted", bad[0], bad[1])
		}
		t.Setenv(bad[0], "")
	}
}
