package features_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/tillit/tillit/internal/risk/features"
	"github.com/tillit/tillit/internal/risk/sim"
)

var t0 = time.Date(2026, 3, 4, 12, 0, 0, 0, time.UTC) // a Wednesday

func order(id string, at time.Duration, customer, device string, amount int64) features.Tx {
	return features.Tx{
		ID: id, Time: t0.Add(at), Customer: customer, Terminal: "M1", Amount: amount,
		Device: device, Email: "E-" + customer, IP: "I1", Shipping: "A-" + customer,
		EmailAgeDays: 400, AccountAgeDays: 200, Category: "fashion",
	}
}

func TestComputeWindowsAndHistory(t *testing.T) {
	tx := order("now", 0, "C1", "D9", 90000)
	tx.Shipping = "A-drop"
	tx.Mismatch = true
	related := []features.Tx{
		order("a", -30*time.Minute, "C1", "D1", 10000),
		order("b", -5*time.Hour, "C1", "D1", 20000),
		order("c", -3*24*time.Hour, "C1", "D1", 30000),
		order("d", -20*24*time.Hour, "C1", "D1", 60000),
		order("e", -40*24*time.Hour, "C1", "D1", 99900), // outside every window
		order("f", -2*time.Hour, "C2", "D9", 5000),      // same device, another customer
		order("g", -6*24*time.Hour, "C3", "D9", 5000),
		order("h", -8*24*time.Hour, "C4", "D9", 5000), // older than a week
		order("later", time.Hour, "C1", "D9", 5000),   // after the order: ignored
	}
	related[5].Shipping = "A-drop"
	term := features.TerminalStats{Count1d: 12, Count7d: 70, Count30d: 300, Labelled: 200, Frauds: 4}
	enc := features.Encoding{Prior: 0.01, CategoryRisk: map[string]float64{"fashion": 0.02}}
	v := features.Compute(tx, related, term, &enc)

	want := map[int]float64{
		features.FAmount:                 900,
		features.FHour:                   12,
		features.FNight:                  0,
		features.FWeekend:                0,
		features.FAccountAge:             200,
		features.FNewAccount:             0,
		features.FNewEmail:               0,
		features.FMismatch:               1,
		features.FCustomerCount1h:        1,
		features.FCustomerCount1d:        2,
		features.FCustomerCount7d:        3,
		features.FCustomerSum1d:          300,
		features.FCustomerSum7d:          600,
		features.FCustomerCount30d:       4,
		features.FCustomerMean30d:        300,
		features.FAmountRatio:            3,
		features.FCustomerNoHistory:      0,
		features.FNewDeviceForCustomer:   1,
		features.FNewIPForCustomer:       0,
		features.FNewShippingForCustomer: 1,
		features.FNewTerminalForCustomer: 0,
		features.FCustomerDevices7d:      2, // D9 now and D1
		features.FDeviceCount1h:          0,
		features.FDeviceCount1d:          1,
		features.FDeviceCount7d:          2,
		features.FDeviceSum7d:            100,
		features.FDeviceCustomers7d:      3, // C1, C2, C3
		features.FIPCount1d:              3,
		features.FIPCount7d:              5,
		features.FIPCustomers1d:          2,
		features.FShippingCount1d:        1,
		features.FShippingCustomers7d:    2,
		features.FEmailCount7d:           3,
		features.FTerminalCount1d:        12,
		features.FTerminalCount7d:        70,
		features.FTerminalBurst:          12.0 / 11,
		features.FTerminalRisk:           0.02,
		features.FTerminalLabelled:       200,
		features.FCategoryRisk:           0.02,
	}
	for i, w := range want {
		if v[i] != w {
			t.Errorf("%s = %v, want %v", features.Specs[i].Name, v[i], w)
		}
	}

	// A first order: no history, neutral ratio, unknown category gets the prior.
	first := order("first", 0, "C7", "D7", 5000)
	first.AccountAgeDays, first.EmailAgeDays, first.Category = 0, 3, "unknown"
	first.Time = time.Date(2026, 3, 7, 2, 0, 0, 0, time.UTC) // Saturday night
	v = features.Compute(first, nil, features.TerminalStats{}, &enc)
	for i, w := range map[int]float64{
		features.FCustomerNoHistory: 1, features.FAmountRatio: 1, features.FNewDeviceForCustomer: 0,
		features.FNewAccount: 1, features.FNewEmail: 1, features.FNight: 1, features.FWeekend: 1,
		features.FDeviceCustomers7d: 1, features.FCategoryRisk: 0.01, features.FTerminalRisk: 0,
	} {
		if v[i] != w {
			t.Errorf("first order: %s = %v, want %v", features.Specs[i].Name, v[i], w)
		}
	}
}

