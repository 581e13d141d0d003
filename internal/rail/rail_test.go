package rail_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/clock"
	"github.com/tillit/tillit/internal/jobs"
	"github.com/tillit/tillit/internal/logscan"
	"github.com/tillit/tillit/internal/rail"
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/store/storetest"
)

var ctx = context.Background()

// testConfig is the timing the tests drive the clock by.
var testConfig = rail.Config{PollAfter: 5 * time.Second, RetryAfter: 10 * time.Second, MaxDelay: time.Hour, MaxAttempts: 4}

// recorder is a pair of settle hooks that record what they saw.
type recorder struct {
	mu        sync.Mutex
	confirmed []rail.Transfer
	failed    []rail.Transfer
	// seen is the status of the transfer's row as the hook's transaction
	// sees it.
	seen []string
	// fail, when set, is returned by the next hook call (once).
	fail error
}

func (r *recorder) hook(list *[]rail.Transfer) rail.Hook {
	return func(tx *store.Tx, t rail.Transfer) error {
		var status string
		if err := tx.QueryRow(`SELECT status FROM rail_transfers WHERE id = $1`, t.ID).Scan(&status); err != nil {
			return err
		}
		r.mu.Lock()
		defer r.mu.Unlock()
		if r.fail != nil {
			err := r.fail
			r.fail = nil
			return err
		}
		*list = append(*list, t)
		r.seen = append(r.seen, status)
		return nil
	}
}

func (r *recorder) counts() (confirmed, failed int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.confirmed), len(r.failed)
}

// env is one test's rail on a fresh database.
type env struct {
	db     *store.DB
	clk    *clock.Manual
	svc    *rail.Service
	runner *jobs.Runner
	hooks  *recorder
}

func setup(t *testing.T, adapter rail.Adapter) *env {
	t.Helper()
	db, clk := storetest.Open(t)
	logger := logscan.Logger()
	if adapter == nil {
		adapter = rail.NewSimulated()
	}
	svc := rail.New(db, adapter, testConfig, logger)
	rec := &recorder{}
	svc.OnConfirmed = rec.hook(&rec.confirmed)
	svc.OnFailed = rec.hook(&rec.failed)
	runner := jobs.NewRunner(db, logger)
	svc.Register(runner)
	return &env{db: db, clk: clk, svc: svc, runner: runner, hooks: rec}
}

func transfer(instrument string) rail.Transfer {
	return rail.Transfer{Direction: rail.Collect, OrderID: "order-1", Purpose: "installment", Amount: 12550,
		Currency: "DKK", Instrument: instrument}
}

func (e *env) create(t *testing.T, tr rail.Transfer) rail.Transfer {
	t.Helper()
	var out rail.Transfer
	if err := e.db.Write(ctx, func(tx *store.Tx) error {
		var err error
		out, err = e.svc.Create(tx, tr)
		return err
	}); err != nil {
		t.Fatalf("create: %v", err)
	}
	return out
}

func (e *env) get(t *testing.T, id string) rail.Transfer {
	t.Helper()
	tr, err := e.svc.Get(ctx, id)
	if err != nil {
		t.Fatalf("get %s: %v", id, err)
	}
	return tr
}

// runDue runs the due jobs and checks how many ran.
func (e *env) runDue(t *testing.T, want int) {
	t.Helper()
	n, err := e.runner.RunDue(ctx)
	if err != nil {
		t.Fatalf("RunDue: %v", err)
	}
	if n != want {
		t.Fatalf("RunDue ran %d jobs, want %d", n, want)
	}
}

// advance moves the clock by d and runs what became due.
func (e *env) advance(t *testing.T, d time.Duration, want int) {
	t.Helper()
	e.clk.Advance(d)
	e.runDue(t, want)
}

// count returns SELECT COUNT(*) of a query.
func (e *env) count(t *testing.T, query string, args ...any) int {
	t.Helper()
	var n int
	if err := e.db.Read(ctx, func(tx *store.Tx) error { return tx.QueryRow(query, args...).Scan(&n) }); err != nil {
		t.Fatalf("count: %v", err)
	}
	return n
}

