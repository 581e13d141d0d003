package fraudcase_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/tillit/tillit/internal/account"
	"github.com/tillit/tillit/internal/browsertest"
	"github.com/tillit/tillit/internal/fraudcase"
	"github.com/tillit/tillit/internal/logscan"
)

// TestFraudCaseInBrowser: the consumer reports a purchase as not theirs in
// the app; a security analyst finds it in the queue and asks the merchant
// for more; the merchant answers through the e-mailed link; the analyst
// reads the answer and confirms the victim. Every page passes the
// accessibility check (which includes overflow) on a desktop and a phone.
func TestFraudCaseInBrowser(t *testing.T) {
	for _, vp := range []struct {
		name string
		size browsertest.Viewport
	}{{"desktop", browsertest.Desktop}, {"phone", browsertest.Phone}} {
		t.Run(vp.name, func(t *testing.T) {
			b := browsertest.New(t)
			b.SetViewport(vp.size)
			e := newEnv(t)
			id := e.order(anna, 60_000)
			e.capture(id, 60_000)
			ref := e.reference(id)
			analyst := e.staff(account.RoleSecurityAnalyst)
			expect := func(selector, want string) {
				t.Helper()
				if got := b.Text(selector); !strings.Contains(got, want) {
					t.Errorf("%s reads %q, want %q in it", selector, got, want)
				}
			}
			submit := func(text string, want int) {
				t.Helper()
				if status := b.Submit(text); status != want {
					t.Fatalf("%s: %d, want %d", text, status, want)
				}
			}

			// The consumer reports the purchase.
			b.Navigate(e.srv.URL + "/app/signin?lang=en")
			b.Fill("E-mail", annaEmail)
			submit("Send me a code", http.StatusOK)
			code := codePattern.FindStringSubmatch(e.mails(annaEmail)[0].Body)[1]
			logscan.Secret(logscan.OneTimeCode, code)
			b.Fill("One-time code", code)
			submit("Sign in", http.StatusOK)
			b.Navigate(e.srv.URL + "/app/orders/" + id)
			submit("I did not make this purchase", http.StatusOK)
			expect("h1", "Report a purchase you did not make")
			b.CheckAccessibility(t)
			b.Fill("What happened (optional)", "My wallet was stolen; I never shop there")
			submit("Report the purchase", http.StatusOK)
			expect("#fraud-claim", "Our security team is investigating")
			b.CheckAccessibility(t)

			// The analyst asks the merchant.
			b.SignInStaff(e.srv.URL, analyst.Email, password, e.authenticator(analyst.Email), e.clk.Now)
			submit("Fraud investigations", http.StatusOK)
			expect("#queue-items", ref)
			b.CheckAccessibility(t)
			submit(ref, http.StatusOK)
			expect("#case-status", "Waiting for an analyst")
			expect("#case-timeline", "My wallet was stolen")
			b.CheckAccessibility(t)
			submit("Send to the merchant", http.StatusUnprocessableEntity)
			expect(".error-summary", "")
			b.Fill("Question to the merchant", "Where was the parcel delivered, and who signed for it?")
			b.Fill("Reason for asking", "Delivery evidence")
			submit("Send to the merchant", http.StatusOK)
			expect("#case-status", "Waiting for the merchant")
			b.CheckAccessibility(t)

			// The merchant answers through the link.
			b.Navigate(e.srv.URL + e.replyLink())
			expect("#question", "Where was the parcel delivered")
			b.CheckAccessibility(t)
			b.Fill("Your answer", "To a parcel locker in Aalborg, opened with a code.")
			submit("Send answer", http.StatusOK)
			expect("#replies", "parcel locker in Aalborg")
			b.CheckAccessibility(t)

			// The analyst confirms the victim.
			b.Navigate(e.srv.URL + "/staff/fraud-cases/" + e.caseOf(id).ID)
			expect("#case-status", "Waiting for an analyst")
			expect("#case-timeline", "parcel locker in Aalborg")
			if !browsertest.Eval[bool](b, `(() => { const r = document.querySelector('input[name="outcome"][value="victim_confirmed"]'); r.click(); return r.checked; })()`) {
				t.Fatal("the victim choice is not checked after a click")
			}
			b.Fill("Reason for closing", "Delivered to a locker far from her address")
			submit("Close case", http.StatusOK)
			expect(".notice--success", "The case is closed and the claim cancelled.")
			b.CheckAccessibility(t)
			if c := e.caseOf(id); c.Status != fraudcase.StatusClosed || c.Outcome != fraudcase.VictimConfirmed {
				t.Errorf("case %+v", c)
			}

			// The printable case file.
			b.Navigate(e.srv.URL + "/staff/fraud-cases/" + e.caseOf(id).ID + "/export")
			expect("#case-order", ref)
			b.CheckAccessibility(t)
		})
	}
}
