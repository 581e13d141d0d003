package account_test

import (
	"strings"
	"testing"

	"github.com/tillit/tillit/internal/account"
	"github.com/tillit/tillit/internal/apperr"
)

// twoStepRows counts the account's authenticator and recovery code rows.
func twoStepRows(t *testing.T, f fixture, subject string) (factors, codes int) {
	t.Helper()
	return count(t, f.db, `SELECT COUNT(*) FROM second_factors WHERE subject_id = $1`, subject),
		count(t, f.db, `SELECT COUNT(*) FROM recovery_codes WHERE subject_id = $1`, subject)
}

// resetEntries returns the account.two_step_reset entries about subject.
func resetEntries(t *testing.T, f fixture, subject string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, e := range auditActions(t, f.db, subject) {
		if e.Action == account.ActionTwoStepReset {
			d := details(t, e)
			d["actor"] = e.Actor
			out = append(out, d)
		}
	}
	return out
}

// TestResetTwoStep: an admin's reset removes a member of staff's
// authenticator and recovery codes, ends their sessions at the next lookup
// and their pending sign-in, is audited with the admin and the reason, and
// sends the member's next sign-in to setting up a new authenticator.
// Refused resets (another role, their own, no reason, ...) change nothing.
func TestResetTwoStep(t *testing.T) {
	f := setup(t)
	admin := createStaff(t, f, "ada@tillit.example", account.RoleAdmin)
	cs := createStaff(t, f, "carl@tillit.example", account.RoleCustomerService)
	st := createStaff(t, f, "ana@tillit.example", account.RoleSecurityAnalyst)
	var tokens []string
	for range 2 {
		token, _, err := startSession(t, f, account.KindStaff, st.ID, "", "Firefox/140.0", "198.51.100.23")
		if err != nil {
			t.Fatal(err)
		}
		tokens = append(tokens, token)
	}
	pending, err := f.svc.BeginSignIn(ctx, account.KindStaff, st.ID, "", "", "")
	if err != nil || pending.Pending == nil || pending.Pending.Stage != account.StageCode {
		t.Fatalf("pending sign-in: %+v %v", pending, err)
	}
	adminToken, _, err := startSession(t, f, account.KindStaff, admin.ID, "", "", "")
	if err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		name  string
		by    account.Staff
		kind  account.Kind
		id    string
		why   string
		code  string
		whose string
	}{
		{"customer service", cs, account.KindStaff, st.ID, "Lost phone", apperr.Forbidden, st.ID},
		{"own account", admin, account.KindStaff, admin.ID, "Lost phone", apperr.Forbidden, admin.ID},
		{"own account, no reason", admin, account.KindStaff, admin.ID, "", apperr.Forbidden, admin.ID},
		{"unknown admin", account.Staff{ID: "nobody"}, account.KindStaff, st.ID, "Lost phone", apperr.Forbidden, st.ID},
		{"empty reason", admin, account.KindStaff, st.ID, "", apperr.BadValue, st.ID},
		{"blank reason", admin, account.KindStaff, st.ID, " \n\t ", apperr.BadValue, st.ID},
		{"long reason", admin, account.KindStaff, st.ID, strings.Repeat("å", account.MaxResetReason+1), apperr.BadValue, st.ID},
		{"not text", admin, account.KindStaff, st.ID, "Lost\x00phone", apperr.BadValue, st.ID},
		{"consumer", admin, account.KindConsumer, st.ID, "Lost phone", apperr.BadValue, st.ID},
		{"unknown member", admin, account.KindStaff, "0190b1f3-0000-7000-8000-000000000000", "Lost phone", apperr.NotFound, st.ID},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantCode(t, f.svc.ResetTwoStep(ctx, tc.by, tc.kind, tc.id, tc.why), tc.code)
			if factors, codes := twoStepRows(t, f, tc.whose); factors != 1 || codes != account.RecoveryCodeCount {
				t.Errorf("authenticator %d, recovery codes %d after a refused reset", factors, codes)
			}
			if got := resetEntries(t, f, tc.whose); len(got) != 0 {
				t.Errorf("refused reset audited: %v", got)
			}
		})
	}
	for _, token := range append(tokens, adminToken) {
		if _, err := f.svc.LookupSession(ctx, account.KindStaff, token); err != nil {
			t.Fatalf("a refused reset ended a session: %v", err)
		}
	}

	const reason = "Lost phone and recovery codes; identity checked by video call"
	if err := f.svc.ResetTwoStep(ctx, admin, account.KindStaff, st.ID, "  "+reason+" "); err != nil {
		t.Fatal(err)
	}
	if factors, codes := twoStepRows(t, f, st.ID); factors != 0 || codes != 0 {
		t.Errorf("authenticator %d, recovery codes %d after the reset", factors, codes)
	}
	for _, token := range tokens {
		_, err := f.svc.LookupSession(ctx, account.KindStaff, token)
		wantCode(t, err, apperr.Unauthorized)
	}
	if _, err := f.svc.LookupSession(ctx, account.KindStaff, adminToken); err != nil {
		t.Errorf("the admin's own session ended: %v", err)
	}
	_, err = f.svc.PendingSignIn(ctx, account.KindStaff, pending.Pending.Token)
	wantCode(t, err, apperr.Unauthorized)
	_, err = f.svc.CompleteSignIn(ctx, account.KindStaff, pending.Pending.Token, f.auth[st.ID].code(t, f.clk.Now()), "", "")
	wantCode(t, err, apperr.Unauthorized)
	if n := count(t, f.db, `SELECT COUNT(*) FROM pending_sign_ins WHERE subject_id = $1`, st.ID); n != 0 {
		t.Errorf("%d pending sign-ins left", n)
	}
	status, err := f.svc.TwoStepStatus(ctx, account.KindStaff, st.ID)
	if err != nil || status.Enabled || status.Pending || status.RecoveryCodesLeft != 0 {
		t.Errorf("status after the reset: %+v %v", status, err)
	}

	got := resetEntries(t, f, st.ID)
	if len(got) != 1 || got[0]["actor"] != "staff:"+admin.ID || got[0]["reason"] != reason || got[0]["kind"] != "staff" ||
		got[0]["was_enabled"] != true || got[0]["sessions_revoked"] != float64(2) {
		t.Fatalf("audit: %v", got)
	}

	// The next sign-in sets up a new authenticator; the old one is gone.
	in, err := f.svc.BeginSignIn(ctx, account.KindStaff, st.ID, "", "", "")
	if err != nil || in.Pending == nil || in.Pending.Stage != account.StageEnrol {
		t.Fatalf("next sign-in: %+v %v", in, err)
	}
	old := f.auth[st.ID]
	e, err := f.svc.EnrolForSignIn(ctx, account.KindStaff, in.Pending.Token)
	if err != nil || e.Secret == old.secret {
		t.Fatalf("enrol again: %+v %v", e, err)
	}
	_, err = f.svc.CompleteSignIn(ctx, account.KindStaff, in.Pending.Token, old.recovery[0], "", "")
	wantCode(t, err, apperr.InvalidOTP)
	fresh := &authenticator{secret: e.Secret}
	done, err := f.svc.CompleteSignIn(ctx, account.KindStaff, in.Pending.Token, fresh.code(t, f.clk.Now()), "", "")
	if err != nil || done.Session == nil || len(done.RecoveryCodes) != account.RecoveryCodeCount {
		t.Fatalf("sign-in with the new authenticator: %+v %v", done, err)
	}
	verifyAudit(t, f.db)
}