func (e *env) jobCount(t *testing.T) int { return e.count(t, `SELECT COUNT(*) FROM jobs`) }

func wantStatus(t *testing.T, tr rail.Transfer, status rail.Status, reason string) {
	t.Helper()
	if tr.Status != status || tr.FailureReason != reason {
		t.Fatalf("transfer %s is %s (%q), want %s (%q)", tr.ID, tr.Status, tr.FailureReason, status, reason)
	}
}

func wantHooks(t *testing.T, e *env, confirmed, failed int) {
	t.Helper()
	if c, f := e.hooks.counts(); c != confirmed || f != failed {
		t.Fatalf("hooks: %d confirmed, %d failed; want %d, %d", c, f, confirmed, failed)
	}
}

func TestConfirmedOnce(t *testing.T) {
	for _, dir := range []rail.Direction{rail.Collect, rail.Payout} {
		t.Run(string(dir), func(t *testing.T) {
			e := setup(t, nil)
			in := transfer("sim:ok")
			in.Direction = dir
			tr := e.create(t, in)
			wantStatus(t, tr, rail.StatusPending, "")
			if !tr.CreatedAt.Equal(storetest.Start) || tr.IdempotencyKey != tr.ID || tr.Version != 1 {
				t.Fatalf("created %+v", tr)
			}
			if got := e.get(t, tr.ID); got != tr {
				t.Fatalf("stored %+v\nreturned %+v", got, tr)
			}

			e.runDue(t, 1) // submit
			sub := e.get(t, tr.ID)
			wantStatus(t, sub, rail.StatusSubmitted, "")
			if sub.ProviderReference != "sim:"+tr.ID+":ok" || sub.Attempts != 1 || !sub.SubmittedAt.Equal(storetest.Start) {
				t.Fatalf("submitted %+v", sub)
			}
			wantHooks(t, e, 0, 0)

			e.advance(t, testConfig.PollAfter-time.Microsecond, 0)
			e.advance(t, time.Microsecond, 1) // poll
			done := e.get(t, tr.ID)
			wantStatus(t, done, rail.StatusConfirmed, "")
			if !done.SettledAt.Equal(storetest.Start.Add(testConfig.PollAfter)) {
				t.Fatalf("settled at %v", done.SettledAt)
			}
			wantHooks(t, e, 1, 0)
			got := e.hooks.confirmed[0]
			if got != done || got.Direction != dir || got.Amount != 12550 || got.OrderID != "order-1" {
				t.Fatalf("hook got %+v\nstored %+v", got, done)
			}
			if e.hooks.seen[0] != "confirmed" {
				t.Fatalf("hook's transaction saw status %s", e.hooks.seen[0])
			}

			e.advance(t, 24*time.Hour, 0)
			wantHooks(t, e, 1, 0)
			if n := e.jobCount(t); n != 0 {
				t.Fatalf("%d jobs left", n)
			}
		})
	}
}

