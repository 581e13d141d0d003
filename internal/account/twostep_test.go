package account_test

import (
	"strings"
	"testing"
	"time"

	"github.com/tillit/tillit/internal/account"
	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/logscan"
	"github.com/tillit/tillit/internal/totp"
)

// authenticator is the test's copy of an account's authenticator app.
type authenticator struct {
	secret   string
	recovery []string
	lastStep int64
}

// code returns a code the service has not seen yet: the authenticator's at
// the earliest step of the skew window not yet used, or a recovery code
// once the window is used up.
func (a *authenticator) code(t *testing.T, now time.Time) string {
	t.Helper()
	step := max(a.lastStep+1, totp.Step(now)-totp.Skew)
	if step > totp.Step(now)+totp.Skew {
		if len(a.recovery) == 0 {
			t.Fatal("out of recovery codes")
		}
		c := a.recovery[0]
		a.recovery = a.recovery[1:]
		return c
	}
	a.lastStep = step
	c, err := totp.Code(a.secret, time.Unix(step*int64(totp.Period/time.Second), 0))
	if err != nil {
		t.Fatal(err)
	}
	logscan.Secret(logscan.AuthenticatorSecret, a.secret)
	logscan.Secret(logscan.OneTimeCode, c)
	return c
}

// startSession starts a session as the pages do: StartSession for an
// account without a second factor, else the two-step sign-in, setting up
// an authenticator for a member of staff the first time.
func startSession(t *testing.T, f fixture, kind account.Kind, subject, merchant, userAgent, ip string) (string, account.Session, error) {
	t.Helper()
	in, err := f.svc.BeginSignIn(ctx, kind, subject, merchant, userAgent, ip)
	if err != nil {
		return "", account.Session{}, err
	}
	if in.Session != nil {
		return in.Token, *in.Session, nil
	}
	a := f.auth[subject]
	if in.Pending.Stage == account.StageEnrol {
		e, err := f.svc.EnrolForSignIn(ctx, kind, in.Pending.Token)
		if err != nil {
			t.Fatal(err)
		}
		a = &authenticator{secret: e.Secret}
		f.auth[subject] = a
	}
	done, err := f.svc.CompleteSignIn(ctx, kind, in.Pending.Token, a.code(t, f.clk.Now()), userAgent, ip)
	if err != nil {
		return "", account.Session{}, err
	}
	if done.RecoveryCodes != nil {
		a.recovery = done.RecoveryCodes
	}
	return done.Token, *done.Session, nil
}

// enrol turns two-step verification on for an account through the
// settings methods and returns its authenticator.
func enrol(t *testing.T, f fixture, kind account.Kind, subject, merchant string) *authenticator {
	t.Helper()
	e, err := f.svc.StartEnrolment(ctx, kind, subject, merchant)
	if err != nil {
		t.Fatal(err)
	}
	a := &authenticator{secret: e.Secret}
	codes, err := f.svc.ConfirmEnrolment(ctx, kind, subject, a.code(t, f.clk.Now()))
	if err != nil {
		t.Fatal(err)
	}
	a.recovery = codes
	f.auth[subject] = a
	return a
}

