package consumerapp_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tillit/tillit/internal/account"
	"github.com/tillit/tillit/internal/consumerapp"
	"github.com/tillit/tillit/internal/logscan"
	"github.com/tillit/tillit/internal/totp"
)

var (
	secretPattern   = regexp.MustCompile(`name="secret" value="([A-Z2-7]+)"`)
	recoveryPattern = regexp.MustCompile(`<code>([a-z2-7]{8}-[a-z2-7]{8})</code>`)
)

// totpCode is the authenticator's code for the secret at the test clock's
// time.
func (e *env) totpCode(secret string) string {
	e.t.Helper()
	code, err := totp.Code(secret, e.clk.Now())
	if err != nil {
		e.t.Fatal(err)
	}
	logscan.Secret(logscan.AuthenticatorSecret, secret)
	logscan.Secret(logscan.OneTimeCode, code)
	return code
}

// nextTOTP moves the clock to the authenticator's next step and returns
// its code, which Tillit has not seen yet.
func (e *env) nextTOTP(secret string) string {
	e.t.Helper()
	e.clk.Advance(totp.Period)
	return e.totpCode(secret)
}

// enableTwoStep turns two-step verification on from the security page of
// the signed-in client and returns the secret and the recovery codes.
func (c *client) enableTwoStep() (string, []string) {
	c.t.Helper()
	c.get("/app/security")
	pg := c.post("/app/security/two-step", nil)
	m := secretPattern.FindStringSubmatch(pg.body)
	if pg.status != http.StatusOK || m == nil || !pg.has("otpauth://totp/") {
		c.t.Fatalf("enrolment page: %d %s", pg.status, pg.body)
	}
	secret := m[1]
	pg = c.post("/app/security/two-step/confirm", url.Values{"secret": {secret}, "code": {c.e.totpCode(secret)}})
	var codes []string
	for _, m := range recoveryPattern.FindAllStringSubmatch(pg.body, -1) {
		logscan.Secret(logscan.OneTimeCode, m[1])
		codes = append(codes, m[1])
	}
	if pg.status != http.StatusOK || len(codes) != account.RecoveryCodeCount {
		c.t.Fatalf("after the first code: %d, %d recovery codes", pg.status, len(codes))
	}
	return secret, codes
}

// firstStep signs in up to the second step: e-mail address and e-mailed
// code; it fails unless the browser is asked for the authenticator.
func (c *client) firstStep(email string) page {
	c.t.Helper()
	c.get("/app/signin")
	c.post("/app/signin", url.Values{"email": {email}})
	pg := c.post("/app/signin/code", url.Values{"code": {c.e.lastCode(email)}})
	if pg.status != http.StatusOK || pg.path != "/app/signin/verify" || !pg.has("Two-step verification") {
		c.t.Fatalf("after the e-mailed code: %d at %s", pg.status, pg.path)
	}
	return pg
}

