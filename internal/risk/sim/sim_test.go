package sim_test

import (
	"slices"
	"testing"
	"time"

	"github.com/tillit/tillit/internal/risk/features"
	"github.com/tillit/tillit/internal/risk/sim"
)

var start = time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)

func small(seed uint64) sim.Config {
	return sim.Config{Days: 60, Seed: seed, Customers: 2000, Merchants: 400, Start: start}
}

func generate(t *testing.T, cfg sim.Config) []features.Tx {
	t.Helper()
	txs, err := sim.Generate(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return txs
}

func TestSameSeedSameData(t *testing.T) {
	a := generate(t, small(5))
	b := generate(t, small(5))
	if !slices.Equal(a, b) {
		t.Fatal("two runs with one seed differ")
	}
	c := generate(t, small(6))
	if slices.Equal(a, c) {
		t.Fatal("another seed gave the same data")
	}
}

func TestStreamShape(t *testing.T) {
	cfg := small(1)
	txs := generate(t, cfg)
	end := start.Add(time.Duration(cfg.Days) * 24 * time.Hour)
	perDay := float64(len(txs)) / float64(cfg.Days)
	if perDay < 0.15*float64(cfg.Customers) || perDay > 0.4*float64(cfg.Customers) {
		t.Errorf("%.0f orders a day for %d customers", perDay, cfg.Customers)
	}
	frauds := 0
	for i, tx := range txs {
		if i > 0 && tx.Time.Before(txs[i-1].Time) {
			t.Fatalf("order %s out of time order", tx.ID)
		}
		if tx.Time.Before(start) || !tx.Time.Before(end) || tx.Time.Nanosecond() != 0 {
			t.Fatalf("order %s at %v", tx.ID, tx.Time)
		}
		if (tx.Label == 1) != (tx.Scenario != "") {
			t.Fatalf("order %s: label %d, scenario %q", tx.ID, tx.Label, tx.Scenario)
		}
		if tx.Amount < 2000 || tx.Customer == "" || tx.Terminal == "" || tx.Device == "" || tx.Category == "" {
			t.Fatalf("order %+v incomplete", tx)
		}
		frauds += tx.Label
	}
	if rate := float64(frauds) / float64(len(txs)); rate < 0.004 || rate > 0.03 {
		t.Errorf("fraud rate %.4f", rate)
	}
}

// TestEveryScenarioWithItsSignature checks that each fraud pattern appears,
// labelled, and looks the way the package documentation says.
func TestEveryScenarioWithItsSignature(t *testing.T) {
	txs := generate(t, small(2))
	by := map[string][]features.Tx{}
	for _, tx := range txs {
		by[tx.Scenario] = append(by[tx.Scenario], tx)
	}
	for _, s := range sim.Scenarios {
		if len(by[s]) < 10 {
			t.Errorf("scenario %s: %d orders", s, len(by[s]))
		}
	}
	genuine := by[""]
	median := func(txs []features.Tx) int64 {
		a := make([]int64, len(txs))
		for i, tx := range txs {
			a[i] = tx.Amount
		}
		slices.Sort(a)
		return a[len(a)/2]
	}
	share := func(txs []features.Tx, f func(features.Tx) bool) float64 {
		n := 0
		for _, tx := range txs {
			if f(tx) {
				n++
			}
		}
		return float64(n) / float64(len(txs))
	}
	mismatch := func(tx features.Tx) bool { return tx.Mismatch }
	newAccount := func(tx features.Tx) bool { return tx.AccountAgeDays < 7 }

	// Stolen identity: new accounts, mostly shipped elsewhere, high amounts.
	si := by[sim.StolenIdentity]
	if share(si, newAccount) < 0.95 || share(si, mismatch) < 0.4 || median(si) < 2*median(genuine) {
		t.Errorf("stolen identity: new %.2f, mismatch %.2f, median %d vs %d", share(si, newAccount), share(si, mismatch), median(si), median(genuine))
	}
	// Account takeover: established accounts on a device they never used.
	ato := by[sim.AccountTakeover]
	devices := map[string][]string{} // customer → devices of genuine orders
	for _, tx := range genuine {
		devices[tx.Customer] = append(devices[tx.Customer], tx.Device)
	}
	if share(ato, func(tx features.Tx) bool {
		return tx.AccountAgeDays >= 60 && !slices.Contains(devices[tx.Customer], tx.Device)
	}) < 0.99 {
		t.Error("account takeover: not on established accounts from new devices")
	}
	// Device ring: one device, many new identities.
	ring := map[string]map[string]bool{}
	for _, tx := range by[sim.DeviceRing] {
		if ring[tx.Device] == nil {
			ring[tx.Device] = map[string]bool{}
		}
		ring[tx.Device][tx.Customer] = true
	}
	big := 0
	for _, ids := range ring {
		if len(ids) >= 3 {
			big++
		}
	}
	if big == 0 || float64(big) < 0.8*float64(len(ring)) { // a ring cut by the end of the period may be smaller
		t.Errorf("device rings: %d of %d with three or more identities", big, len(ring))
	}
	// Merchant bust-out: bursts at merchants that take no orders afterwards.
	lastBust := map[string]time.Time{}
	for _, tx := range by[sim.MerchantBustOut] {
		lastBust[tx.Terminal] = tx.Time
	}
	for _, tx := range txs {
		if last, ok := lastBust[tx.Terminal]; ok && tx.Time.After(last.Add(24*time.Hour)) {
			t.Fatalf("merchant %s took order %s after its bust-out", tx.Terminal, tx.ID)
		}
	}
	// First-party fraud: each customer's amounts, scaled by category, rise;
	// check the raw amounts rise from first to last.
	first, last := map[string]int64{}, map[string]int64{}
	for _, tx := range by[sim.FirstParty] {
		if _, ok := first[tx.Customer]; !ok {
			first[tx.Customer] = tx.Amount
		}
		last[tx.Customer] = tx.Amount
	}
	rising := 0
	for c := range first {
		if last[c] > first[c] {
			rising++
		}
	}
	if float64(rising) < 0.8*float64(len(first)) {
		t.Errorf("first-party fraud: amounts rose for %d of %d customers", rising, len(first))
	}
}

func TestConfigChecked(t *testing.T) {
	if _, err := sim.Generate(sim.Config{Days: 0, Customers: 100, Merchants: 100}); err == nil {
		t.Error("zero days accepted")
	}
}
