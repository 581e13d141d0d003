package portal_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tillit/tillit/internal/account"
	"github.com/tillit/tillit/internal/logscan"
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/totp"
)

var (
	secretRE   = regexp.MustCompile(`id="totp-secret">([A-Z2-7]+)<`)
	recoveryRE = regexp.MustCompile(`<code>([a-z2-7]{8}-[a-z2-7]{8})</code>`)
	sessionRE  = regexp.MustCompile(`id="session-([0-9a-f-]+)"`)
)

// freshCode moves the clock to the next 30-second step (so that no code is
// reused) and returns the authenticator's code for it.
func (e *env) freshCode(secret string) string {
	e.t.Helper()
	e.clk.Advance(totp.Period)
	code, err := totp.Code(secret, e.clk.Now())
	if err != nil {
		e.t.Fatal(err)
	}
	logscan.Secret(logscan.AuthenticatorSecret, secret)
	logscan.Secret(logscan.OneTimeCode, code)
	return code
}

// enrol turns two-step verification on for the signed-in user through the
// security page and returns the authenticator's secret and the recovery
// codes the page showed once.
func (c *client) enrol() (string, []string) {
	c.t.Helper()
	c.get("/portal/security")
	res, _ := c.post("/portal/security/two-step/start", nil)
	wantRedirect(c.t, res, "/portal/security#two-step")
	_, page := c.get("/portal/security")
	m := secretRE.FindStringSubmatch(page)
	if m == nil {
		c.t.Fatalf("no setup key on the security page:\n%s", page)
	}
	if !strings.Contains(page, "otpauth://totp/") {
		c.t.Fatal("no otpauth link on the security page")
	}
	res, page = c.post("/portal/security/two-step/confirm", url.Values{"confirm_code": {c.e.freshCode(m[1])}})
	if res.StatusCode != http.StatusOK {
		c.t.Fatalf("confirm: %d\n%s", res.StatusCode, page)
	}
	var codes []string
	for _, r := range recoveryRE.FindAllStringSubmatch(page, -1) {
		logscan.Secret(logscan.OneTimeCode, r[1])
		codes = append(codes, r[1])
	}
	if len(codes) != account.RecoveryCodeCount {
		c.t.Fatalf("%d recovery codes shown, want %d", len(codes), account.RecoveryCodeCount)
	}
	if _, again := c.get("/portal/security"); recoveryRE.MatchString(again) || secretRE.MatchString(again) {
		c.t.Fatal("the recovery codes or the key are shown again")
	}
	return m[1], codes
}

// passwordStep submits the password of a user with two-step verification
// and checks that it leads to the code page, not to a session.
func (c *client) passwordStep(u account.MerchantUser) {
	c.t.Helper()
	res, body := c.submitSignIn(u.Email, userPassword)
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/portal/signin/verify") {
		c.t.Fatalf("password step: %d to %q\n%s", res.StatusCode, res.Header.Get("Location"), body)
	}
	if res, _ := c.get("/portal/"); res.StatusCode != http.StatusSeeOther {
		c.t.Fatalf("the password alone opened the portal: %d", res.StatusCode)
	}
	if res, _ := c.get(res.Header.Get("Location")); res.StatusCode != http.StatusOK {
		c.t.Fatalf("code page: %d", res.StatusCode)
	}
}

// code submits a code on the code page.
func (c *client) code(code string) (*http.Response, string) {
	c.t.Helper()
	return c.post("/portal/signin/verify", url.Values{"code": {code}, "next": {"/portal/"}})
}

// TestTwoStepSignIn: a merchant user turns two-step verification on, after
// which the password alone gives no session; the authenticator's code
// (checked against the controlled clock), or a recovery code once, does.
func TestTwoStepSignIn(t *testing.T) {
	e := newEnv(t)
	u := e.user(account.MerchantViewer, "Vera Viewer")
	owner := e.client()
	owner.signIn(u)
	secret, recovery := owner.enrol()

	c := e.client()
	c.passwordStep(u)
	// A wrong code, and an empty one, are refused and start nothing.
	if res, body := c.code("000000"); res.StatusCode != http.StatusUnauthorized || !strings.Contains(body, `id="verify-problem"`) {
		t.Fatalf("wrong code: %d", res.StatusCode)
	}
	if res, _ := c.code(""); res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("empty code: %d", res.StatusCode)
	}
	// A code of a step long past is refused too.
	old, err := totp.Code(secret, e.clk.Now().Add(-10*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if res, _ := c.code(old); res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("old code: %d", res.StatusCode)
	}
	res, _ := c.code(e.freshCode(secret))
	wantRedirect(t, res, "/portal/")
	if res, _ := c.get("/portal/"); res.StatusCode != http.StatusOK {
		t.Fatalf("portal after the code: %d", res.StatusCode)
	}
	if got := len(e.auditEntries(u.ID, "merchant_user.second_factor_passed")); got != 1 {
		t.Errorf("%d second_factor_passed entries, want 1", got)
	}

	// A recovery code stands in for the app, once.
	r := e.client()
	r.passwordStep(u)
	res, _ = r.code(recovery[0])
	wantRedirect(t, res, "/portal/")
	if st, err := e.app.Accounts.TwoStepStatus(e.ctx, account.KindMerchant, u.ID); err != nil || st.RecoveryCodesLeft != account.RecoveryCodeCount-1 {
		t.Errorf("after a recovery code: %+v %v", st, err)
	}
	again := e.client()
	again.passwordStep(u)
	if res, _ := again.code(recovery[0]); res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("reused recovery code: %d", res.StatusCode)
	}

	// A pending sign-in ends after its lifetime.
	late := e.client()
	late.passwordStep(u)
	e.clk.Advance(account.PendingLifetime + time.Second)
	res, _ = late.code(e.freshCode(secret))
	wantRedirect(t, res, "/portal/signin")
}

