package consumerapp_test

import (
	"context"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tillit/tillit/internal/app"
	"github.com/tillit/tillit/internal/browsertest"
	"github.com/tillit/tillit/internal/checkout"
	"github.com/tillit/tillit/internal/clock"
	"github.com/tillit/tillit/internal/consumerapp"
	"github.com/tillit/tillit/internal/ledger"
	"github.com/tillit/tillit/internal/logscan"
	"github.com/tillit/tillit/internal/merchant"
	"github.com/tillit/tillit/internal/repayment"
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/store/storetest"
	"github.com/tillit/tillit/internal/web"
)

const (
	anna = "anna@example.com"
	bob  = "bob@example.com"
	dkk  = "DKK"
)

// env is the whole platform on the test's database engine with the consumer
// app served over loopback, a manual clock and one test-mode merchant.
type env struct {
	t   testing.TB
	ctx context.Context
	app *app.App
	clk *clock.Manual
	srv *httptest.Server
	m   merchant.Merchant
}

// newEnv starts the platform and the consumer app (in demo mode unless
// demo is false) and checks the ledger when the test ends.
func newEnv(t testing.TB, demo bool) *env {
	t.Helper()
	ctx := context.Background()
	clk := clock.NewManual(storetest.Start)
	logger := logscan.Logger()
	a, err := app.New(ctx, app.Config{DatabaseURL: storetest.DSN(t), Clock: clk, Logger: logger,
		CardNetworkUsername: networkUser, CardNetworkPassword: networkPass})
	if err != nil {
		t.Fatal(err)
	}
	logscan.Secret(logscan.Password, networkPass)
	logscan.Secret(logscan.Password, staffPassword)
	pages, err := consumerapp.New(consumerapp.Config{
		Accounts: a.Accounts, Plans: a.Plans, Key: []byte(a.WebKey), Demo: demo, Rights: a.Rights, Cards: a.Cards,
		Logger: logscan.LoggerTo(testLog{t}),
	})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle(consumerapp.Prefix, pages.Handler())
	mux.Handle(consumerapp.MailboxPath, pages.DemoMailboxHandler())
	mux.Handle("GET /static/", web.Static())
	e := &env{t: t, ctx: ctx, app: a, clk: clk, srv: httptest.NewServer(mux)}
	t.Cleanup(func() {
		e.srv.Close()
		report, err := ledger.Verify(ctx, a.DB)
		if err != nil {
			t.Errorf("ledger verify: %v", err)
		} else if !report.OK() {
			t.Errorf("ledger does not balance: %v", report.Problems)
		}
		a.Close()
	})
	creds, err := merchant.Create(ctx, a.DB, merchant.NewMerchant{Name: "Nordic Rain", TestMode: true, SettlementCurrency: dkk})
	if err != nil {
		t.Fatal(err)
	}
	if e.m, err = merchant.Get(ctx, a.DB, creds.MerchantID); err != nil {
		t.Fatal(err)
	}
	return e
}

// testLog writes the pages' log lines to the test's log.
type testLog struct{ t testing.TB }

func (l testLog) Write(b []byte) (int, error) {
	l.t.Log(strings.TrimSpace(string(b)))
	return len(b), nil
}

// order places an order for the consumer with the address through checkout
// and returns its id.
func (e *env) order(email, category string, amount int64, months int) string {
	e.t.Helper()
	data := checkout.OrderData{
		PurchaseCountry: "DK", PurchaseCurrency: dkk, Locale: "da-DK", OrderAmount: amount,
		OrderLines: []checkout.OrderLine{{Type: "physical", Reference: "SKU-1", Name: "Rain jacket", Quantity: 1, UnitPrice: amount, TotalAmount: amount}},
	}
	sess, err := e.app.Checkout.CreateSession(e.ctx, e.m, data, "https://tillit.example")
	if err != nil {
		e.t.Fatal(err)
	}
	auth, err := e.app.Checkout.Authorize(e.ctx, sess.SessionID, sess.ClientToken, checkout.AuthorizeRequest{
		PaymentMethodCategory: category, FinancingMonths: months,
		Customer: checkout.Customer{DateOfBirth: "1990-05-17"},
		BillingAddress: &checkout.Address{GivenName: "Anna", FamilyName: "Jensen", Email: email, Phone: "+4520123456",
			StreetAddress: "Sletten 1", PostalCode: "9270", City: "Klarup", Country: "DK"},
		OTP: checkout.TestOTP,
	})
	if err != nil || !auth.Approved {
		e.t.Fatalf("authorize: %+v %v", auth, err)
	}
	created, err := e.app.Checkout.CreateOrder(e.ctx, e.m, auth.AuthorizationToken, data)
	if err != nil {
		e.t.Fatal(err)
	}
	return created.OrderID
}

// capture captures amount of an order, shipped today.
func (e *env) capture(orderID string, amount int64) {
	e.t.Helper()
	err := e.app.DB.Write(e.ctx, func(tx *store.Tx) error {
		_, err := e.app.Checkout.Capture(tx, e.m.ID, orderID, checkout.CaptureRequest{CapturedAmount: amount})
		return err
	})
	if err != nil {
		e.t.Fatalf("capture: %v", err)
	}
}

