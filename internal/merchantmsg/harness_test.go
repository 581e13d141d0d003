package merchantmsg_test

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
	"github.com/tillit/tillit/internal/browsertest"
	"github.com/tillit/tillit/internal/checkout"
	"github.com/tillit/tillit/internal/clock"
	"github.com/tillit/tillit/internal/ids"
	"github.com/tillit/tillit/internal/ledger"
	"github.com/tillit/tillit/internal/logscan"
	"github.com/tillit/tillit/internal/merchant"
	"github.com/tillit/tillit/internal/outbox"
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/store/storetest"
)

// Passwords of the test users.
const (
	staffPassword = "Lantern-harbour-violet-1987"
	userPassword  = "Harbour-lantern-violet-2031"
)

// Test consumers: an ordinary one, and one whose test-mode orders wait in
// manual review (fraud status PENDING).
const (
	acceptedEmail = "anna@example.dk"
	pendingEmail  = "anna+pending-accepted@example.dk"
)

// env is the whole platform on the test's engine, served over loopback
// with a manual clock, with two test-mode merchants.
type env struct {
	t           *testing.T
	ctx         context.Context
	app         *app.App
	clk         *clock.Manual
	srv         *httptest.Server
	shop, other merchant.Merchant
	// auth holds staff's authenticators by e-mail address (authenticator).
	auth map[string]*browsertest.Authenticator
}

// newEnv starts Tillit; when the test ends it checks that the ledger
// balances and the audit chain is intact.
func newEnv(t *testing.T) *env {
	t.Helper()
	ctx := context.Background()
	clk := clock.NewManual(storetest.Start)
	a, err := app.New(ctx, app.Config{DatabaseURL: storetest.DSN(t), Clock: clk, Logger: logscan.Logger()})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(a.Handler)
	e := &env{t: t, ctx: ctx, app: a, clk: clk, srv: srv}
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
	e.shop, e.other = e.merchant("Nordic Rain"), e.merchant("Other Shop")
	return e
}

// merchant creates a test-mode merchant.
func (e *env) merchant(name string) merchant.Merchant {
	e.t.Helper()
	creds, err := merchant.Create(e.ctx, e.app.DB, merchant.NewMerchant{Name: name, TestMode: true, SettlementCurrency: "DKK"})
	if err != nil {
		e.t.Fatal(err)
	}
	m, err := merchant.Get(e.ctx, e.app.DB, creds.MerchantID)
	if err != nil {
		e.t.Fatal(err)
	}
	return m
}

// order places an order of m for the consumer with the e-mail address and
// returns its id and reference.
func (e *env) order(m merchant.Merchant, email string) (string, string) {
	e.t.Helper()
	const amount = 50_000
	data := checkout.OrderData{
		PurchaseCountry: "DK", PurchaseCurrency: "DKK", Locale: "da-DK", OrderAmount: amount, OrderTaxAmount: amount / 5,
		OrderLines: []checkout.OrderLine{{Type: "physical", Reference: "SKU-1", Name: "Rain jacket", Quantity: 1,
			UnitPrice: amount, TaxRate: 2500, TotalAmount: amount, TotalTaxAmount: amount / 5}},
	}
	sess, err := e.app.Checkout.CreateSession(e.ctx, m, data, "https://tillit.example")
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
	created, err := e.app.Checkout.CreateOrder(e.ctx, m, auth.AuthorizationToken, data)
	if err != nil {
		e.t.Fatal(err)
	}
	var reference string
	e.read(func(tx *store.Tx) error {
		return tx.QueryRow(`SELECT reference FROM orders WHERE id = $1`, created.OrderID).Scan(&reference)
	})
	return created.OrderID, reference
}