// TestTwoStepLockout: too many wrong codes lock the account's second step;
// even the right code is then refused with the lockout message.
func TestTwoStepLockout(t *testing.T) {
	e := newEnv(t)
	u := e.user(account.MerchantAdmin, "Lars Lock")
	owner := e.client()
	owner.signIn(u)
	secret, _ := owner.enrol()
	c := e.client()
	c.passwordStep(u)
	for range account.DefaultSecondFactorMax {
		if res, _ := c.code("111111"); res.StatusCode != http.StatusUnauthorized {
			t.Fatalf("wrong code: %d", res.StatusCode)
		}
	}
	res, body := c.code(e.freshCode(secret))
	if res.StatusCode != http.StatusTooManyRequests || !strings.Contains(body, `id="verify-problem"`) {
		t.Fatalf("locked account with the right code: %d", res.StatusCode)
	}
	until, err := e.app.Accounts.LockedUntil(e.ctx, account.KindMerchant, u.ID)
	if err != nil || until.IsZero() {
		t.Fatalf("not locked: %v %v", until, err)
	}
}

// TestSecuritySettings: recovery codes are made anew and two-step
// verification turned off only with a current authenticator code; bad
// input is 4xx and changes nothing.
func TestSecuritySettings(t *testing.T) {
	e := newEnv(t)
	u := e.user(account.MerchantOwner, "Olga Owner")
	c := e.client()
	c.signIn(u)
	secret, recovery := c.enrol()

	for _, tc := range []struct {
		name   string
		path   string
		form   url.Values
		status int
	}{
		{"empty regenerate", "/portal/security/recovery-codes", url.Values{"regenerate_code": {""}}, http.StatusUnprocessableEntity},
		{"long regenerate", "/portal/security/recovery-codes", url.Values{"regenerate_code": {strings.Repeat("1", 65)}}, http.StatusUnprocessableEntity},
		{"wrong regenerate", "/portal/security/recovery-codes", url.Values{"regenerate_code": {"123456"}}, http.StatusUnauthorized},
		{"empty disable", "/portal/security/two-step/disable", url.Values{}, http.StatusUnprocessableEntity},
		{"recovery code disables nothing", "/portal/security/two-step/disable", url.Values{"disable_code": {recovery[0]}}, http.StatusUnauthorized},
		{"no CSRF token", "/portal/security/two-step/disable", url.Values{"csrf_token": {"forged"}, "disable_code": {"123456"}}, http.StatusForbidden},
	} {
		c.get("/portal/security")
		if res, _ := c.post(tc.path, tc.form); res.StatusCode != tc.status {
			t.Errorf("%s: %d, want %d", tc.name, res.StatusCode, tc.status)
		}
	}
	st, err := e.app.Accounts.TwoStepStatus(e.ctx, account.KindMerchant, u.ID)
	if err != nil || !st.Enabled || st.RecoveryCodesLeft != account.RecoveryCodeCount {
		t.Fatalf("after refused changes: %+v %v", st, err)
	}

	c.get("/portal/security")
	res, page := c.post("/portal/security/recovery-codes", url.Values{"regenerate_code": {e.freshCode(secret)}})
	fresh := recoveryRE.FindAllStringSubmatch(page, -1)
	if res.StatusCode != http.StatusOK || len(fresh) != account.RecoveryCodeCount || fresh[0][1] == recovery[0] {
		t.Fatalf("regenerate: %d, %d codes", res.StatusCode, len(fresh))
	}
	if got := len(e.auditEntries(u.ID, "merchant_user.recovery_codes_regenerated")); got != 1 {
		t.Errorf("%d regenerated entries, want 1", got)
	}

	c.get("/portal/security")
	res, _ = c.post("/portal/security/two-step/disable", url.Values{"disable_code": {e.freshCode(secret)}})
	wantRedirect(t, res, "/portal/security")
	if st, err := e.app.Accounts.TwoStepStatus(e.ctx, account.KindMerchant, u.ID); err != nil || st.Enabled {
		t.Fatalf("still on: %+v %v", st, err)
	}
	// The password alone signs in again.
	e.client().signIn(u)
}