func TestRolledBackCallerCreatesNothing(t *testing.T) {
	e := setup(t, nil)
	boom := errors.New("business rule says no")
	err := e.db.Write(ctx, func(tx *store.Tx) error {
		if _, err := e.svc.Create(tx, transfer("sim:ok")); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("write: %v", err)
	}
	if n := e.count(t, `SELECT COUNT(*) FROM rail_transfers`); n != 0 {
		t.Fatalf("%d transfers", n)
	}
	if n := e.jobCount(t); n != 0 {
		t.Fatalf("%d jobs", n)
	}
	e.advance(t, time.Hour, 0)
	wantHooks(t, e, 0, 0)
}

func TestFailureOutcome(t *testing.T) {
	e := setup(t, nil)
	tr := e.create(t, transfer("sim:fail:insufficient_funds"))
	e.runDue(t, 1)
	e.advance(t, testConfig.PollAfter, 1)
	wantStatus(t, e.get(t, tr.ID), rail.StatusFailed, "insufficient_funds")
	wantHooks(t, e, 0, 1)
	if got := e.hooks.failed[0]; got.ID != tr.ID || got.FailureReason != "insufficient_funds" || e.hooks.seen[0] != "failed" {
		t.Fatalf("OnFailed got %+v (row %s)", got, e.hooks.seen[0])
	}
	e.advance(t, 24*time.Hour, 0)
	wantHooks(t, e, 0, 1)
}

func TestRejectedAtSubmit(t *testing.T) {
	e := setup(t, nil)
	tr := e.create(t, transfer("sim:reject:account_closed"))
	e.runDue(t, 1)
	got := e.get(t, tr.ID)
	wantStatus(t, got, rail.StatusFailed, "account_closed")
	if got.Attempts != 1 || got.ProviderReference != "" || !got.SubmittedAt.IsZero() {
		t.Fatalf("rejected %+v", got)
	}
	wantHooks(t, e, 0, 1)
	if n := e.jobCount(t); n != 0 {
		t.Fatalf("%d jobs left", n)
	}
}

func TestFlakySubmitIsRetried(t *testing.T) {
	e := setup(t, nil)
	tr := e.create(t, transfer("sim:flaky:2"))
	e.runDue(t, 1)
	got := e.get(t, tr.ID)
	wantStatus(t, got, rail.StatusPending, "")
	if got.Attempts != 1 {
		t.Fatalf("attempts %d", got.Attempts)
	}
	// Backoff: RetryAfter, then twice that.
	e.advance(t, testConfig.RetryAfter-time.Microsecond, 0)
	e.advance(t, time.Microsecond, 1)
	wantStatus(t, e.get(t, tr.ID), rail.StatusPending, "")
	e.advance(t, 2*testConfig.RetryAfter-time.Microsecond, 0)
	e.advance(t, time.Microsecond, 1)
	got = e.get(t, tr.ID)
	wantStatus(t, got, rail.StatusSubmitted, "")
	if got.Attempts != 3 {
		t.Fatalf("attempts %d", got.Attempts)
	}
	e.advance(t, testConfig.PollAfter, 1)
	wantStatus(t, e.get(t, tr.ID), rail.StatusConfirmed, "")
	wantHooks(t, e, 1, 0)
}

func TestUnavailableAfterMaxAttempts(t *testing.T) {
	e := setup(t, nil)
	tr := e.create(t, transfer("sim:down"))
	e.runDue(t, 1)
	for i := 1; i < testConfig.MaxAttempts; i++ {
		wantStatus(t, e.get(t, tr.ID), rail.StatusPending, "")
		e.advance(t, testConfig.RetryAfter<<(i-1), 1)
	}
	got := e.get(t, tr.ID)
	wantStatus(t, got, rail.StatusFailed, rail.ReasonUnavailable)
	if got.Attempts != testConfig.MaxAttempts {
		t.Fatalf("attempts %d, want %d", got.Attempts, testConfig.MaxAttempts)
	}
	wantHooks(t, e, 0, 1)
	if n := e.jobCount(t); n != 0 {
		t.Fatalf("%d jobs left", n)
	}
	e.advance(t, 24*time.Hour, 0)
	wantHooks(t, e, 0, 1)
}

func TestSlowIsPolledWithBackoff(t *testing.T) {
	e := setup(t, nil)
	tr := e.create(t, transfer("sim:slow:3"))
	e.runDue(t, 1)
	e.advance(t, testConfig.PollAfter, 1) // pending 1
	for _, wait := range []time.Duration{testConfig.PollAfter, 2 * testConfig.PollAfter, 4 * testConfig.PollAfter} {
		wantStatus(t, e.get(t, tr.ID), rail.StatusSubmitted, "")
		wantHooks(t, e, 0, 0)
		e.advance(t, wait-time.Microsecond, 0)
		e.advance(t, time.Microsecond, 1)
	}
	wantStatus(t, e.get(t, tr.ID), rail.StatusConfirmed, "")
	wantHooks(t, e, 1, 0)
	if n := e.jobCount(t); n != 0 {
		t.Fatalf("%d jobs left", n)
	}
}

// statusErrors is a simulated rail whose Status fails the first n calls.
type statusErrors struct {
	*rail.Simulated
	mu sync.Mutex
	n  int
}

func (a *statusErrors) Status(ctx context.Context, ref string) (rail.Outcome, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.n > 0 {
		a.n--
		return rail.Outcome{}, rail.ErrUnavailable
	}
	return a.Simulated.Status(ctx, ref)
}

func TestStatusErrorsNeverFailASubmittedTransfer(t *testing.T) {
	errs := 2 * testConfig.MaxAttempts
	e := setup(t, &statusErrors{Simulated: rail.NewSimulated(), n: errs})
	tr := e.create(t, transfer("sim:ok"))
	e.runDue(t, 1)
	e.advance(t, testConfig.PollAfter, 1)
	for i := 1; i <= errs; i++ {
		wantStatus(t, e.get(t, tr.ID), rail.StatusSubmitted, "")
		e.advance(t, min(testConfig.RetryAfter<<(i-1), testConfig.MaxDelay), 1)
	}
	wantStatus(t, e.get(t, tr.ID), rail.StatusConfirmed, "")
	wantHooks(t, e, 1, 0)
}

func TestHookErrorRollsBackAndRetries(t *testing.T) {
	e := setup(t, nil)
	tr := e.create(t, transfer("sim:ok"))
	e.runDue(t, 1)
	e.hooks.fail = errors.New("plan busy")
	e.advance(t, testConfig.PollAfter, 1)
	wantStatus(t, e.get(t, tr.ID), rail.StatusSubmitted, "")
	wantHooks(t, e, 0, 0)
	e.advance(t, time.Hour, 1) // the runner's backoff
	wantStatus(t, e.get(t, tr.ID), rail.StatusConfirmed, "")
	wantHooks(t, e, 1, 0)
}

func TestCallback(t *testing.T) {
	e := setup(t, nil)
	tr := e.create(t, transfer("sim:slow:1000"))
	e.runDue(t, 1)
	ref := e.get(t, tr.ID).ProviderReference

	if err := e.svc.HandleCallback(ctx, ref, rail.Outcome{Status: rail.StatusPending}); err != nil {
		t.Fatalf("pending callback: %v", err)
	}
	wantStatus(t, e.get(t, tr.ID), rail.StatusSubmitted, "")
	if err := e.svc.HandleCallback(ctx, ref, rail.Outcome{Status: rail.StatusConfirmed}); err != nil {
		t.Fatalf("callback: %v", err)
	}
	wantStatus(t, e.get(t, tr.ID), rail.StatusConfirmed, "")
	wantHooks(t, e, 1, 0)

	// Repeated, contradicting, and the poll after it: nothing changes.
	for _, o := range []rail.Outcome{{Status: rail.StatusConfirmed}, {Status: rail.StatusFailed, Reason: "late"}} {
		if err := e.svc.HandleCallback(ctx, ref, o); err != nil {
			t.Fatalf("repeated callback: %v", err)
		}
	}
	e.advance(t, testConfig.PollAfter, 1)
	wantStatus(t, e.get(t, tr.ID), rail.StatusConfirmed, "")
	wantHooks(t, e, 1, 0)

	if err := e.svc.HandleCallback(ctx, "sim:unknown:ok", rail.Outcome{Status: rail.StatusConfirmed}); apperr.Code(err) != apperr.NotFound {
		t.Fatalf("unknown reference: %v", err)
	}
	if err := e.svc.HandleCallback(ctx, ref, rail.Outcome{Status: "settled"}); apperr.Code(err) != apperr.BadValue {
		t.Fatalf("bad status: %v", err)
	}
	if err := e.svc.HandleCallback(ctx, "", rail.Outcome{Status: rail.StatusConfirmed}); apperr.Code(err) != apperr.BadValue {
		t.Fatalf("empty reference: %v", err)
	}
}

func TestCallbackFailureReason(t *testing.T) {
	e := setup(t, nil)
	tr := e.create(t, transfer("sim:slow:1000"))
	e.runDue(t, 1)
	if err := e.svc.HandleCallback(ctx, e.get(t, tr.ID).ProviderReference,
		rail.Outcome{Status: rail.StatusFailed, Reason: "Card Expired"}); err != nil {
		t.Fatalf("callback: %v", err)
	}
	wantStatus(t, e.get(t, tr.ID), rail.StatusFailed, "card_expired")
	wantHooks(t, e, 0, 1)
}

// gatedStatus is a simulated rail whose Status waits for the test.
type gatedStatus struct {
	*rail.Simulated
	asked   chan struct{}
	release chan struct{}
}

func (a *gatedStatus) Status(ctx context.Context, ref string) (rail.Outcome, error) {
	a.asked <- struct{}{}
	<-a.release
	return a.Simulated.Status(ctx, ref)
}

// TestCallbackWhilePolling settles by callback while a poll waits for the
// rail's answer, which then says confirmed too: the hook runs once.
func TestCallbackWhilePolling(t *testing.T) {
	gate := &gatedStatus{Simulated: rail.NewSimulated(), asked: make(chan struct{}), release: make(chan struct{})}
	e := setup(t, gate)
	tr := e.create(t, transfer("sim:ok"))
	e.runDue(t, 1)
	e.clk.Advance(testConfig.PollAfter)
	polled := make(chan error, 1)
	go func() {
		_, err := e.runner.RunDue(ctx)
		polled <- err
	}()
	<-gate.asked
	if err := e.svc.HandleCallback(ctx, e.get(t, tr.ID).ProviderReference, rail.Outcome{Status: rail.StatusConfirmed}); err != nil {
		t.Fatalf("callback: %v", err)
	}
	close(gate.release)
	if err := <-polled; err != nil {
		t.Fatalf("poll: %v", err)
	}
	wantStatus(t, e.get(t, tr.ID), rail.StatusConfirmed, "")
	wantHooks(t, e, 1, 0)
}

// TestConcurrentSettlersSettleOnce races callbacks against polls; on
// PostgreSQL the settling transactions really overlap, and the version guard
// lets one of them win.
func TestConcurrentSettlersSettleOnce(t *testing.T) {
	e := setup(t, nil)
	const transfers, callers = 5, 6
	var refs []string
	for i := 0; i < transfers; i++ {
		in := transfer("sim:ok")
		in.IdempotencyKey = "race-" + string(rune('a'+i))
		e.create(t, in)
	}
	e.runDue(t, transfers)
	list, err := e.svc.ListForOrder(ctx, "order-1")
	if err != nil {
		t.Fatal(err)
	}
	for _, tr := range list {
		refs = append(refs, tr.ProviderReference)
	}
	e.clk.Advance(testConfig.PollAfter)

	var wg sync.WaitGroup
	errs := make(chan error, transfers*callers+1)
	start := make(chan struct{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		<-start
		_, err := e.runner.RunDue(ctx)
		errs <- err
	}()
	for _, ref := range refs {
		for c := 0; c < callers; c++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				errs <- e.svc.HandleCallback(ctx, ref, rail.Outcome{Status: rail.StatusConfirmed})
			}()
		}
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("settler: %v", err)
		}
	}
	wantHooks(t, e, transfers, 0)
	seen := map[string]bool{}
	for _, tr := range e.hooks.confirmed {
		if seen[tr.ID] {
			t.Fatalf("transfer %s confirmed twice", tr.ID)
		}
		seen[tr.ID] = true
	}
	if n := e.count(t, `SELECT COUNT(*) FROM rail_transfers WHERE status = 'confirmed' AND version = 3`); n != transfers {
		t.Fatalf("%d transfers confirmed at version 3, want %d", n, transfers)
	}
}

