package portal_test

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
	"time"

	"github.com/tillit/tillit/internal/account"
	"github.com/tillit/tillit/internal/app"
	"github.com/tillit/tillit/internal/audit"
	"github.com/tillit/tillit/internal/checkout"
	"github.com/tillit/tillit/internal/clock"
	"github.com/tillit/tillit/internal/ledger"
	"github.com/tillit/tillit/internal/logscan"
	"github.com/tillit/tillit/internal/merchant"
	"github.com/tillit/tillit/internal/portal"
	"github.com/tillit/tillit/internal/settlement"
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/store/storetest"
	"github.com/tillit/tillit/internal/web"
)

// userPassword is every test merchant user's password.
const userPassword = "Harbour-lantern-violet-2031"

// testLog writes log lines to the test's log, shown when it fails.
type testLog struct{ t *testing.T }

func (l testLog) Write(b []byte) (int, error) {
	l.t.Log(strings.TrimSpace(string(b)))
	return len(b), nil
}

// env is the whole platform on the test's database engine with the portal
// served over loopback, a manual clock and one test-mode merchant.
type env struct {
	t     *testing.T
	ctx   context.Context
	app   *app.App
	clk   *clock.Manual
	pages *portal.Pages
	srv   *httptest.Server
	shop  merchant.Merchant
}