// sessionIDs returns the ids of the sessions the security page lists.
func (c *client) sessionIDs() []string {
	c.t.Helper()
	_, page := c.get("/portal/security")
	var out []string
	for _, m := range sessionRE.FindAllStringSubmatch(page, -1) {
		out = append(out, m[1])
	}
	return out
}

// TestSessionRevoke: a user ends another of their sessions and it is
// signed out at its next request; "everywhere else" ends the rest but
// this one; another merchant's user, or another user of the same
// merchant, cannot end a session that is not theirs.
func TestSessionRevoke(t *testing.T) {
	e := newEnv(t)
	u := e.user(account.MerchantViewer, "Sam Sessions")
	a, b := e.client(), e.client()
	a.signIn(u)
	e.clk.Advance(time.Minute)
	b.signIn(u)
	ids := a.sessionIDs()
	if len(ids) != 2 {
		t.Fatalf("%d sessions listed, want 2", len(ids))
	}
	sessions, err := e.app.Accounts.ListSessions(e.ctx, account.KindMerchant, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	// The newest first: b's session.
	bSession := sessions[0].ID

	// Strangers get 404 and end nothing.
	other := e.client()
	other.signIn(e.userOf(e.merchant("Other Shop", ""), account.MerchantOwner, "Otto Other"))
	colleague := e.client()
	colleague.signIn(e.user(account.MerchantOwner, "Cora Colleague"))
	for _, s := range []*client{other, colleague} {
		s.get("/portal/security")
		if res, _ := s.post("/portal/security/sessions/"+bSession+"/revoke", nil); res.StatusCode != http.StatusNotFound {
			t.Errorf("someone else's session: %d, want 404", res.StatusCode)
		}
	}
	if res, _ := b.get("/portal/"); res.StatusCode != http.StatusOK {
		t.Fatalf("b after strangers tried: %d", res.StatusCode)
	}

	a.get("/portal/security")
	res, _ := a.post("/portal/security/sessions/"+bSession+"/revoke", nil)
	wantRedirect(t, res, "/portal/security#sessions")
	res, _ = b.get("/portal/orders")
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/portal/signin") {
		t.Fatalf("revoked session's next request: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	if res, _ := a.get("/portal/"); res.StatusCode != http.StatusOK {
		t.Fatalf("a after revoking b: %d", res.StatusCode)
	}

	// Everywhere else.
	c, d := e.client(), e.client()
	c.signIn(u)
	d.signIn(u)
	a.get("/portal/security")
	res, _ = a.post("/portal/security/sessions/revoke-others", nil)
	wantRedirect(t, res, "/portal/security#sessions")
	for _, s := range []*client{c, d} {
		if res, _ := s.get("/portal/"); res.StatusCode != http.StatusSeeOther {
			t.Errorf("other session after revoke-others: %d", res.StatusCode)
		}
	}
	if got := a.sessionIDs(); len(got) != 1 {
		t.Errorf("%d sessions left, want 1", len(got))
	}
	if got := len(e.auditEntries(u.ID, "merchant_user.other_sessions_revoked")); got != 1 {
		t.Errorf("%d other_sessions_revoked entries, want 1", got)
	}
}

// TestPurgeJobDropsExpiredPendingSignIns: the recurring purge job deletes
// pending sign-ins past their lifetime (and keeps live ones), and schedules
// its next run.
func TestPurgeJobDropsExpiredPendingSignIns(t *testing.T) {
	e := newEnv(t)
	u := e.user(account.MerchantOwner, "Pia Purge")
	owner := e.client()
	owner.signIn(u)
	owner.enrol()
	e.client().passwordStep(u)
	count := func(query string, args ...any) int {
		var n int
		e.write(func(tx *store.Tx) error { return tx.QueryRow(query, args...).Scan(&n) })
		return n
	}
	if n := count(`SELECT COUNT(*) FROM pending_sign_ins`); n != 1 {
		t.Fatalf("%d pending sign-ins, want 1", n)
	}
	e.clk.Advance(account.PurgeInterval)
	live := e.client()
	live.passwordStep(u)
	if _, err := e.app.Runner.RunDue(e.ctx); err != nil {
		t.Fatal(err)
	}
	if n := count(`SELECT COUNT(*) FROM pending_sign_ins`); n != 1 {
		t.Fatalf("%d pending sign-ins after the purge, want only the live one", n)
	}
	if n := count(`SELECT COUNT(*) FROM jobs WHERE kind = $1 AND run_at > $2`, account.JobPurge, store.Micros(e.clk.Now())); n != 1 {
		t.Fatalf("%d purge jobs scheduled ahead, want 1", n)
	}
	if res, _ := live.code("000000"); res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("the live pending sign-in went: %d", res.StatusCode)
	}
}
