package consumerapp_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/tillit/tillit/internal/browsertest"
)

// TestDecisionsInBrowser walks the decisions page in Chromium at desktop
// and phone widths: a buyer under 18 whose purchase the credit check
// refused opens it from the privacy page, reads the reason, sends an empty
// contest and is told what is missing, then contests with a statement and
// sees it under review; every page passes the accessibility check.
func TestDecisionsInBrowser(t *testing.T) {
	shots := screenshotDir(t)
	const young = "young@example.com"
	for _, vp := range []struct {
		name string
		size browsertest.Viewport
	}{{"desktop", browsertest.Desktop}, {"phone", browsertest.Phone}} {
		t.Run(vp.name, func(t *testing.T) {
			e := newEnv(t, true)
			e.srv.Close()
			e.srv = httptest.NewServer(e.app.Handler)
			e.refused(young, "2015-01-01", 10000)
			base := e.srv.URL
			b := browsertest.New(t)
			b.SetViewport(vp.size)
			expect := func(selector, want string) {
				t.Helper()
				if got := b.Text(selector); !strings.Contains(got, want) {
					t.Errorf("%s reads %q, want %q in it", selector, got, want)
				}
			}

			e.signInBrowser(b, young)
			b.Navigate(base + "/app/privacy")
			if status := b.Submit("See the automated decisions about you, contest one, and see who we have shared your data with"); status != http.StatusOK ||
				!strings.HasSuffix(b.URL(), "/app/decisions") {
				t.Fatalf("decisions page: status %d at %s", status, b.URL())
			}
			expect("h1", "Decisions and sharing")
			expect("article h3", "Credit check: Nordic Rain")
			expect(".outcome", "Declined")
			expect(".reasons", "You must be 18 or older to pay with Tillit.")
			expect("#no-disclosures", "We have not shared your personal data with anyone.")
			b.CheckAccessibility(t)

			browsertest.Eval[bool](b, `(() => { document.querySelector("article details").open = true; return true; })()`)
			if status := b.Submit("Ask for a review: Credit check, Nordic Rain"); status != http.StatusUnprocessableEntity {
				t.Errorf("empty contest: status %d", status)
			}
			expect(".error-summary", "Fill in this field.")
			b.CheckAccessibility(t)

			b.Fill("Why do you think the decision is wrong?", "I am buying for my parents, who pay.")
			if status := b.Submit("Ask for a review: Credit check, Nordic Rain"); status != http.StatusOK {
				t.Fatalf("contest: status %d", status)
			}
			expect(".notice--success", "A member of our staff will review the decision")
			expect(".contest-status", "Under review")
			expect(".statement", "I am buying for my parents, who pay.")
			if n := b.Count("article details"); n != 0 {
				t.Errorf("the decision under review still offers %d contest forms", n)
			}
			b.CheckAccessibility(t)
			screenshot(b, shots, "consumer-decisions-"+vp.name+".png")
		})
	}
}