func TestEmptyKeysMatchNothing(t *testing.T) {
	tx := order("now", 0, "C1", "", 1000)
	tx.IP, tx.Email = "", ""
	other := order("o", -time.Minute, "C2", "", 1000)
	other.IP, other.Email = "", ""
	v := features.Compute(tx, []features.Tx{other}, features.TerminalStats{}, nil)
	if v[features.FDeviceCount1h] != 0 || v[features.FIPCount1h] != 0 || v[features.FEmailCount1h] != 0 || v[features.FDeviceCustomers7d] != 0 {
		t.Errorf("empty keys matched: %v", v)
	}
}

func TestTerminalStatsUseLabelsOnlyAfterTheDelay(t *testing.T) {
	tx := features.Tx{Time: t0, Terminal: "M1"}
	at := func(ago time.Duration, label int) features.Tx {
		return features.Tx{Time: t0.Add(-ago), Terminal: "M1", Label: label}
	}
	history := []features.Tx{
		at(time.Hour, 1),       // fraud, but too recent for its label to be known
		at(3*24*time.Hour, 0),  // 7d window
		at(8*24*time.Hour, 1),  // labelled
		at(20*24*time.Hour, 0), // labelled
		at(31*24*time.Hour, 0), // labelled, outside 30d
		at(38*24*time.Hour, 1), // too old
		{Time: t0.Add(-time.Hour), Terminal: "M2", Label: 1}, // another merchant
	}
	got := features.TerminalStatsFrom(tx, history)
	want := features.TerminalStats{Count1d: 1, Count7d: 2, Count30d: 4, Labelled: 3, Frauds: 1}
	if got != want {
		t.Errorf("stats = %+v, want %+v", got, want)
	}
}

// query returns what the risk pipeline's database query would for tx: the
// earlier orders within RelatedWindow sharing a key, and the merchant's
// aggregates over its earlier orders.
func query(tx features.Tx, earlier []features.Tx) ([]features.Tx, features.TerminalStats) {
	var related, merchant []features.Tx
	shares := func(a, b string) bool { return a != "" && a == b }
	for _, h := range earlier {
		if tx.Time.Sub(h.Time) < features.RelatedWindow && (shares(h.Customer, tx.Customer) || shares(h.Device, tx.Device) ||
			shares(h.Email, tx.Email) || shares(h.IP, tx.IP) || shares(h.Shipping, tx.Shipping)) {
			related = append(related, h)
		}
		if h.Terminal == tx.Terminal {
			merchant = append(merchant, h)
		}
	}
	return related, features.TerminalStatsFrom(tx, merchant)
}

func TestOnlineEqualsOffline(t *testing.T) {
	cfg := sim.Config{Days: 50, Seed: 3, Customers: 1000, Merchants: 200, Start: t0}
	txs, err := sim.Generate(cfg)
	if err != nil {
		t.Fatal(err)
	}
	enc := features.FitEncoding(txs[:len(txs)/2], features.DefaultSmoothing)
	offline := features.Offline(txs, &enc)
	checked, frauds := 0, 0
	for i := 0; i < len(txs); i++ {
		if i%5 != 0 && txs[i].Label == 0 {
			continue // every fraud, every fifth genuine order
		}
		related, term := query(txs[i], txs[:i])
		online := features.Compute(txs[i], related, term, &enc)
		if online != offline[i] {
			for f := range online {
				if online[f] != offline[i][f] {
					t.Errorf("order %s: %s online %v, offline %v", txs[i].ID, features.Specs[f].Name, online[f], offline[i][f])
				}
			}
			t.FailNow()
		}
		// Passing the whole past instead of the query's answer changes nothing.
		if i%50 == 0 && features.Compute(txs[i], txs[:i], term, &enc) != online {
			t.Fatalf("order %s: unrelated history changed the features", txs[i].ID)
		}
		checked++
		frauds += txs[i].Label
	}
	if checked < 1000 || frauds < 50 {
		t.Fatalf("checked %d orders (%d frauds): simulation too small", checked, frauds)
	}
}

