package main

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tillit/tillit/internal/risk/model"
)

func TestRiskSimulateTrainEval(t *testing.T) {
	dir := t.TempDir()
	data, modelFile := filepath.Join(dir, "sim.csv"), filepath.Join(dir, "model.json")
	var out bytes.Buffer
	if err := riskSimulate([]string{"--days", "45", "--customers", "800", "--merchants", "160", "--seed", "4", "--out", data}, &out); err != nil {
		t.Fatal(err)
	}
	var summary struct {
		Orders, Frauds int
		Scenarios      map[string]int
	}
	if err := json.Unmarshal(out.Bytes(), &summary); err != nil || summary.Orders == 0 || summary.Frauds == 0 || len(summary.Scenarios) != 5 {
		t.Fatalf("simulate: %v %s", err, out.String())
	}

	out.Reset()
	if err := riskTrain([]string{"--data", data, "--out", modelFile, "--model", "logreg", "--test-days", "14", "--json"}, &out); err != nil {
		t.Fatal(err)
	}
	var trained struct {
		ID       string
		Training model.Training
	}
	if err := json.Unmarshal(out.Bytes(), &trained); err != nil || !strings.HasPrefix(trained.ID, "logreg-") || trained.Training.Test.ROCAUC < 0.6 {
		t.Fatalf("train: %v %s", err, out.String())
	}

	out.Reset()
	if err := riskEval([]string{"--data", data, "--model", modelFile}, &out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{trained.ID, "ROC AUC", "average precision", "precision at 1.0% budget", "daily precision, top 15"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("eval output lacks %q:\n%s", want, out.String())
		}
	}
	// The default test period is the model's, so eval repeats the training report.
	out.Reset()
	if err := riskEval([]string{"--data", data, "--model", modelFile, "--json"}, &out); err != nil {
		t.Fatal(err)
	}
	var evaluated struct{ Metrics model.Metrics }
	if err := json.Unmarshal(out.Bytes(), &evaluated); err != nil || evaluated.Metrics.ROCAUC != trained.Training.Test.ROCAUC {
		t.Errorf("eval %v %+v, training %+v", err, evaluated.Metrics, trained.Training.Test)
	}
}

func TestRiskUsage(t *testing.T) {
	for _, args := range [][]string{
		{"risk", "bogus"},
		{"risk", "simulate"},
		{"risk", "simulate", "--out", "x.csv", "--days", "0"},
		{"risk", "train", "--data", "x.csv"},
		{"risk", "train", "--data", "x.csv", "--out", "m.json", "--model", "forest"},
		{"risk", "eval", "--data", "x.csv"},
		{"risk", "eval", "--data", "x.csv", "--model", "m.json", "--budget", "2"},
	} {
		if _, err := capture(t, args...); exitCode(err) != 2 {
			t.Errorf("tillit %v: %v", args, err)
		}
	}
	if _, err := capture(t, "risk", "train", "--data", filepath.Join(t.TempDir(), "missing.csv"), "--out", "m.json"); err == nil || exitCode(err) != 1 {
		t.Errorf("missing data file: %v", err)
	}
}
