package repayment_test

import (
	"slices"
	"testing"
	"time"

	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/plan"
	"github.com/tillit/tillit/internal/repayment"
	"github.com/tillit/tillit/internal/store"
)

// pause holds the order's plan paused for holder, failing the test on an
// error.
func (f *fixture) pause(t *testing.T, orderID, holder string, days int) {
	t.Helper()
	if err := f.db.Write(f.ctx, func(tx *store.Tx) error { return f.plans.Pause(tx, orderID, holder, days) }); err != nil {
		t.Fatalf("pause %s: %v", holder, err)
	}
}

// resume ends holder's hold on the order's plan, failing the test on an
// error.
func (f *fixture) resume(t *testing.T, orderID, holder string) {
	t.Helper()
	if err := f.db.Write(f.ctx, func(tx *store.Tx) error { return f.plans.Resume(tx, orderID, holder) }); err != nil {
		t.Fatalf("resume %s: %v", holder, err)
	}
}

// dues returns the due dates of the plan's instalments.
func dues(p repayment.Plan) []time.Time {
	var out []time.Time
	for _, in := range p.Installments {
		out = append(out, in.Due)
	}
	return out
}

// lateFees returns the late fees charged on the plan.
func lateFees(p repayment.Plan) int64 {
	var n int64
	for _, in := range p.Installments {
		n += in.LateFee
	}
	return n
}

// checkPaused fails the test unless the plan is paused until want (nil: not
// paused) and its instalments fall due on the given dates.
func (f *fixture) checkPaused(t *testing.T, when, orderID string, want *time.Time, due ...time.Time) {
	t.Helper()
	p := f.plan(t, orderID)
	if (want == nil) != (p.PausedUntil == nil) || (want != nil && !p.PausedUntil.Equal(*want)) {
		t.Errorf("%s: paused until %v, want %v", when, p.PausedUntil, want)
	}
	if !slices.EqualFunc(dues(p), due, time.Time.Equal) {
		t.Errorf("%s: due %v, want %v", when, dues(p), due)
	}
}

// TestOverlappingHoldsPauseOnce: a dispute and a return pause the same
// pay-in-3 plan while its first instalment is overdue. The later
// instalments move once, by the days the two pauses cover together; the
// refunded return's end leaves the plan paused until the dispute's hold
// ends, with no reminder and no late fee on the overdue instalment
// meanwhile; when the dispute ends too the plan resumes and the next
// overdue instalment is reminded and charged again.
func TestOverlappingHoldsPauseOnce(t *testing.T) {
	f := newFixture(t, repayment.DefaultConfig())
	id := f.order(t, repayment.CategoryPayIn3, 30000, 0, "")
	f.capture(t, id, 30000, 0)
	planned := dues(f.plan(t, id))
	d0 := planned[0]
	if len(planned) != 3 || d0.After(f.clk.Now()) {
		t.Fatalf("pay in 3 schedule %v at %v", planned, f.clk.Now())
	}
	hour := f.clk.Now().Sub(day(f.clk.Now()))
	at := func(days int) time.Time { return plan.AddDays(d0, days).Add(hour) }
	until := func(days int) *time.Time { u := plan.AddDays(d0, days); return &u }
	moved := func(days int) []time.Time {
		return []time.Time{d0, plan.AddDays(planned[1], days), plan.AddDays(planned[2], days)}
	}

	// The first instalment is three days overdue when the dispute pauses
	// the plan for 30 days: the others move 30 days, the overdue one stays.
	f.advanceTo(t, at(3))
	f.pause(t, id, "dispute:d1", 30)
	f.checkPaused(t, "dispute paused", id, until(33), moved(30)...)

	// Five days later a return pauses it for 30 days: its hold ends five
	// days after the dispute's, so the dates move five days more (35 in
	// all, the days both pauses cover together), not 30 more.
	f.advanceTo(t, at(8))
	f.pause(t, id, "return:r1", 30)
	f.checkPaused(t, "return paused", id, until(38), moved(35)...)

	// The return is refunded: the dispute still holds the plan until its
	// own end; the moved dates stay.
	f.advanceTo(t, at(12))
	f.resume(t, id, "return:r1")
	f.checkPaused(t, "return ended", id, until(33), moved(35)...)

	// The overdue reminders of the first instalment (days 7, 17 and 27)
	// fall inside the pause: none is sent and no fee is charged.
	f.advanceTo(t, at(30))
	if got := f.mails(t); count(got, subject("reminder_overdue")) != 0 {
		t.Errorf("overdue reminders while paused: %v", got)
	}
	if p := f.plan(t, id); lateFees(p) != 0 || p.PausedUntil == nil {
		t.Fatalf("while the dispute holds the plan: late fees %d, paused until %v", lateFees(p), p.PausedUntil)
	}

	// The dispute ends: the plan resumes with the dates where they are.
	f.resume(t, id, "dispute:d1")
	f.checkPaused(t, "dispute ended", id, nil, moved(35)...)
	var holds int
	if err := f.db.Read(f.ctx, func(tx *store.Tx) error {
		return tx.QueryRow(`SELECT COUNT(*) FROM plan_pauses WHERE order_id = $1`, id).Scan(&holds)
	}); err != nil || holds != 0 {
		t.Fatalf("holds left after both ended: %d %v", holds, err)
	}

	// Reminders and fees are back: the second instalment, overdue a week
	// after its moved date, is reminded and charged.
	second := moved(35)[1]
	f.advanceTo(t, plan.AddDays(second, 7).Add(hour))
	if got := f.mails(t); count(got, subject("reminder_overdue")) != 1 {
		t.Errorf("after the pause: overdue reminders %v", got)
	}
	if p := f.plan(t, id); p.Installments[1].LateFee != 10000 {
		t.Errorf("after the pause: %+v", p.Installments)
	}
}

