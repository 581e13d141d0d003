package consumerapp_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/tillit/tillit/internal/browsertest"
	"github.com/tillit/tillit/internal/dispute"
)

// TestDisputesAndReturnsInBrowser walks buyer protection in Chromium at
// desktop and phone widths: from an order's page the consumer reports a
// problem for each reason (a form sent without a reason first), reads the
// dispute's page and adds information to it; on another order they
// register a return of one of two jackets, see it on the order's page and
// withdraw it. Every page passes the accessibility check.
func TestDisputesAndReturnsInBrowser(t *testing.T) {
	shots := screenshotDir(t)
	for _, vp := range []struct {
		name string
		size browsertest.Viewport
	}{{"desktop", browsertest.Desktop}, {"phone", browsertest.Phone}} {
		t.Run(vp.name, func(t *testing.T) {
			e := newProblemsEnv(t)
			b := browsertest.New(t)
			b.SetViewport(vp.size)
			expect := func(selector, want string) {
				t.Helper()
				if got := b.Text(selector); !strings.Contains(got, want) {
					t.Errorf("%s reads %q, want %q in it", selector, got, want)
				}
			}
			e.signInBrowser(b, anna)

			for i, reason := range dispute.Reasons {
				orderID := e.shippedOrder(anna, line("physical", "Rain jacket", 1, 60000))
				b.Navigate(e.srv.URL + "/app/orders/" + orderID)
				if status := b.Submit("Report a problem"); status != http.StatusOK {
					t.Fatalf("%s: problem page: %d", reason, status)
				}
				expect("h1", "Report a problem with order "+e.reference(orderID))
				if i == 0 {
					b.CheckAccessibility(t)
					screenshot(b, shots, "consumer-problem-"+vp.name+".png")
					if status := b.Submit("Send"); status != http.StatusUnprocessableEntity {
						t.Fatalf("no reason: %d", status)
					}
					expect("#f-reason-error", "Choose what went wrong.")
					b.CheckAccessibility(t)
				}
				browsertest.Eval[bool](b, `(() => { document.querySelector('input[name="reason"][value="`+string(reason)+`"]').click(); return true; })()`)
				b.Fill("What happened (optional)", "Reported in the browser.")
				if status := b.Submit("Send"); status != http.StatusOK || !strings.Contains(b.URL(), "/app/disputes/") {
					t.Fatalf("%s: open: %d at %s", reason, status, b.URL())
				}
				expect("h1", "Dispute on order "+e.reference(orderID))
				expect("#timeline-list", "Reported in the browser.")
				if reason == dispute.Unauthorised {
					expect("#dispute-status", "With our fraud team")
					expect("#next-step", "Our fraud team is investigating")
				} else {
					expect("#dispute-status", "Waiting for the merchant")
					expect("#paused-until", "20")
				}
				if i == 0 {
					b.CheckAccessibility(t)
					screenshot(b, shots, "consumer-dispute-"+vp.name+".png")
					b.Fill("What do you want to add?", "The parcel tracker says returned to sender.")
					if status := b.Submit("Add to the dispute"); status != http.StatusOK {
						t.Fatalf("add information: %d", status)
					}
					expect(".notice--success", "Your information is added")
					expect("#timeline-list", "returned to sender")
					b.CheckAccessibility(t)
				}
				if e.plan(orderID).PausedUntil == nil {
					t.Errorf("%s: the plan is not paused", reason)
				}
			}

			orderID := e.shippedOrder(anna, line("physical", "Rain jacket", 2, 20000), line("physical", "Cap", 1, 5000))
			b.Navigate(e.srv.URL + "/app/orders/" + orderID)
			if status := b.Submit("Register a return"); status != http.StatusOK {
				t.Fatalf("return form: %d", status)
			}
			b.CheckAccessibility(t)
			screenshot(b, shots, "consumer-return-form-"+vp.name+".png")
			b.Fill("Rain jacket (you bought 2)", "1")
			b.Fill("Carrier", "PostNord")
			b.Fill("Tracking number", "PN00112233DK")
			if status := b.Submit("Register the return"); status != http.StatusOK {
				t.Fatalf("register: %d", status)
			}
			expect("#return-status", "Return registered")
			expect("#return-lines", "1 × Rain jacket")
			expect("#tracking", "PN00112233DK")
			b.CheckAccessibility(t)
			screenshot(b, shots, "consumer-return-"+vp.name+".png")
			b.Submit("Back to order " + e.reference(orderID))
			expect("#return-list", "Return registered")
			expect("#moved-due", "your next payment is due on")
			b.CheckAccessibility(t)
			screenshot(b, shots, "consumer-order-problems-"+vp.name+".png")

			b.Navigate(e.srv.URL + "/app/orders/" + orderID)
			b.Submit(b.Text("#return-list tbody tr:first-child a"))
			if status := b.Submit("Withdraw the return"); status != http.StatusOK {
				t.Fatalf("withdraw: %d", status)
			}
			expect(".notice--success", "The return is withdrawn")
			expect("#return-list", "Withdrawn")
			if e.plan(orderID).PausedUntil != nil {
				t.Error("the plan is still paused after the withdrawal")
			}
		})
	}
}
