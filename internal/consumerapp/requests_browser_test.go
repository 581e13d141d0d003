package consumerapp_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/tillit/tillit/internal/browsertest"
)

// TestPrivacyRequestsInBrowser walks the consumer's privacy requests in
// Chromium at desktop and phone widths: from the privacy page to the list,
// a form sent without a choice, a correction filed, its page, and the
// answer with the document to download after Tillit carried an access
// request out. Every page passes the accessibility check.
func TestPrivacyRequestsInBrowser(t *testing.T) {
	shots := screenshotDir(t)
	for _, vp := range []struct {
		name string
		size browsertest.Viewport
	}{{"desktop", browsertest.Desktop}, {"phone", browsertest.Phone}} {
		t.Run(vp.name, func(t *testing.T) {
			e, svc := newRequestsEnv(t)
			b := browsertest.New(t)
			b.SetViewport(vp.size)
			expect := func(selector, want string) {
				t.Helper()
				if got := b.Text(selector); !strings.Contains(got, want) {
					t.Errorf("%s reads %q, want %q in it", selector, got, want)
				}
			}

			e.signInBrowser(b, anna)
			b.Submit("Privacy choices")
			if status := b.Submit("See or exercise your rights over your data"); status != http.StatusOK {
				t.Fatalf("requests page: %d", status)
			}
			expect("h1", "Your privacy requests")
			expect("#no-requests", "You have not made any requests yet.")
			b.CheckAccessibility(t)

			if status := b.Submit("Send request"); status != http.StatusUnprocessableEntity {
				t.Fatalf("no choice: %d", status)
			}
			expect("#f-kind-error", "Choose what you want us to do.")
			b.CheckAccessibility(t)

			chooseKind(b, "rectification")
			b.Fill("Tell us more (optional for some requests)", "My street is Sletten 1, not Sletten 11.")
			if status := b.Submit("Send request"); status != http.StatusOK {
				t.Fatalf("file: %d", status)
			}
			expect("h1", "Privacy request PR-")
			expect("#request-status", "Identity verified")
			expect("#description", "Sletten 1, not Sletten 11")
			b.CheckAccessibility(t)
			screenshot(b, shots, "consumer-request-"+vp.name+".png")

			b.Submit("All your privacy requests")
			chooseKind(b, "access")
			b.Submit("Send request")
			id := strings.TrimPrefix(b.URL(), e.srv.URL+"/app/privacy/requests/")
			r, err := svc.Get(e.ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			started, err := svc.Start(e.ctx, staffActor, id, r.Version)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := svc.CarryOut(e.ctx, staffActor, id, started.Version); err != nil {
				t.Fatal(err)
			}
			b.Navigate(e.srv.URL + "/app/privacy/requests/" + id)
			expect("#request-status", "Completed")
			expect("#outcome", "Done: Purchases: 1 order")
			expect("#document", "Download your data")
			b.CheckAccessibility(t)
			screenshot(b, shots, "consumer-request-answered-"+vp.name+".png")

			// The data to restrict shows once a restriction is chosen.
			b.Submit("All your privacy requests")
			if shown(b, "#f-scope_restriction") || shown(b, "#f-scope_objection") {
				t.Error("scope choices show before a kind is chosen")
			}
			chooseKind(b, "restriction")
			if !shown(b, "#f-scope_restriction") || shown(b, "#f-scope_objection") {
				t.Error("choosing a restriction does not show just the data to restrict")
			}
			b.CheckAccessibility(t)
			browsertest.Eval[bool](b, `(() => { document.querySelector('input[name="scope_restriction"][value="purchase"]').click(); return true; })()`)
			if status := b.Submit("Send request"); status != http.StatusOK {
				t.Fatalf("file a restriction: %d", status)
			}
			expect("#scope", "Purchases: restricted")
			b.CheckAccessibility(t)
			screenshot(b, shots, "consumer-request-restriction-"+vp.name+".png")

			b.Submit("All your privacy requests")
			if n := b.Count("#requests tbody tr"); n != 3 {
				t.Errorf("%d requests listed, want 3", n)
			}
			b.CheckAccessibility(t)
			screenshot(b, shots, "consumer-requests-"+vp.name+".png")
		})
	}
}

// shown reports whether the element the selector finds is displayed.
func shown(b *browsertest.Browser, selector string) bool {
	return browsertest.Eval[bool](b, `getComputedStyle(document.querySelector('`+selector+`')).display !== 'none'`)
}

// chooseKind ticks the radio button of a kind of request.
func chooseKind(b *browsertest.Browser, kind string) {
	browsertest.Eval[bool](b, `(() => { document.querySelector('input[name="kind"][value="`+kind+`"]').click(); return true; })()`)
}
