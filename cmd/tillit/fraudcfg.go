package main

import (
	"fmt"
	"os"
	"strconv"

	"github.com/tillit/tillit/internal/app"
	"github.com/tillit/tillit/internal/risk/fraud"
	"github.com/tillit/tillit/internal/risk/model"
)

// withFraudSettings reads the fraud model's settings from the environment
// into cfg: TILLIT_FRAUD_MODEL (a model file instead of the shipped model)
// and TILLIT_FRAUD_REVIEW and TILLIT_FRAUD_REJECT (the score thresholds).
func withFraudSettings(cfg *app.Config) error {
	if path := os.Getenv("TILLIT_FRAUD_MODEL"); path != "" {
		m, err := model.LoadFile(path)
		if err != nil {
			return fmt.Errorf("TILLIT_FRAUD_MODEL: %w", err)
		}
		cfg.FraudModel = m
	}
	thresholds := fraud.DefaultConfig()
	for name, into := range map[string]*float64{"TILLIT_FRAUD_REVIEW": &thresholds.Review, "TILLIT_FRAUD_REJECT": &thresholds.Reject} {
		v := os.Getenv(name)
		if v == "" {
			continue
		}
		p, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return fmt.Errorf("%s: %q is not a probability", name, v)
		}
		*into = p
	}
	if err := thresholds.Validate(); err != nil {
		return err
	}
	cfg.Fraud = thresholds
	return nil
}
