package backoffice_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tillit/tillit/internal/account"
	"github.com/tillit/tillit/internal/backoffice"
	"github.com/tillit/tillit/internal/checkout"
	"github.com/tillit/tillit/internal/ids"
)

const (
	failedText = "The e-mail address or password is wrong."
	lockedText = "signing in with this e-mail address is paused"
)

func TestSignInAndOut(t *testing.T) {
	e := newEnv(t)
	admin := e.staff(account.RoleAdmin, "Ada Admin")
	c := e.client()

	res, _ := c.get("/staff/")
	wantRedirect(t, res, "/staff/signin")
	res, body := c.get("/staff/signin")
	if res.StatusCode != http.StatusOK || !strings.Contains(body, `autocomplete="current-password"`) {
		t.Fatalf("sign-in page: %d\n%s", res.StatusCode, body)
	}

	// An unknown address and a wrong password get the same answer.
	res, wrong := c.submitSignIn(admin.Email, "not-the-password-at-all")
	if res.StatusCode != http.StatusUnauthorized || !strings.Contains(wrong, failedText) {
		t.Fatalf("wrong password: %d\n%s", res.StatusCode, wrong)
	}
	res, unknown := c.submitSignIn("nobody@tillit.example", staffPassword)
	if res.StatusCode != http.StatusUnauthorized || !strings.Contains(unknown, failedText) {
		t.Fatalf("unknown address: %d\n%s", res.StatusCode, unknown)
	}
	if strings.Contains(wrong, staffPassword) || strings.Contains(unknown, staffPassword) || strings.Contains(wrong, "not-the-password-at-all") {
		t.Error("a password was written back into the page")
	}
	res, body = c.submitSignIn("", "")
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `href="#f-email"`) || !strings.Contains(body, `href="#f-password"`) {
		t.Fatalf("empty form: %d\n%s", res.StatusCode, body)
	}

	res, _ = c.secondFactor(admin, first(c.submitSignIn(admin.Email, staffPassword)))
	wantRedirect(t, res, "/staff/")
	cookie := res.Header.Get("Set-Cookie")
	for _, want := range []string{backoffice.CookieName + "=", "Path=/staff/", "HttpOnly", "SameSite=Strict"} {
		if !strings.Contains(cookie, want) {
			t.Errorf("session cookie %q lacks %s", cookie, want)
		}
	}
	if strings.Contains(cookie, "Secure") {
		t.Errorf("cookie %q is Secure on plain HTTP without SecureCookies", cookie)
	}
	res, body = c.get("/staff/")
	if res.StatusCode != http.StatusOK || !strings.Contains(body, "Welcome, Ada Admin.") || !strings.Contains(body, "Signed in as Ada Admin (Administrator).") {
		t.Fatalf("home: %d\n%s", res.StatusCode, body)
	}
	if len(e.auditEntries(admin.ID, "staff.signed_in")) != 1 {
		t.Error("the sign-in was not audited")
	}
	// Signed in, the sign-in page leads home.
	res, _ = c.get("/staff/signin")
	wantRedirect(t, res, "/staff/")

	// Signing out ends the session on the server, not just the cookie.
	token := sessionToken(t, c)
	res, _ = c.post("/staff/signout", nil)
	wantRedirect(t, res, "/staff/signin")
	if _, body := c.get("/staff/signin"); !strings.Contains(body, "You are signed out.") {
		t.Errorf("no sign-out notice:\n%s", body)
	}
	if got := e.auditEntries(admin.ID, backoffice.ActionSignedOut); len(got) != 1 || got[0].Actor != "staff:"+admin.ID {
		t.Errorf("sign-out audit: %+v", got)
	}
	if _, err := e.app.Accounts.LookupSession(e.ctx, account.KindStaff, token); err == nil {
		t.Error("the session is still live after signing out")
	}
	stale := e.client()
	stale.http.Jar.SetCookies(mustURL(t, e.srv.URL+"/staff/"), []*http.Cookie{{Name: backoffice.CookieName, Value: token, Path: "/staff/"}})
	res, _ = stale.get("/staff/")
	wantRedirect(t, res, "/staff/signin")
}

