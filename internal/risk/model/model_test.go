package model

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/tillit/tillit/internal/risk/features"
	"github.com/tillit/tillit/internal/risk/sim"
)

func TestMetricsOnHandComputedExamples(t *testing.T) {
	for _, c := range []struct {
		name    string
		scores  []float64
		labels  []int
		auc, ap float64
		p2      float64 // precision at k=2
	}{
		// Pairs (fraud above genuine): 0.9>0.8, 0.9>0.6, 0.7>0.6; 0.7<0.8: AUC 3/4.
		// AP: recall 1/2 at precision 1, recall 1 at precision 2/3: 0.5·1 + 0.5·2/3.
		{"ranked", []float64{0.9, 0.8, 0.7, 0.6}, []int{1, 0, 1, 0}, 0.75, 0.5 + 1.0/3, 0.5},
		{"perfect", []float64{0.1, 0.9, 0.8, 0.2}, []int{0, 1, 1, 0}, 1, 1, 1},
		{"reversed", []float64{0.1, 0.9}, []int{1, 0}, 0, 0.5, 0.5},
		// A tie between a fraud and a genuine order counts half; one
		// threshold with precision 1/2 at recall 1.
		{"tie", []float64{0.5, 0.5}, []int{1, 0}, 0.5, 0.5, 0.5},
		// Ties: scores 0.8 {1,0}, 0.3 {1,0,0}. AUC: genuine at 0.8 sees half
		// a fraud; each genuine at 0.3 sees one fraud above and half tied:
		// (0.5 + 1.5 + 1.5)/(2·3). AP: 0.5·(1/2) + 0.5·(2/5).
		{"tied groups", []float64{0.8, 0.8, 0.3, 0.3, 0.3}, []int{1, 0, 1, 0, 0}, 3.5 / 6, 0.25 + 0.2, 0.5},
	} {
		if got := ROCAUC(c.scores, c.labels); math.Abs(got-c.auc) > 1e-12 {
			t.Errorf("%s: AUC %v, want %v", c.name, got, c.auc)
		}
		if got := AveragePrecision(c.scores, c.labels); math.Abs(got-c.ap) > 1e-12 {
			t.Errorf("%s: AP %v, want %v", c.name, got, c.ap)
		}
		if got := PrecisionAtK(c.scores, c.labels, 2); math.Abs(got-c.p2) > 1e-12 {
			t.Errorf("%s: precision@2 %v, want %v", c.name, got, c.p2)
		}
	}
	if ROCAUC([]float64{1, 2}, []int{0, 0}) != 0.5 || AveragePrecision([]float64{1}, []int{0}) != 0 {
		t.Error("one class only")
	}
	day1 := time.Date(2026, 1, 1, 10, 0, 0, 0, time.UTC)
	day2 := day1.Add(24 * time.Hour)
	times := []time.Time{day1, day1, day1, day2, day2}
	// Day 1 top 2: 0.9 (fraud), 0.5 (genuine) → 1/2; day 2 top 2: both fraud → 1.
	got := DailyPrecisionAtK(times, []float64{0.9, 0.5, 0.1, 0.4, 0.3}, []int{1, 0, 1, 1, 1}, 2)
	if got != 0.75 {
		t.Errorf("daily precision %v, want 0.75", got)
	}
}

func TestLogisticRegressionRecoversCoefficients(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	w := []float64{1.5, -2, 0.5, 0, 1}
	const b = -1.0
	n := 40000
	x := make([][]float64, n)
	y := make([]float64, n)
	for i := range x {
		x[i] = make([]float64, len(w))
		z := b
		for j := range w {
			x[i][j] = r.NormFloat64()
			z += w[j] * x[i][j]
		}
		if r.Float64() < sigmoid(z) {
			y[i] = 1
		}
	}
	gotW, gotB := fitLogistic(x, y, 0)
	for j := range w {
		if math.Abs(gotW[j]-w[j]) > 0.08 {
			t.Errorf("w[%d] = %.3f, want %.3f", j, gotW[j], w[j])
		}
	}
	if math.Abs(gotB-b) > 0.08 {
		t.Errorf("b = %.3f, want %.3f", gotB, b)
	}
	// The L2 penalty shrinks the weights.
	shrunk, _ := fitLogistic(x, y, 0.5)
	if math.Abs(shrunk[1]) >= math.Abs(gotW[1])*0.8 {
		t.Errorf("lambda 0.5 left w[1] at %.3f (unpenalised %.3f)", shrunk[1], gotW[1])
	}
}