func TestStaffNeedsAnAuthenticatorForASession(t *testing.T) {
	f := setup(t)
	st := createStaff(t, f, "ana@tillit.example", account.RoleAdmin)
	_, _, err := f.svc.StartSession(ctx, account.KindStaff, st.ID, "", "", "")
	wantCode(t, err, apperr.NotAllowed)

	in, err := f.svc.BeginSignIn(ctx, account.KindStaff, st.ID, "", "Firefox/140.0", "192.0.2.1")
	if err != nil || in.Session != nil || in.Pending == nil || in.Pending.Stage != account.StageEnrol {
		t.Fatalf("begin: %+v %v", in, err)
	}
	if n := count(t, f.db, `SELECT COUNT(*) FROM web_sessions`); n != 0 {
		t.Fatalf("%d sessions before the second factor", n)
	}
	if _, err := f.svc.LookupSession(ctx, account.KindStaff, in.Pending.Token); apperr.Code(err) != apperr.Unauthorized {
		t.Fatalf("a pending token works as a session: %v", err)
	}
	if n := count(t, f.db, `SELECT COUNT(*) FROM pending_sign_ins WHERE token_hash = $1`, in.Pending.Token); n != 0 {
		t.Fatal("the pending token is stored in clear")
	}
	_, err = f.svc.CompleteSignIn(ctx, account.KindStaff, in.Pending.Token, "123456", "", "")
	wantCode(t, err, apperr.NotAllowed) // no authenticator set up yet

	e, err := f.svc.EnrolForSignIn(ctx, account.KindStaff, in.Pending.Token)
	if err != nil || !strings.HasPrefix(e.URI, "otpauth://totp/Tillit:ana@tillit.example?") || !strings.Contains(e.URI, e.Secret) {
		t.Fatalf("enrol: %+v %v", e, err)
	}
	if n := count(t, f.db, `SELECT COUNT(*) FROM second_factors WHERE secret LIKE $1`, "%"+e.Secret+"%"); n != 0 {
		t.Fatal("the secret is stored in clear")
	}
	if n := count(t, f.db, `SELECT COUNT(*) FROM second_factors WHERE subject_id = $1 AND secret LIKE 'v1.%'`, st.ID); n != 1 {
		t.Fatal("the secret is not sealed")
	}
	_, err = f.svc.CompleteSignIn(ctx, account.KindStaff, in.Pending.Token, "000000", "", "")
	wantCode(t, err, apperr.InvalidOTP)
	code, _ := totp.Code(e.Secret, f.clk.Now())
	done, err := f.svc.CompleteSignIn(ctx, account.KindStaff, in.Pending.Token, code, "Firefox/140.0", "192.0.2.1")
	if err != nil || done.Session == nil || len(done.RecoveryCodes) != account.RecoveryCodeCount {
		t.Fatalf("complete: %+v %v", done, err)
	}
	if _, err := f.svc.LookupSession(ctx, account.KindStaff, done.Token); err != nil {
		t.Fatal(err)
	}
	// The pending sign-in is spent.
	_, err = f.svc.CompleteSignIn(ctx, account.KindStaff, in.Pending.Token, code, "", "")
	wantCode(t, err, apperr.Unauthorized)
	// Now enrolled, staff still cannot skip the code.
	_, _, err = f.svc.StartSession(ctx, account.KindStaff, st.ID, "", "", "")
	wantCode(t, err, apperr.NotAllowed)
	err = f.svc.DisableTwoStep(ctx, account.KindStaff, st.ID, code)
	wantCode(t, err, apperr.NotAllowed)
	status, err := f.svc.TwoStepStatus(ctx, account.KindStaff, st.ID)
	if err != nil || !status.Enabled || !status.Required || status.RecoveryCodesLeft != account.RecoveryCodeCount {
		t.Errorf("status %+v %v", status, err)
	}

	// A pending sign-in lapses.
	in, err = f.svc.BeginSignIn(ctx, account.KindStaff, st.ID, "", "", "")
	if err != nil || in.Pending.Stage != account.StageCode {
		t.Fatalf("begin again: %+v %v", in, err)
	}
	f.clk.Advance(account.PendingLifetime)
	_, err = f.svc.CompleteSignIn(ctx, account.KindStaff, in.Pending.Token, "123456", "", "")
	wantCode(t, err, apperr.Unauthorized)

	var actions []string
	for _, en := range auditActions(t, f.db, st.ID) {
		actions = append(actions, en.Action)
		for _, secret := range append([]string{e.Secret, code}, done.RecoveryCodes...) {
			if strings.Contains(string(en.Details), secret) {
				t.Errorf("%s audits a code or secret", en.Action)
			}
		}
	}
	for _, want := range []string{"staff.two_step_enrolment_started", "staff.second_factor_failed", "staff.two_step_enabled", "staff.second_factor_passed"} {
		if !strings.Contains(strings.Join(actions, " "), want) {
			t.Errorf("audit %v lacks %s", actions, want)
		}
	}
	verifyAudit(t, f.db)
}

