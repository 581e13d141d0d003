package backoffice_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/tillit/tillit/internal/account"
	"github.com/tillit/tillit/internal/browsertest"
	"github.com/tillit/tillit/internal/stoprequest"
)

// TestStopRequestsInBrowser: a security analyst signs in, opens the stop
// request queue (the unanswered request first, then the shipped one), the
// shipped request with its answer and the fraud policy met, shows the
// tracking number, is told settling needs a reason, settles the lost
// parcel as a fraud loss and sees the return and fraud policy lines. Every
// page passes the accessibility check, which includes overflow at phone
// width.
func TestStopRequestsInBrowser(t *testing.T) {
	for _, vp := range []struct {
		name string
		size browsertest.Viewport
	}{{"desktop", browsertest.Desktop}, {"phone", browsertest.Phone}} {
		t.Run(vp.name, func(t *testing.T) {
			b := browsertest.New(t)
			b.SetViewport(vp.size)
			e := newDecisionsEnv(t)
			e.coveredShop()
			shipped := e.shippedWithGLS(e.stopped(50_000))
			open := e.stopped(20_000)
			analyst := e.staff(account.RoleSecurityAnalyst, "Sam Security")
			expect := func(selector, want string) {
				t.Helper()
				want = strings.ReplaceAll(want, "\u00a0", " ") // the page's text reads no-break spaces as spaces
				if got := b.Text(selector); !strings.Contains(got, want) {
					t.Errorf("%s reads %q, want %q in it", selector, got, want)
				}
			}

			b.SignInStaff(e.srv.URL, analyst.Email, staffPassword, e.auth[analyst.ID], e.clk.Now)
			if status := b.Submit("Stop requests"); status != http.StatusOK {
				t.Fatalf("queue: %d", status)
			}
			expect("h1", "Stop requests")
			expect("#queue-items tbody tr:first-child", open.Reference)
			expect("#queue-items tbody tr:first-child", "Waiting for the merchant")
			expect("#queue-items tbody tr:nth-child(2)", shipped.Reference)
			expect("#queue-items tbody tr:nth-child(2)", "Fjord Gear")
			expect("#queue-items tbody tr:nth-child(2)", "Waiting for the parcel to come back")
			b.CheckAccessibility(t)

			if status := b.Submit(shipped.Reference); status != http.StatusOK {
				t.Fatalf("request page: %d", status)
			}
			expect("h1", "Stop request for order "+shipped.Reference)
			expect("#stop-status", "Waiting for the parcel to come back")
			expect("#stop-answer-kind", "Already shipped")
			expect("#stop-carrier", "GLS")
			expect("#stop-policy-met", "The fraud policy is met")
			expect("#stop-timeline", "Merchant answered")
			b.CheckAccessibility(t)

			if status := b.Submit("Show the tracking number"); status != http.StatusOK {
				t.Fatalf("show tracking: %d", status)
			}
			expect("#stop-tracking-number", testTracking)

			if status := b.Submit("Settle as a fraud loss"); status != http.StatusUnprocessableEntity {
				t.Fatalf("settle without a reason: %d", status)
			}
			expect(".error-summary", "Fill in this field.")
			b.CheckAccessibility(t)

			b.Fill("Reason", "Carrier shows the parcel delivered; not back after 30 days")
			if status := b.Submit("Settle as a fraud loss"); status != http.StatusOK {
				t.Fatalf("settle: %d", status)
			}
			expect(".notice--success", "Settled as a fraud loss.")
			expect(".notice--success", "Fraud policy, "+dkk(40_000))
			expect("#stop-status", "Closed")
			expect("#stop-outcome", "Fraud loss paid back under the fraud policy")
			expect("#stop-writeoff-return", dkk(50_000))
			expect("#stop-writeoff-policy", dkk(40_000))
			expect("#stop-timeline", "Settled as a fraud loss")
			b.CheckAccessibility(t)
			if r := e.stopRequest(shipped.OrderID); r.Outcome != stoprequest.OutcomeWrittenOff {
				t.Errorf("outcome %q", r.Outcome)
			}
			e.wantLedgerBalanced()
		})
	}
}