// synthetic returns prepared vectors in which fraud is mismatch AND a high
// amount, with a little noise, and the labels.
func synthetic(n int, seed uint64) ([]features.Vector, []float64) {
	r := rand.New(rand.NewPCG(seed, 3))
	xs := make([]features.Vector, n)
	y := make([]float64, n)
	for i := range xs {
		xs[i][features.FAmount] = 10 + r.Float64()*990
		xs[i][features.FHour] = float64(r.IntN(24))
		if r.Float64() < 0.2 {
			xs[i][features.FMismatch] = 1
		}
		fraud := xs[i][features.FMismatch] == 1 && xs[i][features.FAmount] > 700
		if fraud != (r.Float64() < 0.005) {
			y[i] = 1
		}
		raw := xs[i]
		prep(&raw, &xs[i])
	}
	return xs, y
}

func TestBoostedTreesLearnAnInteractionAndExplainIt(t *testing.T) {
	xs, y := synthetic(20000, 1)
	o := DefaultOptions(BoostedTrees).GBT
	g := trainGBT(xs, y, *o, 1)
	test, ty := synthetic(5000, 2)
	scores := make([]float64, len(test))
	labels := make([]int, len(test))
	for i := range test {
		var c features.Vector
		scores[i] = sigmoid(g.margin(&test[i], &c))
		labels[i] = int(ty[i])
	}
	if auc := ROCAUC(scores, labels); auc < 0.93 { // the noise caps it near 0.96
		t.Errorf("AUC %.3f on the interaction", auc)
	}
	m := &Model{Kind: BoostedTrees, GBT: g}
	var fraud features.Vector
	fraud[features.FAmount], fraud[features.FMismatch], fraud[features.FHour] = 950, 1, 3
	s := m.Score(&fraud)
	if s.Probability < 0.5 || len(s.Factors) < 2 {
		t.Fatalf("score %+v", s)
	}
	top := map[string]bool{s.Factors[0].Feature: true, s.Factors[1].Feature: true}
	if !top["amount"] || !top["billing_shipping_mismatch"] {
		t.Errorf("top factors %+v, want amount and mismatch", s.Factors)
	}
	// Path contributions add up to the margin.
	var contrib, x features.Vector
	prep(&fraud, &x)
	z := g.margin(&x, &contrib)
	sum := g.Base
	for _, tr := range g.Trees {
		sum += tr.Nodes[0].Value
	}
	for _, c := range contrib {
		sum += c
	}
	if math.Abs(sum-z) > 1e-9 {
		t.Errorf("contributions sum to %v, margin %v", sum, z)
	}
}

