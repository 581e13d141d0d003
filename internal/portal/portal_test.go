package portal_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tillit/tillit/internal/account"
	"github.com/tillit/tillit/internal/checkout"
	"github.com/tillit/tillit/internal/ids"
	"github.com/tillit/tillit/internal/portal"
	"github.com/tillit/tillit/internal/settlement"
	"github.com/tillit/tillit/internal/store/storetest"
)

const (
	failedText = "The e-mail address or password is wrong."
	lockedText = "signing in with this e-mail address is paused"
)

func TestSignInAndOut(t *testing.T) {
	e := newEnv(t)
	owner := e.user(account.MerchantOwner, "Olivia Owner")
	c := e.client()

	res, _ := c.get("/portal/")
	wantRedirect(t, res, "/portal/signin")
	res, body := c.get("/portal/signin")
	if res.StatusCode != http.StatusOK || !strings.Contains(body, `autocomplete="current-password"`) {
		t.Fatalf("sign-in page: %d\n%s", res.StatusCode, body)
	}

	// An unknown address and a wrong password get the same answer.
	res, wrong := c.submitSignIn(owner.Email, "not-the-password-at-all")
	if res.StatusCode != http.StatusUnauthorized || !strings.Contains(wrong, failedText) {
		t.Fatalf("wrong password: %d\n%s", res.StatusCode, wrong)
	}
	res, unknown := c.submitSignIn("nobody@shop.example", userPassword)
	if res.StatusCode != http.StatusUnauthorized || !strings.Contains(unknown, failedText) {
		t.Fatalf("unknown address: %d\n%s", res.StatusCode, unknown)
	}
	if strings.Contains(wrong, "not-the-password-at-all") || strings.Contains(unknown, userPassword) {
		t.Error("a password was written back into the page")
	}
	res, body = c.submitSignIn("", "")
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `href="#f-email"`) || !strings.Contains(body, `href="#f-password"`) {
		t.Fatalf("empty form: %d\n%s", res.StatusCode, body)
	}

	res, _ = c.submitSignIn(owner.Email, userPassword)
	wantRedirect(t, res, "/portal/")
	cookie := strings.Join(res.Header.Values("Set-Cookie"), "\n")
	for _, want := range []string{portal.SessionCookie + "=", "Path=/portal/", "HttpOnly", "SameSite=Lax"} {
		if !strings.Contains(cookie, want) {
			t.Errorf("session cookie %q lacks %s", cookie, want)
		}
	}
	res, body = c.get("/portal/")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("dashboard: %d", res.StatusCode)
	}
	wantContains(t, "dashboard", body, "Welcome, Olivia Owner.", "Olivia Owner (Owner) at Nordic Rain")
	if got := e.auditEntries(owner.ID, "merchant_user.signed_in"); len(got) != 1 {
		t.Errorf("sign-in audit: %+v", got)
	}
	// Signed in, the sign-in page leads to the dashboard.
	res, _ = c.get("/portal/signin")
	wantRedirect(t, res, "/portal/")

	// Signing out ends the session on the server, not just the cookie.
	token := sessionToken(t, c)
	res, _ = c.post("/portal/signout", nil)
	wantRedirect(t, res, "/portal/signin")
	if _, body := c.get("/portal/signin"); !strings.Contains(body, "You are signed out.") {
		t.Errorf("no sign-out notice:\n%s", body)
	}
	if got := e.auditEntries(owner.ID, portal.ActionSignedOut); len(got) != 1 || got[0].Actor != "merchant_user:"+owner.ID {
		t.Errorf("sign-out audit: %+v", got)
	}
	if _, err := e.app.Accounts.LookupSession(e.ctx, account.KindMerchant, token); err == nil {
		t.Error("the session is still live after signing out")
	}
	stale := e.client()
	stale.http.Jar.SetCookies(mustURL(t, e.srv.URL+"/portal/"), []*http.Cookie{{Name: portal.SessionCookie, Value: token, Path: "/portal/"}})
	res, _ = stale.get("/portal/orders")
	wantRedirect(t, res, "/portal/signin?next=%2Fportal%2Forders")
	if !strings.Contains(strings.Join(res.Header.Values("Set-Cookie"), "\n"), portal.SessionCookie+"=; Path=/portal/; Max-Age=0") {
		t.Errorf("the dead session's cookie was not deleted: %q", res.Header.Values("Set-Cookie"))
	}

	// A disabled user's session ends, and the password no longer works.
	c.signIn(owner)
	if err := e.app.Accounts.DisableMerchantUser(e.ctx, "cli", owner.ID); err != nil {
		t.Fatal(err)
	}
	res, _ = c.get("/portal/")
	wantRedirect(t, res, "/portal/signin")
	if res, _ := c.submitSignIn(owner.Email, userPassword); res.StatusCode != http.StatusUnauthorized {
		t.Errorf("disabled user signing in: %d", res.StatusCode)
	}
}

