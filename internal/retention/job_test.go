package retention_test

import (
	"encoding/json"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/tillit/tillit/internal/audit"
	"github.com/tillit/tillit/internal/jobs"
	"github.com/tillit/tillit/internal/logscan"
	"github.com/tillit/tillit/internal/privacy"
	"github.com/tillit/tillit/internal/retention"
	"github.com/tillit/tillit/internal/store/storetest"
	"github.com/tillit/tillit/internal/vault"
)

func TestNextRun(t *testing.T) {
	tests := []struct{ now, want time.Time }{
		{at(2026, 3, 2, 9, 0), at(2026, 3, 3, 0, 30)},
		{at(2026, 3, 2, 0, 10), at(2026, 3, 2, 0, 30)},
		{at(2026, 3, 2, 0, 30), at(2026, 3, 3, 0, 30)},
		{at(2026, 12, 31, 23, 59), at(2027, 1, 1, 0, 30)},
		{at(2028, 2, 28, 12, 0), at(2028, 2, 29, 0, 30)},
	}
	for _, tt := range tests {
		if got := retention.NextRun(tt.now); !got.Equal(tt.want) {
			t.Errorf("NextRun(%s) = %s, want %s", tt.now, got, tt.want)
		}
	}
}

// TestDailyJob drives the durable job with the clock: the code that expires
// on 5 March at noon survives the run of 5 March 00:30 and goes in the run
// of 6 March; every run is in the log; a member of staff's "run now" runs
// at once and is audited.
func TestDailyJob(t *testing.T) {
	w := newWorld(t)
	runner := jobs.NewRunner(w.db, logscan.Logger())
	w.engine.Register(runner)
	if err := w.engine.Schedule(w.ctx); err != nil {
		t.Fatal(err)
	}
	w.session("s1", at(2026, 3, 2, 9, 0), false)
	w.exec(`INSERT INTO otp_challenges (session_id, code_hash, attempts, expires_at) VALUES ('s1', 'h', 0, $1)`, us(at(2026, 3, 5, 12, 0)))
	runDue := func(want int) {
		t.Helper()
		n, err := runner.RunDue(w.ctx)
		if err != nil || n != want {
			t.Fatalf("RunDue at %s ran %d jobs (%v), want %d", w.clk.Now(), n, err, want)
		}
	}
	runDue(0) // starting schedules, it runs nothing
	for _, day := range []int{3, 4, 5} {
		w.clk.Set(at(2026, 3, day, 0, 30))
		runDue(1)
	}
	if n := w.count(`SELECT COUNT(*) FROM otp_challenges`); n != 1 {
		t.Fatalf("the code went before it expired")
	}
	w.clk.Set(at(2026, 3, 6, 0, 29))
	runDue(0)
	w.clk.Set(at(2026, 3, 6, 0, 30))
	runDue(1)
	if n := w.count(`SELECT COUNT(*) FROM otp_challenges`); n != 0 {
		t.Fatalf("the code did not go on the day after it expired")
	}
	runs, err := w.engine.Runs(w.ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 4 || runs[0].Source != retention.SourceSchedule || runs[0].Items != 1 || runs[0].Changed != 1 || runs[1].Items != 0 {
		t.Fatalf("runs: %+v", runs)
	}
	if n, _ := due(runs[0].Report, retention.RuleCheckoutCodes); n != 1 || runs[0].Report.Changes[retention.RuleCheckoutCodes].Deleted["otp_challenges"] != 1 {
		t.Errorf("the logged report: %+v", runs[0].Report)
	}

	// Run now, for a member of staff.
	w.clk.Set(at(2026, 3, 6, 11, 0))
	if err := w.engine.RequestRun(w.ctx, "staff:st1"); err != nil {
		t.Fatal(err)
	}
	runDue(1)
	runs, _ = w.engine.Runs(w.ctx, 1)
	if runs[0].Source != retention.SourceStaff || !runs[0].StartedAt.Equal(at(2026, 3, 6, 11, 0)) {
		t.Errorf("the staff run: %+v", runs[0])
	}
	for _, action := range []string{retention.ActionRunRequested, retention.ActionRun} {
		var found bool
		for _, subject := range []string{"retention", runs[0].ID} {
			entries, err := audit.ForSubject(w.ctx, w.db, subject)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range entries {
				found = found || (e.Action == action && e.Actor == "staff:st1")
			}
		}
		if !found {
			t.Errorf("no audit entry %s by staff:st1", action)
		}
	}
	// The daily run is back at its time.
	w.clk.Set(at(2026, 3, 7, 0, 29))
	runDue(0)
	w.clk.Set(at(2026, 3, 7, 0, 30))
	runDue(1)
}

// TestRunsAreBounded: a run handles at most MaxPerRun items of a rule, in
// transactions of BatchSize; the dry run says more is waiting, and the job
// comes back FollowUp later for the rest.
func TestRunsAreBounded(t *testing.T) {
	db, clk := storetest.Open(t)
	w := worldOn(t, db, clk, vault.New(db, vault.MasterKeys{Current: vault.NewMasterKey()}), retention.Config{BatchSize: 2, MaxPerRun: 3})
	for i := range 7 {
		w.exec(`INSERT INTO outbox_messages (id, channel, recipient, subject, body, created_at) VALUES ($1, 'email', 'a@example.dk', 's', 'b', $2)`,
			"m"+string(rune('a'+i)), us(at(2026, 1, 1, 9, i)))
	}
	w.clk.Set(at(2026, 4, 1, 12, 0))
	plan := w.plan()
	for _, l := range plan.Lines {
		if l.Rule == retention.RuleOutboxMessages && (l.Count != 3 || !l.More || !l.Oldest.Equal(at(2026, 1, 1, 9, 0)) || !l.FirstEnd.Equal(at(2026, 4, 1, 9, 0))) {
			t.Errorf("dry run line: %+v", l)
		}
	}
	if plan.Items != 3 || !plan.More() {
		t.Errorf("dry run: %d items, more %v", plan.Items, plan.More())
	}
	if n := w.count(`SELECT COUNT(*) FROM outbox_messages`); n != 7 {
		t.Fatalf("the dry run deleted: %d left", n)
	}
	runner := jobs.NewRunner(w.db, logscan.Logger())
	w.engine.Register(runner)
	if err := w.engine.RequestRun(w.ctx, "staff:st1"); err != nil {
		t.Fatal(err)
	}
	if n, err := runner.RunDue(w.ctx); err != nil || n != 1 {
		t.Fatalf("RunDue: %d %v", n, err)
	}
	if n := w.count(`SELECT COUNT(*) FROM outbox_messages`); n != 4 {
		t.Fatalf("%d left after one bounded run, want 4", n)
	}
	w.clk.Set(at(2026, 4, 1, 12, 0).Add(retention.FollowUp))
	if n, err := runner.RunDue(w.ctx); err != nil || n != 1 {
		t.Fatalf("the follow-up did not run: %d %v", n, err)
	}
	if n := w.count(`SELECT COUNT(*) FROM outbox_messages`); n != 1 {
		t.Fatalf("%d left after the follow-up, want 1", n)
	}
	runs, err := w.engine.Runs(w.ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(runs[0].Report)
	if runs[0].Items != 3 || runs[0].Source != retention.SourceSchedule {
		t.Errorf("the follow-up run: %s", b)
	}
}

// TestLatestStartBoundsEveryDueStart checks the candidate bound of the
// queries against the registry's calendar arithmetic: every start whose
// period has ended by now lies at or before it, around month ends, leap
// days and year ends.
func TestLatestStartBoundsEveryDueStart(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	periods := []privacy.Period{{N: 0, Unit: privacy.Days}, {N: 90, Unit: privacy.Days}, {N: 1, Unit: privacy.Months},
		{N: 3, Unit: privacy.Months}, {N: 1, Unit: privacy.Years}, {N: 5, Unit: privacy.Years}, {N: 10, Unit: privacy.Years}}
	for range 20000 {
		p := periods[r.IntN(len(periods))]
		start := at(2024, 1, 1, 0, 0).Add(time.Duration(r.Int64N(int64(6 * 365 * 24 * time.Hour)))).Truncate(time.Microsecond)
		now := p.AddTo(start).Add(time.Duration(r.Int64N(int64(96*time.Hour))) - 48*time.Hour)
		if !p.AddTo(start).After(now) && start.After(retention.LatestStart(p, now)) {
			t.Fatalf("%v from %s ends by %s but starts after the bound %s", p, start, now, retention.LatestStart(p, now))
		}
	}
}