// simulated returns a small simulation, as a test's data set.
func simulated(t *testing.T, seed uint64) []features.Tx {
	t.Helper()
	txs, err := sim.Generate(sim.Config{Days: 60, Seed: seed, Customers: 1500, Merchants: 300, Start: time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	return txs
}

func TestTrainSaveLoadScore(t *testing.T) {
	txs := simulated(t, 11)
	for _, kind := range []string{LogisticRegression, BoostedTrees} {
		t.Run(kind, func(t *testing.T) {
			o := DefaultOptions(kind)
			o.Split = SplitDays{Warmup: 7, Gap: 7, Test: 21}
			m, err := Train(txs, o)
			if err != nil {
				t.Fatal(err)
			}
			tr := m.Training
			if !tr.Split.TrainTo.Equal(tr.Split.TestFrom.Add(-7*day)) || tr.Test.Orders == 0 || tr.Test.Frauds == 0 {
				t.Fatalf("training %+v", tr)
			}
			if tr.Test.ROCAUC < 0.85 || tr.Test.AveragePrecision < 0.3 {
				t.Errorf("held-out AUC %.3f, AP %.3f", tr.Test.ROCAUC, tr.Test.AveragePrecision)
			}
			// Evaluate on the same period gives the training report.
			if again := m.Evaluate(txs, tr.Split.TestFrom, tr.Split.TestTo, o.Budget); again.ROCAUC != tr.Test.ROCAUC || again.PrecisionAtBudget != tr.Test.PrecisionAtBudget {
				t.Errorf("evaluate %+v, training said %+v", again, tr.Test)
			}
			var buf bytes.Buffer
			if err := m.Save(&buf); err != nil {
				t.Fatal(err)
			}
			saved := buf.String()
			loaded, err := Load(strings.NewReader(saved))
			if err != nil {
				t.Fatal(err)
			}
			vecs := features.Offline(txs, &m.Encoding)
			for i := len(txs) - 200; i < len(txs); i++ {
				a, b := m.Score(&vecs[i]), loaded.Score(&vecs[i])
				if a.Probability != b.Probability || len(a.Factors) != len(b.Factors) {
					t.Fatalf("loaded model scores %+v, trained %+v", b, a)
				}
				if a.Probability <= 0 || a.Probability >= 1 || len(a.Factors) > TopFactors {
					t.Fatalf("score %+v", a)
				}
				for k := 1; k < len(a.Factors); k++ {
					if a.Factors[k].Contribution > a.Factors[k-1].Contribution || a.Factors[k].Contribution <= 0 {
						t.Fatalf("factors out of order: %+v", a.Factors)
					}
				}
			}
			// Training twice gives the same file.
			again, err := Train(txs, o)
			if err != nil || again.ID != m.ID {
				t.Errorf("retraining gave %s, first %s (%v)", again.ID, m.ID, err)
			}
			// A hand-edited, outdated or foreign file is refused; the same
			// file re-encoded is not.
			for name, edit := range map[string]func(map[string]any){
				"unchanged":       nil,
				"edited":          func(f map[string]any) { f["encoding"].(map[string]any)["prior"] = 0.5 },
				"format version":  func(f map[string]any) { f["format_version"] = 99 },
				"feature version": func(f map[string]any) { f["feature_version"] = 0 },
				"kind":            func(f map[string]any) { f["kind"] = "forest" },
				"features":        func(f map[string]any) { f["features"] = []string{"amount"} },
			} {
				var f map[string]any
				if err := json.Unmarshal([]byte(saved), &f); err != nil {
					t.Fatal(err)
				}
				if edit != nil {
					edit(f)
				}
				b, _ := json.Marshal(f)
				if _, err := Load(bytes.NewReader(b)); (err == nil) != (edit == nil) {
					t.Errorf("%s: load error %v", name, err)
				}
			}
		})
	}
}

func TestLogRegFactorsAreCoefficientTimesStandardisedValue(t *testing.T) {
	l := &LogReg{Mean: make([]float64, features.N), Scale: make([]float64, features.N), Coef: make([]float64, features.N), Intercept: -4}
	l.Mean[features.FMismatch], l.Scale[features.FMismatch], l.Coef[features.FMismatch] = 0.1, 0.3, 0.9
	l.Mean[features.FNight], l.Scale[features.FNight], l.Coef[features.FNight] = 0.2, 0.4, -0.5
	m := &Model{Kind: LogisticRegression, LogReg: l}
	var v features.Vector
	v[features.FMismatch], v[features.FNight] = 1, 1
	s := m.Score(&v)
	want := 0.9 * (1 - 0.1) / 0.3
	if len(s.Factors) != 1 || s.Factors[0].Feature != "billing_shipping_mismatch" || math.Abs(s.Factors[0].Contribution-want) > 1e-12 {
		t.Fatalf("factors %+v", s.Factors)
	}
	if p := sigmoid(-4 + want - 0.5*(1-0.2)/0.4); math.Abs(s.Probability-p) > 1e-12 {
		t.Errorf("probability %v, want %v", s.Probability, p)
	}
}

func TestSplitNeedsEnoughDays(t *testing.T) {
	start := time.Date(2026, 1, 1, 13, 0, 0, 0, time.UTC)
	txs := []features.Tx{{Time: start}, {Time: start.Add(39 * day)}}
	s, err := NewSplit(txs, SplitDays{Warmup: 5, Gap: 7, Test: 10})
	if err != nil {
		t.Fatal(err)
	}
	d := func(n int) time.Time { return time.Date(2026, 1, 1+n, 0, 0, 0, 0, time.UTC) }
	if !s.TrainFrom.Equal(d(5)) || !s.TrainTo.Equal(d(23)) || !s.TestFrom.Equal(d(30)) || !s.TestTo.Equal(d(40)) {
		t.Errorf("split %+v", s)
	}
	if _, err := NewSplit(txs, SplitDays{Warmup: 20, Gap: 10, Test: 10}); err == nil {
		t.Error("a split without training days was accepted")
	}
}