// TestSameHolderExtendsItsOwnHold: pausing again for the same holder
// extends its hold from the hold's end; another holder's shorter hold
// changes nothing, and when the first holder resumes the other's hold
// alone keeps the plan paused.
func TestSameHolderExtendsItsOwnHold(t *testing.T) {
	f := newFixture(t, repayment.DefaultConfig())
	id := f.order(t, repayment.CategoryPayLater, 20000, 0, "")
	f.capture(t, id, 20000, 0)
	due := dues(f.plan(t, id))[0]
	start := f.clk.Now()
	at := func(days int) time.Time { return start.Add(time.Duration(days) * 24 * time.Hour) }
	until := func(days int) *time.Time { u := plan.AddDays(start, days); return &u }

	f.pause(t, id, "fraud_case:c1", 10)
	f.checkPaused(t, "first pause", id, until(10), plan.AddDays(due, 10))

	f.advanceTo(t, at(3))
	f.pause(t, id, "fraud_case:c1", 10)
	f.checkPaused(t, "extended", id, until(20), plan.AddDays(due, 20))

	f.advanceTo(t, at(4))
	f.pause(t, id, "return:r1", 5)
	f.checkPaused(t, "shorter hold", id, until(20), plan.AddDays(due, 20))

	f.resume(t, id, "fraud_case:c1")
	f.checkPaused(t, "first holder resumed", id, until(9), plan.AddDays(due, 20))

	// Resuming it again, or a holder that never paused, changes nothing.
	f.resume(t, id, "fraud_case:c1")
	f.resume(t, id, "dispute:never")
	f.checkPaused(t, "resumed without a hold", id, until(9), plan.AddDays(due, 20))

	f.resume(t, id, "return:r1")
	f.checkPaused(t, "all resumed", id, nil, plan.AddDays(due, 20))
}

// TestExpiredHoldIsIgnored: a hold whose end has passed keeps nothing
// paused, a holder pausing after its hold expired starts a new hold from
// today, and the due dates move only for the new pause.
func TestExpiredHoldIsIgnored(t *testing.T) {
	f := newFixture(t, repayment.DefaultConfig())
	id := f.order(t, repayment.CategoryPayLater, 20000, 0, "")
	f.capture(t, id, 20000, 0)
	due := dues(f.plan(t, id))[0]
	start := f.clk.Now()
	at := func(days int) time.Time { return start.Add(time.Duration(days) * 24 * time.Hour) }
	until := func(days int) *time.Time { u := plan.AddDays(start, days); return &u }

	f.pause(t, id, "return:r1", 5)
	f.pause(t, id, "dispute:d1", 3)
	f.checkPaused(t, "paused", id, until(5), plan.AddDays(due, 5))

	// Both holds have ended: the plan is not paused although nothing
	// resumed it.
	f.advanceTo(t, at(6))
	f.checkPaused(t, "holds expired", id, nil, plan.AddDays(due, 5))

	// The return's holder pauses again: a new hold of 10 days from today,
	// not an extension of the expired one; the dates move 10 days more.
	f.pause(t, id, "return:r1", 10)
	f.checkPaused(t, "paused again", id, until(16), plan.AddDays(due, 15))

	// The dispute's expired hold ends: the return's hold still holds.
	f.resume(t, id, "dispute:d1")
	f.checkPaused(t, "expired hold resumed", id, until(16), plan.AddDays(due, 15))

	// After the new hold expired too, the overdue reminder charges the fee.
	f.advanceTo(t, plan.AddDays(due, 15+7).Add(time.Hour))
	if p := f.plan(t, id); p.PausedUntil != nil || p.Installments[0].LateFee != 10000 {
		t.Errorf("after the pauses: paused until %v, %+v", p.PausedUntil, p.Installments)
	}
}

// TestPauseRefusals: a pause needs a holder and 1..MaxPauseDays days; an
// order without a plan has nothing to pause or resume. Refused calls
// change nothing.
func TestPauseRefusals(t *testing.T) {
	f := newFixture(t, repayment.DefaultConfig())
	id := f.order(t, repayment.CategoryPayLater, 20000, 0, "")
	f.capture(t, id, 20000, 0)
	due := dues(f.plan(t, id))[0]
	for _, c := range []struct {
		order, holder string
		days          int
		code          string
	}{
		{id, "", 10, apperr.BadValue},
		{id, "dispute:d1", 0, apperr.BadValue},
		{id, "dispute:d1", repayment.MaxPauseDays + 1, apperr.BadValue},
		{"no-such-order", "dispute:d1", 10, apperr.NoSuchOrder},
	} {
		err := f.db.Write(f.ctx, func(tx *store.Tx) error { return f.plans.Pause(tx, c.order, c.holder, c.days) })
		if apperr.Code(err) != c.code {
			t.Errorf("pause %q %q %d: %v, want %s", c.order, c.holder, c.days, err, c.code)
		}
	}
	err := f.db.Write(f.ctx, func(tx *store.Tx) error { return f.plans.Resume(tx, "no-such-order", "dispute:d1") })
	if apperr.Code(err) != apperr.NoSuchOrder {
		t.Errorf("resume without a plan: %v", err)
	}
	f.checkPaused(t, "after refusals", id, nil, due)
}
