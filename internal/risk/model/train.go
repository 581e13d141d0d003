package model

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/tillit/tillit/internal/risk/features"
)

const day = 24 * time.Hour

// SplitDays divides a data set's days, in order: warm-up days that only
// serve as history, training days, a gap, and the held-out test days at the
// end.
type SplitDays struct {
	Warmup int `json:"warmup_days"`
	// Gap separates training from test so that every training label would
	// have been known when the test period starts (features.LabelDelay) and
	// no fraud spree straddles the two.
	Gap  int `json:"gap_days"`
	Test int `json:"test_days"`
}

// Split is a time-based split; each period is [From, To).
type Split struct {
	TrainFrom time.Time `json:"train_from"`
	TrainTo   time.Time `json:"train_to"`
	TestFrom  time.Time `json:"test_from"`
	TestTo    time.Time `json:"test_to"`
}

// NewSplit places the split on a data set sorted by time, counting whole UTC
// days from its first and last order.
func NewSplit(txs []features.Tx, d SplitDays) (Split, error) {
	if len(txs) == 0 {
		return Split{}, errors.New("no orders in the data")
	}
	if d.Warmup < 0 || d.Gap < 0 || d.Test < 1 {
		return Split{}, errors.New("split: warm-up and gap must not be negative, and the test period needs a day")
	}
	first := txs[0].Time.UTC().Truncate(day)
	end := txs[len(txs)-1].Time.UTC().Truncate(day).Add(day)
	s := Split{TestTo: end, TestFrom: end.Add(-time.Duration(d.Test) * day), TrainFrom: first.Add(time.Duration(d.Warmup) * day)}
	s.TrainTo = s.TestFrom.Add(-time.Duration(d.Gap) * day)
	if s.TrainTo.Sub(s.TrainFrom) < day {
		days := int(end.Sub(first) / day)
		return Split{}, fmt.Errorf("split: the data covers %d days, too few for %d warm-up, %d gap and %d test days plus training", days, d.Warmup, d.Gap, d.Test)
	}
	return s, nil
}

// Budget is the alert budget precision is measured at.
type Budget struct {
	Share  float64 `json:"share"`   // of the period's orders, highest scores first
	PerDay int     `json:"per_day"` // orders a day, for the daily precision
}

// Options say what to train and how.
type Options struct {
	Kind   string      `json:"kind"`
	Split  SplitDays   `json:"split"`
	Lambda float64     `json:"lambda,omitempty"` // L2 weight of the logistic regression
	GBT    *GBTOptions `json:"gbt,omitempty"`
	Seed   uint64      `json:"seed"` // row sampling of the trees
	Budget Budget      `json:"budget"`
}

// DefaultOptions returns the options the shipped model is trained with for
// a kind of model.
func DefaultOptions(kind string) Options {
	o := Options{
		Kind:   kind,
		Split:  SplitDays{Warmup: 7, Gap: 7, Test: 28},
		Seed:   1,
		Budget: Budget{Share: 0.01, PerDay: 15},
	}
	if kind == BoostedTrees {
		o.GBT = &GBTOptions{Trees: 150, Depth: 4, LearningRate: 0.1, L2: 1, MinChildWeight: 1, MaxLeaf: 4, Subsample: 0.8, Bins: 64}
	} else {
		o.Lambda = 1e-4
	}
	return o
}

// Training records how a model was trained and how it did on the held-out
// period.
type Training struct {
	Options     Options `json:"options"`
	Split       Split   `json:"split"`
	TrainOrders int     `json:"train_orders"`
	TrainFrauds int     `json:"train_frauds"`
	Test        Metrics `json:"test"`
}

// Metrics is an evaluation over one period.
type Metrics struct {
	From             time.Time `json:"from"`
	To               time.Time `json:"to"`
	Orders           int       `json:"orders"`
	Frauds           int       `json:"frauds"`
	ROCAUC           float64   `json:"roc_auc"`
	AveragePrecision float64   `json:"average_precision"`
	Budget           Budget    `json:"budget"`
	// Alerts is the number of orders in the budget; PrecisionAtBudget and
	// RecallAtBudget are the share of them that are fraud and the share of
	// the period's frauds among them.
	Alerts            int     `json:"alerts"`
	PrecisionAtBudget float64 `json:"precision_at_budget"`
	RecallAtBudget    float64 `json:"recall_at_budget"`
	// DailyPrecision is the mean over days of the precision of each day's
	// Budget.PerDay highest scores.
	DailyPrecision float64 `json:"daily_precision"`
	// Scenarios breaks the frauds down by the scenario column, when the
	// data has one.
	Scenarios []ScenarioRecall `json:"scenarios,omitempty"`
	// Thresholds measures the decision thresholds asked for (see
	// Model.AtThresholds): what share of orders each would stop and how
	// many of them are fraud.
	Thresholds []AtThreshold `json:"thresholds,omitempty"`
}

// ScenarioRecall is how many frauds of one scenario fell within the budget.
type ScenarioRecall struct {
	Scenario string  `json:"scenario"`
	Frauds   int     `json:"frauds"`
	Caught   int     `json:"caught"`
	Recall   float64 `json:"recall"`
}

