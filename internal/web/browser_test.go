package web_test

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tillit/tillit/internal/browsertest"
	"github.com/tillit/tillit/internal/web"
)

// screenshotDir is where the browser tests leave their screenshots:
// TILLIT_SCREENSHOT_DIR when set (to look at them), else a temporary folder.
func screenshotDir(t *testing.T) string {
	if d := os.Getenv("TILLIT_SCREENSHOT_DIR"); d != "" {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		return d
	}
	return t.TempDir()
}

// TestSampleInBrowser walks the sample app in Chromium at desktop and phone
// widths: a form with server-side errors, a successful submit with CSRF and a
// flash notice, the language switch, and a tampered CSRF token; and checks
// the accessibility of every page on the way.
func TestSampleInBrowser(t *testing.T) {
	srv := httptest.NewServer(newSample(t, web.Options{}))
	t.Cleanup(srv.Close)
	shots := screenshotDir(t)
	for _, vp := range []struct {
		name string
		size browsertest.Viewport
	}{{"desktop", browsertest.Desktop}, {"phone", browsertest.Phone}} {
		t.Run(vp.name, func(t *testing.T) {
			b := browsertest.New(t)
			b.SetViewport(vp.size)
			shot := func(name string) { b.Screenshot(filepath.Join(shots, vp.name+"-"+name+".png")) }

			if status := b.Navigate(srv.URL + "/signin"); status != http.StatusOK {
				t.Fatalf("sign-in page: status %d", status)
			}
			if got := b.Text("h1"); got != "Sign in" {
				t.Errorf("h1 %q", got)
			}
			b.CheckAccessibility(t)
			shot("signin")

			// Submitting a bad address and no code shows each error by its
			// field and in the summary, keeping what was typed.
			b.Fill("E-mail", "anna@")
			if status := b.Submit("Continue"); status != http.StatusUnprocessableEntity {
				t.Fatalf("invalid form: status %d", status)
			}
			if got := b.Text("#f-email-error"); got != "Error: Enter an e-mail address such as name@example.com." {
				t.Errorf("e-mail error %q", got)
			}
			if got := b.Text("#f-code-error"); got != "Error: Fill in this field." {
				t.Errorf("code error %q", got)
			}
			if got := b.Text(".error-summary h2"); got != "Please correct the following" {
				t.Errorf("summary %q", got)
			}
			if got := b.Value("E-mail"); got != "anna@" {
				t.Errorf("the form lost the input: %q", got)
			}
			if b.Attribute("#f-email", "aria-invalid") != "true" {
				t.Error("invalid field not marked aria-invalid")
			}
			b.CheckAccessibility(t)
			shot("signin-errors")

			// A valid submit redirects to the account page with a notice.
			b.Fill("E-mail", "anna@example.dk")
			b.Fill("One-time code", "123456")
			if status := b.Submit("Continue"); status != http.StatusOK {
				t.Fatalf("valid form: status %d", status)
			}
			if u := b.URL(); !strings.HasSuffix(u, "/account") {
				t.Fatalf("after sign-in at %s, want /account", u)
			}
			if got := b.Text(".notice--success"); got != "Done: Signed in as anna@example.dk" {
				t.Errorf("notice %q", got)
			}
			if got := b.Text("tbody tr:nth-child(3) td:nth-child(2)"); strings.ReplaceAll(got, "\u00a0", " ") != "DKK 1,234,567.89" {
				t.Errorf("amount %q", got)
			}
			b.CheckAccessibility(t)
			shot("account")

			// The language switch works without JavaScript and is remembered.
			if status := b.Submit("Dansk"); status != http.StatusOK {
				t.Fatalf("switch to Danish: status %d", status)
			}
			if got := b.Attribute("html", "lang"); got != "da" {
				t.Errorf("html lang %q", got)
			}
			if got := b.Text("h1"); got != "Din konto" {
				t.Errorf("Danish h1 %q", got)
			}
			if n := b.Count(".notice--success"); n != 0 {
				t.Error("the flash notice showed a second time")
			}
			var langCookie string
			for _, c := range b.Cookies() {
				if c.Name == "lang" {
					langCookie = c.Value
				}
			}
			if langCookie != "da" {
				t.Errorf("lang cookie %q, want da", langCookie)
			}
			b.CheckAccessibility(t)
			shot("account-da")
			b.Navigate(srv.URL + "/account")
			if got := b.Text("h1"); got != "Din konto" {
				t.Errorf("Danish not remembered: h1 %q", got)
			}

			// Signing out is a POST with the token.
			if status := b.Submit("Log ud"); status != http.StatusOK {
				t.Fatalf("sign out: status %d", status)
			}
			if got := b.Text(".notice--info"); got != "Information: Du er logget ud." {
				t.Errorf("sign-out notice %q", got)
			}

			// A form whose token was tampered with is refused with the 403
			// page, in the reader's language and accessible.
			browsertest.Eval[string](b, `document.querySelector("input[name=csrf_token]").value = "forged"`)
			b.Fill("E-mail", "anna@example.dk")
			b.Fill("Engangskode", "123456")
			if status := b.Submit("Fortsæt"); status != http.StatusForbidden {
				t.Fatalf("forged token: status %d, want 403", status)
			}
			if got := b.Text("h1"); got != "Ikke tilladt" {
				t.Errorf("403 page h1 %q", got)
			}
			b.CheckAccessibility(t)
			shot("forbidden-da")

			// The skip link is the keyboard's first stop, visible when
			// focused, and leads to the main content.
			b.Navigate(srv.URL + "/signin")
			b.Press("\t")
			if got := b.Focused(); got != "Gå til indholdet" {
				t.Errorf("first Tab stop is %q, want the skip link", got)
			}
			if top := browsertest.Eval[float64](b, `document.activeElement.getBoundingClientRect().top`); top < 0 {
				t.Errorf("the focused skip link is off screen (top %v)", top)
			}
			b.Press("\r")
			if got := browsertest.Eval[string](b, "document.activeElement.id"); got != "main" {
				t.Errorf("the skip link moved focus to %q, want main", got)
			}
		})
	}
}