// TestTwoStepSignInWithAuthenticator: a consumer turns two-step
// verification on (a wrong first code shows the same setup again), and
// from then on signing in asks for the authenticator after the e-mailed
// code: no session before it, a wrong or replayed code is refused, and the
// next code of the app (the clock moved on) signs them in. Too many wrong
// codes lock the account and the page says for how long.
func TestTwoStepSignInWithAuthenticator(t *testing.T) {
	e := newEnv(t, true)
	c := e.client()
	c.signIn(anna)
	pg := c.get("/app/security")
	if pg.status != http.StatusOK || !pg.has("Set up two-step verification") {
		t.Fatalf("security page: %d", pg.status)
	}
	pg = c.post("/app/security/two-step", nil)
	secret := secretPattern.FindStringSubmatch(pg.body)[1]
	logscan.Secret(logscan.AuthenticatorSecret, secret)
	grouped := regexp.MustCompile(`<code id="setup-key" translate="no">([A-Z2-7 ]+)</code>`).FindStringSubmatch(pg.body)
	if grouped == nil || strings.ReplaceAll(grouped[1], " ", "") != secret || !strings.Contains(grouped[1], " ") {
		t.Errorf("setup key not shown grouped: %v", grouped)
	}
	if !strings.Contains(pg.body, `href="otpauth://totp/Tillit:`) {
		t.Error("no otpauth link on the setup page")
	}
	wrong := "000000"
	if wrong == e.totpCode(secret) {
		wrong = "111111"
	}
	pg = c.post("/app/security/two-step/confirm", url.Values{"secret": {secret}, "code": {wrong}})
	if pg.status != http.StatusUnprocessableEntity || !strings.Contains(pg.body, secret) {
		t.Fatalf("wrong first code: %d", pg.status)
	}
	if st, _ := e.app.Accounts.TwoStepStatus(e.ctx, account.KindConsumer, e.consumerOf(c).ID); st.Enabled {
		t.Fatal("a wrong first code turned two-step verification on")
	}
	if pg := c.post("/app/security/two-step/confirm", url.Values{"secret": {"not a secret"}, "code": {"123456"}}); pg.status != http.StatusBadRequest {
		t.Errorf("malformed secret: %d", pg.status)
	}
	c.get("/app/security")
	pg = c.post("/app/security/two-step/confirm", url.Values{"secret": {secret}, "code": {e.totpCode(secret)}})
	if pg.status != http.StatusOK || len(recoveryPattern.FindAllString(pg.body, -1)) != account.RecoveryCodeCount {
		t.Fatalf("confirm: %d", pg.status)
	}
	enrolCode := e.totpCode(secret)
	if pg := c.get("/app/security"); !pg.has("Recovery codes left: 10") {
		t.Error("security page does not show two-step verification on")
	}

	other := e.client()
	other.firstStep(anna)
	if other.cookie(consumerapp.SessionCookie) != "" {
		t.Fatal("a session started before the second step")
	}
	if pg := other.get("/app/"); pg.path != "/app/signin" {
		t.Fatalf("the app opened before the second step: %s", pg.path)
	}
	if pg := other.post("/app/signin/verify", url.Values{"code": {enrolCode}}); pg.status != http.StatusUnauthorized {
		t.Fatalf("replayed code: %d", pg.status)
	}
	pg = other.post("/app/signin/verify", url.Values{"code": {e.nextTOTP(secret)}})
	if pg.status != http.StatusOK || pg.path != "/app/" || !pg.has("Signed in as "+anna) {
		t.Fatalf("second step: %d at %s", pg.status, pg.path)
	}

	third := e.client()
	third.firstStep(anna)
	var locked page
	for i := 0; i < account.DefaultSecondFactorMax+1; i++ {
		locked = third.post("/app/signin/verify", url.Values{"code": {wrong}})
		if locked.status == http.StatusTooManyRequests {
			break
		}
		if locked.status != http.StatusUnauthorized {
			t.Fatalf("wrong code %d: %d", i, locked.status)
		}
	}
	if locked.status != http.StatusTooManyRequests || !locked.has("Please try again in 15 minutes") {
		t.Fatalf("lockout: %d %s", locked.status, locked.body)
	}
	if pg := third.post("/app/signin/verify", url.Values{"code": {e.nextTOTP(secret)}}); pg.status != http.StatusTooManyRequests {
		t.Errorf("the right code while locked: %d", pg.status)
	}
	e.clk.Advance(account.PendingLifetime + time.Minute)
	if pg := third.post("/app/signin/verify", url.Values{"code": {e.totpCode(secret)}}); pg.path != "/app/signin" || !pg.has("The sign-in took too long") {
		t.Errorf("after the pending sign-in expired: %d at %s", pg.status, pg.path)
	}
}

// consumerOf returns the consumer the client is signed in as.
func (e *env) consumerOf(c *client) account.Consumer {
	e.t.Helper()
	sess, err := e.app.Accounts.LookupSession(e.ctx, account.KindConsumer, c.cookie(consumerapp.SessionCookie))
	if err != nil {
		e.t.Fatal(err)
	}
	cons, err := e.app.Accounts.GetConsumer(e.ctx, sess.SubjectID)
	if err != nil {
		e.t.Fatal(err)
	}
	return cons
}

// TestRecoveryCodeSignIn: without their phone a consumer signs in with a
// recovery code, is told how many are left, and the same code does not
// work twice. New codes (with an authenticator code) replace the old ones,
// and turning two-step verification off needs an authenticator code.
func TestRecoveryCodeSignIn(t *testing.T) {
	e := newEnv(t, true)
	c := e.client()
	c.signIn(anna)
	secret, codes := c.enableTwoStep()

	other := e.client()
	other.firstStep(anna)
	pg := other.post("/app/signin/verify", url.Values{"code": {strings.ToUpper(codes[3])}})
	if pg.status != http.StatusOK || pg.path != "/app/" || !pg.has("You signed in with a recovery code. You have 9 left.") {
		t.Fatalf("recovery code: %d at %s", pg.status, pg.path)
	}
	again := e.client()
	again.firstStep(anna)
	if pg := again.post("/app/signin/verify", url.Values{"code": {codes[3]}}); pg.status != http.StatusUnauthorized {
		t.Fatalf("a spent recovery code: %d", pg.status)
	}

	c.get("/app/security")
	if pg := c.post("/app/security/recovery-codes", url.Values{"regenerate_code": {"12345"}}); pg.status != http.StatusUnprocessableEntity {
		t.Errorf("new codes with a wrong code: %d", pg.status)
	}
	pg = c.post("/app/security/recovery-codes", url.Values{"regenerate_code": {e.nextTOTP(secret)}})
	fresh := recoveryPattern.FindAllStringSubmatch(pg.body, -1)
	if pg.status != http.StatusOK || len(fresh) != account.RecoveryCodeCount {
		t.Fatalf("new recovery codes: %d", pg.status)
	}
	e.clk.Advance(time.Minute)
	late := e.client()
	late.firstStep(anna)
	if pg := late.post("/app/signin/verify", url.Values{"code": {codes[0]}}); pg.status != http.StatusUnauthorized {
		t.Errorf("an old recovery code after new ones: %d", pg.status)
	}
	if pg := late.post("/app/signin/verify", url.Values{"code": {fresh[0][1]}}); pg.status != http.StatusOK || pg.path != "/app/" {
		t.Errorf("a new recovery code: %d at %s", pg.status, pg.path)
	}

	c.get("/app/security")
	if pg := c.post("/app/security/two-step/disable", url.Values{"disable_code": {""}}); pg.status != http.StatusUnprocessableEntity {
		t.Errorf("disable without a code: %d", pg.status)
	}
	if pg := c.post("/app/security/two-step/disable", url.Values{"disable_code": {fresh[1][1]}}); pg.status != http.StatusUnprocessableEntity {
		t.Errorf("disable with a recovery code: %d", pg.status)
	}
	if st, _ := e.app.Accounts.TwoStepStatus(e.ctx, account.KindConsumer, e.consumerOf(c).ID); !st.Enabled {
		t.Fatal("two-step verification went off without an authenticator code")
	}
	pg = c.post("/app/security/two-step/disable", url.Values{"disable_code": {e.nextTOTP(secret)}})
	if pg.status != http.StatusOK || !pg.has("Two-step verification is off.") {
		t.Fatalf("disable: %d", pg.status)
	}
	// Signing in needs the e-mailed code only again (an hour on, so the
	// address may ask for codes again).
	e.clk.Advance(time.Hour)
	e.client().signIn(anna)
}