// sessionToken returns the session cookie the client holds.
func sessionToken(t *testing.T, c *client) string {
	t.Helper()
	for _, ck := range c.http.Jar.Cookies(mustURL(t, c.e.srv.URL+"/staff/")) {
		if ck.Name == backoffice.CookieName {
			return ck.Value
		}
	}
	t.Fatal("no session cookie")
	return ""
}

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestSignInReturnsToTheRequestedPageOnly(t *testing.T) {
	e := newEnv(t)
	admin := e.staff(account.RoleAdmin, "Ada Admin")
	c := e.client()
	res, _ := c.get("/staff/audit?subject=x")
	wantRedirect(t, res, "/staff/signin?next=%2Fstaff%2Faudit%3Fsubject%3Dx")
	_, body := c.get(res.Header.Get("Location"))
	if !strings.Contains(body, `name="next" value="/staff/audit?subject=x"`) {
		t.Fatalf("the sign-in form does not carry next:\n%s", body)
	}
	res, _ = c.post("/staff/signin", url.Values{"email": {admin.Email}, "password": {staffPassword}, "next": {"/staff/audit?subject=x"}})
	res, _ = c.secondFactor(admin, res)
	wantRedirect(t, res, "/staff/audit?subject=x")

	for _, next := range []string{"https://evil.example/staff/", "//evil.example/staff/", "/staff//evil.example", "/other", `/staff/\evil`, "/staff/signin"} {
		c := e.client()
		c.get("/staff/signin")
		res, _ := c.post("/staff/signin", url.Values{"email": {admin.Email}, "password": {staffPassword}, "next": {next}})
		res, _ = c.secondFactor(admin, res)
		wantRedirect(t, res, "/staff/")
	}
}

func TestLockoutAfterRepeatedFailures(t *testing.T) {
	e := newEnv(t)
	st := e.staff(account.RoleRiskAnalyst, "Rita Risk")
	c := e.client()
	limit := e.app.Accounts.Config.SignIn
	for i := 1; i <= limit.Max; i++ {
		res, body := c.submitSignIn(st.Email, "wrong-password-number-"+string(rune('0'+i)))
		if res.StatusCode != http.StatusUnauthorized || !strings.Contains(body, failedText) {
			t.Fatalf("attempt %d: %d", i, res.StatusCode)
		}
	}
	// Locked: even the right password is refused, politely, with the wait.
	res, body := c.submitSignIn(st.Email, staffPassword)
	if res.StatusCode != http.StatusTooManyRequests || !strings.Contains(body, lockedText) || !strings.Contains(body, "try again in 15 minutes") {
		t.Fatalf("locked out: %d\n%s", res.StatusCode, body)
	}
	if strings.Contains(body, failedText) {
		t.Error("the lockout page also says the password is wrong")
	}
	// An address without an account is locked out the same way.
	for range limit.Max {
		c.submitSignIn("ghost@tillit.example", "whatever-it-is-123")
	}
	if res, _ := c.submitSignIn("ghost@tillit.example", "whatever-it-is-123"); res.StatusCode != http.StatusTooManyRequests {
		t.Errorf("unknown address after %d attempts: %d, want 429", limit.Max, res.StatusCode)
	}

	e.clk.Advance(limit.Lockout - time.Second)
	if res, _ := c.submitSignIn(st.Email, staffPassword); res.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("a second before the lockout ends: %d", res.StatusCode)
	}
	e.clk.Advance(time.Second)
	res, _ = c.secondFactor(st, first(c.submitSignIn(st.Email, staffPassword)))
	wantRedirect(t, res, "/staff/")
}

