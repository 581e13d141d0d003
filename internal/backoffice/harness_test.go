package backoffice_test

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/tillit/tillit/internal/account"
	"github.com/tillit/tillit/internal/app"
	"github.com/tillit/tillit/internal/audit"
	"github.com/tillit/tillit/internal/backoffice"
	"github.com/tillit/tillit/internal/browsertest"
	"github.com/tillit/tillit/internal/checkout"
	"github.com/tillit/tillit/internal/clock"
	"github.com/tillit/tillit/internal/ledger"
	"github.com/tillit/tillit/internal/logscan"
	"github.com/tillit/tillit/internal/merchant"
	"github.com/tillit/tillit/internal/store/storetest"
	"github.com/tillit/tillit/internal/web"
)

// staffPassword is every test member of staff's password.
const staffPassword = "Lantern-harbour-violet-1987"

// testLog writes log lines to the test's log, shown when it fails.
type testLog struct{ t *testing.T }

func (l testLog) Write(b []byte) (int, error) {
	l.t.Log(strings.TrimSpace(string(b)))
	return len(b), nil
}

// env is the whole platform on the test's database engine with the back
// office served over loopback, a manual clock and one test-mode merchant.
type env struct {
	t     *testing.T
	ctx   context.Context
	app   *app.App
	clk   *clock.Manual
	pages *backoffice.Pages
	srv   *httptest.Server
	shop  merchant.Merchant
	// auth holds each member of staff's authenticator by id, set up by
	// staff (or on the code page, for staff added through the admin page).
	auth map[string]*browsertest.Authenticator
}

