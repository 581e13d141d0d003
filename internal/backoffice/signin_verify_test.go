package backoffice_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/tillit/tillit/internal/account"
)

// TestPasswordAloneGivesNoSession: after the password a member of staff
// is only half signed in; the code page refuses wrong codes, and without
// its pending sign-in sends the browser back to the password.
func TestPasswordAloneGivesNoSession(t *testing.T) {
	e := newEnv(t)
	st := e.staff(account.RoleAdmin, "Ada Admin")
	c := e.client()
	res, _ := c.submitSignIn(st.Email, staffPassword)
	wantRedirect(t, res, "/staff/signin/verify?next=%2Fstaff%2F")
	if cookie := res.Header.Get("Set-Cookie"); !strings.Contains(cookie, "tillit_staff_pending=") || !strings.Contains(cookie, "HttpOnly") {
		t.Errorf("pending cookie %q", cookie)
	}
	res, _ = c.get("/staff/")
	wantRedirect(t, res, "/staff/signin")
	c.get("/staff/signin/verify")
	res, body := c.post("/staff/signin/verify", url.Values{"code": {"000000"}})
	if res.StatusCode != http.StatusUnauthorized || !strings.Contains(body, `id="verify-problem"`) {
		t.Fatalf("wrong code: %d\n%s", res.StatusCode, body)
	}
	res, body = c.post("/staff/signin/verify", url.Values{"code": {""}})
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("empty code: %d\n%s", res.StatusCode, body)
	}
	if got := e.auditEntries(st.ID, "staff.second_factor_failed"); len(got) != 1 {
		t.Errorf("failures audited: %+v", got)
	}
	other := e.client()
	other.get("/staff/signin")
	res, _ = other.post("/staff/signin/verify", url.Values{"code": {"123456"}})
	wantRedirect(t, res, "/staff/signin")
	c.signIn(st)
}