func TestIdleTimeoutEndsTheSession(t *testing.T) {
	e := newEnv(t)
	st := e.staff(account.RoleRiskAnalyst, "Rita Risk")
	c := e.client()
	c.signIn(st)
	idle := e.app.Accounts.Config.Staff.Idle

	// Using the back office keeps the session alive.
	for range 3 {
		e.clk.Advance(idle - time.Minute)
		if res, _ := c.get("/staff/"); res.StatusCode != http.StatusOK {
			t.Fatalf("after %v of use: %d", idle-time.Minute, res.StatusCode)
		}
	}
	e.clk.Advance(idle + time.Second)
	res, _ := c.get("/staff/queues/manual_review")
	wantRedirect(t, res, "/staff/signin?next=%2Fstaff%2Fqueues%2Fmanual_review")
	if !strings.Contains(strings.Join(res.Header.Values("Set-Cookie"), "\n"), backoffice.CookieName+"=; Path=/staff/; Max-Age=0") {
		t.Errorf("the dead session's cookie was not deleted: %q", res.Header.Values("Set-Cookie"))
	}
	_, body := c.get(res.Header.Get("Location"))
	if !strings.Contains(body, "You were signed out: your session ran out or was ended from another browser.") {
		t.Errorf("no notice that the session ended:\n%s", body)
	}
	// A POST with a dead session goes to sign-in too, without next.
	c.signIn(st)
	e.clk.Advance(idle + time.Second)
	res, _ = c.post("/staff/signout", nil)
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/staff/signin") {
		t.Fatalf("POST after the idle timeout: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
}

func TestDisabledStaffCannotSignIn(t *testing.T) {
	e := newEnv(t)
	admin := e.staff(account.RoleAdmin, "Ada Admin")
	st := e.staff(account.RoleCustomerService, "Carl Care")
	member := e.client()
	member.signIn(st)
	ac := e.client()
	ac.signIn(admin)

	ac.get("/staff/staff")
	res, _ := ac.post("/staff/staff/"+st.ID+"/disable", nil)
	wantRedirect(t, res, "/staff/staff")
	_, body := ac.get("/staff/staff")
	if !strings.Contains(body, "Carl Care was disabled and signed out everywhere.") {
		t.Errorf("no notice:\n%s", body)
	}
	if got := e.auditEntries(st.ID, "staff.disabled"); len(got) != 1 || got[0].Actor != "staff:"+admin.ID {
		t.Errorf("disable audit: %+v", got)
	}
	// Their open session has ended, and the right password no longer works.
	res, _ = member.get("/staff/")
	wantRedirect(t, res, "/staff/signin")
	res, body = member.submitSignIn(st.Email, staffPassword)
	if res.StatusCode != http.StatusUnauthorized || !strings.Contains(body, failedText) {
		t.Fatalf("disabled member signing in: %d", res.StatusCode)
	}
	// Disabling again is harmless; an admin cannot disable themselves.
	ac.get("/staff/staff")
	res, _ = ac.post("/staff/staff/"+st.ID+"/disable", nil)
	wantRedirect(t, res, "/staff/staff")
	res, _ = ac.post("/staff/staff/"+admin.ID+"/disable", nil)
	wantRedirect(t, res, "/staff/staff")
	if _, body := ac.get("/staff/staff"); !strings.Contains(body, "You cannot disable your own account.") {
		t.Errorf("self-disable not refused:\n%s", body)
	}
	if res, _ := ac.get("/staff/"); res.StatusCode != http.StatusOK {
		t.Errorf("the admin was signed out: %d", res.StatusCode)
	}
}

// TestRoleMatrix checks every role against every route: allowed routes
// answer, the others are 403, and a signed-out browser goes to sign-in.
func TestRoleMatrix(t *testing.T) {
	e := newEnv(t)
	order := e.order(pendingEmail, 50000)
	review := []account.Role{account.RoleRiskAnalyst, account.RoleSecurityAnalyst, account.RoleAdmin}
	admin := []account.Role{account.RoleAdmin}
	routes := []struct {
		method, path string
		form         url.Values
		roles        []account.Role // nil: every role
		allowed      int            // the status an allowed role gets
	}{
		{"GET", "/staff/", nil, nil, http.StatusOK},
		{"GET", "/staff/queues/manual_review", nil, review, http.StatusOK},
		{"GET", "/staff/orders/" + order, nil, review, http.StatusOK},
		{"POST", "/staff/orders/" + order + "/decision", url.Values{"decision": {"ACCEPTED"}, "reason": {""}}, review, http.StatusUnprocessableEntity},
		{"GET", "/staff/staff", nil, admin, http.StatusOK},
		{"POST", "/staff/staff", url.Values{"name": {""}}, admin, http.StatusUnprocessableEntity},
		{"POST", "/staff/staff/" + ids.New() + "/disable", nil, admin, http.StatusNotFound},
		{"GET", "/staff/audit", nil, admin, http.StatusOK},
	}
	for _, role := range account.Roles {
		t.Run(string(role), func(t *testing.T) {
			c := e.client()
			c.signIn(e.staff(role, "Member "+strings.ReplaceAll(string(role), "_", " ")))
			for _, rt := range routes {
				want := http.StatusForbidden
				if rt.roles == nil || containsRole(rt.roles, role) {
					want = rt.allowed
				}
				var res *http.Response
				if rt.method == "GET" {
					res, _ = c.get(rt.path)
				} else {
					c.get("/staff/")
					res, _ = c.post(rt.path, cloneValues(rt.form))
				}
				if res.StatusCode != want {
					t.Errorf("%s %s: %d, want %d", rt.method, rt.path, res.StatusCode, want)
				}
			}
		})
	}
	t.Run("signed out", func(t *testing.T) {
		c := e.client()
		for _, rt := range routes {
			var res *http.Response
			if rt.method == "GET" {
				res, _ = c.get(rt.path)
			} else {
				c.get("/staff/signin")
				res, _ = c.post(rt.path, cloneValues(rt.form))
			}
			if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/staff/signin") {
				t.Errorf("%s %s: %d to %q, want 303 to sign-in", rt.method, rt.path, res.StatusCode, res.Header.Get("Location"))
			}
		}
	})
	if got := e.fraudStatus(order); got != checkout.FraudPending {
		t.Errorf("the matrix changed the order: %s", got)
	}
}

