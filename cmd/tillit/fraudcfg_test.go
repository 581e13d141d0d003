package main

import (
	"testing"

	"github.com/tillit/tillit/internal/app"
	"github.com/tillit/tillit/internal/risk/fraud"
)

func TestFraudSettings(t *testing.T) {
	var cfg app.Config
	if err := withFraudSettings(&cfg); err != nil || cfg.Fraud != fraud.DefaultConfig() || cfg.FraudModel != nil {
		t.Fatalf("defaults: %+v %v", cfg.Fraud, err)
	}
	t.Setenv("TILLIT_FRAUD_REVIEW", "0.6")
	t.Setenv("TILLIT_FRAUD_REJECT", "0.97")
	if err := withFraudSettings(&cfg); err != nil || cfg.Fraud != (fraud.Config{Review: 0.6, Reject: 0.97}) {
		t.Fatalf("set: %+v %v", cfg.Fraud, err)
	}
	for _, bad := range [][2]string{{"TILLIT_FRAUD_REVIEW", "high"}, {"TILLIT_FRAUD_REVIEW", "0.99"}, {"TILLIT_FRAUD_REJECT", "2"}} {
		t.Run(bad[0]+"="+bad[1], func(t *testing.T) {
			t.Setenv(bad[0], bad[1])
			if err := withFraudSettings(&cfg); err == nil {
				t.Errorf("accepted %s=%s", bad[0], bad[1])
			}
		})
	}
	t.Setenv("TILLIT_FRAUD_MODEL", "/nonexistent/model.json")
	if err := withFraudSettings(&cfg); err == nil {
		t.Error("accepted a missing model file")
	}
}
