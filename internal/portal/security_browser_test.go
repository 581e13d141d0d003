package portal_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/tillit/tillit/internal/account"
	"github.com/tillit/tillit/internal/browsertest"
	"github.com/tillit/tillit/internal/logscan"
	"github.com/tillit/tillit/internal/portal"
	"github.com/tillit/tillit/internal/totp"
)

// TestSecurityInBrowser walks a merchant user's account security in
// Chromium: signed in with the password alone, they turn two-step
// verification on from "My security" (after a wrong first code, with a
// code computed from the setup key the page shows) and see their recovery
// codes once; every later sign-in asks for the authenticator's code at
// /portal/signin/verify, where a wrong code is refused with a message and a
// recovery code works once. From a second browser they sign in again; the
// first lists that session, ends it, and the second browser's next request
// lands on the sign-in page. Turning two-step verification off needs a
// current code (neither nothing nor a recovery code will do), after which
// the password alone signs in again. The clock moves one TOTP step at a
// time, never sleeping. The security page in each state and the code page
// pass the accessibility check at desktop and phone widths.
func TestSecurityInBrowser(t *testing.T) {
	e := newEnv(t)
	u := e.user(account.MerchantAdmin, "Mona Merchant")
	b := browsertest.New(t)
	expect := func(b *browsertest.Browser, selector, want string) {
		t.Helper()
		if got := b.Text(selector); !strings.Contains(got, want) {
			t.Errorf("%s reads %q, want %q in it (at %s)", selector, got, want, b.URL())
		}
	}
	at := func(b *browsertest.Browser, path string) {
		t.Helper()
		if got := urlPath(t, b); got != path {
			t.Fatalf("the browser is at %s, want %s", b.URL(), path)
		}
	}
	securityPage := e.srv.URL + "/portal/security"

	// Signed out, the security page asks for the password and comes back.
	if status := b.Navigate(securityPage); status != http.StatusOK {
		t.Fatalf("security page signed out: %d", status)
	}
	at(b, "/portal/signin")
	if status := passwordStep(b, u.Email); status != http.StatusOK {
		t.Fatalf("password: %d", status)
	}
	at(b, "/portal/security")
	expect(b, "h1", "My security")
	expect(b, "#two-step-state", "Off")
	if n := b.Count("#session-list tbody tr"); n != 1 {
		t.Errorf("%d sessions listed, want this browser's alone", n)
	}
	expect(b, "#session-list tbody", "This browser")
	checkWidths(t, b)

	// Set up: the page shows the key and a link for the app.
	if status := b.Submit("Set up two-step verification"); status != http.StatusOK {
		t.Fatalf("set up: %d", status)
	}
	expect(b, "#two-step-state", "Waiting for the first code")
	a := &browsertest.Authenticator{Secret: strings.ReplaceAll(b.Text("#totp-secret"), " ", "")}
	logscan.Secret(logscan.AuthenticatorSecret, a.Secret)
	if link := b.Attribute("#totp-link", "href"); !strings.HasPrefix(link, "otpauth://totp/") || !strings.Contains(link, "secret="+a.Secret) {
		t.Errorf("the app link is %q, want an otpauth:// URI with the key", link)
	}
	checkWidths(t, b)

	// A wrong first code shows the same setup again, with the problem.
	b.Fill("First code from the app", wrongCode(t, a.Secret, e.clk.Now()))
	if status := b.Submit("Turn on"); status != http.StatusUnauthorized {
		t.Fatalf("wrong first code: %d, want 401", status)
	}
	expect(b, "#security-problem", "That code is not right or was already used.")
	expect(b, "#totp-secret", a.Secret)
	checkWidths(t, b)

	// The right one turns it on and shows the recovery codes once.
	b.Fill("First code from the app", a.Code(t, e.clk.Now()))
	if status := b.Submit("Turn on"); status != http.StatusOK {
		t.Fatalf("confirm: %d", status)
	}
	a.Recovery = recoveryCodesShown(t, b)
	if len(a.Recovery) != account.RecoveryCodeCount {
		t.Fatalf("%d recovery codes shown, want %d", len(a.Recovery), account.RecoveryCodeCount)
	}
	expect(b, "#two-step-state", "On")
	checkWidths(t, b)
	if status := b.Submit("I have stored them safely, continue"); status != http.StatusOK {
		t.Fatalf("continue: %d", status)
	}
	at(b, "/portal/security")
	if b.Count("#recovery-codes") != 0 || b.Count("#totp-secret") != 0 {
		t.Error("the recovery codes or the key are shown again")
	}
	expect(b, "#two-step", fmt.Sprintf("Unused recovery codes: %d", account.RecoveryCodeCount))
	checkWidths(t, b)

	// signOut signs b out with the navigation's button.
	signOut := func(b *browsertest.Browser) {
		t.Helper()
		if status := b.Navigate(e.srv.URL + "/portal/"); status != http.StatusOK {
			t.Fatalf("overview: %d", status)
		}
		if status := b.Submit("Sign out"); status != http.StatusOK {
			t.Fatalf("sign out: %d", status)
		}
		at(b, "/portal/signin")
		expect(b, ".notice--info", "You are signed out.")
	}
	// toCodePage signs b out and sends the password, which now leads to
	// the code page and no session.
	toCodePage := func(b *browsertest.Browser) {
		t.Helper()
		signOut(b)
		if status := passwordStep(b, u.Email); status != http.StatusOK {
			t.Fatalf("password: %d", status)
		}
		at(b, "/portal/signin/verify")
		expect(b, "h1", "Two-step verification")
		for _, c := range b.Cookies() {
			if c.Name == portal.SessionCookie {
				t.Errorf("a session cookie after the password alone")
			}
		}
	}
	// signedIn fails unless b signed in and went on to the overview.
	signedIn := func(b *browsertest.Browser, status int) {
		t.Helper()
		if status != http.StatusOK {
			t.Fatalf("code: %d at %s", status, b.URL())
		}
		at(b, "/portal/")
		expect(b, "h1", "Overview")
		expect(b, ".notice--success", "Welcome, Mona Merchant.")
	}

	// The password alone no longer signs in; a wrong code is refused.
	toCodePage(b)
	checkWidths(t, b)
	b.Fill("Code", wrongCode(t, a.Secret, e.clk.Now()))
	if status := b.Submit("Sign in"); status != http.StatusUnauthorized {
		t.Fatalf("wrong code: %d, want 401", status)
	}
	at(b, "/portal/signin/verify")
	expect(b, "#verify-problem", "That code is not right or was already used. Enter the newest code your app shows.")
	checkWidths(t, b)
	e.clk.Advance(totp.Period)
	b.Fill("Code", a.Code(t, e.clk.Now()))
	signedIn(b, b.Submit("Sign in"))

	// A recovery code signs in once, and says how many are left.
	toCodePage(b)
	recovery := a.Recovery[0]
	a.Recovery = a.Recovery[1:]
	b.Fill("Code", recovery)
	signedIn(b, b.Submit("Sign in"))
	expect(b, ".notice--warning", fmt.Sprintf("You signed in with a recovery code. You have %d left.", account.RecoveryCodeCount-1))
	toCodePage(b)
	b.Fill("Code", recovery)
	if status := b.Submit("Sign in"); status != http.StatusUnauthorized {
		t.Fatalf("a used recovery code: %d, want 401", status)
	}
	expect(b, "#verify-problem", "That code is not right or was already used.")
	e.clk.Advance(totp.Period)
	b.Fill("Code", a.Code(t, e.clk.Now()))
	signedIn(b, b.Submit("Sign in"))

	// A second browser signs in too; the first lists it and ends it.
	other := browsertest.New(t)
	if status := other.Navigate(e.srv.URL + "/portal/signin"); status != http.StatusOK {
		t.Fatalf("second browser: sign-in page %d", status)
	}
	if status := passwordStep(other, u.Email); status != http.StatusOK {
		t.Fatalf("second browser: password %d", status)
	}
	at(other, "/portal/signin/verify")
	e.clk.Advance(totp.Period)
	other.Fill("Code", a.Code(t, e.clk.Now()))
	signedIn(other, other.Submit("Sign in"))

	if status := b.Navigate(securityPage); status != http.StatusOK {
		t.Fatalf("security page: %d", status)
	}
	expect(b, "#two-step", fmt.Sprintf("Unused recovery codes: %d", account.RecoveryCodeCount-1))
	rows := sessionRows(t, b)
	var otherRow string
	marked := 0
	for id, text := range rows {
		if strings.Contains(text, "This browser") {
			marked++
		} else {
			otherRow = id
		}
		if !strings.Contains(text, "Chrome · Linux") || !strings.Contains(text, "127.0.0.0/24") {
			t.Errorf("session row %q does not name the browser and network", text)
		}
	}
	if len(rows) != 2 || marked != 1 || otherRow == "" {
		t.Fatalf("want two sessions, one marked \"This browser\": %q", rows)
	}
	checkWidths(t, b)
	if status := submitAt(t, b, "#"+otherRow+" button[type=submit]"); status != http.StatusOK {
		t.Fatalf("end the other session: %d", status)
	}
	at(b, "/portal/security")
	expect(b, ".notice--success", "That session has ended.")
	if rows := sessionRows(t, b); len(rows) != 1 {
		t.Errorf("after ending the other session, %d are listed: %q", len(rows), rows)
	}

	// The ended browser's next request lands on the sign-in page.
	if status := other.Navigate(e.srv.URL + "/portal/orders"); status != http.StatusOK {
		t.Fatalf("ended browser: %d", status)
	}
	at(other, "/portal/signin")
	expect(other, "h1", "Merchant sign-in")
	expect(other, ".notice--warning", "ended from another browser")

	// Turning it off needs a current code from the app.
	if status := b.Submit("Turn off two-step verification"); status != http.StatusUnprocessableEntity {
		t.Errorf("turn off without a code: %d, want 422", status)
	}
	expect(b, "#f-disable_code-error", "Fill in this field.")
	expect(b, "#two-step-state", "On")
	checkWidths(t, b)
	fillAt(t, b, "#f-disable_code", a.Recovery[0])
	if status := b.Submit("Turn off two-step verification"); status != http.StatusUnauthorized {
		t.Errorf("turn off with a recovery code: %d, want 401", status)
	}
	expect(b, "#security-problem", "That code is not right or was already used.")
	expect(b, "#two-step-state", "On")
	e.clk.Advance(totp.Period)
	fillAt(t, b, "#f-disable_code", a.Code(t, e.clk.Now()))
	if status := b.Submit("Turn off two-step verification"); status != http.StatusOK {
		t.Fatalf("turn off: %d", status)
	}
	at(b, "/portal/security")
	expect(b, ".notice--info", "Two-step verification is off.")
	expect(b, "#two-step-state", "Off")
	checkWidths(t, b)
	if st, err := e.app.Accounts.TwoStepStatus(e.ctx, account.KindMerchant, u.ID); err != nil || st.Enabled || st.Pending {
		t.Errorf("two-step after turning it off: %+v %v", st, err)
	}

	// The password alone signs in again.
	signOut(b)
	if status := passwordStep(b, u.Email); status != http.StatusOK {
		t.Fatalf("password: %d", status)
	}
	at(b, "/portal/")
	expect(b, ".notice--success", "Welcome, Mona Merchant.")

	for _, action := range []string{"merchant_user.two_step_enabled", "merchant_user.two_step_disabled"} {
		if n := len(e.auditEntries(u.ID, action)); n != 1 {
			t.Errorf("%d %s entries, want 1", n, action)
		}
	}
}