// newEnv starts Tillit and the portal; when the test ends it checks that the
// ledger balances and the audit chain is intact.
func newEnv(t *testing.T) *env {
	t.Helper()
	ctx := context.Background()
	clk := clock.NewManual(storetest.Start)
	logger := logscan.Logger()
	a, err := app.New(ctx, app.Config{DatabaseURL: storetest.DSN(t), Clock: clk, Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	pages, err := portal.New(portal.Config{
		DB: a.DB, Checkout: a.Checkout, Accounts: a.Accounts, Key: []byte(a.WebKey),
		Logger: logscan.LoggerTo(testLog{t}),
	})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/static/", web.Static())
	mux.Handle(portal.Prefix, pages.Handler())
	srv := httptest.NewServer(mux)
	e := &env{t: t, ctx: ctx, app: a, clk: clk, pages: pages, srv: srv}
	t.Cleanup(func() {
		srv.Close()
		e.verifyLedger()
		if r, err := audit.Verify(ctx, a.DB); err != nil || !r.OK() {
			t.Errorf("audit verify: %v %v", r.Problems, err)
		}
		a.Close()
	})
	e.shop = e.merchant("Nordic Rain", "")
	return e
}

// verifyLedger fails the test unless every journal balances and every
// order's receivable and merchant's payable rebuild from the entries.
func (e *env) verifyLedger() {
	e.t.Helper()
	if r, err := ledger.Verify(e.ctx, e.app.DB); err != nil || !r.OK() {
		e.t.Errorf("ledger verify: %v %v", r.Problems, err)
	}
}

// merchant creates a test-mode merchant settling in DKK.
func (e *env) merchant(name, notificationURL string) merchant.Merchant {
	e.t.Helper()
	creds, err := merchant.Create(e.ctx, e.app.DB, merchant.NewMerchant{Name: name, TestMode: true, SettlementCurrency: "DKK", NotificationURL: notificationURL})
	if err != nil {
		e.t.Fatal(err)
	}
	m, err := merchant.Get(e.ctx, e.app.DB, creds.MerchantID)
	if err != nil {
		e.t.Fatal(err)
	}
	return m
}

// user creates a user of the shop with the role, as the command line does.
func (e *env) user(role account.MerchantRole, name string) account.MerchantUser {
	e.t.Helper()
	return e.userOf(e.shop, role, name)
}

// userOf creates a user of merchant m with the role.
func (e *env) userOf(m merchant.Merchant, role account.MerchantRole, name string) account.MerchantUser {
	e.t.Helper()
	logscan.Secret(logscan.Password, userPassword)
	u, err := e.app.Accounts.CreateMerchantUser(e.ctx, "cli", account.NewMerchantUser{
		MerchantID: m.ID, Email: strings.ToLower(strings.ReplaceAll(name, " ", ".")) + "@shop.example", Name: name, Role: role, Password: userPassword,
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return u
}

// orderSpec describes an order to place.
type orderSpec struct {
	merchant merchant.Merchant
	amount   int64
	currency string // DKK when empty
	method   string // pay_later when empty
	email    string // an accepted test consumer when empty
	ref      string
}

// order places an order for the shop in DKK with pay later and returns its id.
func (e *env) order(amount int64) string {
	e.t.Helper()
	return e.place(orderSpec{merchant: e.shop, amount: amount})
}

// place places an order through checkout as the spec says and returns its
// id ("" when the authorization is refused).
func (e *env) place(s orderSpec) string {
	e.t.Helper()
	if s.currency == "" {
		s.currency = "DKK"
	}
	if s.method == "" {
		s.method = "pay_later"
	}
	if s.email == "" {
		s.email = "anna@example.dk"
	}
	country := map[string]string{"DKK": "DK", "EUR": "NL", "SEK": "SE"}[s.currency]
	data := checkout.OrderData{
		PurchaseCountry: country, PurchaseCurrency: s.currency, Locale: "da-DK", OrderAmount: s.amount, OrderTaxAmount: s.amount / 5,
		MerchantReference1: s.ref,
		OrderLines: []checkout.OrderLine{{Type: "physical", Reference: "SKU-1", Name: "Rain jacket", Quantity: 1,
			UnitPrice: s.amount, TaxRate: 2500, TotalAmount: s.amount, TotalTaxAmount: s.amount / 5}},
	}
	sess, err := e.app.Checkout.CreateSession(e.ctx, s.merchant, data, "https://tillit.example")
	if err != nil {
		e.t.Fatal(err)
	}
	auth, err := e.app.Checkout.Authorize(e.ctx, sess.SessionID, sess.ClientToken, checkout.AuthorizeRequest{
		PaymentMethodCategory: s.method,
		Customer:              checkout.Customer{DateOfBirth: "1990-05-17"},
		BillingAddress: &checkout.Address{GivenName: "Anna", FamilyName: "Jensen", Email: s.email, Phone: "+4520123456",
			StreetAddress: "Sletten 1", PostalCode: "9270", City: "Klarup", Country: country},
		OTP: checkout.TestOTP,
	})
	if err != nil {
		e.t.Fatalf("authorize: %v", err)
	}
	if !auth.Approved {
		return ""
	}
	created, err := e.app.Checkout.CreateOrder(e.ctx, s.merchant, auth.AuthorizationToken, data)
	if err != nil {
		e.t.Fatal(err)
	}
	return created.OrderID
}

// write runs fn in a transaction, failing the test on error.
func (e *env) write(fn func(tx *store.Tx) error) {
	e.t.Helper()
	if err := e.app.DB.Write(e.ctx, fn); err != nil {
		e.t.Fatal(err)
	}
}

// capture captures amount of the shop's order through the service, as the
// API would.
func (e *env) capture(orderID string, amount int64) {
	e.t.Helper()
	e.write(func(tx *store.Tx) error {
		_, err := e.app.Checkout.Capture(tx, e.shop.ID, orderID, checkout.CaptureRequest{CapturedAmount: amount})
		return err
	})
}

// settle runs the settlement of m for the UTC day of day.
func (e *env) settle(m merchant.Merchant, day time.Time) settlement.Settlement {
	e.t.Helper()
	start, end := settlement.DayPeriod(day)
	s, err := settlement.Run(e.ctx, e.app.DB, m.ID, start, end)
	if err != nil {
		e.t.Fatal(err)
	}
	return s
}

// getOrder returns the shop's order.
func (e *env) getOrder(id string) checkout.Order {
	e.t.Helper()
	o, err := e.app.Checkout.GetOrder(e.ctx, e.shop.ID, id)
	if err != nil {
		e.t.Fatal(err)
	}
	return o
}

// reference returns an order's Tillit reference.
func (e *env) reference(id string) string {
	e.t.Helper()
	o := e.getOrder(id)
	return o.KlarnaReference
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
// the CSRF token and order state of the last page it loaded.
type client struct {
	t     *testing.T
	e     *env
	http  *http.Client
	token string
	state string
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

var (
	tokenRE = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)
	stateRE = regexp.MustCompile(`name="state" value="([^"]+)"`)
)

// do sends a request and returns the response and its body; a page with a
// form leaves its CSRF token (and an order page its state) in the client.
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
	if m := stateRE.FindStringSubmatch(string(b)); m != nil {
		c.state = m[1]
	}
	return res, string(b)
}

func (c *client) get(path string) (*http.Response, string) { return c.do("GET", path, nil) }

// post sends a form with the CSRF token of the last page loaded (and the
// order state it showed, unless the form has its own).
func (c *client) post(path string, form url.Values) (*http.Response, string) {
	c.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if c.token != "" && form.Get("csrf_token") == "" {
		form.Set("csrf_token", c.token)
	}
	if c.state != "" && !form.Has("state") {
		form.Set("state", c.state)
	}
	return c.do("POST", path, form)
}

// submitSignIn loads the sign-in page and submits the e-mail address and
// password.
func (c *client) submitSignIn(email, password string) (*http.Response, string) {
	c.t.Helper()
	c.get("/portal/signin")
	return c.post("/portal/signin", url.Values{"email": {email}, "password": {password}})
}

// signIn signs in as u and loads the dashboard (for its CSRF token).
func (c *client) signIn(u account.MerchantUser) {
	c.t.Helper()
	res, body := c.submitSignIn(u.Email, userPassword)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/portal/" {
		c.t.Fatalf("sign in as %s: %d to %q\n%s", u.Role, res.StatusCode, res.Header.Get("Location"), body)
	}
	if res, _ := c.get("/portal/"); res.StatusCode != http.StatusOK {
		c.t.Fatalf("dashboard after sign-in: %d", res.StatusCode)
	}
}

// wantRedirect fails unless res is a 303 to location.
func wantRedirect(t *testing.T, res *http.Response, location string) {
	t.Helper()
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != location {
		t.Fatalf("got %d to %q, want 303 to %q", res.StatusCode, res.Header.Get("Location"), location)
	}
}

// wantContains fails for each of wants that body lacks.
func wantContains(t *testing.T, what, body string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(body, w) {
			t.Errorf("%s lacks %q", what, w)
		}
	}
}