// TestTOTPSkewAndReplay moves the clock around codes given at sign-in.
func TestTOTPSkewAndReplay(t *testing.T) {
	f := setup(t)
	st := createStaff(t, f, "ana@tillit.example", account.RoleAdmin)
	if _, _, err := startSession(t, f, account.KindStaff, st.ID, "", "", ""); err != nil {
		t.Fatal(err)
	}
	secret := f.auth[st.ID].secret
	signIn := func(code string) error {
		t.Helper()
		in, err := f.svc.BeginSignIn(ctx, account.KindStaff, st.ID, "", "", "")
		if err != nil {
			t.Fatal(err)
		}
		_, err = f.svc.CompleteSignIn(ctx, account.KindStaff, in.Pending.Token, code, "", "")
		return err
	}
	f.clk.Advance(5 * totp.Period)
	// A code from a phone running one step behind works...
	behind, _ := totp.Code(secret, f.clk.Now().Add(-totp.Period))
	if err := signIn(behind); err != nil {
		t.Fatalf("one step behind: %v", err)
	}
	// ...but not twice, even a step later.
	f.clk.Advance(totp.Period)
	wantCode(t, signIn(behind), apperr.InvalidOTP)
	// Two steps off either way is refused.
	far, _ := totp.Code(secret, f.clk.Now().Add(2*totp.Period))
	wantCode(t, signIn(far), apperr.InvalidOTP)
	old, _ := totp.Code(secret, f.clk.Now().Add(-2*totp.Period))
	wantCode(t, signIn(old), apperr.InvalidOTP)
	// One step ahead works; the current step's code is then refused, as
	// it is not later than a step already used.
	ahead, _ := totp.Code(secret, f.clk.Now().Add(totp.Period))
	if err := signIn(ahead); err != nil {
		t.Fatalf("one step ahead: %v", err)
	}
	now, _ := totp.Code(secret, f.clk.Now())
	wantCode(t, signIn(now), apperr.InvalidOTP)
}

func TestRecoveryCodeWorksOnce(t *testing.T) {
	f := setup(t)
	shop := createMerchant(t, f, "Nordic Rain")
	u, err := f.svc.CreateMerchantUser(ctx, "cli", account.NewMerchantUser{MerchantID: shop, Email: "mia@shop.example", Name: "Mia", Role: account.MerchantOwner, Password: testPassword})
	if err != nil {
		t.Fatal(err)
	}
	a := enrol(t, f, account.KindMerchant, u.ID, shop)
	code := strings.ToUpper(strings.ReplaceAll(a.recovery[3], "-", " ")) // as typed from paper
	in, err := f.svc.BeginSignIn(ctx, account.KindMerchant, u.ID, shop, "", "")
	if err != nil || in.Pending == nil || in.Pending.Stage != account.StageCode {
		t.Fatalf("begin: %+v %v", in, err)
	}
	done, err := f.svc.CompleteSignIn(ctx, account.KindMerchant, in.Pending.Token, code, "", "")
	if err != nil || !done.UsedRecoveryCode || done.RecoveryCodesLeft != account.RecoveryCodeCount-1 || done.Session.MerchantID != shop {
		t.Fatalf("recovery sign-in: %+v %v", done, err)
	}
	in, _ = f.svc.BeginSignIn(ctx, account.KindMerchant, u.ID, shop, "", "")
	_, err = f.svc.CompleteSignIn(ctx, account.KindMerchant, in.Pending.Token, code, "", "")
	wantCode(t, err, apperr.InvalidOTP)
	// Stored as 64-hex keyed hashes, never the code.
	if n := count(t, f.db, `SELECT COUNT(*) FROM recovery_codes WHERE subject_id = $1 AND (code_hash LIKE $2 OR LENGTH(code_hash) <> 64)`, u.ID, "%"+a.recovery[0][:8]+"%"); n != 0 {
		t.Error("recovery codes are not stored as keyed hashes")
	}

	// Regenerating needs a current code and replaces every code.
	_, err = f.svc.RegenerateRecoveryCodes(ctx, account.KindMerchant, u.ID, a.recovery[0])
	wantCode(t, err, apperr.InvalidOTP)
	fresh, err := f.svc.RegenerateRecoveryCodes(ctx, account.KindMerchant, u.ID, a.code(t, f.clk.Now()))
	if err != nil || len(fresh) != account.RecoveryCodeCount {
		t.Fatalf("regenerate: %v %v", fresh, err)
	}
	in, _ = f.svc.BeginSignIn(ctx, account.KindMerchant, u.ID, shop, "", "")
	_, err = f.svc.CompleteSignIn(ctx, account.KindMerchant, in.Pending.Token, a.recovery[0], "", "")
	wantCode(t, err, apperr.InvalidOTP)
	if _, err := f.svc.CompleteSignIn(ctx, account.KindMerchant, in.Pending.Token, fresh[9], "", ""); err != nil {
		t.Fatalf("a new recovery code: %v", err)
	}
}

