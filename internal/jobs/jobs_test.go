package jobs_test

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tillit/tillit/internal/jobs"
	"github.com/tillit/tillit/internal/logscan"
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/store/storetest"
)

var ctx = context.Background()

func quietLogger() *slog.Logger { return logscan.Logger() }

func enqueue(t *testing.T, db *store.DB, j jobs.Job) {
	t.Helper()
	if err := db.Write(ctx, func(tx *store.Tx) error { return jobs.Enqueue(tx, j) }); err != nil {
		t.Fatalf("enqueue: %v", err)
	}
}

func runDue(t *testing.T, r *jobs.Runner, want int) {
	t.Helper()
	n, err := r.RunDue(ctx)
	if err != nil {
		t.Fatalf("RunDue: %v", err)
	}
	if n != want {
		t.Fatalf("RunDue ran %d jobs, want %d", n, want)
	}
}

type jobRow struct {
	kind      string
	payload   string
	runAt     time.Time
	attempts  int
	lastError string
}

func jobRows(t *testing.T, db *store.DB) []jobRow {
	t.Helper()
	var out []jobRow
	err := db.Read(ctx, func(tx *store.Tx) error {
		out = nil
		rows, err := tx.Query(`SELECT kind, payload, run_at, attempts, last_error FROM jobs ORDER BY run_at, id`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var r jobRow
			var runAt int64
			if err := rows.Scan(&r.kind, &r.payload, &runAt, &r.attempts, &r.lastError); err != nil {
				return err
			}
			r.runAt = store.FromMicros(runAt)
			out = append(out, r)
		}
		return rows.Err()
	})
	if err != nil {
		t.Fatalf("read jobs: %v", err)
	}
	return out
}

type payload struct {
	N int `json:"n"`
}

// recorder is a handler that records the payloads it saw.
type recorder struct {
	mu   sync.Mutex
	seen []int
}

