package consumerapp_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/tillit/tillit/internal/account"
	"github.com/tillit/tillit/internal/browsertest"
	"github.com/tillit/tillit/internal/repayment"
)

// TestComplaintInBrowser walks a complaint through all three tiers in
// Chromium at desktop and phone widths, on the whole of Tillit (consumer
// app and back office): the consumer files a complaint in the app (after
// a form sent without a category), customer service gives the final
// answer in the back office, the consumer asks for a review, the
// independent customer representative assesses it, and the consumer sees
// the assessment and the complaints board. Every page passes the
// accessibility check.
func TestComplaintInBrowser(t *testing.T) {
	shots := screenshotDir(t)
	for _, vp := range []struct {
		name string
		size browsertest.Viewport
	}{{"desktop", browsertest.Desktop}, {"phone", browsertest.Phone}} {
		t.Run(vp.name, func(t *testing.T) {
			e := newEnv(t, false)
			e.srv.Config.Handler = e.app.Handler
			e.order(anna, repayment.CategoryPayLater, 30_000, 0)
			cs := e.member(account.RoleCustomerService, "Carla Service")
			rep := e.member(account.RoleCustomerRepresentative, "Rita Representative")
			b := browsertest.New(t)
			b.SetViewport(vp.size)
			expect := func(selector, want string) {
				t.Helper()
				if got := b.Text(selector); !strings.Contains(got, want) {
					t.Errorf("%s reads %q, want %q in it", selector, got, want)
				}
			}
			click := func(selector string) {
				t.Helper()
				browsertest.Eval[bool](b, `(() => { document.querySelector('`+selector+`').click(); return true; })()`)
			}
			staffSignIn := func(st *staffMember) {
				t.Helper()
				b.SignInStaff(e.srv.URL, st.Email, staffPassword, st.auth, e.clk.Now)
			}

			// The consumer files the complaint.
			e.signInBrowser(b, anna)
			if status := b.Submit("Complaints"); status != http.StatusOK {
				t.Fatalf("complaints: %d", status)
			}
			expect("#no-complaints", "You have not made any complaints.")
			b.CheckAccessibility(t)
			b.Submit("Make a complaint")
			b.Fill("Your complaint", "I was charged a reminder fee although I paid on time.")
			if status := b.Submit("Send complaint"); status != http.StatusUnprocessableEntity {
				t.Fatalf("no category: %d", status)
			}
			expect("#f-category-error", "Choose what your complaint is about.")
			b.CheckAccessibility(t)
			browsertest.Eval[bool](b, `(() => { document.querySelector('#f-category').value = 'fees'; return true; })()`)
			b.Fill("Subject (optional)", "Reminder fee")
			if status := b.Submit("Send complaint"); status != http.StatusOK {
				t.Fatalf("file: %d", status)
			}
			expect("h1", "Complaint C-")
			expect("main", "We have received your complaint")
			expect("#complaint-status", "Being handled")
			b.CheckAccessibility(t)
			screenshot(b, shots, "consumer-complaint-filed-"+vp.name+".png")
			url := b.URL()
			reference := strings.TrimPrefix(b.Text("h1"), "Complaint ")

			// Customer service answers it.
			staffSignIn(cs)
			b.Submit("Complaints")
			expect("#tier1-queue", reference)
			b.CheckAccessibility(t)
			b.Submit(reference)
			expect("#complaint-text", "reminder fee although I paid on time")
			b.CheckAccessibility(t)
			click(`input[name="outcome"][value="rejected"]`)
			click(`input[name="causes"][value="pricing_fees"]`)
			b.Fill("Answer to the consumer", "Your payment reached us a day after the due date.")
			if status := b.Submit("Send final answer"); status != http.StatusOK {
				t.Fatalf("final answer: %d", status)
			}
			expect("#complaint-status", "Answered")
			b.CheckAccessibility(t)
			screenshot(b, shots, "staff-complaint-answered-"+vp.name+".png")
			b.Submit("Sign out")

			// The consumer asks for a review.
			b.Navigate(url)
			expect("#complaint-status", "Answered")
			expect("#complaint-bodies", "Det Finansielle Ankenævn")
			expect("#complaint-bodies", "FIN-NET")
			expect("#complaint-timeline", "a day after the due date")
			b.CheckAccessibility(t)
			b.Fill("Why you disagree (optional)", "My bank shows the payment on the due date.")
			if status := b.Submit("Ask for a review"); status != http.StatusOK {
				t.Fatalf("review: %d", status)
			}
			expect("#complaint-status", "With the customer representative")

			// The representative assesses it.
			staffSignIn(rep)
			b.Submit("Complaints")
			expect("#tier2-queue", reference)
			b.Submit(reference)
			expect("#complaint-timeline", "My bank shows the payment on the due date.")
			click(`input[name="outcome"][value="upheld"]`)
			click(`input[name="causes"][value="process"]`)
			b.Fill("Answer to the consumer", "The bank's record is right; we cancel the fee.")
			b.Fill("Remedy (optional)", "Reminder fee cancelled")
			if status := b.Submit("Send final assessment"); status != http.StatusOK {
				t.Fatalf("assessment: %d", status)
			}
			expect("#complaint-status", "Closed")
			b.CheckAccessibility(t)
			screenshot(b, shots, "staff-complaint-assessed-"+vp.name+".png")
			b.Submit("Sign out")

			// The consumer sees the assessment and where to go next.
			b.Navigate(url)
			expect("#complaint-status", "Closed")
			expect("#complaint-outcome", "Upheld")
			expect("#complaint-timeline", "we cancel the fee")
			expect("#complaint-bodies", "Det Finansielle Ankenævn")
			if n := b.Count("#review-form"); n != 0 {
				t.Error("the closed complaint still offers a review")
			}
			b.CheckAccessibility(t)
			screenshot(b, shots, "consumer-complaint-assessed-"+vp.name+".png")
		})
	}
}
