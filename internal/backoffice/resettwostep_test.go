package backoffice_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/tillit/tillit/internal/account"
)

// TestResetStaffTwoStep: an admin resets a member's two-step verification
// from the member's page with a reason; the member's browsers are signed
// out, the reset is audited with the admin and the reason, and the
// member's next sign-in sets up a new authenticator (the old one no longer
// works). Another role gets 403, the admin's own account is 403, bad input
// is 422, and none of these changes anything.
func TestResetStaffTwoStep(t *testing.T) {
	e := newEnv(t)
	admin := e.staff(account.RoleAdmin, "Ada Admin")
	member := e.staff(account.RoleRiskAnalyst, "Rita Reset")
	analyst := e.staff(account.RoleSecurityAnalyst, "Sia Analyst")
	memberPage := "/staff/staff/" + member.ID
	resetPath := memberPage + "/reset-two-step"

	mc := e.client()
	mc.signIn(member)
	unchanged := func(when string) {
		t.Helper()
		if st, err := e.app.Accounts.TwoStepStatus(e.ctx, account.KindStaff, member.ID); err != nil || !st.Enabled || st.RecoveryCodesLeft != account.RecoveryCodeCount {
			t.Errorf("%s: two-step %+v %v", when, st, err)
		}
		if n := len(e.auditEntries(member.ID, account.ActionTwoStepReset)) + len(e.auditEntries(admin.ID, account.ActionTwoStepReset)); n != 0 {
			t.Errorf("%s: %d resets audited", when, n)
		}
		if res, _ := mc.get("/staff/"); res.StatusCode != http.StatusOK {
			t.Errorf("%s: the member was signed out (%d)", when, res.StatusCode)
		}
	}

	// Another role: 403.
	ac := e.client()
	ac.signIn(analyst)
	if res, _ := ac.get(memberPage); res.StatusCode != http.StatusForbidden {
		t.Errorf("analyst on the member page: %d", res.StatusCode)
	}
	ac.get("/staff/")
	if res, _ := ac.post(resetPath, url.Values{"reason": {"Lost phone"}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("analyst resetting: %d, want 403", res.StatusCode)
	}
	unchanged("after the analyst")

	c := e.client()
	c.signIn(admin)
	if _, page := c.get("/staff/staff/" + admin.ID); strings.Contains(page, "/reset-two-step\"") {
		t.Error("the admin's own page offers a reset")
	}
	if res, _ := c.post("/staff/staff/"+admin.ID+"/reset-two-step", url.Values{"reason": {"Lost phone"}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("own reset: %d, want 403", res.StatusCode)
	}
	_, page := c.get(memberPage)
	if !strings.Contains(page, `action="`+resetPath+`"`) || !strings.Contains(page, `name="reason"`) {
		t.Fatalf("no reset form on the member's page:\n%s", page)
	}
	for _, tc := range []struct {
		name string
		path string
		form url.Values
		want int
	}{
		{"no reason", resetPath, url.Values{"reason": {"   "}}, http.StatusUnprocessableEntity},
		{"long reason", resetPath, url.Values{"reason": {strings.Repeat("x", account.MaxResetReason+1)}}, http.StatusUnprocessableEntity},
		{"not text", resetPath, url.Values{"reason": {"Lost\x00phone"}}, http.StatusUnprocessableEntity},
		{"no CSRF token", resetPath, url.Values{"reason": {"Lost phone"}, "csrf_token": {"forged"}}, http.StatusForbidden},
		{"unknown member", "/staff/staff/0190b1f3-0000-7000-8000-000000000000/reset-two-step", url.Values{"reason": {"Lost phone"}}, http.StatusNotFound},
	} {
		c.get(memberPage)
		res, body := c.post(tc.path, tc.form)
		if res.StatusCode != tc.want {
			t.Errorf("%s: %d, want %d", tc.name, res.StatusCode, tc.want)
		}
		if tc.want == http.StatusUnprocessableEntity && !strings.Contains(body, `id="f-reason-error"`) {
			t.Errorf("%s: no error by the reason field", tc.name)
		}
	}
	unchanged("after bad input")

	const reason = "Lost phone and recovery codes; checked in person at the office"
	c.get(memberPage)
	res, _ := c.post(resetPath, url.Values{"reason": {reason}})
	wantRedirect(t, res, memberPage)
	if _, page := c.get(memberPage); !strings.Contains(page, "Two-step verification of Rita Reset was reset") ||
		!strings.Contains(page, "No authenticator yet") {
		t.Errorf("no notice or state after the reset:\n%s", page)
	}
	entries := e.auditEntries(member.ID, account.ActionTwoStepReset)
	if len(entries) != 1 || entries[0].Actor != "staff:"+admin.ID || !strings.Contains(string(entries[0].Details), reason) {
		t.Fatalf("reset audit: %+v", entries)
	}

	// The member's browser is signed out at its next request.
	res, _ = mc.get("/staff/")
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/staff/signin") {
		t.Fatalf("the member's old session after the reset: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}

	// The old authenticator no longer signs in: the code page sets up a
	// new one.
	old := e.auth[member.ID]
	res, _ = mc.submitSignIn(member.Email, staffPassword)
	verify := res.Header.Get("Location")
	_, page = mc.get(verify)
	if !strings.Contains(page, `id="totp-secret"`) || strings.Contains(page, old.Secret) {
		t.Fatalf("the next sign-in does not set up a new authenticator:\n%s", page)
	}
	if res, _ := mc.post(mustURL(t, verify).Path, url.Values{"code": {old.Recovery[0]}}); res.StatusCode != http.StatusUnauthorized {
		t.Errorf("an old recovery code at enrolment: %d, want 401", res.StatusCode)
	}
	delete(e.auth, member.ID)
	mc.signIn(member)
	if st, err := e.app.Accounts.TwoStepStatus(e.ctx, account.KindStaff, member.ID); err != nil || !st.Enabled || e.auth[member.ID].Secret == old.Secret {
		t.Fatalf("after enrolling again: %+v %v", st, err)
	}
}
