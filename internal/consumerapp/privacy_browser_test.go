package consumerapp_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/tillit/tillit/internal/browsertest"
	"github.com/tillit/tillit/internal/consent"
)

// TestPrivacyChoicesInBrowser walks the privacy choices in Chromium at
// desktop and phone widths: sign in, open the page from the navigation,
// give and withdraw consents and see the history grow, then unsubscribe
// from marketing with the link of a message in a fresh, signed-out browser
// and see the change in the app; every page passes the accessibility check.
func TestPrivacyChoicesInBrowser(t *testing.T) {
	shots := screenshotDir(t)
	for _, vp := range []struct {
		name string
		size browsertest.Viewport
	}{{"desktop", browsertest.Desktop}, {"phone", browsertest.Phone}} {
		t.Run(vp.name, func(t *testing.T) {
			e := newEnv(t, true)
			base := e.srv.URL
			b := browsertest.New(t)
			b.SetViewport(vp.size)
			expect := func(selector, want string) {
				t.Helper()
				if got := b.Text(selector); !strings.Contains(got, want) {
					t.Errorf("%s reads %q, want %q in it", selector, got, want)
				}
			}

			e.signInBrowser(b, anna)

			if status := b.Submit("Privacy choices"); status != http.StatusOK || !strings.HasSuffix(b.URL(), "/app/privacy") {
				t.Fatalf("privacy page: status %d at %s", status, b.URL())
			}
			expect("h1", "Your privacy choices")
			expect("#choice-direct_marketing", "No consent")
			expect("main", "You have not made any choices yet.")
			b.CheckAccessibility(t)

			b.Submit("Give consent: Marketing from Tillit")
			expect(".notice--success", "You have given your consent to: Marketing from Tillit.")
			expect("#choice-direct_marketing", "Consent given")
			b.Submit("Give consent: Call recording")
			b.Submit("Withdraw consent: Call recording")
			expect(".notice--success", "You have withdrawn your consent to: Call recording. This took effect at once.")
			expect("#choice-call_recording", "No consent")
			if n := b.Count("#consent-history tbody tr"); n != 3 {
				t.Errorf("%d changes in the history, want 3", n)
			}
			expect("#consent-history tbody tr:first-child", "Consent withdrawn")
			b.CheckAccessibility(t)
			screenshot(b, shots, "consumer-privacy-"+vp.name+".png")

			// The link of a marketing message, opened in a browser that is
			// not signed in.
			link, err := e.app.Consents.UnsubscribeURL(base, e.subject(anna), consent.DirectMarketing)
			if err != nil {
				t.Fatal(err)
			}
			other := browsertest.New(t)
			other.SetViewport(vp.size)
			if status := other.Navigate(link); status != http.StatusOK {
				t.Fatalf("unsubscribe link: status %d", status)
			}
			if got := other.Text("#unsubscribe-result"); !strings.Contains(got, "We have withdrawn your consent to: Marketing from Tillit.") {
				t.Errorf("unsubscribe page reads %q", got)
			}
			other.CheckAccessibility(t)
			screenshot(other, shots, "consumer-unsubscribe-"+vp.name+".png")
			if status := other.Navigate(base + consent.UnsubscribePath + "not-a-link"); status != http.StatusBadRequest {
				t.Errorf("a bad link: status %d", status)
			}
			if got := other.Text("h1"); got != "This unsubscribe link does not work" {
				t.Errorf("a bad link's page reads %q", got)
			}
			other.CheckAccessibility(t)

			// The app shows the withdrawal and how it was made.
			b.Navigate(base + "/app/privacy")
			expect("#choice-direct_marketing", "No consent")
			expect("#consent-history tbody tr:first-child", "Unsubscribe link")
		})
	}
}