func TestFitEncoding(t *testing.T) {
	var train []features.Tx
	for i := range 100 {
		train = append(train, features.Tx{Category: "a", Label: b(i < 10)})
		train = append(train, features.Tx{Category: "b", Label: 0})
	}
	enc := features.FitEncoding(train, 100)
	// prior = 10/200; a: (10 + 100·0.05)/(100+100) = 0.075; b: 5/200 = 0.025
	if enc.Prior != 0.05 || !near(enc.Category("a"), 0.075) || !near(enc.Category("b"), 0.025) || enc.Category("zzz") != 0.05 {
		t.Errorf("encoding = %+v", enc)
	}
}

func TestCSVRoundTrip(t *testing.T) {
	txs, err := sim.Generate(sim.Config{Days: 10, Seed: 9, Customers: 200, Merchants: 40, Start: t0})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := features.WriteCSV(&buf, txs); err != nil {
		t.Fatal(err)
	}
	back, err := features.ReadCSV(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if len(back) != len(txs) {
		t.Fatalf("read %d orders, wrote %d", len(back), len(txs))
	}
	for i := range txs {
		if back[i] != txs[i] {
			t.Fatalf("order %d: read %+v, wrote %+v", i, back[i], txs[i])
		}
	}
}

func TestReadCSVMinimalAndErrors(t *testing.T) {
	minimal := "merchant_id,tx_id,label,amount,customer_id,timestamp,extra\n" +
		"M2,T2,1,500,C1,2026-01-02T10:00:00Z,x\n" +
		"M1,T1,0,12345,C1,2026-01-01T10:00:00Z,y\n"
	txs, err := features.ReadCSV(strings.NewReader(minimal))
	if err != nil {
		t.Fatal(err)
	}
	if len(txs) != 2 || txs[0].ID != "T1" || txs[0].Terminal != "M1" || txs[0].Amount != 12345 || txs[1].Label != 1 || txs[1].Device != "" {
		t.Fatalf("read %+v", txs)
	}
	for name, data := range map[string]string{
		"no label column": "tx_id,timestamp,customer_id,terminal_id,amount\nT1,2026-01-01T10:00:00Z,C1,M1,5\n",
		"decimal amount":  "tx_id,timestamp,customer_id,terminal_id,amount,label\nT1,2026-01-01T10:00:00Z,C1,M1,5.50,0\n",
		"bad label":       "tx_id,timestamp,customer_id,terminal_id,amount,label\nT1,2026-01-01T10:00:00Z,C1,M1,5,yes\n",
		"bad time":        "tx_id,timestamp,customer_id,terminal_id,amount,label\nT1,yesterday,C1,M1,5,0\n",
		"empty label":     "tx_id,timestamp,customer_id,terminal_id,amount,label\nT1,2026-01-01T10:00:00Z,C1,M1,5,\n",
		"empty file":      "",
	} {
		if _, err := features.ReadCSV(strings.NewReader(data)); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	_, err = features.ReadCSV(strings.NewReader("tx_id,timestamp,customer_id,terminal_id,amount,label\nT1,2026-01-01T10:00:00Z,C1,M1,-5,0\n"))
	if err == nil || !strings.Contains(err.Error(), "line 2, column amount") {
		t.Errorf("negative amount: %v", err)
	}
}

func TestNamesAreUnique(t *testing.T) {
	seen := map[string]bool{}
	for _, n := range features.Names() {
		if n == "" || seen[n] {
			t.Errorf("feature name %q empty or repeated", n)
		}
		seen[n] = true
	}
}

func b(v bool) int {
	if v {
		return 1
	}
	return 0
}

func near(a, b float64) bool { return a-b < 1e-12 && b-a < 1e-12 }