// TestOptionalTwoStep: merchant users and consumers choose; once on, the
// code is needed, and turning it off needs one too.
func TestOptionalTwoStep(t *testing.T) {
	f := setup(t)
	if err := f.svc.RequestLoginCode(ctx, "anna@example.dk", ""); err != nil {
		t.Fatal(err)
	}
	c, err := f.svc.VerifyLoginCode(ctx, "anna@example.dk", latestCode(t, f, "anna@example.dk"))
	if err != nil {
		t.Fatal(err)
	}
	in, err := f.svc.BeginSignIn(ctx, account.KindConsumer, c.ID, "", "", "")
	if err != nil || in.Session == nil {
		t.Fatalf("without two-step: %+v %v", in, err)
	}
	e, err := f.svc.StartEnrolment(ctx, account.KindConsumer, c.ID, "")
	if err != nil || !strings.Contains(e.URI, "anna%40example.dk") && !strings.Contains(e.URI, "anna@example.dk") {
		t.Fatalf("enrol: %+v %v", e, err)
	}
	// Sealed under the person: shredding them makes it unreadable.
	if n := count(t, f.db, `SELECT COUNT(*) FROM second_factors WHERE subject_id = $1 AND secret LIKE 'v1.%'`, c.ID); n != 1 {
		t.Fatal("the consumer's secret is not sealed")
	}
	if _, err := f.svc.BeginSignIn(ctx, account.KindConsumer, c.ID, "", "", ""); err != nil {
		t.Fatal(err) // not on until confirmed
	}
	a := &authenticator{secret: e.Secret}
	if _, err := f.svc.ConfirmEnrolment(ctx, account.KindConsumer, c.ID, a.code(t, f.clk.Now())); err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.StartEnrolment(ctx, account.KindConsumer, c.ID, "")
	wantCode(t, err, apperr.NotAllowed)
	_, _, err = f.svc.StartSession(ctx, account.KindConsumer, c.ID, "", "", "")
	wantCode(t, err, apperr.NotAllowed)
	in, err = f.svc.BeginSignIn(ctx, account.KindConsumer, c.ID, "", "", "")
	if err != nil || in.Pending == nil || in.Pending.Stage != account.StageCode {
		t.Fatalf("with two-step: %+v %v", in, err)
	}
	wantCode(t, f.svc.DisableTwoStep(ctx, account.KindConsumer, c.ID, "000000"), apperr.InvalidOTP)
	if err := f.svc.DisableTwoStep(ctx, account.KindConsumer, c.ID, a.code(t, f.clk.Now())); err != nil {
		t.Fatal(err)
	}
	if n := count(t, f.db, `SELECT COUNT(*) FROM second_factors WHERE subject_id = $1`, c.ID) + count(t, f.db, `SELECT COUNT(*) FROM recovery_codes WHERE subject_id = $1`, c.ID); n != 0 {
		t.Errorf("%d rows left after turning it off", n)
	}
	if _, _, err := f.svc.StartSession(ctx, account.KindConsumer, c.ID, "", "", ""); err != nil {
		t.Fatal(err)
	}
	wantCode(t, f.svc.DisableTwoStep(ctx, account.KindConsumer, c.ID, "123456"), apperr.NotAllowed)
}