func containsRole(roles []account.Role, r account.Role) bool {
	for _, x := range roles {
		if x == r {
			return true
		}
	}
	return false
}

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

func TestCSRFIsEnforced(t *testing.T) {
	e := newEnv(t)
	order := e.order(pendingEmail, 50000)
	st := e.staff(account.RoleRiskAnalyst, "Rita Risk")
	c := e.client()
	c.get("/staff/signin")
	preSignIn := c.token
	c.signIn(st)
	decision := func(token string) int {
		form := url.Values{"decision": {"ACCEPTED"}, "reason": {"Checked the order by phone."}}
		if token != "" {
			form.Set("csrf_token", token)
		}
		res, _ := c.do("POST", "/staff/orders/"+order+"/decision", form)
		return res.StatusCode
	}
	if got := decision(""); got != http.StatusForbidden {
		t.Errorf("no token: %d, want 403", got)
	}
	if got := decision(preSignIn); got != http.StatusForbidden {
		t.Errorf("a token from before signing in: %d, want 403", got)
	}
	if got := decision("forged"); got != http.StatusForbidden {
		t.Errorf("a forged token: %d, want 403", got)
	}
	if got := e.fraudStatus(order); got != checkout.FraudPending {
		t.Fatalf("a forged request decided the order: %s", got)
	}
	if res, _ := c.do("POST", "/staff/signout", url.Values{}); res.StatusCode != http.StatusForbidden {
		t.Errorf("sign-out without a token: %d", res.StatusCode)
	}
	if res, _ := c.get("/staff/"); res.StatusCode != http.StatusOK {
		t.Errorf("still signed in after a refused sign-out: %d", res.StatusCode)
	}
	c.get("/staff/orders/" + order)
	if got := decision(c.token); got != http.StatusSeeOther {
		t.Errorf("the page's own token: %d, want 303", got)
	}
}