// TestResetTwoStepMerchantUser: an admin resets a merchant user's two-step
// verification; their next sign-in needs the password alone.
func TestResetTwoStepMerchantUser(t *testing.T) {
	f := setup(t)
	admin := createStaff(t, f, "ada@tillit.example", account.RoleAdmin)
	analyst := createStaff(t, f, "sia@tillit.example", account.RoleSecurityAnalyst)
	shop := createMerchant(t, f, "Shop")
	u, err := f.svc.CreateMerchantUser(ctx, "cli", account.NewMerchantUser{MerchantID: shop, Email: "olga@shop.example", Name: "Olga", Role: "owner", Password: testPassword})
	if err != nil {
		t.Fatal(err)
	}
	enrol(t, f, account.KindMerchant, u.ID, shop)
	token, _, err := startSession(t, f, account.KindMerchant, u.ID, shop, "", "")
	if err != nil {
		t.Fatal(err)
	}
	wantCode(t, f.svc.ResetTwoStep(ctx, analyst, account.KindMerchant, u.ID, "Lost phone"), apperr.Forbidden)
	wantCode(t, f.svc.ResetTwoStep(ctx, admin, account.KindMerchant, admin.ID, "Lost phone"), apperr.NotFound)
	if factors, _ := twoStepRows(t, f, u.ID); factors != 1 {
		t.Fatal("a refused reset removed the authenticator")
	}

	if err := f.svc.ResetTwoStep(ctx, admin, account.KindMerchant, u.ID, "Owner lost the phone; verified with the merchant's contract contact"); err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.LookupSession(ctx, account.KindMerchant, token)
	wantCode(t, err, apperr.Unauthorized)
	if factors, codes := twoStepRows(t, f, u.ID); factors != 0 || codes != 0 {
		t.Errorf("authenticator %d, recovery codes %d after the reset", factors, codes)
	}
	in, err := f.svc.BeginSignIn(ctx, account.KindMerchant, u.ID, shop, "", "")
	if err != nil || in.Session == nil {
		t.Fatalf("next sign-in: %+v %v", in, err)
	}
	if got := resetEntries(t, f, u.ID); len(got) != 1 || got[0]["actor"] != "staff:"+admin.ID || got[0]["kind"] != "merchant" {
		t.Fatalf("audit: %v", got)
	}
	verifyAudit(t, f.db)
}