// user creates a user of m with the role.
func (e *env) user(m merchant.Merchant, role account.MerchantRole, name string) account.MerchantUser {
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

// staff creates a member of staff with the role.
func (e *env) staff(role account.Role, name string) account.Staff {
	e.t.Helper()
	logscan.Secret(logscan.Password, staffPassword)
	st, err := e.app.Accounts.CreateStaff(e.ctx, "cli", account.NewStaff{
		Email: strings.ToLower(strings.ReplaceAll(name, " ", ".")) + "@tillit.example", Name: name, Role: role, Password: staffPassword,
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return st
}

// write runs fn in a write transaction.
func (e *env) write(fn func(tx *store.Tx) error) {
	e.t.Helper()
	if err := e.app.DB.Write(e.ctx, fn); err != nil {
		e.t.Fatal(err)
	}
}

// read runs fn in a read transaction.
func (e *env) read(fn func(tx *store.Tx) error) {
	e.t.Helper()
	if err := e.app.DB.Read(e.ctx, fn); err != nil {
		e.t.Fatal(err)
	}
}

// count returns the result of a COUNT(*) query.
func (e *env) count(query string, args ...any) int {
	e.t.Helper()
	var n int
	e.read(func(tx *store.Tx) error { return tx.QueryRow(query, args...).Scan(&n) })
	return n
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

// mails returns the e-mails queued to the address, newest first.
func (e *env) mails(to string) []outbox.Message {
	e.t.Helper()
	secret, err := e.app.DB.InstanceSecret(e.ctx, ids.ConsumerKeySecret)
	if err != nil {
		e.t.Fatal(err)
	}
	var out []outbox.Message
	e.read(func(tx *store.Tx) (err error) {
		out, err = outbox.To(tx, e.app.Vault, secret, outbox.Email, to, 10)
		return err
	})
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
	req.Header.Set("Accept-Language", "en")
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

// signIn signs in at the sign-in page under prefix ("/portal/" or
// "/staff/") and loads the home page there.
func (c *client) signIn(prefix, email, password string) {
	c.t.Helper()
	c.get(prefix + "signin")
	res, body := c.post(prefix+"signin", url.Values{"email": {email}, "password": {password}})
	status, location := res.StatusCode, res.Header.Get("Location")
	if status == http.StatusSeeOther && strings.HasPrefix(location, "/staff/signin/verify") {
		status, location = c.staffCode(email, location)
	}
	if status != http.StatusSeeOther || location != prefix {
		c.t.Fatalf("sign in as %s: %d to %q\n%s", email, status, location, body)
	}
	if res, _ := c.get(prefix); res.StatusCode != http.StatusOK {
		c.t.Fatalf("home after sign-in: %d", res.StatusCode)
	}
}

// merchantClient is a client signed in to the portal as u.
func (e *env) merchantClient(u account.MerchantUser) *client {
	c := e.client()
	c.signIn("/portal/", u.Email, userPassword)
	return c
}

// staffClient is a client signed in to the back office as st.
func (e *env) staffClient(st account.Staff) *client {
	c := e.client()
	c.signIn("/staff/", st.Email, staffPassword)
	return c
}

// wantStatus fails unless res has the status.
func wantStatus(t *testing.T, what string, res *http.Response, status int) {
	t.Helper()
	if res.StatusCode != status {
		t.Fatalf("%s: status %d, want %d", what, res.StatusCode, status)
	}
}

var (
	secretRE   = regexp.MustCompile(`id="totp-secret">([A-Z2-7]+)<`)
	recoveryRE = regexp.MustCompile(`<code>([a-z2-7]{8}-[a-z2-7]{8})</code>`)
)

// staffCode answers the back office's code page (at verify, where the
// password sent the browser) for the member of staff with the address,
// setting up their authenticator the first time; it returns the status and
// where the browser goes next ("/staff/" after setting up).
func (c *client) staffCode(email, verify string) (int, string) {
	c.t.Helper()
	_, body := c.get(verify)
	a := c.e.authenticator(email)
	if m := secretRE.FindStringSubmatch(body); m != nil {
		*a = browsertest.Authenticator{Secret: m[1]}
	}
	u, err := url.Parse(verify)
	if err != nil {
		c.t.Fatal(err)
	}
	res, body := c.post(u.Path, url.Values{"code": {a.Code(c.t, c.e.clk.Now())}, "next": {u.Query().Get("next")}})
	status, location := res.StatusCode, res.Header.Get("Location")
	if m := recoveryRE.FindAllStringSubmatch(body, -1); status == http.StatusOK && m != nil {
		for _, code := range m {
			a.Recovery = append(a.Recovery, code[1])
		}
		return http.StatusSeeOther, "/staff/"
	}
	return status, location
}

// authenticator returns the authenticator of the member of staff with the
// address, empty until their first sign-in sets it up on the code page.
func (e *env) authenticator(email string) *browsertest.Authenticator {
	if e.auth == nil {
		e.auth = map[string]*browsertest.Authenticator{}
	}
	a := e.auth[email]
	if a == nil {
		a = &browsertest.Authenticator{}
		e.auth[email] = a
	}
	return a
}
