package backoffice_test

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tillit/tillit/internal/account"
	"github.com/tillit/tillit/internal/browsertest"
)

// TestContestReviewInBrowser walks a review in Chromium at desktop and
// phone widths: a risk analyst opens the queue of contested decisions from
// the home page, reads a contest with the person's statement, is told an
// outcome and an explanation are needed, upholds the decision and finds the
// queue shorter. Every page passes the accessibility check; with
// TILLIT_SCREENSHOT_DIR set, each is saved there as
// staff-contest-<page>-<desktop|phone>.png.
func TestContestReviewInBrowser(t *testing.T) {
	shots := os.Getenv("TILLIT_SCREENSHOT_DIR")
	for _, vp := range []struct {
		name string
		size browsertest.Viewport
	}{{"desktop", browsertest.Desktop}, {"phone", browsertest.Phone}} {
		t.Run(vp.name, func(t *testing.T) {
			e := newDecisionsEnv(t)
			_, credit, _ := e.contested("anna@example.dk")
			analyst := e.staff(account.RoleRiskAnalyst, "Rita Risk")
			b := browsertest.New(t)
			b.SetViewport(vp.size)
			check := func(page string) {
				t.Helper()
				b.CheckAccessibility(t)
				if shots != "" {
					b.Screenshot(filepath.Join(shots, "staff-contest-"+page+"-"+vp.name+".png"))
				}
			}
			expect := func(selector, want string) {
				t.Helper()
				if got := b.Text(selector); !strings.Contains(got, want) {
					t.Errorf("%s reads %q, want %q in it", selector, got, want)
				}
			}

			b.SignInStaff(e.srv.URL, analyst.Email, staffPassword, e.auth[analyst.ID], e.clk.Now)
			if status := b.Submit("Contested decisions"); status != http.StatusOK {
				t.Fatalf("queue: %d", status)
			}
			expect("#queue-count", "Waiting: 2")
			check("queue")
			if status := b.Navigate(e.srv.URL + "/staff/contests/" + credit.ID); status != http.StatusOK {
				t.Fatalf("contest: %d", status)
			}
			expect("#statement", "My income covers this purchase.")
			check("page")

			if status := b.Submit("Record the review"); status != http.StatusUnprocessableEntity {
				t.Errorf("empty review: %d", status)
			}
			expect(".error-summary", "Choose an outcome.")
			check("invalid")

			if !browsertest.Eval[bool](b, `(() => { const r = document.querySelector('input[name="outcome"][value="upheld"]'); r.click(); return r.checked; })()`) {
				t.Fatal("the uphold choice is not checked after a click")
			}
			b.Fill("Explanation to the person", "The amount is above the most we lend for one purchase.")
			if status := b.Submit("Record the review"); status != http.StatusOK || !strings.HasSuffix(b.URL(), "/staff/queues/contested_decisions") {
				t.Fatalf("review: %d at %s", status, b.URL())
			}
			expect(".notice--success", "The review is recorded and the person has been told.")
			expect("#queue-count", "Waiting: 1")
		})
	}
}
