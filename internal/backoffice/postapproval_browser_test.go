package backoffice_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/tillit/tillit/internal/account"
	"github.com/tillit/tillit/internal/browsertest"
	"github.com/tillit/tillit/internal/checkout"
	"github.com/tillit/tillit/internal/risk/postapproval"
)

// TestPostApprovalInBrowser: a security analyst signs in, opens the
// post-approval queue, the order at its top with its signals, decision
// records and linked orders, is told an action needs a reason, stops the
// order and finds the linked order in the queue in its place. Every page
// passes the accessibility check.
func TestPostApprovalInBrowser(t *testing.T) {
	for _, vp := range []struct {
		name string
		size browsertest.Viewport
	}{{"desktop", browsertest.Desktop}, {"phone", browsertest.Phone}} {
		t.Run(vp.name, func(t *testing.T) {
			b := browsertest.New(t)
			b.SetViewport(vp.size)
			e := newDecisionsEnv(t)
			linked := e.order("anna@example.dk", 30_000)
			id, _ := e.inReview("anna@example.dk", 60_000)
			o, err := e.app.Checkout.ReviewOrder(e.ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			lo, err := e.app.Checkout.ReviewOrder(e.ctx, linked)
			if err != nil {
				t.Fatal(err)
			}
			analyst := e.staff(account.RoleSecurityAnalyst, "Sam Security")
			expect := func(selector, want string) {
				t.Helper()
				if got := b.Text(selector); !strings.Contains(got, want) {
					t.Errorf("%s reads %q, want %q in it", selector, got, want)
				}
			}

			b.SignInStaff(e.srv.URL, analyst.Email, staffPassword, e.auth[analyst.ID], e.clk.Now)
			if status := b.Submit("Post-approval review"); status != http.StatusOK {
				t.Fatalf("queue: %d", status)
			}
			expect("h1", "Post-approval review")
			expect("#queue-items tbody tr:first-child", "screening_hit")
			b.CheckAccessibility(t)

			if status := b.Submit(o.Reference); status != http.StatusOK {
				t.Fatalf("order page: %d", status)
			}
			expect("#review-status", "Waiting for an analyst")
			expect("#review-signals", "Sanctions or PEP list match")
			expect("#records", "POST_APPROVAL_SCREENING_HIT")
			expect("#linked", lo.Reference)
			b.CheckAccessibility(t)

			if status := b.Submit("Record decision"); status != http.StatusUnprocessableEntity {
				t.Fatalf("no action or reason: %d", status)
			}
			expect(".error-summary", "Choose an action.")
			b.CheckAccessibility(t)

			if !browsertest.Eval[bool](b, `(() => { const r = document.querySelector('input[name="action"][value="stop"]'); r.click(); return r.checked; })()`) {
				t.Fatal("the stop choice is not checked after a click")
			}
			b.Fill("Reason", "Same identity as a known fraud ring")
			if status := b.Submit("Record decision"); status != http.StatusOK {
				t.Fatalf("stop: %d", status)
			}
			expect("h1", "Post-approval review")
			expect(".notice--success", "The order is stopped and the merchant notified.")
			expect("#queue-items tbody tr:first-child", lo.Reference)
			expect("#queue-items tbody tr:first-child", "linked_fraud")
			b.CheckAccessibility(t)
			if fs := e.fraudStatus(id); fs != checkout.FraudStopped {
				t.Errorf("fraud status %s, want STOPPED", fs)
			}
			if r := e.review(linked); r.Status != postapproval.StatusOpen {
				t.Errorf("linked review %s", r.Status)
			}
		})
	}
}
