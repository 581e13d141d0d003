package fraudcase_test

import (
	"context"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tillit/tillit/internal/account"
	"github.com/tillit/tillit/internal/app"
	"github.com/tillit/tillit/internal/audit"
	"github.com/tillit/tillit/internal/browsertest"
	"github.com/tillit/tillit/internal/checkout"
	"github.com/tillit/tillit/internal/clock"
	"github.com/tillit/tillit/internal/fraudcase"
	"github.com/tillit/tillit/internal/ledger"
	"github.com/tillit/tillit/internal/logscan"
	"github.com/tillit/tillit/internal/merchant"
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/store/storetest"
)

// password is every test account's password.
const password = "Lantern-harbour-violet-1987"

// The consumer who disputes, and her merchant's user.
const (
	annaEmail     = "anna@example.dk"
	merchantEmail = "owner@nordicrain.example"
)

// env is the whole platform on the test's database engine, served over
// loopback, with a manual clock and one merchant with a portal user; the
// case's hooks are the application's (the claim cancelled by the fraud
// write-off, the stop-request answers and merchant messages attached).
type env struct {
	t    *testing.T
	ctx  context.Context
	app  *app.App
	clk  *clock.Manual
	srv  *httptest.Server
	shop merchant.Merchant
	svc  *fraudcase.Service
	// auth holds staff's authenticators by e-mail address (authenticator).
	auth map[string]*browsertest.Authenticator
}

// newEnv starts Tillit; when the test ends it checks that the ledger
// balances and the audit chain is intact.
func newEnv(t *testing.T) *env {
	t.Helper()
	ctx := context.Background()
	clk := clock.NewManual(storetest.Start)
	logger := logscan.Logger()
	a, err := app.New(ctx, app.Config{DatabaseURL: storetest.DSN(t), Clock: clk, Logger: logger, BaseURL: "https://tillit.example"})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(a.Handler)
	e := &env{t: t, ctx: ctx, app: a, clk: clk, srv: srv, svc: a.FraudCases}
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
	logscan.Secret(logscan.Password, password)
	if _, err := a.Accounts.CreateMerchantUser(ctx, "cli", account.NewMerchantUser{MerchantID: e.shop.ID, Email: merchantEmail,
		Name: "Olga Owner", Role: account.MerchantOwner, Password: password}); err != nil {
		t.Fatal(err)
	}
	return e
}

// buyer is who places an order.
type buyer struct {
	given, family, email, phone, street string
}

var (
	anna = buyer{"Anna", "Jensen", annaEmail, "+4520123456", "Sletten 1"}
	// bo shares Anna's phone number: his orders are linked to hers.
	bo = buyer{"Bo", "Larsen", "bo.larsen@example.dk", "+4520123456", "Havnegade 7"}
)

