// Package bench load-tests Tillit's real HTTP API over loopback. Concurrent
// clients each repeat the whole merchant and consumer path: create a payment
// session, authorize it as the consumer, place the order, capture it in full
// and refund part of it. Every response is checked (status, required fields
// and headers); latency is measured per step, and afterwards the ledger of the
// database the server wrote is verified.
//
// By default Run starts its own server in process (app.New on a fresh
// database, listening on 127.0.0.1:0) with a test-mode merchant; with
// Options.URL it drives a server that is already running.
package bench

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/tillit/tillit/internal/app"
	"github.com/tillit/tillit/internal/ledger"
	"github.com/tillit/tillit/internal/merchant"
	"github.com/tillit/tillit/internal/store"
)

// Defaults for Options.
const (
	DefaultDuration    = 10 * time.Second
	DefaultConcurrency = 16
	// MaxConcurrency bounds the number of clients.
	MaxConcurrency = 1024
	// RequestTimeout bounds every single request.
	RequestTimeout = 30 * time.Second
)

// Options configure a run.
type Options struct {
	// Duration is how long new checkouts are started for; a checkout in
	// flight at the deadline runs to its end and is counted.
	Duration time.Duration
	// Concurrency is the number of clients, each running one request at a time.
	Concurrency int

	// URL, when set, is the origin of a running Tillit to drive (for example
	// http://127.0.0.1:8080); Username and Password are then the API
	// credentials of a test-mode merchant on it. When empty, Run starts its own
	// server in process and creates the merchant.
	URL, Username, Password string

	// DatabaseURL is the database (a postgres:// URL or an SQLite file path).
	// For the in-process server it is the database the server uses: empty
	// means a fresh SQLite file in a temporary directory. With URL it is the
	// running server's database, opened only to verify the ledger afterwards;
	// empty means the ledger is not checked.
	DatabaseURL string
	// FreshSchema, for the in-process server on PostgreSQL, creates a new
	// schema bench_<random> in DatabaseURL and runs in it.
	FreshSchema bool
	// Keep leaves the temporary SQLite directory or fresh schema in place
	// (Result.Database says where); by default they are removed.
	Keep bool

	// Logger receives the in-process server's logs; nil discards them so that
	// logging does not dominate the measurement.
	Logger *slog.Logger
	// CPUProfile, when set, receives a CPU profile of the load phase (the
	// in-process server and the clients alike).
	CPUProfile io.Writer
}

// Steps, in the order each iteration runs them.
const (
	StepSession   = "session"
	StepAuthorize = "authorize"
	StepOrder     = "order"
	StepCapture   = "capture"
	StepRefund    = "refund"
)

// StepNames lists the steps in the order they run.
var StepNames = []string{StepSession, StepAuthorize, StepOrder, StepCapture, StepRefund}

// StepStats is what one step measured. Count and the latency percentiles are
// over successful responses; Errors counts failed requests and responses that
// did not pass the checks.
type StepStats struct {
	Count          int64   `json:"count"`
	Errors         int64   `json:"errors"`
	ThroughputPerS float64 `json:"throughput_per_s"`
	P50MS          float64 `json:"p50_ms"`
	P95MS          float64 `json:"p95_ms"`
	P99MS          float64 `json:"p99_ms"`
	MaxMS          float64 `json:"max_ms"`
}

// Result is the outcome of a run.
type Result struct {
	// Engine is the in-process server's database engine ("sqlite" or
	// "postgres"), or "external" for a server given by URL.
	Engine      string  `json:"engine"`
	DurationS   float64 `json:"duration_s"`
	Concurrency int     `json:"concurrency"`
	// Steps is keyed by the names in StepNames.
	Steps map[string]StepStats `json:"steps"`
	// Checkouts counts iterations that completed session, authorize and order.
	Checkouts     int64   `json:"checkouts"`
	CheckoutsPerS float64 `json:"checkouts_per_s"`
	// RequestsPerS is the successful requests of every step per second.
	RequestsPerS float64 `json:"requests_per_s"`
	// Errors is the sum of every step's errors.
	Errors int64 `json:"errors"`
	// ErrorSamples describes the first few errors.
	ErrorSamples []string `json:"error_samples,omitempty"`
	// LedgerChecked says whether the ledger was verified; LedgerOK that it was
	// and no problem was found.
	LedgerChecked  bool     `json:"ledger_checked"`
	LedgerOK       bool     `json:"ledger_ok"`
	LedgerJournals int      `json:"ledger_journals"`
	LedgerEntries  int      `json:"ledger_entries"`
	LedgerProblems []string `json:"ledger_problems,omitempty"`
	// Cores is the number of CPUs; ProcessCPUS the CPU seconds this process
	// (clients and an in-process server) used during the load phase, and
	// MachineCPUS those every process on the machine used (Linux only, else
	// 0). Their difference is the database server's and any unrelated load's.
	Cores       int     `json:"cores"`
	ProcessCPUS float64 `json:"process_cpu_s"`
	MachineCPUS float64 `json:"machine_cpu_s"`
	// Interrupted is set when the run was cancelled before its duration.
	Interrupted bool `json:"interrupted,omitempty"`
	// Database is where the kept database is (only with Options.Keep).
	Database string `json:"database,omitempty"`
}