func (rec *recorder) handle(_ context.Context, p []byte) error {
	var v payload
	if err := json.Unmarshal(p, &v); err != nil {
		return jobs.Drop(err)
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	rec.seen = append(rec.seen, v.N)
	return nil
}

func (rec *recorder) got() []int {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return append([]int(nil), rec.seen...)
}

func TestJobRunsOnlyWhenDue(t *testing.T) {
	db, clk := storetest.Open(t)
	r := jobs.NewRunner(db, quietLogger())
	rec := &recorder{}
	r.Register("test.timer", rec.handle)

	enqueue(t, db, jobs.Job{Kind: "test.timer", Payload: payload{N: 7}, RunAt: clk.Now().Add(time.Hour)})
	runDue(t, r, 0)
	clk.Advance(time.Hour - time.Microsecond)
	runDue(t, r, 0)
	clk.Advance(time.Microsecond)
	runDue(t, r, 1)
	if got := rec.got(); len(got) != 1 || got[0] != 7 {
		t.Fatalf("handler saw %v, want [7]", got)
	}
	if rows := jobRows(t, db); len(rows) != 0 {
		t.Fatalf("job not deleted after success: %+v", rows)
	}
	runDue(t, r, 0)
}

func TestZeroRunAtIsDueNow(t *testing.T) {
	db, _ := storetest.Open(t)
	r := jobs.NewRunner(db, quietLogger())
	rec := &recorder{}
	r.Register("test.now", rec.handle)
	enqueue(t, db, jobs.Job{Kind: "test.now", Payload: payload{N: 1}})
	runDue(t, r, 1)
}

func TestUniqueKeyReschedules(t *testing.T) {
	db, clk := storetest.Open(t)
	r := jobs.NewRunner(db, quietLogger())
	rec := &recorder{}
	r.Register("test.expire", rec.handle)

	enqueue(t, db, jobs.Job{Kind: "test.expire", UniqueKey: "order:1", Payload: payload{N: 1}, RunAt: clk.Now().Add(time.Hour)})
	enqueue(t, db, jobs.Job{Kind: "test.expire", UniqueKey: "order:1", Payload: payload{N: 2}, RunAt: clk.Now().Add(2 * time.Hour)})
	// A job with another key and one without a key are independent.
	enqueue(t, db, jobs.Job{Kind: "test.expire", UniqueKey: "order:2", Payload: payload{N: 3}, RunAt: clk.Now().Add(3 * time.Hour)})
	enqueue(t, db, jobs.Job{Kind: "test.expire", Payload: payload{N: 4}, RunAt: clk.Now().Add(3 * time.Hour)})

	if rows := jobRows(t, db); len(rows) != 3 {
		t.Fatalf("got %d jobs, want 3: %+v", len(rows), rows)
	}
	clk.Advance(time.Hour)
	runDue(t, r, 0)
	clk.Advance(time.Hour)
	runDue(t, r, 1)
	if got := rec.got(); len(got) != 1 || got[0] != 2 {
		t.Fatalf("handler saw %v, want the replaced payload [2]", got)
	}
	clk.Advance(time.Hour)
	runDue(t, r, 2)

	// After the keyed job ran, the key is free again.
	enqueue(t, db, jobs.Job{Kind: "test.expire", UniqueKey: "order:1", Payload: payload{N: 5}})
	runDue(t, r, 1)
}

func TestFailingHandlerRetriedWithBackoff(t *testing.T) {
	db, clk := storetest.Open(t)
	r := jobs.NewRunner(db, quietLogger())
	var calls atomic.Int32
	r.Register("test.flaky", func(context.Context, []byte) error {
		if calls.Add(1) <= 3 {
			return errors.New("receiver down")
		}
		return nil
	})
	start := clk.Now()
	enqueue(t, db, jobs.Job{Kind: "test.flaky", Payload: map[string]string{"a": "b"}})

	runDue(t, r, 1) // attempt 1 fails: retry after 10s
	rows := jobRows(t, db)
	if len(rows) != 1 || rows[0].attempts != 1 || rows[0].lastError != "receiver down" || !rows[0].runAt.Equal(start.Add(10*time.Second)) {
		t.Fatalf("after first failure: %+v", rows)
	}
	runDue(t, r, 0) // clock has not moved
	clk.Advance(10*time.Second - time.Microsecond)
	runDue(t, r, 0)
	clk.Advance(time.Microsecond)
	runDue(t, r, 1) // attempt 2 fails: retry after 20s
	clk.Advance(19 * time.Second)
	runDue(t, r, 0)
	clk.Advance(time.Second)
	runDue(t, r, 1) // attempt 3 fails: retry after 40s
	if rows := jobRows(t, db); len(rows) != 1 || rows[0].attempts != 3 || !rows[0].runAt.Equal(clk.Now().Add(40*time.Second)) {
		t.Fatalf("after third failure: %+v", rows)
	}
	clk.Advance(40 * time.Second)
	runDue(t, r, 1) // succeeds
	if n := calls.Load(); n != 4 {
		t.Fatalf("handler called %d times, want 4", n)
	}
	if rows := jobRows(t, db); len(rows) != 0 {
		t.Fatalf("job left after success: %+v", rows)
	}
}

func TestBackoffIsCappedAtAnHour(t *testing.T) {
	db, clk := storetest.Open(t)
	r := jobs.NewRunner(db, quietLogger())
	r.Register("test.down", func(context.Context, []byte) error { return errors.New("down") })
	enqueue(t, db, jobs.Job{Kind: "test.down"})
	for i := 0; i < 12; i++ {
		runDue(t, r, 1)
		clk.Set(jobRows(t, db)[0].runAt)
	}
	rows := jobRows(t, db)
	runDue(t, r, 1)
	if got := jobRows(t, db)[0].runAt.Sub(rows[0].runAt); got != time.Hour {
		t.Fatalf("delay after %d attempts = %v, want 1h", rows[0].attempts, got)
	}
}

func TestRetryAtChoosesTime(t *testing.T) {
	db, clk := storetest.Open(t)
	r := jobs.NewRunner(db, quietLogger())
	var calls atomic.Int32
	r.Register("test.later", func(context.Context, []byte) error {
		if calls.Add(1) == 1 {
			return jobs.RetryAt(clk.Now().Add(3*time.Hour), errors.New("not yet"))
		}
		// A time in the past must not make RunDue spin.
		return jobs.RetryAt(clk.Now().Add(-time.Hour), errors.New("again"))
	})
	enqueue(t, db, jobs.Job{Kind: "test.later"})
	runDue(t, r, 1)
	clk.Advance(3*time.Hour - time.Second)
	runDue(t, r, 0)
	clk.Advance(time.Second)
	runDue(t, r, 1)
	rows := jobRows(t, db)
	if len(rows) != 1 || rows[0].attempts != 2 || !rows[0].runAt.Equal(clk.Now().Add(time.Second)) {
		t.Fatalf("after RetryAt in the past: %+v", rows)
	}
}

func TestDropDeletes(t *testing.T) {
	db, clk := storetest.Open(t)
	r := jobs.NewRunner(db, quietLogger())
	var calls atomic.Int32
	r.Register("test.bad", func(context.Context, []byte) error {
		calls.Add(1)
		return jobs.Drop(errors.New("malformed payload"))
	})
	enqueue(t, db, jobs.Job{Kind: "test.bad"})
	runDue(t, r, 1)
	if rows := jobRows(t, db); len(rows) != 0 {
		t.Fatalf("dropped job still there: %+v", rows)
	}
	clk.Advance(24 * time.Hour)
	runDue(t, r, 0)
	if n := calls.Load(); n != 1 {
		t.Fatalf("handler called %d times, want 1", n)
	}
}

func TestPanicIsRetried(t *testing.T) {
	db, _ := storetest.Open(t)
	r := jobs.NewRunner(db, quietLogger())
	r.Register("test.panic", func(context.Context, []byte) error { panic("boom") })
	enqueue(t, db, jobs.Job{Kind: "test.panic"})
	runDue(t, r, 1)
	if rows := jobRows(t, db); len(rows) != 1 || rows[0].attempts != 1 {
		t.Fatalf("after panic: %+v", rows)
	}
}

func TestEnqueueInRolledBackTxLeavesNoJob(t *testing.T) {
	db, _ := storetest.Open(t)
	r := jobs.NewRunner(db, quietLogger())
	rec := &recorder{}
	r.Register("test.tx", rec.handle)
	boom := errors.New("business rule failed")
	err := db.Write(ctx, func(tx *store.Tx) error {
		if err := jobs.Enqueue(tx, jobs.Job{Kind: "test.tx", Payload: payload{N: 1}}); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Write = %v, want %v", err, boom)
	}
	if rows := jobRows(t, db); len(rows) != 0 {
		t.Fatalf("rolled-back job exists: %+v", rows)
	}
	runDue(t, r, 0)
}

func TestLeaseExpiryMakesClaimedJobRunnableAgain(t *testing.T) {
	db, clk := storetest.Open(t)
	started := make(chan struct{})
	release := make(chan struct{})
	var calls atomic.Int32
	handler := func(context.Context, []byte) error {
		if calls.Add(1) == 1 {
			// The first run hangs, like a process that died mid-job.
			close(started)
			<-release
		}
		return nil
	}
	crashed := jobs.NewRunner(db, quietLogger())
	crashed.Register("test.lease", handler)
	other := jobs.NewRunner(db, quietLogger())
	other.Register("test.lease", handler)

	enqueue(t, db, jobs.Job{Kind: "test.lease"})
	done := make(chan error, 1)
	go func() {
		_, err := crashed.RunDue(ctx)
		done <- err
	}()
	<-started

	// While the lease holds, nobody else takes the job.
	runDue(t, other, 0)
	clk.Advance(jobs.Lease - time.Microsecond)
	runDue(t, other, 0)
	// Once it expires, another runner does.
	clk.Advance(time.Microsecond)
	runDue(t, other, 1)
	if rows := jobRows(t, db); len(rows) != 0 {
		t.Fatalf("job left after second run: %+v", rows)
	}

	// The first run finally returns; its stale claim changes nothing.
	close(release)
	if err := <-done; err != nil {
		t.Fatalf("first RunDue: %v", err)
	}
	if n := calls.Load(); n != 2 {
		t.Fatalf("handler called %d times, want 2", n)
	}
	if rows := jobRows(t, db); len(rows) != 0 {
		t.Fatalf("jobs after both runs: %+v", rows)
	}
}

func TestStaleFailureDoesNotRescheduleReclaimedJob(t *testing.T) {
	db, clk := storetest.Open(t)
	startedA, releaseA := make(chan struct{}), make(chan struct{})
	startedB, releaseB := make(chan struct{}), make(chan struct{})
	var calls atomic.Int32
	handler := func(context.Context, []byte) error {
		if calls.Add(1) == 1 {
			close(startedA)
			<-releaseA
			return errors.New("late failure")
		}
		close(startedB)
		<-releaseB
		return nil
	}
	a := jobs.NewRunner(db, quietLogger())
	a.Register("test.stale", handler)
	b := jobs.NewRunner(db, quietLogger())
	b.Register("test.stale", handler)
	enqueue(t, db, jobs.Job{Kind: "test.stale"})

	doneA := make(chan error, 1)
	go func() { _, err := a.RunDue(ctx); doneA <- err }()
	<-startedA
	clk.Advance(jobs.Lease)
	doneB := make(chan error, 1)
	go func() { _, err := b.RunDue(ctx); doneB <- err }()
	<-startedB

	// A fails after losing its lease to B: it must not reschedule B's job.
	close(releaseA)
	if err := <-doneA; err != nil {
		t.Fatal(err)
	}
	if rows := jobRows(t, db); len(rows) != 1 || rows[0].attempts != 0 || rows[0].lastError != "" {
		t.Fatalf("stale failure changed the job: %+v", rows)
	}
	close(releaseB)
	if err := <-doneB; err != nil {
		t.Fatal(err)
	}
	if rows := jobRows(t, db); len(rows) != 0 {
		t.Fatalf("jobs left: %+v", rows)
	}
}

func TestHandlerEnqueuingDueWorkRunsInSameCall(t *testing.T) {
	db, _ := storetest.Open(t)
	r := jobs.NewRunner(db, quietLogger())
	rec := &recorder{}
	r.Register("test.second", rec.handle)
	r.Register("test.first", func(ctx context.Context, _ []byte) error {
		return db.Write(ctx, func(tx *store.Tx) error {
			return jobs.Enqueue(tx, jobs.Job{Kind: "test.second", Payload: payload{N: 2}})
		})
	})
	enqueue(t, db, jobs.Job{Kind: "test.first"})
	runDue(t, r, 2)
	if got := rec.got(); len(got) != 1 || got[0] != 2 {
		t.Fatalf("second job saw %v", got)
	}
}

func TestRescheduleWhileRunningSurvives(t *testing.T) {
	db, clk := storetest.Open(t)
	r := jobs.NewRunner(db, quietLogger())
	var calls atomic.Int32
	// A recurring timer: each run schedules the next one under the same key.
	r.Register("test.recurring", func(ctx context.Context, _ []byte) error {
		calls.Add(1)
		return db.Write(ctx, func(tx *store.Tx) error {
			return jobs.Enqueue(tx, jobs.Job{Kind: "test.recurring", UniqueKey: "daily", RunAt: tx.Now.Add(24 * time.Hour)})
		})
	})
	enqueue(t, db, jobs.Job{Kind: "test.recurring", UniqueKey: "daily"})
	runDue(t, r, 1)
	rows := jobRows(t, db)
	if len(rows) != 1 || !rows[0].runAt.Equal(clk.Now().Add(24*time.Hour)) {
		t.Fatalf("next occurrence missing: %+v", rows)
	}
	clk.Advance(24 * time.Hour)
	runDue(t, r, 1)
	if len(jobRows(t, db)) != 1 || calls.Load() != 2 {
		t.Fatalf("recurring timer broke")
	}
}

func TestUnknownKindIsLeftAlone(t *testing.T) {
	db, clk := storetest.Open(t)
	r := jobs.NewRunner(db, quietLogger())
	rec := &recorder{}
	r.Register("test.known", rec.handle)
	enqueue(t, db, jobs.Job{Kind: "test.from_newer_version"})
	enqueue(t, db, jobs.Job{Kind: "test.known", Payload: payload{N: 1}})
	runDue(t, r, 1)
	clk.Advance(time.Hour)
	runDue(t, r, 0)
	rows := jobRows(t, db)
	if len(rows) != 1 || rows[0].kind != "test.from_newer_version" || rows[0].attempts != 0 {
		t.Fatalf("unknown job touched: %+v", rows)
	}
	// A binary that knows the kind runs it.
	newer := jobs.NewRunner(db, quietLogger())
	newer.Register("test.from_newer_version", rec.handle)
	runDue(t, newer, 1)
}

func TestStartNotifyWait(t *testing.T) {
	db, _ := storetest.Open(t)
	r := jobs.NewRunner(db, quietLogger())
	ran := make(chan int, 10)
	r.Register("test.bg", func(_ context.Context, p []byte) error {
		var v payload
		_ = json.Unmarshal(p, &v)
		ran <- v.N
		return nil
	})
	runCtx, cancel := context.WithCancel(ctx)
	// A long interval: only Notify can make the loop run the job promptly.
	r.Start(runCtx, time.Hour)
	enqueue(t, db, jobs.Job{Kind: "test.bg", Payload: payload{N: 42}})
	r.Notify()
	if got := <-ran; got != 42 {
		t.Fatalf("background job ran with %d", got)
	}
	cancel()
	r.Wait()
}

func TestConcurrentRunnersRunEachJobOnce(t *testing.T) {
	db, _ := storetest.Open(t)
	const total = 60
	rec := &recorder{}
	for i := 0; i < total; i++ {
		enqueue(t, db, jobs.Job{Kind: "test.many", Payload: payload{N: i}})
	}
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for w := 0; w < 4; w++ {
		r := jobs.NewRunner(db, quietLogger())
		r.Register("test.many", rec.handle)
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := r.RunDue(ctx); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	r := jobs.NewRunner(db, quietLogger())
	r.Register("test.many", rec.handle)
	if _, err := r.RunDue(ctx); err != nil {
		t.Fatal(err)
	}
	seen := map[int]int{}
	for _, n := range rec.got() {
		seen[n]++
	}
	for i := 0; i < total; i++ {
		if seen[i] != 1 {
			t.Fatalf("job %d ran %d times", i, seen[i])
		}
	}
}

func TestBackgroundWorkersRunJobsSideBySide(t *testing.T) {
	db, clk := storetest.Open(t)
	r := jobs.NewRunner(db, quietLogger())
	started := make(chan struct{}, 2)
	release := make(chan struct{})
	r.Register("slow", func(context.Context, []byte) error {
		started <- struct{}{}
		<-release
		return nil
	})
	enqueue(t, db, jobs.Job{Kind: "slow", Payload: 1, RunAt: clk.Now()})
	enqueue(t, db, jobs.Job{Kind: "slow", Payload: 2, RunAt: clk.Now()})
	runCtx, stop := context.WithCancel(ctx)
	r.Start(runCtx, time.Hour)
	for i := 0; i < 2; i++ {
		select {
		case <-started:
		case <-time.After(30 * time.Second):
			close(release)
			stop()
			r.Wait()
			t.Fatalf("only %d of 2 jobs started while the first was still running", i)
		}
	}
	close(release)
	stop()
	r.Wait()
	var left int
	if err := db.Read(ctx, func(tx *store.Tx) error { return tx.QueryRow(`SELECT COUNT(*) FROM jobs`).Scan(&left) }); err != nil {
		t.Fatal(err)
	}
	if left != 0 {
		t.Fatalf("%d jobs left after both finished", left)
	}
}