func TestBadInputWritesNothing(t *testing.T) {
	long := make([]byte, 201)
	for i := range long {
		long[i] = 'a'
	}
	cases := map[string]func(*rail.Transfer){
		"zero amount":        func(tr *rail.Transfer) { tr.Amount = 0 },
		"negative amount":    func(tr *rail.Transfer) { tr.Amount = -100 },
		"amount too large":   func(tr *rail.Transfer) { tr.Amount = 10_000_000_000_001 },
		"unknown currency":   func(tr *rail.Transfer) { tr.Currency = "XXX" },
		"lower-case curr":    func(tr *rail.Transfer) { tr.Currency = "dkk" },
		"no currency":        func(tr *rail.Transfer) { tr.Currency = "" },
		"unknown direction":  func(tr *rail.Transfer) { tr.Direction = "sideways" },
		"no direction":       func(tr *rail.Transfer) { tr.Direction = "" },
		"no order":           func(tr *rail.Transfer) { tr.OrderID = "" },
		"no purpose":         func(tr *rail.Transfer) { tr.Purpose = "" },
		"bad purpose":        func(tr *rail.Transfer) { tr.Purpose = "Pay Now" },
		"no instrument":      func(tr *rail.Transfer) { tr.Instrument = "" },
		"long instrument":    func(tr *rail.Transfer) { tr.Instrument = string(long) },
		"card number":        func(tr *rail.Transfer) { tr.Instrument = "4111111111111111" },
		"dashed card number": func(tr *rail.Transfer) { tr.Instrument = "card:4111-1111-1111-1111" },
		"long key":           func(tr *rail.Transfer) { tr.IdempotencyKey = string(long) },
	}
	e := setup(t, nil)
	for name, mutate := range cases {
		t.Run(name, func(t *testing.T) {
			in := transfer("sim:ok")
			mutate(&in)
			err := e.db.Write(ctx, func(tx *store.Tx) error {
				_, err := e.svc.Create(tx, in)
				return err
			})
			if apperr.Code(err) != apperr.BadValue {
				t.Fatalf("Create: %v, want BAD_VALUE", err)
			}
			if n := e.count(t, `SELECT COUNT(*) FROM rail_transfers`); n != 0 {
				t.Fatalf("%d transfers written", n)
			}
			if n := e.jobCount(t); n != 0 {
				t.Fatalf("%d jobs written", n)
			}
		})
	}
}

