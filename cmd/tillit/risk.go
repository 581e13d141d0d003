package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/tillit/tillit/internal/app"
	"github.com/tillit/tillit/internal/risk/features"
	"github.com/tillit/tillit/internal/risk/model"
	"github.com/tillit/tillit/internal/risk/sim"
)

const riskUsage = `usage: tillit risk <subcommand> [flags]

subcommands:
  decide    --order ID --status ACCEPTED|REJECTED|STOPPED --actor NAME --reason TEXT
            an operator's fraud decision on an order (audited)
  simulate  --out FILE.csv [--days N] [--seed S] [--customers N] [--merchants N]
            simulate labelled pay-later purchases (schema: docs/risk-model.md)
  train     --data FILE.csv --out MODEL.json [--model logreg|gbt]
            [--warmup-days N] [--gap-days N] [--test-days N] [--json]
            train a fraud model with a time-based split and report its test metrics
  eval      --data FILE.csv --model MODEL.json [--test-days N] [--budget SHARE]
            [--per-day K] [--json]
            ROC AUC, average precision and precision at the alert budget on the
            last days of a data set
  rules     show | history | check --file FILE | publish --file FILE --actor NAME --comment TEXT
            the fraud rules operators write (docs/risk-rules.md)`

// riskCommand dispatches the risk subcommands.
func riskCommand(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return usageError(riskUsage)
	}
	switch args[0] {
	case "decide":
		return riskDecide(ctx, args[1:])
	case "simulate":
		return riskSimulate(args[1:], os.Stdout)
	case "train":
		return riskTrain(args[1:], os.Stdout)
	case "eval":
		return riskEval(args[1:], os.Stdout)
	case "rules":
		return riskRules(ctx, args[1:], os.Stdout)
	}
	return usageError(riskUsage)
}

func riskDecide(ctx context.Context, args []string) error {
	const usageText = "usage: tillit risk decide --order ID --status ACCEPTED|REJECTED|STOPPED --actor NAME --reason TEXT"
	fs := flag.NewFlagSet("risk decide", flag.ContinueOnError)
	orderID := fs.String("order", "", "order id")
	status := fs.String("status", "", "new fraud status: ACCEPTED, REJECTED or STOPPED")
	actor := fs.String("actor", "", "who decides (recorded in the audit log)")
	reason := fs.String("reason", "", "why (recorded in the audit log; no personal data)")
	if err := fs.Parse(args); err != nil {
		return usageError(err.Error())
	}
	if *orderID == "" || *status == "" || *actor == "" || *reason == "" {
		return usageError(usageText)
	}
	// Stopping an order e-mails the merchant a link to its stop request.
	a, err := app.New(ctx, app.Config{DatabaseURL: databaseURL(), BaseURL: baseURL(env("TILLIT_LISTEN", defaultListen)), Logger: newLogger()})
	if err != nil {
		return err
	}
	defer a.Close()
	if err := a.Checkout.DecideFraudStatus(ctx, "operator:"+*actor, *orderID, strings.ToUpper(*status), *reason); err != nil {
		return err
	}
	printJSON(map[string]string{"order_id": *orderID, "fraud_status": strings.ToUpper(*status)})
	return nil
}

func riskSimulate(args []string, stdout io.Writer) error {
	def := sim.DefaultConfig()
	fs := flag.NewFlagSet("risk simulate", flag.ContinueOnError)
	days := fs.Int("days", def.Days, "days to simulate")
	seed := fs.Uint64("seed", def.Seed, "random seed; the same seed gives the same file")
	customers := fs.Int("customers", def.Customers, "customers at the start")
	merchants := fs.Int("merchants", def.Merchants, "merchants")
	start := fs.String("start", def.Start.Format(time.DateOnly), "first day (UTC)")
	out := fs.String("out", "", "CSV file to write")
	if err := fs.Parse(args); err != nil {
		return usageError(err.Error())
	}
	first, err := time.Parse(time.DateOnly, *start)
	if *out == "" || err != nil {
		return usageError("usage: tillit risk simulate --out FILE.csv [--days N] [--seed S] [--customers N] [--merchants N] [--start YYYY-MM-DD]")
	}
	txs, err := sim.Generate(sim.Config{Days: *days, Seed: *seed, Customers: *customers, Merchants: *merchants, Start: first})
	if err != nil {
		return usageError(err.Error())
	}
	f, err := os.Create(*out)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	if err := features.WriteCSV(w, txs); err != nil {
		f.Close()
		return err
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	summary := struct {
		File      string         `json:"file"`
		Orders    int            `json:"orders"`
		Frauds    int            `json:"frauds"`
		Scenarios map[string]int `json:"scenarios"`
	}{File: *out, Orders: len(txs), Scenarios: map[string]int{}}
	for _, s := range sim.Scenarios {
		summary.Scenarios[s] = 0
	}
	for _, t := range txs {
		summary.Frauds += t.Label
		if t.Scenario != "" {
			summary.Scenarios[t.Scenario]++
		}
	}
	return writeJSON(stdout, summary)
}

func riskTrain(args []string, stdout io.Writer) error {
	const usageText = "usage: tillit risk train --data FILE.csv --out MODEL.json [--model logreg|gbt] [--warmup-days N] [--gap-days N] [--test-days N] [--json]"
	fs := flag.NewFlagSet("risk train", flag.ContinueOnError)
	data := fs.String("data", "", "labelled CSV (schema: docs/risk-model.md)")
	out := fs.String("out", "", "model file to write")
	kind := fs.String("model", model.LogisticRegression, "logreg or gbt")
	def := model.DefaultOptions(model.LogisticRegression)
	warmup := fs.Int("warmup-days", def.Split.Warmup, "first days used only as history")
	gap := fs.Int("gap-days", def.Split.Gap, "days between training and test")
	test := fs.Int("test-days", def.Split.Test, "last days held out for the test")
	asJSON := fs.Bool("json", false, "print the training record as JSON")
	if err := fs.Parse(args); err != nil {
		return usageError(err.Error())
	}
	if *data == "" || *out == "" || (*kind != model.LogisticRegression && *kind != model.BoostedTrees) {
		return usageError(usageText)
	}
	txs, err := readData(*data)
	if err != nil {
		return err
	}
	o := model.DefaultOptions(*kind)
	o.Split = model.SplitDays{Warmup: *warmup, Gap: *gap, Test: *test}
	m, err := model.Train(txs, o)
	if err != nil {
		return err
	}
	if err := m.SaveFile(*out); err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(stdout, struct {
			ID       string         `json:"id"`
			File     string         `json:"file"`
			Training model.Training `json:"training"`
		}{m.ID, *out, m.Training})
	}
	t := m.Training
	fmt.Fprintf(stdout, "model %s written to %s\n", m.ID, *out)
	fmt.Fprintf(stdout, "trained on %s: %d orders, %d frauds\n", period(t.Split.TrainFrom, t.Split.TrainTo), t.TrainOrders, t.TrainFrauds)
	printMetrics(stdout, t.Test)
	return nil
}