func TestManualReviewDecision(t *testing.T) {
	e := newEnv(t)
	e.order("bo@example.dk", 30000) // accepted at once: not in review
	order := e.order(pendingEmail, 125000)
	st := e.staff(account.RoleRiskAnalyst, "Rita Risk")
	c := e.client()
	c.signIn(st)

	_, body := c.get("/staff/")
	if !strings.Contains(body, `<a href="/staff/queues/manual_review">Orders in manual review</a>`) || !strings.Contains(body, `class="num">1</td>`) {
		t.Fatalf("home does not show the queue with 1 waiting:\n%s", body)
	}
	o, err := e.app.Checkout.ReviewOrder(e.ctx, order)
	if err != nil {
		t.Fatal(err)
	}
	_, body = c.get("/staff/queues/manual_review")
	if !strings.Contains(body, `<a href="/staff/orders/`+order+`">`+o.Reference+`</a>`) || !strings.Contains(body, "Waiting: 1") {
		t.Fatalf("queue:\n%s", body)
	}

	res, body := c.get("/staff/orders/" + order)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("order page: %d", res.StatusCode)
	}
	for _, want := range []string{"Order " + o.Reference, "Nordic Rain", "DKK\u00a01,250.00", "Pay later", "Pending review",
		"Test data: sent to manual review (<code>TEST_DATA_PENDING</code>)", "No decision has been recorded yet."} {
		if !strings.Contains(body, want) {
			t.Errorf("order page lacks %q", want)
		}
	}
	for _, personal := range []string{"Anna", "Jensen", "anna+pending", "Sletten", "Klarup", "1990", "+4520123456"} {
		if strings.Contains(body, personal) {
			t.Errorf("order page shows personal data %q", personal)
		}
	}
	views := e.auditEntries(order, backoffice.ActionOrderViewed)
	if len(views) != 1 || views[0].Actor != "staff:"+st.ID {
		t.Fatalf("order view audit: %+v", views)
	}

	// A decision needs a reason.
	res, body = c.post("/staff/orders/"+order+"/decision", url.Values{"decision": {"ACCEPTED"}, "reason": {"   "}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `<a href="#f-reason">Fill in this field.</a>`) || !strings.Contains(body, `aria-invalid="true"`) {
		t.Fatalf("no reason: %d\n%s", res.StatusCode, body)
	}
	res, _ = c.post("/staff/orders/"+order+"/decision", url.Values{"decision": {"ACCEPTED"}, "reason": {strings.Repeat("x", 501)}})
	if res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("a 501-byte reason: %d", res.StatusCode)
	}
	res, _ = c.post("/staff/orders/"+order+"/decision", url.Values{"decision": {"STOPPED"}, "reason": {"Because."}})
	if res.StatusCode != http.StatusBadRequest {
		t.Errorf("an unknown decision: %d", res.StatusCode)
	}
	if got := e.fraudStatus(order); got != checkout.FraudPending {
		t.Fatalf("a refused decision changed the order: %s", got)
	}

	reason := "Shop confirmed the delivery address by phone."
	res, _ = c.post("/staff/orders/"+order+"/decision", url.Values{"decision": {"ACCEPTED"}, "reason": {reason}})
	wantRedirect(t, res, "/staff/queues/manual_review")
	if got := e.fraudStatus(order); got != checkout.FraudAccepted {
		t.Fatalf("fraud status %s after accepting", got)
	}
	decisions := e.auditEntries(order, "order.fraud_status")
	if len(decisions) != 1 || decisions[0].Actor != "staff:"+st.ID || !strings.Contains(string(decisions[0].Details), reason) {
		t.Fatalf("decision audit: %+v", decisions)
	}
	_, body = c.get("/staff/queues/manual_review")
	if !strings.Contains(body, "Order "+o.Reference+" accepted.") || !strings.Contains(body, "Nothing is waiting in this queue.") {
		t.Errorf("queue after the decision:\n%s", body)
	}

	// The decided order shows its history and no form; deciding again
	// changes nothing.
	_, body = c.get("/staff/orders/" + order)
	if strings.Contains(body, `name="reason"`) || !strings.Contains(body, reason) || !strings.Contains(body, "staff:"+st.ID) {
		t.Errorf("decided order page:\n%s", body)
	}
	res, _ = c.post("/staff/orders/"+order+"/decision", url.Values{"decision": {"REJECTED"}, "reason": {"Changed my mind."}})
	wantRedirect(t, res, "/staff/orders/"+order)
	if got := e.fraudStatus(order); got != checkout.FraudAccepted {
		t.Errorf("a second decision changed the order to %s", got)
	}
	if n := len(e.auditEntries(order, "order.fraud_status")); n != 1 {
		t.Errorf("%d decisions audited, want 1", n)
	}
}