// TestSessionRevocation: from the security page a consumer sees their
// browsers, signs one out (its very next request lands on the sign-in
// page) and then every other one; another consumer's session cannot be
// signed out from there (404, nothing changes).
func TestSessionRevocation(t *testing.T) {
	e := newEnv(t, true)
	a := e.client()
	a.signIn(anna)
	b := e.client()
	b.signIn(anna)
	e.clk.Advance(20 * time.Minute)
	c := e.client()
	c.signIn(anna)
	bob1 := e.client()
	bob1.signIn(bob)

	pg := a.get("/app/security")
	n := 0
	for _, m := range regexp.MustCompile(`/app/security/sessions/([^/"]+)/revoke"`).FindAllStringSubmatch(pg.body, -1) {
		if m[1] != "others" {
			n++
		}
	}
	if n != 3 || !pg.has("This browser") {
		t.Fatalf("session list shows %d sessions", n)
	}
	idOf := func(cl *client) string {
		s, err := e.app.Accounts.LookupSession(e.ctx, account.KindConsumer, cl.cookie(consumerapp.SessionCookie))
		if err != nil {
			t.Fatal(err)
		}
		return s.ID
	}
	bID, bobID := idOf(b), idOf(bob1)
	if pg := a.post("/app/security/sessions/"+bobID+"/revoke", nil); pg.status != http.StatusNotFound {
		t.Errorf("revoking another consumer's session: %d", pg.status)
	}
	if pg := bob1.get("/app/"); pg.path != "/app/" {
		t.Fatalf("bob was signed out by anna: %s", pg.path)
	}
	a.get("/app/security")
	pg = a.post("/app/security/sessions/"+bID+"/revoke", nil)
	if pg.status != http.StatusOK || !pg.has("That browser is signed out.") {
		t.Fatalf("revoke: %d", pg.status)
	}
	if pg := b.get("/app/"); pg.path != "/app/signin" || !pg.has("You were signed out") {
		t.Fatalf("the revoked browser's next request: %s", pg.path)
	}
	if pg := c.get("/app/"); pg.path != "/app/" {
		t.Fatalf("another browser was signed out too: %s", pg.path)
	}
	a.get("/app/security")
	pg = a.post("/app/security/sessions/others/revoke", nil)
	if pg.status != http.StatusOK || !pg.has("Every other browser is signed out (1).") {
		t.Fatalf("sign out everywhere else: %d", pg.status)
	}
	if pg := c.get("/app/"); pg.path != "/app/signin" {
		t.Fatalf("after signing out everywhere else, the other browser is at %s", pg.path)
	}
	if pg := a.get("/app/"); pg.path != "/app/" {
		t.Fatalf("signing out everywhere else signed out this browser: %s", pg.path)
	}
	// Without a CSRF token nothing happens.
	if pg := a.post("/app/security/sessions/others/revoke", url.Values{"csrf_token": {"forged"}}); pg.status != http.StatusForbidden {
		t.Errorf("forged token: %d", pg.status)
	}
}

// TestSignInCodeLockout: after too many wrong e-mailed codes for an
// address the code page answers 429 and says how long to wait.
func TestSignInCodeLockout(t *testing.T) {
	e := newEnv(t, true)
	c := e.client()
	c.get("/app/signin")
	c.post("/app/signin", url.Values{"email": {anna}})
	wrong := "000000"
	if wrong == e.lastCode(anna) {
		wrong = "111111"
	}
	var pg page
	for range account.DefaultCodeCheckMax + 1 {
		if pg = c.post("/app/signin/code", url.Values{"code": {wrong}}); pg.status == http.StatusTooManyRequests {
			break
		}
	}
	if pg.status != http.StatusTooManyRequests || !pg.has("Please try again in at most 60 minutes.") {
		t.Fatalf("lockout: %d %s", pg.status, pg.body)
	}
}
