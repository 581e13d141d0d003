package consumerapp_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/tillit/tillit/internal/browsertest"
)

// TestYourDataInBrowser opens the page of everything held about the
// consumer from the privacy page in Chromium at desktop and phone widths;
// it passes the accessibility check.
func TestYourDataInBrowser(t *testing.T) {
	shots := screenshotDir(t)
	for _, vp := range []struct {
		name string
		size browsertest.Viewport
	}{{"desktop", browsertest.Desktop}, {"phone", browsertest.Phone}} {
		t.Run(vp.name, func(t *testing.T) {
			e := newEnv(t, true)
			e.order(anna, "pay_in_parts", 30000, 0)
			b := browsertest.New(t)
			b.SetViewport(vp.size)
			e.signInBrowser(b, anna)
			b.Submit("Privacy choices")
			if status := b.Submit("See all the data we hold about you"); status != http.StatusOK || !strings.HasSuffix(b.URL(), "/app/privacy/data") {
				t.Fatalf("data page: status %d at %s", status, b.URL())
			}
			if got := b.Text("h1"); got != "Your data" {
				t.Errorf("h1 reads %q", got)
			}
			if got := b.Text("#category-address"); !strings.Contains(got, "Sletten 1") || !strings.Contains(got, "Nordic Rain") {
				t.Errorf("the address section reads %q", got)
			}
			if n := b.Count("section.card"); n < 8 {
				t.Errorf("%d categories shown", n)
			}
			b.CheckAccessibility(t)
			screenshot(b, shots, "consumer-data-"+vp.name+".png")
		})
	}
}
