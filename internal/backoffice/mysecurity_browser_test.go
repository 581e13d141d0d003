package backoffice_test

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
	"github.com/tillit/tillit/internal/backoffice"
	"github.com/tillit/tillit/internal/browsertest"
	"github.com/tillit/tillit/internal/logscan"
	"github.com/tillit/tillit/internal/totp"
)

// TestMySecurityInBrowser walks staff account security in Chromium. A new
// member of staff signs in, setting up their authenticator on the code page
// as every member must; on "My security" they make new recovery codes
// (refused without a code and with a wrong one), after which an old
// recovery code no longer signs in; they sign in from a second browser,
// see that session in the list and end it, and that browser's next request
// lands on the sign-in page. An admin then opens, from the staff list, a
// member whom wrong passwords locked out and unlocks them (who can sign in
// again at once), and resets the first member's two-step verification with
// a reason (refused without one), after which that member's next sign-in
// sets up a new authenticator and the old one's codes are refused. The
// audit log page shows the unlock and the reset, with the admin as actor.
// The clock moves one TOTP step at a time, never sleeping. "My security",
// the member page, the code page and the audit log pass the accessibility
// check at desktop and phone widths.
func TestMySecurityInBrowser(t *testing.T) {
	e := newEnv(t)
	admin := e.staff(account.RoleAdmin, "Ada Admin")
	locked := e.staff(account.RoleSecurityAnalyst, "Lukas Locked")
	member := e.unenrolledStaff(account.RoleRiskAnalyst, "Mia Member")
	b := browsertest.New(t)
	expect := func(b *browsertest.Browser, selector, want string) {
		t.Helper()
		if got := b.Text(selector); !strings.Contains(got, want) {
			t.Errorf("%s reads %q, want %q in it (at %s)", selector, got, want, b.URL())
		}
	}
	at := func(b *browsertest.Browser, path string) {
		t.Helper()
		if got := browserPath(t, b); got != path {
			t.Fatalf("the browser is at %s, want %s", b.URL(), path)
		}
	}
	// signOut signs b out with the navigation's button.
	signOut := func(b *browsertest.Browser) {
		t.Helper()
		if status := b.Navigate(e.srv.URL + "/staff/"); status != http.StatusOK {
			t.Fatalf("home: %d", status)
		}
		if status := b.Submit("Sign out"); status != http.StatusOK {
			t.Fatalf("sign out: %d", status)
		}
		at(b, "/staff/signin")
	}
	// passwordStep sends email's password from the sign-in page.
	passwordStep := func(b *browsertest.Browser, email, password string) int {
		t.Helper()
		if status := b.Navigate(e.srv.URL + "/staff/signin"); status != http.StatusOK {
			t.Fatalf("sign-in page: %d", status)
		}
		b.Fill("E-mail", email)
		b.Fill("Password", password)
		return b.Submit("Sign in")
	}

	// The first sign-in sets up the authenticator.
	a := &browsertest.Authenticator{}
	e.auth[member.ID] = a
	b.SignInStaff(e.srv.URL, member.Email, staffPassword, a, e.clk.Now)
	if a.Secret == "" || len(a.Recovery) != account.RecoveryCodeCount {
		t.Fatalf("the first sign-in set up no authenticator: %d recovery codes", len(a.Recovery))
	}

	if status := b.Submit("My security"); status != http.StatusOK {
		t.Fatalf("my security: %d", status)
	}
	at(b, "/staff/my-security")
	expect(b, "h1", "My security")
	expect(b, "#two-step-state", "On")
	expect(b, "#two-step", "Staff accounts always use two-step verification; it cannot be turned off.")
	expect(b, "#two-step", fmt.Sprintf("Unused recovery codes: %d", account.RecoveryCodeCount))
	if n := b.Count(`form[action$="/two-step/disable"]`); n != 0 {
		t.Errorf("a member of staff is offered to turn two-step verification off (%d forms)", n)
	}
	if rows := sessionRows(t, b); len(rows) != 1 {
		t.Errorf("%d sessions listed, want this browser's alone: %q", len(rows), rows)
	}
	checkWidths(t, b)

	// New recovery codes need a current code.
	if status := b.Submit("Make new recovery codes"); status != http.StatusUnprocessableEntity {
		t.Errorf("new codes without a code: %d, want 422", status)
	}
	expect(b, "#f-regenerate_code-error", "Fill in this field.")
	checkWidths(t, b)
	b.Fill("Code from your authenticator app, for new recovery codes", wrongCode(t, a.Secret, e.clk.Now()))
	if status := b.Submit("Make new recovery codes"); status != http.StatusUnauthorized {
		t.Errorf("new codes with a wrong code: %d, want 401", status)
	}
	expect(b, "#security-problem", "That code is not right or was already used.")
	e.clk.Advance(totp.Period)
	b.Fill("Code from your authenticator app, for new recovery codes", a.Code(t, e.clk.Now()))
	if status := b.Submit("Make new recovery codes"); status != http.StatusOK {
		t.Fatalf("new codes: %d", status)
	}
	old := a.Recovery
	a.Recovery = recoveryCodesShown(t, b)
	if len(a.Recovery) != account.RecoveryCodeCount || slices.ContainsFunc(a.Recovery, func(c string) bool { return slices.Contains(old, c) }) {
		t.Fatalf("new recovery codes %d, want %d that are all new", len(a.Recovery), account.RecoveryCodeCount)
	}
	checkWidths(t, b)
	if status := b.Submit("I have stored them safely, continue"); status != http.StatusOK {
		t.Fatalf("continue: %d", status)
	}
	if b.Count("#recovery-codes") != 0 {
		t.Error("the recovery codes are shown again")
	}
	if n := len(e.auditEntries(member.ID, "staff.recovery_codes_regenerated")); n != 1 {
		t.Errorf("%d staff.recovery_codes_regenerated entries, want 1", n)
	}

	// A second browser: an old recovery code no longer signs in, the
	// authenticator does.
	other := browsertest.New(t)
	if status := passwordStep(other, member.Email, staffPassword); status != http.StatusOK {
		t.Fatalf("second browser: password %d", status)
	}
	at(other, "/staff/signin/verify")
	other.Fill("Code", old[0])
	if status := other.Submit("Sign in"); status != http.StatusUnauthorized {
		t.Fatalf("an old recovery code: %d, want 401", status)
	}
	expect(other, "#verify-problem", "That code is not right or was already used.")
	checkWidths(t, other)
	e.clk.Advance(totp.Period)
	other.StaffCode(a, e.clk.Now)

	// The first browser lists the second and ends its session.
	if status := b.Navigate(e.srv.URL + "/staff/my-security"); status != http.StatusOK {
		t.Fatalf("my security: %d", status)
	}
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
	at(b, "/staff/my-security")
	expect(b, ".notice--success", "That session has ended.")
	if rows := sessionRows(t, b); len(rows) != 1 {
		t.Errorf("after ending the other session, %d are listed: %q", len(rows), rows)
	}
	if entries := e.auditEntries(member.ID, backoffice.ActionSessionRevoked); len(entries) != 1 || !strings.Contains(string(entries[0].Details), strings.TrimPrefix(otherRow, "session-")) {
		t.Errorf("session revocation audit: %+v", entries)
	}
	if status := other.Navigate(e.srv.URL + "/staff/my-security"); status != http.StatusOK {
		t.Fatalf("ended browser: %d", status)
	}
	at(other, "/staff/signin")
	expect(other, ".notice--warning", "ended from another browser")

	// Wrong passwords lock Lukas out; even the right one is then refused.
	for range account.DefaultSignInMax {
		passwordStep(other, locked.Email, "Wrong-password-every-time-1")
	}
	if status := passwordStep(other, locked.Email, staffPassword); status != http.StatusTooManyRequests {
		t.Fatalf("locked member with the right password: %d, want 429", status)
	}
	expect(other, "#signin-problem", "too many attempts")

	// The admin unlocks him from his page.
	signOut(b)
	b.SignInStaff(e.srv.URL, admin.Email, staffPassword, e.auth[admin.ID], e.clk.Now)
	openMember := func(name string) {
		t.Helper()
		if status := b.Navigate(e.srv.URL + "/staff/staff"); status != http.StatusOK {
			t.Fatalf("staff list: %d", status)
		}
		if status := b.Submit(name); status != http.StatusOK {
			t.Fatalf("%s's page: %d", name, status)
		}
		expect(b, "h1", name)
	}
	openMember("Lukas Locked")
	at(b, "/staff/staff/"+locked.ID)
	expect(b, "#member-lock", "Locked")
	checkWidths(t, b)
	if status := b.Submit("Unlock"); status != http.StatusOK {
		t.Fatalf("unlock: %d", status)
	}
	at(b, "/staff/staff/"+locked.ID)
	expect(b, ".notice--success", "Lukas Locked can sign in again.")
	expect(b, "#member-lock", "Not locked")
	if n := b.Count(`form[action$="/unlock"]`); n != 0 {
		t.Errorf("an unlocked member is offered an unlock (%d forms)", n)
	}
	checkWidths(t, b)
	e.clk.Advance(totp.Period)
	other.SignInStaff(e.srv.URL, locked.Email, staffPassword, e.auth[locked.ID], e.clk.Now)
	signOut(other)

	// The admin resets Mia's two-step verification, with a reason.
	const reason = "Lost phone and recovery codes; checked in person at the office"
	openMember("Mia Member")
	expect(b, "#member-two-step", fmt.Sprintf("On · Unused recovery codes: %d", account.RecoveryCodeCount))
	if status := b.Submit("Reset two-step verification"); status != http.StatusUnprocessableEntity {
		t.Errorf("reset without a reason: %d, want 422", status)
	}
	expect(b, "#f-reason-error", "Fill in this field.")
	checkWidths(t, b)
	b.Fill("Reason", reason)
	if status := b.Submit("Reset two-step verification"); status != http.StatusOK {
		t.Fatalf("reset: %d", status)
	}
	at(b, "/staff/staff/"+member.ID)
	expect(b, ".notice--success", "Two-step verification of Mia Member was reset and they were signed out everywhere.")
	expect(b, "#member-two-step", "No authenticator yet")
	checkWidths(t, b)

	// Her next sign-in sets up a new authenticator; the old one's codes
	// are refused.
	if status := passwordStep(other, member.Email, staffPassword); status != http.StatusOK {
		t.Fatalf("password after the reset: %d", status)
	}
	at(other, "/staff/signin/verify")
	expect(other, "h1", "Set up two-step verification")
	if got := strings.TrimSpace(other.Text("#totp-secret")); got == a.Secret {
		t.Fatal("the code page sets up the old authenticator again")
	}
	checkWidths(t, other)
	e.clk.Advance(totp.Period)
	other.Fill("Code", a.Code(t, e.clk.Now()))
	if status := other.Submit("Sign in"); status != http.StatusUnauthorized {
		t.Fatalf("the old authenticator's code after the reset: %d, want 401", status)
	}
	renewed := &browsertest.Authenticator{}
	other.StaffCode(renewed, e.clk.Now)
	if renewed.Secret == "" || renewed.Secret == a.Secret {
		t.Error("no new authenticator after the reset")
	}
	e.auth[member.ID] = renewed

	// The audit log shows both, by the admin.
	if status := b.Submit("Audit log"); status != http.StatusOK {
		t.Fatalf("audit log: %d", status)
	}
	at(b, "/staff/audit")
	entries := browsertest.Eval[[][]string](b, `[...document.querySelectorAll("#audit-entries tbody tr")].map(r => [...r.cells].map(c => c.innerText.trim()))`)
	shown := func(action, subject, detail string) bool {
		return slices.ContainsFunc(entries, func(cells []string) bool {
			return len(cells) == 5 && cells[1] == "staff:"+admin.ID && cells[2] == action && cells[3] == subject && strings.Contains(cells[4], detail)
		})
	}
	if !shown("account.unlocked", locked.ID, "staff") {
		t.Errorf("the audit log does not show the admin unlocking %s: %q", locked.ID, entries)
	}
	if !shown(account.ActionTwoStepReset, member.ID, reason) {
		t.Errorf("the audit log does not show the admin resetting %s: %q", member.ID, entries)
	}
	checkWidths(t, b)
}

// unenrolledStaff creates a member of staff with the role, as the command
// line does, without an authenticator: their first sign-in sets it up.
func (e *env) unenrolledStaff(role account.Role, name string) account.Staff {
	e.t.Helper()
	st, err := e.app.Accounts.CreateStaff(e.ctx, "cli", account.NewStaff{
		Email: strings.ToLower(strings.ReplaceAll(name, " ", ".")) + "@tillit.example", Name: name, Role: role, Password: staffPassword,
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return st
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

// browserPath returns the path of the page b shows.
func browserPath(t *testing.T, b *browsertest.Browser) string {
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

// checkWidths runs the accessibility check on the page at phone width
// and at desktop width, where it leaves the browser.
func checkWidths(t *testing.T, b *browsertest.Browser) {
	t.Helper()
	b.SetViewport(browsertest.Phone)
	b.CheckAccessibility(t)
	b.SetViewport(browsertest.Desktop)
	b.CheckAccessibility(t)
}