// TestSecondFactorLockout: the Max-th wrong code locks the account, even
// against the right code, until the period passes or an admin unlocks it.
func TestSecondFactorLockout(t *testing.T) {
	f := setup(t)
	admin := createStaff(t, f, "ada@tillit.example", account.RoleAdmin)
	cs := createStaff(t, f, "cs@tillit.example", account.RoleCustomerService)
	st := createStaff(t, f, "ana@tillit.example", account.RoleRiskAnalyst)
	if _, _, err := startSession(t, f, account.KindStaff, st.ID, "", "", ""); err != nil {
		t.Fatal(err)
	}
	lim := f.svc.Config.SecondFactor
	in, err := f.svc.BeginSignIn(ctx, account.KindStaff, st.ID, "", "", "")
	if err != nil {
		t.Fatal(err)
	}
	for i := range lim.Max {
		_, err := f.svc.CompleteSignIn(ctx, account.KindStaff, in.Pending.Token, "000000", "", "")
		wantCode(t, err, apperr.InvalidOTP)
		if until, _ := f.svc.LockedUntil(ctx, account.KindStaff, st.ID); (i == lim.Max-1) == until.IsZero() {
			t.Fatalf("after %d failures locked until %v", i+1, until)
		}
	}
	a := f.auth[st.ID]
	_, err = f.svc.CompleteSignIn(ctx, account.KindStaff, in.Pending.Token, a.code(t, f.clk.Now()), "", "")
	wantCode(t, err, apperr.TooManyRequests)

	// The period passes: the right code works again.
	f.clk.Advance(lim.Lockout)
	in, _ = f.svc.BeginSignIn(ctx, account.KindStaff, st.ID, "", "", "")
	if _, err := f.svc.CompleteSignIn(ctx, account.KindStaff, in.Pending.Token, a.code(t, f.clk.Now()), "", ""); err != nil {
		t.Fatalf("after the lockout: %v", err)
	}

	// Locked again, an admin unlocks; others may not.
	in, _ = f.svc.BeginSignIn(ctx, account.KindStaff, st.ID, "", "", "")
	for range lim.Max {
		f.svc.CompleteSignIn(ctx, account.KindStaff, in.Pending.Token, "000000", "", "")
	}
	wantCode(t, f.svc.UnlockAccount(ctx, cs, account.KindStaff, st.ID), apperr.Forbidden)
	wantCode(t, f.svc.UnlockAccount(ctx, admin, account.KindStaff, "nobody"), apperr.NotFound)
	wantCode(t, f.svc.UnlockAccount(ctx, admin, "robot", st.ID), apperr.BadValue)
	if err := f.svc.UnlockAccount(ctx, admin, account.KindStaff, st.ID); err != nil {
		t.Fatal(err)
	}
	if until, _ := f.svc.LockedUntil(ctx, account.KindStaff, st.ID); !until.IsZero() {
		t.Fatalf("still locked until %v", until)
	}
	if _, err := f.svc.CompleteSignIn(ctx, account.KindStaff, in.Pending.Token, a.code(t, f.clk.Now()), "", ""); err != nil {
		t.Fatalf("after the unlock: %v", err)
	}
	var unlocked []string
	for _, en := range auditActions(t, f.db, st.ID) {
		if en.Action == "account.unlocked" {
			unlocked = append(unlocked, en.Actor)
		}
	}
	if len(unlocked) != 1 || unlocked[0] != "staff:"+admin.ID {
		t.Errorf("unlock audited by %v", unlocked)
	}
	verifyAudit(t, f.db)
}