func TestRejectAndNotFound(t *testing.T) {
	e := newEnv(t)
	order := e.order(pendingEmail, 50000)
	st := e.staff(account.RoleSecurityAnalyst, "Sam Secure")
	c := e.client()
	c.signIn(st)
	c.get("/staff/orders/" + order)
	res, _ := c.post("/staff/orders/"+order+"/decision", url.Values{"decision": {"REJECTED"}, "reason": {"Device seen in earlier fraud."}})
	wantRedirect(t, res, "/staff/queues/manual_review")
	if got := e.fraudStatus(order); got != checkout.FraudRejected {
		t.Errorf("fraud status %s, want REJECTED", got)
	}
	for _, path := range []string{"/staff/orders/" + ids.New(), "/staff/orders/not-an-id", "/staff/queues/nope", "/staff/nowhere"} {
		if res, _ := c.get(path); res.StatusCode != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", path, res.StatusCode)
		}
	}
}

func TestStaffAdministration(t *testing.T) {
	e := newEnv(t)
	admin := e.staff(account.RoleAdmin, "Ada Admin")
	c := e.client()
	c.signIn(admin)
	_, body := c.get("/staff/staff")
	if !strings.Contains(body, "ada.admin@tillit.example") || !strings.Contains(body, "Add a member of staff") {
		t.Fatalf("staff page:\n%s", body)
	}
	if strings.Contains(body, `aria-label="Disable Ada Admin"`) {
		t.Error("the admin is offered to disable themselves")
	}

	form := func(email, name, role, pw string) url.Values {
		return url.Values{"email": {email}, "name": {name}, "role": {role}, "password": {pw}}
	}
	for _, tc := range []struct {
		form url.Values
		want []string
	}{
		{form("", "", "", ""), []string{`<a href="#f-name">Fill in this field.</a>`, `<a href="#f-email">`, `<a href="#f-role">`, `<a href="#f-password">`}},
		{form("rita@", "Rita Risk", "wizard", "short"), []string{"Enter an e-mail address", "Choose one of the options.", "Use at least 12 characters."}},
		{form("rita@tillit.example", "Rita Risk", "risk_analyst", "password1234"), []string{"too common"}},
		{form("rita@tillit.example", "Rita Risk", "risk_analyst", "rita@tillit.example-x"), []string{"must not contain the e-mail address"}},
		{form("ADA.ADMIN@tillit.example", "Ada Again", "admin", staffPassword), []string{"Another member of staff already uses this e-mail address."}},
	} {
		res, body := c.post("/staff/staff", tc.form)
		if res.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("%v: %d, want 422", tc.form, res.StatusCode)
		}
		for _, w := range tc.want {
			if !strings.Contains(body, w) {
				t.Errorf("%v: the page lacks %q", tc.form, w)
			}
		}
		if strings.Contains(body, tc.form.Get("password")) && tc.form.Get("password") != "" {
			t.Errorf("%v: the password was written back", tc.form)
		}
	}
	if _, body := c.post("/staff/staff", form("rita@tillit.example", "Rita Risk", "wizard", "")); !strings.Contains(body, `value="rita@tillit.example"`) {
		t.Error("the form lost what was typed")
	}

	res, _ := c.post("/staff/staff", form("rita@tillit.example", "Rita Risk", "risk_analyst", staffPassword))
	wantRedirect(t, res, "/staff/staff")
	_, body = c.get("/staff/staff")
	if !strings.Contains(body, "Rita Risk was added.") || !strings.Contains(body, "rita@tillit.example") || !strings.Contains(body, "Risk analyst") {
		t.Errorf("after adding:\n%s", body)
	}
	list, err := e.app.Accounts.ListStaff(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	var rita account.Staff
	for _, st := range list {
		if st.Email == "rita@tillit.example" {
			rita = st
		}
	}
	if rita.Role != account.RoleRiskAnalyst {
		t.Fatalf("created member: %+v", rita)
	}
	if got := e.auditEntries(rita.ID, "staff.created"); len(got) != 1 || got[0].Actor != "staff:"+admin.ID {
		t.Errorf("creation audit: %+v", got)
	}
	// The new member can sign in with the password the admin chose.
	e.client().signIn(rita)
}