// Check returns an error when the run saw any response error or the ledger
// has a problem.
func (r Result) Check() error {
	var errs []error
	if r.Errors > 0 {
		errs = append(errs, fmt.Errorf("bench: %d request(s) failed", r.Errors))
	}
	if r.LedgerChecked && !r.LedgerOK {
		errs = append(errs, fmt.Errorf("bench: ledger verify found %d problem(s)", len(r.LedgerProblems)))
	}
	if r.Interrupted {
		errs = append(errs, errors.New("bench: interrupted"))
	}
	return errors.Join(errs...)
}

// Run drives the API with opts.Concurrency clients for opts.Duration and
// verifies the ledger afterwards. It returns an error only when the run could
// not be set up or finished (the Result then holds whatever was measured);
// response errors and ledger problems are in the Result (see Result.Check).
func Run(ctx context.Context, opts Options) (Result, error) {
	if opts.Duration <= 0 {
		opts.Duration = DefaultDuration
	}
	if opts.Concurrency <= 0 {
		opts.Concurrency = DefaultConcurrency
	}
	if opts.Concurrency > MaxConcurrency {
		return Result{}, fmt.Errorf("bench: concurrency %d is above %d", opts.Concurrency, MaxConcurrency)
	}
	if opts.URL != "" {
		return runExternal(ctx, opts)
	}
	return runInProcess(ctx, opts)
}

// runExternal drives a server that is already running.
func runExternal(ctx context.Context, opts Options) (Result, error) {
	u, err := url.Parse(opts.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return Result{}, fmt.Errorf("bench: --url must be an http(s) origin, got %q", opts.URL)
	}
	if opts.Username == "" || opts.Password == "" {
		return Result{}, errors.New("bench: a running server needs the merchant's username and password")
	}
	res, err := load(ctx, opts, strings.TrimRight(opts.URL, "/"), opts.Username, opts.Password)
	if err != nil {
		return res, err
	}
	res.Engine = "external"
	if opts.DatabaseURL == "" {
		return res, nil
	}
	if !isPostgres(opts.DatabaseURL) {
		if _, err := os.Stat(strings.TrimPrefix(opts.DatabaseURL, "sqlite:")); err != nil {
			return res, fmt.Errorf("bench: server database for ledger verify: %w", err)
		}
	}
	// The ledger is checked even after an interrupted run.
	verifyCtx := context.WithoutCancel(ctx)
	db, err := store.Open(verifyCtx, opts.DatabaseURL, nil)
	if err != nil {
		return res, err
	}
	defer db.Close()
	return res, verifyLedger(verifyCtx, db, &res)
}

// runInProcess starts Tillit on a fresh database, creates a test merchant and
// drives it.
func runInProcess(ctx context.Context, opts Options) (res Result, err error) {
	dsn, where, cleanup, err := prepareDatabase(ctx, opts)
	if err != nil {
		return Result{}, err
	}
	defer func() {
		if opts.Keep {
			res.Database = where
			return
		}
		err = errors.Join(err, cleanup())
	}()

	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelError + 1}))
	}
	a, err := app.New(ctx, app.Config{DatabaseURL: dsn, Logger: logger})
	if err != nil {
		return Result{}, err
	}
	defer func() { err = errors.Join(err, a.Close()) }()
	creds, err := merchant.Create(ctx, a.DB, merchant.NewMerchant{Name: "Bench Shop", TestMode: true, SettlementCurrency: "DKK"})
	if err != nil {
		return Result{}, err
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return Result{}, err
	}
	srv := a.HTTPServer()
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	workCtx, stopWork := context.WithCancel(context.WithoutCancel(ctx))
	a.Runner.Start(workCtx, time.Second)

	res, err = load(ctx, opts, "http://"+ln.Addr().String(), creds.Username, creds.Password)
	res.Engine = string(a.DB.Dialect)

	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if shutErr := srv.Shutdown(shutdownCtx); shutErr != nil {
		// Requests are stuck in the server: report what was measured.
		_ = srv.Close()
		err = errors.Join(err, fmt.Errorf("bench: server did not shut down: %w", shutErr))
	}
	if serveErr := <-served; !errors.Is(serveErr, http.ErrServerClosed) {
		err = errors.Join(err, serveErr)
	}
	stopWork()
	a.Runner.Wait()
	if err != nil {
		return res, err
	}
	return res, verifyLedger(context.WithoutCancel(ctx), a.DB, &res)
}