// TestPasswordLockoutUnlockedByAdmin: the password lockout of an address
// lifts by an admin's unlock.
func TestPasswordLockoutUnlockedByAdmin(t *testing.T) {
	f := setup(t)
	admin := createStaff(t, f, "ada@tillit.example", account.RoleAdmin)
	st := createStaff(t, f, "ana@tillit.example", account.RoleRiskAnalyst)
	for range f.svc.Config.SignIn.Max {
		f.svc.AuthenticateStaff(ctx, st.Email, "wrong password")
	}
	_, err := f.svc.AuthenticateStaff(ctx, st.Email, testPassword)
	wantCode(t, err, apperr.TooManyRequests)
	if until, _ := f.svc.LockedUntil(ctx, account.KindStaff, st.ID); !until.Equal(f.clk.Now().Add(f.svc.Config.SignIn.Lockout).Truncate(time.Microsecond)) {
		t.Errorf("locked until %v", until)
	}
	if err := f.svc.UnlockAccount(ctx, admin, account.KindStaff, st.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.AuthenticateStaff(ctx, st.Email, testPassword); err != nil {
		t.Fatalf("after the unlock: %v", err)
	}
}

// TestLoginCodeCheckLockout: too many code checks for an address lock it
// out, even with the right code, until the period passes.
func TestLoginCodeCheckLockout(t *testing.T) {
	f := setup(t)
	const anna = "anna@example.dk"
	lim := f.svc.Config.CodeChecks
	for i := 0; i < lim.Max; i++ {
		if i%account.LoginCodeMaxAttempts == 0 {
			f.clk.Advance(time.Minute)
			if err := f.svc.RequestLoginCode(ctx, anna, ""); err != nil && apperr.Code(err) != apperr.TooManyRequests {
				t.Fatal(err)
			}
		}
		_, err := f.svc.VerifyLoginCode(ctx, anna, "000000")
		wantCode(t, err, apperr.InvalidOTP)
	}
	f.clk.Advance(f.svc.Config.CodeRequests.Window)
	if err := f.svc.RequestLoginCode(ctx, anna, ""); err != nil {
		t.Fatal(err)
	}
	code := latestCode(t, f, anna)
	f.clk.Advance(-f.svc.Config.CodeRequests.Window + lim.Lockout - time.Minute)
	_, err := f.svc.VerifyLoginCode(ctx, anna, code)
	wantCode(t, err, apperr.TooManyRequests)
	f.clk.Advance(time.Minute)
	if _, err := f.svc.VerifyLoginCode(ctx, anna, code); err != nil {
		t.Fatalf("after the lockout: %v", err)
	}
}

// TestRevokeOtherSessions: the other browsers are signed out at their next
// request; the one asking stays.
func TestRevokeOtherSessions(t *testing.T) {
	f := setup(t)
	st := createStaff(t, f, "ana@tillit.example", account.RoleAdmin)
	var tokens []string
	var keep account.Session
	for i, agent := range []string{"Mozilla/5.0 (X11; Linux x86_64) Gecko/20100101 Firefox/140.0", "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) Version/18.0 Mobile Safari/604.1", "curl/8.0"} {
		token, sess, err := startSession(t, f, account.KindStaff, st.ID, "", agent, "198.51.100.23")
		if err != nil {
			t.Fatal(err)
		}
		tokens = append(tokens, token)
		if i == 0 {
			keep = sess
		}
	}
	list, err := f.svc.ListSessions(ctx, account.KindStaff, st.ID)
	if err != nil || len(list) != 3 {
		t.Fatalf("list %+v %v", list, err)
	}
	got := map[string]bool{}
	for _, s := range list {
		got[s.Browser+"/"+s.System+"/"+s.IPPrefix] = true
	}
	for _, want := range []string{"Firefox/Linux/198.51.100.0/24", "Safari/iOS/198.51.100.0/24", "//198.51.100.0/24"} {
		if !got[want] {
			t.Errorf("list %v lacks %s", got, want)
		}
	}
	n, err := f.svc.RevokeOtherSessions(ctx, account.KindStaff, st.ID, keep.ID)
	if err != nil || n != 2 {
		t.Fatalf("revoked %d %v", n, err)
	}
	if _, err := f.svc.LookupSession(ctx, account.KindStaff, tokens[0]); err != nil {
		t.Errorf("the kept session: %v", err)
	}
	for _, token := range tokens[1:] {
		_, err := f.svc.LookupSession(ctx, account.KindStaff, token)
		wantCode(t, err, apperr.Unauthorized)
	}
	if list, _ := f.svc.ListSessions(ctx, account.KindStaff, st.ID); len(list) != 1 || list[0].ID != keep.ID {
		t.Errorf("after revoking: %+v", list)
	}
}

// TestNewDeviceNotice: a sign-in from a kind of browser the account has
// not used before is told once by e-mail; the first sign-in and known
// browsers (any version) are not.
func TestNewDeviceNotice(t *testing.T) {
	f := setup(t)
	const anna = "anna@example.dk"
	if err := f.svc.RequestLoginCode(ctx, anna, "da-DK"); err != nil {
		t.Fatal(err)
	}
	c, err := f.svc.VerifyLoginCode(ctx, anna, latestCode(t, f, anna))
	if err != nil {
		t.Fatal(err)
	}
	st := createStaff(t, f, "ana@tillit.example", account.RoleAdmin)
	notices := func(email string) int {
		t.Helper()
		mail, err := f.svc.DemoMailbox(ctx, email, 100)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, m := range mail {
			if strings.Contains(m.Body, "Firefox") || strings.Contains(m.Body, "Chrome") {
				n++
			}
		}
		return n
	}
	for _, acc := range []struct {
		kind    account.Kind
		subject string
		email   string
	}{{account.KindConsumer, c.ID, anna}, {account.KindStaff, st.ID, st.Email}} {
		for i, s := range []struct {
			agent string
			want  int
		}{
			{"Mozilla/5.0 (X11; Linux x86_64) Firefox/139.0", 0},
			{"Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0", 0},
			{"Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/131.0 Safari/537.36", 1},
			{"Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/132.0 Safari/537.36", 1},
			{"Mozilla/5.0 (X11; Linux x86_64) Firefox/141.0", 1},
		} {
			if _, _, err := startSession(t, f, acc.kind, acc.subject, "", s.agent, "192.0.2.1"); err != nil {
				t.Fatal(err)
			}
			if got := notices(acc.email); got != s.want {
				t.Errorf("%s sign-in %d: %d notices, want %d", acc.kind, i, got, s.want)
			}
		}
	}
	mail, _ := f.svc.DemoMailbox(ctx, anna, 1)
	if len(mail) != 1 || mail[0].Subject != "Nyt login på din Tillit-konto" || !strings.Contains(mail[0].Body, "Chrome på Windows") {
		t.Errorf("the consumer's notice is not in their language: %+v", mail)
	}
	if n := count(t, f.db, `SELECT COUNT(*) FROM known_devices WHERE device_hash LIKE '%Firefox%'`); n != 0 {
		t.Error("known devices are stored in clear")
	}
}