// newEnv starts Tillit and the back office; when the test ends it checks
// that the ledger balances and the audit chain is intact.
func newEnv(t *testing.T) *env {
	t.Helper()
	ctx := context.Background()
	clk := clock.NewManual(storetest.Start)
	logger := logscan.Logger()
	a, err := app.New(ctx, app.Config{DatabaseURL: storetest.DSN(t), Clock: clk, Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	logscan.Secret(logscan.Password, staffPassword)
	pages, err := backoffice.New(backoffice.Config{
		Accounts: a.Accounts, Checkout: a.Checkout, DB: a.DB, Key: []byte(a.WebKey),
		Logger: logscan.LoggerTo(testLog{t}),
	})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/static/", web.Static())
	mux.Handle(backoffice.Prefix, pages.Handler())
	srv := httptest.NewServer(mux)
	e := &env{t: t, ctx: ctx, app: a, clk: clk, pages: pages, srv: srv, auth: map[string]*browsertest.Authenticator{}}
	t.Cleanup(func() {
		srv.Close()
		if r, err := ledger.Verify(ctx, a.DB); err != nil || !r.OK() {
			t.Errorf("ledger verify: %v %v", r.Problems, err)
		}
		if r, err := audit.Verify(ctx, a.DB); err != nil || !r.OK() {
			t.Errorf("audit verify: %v %v", r.Problems, err)
		}
		a.Close()
	})
	creds, err := merchant.Create(ctx, a.DB, merchant.NewMerchant{Name: "Nordic Rain", TestMode: true, SettlementCurrency: "DKK"})
	if err != nil {
		t.Fatal(err)
	}
	if e.shop, err = merchant.Get(ctx, a.DB, creds.MerchantID); err != nil {
		t.Fatal(err)
	}
	return e
}

// staff creates a member of staff with the role, as the command line does.
func (e *env) staff(role account.Role, name string) account.Staff {
	e.t.Helper()
	st, err := e.app.Accounts.CreateStaff(e.ctx, "cli", account.NewStaff{
		Email: strings.ToLower(strings.ReplaceAll(name, " ", ".")) + "@tillit.example", Name: name, Role: role, Password: staffPassword,
	})
	if err != nil {
		e.t.Fatal(err)
	}
	enrolment, err := e.app.Accounts.StartEnrolment(e.ctx, account.KindStaff, st.ID, "")
	if err != nil {
		e.t.Fatal(err)
	}
	a := &browsertest.Authenticator{Secret: enrolment.Secret}
	if a.Recovery, err = e.app.Accounts.ConfirmEnrolment(e.ctx, account.KindStaff, st.ID, a.Code(e.t, e.clk.Now())); err != nil {
		e.t.Fatal(err)
	}
	e.auth[st.ID] = a
	return st
}

// order places an order through checkout for a consumer with the e-mail
// address and returns its id; "+pending-accepted" in the address sends a
// test-mode order to manual review.
func (e *env) order(email string, amount int64) string {
	e.t.Helper()
	data := checkout.OrderData{
		PurchaseCountry: "DK", PurchaseCurrency: "DKK", Locale: "da-DK", OrderAmount: amount, OrderTaxAmount: amount / 5,
		OrderLines: []checkout.OrderLine{{Type: "physical", Reference: "SKU-1", Name: "Rain jacket", Quantity: 1,
			UnitPrice: amount, TaxRate: 2500, TotalAmount: amount, TotalTaxAmount: amount / 5}},
	}
	sess, err := e.app.Checkout.CreateSession(e.ctx, e.shop, data, "https://tillit.example")
	if err != nil {
		e.t.Fatal(err)
	}
	auth, err := e.app.Checkout.Authorize(e.ctx, sess.SessionID, sess.ClientToken, checkout.AuthorizeRequest{
		PaymentMethodCategory: "pay_later",
		Customer:              checkout.Customer{DateOfBirth: "1990-05-17"},
		BillingAddress: &checkout.Address{GivenName: "Anna", FamilyName: "Jensen", Email: email, Phone: "+4520123456",
			StreetAddress: "Sletten 1", PostalCode: "9270", City: "Klarup", Country: "DK"},
		OTP: checkout.TestOTP,
	})
	if err != nil || !auth.Approved {
		e.t.Fatalf("authorize: %+v %v", auth, err)
	}
	created, err := e.app.Checkout.CreateOrder(e.ctx, e.shop, auth.AuthorizationToken, data)
	if err != nil {
		e.t.Fatal(err)
	}
	return created.OrderID
}

// pendingEmail is a test-mode consumer whose orders go to manual review.
const pendingEmail = "anna+pending-accepted@example.dk"

// fraudStatus returns an order's fraud status.
func (e *env) fraudStatus(orderID string) string {
	e.t.Helper()
	o, err := e.app.Checkout.ReviewOrder(e.ctx, orderID)
	if err != nil {
		e.t.Fatal(err)
	}
	return o.FraudStatus
}

// auditEntries returns the audit entries about subject with the action.
func (e *env) auditEntries(subject, action string) []audit.Entry {
	e.t.Helper()
	all, err := audit.ForSubject(e.ctx, e.app.DB, subject)
	if err != nil {
		e.t.Fatal(err)
	}
	var out []audit.Entry
	for _, en := range all {
		if en.Action == action {
			out = append(out, en)
		}
	}
	return out
}

// client is a browser stand-in: a cookie jar, no automatic redirects, and
// the CSRF token of the last page it loaded.
type client struct {
	t     *testing.T
	e     *env
	http  *http.Client
	token string
}

func (e *env) client() *client {
	e.t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		e.t.Fatal(err)
	}
	return &client{t: e.t, e: e, http: &http.Client{
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

var tokenRE = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// do sends a request and returns the response and its body; a page with a
// form leaves its CSRF token in c.token.
func (c *client) do(method, path string, form url.Values) (*http.Response, string) {
	c.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, c.e.srv.URL+path, body)
	if err != nil {
		c.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	res, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	if m := tokenRE.FindStringSubmatch(string(b)); m != nil {
		c.token = m[1]
	}
	return res, string(b)
}

func (c *client) get(path string) (*http.Response, string) { return c.do("GET", path, nil) }

// post sends a form with the CSRF token of the last page loaded.
func (c *client) post(path string, form url.Values) (*http.Response, string) {
	c.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if c.token != "" && form.Get("csrf_token") == "" {
		form.Set("csrf_token", c.token)
	}
	return c.do("POST", path, form)
}

// submitSignIn loads the sign-in page and submits the e-mail address and
// password.
func (c *client) submitSignIn(email, password string) (*http.Response, string) {
	c.t.Helper()
	c.get("/staff/signin")
	return c.post("/staff/signin", url.Values{"email": {email}, "password": {password}})
}

// secondFactor follows res, the answer to st's password, to the code page
// and gives it a code of st's authenticator; it returns the answer to that.
func (c *client) secondFactor(st account.Staff, res *http.Response) (*http.Response, string) {
	c.t.Helper()
	to := res.Header.Get("Location")
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(to, "/staff/signin/verify") {
		c.t.Fatalf("after the password: %d to %q", res.StatusCode, to)
	}
	u := mustURL(c.t, to)
	_, page := c.get(to)
	a := c.e.auth[st.ID]
	if a == nil {
		// Made through the admin page: the code page sets up an app.
		m := secretRE.FindStringSubmatch(page)
		if m == nil {
			c.t.Fatalf("no authenticator to set up on the code page:\n%s", page)
		}
		a = &browsertest.Authenticator{Secret: m[1]}
		c.e.auth[st.ID] = a
	}
	res, body := c.post(u.Path, url.Values{"code": {a.Code(c.t, c.e.clk.Now())}, "next": {u.Query().Get("next")}})
	if m := recoveryRE.FindAllStringSubmatch(body, -1); res.StatusCode == http.StatusOK && m != nil {
		for _, code := range m {
			a.Recovery = append(a.Recovery, code[1])
		}
	}
	return res, body
}

var (
	secretRE   = regexp.MustCompile(`id="totp-secret">([A-Z2-7]+)<`)
	recoveryRE = regexp.MustCompile(`<code>([a-z2-7]{8}-[a-z2-7]{8})</code>`)
)

// signIn signs in as st, password and code, and loads the home page (for
// its CSRF token).
func (c *client) signIn(st account.Staff) {
	c.t.Helper()
	res, body := c.secondFactor(st, first(c.submitSignIn(st.Email, staffPassword)))
	enrolled := res.StatusCode == http.StatusOK && strings.Contains(body, `id="recovery-codes"`)
	if !enrolled && (res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/staff/") {
		c.t.Fatalf("sign in as %s: %d to %q\n%s", st.Role, res.StatusCode, res.Header.Get("Location"), body)
	}
	if res, _ := c.get("/staff/"); res.StatusCode != http.StatusOK {
		c.t.Fatalf("home after sign-in: %d", res.StatusCode)
	}
}

// first returns its first argument.
func first(res *http.Response, _ string) *http.Response { return res }

// wantRedirect fails unless res is a 303 to location.
func wantRedirect(t *testing.T, res *http.Response, location string) {
	t.Helper()
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != location {
		t.Fatalf("got %d to %q, want 303 to %q", res.StatusCode, res.Header.Get("Location"), location)
	}
}