// runJobs runs every job due now until none is left.
func (e *env) runJobs() {
	e.t.Helper()
	for range 50 {
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

// settle lets the payment rail confirm what was sent to it: a minute passes
// and the due jobs run.
func (e *env) settle() {
	e.t.Helper()
	e.runJobs()
	e.clk.Advance(time.Minute)
	e.runJobs()
}

// advanceDays moves the clock day by day, running the due jobs each day.
func (e *env) advanceDays(days int) {
	e.t.Helper()
	for range days {
		e.clk.Advance(24 * time.Hour)
		e.runJobs()
	}
}

// reference returns an order's reference as the consumer sees it.
func (e *env) reference(orderID string) string {
	e.t.Helper()
	p, err := e.app.Plans.Get(e.ctx, orderID)
	if err != nil {
		e.t.Fatal(err)
	}
	return p.OrderReference
}

// plan returns an order's payment plan.
func (e *env) plan(orderID string) repayment.Plan {
	e.t.Helper()
	p, err := e.app.Plans.Get(e.ctx, orderID)
	if err != nil {
		e.t.Fatal(err)
	}
	return p
}

var codePattern = regexp.MustCompile(`\b(\d{6})\b`)

// lastCode reads the latest sign-in code e-mailed to the address from the
// outbox.
func (e *env) lastCode(email string) string {
	e.t.Helper()
	msgs, err := e.app.Accounts.DemoMailbox(e.ctx, email, 1)
	if err != nil || len(msgs) == 0 {
		e.t.Fatalf("no e-mail to the consumer: %v", err)
	}
	body := msgs[0].Body
	m := codePattern.FindStringSubmatch(body)
	if m == nil {
		e.t.Fatalf("no code in %q", body)
	}
	logscan.Secret(logscan.OneTimeCode, m[1])
	return m[1]
}

// signInBrowser signs the consumer with the address in to the app in the
// browser, with the code from their mailbox, and fails the test unless it
// lands on the app's home page.
func (e *env) signInBrowser(b *browsertest.Browser, email string) {
	e.t.Helper()
	b.Navigate(e.srv.URL + "/app/signin")
	b.Fill("E-mail", email)
	b.Submit("Send me a code")
	b.Fill("One-time code", e.lastCode(email))
	if status := b.Submit("Sign in"); status != http.StatusOK || !strings.HasSuffix(b.URL(), "/app/") {
		e.t.Fatalf("sign in: status %d at %s", status, b.URL())
	}
}

// client is a browser without JavaScript: it keeps cookies, follows
// redirects and sends the CSRF token of the last page it loaded.
type client struct {
	t    testing.TB
	e    *env
	base string // the server's URL
	http *http.Client
	csrf string
}

func (e *env) client() *client {
	jar, err := cookiejar.New(nil)
	if err != nil {
		e.t.Fatal(err)
	}
	return &client{t: e.t, e: e, base: e.srv.URL, http: &http.Client{
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// page is a loaded page after any redirects.
type page struct {
	status int
	// path is the final URL's path and query.
	path string
	body string
	// redirects are the Location headers followed on the way.
	redirects []string
	// cookies are the Set-Cookie headers of every response on the way.
	cookies []string
}

// has reports whether the page's text (entities decoded) contains s.
func (p page) has(s string) bool { return strings.Contains(html.UnescapeString(p.body), s) }

var csrfPattern = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// do sends one request and follows redirects with GET.
func (c *client) do(method, path string, form url.Values) page {
	c.t.Helper()
	var pg page
	for hops := 0; ; hops++ {
		if hops > 10 {
			c.t.Fatalf("%s %s: too many redirects: %v", method, path, pg.redirects)
		}
		var body io.Reader
		if form != nil {
			body = strings.NewReader(form.Encode())
		}
		req, err := http.NewRequest(method, c.base+path, body)
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
		b, err := io.ReadAll(res.Body)
		res.Body.Close()
		if err != nil {
			c.t.Fatal(err)
		}
		pg.cookies = append(pg.cookies, res.Header.Values("Set-Cookie")...)
		if loc := res.Header.Get("Location"); res.StatusCode >= 300 && res.StatusCode < 400 && loc != "" {
			pg.redirects = append(pg.redirects, loc)
			method, path, form = http.MethodGet, loc, nil
			continue
		}
		pg.status, pg.path, pg.body = res.StatusCode, req.URL.RequestURI(), string(b)
		if m := csrfPattern.FindStringSubmatch(pg.body); m != nil {
			c.csrf = html.UnescapeString(m[1])
		}
		return pg
	}
}

func (c *client) get(path string) page {
	c.t.Helper()
	return c.do(http.MethodGet, path, nil)
}

// post submits a form with the CSRF token of the last page loaded.
func (c *client) post(path string, form url.Values) page {
	c.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if _, ok := form[web.CSRFFieldName]; !ok {
		form.Set(web.CSRFFieldName, c.csrf)
	}
	return c.do(http.MethodPost, path, form)
}

// signIn goes through the sign-in pages with the code from the outbox and
// returns the home page.
func (c *client) signIn(email string) page {
	c.t.Helper()
	c.get("/app/signin")
	pg := c.post("/app/signin", url.Values{"email": {email}})
	if pg.status != http.StatusOK || pg.path != "/app/signin/code" {
		c.t.Fatalf("after asking for a code: %d at %s", pg.status, pg.path)
	}
	pg = c.post("/app/signin/code", url.Values{"code": {c.e.lastCode(email)}})
	if pg.status != http.StatusOK || pg.path != "/app/" {
		c.t.Fatalf("after the code: %d at %s", pg.status, pg.path)
	}
	return pg
}

// cookie returns the value of a cookie the client holds for the app.
func (c *client) cookie(name string) string {
	u, err := url.Parse(c.base + "/app/")
	if err != nil {
		c.t.Fatal(err)
	}
	for _, ck := range c.http.Jar.Cookies(u) {
		if ck.Name == name {
			return ck.Value
		}
	}
	return ""
}