// sessionToken returns the session cookie the client holds.
func sessionToken(t *testing.T, c *client) string {
	t.Helper()
	for _, ck := range c.http.Jar.Cookies(mustURL(t, c.e.srv.URL+"/portal/")) {
		if ck.Name == portal.SessionCookie {
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

func TestSignInReturnsToLocalPagesOnly(t *testing.T) {
	e := newEnv(t)
	u := e.user(account.MerchantViewer, "Victor Viewer")
	c := e.client()
	res, _ := c.get("/portal/orders?status=CAPTURED")
	wantRedirect(t, res, "/portal/signin?next=%2Fportal%2Forders%3Fstatus%3DCAPTURED")
	_, body := c.get(res.Header.Get("Location"))
	if !strings.Contains(body, `name="next" value="/portal/orders?status=CAPTURED"`) {
		t.Fatalf("the sign-in form does not carry next:\n%s", body)
	}
	res, _ = c.post("/portal/signin", url.Values{"email": {u.Email}, "password": {userPassword}, "next": {"/portal/orders?status=CAPTURED"}})
	wantRedirect(t, res, "/portal/orders?status=CAPTURED")

	for _, next := range []string{"https://evil.example/portal/", "//evil.example/portal/", "/portal//evil.example", "/other",
		`/portal/\evil`, "/portal/signin", "javascript:alert(1)", "/portal/\r\nSet-Cookie: x=y"} {
		c := e.client()
		c.get("/portal/signin")
		res, _ := c.post("/portal/signin", url.Values{"email": {u.Email}, "password": {userPassword}, "next": {next}})
		wantRedirect(t, res, "/portal/")
	}
}

func TestLockoutAfterRepeatedFailures(t *testing.T) {
	e := newEnv(t)
	u := e.user(account.MerchantAdmin, "Ada Admin")
	c := e.client()
	limit := e.app.Accounts.Config.SignIn
	for i := 1; i <= limit.Max; i++ {
		res, body := c.submitSignIn(u.Email, "wrong-password-number-"+string(rune('0'+i)))
		if res.StatusCode != http.StatusUnauthorized || !strings.Contains(body, failedText) {
			t.Fatalf("attempt %d: %d", i, res.StatusCode)
		}
	}
	// Locked: even the right password is refused, politely, with the wait.
	res, body := c.submitSignIn(u.Email, userPassword)
	if res.StatusCode != http.StatusTooManyRequests || !strings.Contains(body, lockedText) || !strings.Contains(body, "try again in 15 minutes") {
		t.Fatalf("locked out: %d\n%s", res.StatusCode, body)
	}
	if strings.Contains(body, failedText) {
		t.Error("the lockout page also says the password is wrong")
	}
	e.clk.Advance(limit.Lockout - time.Second)
	if res, _ := c.submitSignIn(u.Email, userPassword); res.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("a second before the lockout ends: %d", res.StatusCode)
	}
	e.clk.Advance(time.Second)
	res, _ = c.submitSignIn(u.Email, userPassword)
	wantRedirect(t, res, "/portal/")
}

// TestRoleMatrix checks every role against every route: owners and admins
// may do everything, viewers may look but get 403 on every change, and a
// signed-out browser is sent to sign in.
func TestRoleMatrix(t *testing.T) {
	e := newEnv(t)
	order := e.order(50000)
	part := e.order(40000)
	e.capture(part, 10000)
	s, err := settlement.Run(e.ctx, e.app.DB, e.shop.ID, storetest.Start.Truncate(24*time.Hour), storetest.Start.Truncate(24*time.Hour).Add(24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	const (
		all    = iota // every signed-in user
		change        // owners and admins
	)
	orderPage, partPage := "/portal/orders/"+order, "/portal/orders/"+part
	routes := []struct {
		method, path string
		form         url.Values
		who          int
		allowed      int    // the status an allowed user gets
		page         string // the page a POST is sent from
	}{
		{"GET", "/portal/", nil, all, http.StatusOK, ""},
		{"GET", "/portal/orders", nil, all, http.StatusOK, ""},
		{"GET", orderPage, nil, all, http.StatusOK, ""},
		{"GET", "/portal/orders/" + ids.New(), nil, all, http.StatusNotFound, ""},
		{"POST", orderPage + "/capture", url.Values{"capture_amount": {""}}, change, http.StatusUnprocessableEntity, orderPage},
		{"POST", partPage + "/refund", url.Values{"refund_amount": {"x"}}, change, http.StatusUnprocessableEntity, partPage},
		{"POST", orderPage + "/cancel", url.Values{"state": {"stale"}}, change, http.StatusSeeOther, orderPage},
		{"POST", partPage + "/release", url.Values{"state": {"stale"}}, change, http.StatusSeeOther, partPage},
		{"POST", "/portal/orders/" + ids.New() + "/cancel", nil, change, http.StatusNotFound, "/portal/"},
		{"GET", "/portal/webhooks", nil, all, http.StatusOK, ""},
		{"GET", "/portal/settlements", nil, all, http.StatusOK, ""},
		{"GET", "/portal/settlements/" + s.ID, nil, all, http.StatusOK, ""},
		{"GET", "/portal/settlements/" + s.ID + "/csv", nil, all, http.StatusOK, ""},
		{"GET", "/portal/settlements/" + ids.New(), nil, all, http.StatusNotFound, ""},
		{"GET", "/portal/payment-methods", nil, all, http.StatusOK, ""},
		{"POST", "/portal/payment-methods", url.Values{}, change, http.StatusUnprocessableEntity, "/portal/payment-methods"},
		{"GET", "/portal/no-such-page", nil, all, http.StatusNotFound, ""},
		{"POST", "/portal/signout", nil, all, http.StatusSeeOther, "/portal/"},
	}
	for _, role := range account.MerchantRoles {
		t.Run(string(role), func(t *testing.T) {
			c := e.client()
			c.signIn(e.user(role, "User "+string(role)))
			for _, rt := range routes {
				want := rt.allowed
				if rt.who == change && role == account.MerchantViewer {
					want = http.StatusForbidden
				}
				var (
					res  *http.Response
					body string
				)
				if rt.method == "GET" {
					res, body = c.get(rt.path)
				} else {
					c.state = ""
					c.get(rt.page)
					res, body = c.post(rt.path, cloneValues(rt.form))
				}
				if res.StatusCode != want {
					t.Errorf("%s %s: %d, want %d", rt.method, rt.path, res.StatusCode, want)
				}
				if key := unknownKey.FindString(body); key != "" {
					t.Errorf("%s %s shows the bare catalog key %q", rt.method, rt.path, key)
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
				c.get("/portal/signin")
				res, _ = c.post(rt.path, cloneValues(rt.form))
			}
			if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/portal/signin") {
				t.Errorf("%s %s: %d to %q, want 303 to sign-in", rt.method, rt.path, res.StatusCode, res.Header.Get("Location"))
			}
		}
	})
	if o := e.getOrder(order); o.Status != checkout.StatusAuthorized {
		t.Errorf("the matrix changed the order: %s", o.Status)
	}
	if o := e.getOrder(part); o.Status != checkout.StatusPartCaptured || o.RefundedAmount != 0 {
		t.Errorf("the matrix changed the part-captured order: %s, refunded %d", o.Status, o.RefundedAmount)
	}
}

// unknownKey finds a catalog key of the portal that was shown instead of
// its message (i18n.T returns a key it does not know).
var unknownKey = regexp.MustCompile(`>[^<]*\bmerchant\.[a-z_]+\.[a-z_.]+`)

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

// TestCSRFIsEnforced posts to every route that changes something without a
// token, with a token from before signing in and with a forged one: each is
// refused with 403 and changes nothing; the page's own token works.
func TestCSRFIsEnforced(t *testing.T) {
	e := newEnv(t)
	order := e.order(50000)
	owner := e.user(account.MerchantOwner, "Olivia Owner")
	c := e.client()
	c.get("/portal/signin")
	preSignIn := c.token
	c.signIn(owner)
	c.get("/portal/orders/" + order)
	state := c.state
	posts := []struct {
		path string
		form url.Values
	}{
		{"/portal/orders/" + order + "/capture", url.Values{"capture_amount": {"100.00"}}},
		{"/portal/orders/" + order + "/refund", url.Values{"refund_amount": {"1.00"}}},
		{"/portal/orders/" + order + "/cancel", nil},
		{"/portal/orders/" + order + "/release", nil},
		{"/portal/payment-methods", url.Values{"methods": {"pay_now"}}},
		{"/portal/signout", nil},
	}
	for _, p := range posts {
		for _, token := range []string{"", preSignIn, "forged"} {
			form := cloneValues(p.form)
			form.Set("state", state)
			if token != "" {
				form.Set("csrf_token", token)
			}
			if res, _ := c.do("POST", p.path, form); res.StatusCode != http.StatusForbidden {
				t.Errorf("POST %s with token %q: %d, want 403", p.path, token, res.StatusCode)
			}
		}
	}
	// A sign-in form from another browser is refused too.
	other := e.client()
	other.get("/portal/signin")
	if res, _ := c.do("POST", "/portal/signin", url.Values{"email": {owner.Email}, "password": {userPassword}, "csrf_token": {other.token}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("sign-in with another browser's token: %d", res.StatusCode)
	}
	if o := e.getOrder(order); o.Status != checkout.StatusAuthorized || o.CapturedAmount != 0 {
		t.Fatalf("a forged request changed the order: %+v", o.Status)
	}
	if m, err := e.app.Checkout.EnabledMethods(e.ctx, e.shop.ID); err != nil || len(m) != 4 {
		t.Fatalf("a forged request changed the payment methods: %v %v", m, err)
	}
	if res, _ := c.get("/portal/"); res.StatusCode != http.StatusOK {
		t.Fatalf("signed out by a forged request: %d", res.StatusCode)
	}
	c.get("/portal/orders/" + order)
	if res, _ := c.post("/portal/orders/"+order+"/capture", url.Values{"capture_amount": {"100.00"}}); res.StatusCode != http.StatusSeeOther {
		t.Errorf("the page's own token: %d, want 303", res.StatusCode)
	}
}
