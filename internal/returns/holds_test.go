package returns_test

import (
	"testing"
	"time"

	"github.com/tillit/tillit/internal/account"
	"github.com/tillit/tillit/internal/dispute"
	"github.com/tillit/tillit/internal/plan"
	"github.com/tillit/tillit/internal/returns"
	"github.com/tillit/tillit/internal/store"
)

// TestRefundedReturnLeavesADisputesPause: the consumer disputes an overdue
// order and registers a return of part of it; the return's pause ends
// inside the dispute's, so the due date does not move again. The merchant
// refunds the return while the dispute is still open: the plan stays
// paused (the dispute holds it), so the overdue reminders fall inside the
// pause and no late fee is charged. When the merchant wins the dispute the
// plan resumes and the reminders charge again.
func TestRefundedReturnLeavesADisputesPause(t *testing.T) {
	e := newEnv(t)
	id := e.shipped(annaEmail)
	due := e.plan(id).Installments[0].Due

	// Three days overdue, before the first overdue reminder (a week after
	// the due date) the consumer disputes and the merchant contests: the
	// overdue instalment keeps its date, the plan is paused for the
	// dispute's 30 days.
	e.clk.Set(plan.AddDays(due, 3).Add(10 * time.Hour))
	e.runJobs()
	before := e.reminders(annaEmail)
	var d dispute.Dispute
	e.write(func(tx *store.Tx) (err error) {
		if d, err = e.app.Disputes.Open(tx, e.person(id), "consumer:test", id, dispute.NotAsDescribed, ""); err != nil {
			return err
		}
		d, err = e.app.Disputes.Contest(tx, e.shop.ID, d.ID, "api", d.Version, dispute.Contest{Description: "The jacket was as described."})
		return err
	})
	disputeEnd := plan.AddDays(e.clk.Now(), dispute.DefaultPauseDays)
	check := func(when string, until *time.Time) {
		t.Helper()
		p := e.plan(id)
		if (until == nil) != (p.PausedUntil == nil) || (until != nil && !p.PausedUntil.Equal(*until)) {
			t.Errorf("%s: paused until %v, want %v", when, p.PausedUntil, until)
		}
		if !p.Installments[0].Due.Equal(due) {
			t.Errorf("%s: due %v, want %v (unmoved)", when, p.Installments[0].Due, due)
		}
	}
	check("disputed", &disputeEnd)

	// A day later the return pauses it too, inside the dispute's pause.
	e.advanceDays(1)
	r := e.register(id)
	check("return registered", &disputeEnd)

	// The merchant refunds the returned jacket: the return is refunded and
	// its hold ends; the dispute's holds the plan on.
	e.advanceDays(1)
	e.refund(id, 20_000)
	if got := e.latest(id); got.ID != r.ID || got.Status != returns.Refunded {
		t.Fatalf("return after the refund: %+v", got)
	}
	check("return refunded", &disputeEnd)
	holders := e.count(`SELECT COUNT(*) FROM plan_pauses WHERE order_id = $1 AND holder = $2`, id, "dispute:"+d.ID)
	if n := e.count(`SELECT COUNT(*) FROM plan_pauses WHERE order_id = $1`, id); n != 1 || holders != 1 {
		t.Fatalf("holds after the refund: %d, the dispute's %d", n, holders)
	}

	// The overdue reminders of day 7 and 17 come while the dispute is
	// open: none is sent and nothing is charged.
	e.clk.Set(plan.AddDays(due, 18).Add(10 * time.Hour))
	e.runJobs()
	if n := e.reminders(annaEmail) - before; n != 0 {
		t.Errorf("reminders while the dispute holds the plan: %d (%v)", n, e.mails(annaEmail))
	}
	if p := e.plan(id); p.Installments[0].LateFee != 0 || p.PausedUntil == nil {
		t.Fatalf("while disputed: %+v, paused until %v", p.Installments, p.PausedUntil)
	}

	// The merchant wins: the plan resumes, and the last overdue reminder
	// (day 27) charges the late fee again.
	st, err := e.app.Accounts.CreateStaff(e.ctx, "cli", account.NewStaff{Email: "handler@tillit.example", Name: "Dana Handler",
		Role: account.RoleDisputeHandler, Password: password})
	if err != nil {
		t.Fatal(err)
	}
	e.write(func(tx *store.Tx) error {
		_, err := e.app.Disputes.Decide(tx, st, d.ID, d.Version, dispute.MerchantWon, "The jacket was as described.")
		return err
	})
	check("merchant won", nil)
	if n := e.count(`SELECT COUNT(*) FROM plan_pauses WHERE order_id = $1`, id); n != 0 {
		t.Errorf("holds after the dispute closed: %d", n)
	}
	e.clk.Set(plan.AddDays(due, 28).Add(10 * time.Hour))
	e.runJobs()
	if p := e.plan(id); p.Installments[0].LateFee == 0 || e.reminders(annaEmail)-before != 1 {
		t.Errorf("after the dispute: %+v, reminders %v", p.Installments, e.mails(annaEmail))
	}
}