// verifyLedger runs ledger.Verify and records the outcome in res.
func verifyLedger(ctx context.Context, db *store.DB, res *Result) error {
	report, err := ledger.Verify(ctx, db)
	if err != nil {
		return fmt.Errorf("bench: ledger verify: %w", err)
	}
	res.LedgerChecked = true
	res.LedgerOK = report.OK()
	res.LedgerJournals, res.LedgerEntries = report.Journals, report.Entries
	res.LedgerProblems = report.Problems
	return nil
}

func isPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// prepareDatabase returns the data source name the in-process server uses, a
// description of where it is, and how to remove it.
func prepareDatabase(ctx context.Context, opts Options) (dsn, where string, cleanup func() error, err error) {
	nothing := func() error { return nil }
	switch {
	case opts.DatabaseURL == "":
		dir, err := os.MkdirTemp("", "tillit-bench-")
		if err != nil {
			return "", "", nil, err
		}
		path := filepath.Join(dir, "tillit.db")
		return path, path, func() error { return os.RemoveAll(dir) }, nil
	case isPostgres(opts.DatabaseURL) && opts.FreshSchema:
		return freshSchema(ctx, opts.DatabaseURL)
	case isPostgres(opts.DatabaseURL):
		return opts.DatabaseURL, redact(opts.DatabaseURL), nothing, nil
	}
	return opts.DatabaseURL, opts.DatabaseURL, nothing, nil
}

// freshSchema creates schema bench_<random> and returns base with its
// search_path set to it.
func freshSchema(ctx context.Context, base string) (dsn, where string, cleanup func() error, err error) {
	u, err := url.Parse(base)
	if err != nil {
		return "", "", nil, fmt.Errorf("bench: parse database URL: %w", err)
	}
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", "", nil, err
	}
	schema := "bench_" + hex.EncodeToString(b[:])
	admin, err := sql.Open("pgx", base)
	if err != nil {
		return "", "", nil, fmt.Errorf("bench: open postgres: %w", err)
	}
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		admin.Close()
		return "", "", nil, fmt.Errorf("bench: create schema: %w", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	cleanup = func() error {
		defer admin.Close()
		dropCtx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if _, err := admin.ExecContext(dropCtx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			return fmt.Errorf("bench: drop schema %s: %w", schema, err)
		}
		return nil
	}
	return u.String(), "schema " + schema + " in " + redact(base), cleanup, nil
}

// redact hides a URL's password.
func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
}

// load runs the clients against base and collects the result.
func load(ctx context.Context, opts Options, base, username, password string) (Result, error) {
	bodies, err := newBodies()
	if err != nil {
		return Result{}, err
	}
	transport := &http.Transport{
		Proxy:               nil,
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        opts.Concurrency * 2,
		MaxIdleConnsPerHost: opts.Concurrency * 2,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
	}
	defer transport.CloseIdleConnections()
	r := &runner{
		client:    &http.Client{Transport: transport, Timeout: RequestTimeout},
		base:      base,
		basicAuth: "Basic " + base64.StdEncoding.EncodeToString([]byte(username+":"+password)),
		stop:      ctx.Done(),
		reqCtx:    context.WithoutCancel(ctx),
		bodies:    bodies,
	}
	workers := make([]*worker, opts.Concurrency)
	for i := range workers {
		workers[i] = &worker{r: r}
	}
	if opts.CPUProfile != nil {
		if err := pprof.StartCPUProfile(opts.CPUProfile); err != nil {
			return Result{}, fmt.Errorf("bench: start CPU profile: %w", err)
		}
	}
	cpuBefore := sampleCPU()
	start := time.Now()
	r.deadline = start.Add(opts.Duration)
	var wg sync.WaitGroup
	for _, w := range workers {
		wg.Go(w.run)
	}
	wg.Wait()
	elapsed := time.Since(start)
	cpuAfter := sampleCPU()
	if opts.CPUProfile != nil {
		pprof.StopCPUProfile()
	}
	res := summarize(workers, elapsed, opts.Concurrency)
	res.Cores = runtime.NumCPU()
	res.ProcessCPUS = (cpuAfter.process - cpuBefore.process).Seconds()
	if cpuBefore.ok && cpuAfter.ok {
		res.MachineCPUS = (cpuAfter.machine - cpuBefore.machine).Seconds()
	}
	res.ErrorSamples = r.samples
	res.Interrupted = ctx.Err() != nil
	return res, nil
}