// Train fits a model on a data set sorted by time: the category encoding
// and the model on the training period, the metrics on the test period.
func Train(txs []features.Tx, o Options) (*Model, error) {
	if o.Kind != LogisticRegression && o.Kind != BoostedTrees {
		return nil, fmt.Errorf("unknown model kind %q (want %s or %s)", o.Kind, LogisticRegression, BoostedTrees)
	}
	if o.Kind == BoostedTrees && o.GBT == nil {
		return nil, errors.New("boosted trees need GBT options")
	}
	if !slices.IsSortedFunc(txs, func(a, b features.Tx) int { return a.Time.Compare(b.Time) }) {
		return nil, errors.New("the orders must be sorted by time (features.SortByTime)")
	}
	split, err := NewSplit(txs, o.Split)
	if err != nil {
		return nil, err
	}
	var train []features.Tx
	for _, t := range txs {
		if !t.Time.Before(split.TrainFrom) && t.Time.Before(split.TrainTo) {
			train = append(train, t)
		}
	}
	m := &Model{
		Format: Format, FormatVersion: FormatVersion, Kind: o.Kind,
		FeatureVersion: features.Version, Features: features.Names(),
		Encoding: features.FitEncoding(train, features.DefaultSmoothing),
	}
	vecs := features.Offline(txs, &m.Encoding)
	var xs []features.Vector
	var y []float64
	frauds := 0
	for i, t := range txs {
		if t.Time.Before(split.TrainFrom) || !t.Time.Before(split.TrainTo) {
			continue
		}
		var x features.Vector
		prep(&vecs[i], &x)
		xs = append(xs, x)
		y = append(y, float64(t.Label))
		frauds += t.Label
	}
	if frauds == 0 || frauds == len(xs) {
		return nil, errors.New("the training period needs both fraud and genuine orders")
	}
	if o.Kind == BoostedTrees {
		m.GBT = trainGBT(xs, y, *o.GBT, o.Seed)
	} else {
		m.LogReg = trainLogReg(xs, y, o.Lambda)
	}
	m.Training = Training{
		Options: o, Split: split, TrainOrders: len(xs), TrainFrauds: frauds,
		Test: m.evaluate(txs, vecs, split.TestFrom, split.TestTo, o.Budget),
	}
	m.ID = m.digest()
	return m, nil
}

// AtThreshold is what a decision threshold on the score does to a period's
// orders.
type AtThreshold struct {
	Threshold float64 `json:"threshold"`
	// Share is the share of orders scoring at or above it.
	Share float64 `json:"share"`
	// Precision is the share of those that are fraud; Recall the share of
	// the period's frauds among them.
	Precision float64 `json:"precision"`
	Recall    float64 `json:"recall"`
}

// AtThresholds scores the orders of [from, to) like Evaluate and measures
// each threshold.
func (m *Model) AtThresholds(txs []features.Tx, from, to time.Time, thresholds []float64) []AtThreshold {
	vecs := features.Offline(txs, &m.Encoding)
	var scores []float64
	var labels []int
	frauds := 0
	for i, t := range txs {
		if t.Time.Before(from) || !t.Time.Before(to) {
			continue
		}
		scores = append(scores, m.Probability(&vecs[i]))
		labels = append(labels, t.Label)
		frauds += t.Label
	}
	out := make([]AtThreshold, 0, len(thresholds))
	for _, th := range thresholds {
		at := AtThreshold{Threshold: th}
		n, caught := 0, 0
		for i, s := range scores {
			if s >= th {
				n++
				caught += labels[i]
			}
		}
		if len(scores) > 0 {
			at.Share = float64(n) / float64(len(scores))
		}
		if n > 0 {
			at.Precision = float64(caught) / float64(n)
		}
		if frauds > 0 {
			at.Recall = float64(caught) / float64(frauds)
		}
		out = append(out, at)
	}
	return out
}

// Evaluate scores the orders of [from, to) in a data set sorted by time
// (earlier orders serve as history) and measures the model on them.
func (m *Model) Evaluate(txs []features.Tx, from, to time.Time, b Budget) Metrics {
	return m.evaluate(txs, features.Offline(txs, &m.Encoding), from, to, b)
}

func (m *Model) evaluate(txs []features.Tx, vecs []features.Vector, from, to time.Time, b Budget) Metrics {
	out := Metrics{From: from, To: to, Budget: b}
	var scores []float64
	var labels []int
	var times []time.Time
	var scenarios []string
	for i, t := range txs {
		if t.Time.Before(from) || !t.Time.Before(to) {
			continue
		}
		scores = append(scores, m.Probability(&vecs[i]))
		labels = append(labels, t.Label)
		times = append(times, t.Time)
		scenarios = append(scenarios, t.Scenario)
		out.Frauds += t.Label
	}
	out.Orders = len(scores)
	if out.Orders == 0 {
		return out
	}
	out.ROCAUC = ROCAUC(scores, labels)
	out.AveragePrecision = AveragePrecision(scores, labels)
	out.Alerts = max(1, int(math.Round(b.Share*float64(out.Orders))))
	out.PrecisionAtBudget = PrecisionAtK(scores, labels, out.Alerts)
	if out.Frauds > 0 {
		out.RecallAtBudget = out.PrecisionAtBudget * float64(min(out.Alerts, out.Orders)) / float64(out.Frauds)
	}
	if b.PerDay > 0 {
		out.DailyPrecision = DailyPrecisionAtK(times, scores, labels, b.PerDay)
	}
	caught := map[string]int{}
	for _, i := range byScore(scores)[:min(out.Alerts, out.Orders)] {
		caught[scenarios[i]] += labels[i]
	}
	totals := map[string]int{}
	var names []string
	for i, s := range scenarios {
		if labels[i] == 1 && s != "" {
			if totals[s] == 0 {
				names = append(names, s)
			}
			totals[s]++
		}
	}
	slices.Sort(names)
	for _, s := range names {
		out.Scenarios = append(out.Scenarios, ScenarioRecall{Scenario: s, Frauds: totals[s], Caught: caught[s], Recall: float64(caught[s]) / float64(totals[s])})
	}
	return out
}
