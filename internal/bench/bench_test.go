package bench_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tillit/tillit/internal/app"
	"github.com/tillit/tillit/internal/bench"
	"github.com/tillit/tillit/internal/logscan"
	"github.com/tillit/tillit/internal/merchant"
	"github.com/tillit/tillit/internal/store/storetest"
)

// The workloads here are tiny and bounded; the tests check correctness of the
// counting and checking, never speed.
const tiny = 300 * time.Millisecond

func TestRunInProcess(t *testing.T) {
	res, err := bench.Run(context.Background(), bench.Options{Duration: tiny, Concurrency: 2, DatabaseURL: storetest.DSN(t)})
	if err != nil {
		t.Fatal(err)
	}
	if err := res.Check(); err != nil {
		t.Fatalf("%v; samples %v; ledger %v", err, res.ErrorSamples, res.LedgerProblems)
	}
	if res.Engine != "sqlite" && res.Engine != "postgres" {
		t.Errorf("engine = %q", res.Engine)
	}
	if res.Concurrency != 2 || res.DurationS <= 0 {
		t.Errorf("concurrency %d, duration %v", res.Concurrency, res.DurationS)
	}
	for _, name := range bench.StepNames {
		s, ok := res.Steps[name]
		if !ok || s.Count <= 0 || s.Errors != 0 || s.ThroughputPerS <= 0 {
			t.Errorf("step %s = %+v", name, s)
		}
		if s.P50MS > s.P95MS || s.P95MS > s.P99MS || s.P99MS > s.MaxMS {
			t.Errorf("step %s percentiles out of order: %+v", name, s)
		}
	}
	if res.Errors != 0 || res.Checkouts != res.Steps[bench.StepOrder].Count || res.Checkouts <= 0 || res.CheckoutsPerS <= 0 {
		t.Errorf("result = %+v", res)
	}
	// Each completed capture and refund posts one balanced journal.
	if !res.LedgerChecked || !res.LedgerOK || res.LedgerJournals < int(res.Steps[bench.StepCapture].Count+res.Steps[bench.StepRefund].Count) {
		t.Errorf("ledger: checked %v ok %v journals %d problems %v", res.LedgerChecked, res.LedgerOK, res.LedgerJournals, res.LedgerProblems)
	}

	raw, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	var decoded map[string]any
	if err := json.Unmarshal(raw, &decoded); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"engine", "duration_s", "concurrency", "steps", "checkouts_per_s", "errors", "ledger_ok"} {
		if _, ok := decoded[key]; !ok {
			t.Errorf("JSON lacks %q: %s", key, raw)
		}
	}
	for _, key := range []string{"count", "errors", "throughput_per_s", "p50_ms", "p95_ms", "p99_ms"} {
		if _, ok := decoded["steps"].(map[string]any)["capture"].(map[string]any)[key]; !ok {
			t.Errorf("step JSON lacks %q: %s", key, raw)
		}
	}

	var table bytes.Buffer
	if err := res.WriteTable(&table); err != nil {
		t.Fatal(err)
	}
	for _, want := range append([]string{"ledger: ok", "checkouts"}, bench.StepNames...) {
		if !strings.Contains(table.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, table.String())
		}
	}
}

// startServer runs Tillit on the test's engine with one test merchant, as an
// operator would before pointing bench --url at it.
func startServer(t *testing.T, wrap func(http.Handler) http.Handler) (dsn, url string, creds merchant.Credentials) {
	t.Helper()
	dsn = storetest.DSN(t)
	a, err := app.New(context.Background(), app.Config{DatabaseURL: dsn, Logger: logscan.Logger()})
	if err != nil {
		t.Fatal(err)
	}
	creds, err = merchant.Create(context.Background(), a.DB, merchant.NewMerchant{Name: "Shop", TestMode: true, SettlementCurrency: "DKK"})
	if err != nil {
		t.Fatal(err)
	}
	h := a.API.Handler()
	if wrap != nil {
		h = wrap(h)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(func() {
		srv.Close()
		a.Close()
	})
	return dsn, srv.URL, creds
}

func TestRunExternal(t *testing.T) {
	dsn, url, creds := startServer(t, nil)
	res, err := bench.Run(context.Background(), bench.Options{Duration: tiny, Concurrency: 2,
		URL: url, Username: creds.Username, Password: creds.Password, DatabaseURL: dsn})
	if err != nil {
		t.Fatal(err)
	}
	if err := res.Check(); err != nil {
		t.Fatalf("%v; samples %v", err, res.ErrorSamples)
	}
	if res.Engine != "external" || res.Checkouts <= 0 || res.Steps[bench.StepRefund].Count <= 0 || !res.LedgerChecked || !res.LedgerOK {
		t.Errorf("result = %+v", res)
	}

	// Without the server's database the ledger is not checked, which is not
	// a failure.
	res, err = bench.Run(context.Background(), bench.Options{Duration: tiny, Concurrency: 1,
		URL: url, Username: creds.Username, Password: creds.Password})
	if err != nil {
		t.Fatal(err)
	}
	if res.LedgerChecked || res.Check() != nil || res.Checkouts <= 0 {
		t.Errorf("result = %+v", res)
	}
}

func TestRunCountsErrors(t *testing.T) {
	_, url, creds := startServer(t, nil)
	res, err := bench.Run(context.Background(), bench.Options{Duration: tiny, Concurrency: 1,
		URL: url, Username: creds.Username, Password: "wrong"})
	if err != nil {
		t.Fatal(err)
	}
	s := res.Steps[bench.StepSession]
	if s.Count != 0 || s.Errors == 0 || res.Errors != s.Errors || res.Checkouts != 0 {
		t.Fatalf("result = %+v", res)
	}
	if res.Check() == nil || len(res.ErrorSamples) == 0 || !strings.Contains(res.ErrorSamples[0], "status 401") {
		t.Fatalf("check %v, samples %v", res.Check(), res.ErrorSamples)
	}
}

func TestRunRejectsBadOptions(t *testing.T) {
	for _, opts := range []bench.Options{
		{Duration: tiny, Concurrency: bench.MaxConcurrency + 1},
		{Duration: tiny, URL: "ftp://127.0.0.1", Username: "u", Password: "p"},
		{Duration: tiny, URL: "http://127.0.0.1:1"},
	} {
		if _, err := bench.Run(context.Background(), opts); err == nil {
			t.Errorf("Run(%+v) succeeded", opts)
		}
	}
}

func TestRunStopsWhenCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var once sync.Once
	_, url, creds := startServer(t, func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			once.Do(cancel)
			h.ServeHTTP(w, r)
		})
	})
	// The hour is never waited for: the first request cancels the run.
	res, err := bench.Run(ctx, bench.Options{Duration: time.Hour, Concurrency: 2, URL: url, Username: creds.Username, Password: creds.Password})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Interrupted || res.Check() == nil || res.Errors != 0 || res.Steps[bench.StepSession].Count == 0 {
		t.Fatalf("result = %+v", res)
	}
}