// summarize merges the workers' measurements.
func summarize(workers []*worker, elapsed time.Duration, concurrency int) Result {
	secs := elapsed.Seconds()
	res := Result{DurationS: secs, Concurrency: concurrency, Steps: make(map[string]StepStats, numSteps)}
	var total int64
	for s := range numSteps {
		var lat []time.Duration
		var st StepStats
		for _, w := range workers {
			lat = append(lat, w.lat[s]...)
			st.Errors += w.errs[s]
		}
		slices.Sort(lat)
		st.Count = int64(len(lat))
		if secs > 0 {
			st.ThroughputPerS = float64(st.Count) / secs
		}
		st.P50MS, st.P95MS, st.P99MS = ms(percentile(lat, 50)), ms(percentile(lat, 95)), ms(percentile(lat, 99))
		if len(lat) > 0 {
			st.MaxMS = ms(lat[len(lat)-1])
		}
		res.Steps[StepNames[s]] = st
		res.Errors += st.Errors
		total += st.Count
	}
	res.Checkouts = res.Steps[StepOrder].Count
	if secs > 0 {
		res.CheckoutsPerS = float64(res.Checkouts) / secs
		res.RequestsPerS = float64(total) / secs
	}
	return res
}

// percentile returns the nearest-rank p-th percentile of sorted durations.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(p/100*float64(len(sorted))+0.999999999) - 1
	return sorted[max(0, min(rank, len(sorted)-1))]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// WriteTable writes the result as a human-readable table.
func (r Result) WriteTable(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "engine %s, %d clients, %.1f s\n\n", r.Engine, r.Concurrency, r.DurationS)
	fmt.Fprintf(&b, "%-10s %9s %7s %9s %8s %8s %8s %8s\n", "step", "count", "errors", "req/s", "p50 ms", "p95 ms", "p99 ms", "max ms")
	for _, name := range StepNames {
		s := r.Steps[name]
		fmt.Fprintf(&b, "%-10s %9d %7d %9.1f %8.2f %8.2f %8.2f %8.2f\n", name, s.Count, s.Errors, s.ThroughputPerS, s.P50MS, s.P95MS, s.P99MS, s.MaxMS)
	}
	fmt.Fprintf(&b, "\ncheckouts (session+authorize+order): %d, %.1f/s\n", r.Checkouts, r.CheckoutsPerS)
	fmt.Fprintf(&b, "requests: %.1f/s, errors: %d\n", r.RequestsPerS, r.Errors)
	if r.DurationS > 0 {
		fmt.Fprintf(&b, "cpu: this process %.2f cores", r.ProcessCPUS/r.DurationS)
		if r.MachineCPUS > 0 {
			fmt.Fprintf(&b, ", whole machine %.2f", r.MachineCPUS/r.DurationS)
		}
		fmt.Fprintf(&b, " (of %d)\n", r.Cores)
	}
	for _, s := range r.ErrorSamples {
		fmt.Fprintf(&b, "  error: %s\n", s)
	}
	switch {
	case !r.LedgerChecked:
		b.WriteString("ledger: not checked (no database given for the running server)\n")
	case r.LedgerOK:
		fmt.Fprintf(&b, "ledger: ok (%d journals, %d entries)\n", r.LedgerJournals, r.LedgerEntries)
	default:
		fmt.Fprintf(&b, "ledger: %d problem(s)\n", len(r.LedgerProblems))
		for i, p := range r.LedgerProblems {
			if i == 10 {
				fmt.Fprintf(&b, "  ... and %d more\n", len(r.LedgerProblems)-i)
				break
			}
			fmt.Fprintf(&b, "  %s\n", p)
		}
	}
	if r.Interrupted {
		b.WriteString("interrupted before the full duration\n")
	}
	if r.Database != "" {
		fmt.Fprintf(&b, "database kept: %s\n", r.Database)
	}
	_, err := io.WriteString(w, b.String())
	return err
}