func TestAuditPage(t *testing.T) {
	e := newEnv(t)
	admin := e.staff(account.RoleAdmin, "Ada Admin")
	order := e.order(pendingEmail, 50000)
	c := e.client()
	c.signIn(admin)
	c.get("/staff/orders/" + order)
	c.post("/staff/orders/"+order+"/decision", url.Values{"decision": {"ACCEPTED"}, "reason": {"Looks fine."}})

	_, body := c.get("/staff/audit")
	for _, want := range []string{"order.fraud_status", "order.viewed", "staff.signed_in", "staff.created", "staff:" + admin.ID, "Looks fine."} {
		if !strings.Contains(body, want) {
			t.Errorf("audit page lacks %q", want)
		}
	}
	if strings.Contains(body, `id="verify-result"`) {
		t.Error("verified without being asked")
	}
	_, body = c.get("/staff/audit?subject=" + order)
	if strings.Contains(body, "staff.signed_in") || !strings.Contains(body, "order.fraud_status") || !strings.Contains(body, `value="`+order+`"`) {
		t.Errorf("filtered by the order:\n%s", body)
	}
	_, body = c.get("/staff/audit?verify=1")
	if !strings.Contains(body, "The chain is intact: all") {
		t.Errorf("verify:\n%s", body)
	}
	if res, _ := c.get("/staff/audit?before=x"); res.StatusCode != http.StatusBadRequest {
		t.Errorf("a bad before: %d", res.StatusCode)
	}

	// With more entries than a page holds, the older ones are a link away.
	for range 120 {
		c.get("/staff/orders/" + order)
	}
	_, body = c.get("/staff/audit")
	if strings.Count(body, "<tr>") != 101 || !strings.Contains(body, "Older entries") {
		t.Fatalf("first page has %d rows", strings.Count(body, "<tr>")-1)
	}
	_, body = c.get("/staff/audit?before=10")
	if strings.Count(body, "<tr>") != 10 || strings.Contains(body, "Older entries") {
		t.Errorf("entries before 10: %d rows", strings.Count(body, "<tr>")-1)
	}
}

