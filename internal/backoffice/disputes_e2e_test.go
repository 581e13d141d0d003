package backoffice_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tillit/tillit/internal/account"
	"github.com/tillit/tillit/internal/checkout"
	"github.com/tillit/tillit/internal/dispute"
	"github.com/tillit/tillit/internal/settlement"
	"github.com/tillit/tillit/internal/store"
)

// runDueJobs runs every job due now until none is left.
func (e *env) runDueJobs() {
	e.t.Helper()
	for range 100 {
		n, err := e.app.Runner.RunDue(e.ctx)
		if err != nil {
			e.t.Fatal(err)
		}
		if n == 0 {
			return
		}
	}
	e.t.Fatal("jobs keep coming")
}

// planOf returns an order's due dates, late fees and pause.
func (e *env) planOf(orderID string) ([]time.Time, int64, *time.Time) {
	e.t.Helper()
	p, err := e.app.Plans.Get(e.ctx, orderID)
	if err != nil {
		e.t.Fatal(err)
	}
	var (
		dues []time.Time
		fees int64
	)
	for _, in := range p.Installments {
		dues = append(dues, in.Due)
		fees += in.LateFee
	}
	return dues, fees, p.PausedUntil
}

// settledRefunds runs the current merchant's settlement of today and
// returns the sum of the refund lines of all its settlements so far (the
// daily settlement job may have run some).
func (e *env) settledRefunds() int64 {
	e.t.Helper()
	start, end := settlement.DayPeriod(e.clk.Now())
	if _, err := settlement.Run(e.ctx, e.app.DB, e.shop.ID, start, end); err != nil {
		e.t.Fatal(err)
	}
	var sum int64
	err := e.app.DB.Read(e.ctx, func(tx *store.Tx) error {
		return tx.QueryRow(`SELECT COALESCE(SUM(l.amount), 0) FROM settlement_lines l JOIN settlements s ON s.id = l.settlement_id
    WHERE s.merchant_id = $1 AND l.kind = $2`, e.shop.ID, settlement.KindRefund).Scan(&sum)
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return sum
}

// orderMoney returns an order's status, captured and refunded amounts.
func (e *env) orderMoney(orderID string) (string, int64, int64) {
	e.t.Helper()
	var (
		status             string
		captured, refunded int64
	)
	err := e.app.DB.Read(e.ctx, func(tx *store.Tx) error {
		return tx.QueryRow(`SELECT status, captured_amount, refunded_amount FROM orders WHERE id = $1`, orderID).Scan(&status, &captured, &refunded)
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return status, captured, refunded
}

// TestDisputesEndToEnd runs every dispute reason the merchant contests to
// both outcomes across the whole application: the consumer opens it
// through the dispute service, the merchant contests with evidence, and a
// dispute handler decides over HTTP in the back office. consumer_won
// refunds the order and the merchant's settlement carries the refund line
// (the chargeback); merchant_won resumes the plan with the moved due dates
// and no late fees for the paused time. An unauthorised purchase goes to
// the fraud investigation and cannot be decided here.
func TestDisputesEndToEnd(t *testing.T) {
	e := newDecisionsEnv(t)
	handler := e.staff(account.RoleDisputeHandler, "Dana Dispute")
	c := e.client()
	c.signIn(handler)
	const amount = 40_000
	for _, reason := range dispute.Reasons {
		if reason == dispute.Unauthorised {
			continue
		}
		for _, outcome := range []dispute.Outcome{dispute.ConsumerWon, dispute.MerchantWon} {
			t.Run(string(reason)+"/"+string(outcome), func(t *testing.T) {
				e.disputeShop("Shop " + string(reason) + " " + string(outcome))
				orderID := e.shippedOrder(amount)
				original, _, _ := e.planOf(orderID)
				d := e.openDispute(orderID, reason, "Statement for "+string(reason))
				d = e.contestDispute(d)
				if d.Status != dispute.AwaitingDecision {
					t.Fatalf("contested: %s", d.Status)
				}
				moved, _, paused := e.planOf(d.OrderID)
				if paused == nil || !moved[0].After(original[0]) {
					t.Fatalf("not paused: %v, dues %v then %v", paused, original, moved)
				}
				_, queue := c.get(disputeQueuePath)
				if !strings.Contains(queue, disputePath(d)) {
					t.Fatal("the queue does not list the contested dispute")
				}
				c.get(disputePath(d))
				res, _ := c.post(disputePath(d)+"/decide", decideForm(d, outcome, "Decided on the evidence"))
				wantRedirect(t, res, disputePath(d))
				got := e.disputeNow(d)
				if got.Status != dispute.Closed || got.Outcome != outcome || len(e.auditEntries(d.OrderID, dispute.ActionDecided)) != 1 {
					t.Fatalf("after the decision: %+v", got)
				}
				_, captured, refunded := e.orderMoney(d.OrderID)
				refunds := e.settledRefunds()
				dues, fees, paused := e.planOf(d.OrderID)
				if outcome == dispute.ConsumerWon {
					if refunded != captured || refunds != -amount {
						t.Errorf("consumer won: refunded %d of %d; settlement refund lines %d", refunded, captured, refunds)
					}
					return
				}
				if refunded != 0 || refunds != 0 || paused != nil || fees != 0 {
					t.Errorf("merchant won: refunded %d, settlement refund lines %d, paused until %v, fees %d", refunded, refunds, paused, fees)
				}
				for i := range dues {
					if !dues[i].Equal(moved[i]) || !dues[i].After(original[i]) {
						t.Errorf("instalment %d due %v (first %v, moved to %v)", i+1, dues[i], original[i], moved[i])
					}
				}
			})
		}
	}
	t.Run("unauthorised", func(t *testing.T) {
		d := e.disputedShipped(amount, dispute.Unauthorised, "I never bought this")
		if d.Status != dispute.Referred || d.FraudCaseID == "" {
			t.Fatalf("unauthorised: %s, fraud case %q", d.Status, d.FraudCaseID)
		}
		if _, queue := c.get(disputeQueuePath); strings.Contains(queue, disputePath(d)) {
			t.Error("the queue lists a referred dispute")
		}
		_, body := c.get(disputePath(d))
		if !strings.Contains(body, "/staff/fraud-cases/"+d.FraudCaseID) || strings.Contains(body, `id="decide-form"`) {
			t.Error("the referred dispute's page")
		}
		res, _ := c.post(disputePath(d)+"/decide", decideForm(d, dispute.ConsumerWon, "Refund"))
		wantRedirect(t, res, disputePath(d))
		if got := e.disputeNow(d); got.Status != dispute.Referred {
			t.Errorf("a referred dispute was decided: %+v", got)
		}
	})
}

// TestDisputeDeadlineRule moves the clock past the merchant's deadline
// without an answer: under buyer protection the rule decides for the
// consumer (refund, charged back in the settlement); a wrong invoice is
// not protected and waits in the queue, overdue, for a dispute handler,
// who decides it over HTTP.
func TestDisputeDeadlineRule(t *testing.T) {
	e := newDecisionsEnv(t)
	handler := e.staff(account.RoleDisputeHandler, "Dana Dispute")
	c := e.client()
	c.signIn(handler)
	var protected []dispute.Dispute
	for _, r := range []dispute.Reason{dispute.NotReceived, dispute.NotAsDescribed, dispute.ReturnedNotRefunded} {
		protected = append(protected, e.disputedShipped(25_000, r, "No answer from the shop"))
	}
	wrong := e.disputedShipped(25_000, dispute.WrongInvoice, "Charged twice")
	_, queue := c.get(disputeQueuePath)
	for _, d := range append(protected, wrong) {
		if !strings.Contains(queue, disputePath(d)) {
			t.Errorf("the queue does not list %s awaiting the merchant", d.Reason)
		}
	}
	for range e.app.Disputes.Config().For(dispute.NotReceived).RespondWithin/(24*time.Hour) + 1 {
		e.clk.Advance(24 * time.Hour)
		e.runDueJobs()
	}
	for _, d := range protected {
		got := e.disputeNow(d)
		if got.Status != dispute.Closed || got.Outcome != dispute.ConsumerWon || got.DecidedBy != "system" {
			t.Errorf("%s after the deadline: %s %s by %q", d.Reason, got.Status, got.Outcome, got.DecidedBy)
		}
		if st, captured, refunded := e.orderMoney(d.OrderID); refunded != captured || st == checkout.StatusCancelled {
			t.Errorf("%s: order %s, refunded %d of %d", d.Reason, st, refunded, captured)
		}
	}
	if refunds := e.settledRefunds(); refunds != -75_000 {
		t.Errorf("settlement refund lines after the deadline: %d", refunds)
	}
	w := e.disputeNow(wrong)
	if w.Status != dispute.AwaitingDecision {
		t.Fatalf("wrong invoice after the deadline: %s", w.Status)
	}
	c = e.client() // the session from before the deadline has expired
	c.signIn(handler)
	res, queue := c.get(disputeQueuePath)
	if res.StatusCode != http.StatusOK || !strings.Contains(queue, disputePath(w)) || strings.Contains(queue, disputePath(protected[0])) {
		t.Error("the queue after the deadline")
	}
	c.get(disputePath(w))
	res, _ = c.post(disputePath(w)+"/decide", decideForm(w, dispute.MerchantWon, "Invoice matches the order"))
	wantRedirect(t, res, disputePath(w))
	if got := e.disputeNow(w); got.Outcome != dispute.MerchantWon {
		t.Errorf("wrong invoice decided %s", got.Outcome)
	}
	if _, fees, paused := e.planOf(w.OrderID); fees != 0 || paused != nil {
		t.Errorf("wrong invoice plan: fees %d, paused until %v", fees, paused)
	}
}
