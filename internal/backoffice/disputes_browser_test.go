package backoffice_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/tillit/tillit/internal/account"
	"github.com/tillit/tillit/internal/browsertest"
	"github.com/tillit/tillit/internal/dispute"
)

// TestDisputeDecisionsInBrowser: a dispute handler signs in, opens the
// dispute queue from the home page, opens a contested dispute with the
// consumer's statement, the merchant's evidence and document, decides it
// for the consumer (the order is refunded) and sees the outcome; then
// opens the other contested dispute from the queue, decides it for the
// merchant and sees that outcome. A member of customer service signing in
// is refused the queue and the dispute page. Every page passes the
// accessibility check, which includes overflow at phone width.
func TestDisputeDecisionsInBrowser(t *testing.T) {
	for _, vp := range []struct {
		name string
		size browsertest.Viewport
	}{{"desktop", browsertest.Desktop}, {"phone", browsertest.Phone}} {
		t.Run(vp.name, func(t *testing.T) {
			b := browsertest.New(t)
			b.SetViewport(vp.size)
			e := newDecisionsEnv(t)
			forConsumer := e.contestDispute(e.disputedShipped(30_000, dispute.NotAsDescribed, "The seams leak after one day"),
				dispute.Upload{Name: "workshop-report.pdf", Content: testPDF})
			forMerchant := e.contestDispute(e.disputedShipped(20_000, dispute.NotReceived, "It never came"))
			handler := e.staff(account.RoleDisputeHandler, "Dana Dispute")
			expect := func(selector, want string) {
				t.Helper()
				want = strings.ReplaceAll(want, "\u00a0", " ") // the page's text reads no-break spaces as spaces
				if got := b.Text(selector); !strings.Contains(got, want) {
					t.Errorf("%s reads %q, want %q in it", selector, got, want)
				}
			}
			choose := func(outcome dispute.Outcome) {
				t.Helper()
				if !browsertest.Eval[bool](b, `(() => { const r = document.querySelector('input[name="outcome"][value="`+string(outcome)+`"]'); r.click(); return r.checked; })()`) {
					t.Fatalf("could not choose %s", outcome)
				}
			}

			b.SignInStaff(e.srv.URL, handler.Email, staffPassword, e.auth[handler.ID], e.clk.Now)
			if status := b.Submit("Disputes"); status != http.StatusOK {
				t.Fatalf("queue: %d", status)
			}
			expect("h1", "Disputes")
			expect("#queue-items", forConsumer.Reference)
			expect("#queue-items", forMerchant.Reference)
			expect("#queue-items", "Awaiting a decision")
			b.CheckAccessibility(t)

			// For the consumer: the order is refunded.
			if status := b.Submit(forConsumer.Reference); status != http.StatusOK {
				t.Fatalf("dispute page: %d", status)
			}
			expect("h1", "Dispute on order "+forConsumer.Reference)
			expect("#dispute-status", "Awaiting a decision")
			expect("#dispute-amount", dkk(30_000))
			expect("#dispute-statement", "The seams leak after one day")
			expect("#dispute-carrier", "PostNord")
			expect("#dispute-description", "Delivered on the 3rd")
			expect("#dispute-documents", "workshop-report.pdf")
			b.CheckAccessibility(t)
			choose(dispute.ConsumerWon)
			b.Fill("Reason", "The workshop report shows a manufacturing fault")
			if status := b.Submit("Decide"); status != http.StatusOK {
				t.Fatalf("decide for the consumer: %d", status)
			}
			expect(".notice--success", "Decided: the consumer won.")
			expect("#dispute-status", "Decided")
			expect("#dispute-outcome", "The consumer won")
			expect("#dispute-refunded", dkk(30_000))
			expect("#dispute-decision-reason", "The workshop report shows a manufacturing fault")
			expect("#dispute-timeline", "Staff")
			if n := b.Count("#decide-form"); n != 0 {
				t.Errorf("a decided dispute still shows the decision form")
			}
			b.CheckAccessibility(t)
			if got := e.disputeNow(forConsumer); got.Outcome != dispute.ConsumerWon || got.Resolution != dispute.Refund || got.Refunded != 30_000 {
				t.Errorf("after deciding for the consumer: %+v", got)
			}

			// For the merchant, from the queue, where the decided one is gone.
			if status := b.Submit("Back to the disputes"); status != http.StatusOK {
				t.Fatalf("back to the queue: %d", status)
			}
			if got := b.Text("#queue-items"); strings.Contains(got, forConsumer.Reference) || !strings.Contains(got, forMerchant.Reference) {
				t.Errorf("queue after the first decision reads %q", got)
			}
			if status := b.Submit(forMerchant.Reference); status != http.StatusOK {
				t.Fatalf("second dispute page: %d", status)
			}
			expect("#dispute-statement", "It never came")
			choose(dispute.MerchantWon)
			b.Fill("Reason", "The carrier confirms delivery with a signature")
			if status := b.Submit("Decide"); status != http.StatusOK {
				t.Fatalf("decide for the merchant: %d", status)
			}
			expect(".notice--success", "Decided: the merchant won.")
			expect("#dispute-status", "Decided")
			expect("#dispute-outcome", "The merchant won")
			b.CheckAccessibility(t)
			if got := e.disputeNow(forMerchant); got.Outcome != dispute.MerchantWon || got.Refunded != 0 {
				t.Errorf("after deciding for the merchant: %+v", got)
			}

			// Customer service may not work disputes.
			cs := e.staff(account.RoleCustomerService, "Cass Service")
			other := browsertest.New(t)
			other.SetViewport(vp.size)
			other.SignInStaff(e.srv.URL, cs.Email, staffPassword, e.auth[cs.ID], e.clk.Now)
			if status := other.Navigate(e.srv.URL + disputeQueuePath); status != http.StatusForbidden {
				t.Errorf("customer service opened the dispute queue: %d", status)
			}
			if status := other.Navigate(e.srv.URL + disputePath(forMerchant)); status != http.StatusForbidden {
				t.Errorf("customer service opened a dispute: %d", status)
			}
			if body := other.Text("body"); strings.Contains(body, "It never came") || strings.Contains(body, forMerchant.Reference) {
				t.Errorf("the refusal shows the dispute: %q", body)
			}
			other.CheckAccessibility(t)
			e.wantLedgerBalanced()
		})
	}
}