func riskEval(args []string, stdout io.Writer) error {
	const usageText = "usage: tillit risk eval --data FILE.csv --model MODEL.json [--test-days N] [--budget SHARE] [--per-day K] [--thresholds P,P...] [--json]"
	fs := flag.NewFlagSet("risk eval", flag.ContinueOnError)
	data := fs.String("data", "", "labelled CSV (schema: docs/risk-model.md)")
	file := fs.String("model", "", "model file")
	test := fs.Int("test-days", 0, "evaluate on the last N days (default: the model's test period length)")
	budget := fs.Float64("budget", 0, "alert budget as a share of orders (default: the model's, 0.01)")
	perDay := fs.Int("per-day", 0, "alerts per day for the daily precision (default: the model's)")
	thresholds := fs.String("thresholds", "", "decision thresholds on the score to measure, comma-separated (such as 0.95,0.99)")
	asJSON := fs.Bool("json", false, "print the metrics as JSON")
	if err := fs.Parse(args); err != nil {
		return usageError(err.Error())
	}
	if *data == "" || *file == "" || *test < 0 || *budget < 0 || *budget > 1 || *perDay < 0 {
		return usageError(usageText)
	}
	var cuts []float64
	for _, f := range strings.FieldsFunc(*thresholds, func(r rune) bool { return r == ',' }) {
		p, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
		if err != nil || p <= 0 || p > 1 {
			return usageError("--thresholds: each must be a probability in (0, 1], not " + f)
		}
		cuts = append(cuts, p)
	}
	m, err := model.LoadFile(*file)
	if err != nil {
		return err
	}
	txs, err := readData(*data)
	if err != nil {
		return err
	}
	b := m.Training.Options.Budget
	if *budget > 0 {
		b.Share = *budget
	}
	if *perDay > 0 {
		b.PerDay = *perDay
	}
	days := m.Training.Options.Split.Test
	if *test > 0 {
		days = *test
	}
	split, err := model.NewSplit(txs, model.SplitDays{Test: days})
	if err != nil {
		return err
	}
	metrics := m.Evaluate(txs, split.TestFrom, split.TestTo, b)
	if len(cuts) > 0 {
		metrics.Thresholds = m.AtThresholds(txs, split.TestFrom, split.TestTo, cuts)
	}
	if *asJSON {
		return writeJSON(stdout, struct {
			Model   string        `json:"model"`
			Metrics model.Metrics `json:"metrics"`
		}{m.ID, metrics})
	}
	fmt.Fprintf(stdout, "model %s\n", m.ID)
	printMetrics(stdout, metrics)
	return nil
}

// readData reads a labelled CSV file.
func readData(path string) ([]features.Tx, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	txs, err := features.ReadCSV(bufio.NewReader(f))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return txs, nil
}

func period(from, to time.Time) string {
	return fmt.Sprintf("%s to %s (%d days)", from.Format(time.DateOnly), to.Add(-time.Second).Format(time.DateOnly), int(to.Sub(from).Hours()/24))
}

func printMetrics(w io.Writer, m model.Metrics) {
	fmt.Fprintf(w, "held out %s: %d orders, %d frauds\n", period(m.From, m.To), m.Orders, m.Frauds)
	fmt.Fprintf(w, "  ROC AUC             %.3f\n", m.ROCAUC)
	fmt.Fprintf(w, "  average precision   %.3f\n", m.AveragePrecision)
	fmt.Fprintf(w, "  precision at %.1f%% budget (%d alerts)  %.3f  (recall %.3f)\n", 100*m.Budget.Share, m.Alerts, m.PrecisionAtBudget, m.RecallAtBudget)
	fmt.Fprintf(w, "  daily precision, top %d a day        %.3f\n", m.Budget.PerDay, m.DailyPrecision)
	for _, s := range m.Scenarios {
		fmt.Fprintf(w, "  %-18s %4d of %4d frauds within the budget (%.3f)\n", s.Scenario, s.Caught, s.Frauds, s.Recall)
	}
	for _, t := range m.Thresholds {
		fmt.Fprintf(w, "  score >= %.3f: %.2f%% of orders, precision %.3f, recall %.3f\n", t.Threshold, 100*t.Share, t.Precision, t.Recall)
	}
}