func TestAddQueue(t *testing.T) {
	e := newEnv(t)
	complaints := backoffice.Queue{
		Key: "complaints", Title: "staff.home.queues", Roles: []account.Role{account.RoleCustomerService},
		Count: func(context.Context) (int, error) { return 7, nil },
		List: func(_ context.Context, limit int) ([]backoffice.QueueItem, error) {
			return []backoffice.QueueItem{{ID: "c1", Label: "C-1", Context: "Nordic Rain", Since: e.clk.Now()}}, nil
		},
		ItemURL: func(it backoffice.QueueItem) string { return "/staff/complaints/" + it.ID },
	}
	e.pages.AddQueue(complaints)
	cs := e.client()
	cs.signIn(e.staff(account.RoleCustomerService, "Carl Care"))
	_, body := cs.get("/staff/")
	if !strings.Contains(body, `href="/staff/queues/complaints"`) || strings.Contains(body, "manual_review") {
		t.Errorf("customer service home:\n%s", body)
	}
	_, body = cs.get("/staff/queues/complaints")
	if !strings.Contains(body, `<a href="/staff/complaints/c1">C-1</a>`) || !strings.Contains(body, "Showing the first 1 of 7.") {
		t.Errorf("custom queue:\n%s", body)
	}
	if res, _ := cs.get("/staff/queues/manual_review"); res.StatusCode != http.StatusForbidden {
		t.Errorf("customer service on the review queue: %d", res.StatusCode)
	}
	risk := e.client()
	risk.signIn(e.staff(account.RoleRiskAnalyst, "Rita Risk"))
	if _, body := risk.get("/staff/"); strings.Contains(body, "complaints") {
		t.Error("a risk analyst sees the complaints queue")
	}
	if res, _ := risk.get("/staff/queues/complaints"); res.StatusCode != http.StatusForbidden {
		t.Errorf("risk analyst on complaints: %d", res.StatusCode)
	}
	ad := e.client()
	ad.signIn(e.staff(account.RoleAdmin, "Ada Admin"))
	if _, body := ad.get("/staff/"); !strings.Contains(body, "complaints") || !strings.Contains(body, "manual_review") {
		t.Error("the admin does not see every queue")
	}

	for name, q := range map[string]backoffice.Queue{
		"taken key":  complaints,
		"bad key":    {Key: "Bad Key", Title: "staff.home.queues"},
		"no title":   {Key: "x", Title: "staff.no.such.key"},
		"incomplete": {Key: "y", Title: "staff.home.queues"},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: AddQueue did not panic", name)
				}
			}()
			e.pages.AddQueue(q)
		}()
	}
}

func TestSecureCookiesOption(t *testing.T) {
	e := newEnv(t)
	admin := e.staff(account.RoleAdmin, "Ada Admin")
	pages, err := backoffice.New(backoffice.Config{
		Accounts: e.app.Accounts, Checkout: e.app.Checkout, DB: e.app.DB, Key: []byte(e.app.WebKey), SecureCookies: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	h := pages.Handler()
	// jar keeps the cookies the pages set, as a browser would.
	jar := map[string]*http.Cookie{}
	do := func(method, target string, form url.Values) *httptest.ResponseRecorder {
		var body io.Reader
		if form != nil {
			body = strings.NewReader(form.Encode())
		}
		req := httptest.NewRequest(method, target, body)
		if form != nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		for _, c := range jar {
			req.AddCookie(c)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		for _, c := range rec.Result().Cookies() {
			jar[c.Name] = c
		}
		return rec
	}
	token := func(rec *httptest.ResponseRecorder) string {
		m := tokenRE.FindStringSubmatch(rec.Body.String())
		if m == nil {
			t.Fatalf("no token:\n%s", rec.Body)
		}
		return m[1]
	}
	post := do("POST", "/staff/signin", url.Values{"csrf_token": {token(do("GET", "/staff/signin", nil))}, "email": {admin.Email}, "password": {staffPassword}})
	verify := post.Header().Get("Location")
	if post.Code != http.StatusSeeOther || !strings.HasPrefix(verify, "/staff/signin/verify") {
		t.Fatalf("sign in: %d to %q", post.Code, verify)
	}
	// Every cookie set on the way in is Secure and HttpOnly.
	for _, c := range post.Result().Cookies() {
		if !c.Secure || !c.HttpOnly || c.SameSite != http.SameSiteStrictMode {
			t.Errorf("cookie after the password %+v", c)
		}
	}
	code := do("POST", verify, url.Values{"csrf_token": {token(do("GET", verify, nil))}, "code": {e.auth[admin.ID].Code(t, e.clk.Now())}})
	for _, c := range code.Result().Cookies() {
		if c.Name == backoffice.CookieName {
			if !c.Secure || !c.HttpOnly || c.SameSite != http.SameSiteStrictMode || c.Path != "/staff/" {
				t.Errorf("session cookie %+v", c)
			}
			return
		}
	}
	t.Fatalf("no session cookie after the code: %d\n%s", code.Code, code.Body)
}