func TestInstrumentsThatAreNotCardNumbers(t *testing.T) {
	e := setup(t, nil)
	for i, instrument := range []string{"sim:ok", "iban:DK5000400440116243", "tok_9f8e7d6c5b4a", "card:411111******1111", "4111111111111112"} {
		in := transfer(instrument)
		in.IdempotencyKey = "k" + string(rune('0'+i))
		e.create(t, in)
	}
}

func TestIdempotencyKey(t *testing.T) {
	e := setup(t, nil)
	in := transfer("sim:ok")
	in.IdempotencyKey = "plan:order-1:installment:1"
	first := e.create(t, in)
	again := e.create(t, in)
	if again != first {
		t.Fatalf("second create %+v\nfirst %+v", again, first)
	}
	if n := e.count(t, `SELECT COUNT(*) FROM rail_transfers`); n != 1 {
		t.Fatalf("%d transfers", n)
	}
	if n := e.jobCount(t); n != 1 {
		t.Fatalf("%d jobs", n)
	}
	// After settling, the same request still answers the settled transfer.
	e.runDue(t, 1)
	e.advance(t, testConfig.PollAfter, 1)
	if got := e.create(t, in); got.ID != first.ID || got.Status != rail.StatusConfirmed {
		t.Fatalf("after settling: %+v", got)
	}
	wantHooks(t, e, 1, 0)

	in.Amount++
	err := e.db.Write(ctx, func(tx *store.Tx) error {
		_, err := e.svc.Create(tx, in)
		return err
	})
	if apperr.Code(err) != apperr.IdempotencyReused {
		t.Fatalf("reused key: %v", err)
	}
}

func TestGetAndListForOrder(t *testing.T) {
	e := setup(t, nil)
	if _, err := e.svc.Get(ctx, "no-such-id"); apperr.Code(err) != apperr.NotFound {
		t.Fatalf("Get unknown: %v", err)
	}
	a := e.create(t, transfer("sim:ok"))
	e.clk.Advance(time.Second)
	b := transfer("sim:ok")
	b.Direction, b.Purpose = rail.Payout, "overpayment"
	bb := e.create(t, b)
	other := transfer("sim:ok")
	other.OrderID = "order-2"
	e.create(t, other)

	list, err := e.svc.ListForOrder(ctx, "order-1")
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0] != a || list[1] != bb {
		t.Fatalf("list %+v", list)
	}
	if list, err := e.svc.ListForOrder(ctx, "order-none"); err != nil || len(list) != 0 {
		t.Fatalf("empty list: %v %v", list, err)
	}
}