// passwordStep fills in the sign-in form b shows with the e-mail address
// and the test users' password, sends it and returns the status of the page
// it leads to.
func passwordStep(b *browsertest.Browser, email string) int {
	b.Fill("E-mail", email)
	b.Fill("Password", userPassword)
	return b.Submit("Sign in")
}

// wrongCode returns a six-digit code that the authenticator with the
// secret does not show in any step Tillit accepts at now.
func wrongCode(t *testing.T, secret string, now time.Time) string {
	t.Helper()
	var accepted []string
	for d := -totp.Skew; d <= totp.Skew; d++ {
		c, err := totp.Code(secret, now.Add(time.Duration(d)*totp.Period))
		if err != nil {
			t.Fatal(err)
		}
		accepted = append(accepted, c)
	}
	for n := 0; ; n++ {
		c := fmt.Sprintf("%06d", (123456+n*7919)%1_000_000)
		if !slices.Contains(accepted, c) {
			return c
		}
	}
}

// recoveryCodesShown returns the recovery codes the page shows, each
// registered with logscan.Secret.
func recoveryCodesShown(t *testing.T, b *browsertest.Browser) []string {
	t.Helper()
	codes := browsertest.Eval[[]string](b, `[...document.querySelectorAll("#recovery-codes code")].map(c => c.textContent.trim())`)
	for _, c := range codes {
		logscan.Secret(logscan.OneTimeCode, c)
	}
	return codes
}

