package consumerapp_test

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/tillit/tillit/internal/browsertest"
	"github.com/tillit/tillit/internal/card"
)

// TestCardsAndFreezeInBrowser: in the whole app, a consumer turns on
// two-step verification with their authenticator, creates a one-time card,
// has its details shown after giving the app's code, and freezes their
// account from the home page; the card network's next authorization with
// that card is declined "frozen". Every page passes the accessibility
// check.
func TestCardsAndFreezeInBrowser(t *testing.T) {
	shots := screenshotDir(t)
	e := newEnv(t, true)
	e.srv.Close()
	e.srv = httptest.NewServer(e.app.Handler)
	b := browsertest.New(t)
	expect := func(selector, want string) {
		t.Helper()
		if got := b.Text(selector); !strings.Contains(got, want) {
			t.Errorf("%s reads %q, want %q in it", selector, got, want)
		}
	}
	e.signInBrowser(b, anna)

	if status := b.Submit("Security"); status != http.StatusOK || !strings.HasSuffix(b.URL(), "/app/security") {
		t.Fatalf("security page: %d at %s", status, b.URL())
	}
	expect("#two-step-status", "Off")
	b.CheckAccessibility(t)
	if status := b.Submit("Set up two-step verification"); status != http.StatusOK {
		t.Fatalf("set up: %d", status)
	}
	secret := b.Attribute(`input[name="secret"]`, "value")
	if key := strings.ReplaceAll(b.Text("#setup-key"), " ", ""); key != secret || secret == "" {
		t.Fatalf("setup key %q, secret %q", key, secret)
	}
	if href := b.Attribute("#otpauth-link", "href"); !strings.HasPrefix(href, "otpauth://totp/Tillit:") {
		t.Errorf("authenticator link %q", href)
	}
	b.CheckAccessibility(t)
	screenshot(b, shots, "consumer-two-step-setup.png")
	b.Fill("Code from your authenticator app", e.totpCode(secret))
	if status := b.Submit("Turn on two-step verification"); status != http.StatusOK {
		t.Fatalf("turn on: %d", status)
	}
	if n := b.Count("#recovery-codes li"); n != 10 {
		t.Errorf("%d recovery codes shown", n)
	}
	b.CheckAccessibility(t)
	b.Navigate(e.srv.URL + "/app/security")
	expect("#two-step-status", "On")
	b.CheckAccessibility(t)

	if status := b.Submit("Cards"); status != http.StatusOK || !strings.HasSuffix(b.URL(), "/app/cards") {
		t.Fatalf("cards page: %d at %s", status, b.URL())
	}
	b.CheckAccessibility(t)
	b.Fill("Spending limit", "450")
	browsertest.Eval[bool](b, `(() => { document.querySelector('#f-currency').value = 'DKK'; return true; })()`)
	if status := b.Submit("Create the card"); status != http.StatusOK {
		t.Fatalf("create: %d", status)
	}
	expect("#card-list", "Ready to use")
	if status := b.Submit("Show card details"); status != http.StatusOK || !strings.HasSuffix(b.URL(), "/reveal") {
		t.Fatalf("reveal page: %d at %s", status, b.URL())
	}
	b.CheckAccessibility(t)
	b.Fill("Code from your authenticator app", e.nextTOTP(secret))
	if status := b.Submit("Show the details"); status != http.StatusOK {
		t.Fatalf("show: %d", status)
	}
	expect(".notice--warning", "shown only this once")
	b.CheckAccessibility(t)
	expiry := strings.Split(b.Text("#card-expiry"), "/")
	month, _ := strconv.Atoi(expiry[0])
	year, _ := strconv.Atoi(expiry[len(expiry)-1])
	d := card.Details{Number: strings.ReplaceAll(b.Text("#card-number"), " ", ""), ExpiryMonth: month, ExpiryYear: year, CVV: b.Text("#card-cvv")}
	if len(d.Number) != 16 || len(d.CVV) != 3 {
		t.Fatalf("card details %+v", d)
	}

	b.Navigate(e.srv.URL + "/app/")
	if status := b.Submit("Freeze my account"); status != http.StatusOK {
		t.Fatalf("freeze: %d", status)
	}
	expect("#account-frozen", "Your account is frozen.")
	b.CheckAccessibility(t)
	screenshot(b, shots, "consumer-account-frozen.png")
	if status, reason := e.authorize(d, 30_000, "net-browser-1"); status != card.AuthDeclined || reason != card.DeclineFrozen {
		t.Errorf("authorization after the freeze: %s %s", status, reason)
	}
}