// order places a pay-later order for the buyer and returns its id.
func (e *env) order(b buyer, amount int64) string {
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
		BillingAddress: &checkout.Address{GivenName: b.given, FamilyName: b.family, Email: b.email, Phone: b.phone,
			StreetAddress: b.street, PostalCode: "9270", City: "Klarup", Country: "DK"},
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

// capture ships the whole order today.
func (e *env) capture(orderID string, amount int64) {
	e.t.Helper()
	err := e.app.DB.Write(e.ctx, func(tx *store.Tx) error {
		_, err := e.app.Checkout.Capture(tx, e.shop.ID, orderID, checkout.CaptureRequest{CapturedAmount: amount})
		return err
	})
	if err != nil {
		e.t.Fatal(err)
	}
}

// reference returns an order's reference.
func (e *env) reference(orderID string) string {
	e.t.Helper()
	o, err := e.app.Checkout.ReviewOrder(e.ctx, orderID)
	if err != nil {
		e.t.Fatal(err)
	}
	return o.Reference
}

// runJobs runs every job due now until none is left.
func (e *env) runJobs() {
	e.t.Helper()
	for range 100 {
		n, err := e.app.Runner.RunDue(e.ctx)
		if err != nil {
			e.t.Fatal(err)
		}
		if n == 0 {
			return
		}
	}
	e.t.Fatal("jobs keep coming")
}

// advanceDays moves the clock day by day, running the due jobs each day.
func (e *env) advanceDays(days int) {
	e.t.Helper()
	for range days {
		e.clk.Advance(24 * time.Hour)
		e.runJobs()
	}
}

// staff creates a member of staff with the role.
func (e *env) staff(role account.Role) account.Staff {
	e.t.Helper()
	name := "Member " + strings.ReplaceAll(string(role), "_", " ")
	st, err := e.app.Accounts.CreateStaff(e.ctx, "cli", account.NewStaff{
		Email: strings.ReplaceAll(string(role), "_", ".") + "@tillit.example", Name: name, Role: role, Password: password,
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return st
}

// caseOf returns the latest case of an order.
func (e *env) caseOf(orderID string) fraudcase.Case {
	e.t.Helper()
	var id string
	if err := e.app.DB.Read(e.ctx, func(tx *store.Tx) error {
		return tx.QueryRow(`SELECT id FROM fraud_cases WHERE order_id = $1 ORDER BY opened_at DESC LIMIT 1`, orderID).Scan(&id)
	}); err != nil {
		e.t.Fatalf("case of %s: %v", orderID, err)
	}
	st := account.Staff{ID: "test", Role: account.RoleSecurityAnalyst}
	f, err := e.svc.Get(e.ctx, st, id)
	if err != nil {
		e.t.Fatal(err)
	}
	return f.Case
}

// count returns the result of a COUNT query.
func (e *env) count(query string, args ...any) int {
	e.t.Helper()
	var n int
	if err := e.app.DB.Read(e.ctx, func(tx *store.Tx) error { return tx.QueryRow(query, args...).Scan(&n) }); err != nil {
		e.t.Fatal(err)
	}
	return n
}

// events returns how many timeline events all cases have.
func (e *env) events() int { return e.count(`SELECT COUNT(*) FROM fraud_case_events`) }

// auditCount returns how many audit entries about subject have the action.
func (e *env) auditCount(subject, action string) int {
	e.t.Helper()
	all, err := audit.ForSubject(e.ctx, e.app.DB, subject)
	if err != nil {
		e.t.Fatal(err)
	}
	n := 0
	for _, en := range all {
		if en.Action == action {
			n++
		}
	}
	return n
}

// mails returns the e-mails queued to the address, newest first.
func (e *env) mails(email string) []account.MailMessage {
	e.t.Helper()
	msgs, err := e.app.Accounts.DemoMailbox(e.ctx, email, 100)
	if err != nil {
		e.t.Fatal(err)
	}
	return msgs
}

var (
	codePattern = regexp.MustCompile(`\b(\d{6})\b`)
	linkPattern = regexp.MustCompile(`/portal/fraud-cases/[A-Za-z0-9_-]+/reply/[A-Za-z0-9_-]+`)
	tokenRE     = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)
)

// replyLink returns the path of the latest reply link e-mailed to the
// merchant's user.
func (e *env) replyLink() string {
	e.t.Helper()
	for _, m := range e.mails(merchantEmail) {
		if l := linkPattern.FindString(m.Body); l != "" {
			return l
		}
	}
	e.t.Fatal("no reply link e-mailed to the merchant")
	return ""
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
	jar, err := cookiejar.New(nil)
	if err != nil {
		e.t.Fatal(err)
	}
	return &client{t: e.t, e: e, http: &http.Client{Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// page is a response: status, redirect target and body (entities decoded).
type page struct {
	status   int
	location string
	body     string
}

// do sends a request; a page with a form leaves its CSRF token.
func (c *client) do(method, path string, body io.Reader, contentType string) page {
	c.t.Helper()
	req, err := http.NewRequest(method, c.e.srv.URL+path, body)
	if err != nil {
		c.t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
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
	return page{status: res.StatusCode, location: res.Header.Get("Location"), body: html.UnescapeString(string(b))}
}

func (c *client) get(path string) page { return c.do("GET", path, nil, "") }

// post sends a form with the CSRF token of the last page loaded.
func (c *client) post(path string, form url.Values) page {
	c.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if c.token != "" && !form.Has("csrf_token") {
		form.Set("csrf_token", c.token)
	}
	return c.do("POST", path, strings.NewReader(form.Encode()), "application/x-www-form-urlencoded")
}

// staffSignIn signs in as st.
func (c *client) staffSignIn(st account.Staff) {
	c.t.Helper()
	c.get("/staff/signin")
	pg := c.post("/staff/signin", url.Values{"email": {st.Email}, "password": {password}})
	if pg.status == http.StatusSeeOther && strings.HasPrefix(pg.location, "/staff/signin/verify") {
		pg.status, pg.location = c.staffCode(st.Email, pg.location)
	}
	if pg.status != http.StatusSeeOther || pg.location != "/staff/" {
		c.t.Fatalf("sign in as %s: %d to %q", st.Role, pg.status, pg.location)
	}
	c.get("/staff/")
}

// consumerSignIn signs the consumer in to the app with the e-mailed code.
func (c *client) consumerSignIn(email string) {
	c.t.Helper()
	c.get("/app/signin")
	c.post("/app/signin", url.Values{"email": {email}})
	c.get("/app/signin/code")
	msgs := c.e.mails(email)
	if len(msgs) == 0 {
		c.t.Fatal("no sign-in code")
	}
	m := codePattern.FindStringSubmatch(msgs[0].Body)
	if m == nil {
		c.t.Fatalf("no code in %q", msgs[0].Body)
	}
	logscan.Secret(logscan.OneTimeCode, m[1])
	pg := c.post("/app/signin/code", url.Values{"code": {m[1]}})
	if pg.status != http.StatusSeeOther {
		c.t.Fatalf("sign in: %d", pg.status)
	}
	c.get("/app/")
}

// version returns a case's version as a form value.
func version(c fraudcase.Case) string { return strconv.FormatInt(c.Version, 10) }

// itoa formats a version.
func itoa(v int64) string { return strconv.FormatInt(v, 10) }

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
	body := c.get(verify).body
	a := c.e.authenticator(email)
	if m := secretRE.FindStringSubmatch(body); m != nil {
		*a = browsertest.Authenticator{Secret: m[1]}
	}
	u, err := url.Parse(verify)
	if err != nil {
		c.t.Fatal(err)
	}
	pg := c.post(u.Path, url.Values{"code": {a.Code(c.t, c.e.clk.Now())}, "next": {u.Query().Get("next")}})
	status, location, body := pg.status, pg.location, pg.body
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