// sessionRows returns the rows of the session list by their element id,
// with their visible text.
func sessionRows(t *testing.T, b *browsertest.Browser) map[string]string {
	t.Helper()
	return browsertest.Eval[map[string]string](b, `Object.fromEntries([...document.querySelectorAll("#session-list tbody tr")].map(r => [r.id, r.innerText.replace(/\s+/g, " ").trim()]))`)
}

// urlPath returns the path of the page b shows.
func urlPath(t *testing.T, b *browsertest.Browser) string {
	t.Helper()
	u, err := url.Parse(b.URL())
	if err != nil {
		t.Fatal(err)
	}
	return u.Path
}

// submitAt clicks the button a CSS selector picks (where its text alone
// does not tell it apart: every session's button reads "Sign out", as the
// navigation's does), waits for the page it leads to and returns its
// status.
func submitAt(t *testing.T, b *browsertest.Browser, selector string) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.Context(), browsertest.Timeout)
	defer cancel()
	res, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(selector), chromedp.NodeVisible))
	if err != nil || res == nil {
		t.Fatalf("submit with %s: %v", selector, err)
	}
	return int(res.Status)
}

// fillAt types value into the field a CSS selector picks (where its label
// does not tell it apart: both code fields of the security page read "Code
// from your authenticator app"), replacing what it held.
func fillAt(t *testing.T, b *browsertest.Browser, selector, value string) {
	t.Helper()
	browsertest.Eval[string](b, fmt.Sprintf("document.querySelector(%q).value = ''", selector))
	ctx, cancel := context.WithTimeout(b.Context(), browsertest.Timeout)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.SendKeys(chromedp.CSS(selector), value)); err != nil {
		t.Fatalf("fill %s: %v", selector, err)
	}
}

// checkWidths runs the accessibility check on the page at phone width
// and at desktop width, where it leaves the browser.
func checkWidths(t *testing.T, b *browsertest.Browser) {
	t.Helper()
	b.SetViewport(browsertest.Phone)
	b.CheckAccessibility(t)
	b.SetViewport(browsertest.Desktop)
	b.CheckAccessibility(t)
}
