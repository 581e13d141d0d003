package consumerapp_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/tillit/tillit/internal/browsertest"
	"github.com/tillit/tillit/internal/risk/postapproval"
)

// TestVerificationInBrowser: a consumer asked to confirm a purchase
// follows the notice on their home page, is told to choose when they send
// nothing, answers "No, I did not" with a note, and the request leaves the
// page. Every page passes the accessibility check.
func TestVerificationInBrowser(t *testing.T) {
	shots := screenshotDir(t)
	for _, vp := range []struct {
		name string
		size browsertest.Viewport
	}{{"desktop", browsertest.Desktop}, {"phone", browsertest.Phone}} {
		t.Run(vp.name, func(t *testing.T) {
			e := newEnv(t, true)
			e.srv.Close()
			e.srv = httptest.NewServer(e.app.Handler)
			orderID := e.order(anna, "pay_later", 45_000, 0)
			e.askToVerify(orderID)
			b := browsertest.New(t)
			b.SetViewport(vp.size)
			expect := func(selector, want string) {
				t.Helper()
				if got := b.Text(selector); !strings.Contains(got, want) {
					t.Errorf("%s reads %q, want %q in it", selector, got, want)
				}
			}

			e.signInBrowser(b, anna)
			expect("#verify-waiting", "A purchase is waiting for your confirmation.")
			if status := b.Submit("A purchase is waiting for your confirmation."); status != http.StatusOK || !strings.HasSuffix(b.URL(), "/app/verify") {
				t.Fatalf("verification page: %d at %s", status, b.URL())
			}
			expect("h1", "Confirm a purchase")
			expect(".verification h2", "Nordic Rain")
			b.CheckAccessibility(t)

			if status := b.Submit("Send answer"); status != http.StatusUnprocessableEntity {
				t.Errorf("no choice: %d", status)
			}
			expect(".error-summary", "Choose yes or no.")
			b.CheckAccessibility(t)

			if !browsertest.Eval[bool](b, `(() => { const r = document.querySelector('input[name="answer"][value="not_made"]'); r.click(); return r.checked; })()`) {
				t.Fatal("the no choice is not checked after a click")
			}
			b.Fill("Anything you want to add (optional)", "I have never shopped there")
			if status := b.Submit("Send answer"); status != http.StatusOK {
				t.Fatalf("answer: %d", status)
			}
			expect(".notice--success", "Your answer has been sent to our security team.")
			expect("#no-verifications", "No purchases are waiting for your confirmation.")
			b.CheckAccessibility(t)
			screenshot(b, shots, "consumer-verify-"+vp.name+".png")

			if r := e.answered(orderID); r.Answer != postapproval.AnswerNotMade || r.Note != "I have never shopped there" {
				t.Errorf("review after the answer = %+v", r)
			}
		})
	}
}
