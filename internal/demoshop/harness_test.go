package demoshop_test

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

	"github.com/tillit/tillit/internal/app"
	"github.com/tillit/tillit/internal/checkout"
	"github.com/tillit/tillit/internal/clock"
	"github.com/tillit/tillit/internal/demoshop"
	"github.com/tillit/tillit/internal/hosted"
	"github.com/tillit/tillit/internal/ledger"
	"github.com/tillit/tillit/internal/logscan"
	"github.com/tillit/tillit/internal/store/storetest"
	"github.com/tillit/tillit/internal/web"
)

// env is the whole platform on the test's database engine with a manual
// clock, a seeded demo, and the demo pages, the hosted checkout and the
// static files on one loopback server, mounted as the app mounts them in
// demo mode.
type env struct {
	t    testing.TB
	ctx  context.Context
	app  *app.App
	clk  *clock.Manual
	srv  *httptest.Server
	demo demoshop.Demo
}

// newEnv starts everything and checks, when the test ends, that the ledger
// balances.
func newEnv(t testing.TB) *env {
	t.Helper()
	ctx := context.Background()
	clk := clock.NewManual(storetest.Start)
	a, err := app.New(ctx, app.Config{DatabaseURL: storetest.DSN(t), Clock: clk, Logger: logscan.Logger()})
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, ctx: ctx, app: a, clk: clk}
	t.Cleanup(func() {
		if e.srv != nil {
			e.srv.Close()
		}
		report, err := ledger.Verify(ctx, a.DB)
		if err != nil {
			t.Errorf("ledger verify: %v", err)
		} else if !report.OK() {
			t.Errorf("ledger does not balance: %v", report.Problems)
		}
		a.Close()
	})
	if e.demo, err = demoshop.Seed(ctx, a.DB, a.Accounts); err != nil {
		t.Fatal(err)
	}
	for _, pw := range []string{e.demo.MerchantPortal.Password, e.demo.BackOffice.Password, e.demo.APICredentials.Password} {
		logscan.Secret(logscan.Password, pw)
	}
	e.srv = httptest.NewServer(e.mux(demoshop.Config{}))
	return e
}

// mux serves the demo pages built with cfg (the env's checkout, merchant,
// key and a test logger filled in), the hosted checkout and the static
// files.
func (e *env) mux(cfg demoshop.Config) http.Handler {
	e.t.Helper()
	logger := logscan.LoggerTo(testLog{e.t})
	cfg.Checkout, cfg.Merchant, cfg.Key, cfg.Logger = e.app.Checkout, e.demo.Merchant, []byte(e.app.WebKey), logger
	shop, err := demoshop.New(cfg)
	if err != nil {
		e.t.Fatal(err)
	}
	pages, err := hosted.New(hosted.Config{Checkout: e.app.Checkout, Key: []byte(e.app.WebKey), Logger: logger})
	if err != nil {
		e.t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle(demoshop.Prefix, shop.Handler())
	mux.Handle(hosted.Prefix, pages.Handler())
	mux.Handle("GET "+web.StaticPrefix, web.Static())
	return mux
}

// testLog writes the pages' log lines to the test's log.
type testLog struct{ t testing.TB }

func (l testLog) Write(b []byte) (int, error) {
	l.t.Log(strings.TrimSpace(string(b)))
	return len(b), nil
}

// orders returns the demo merchant's orders, newest first.
func (e *env) orders() []checkout.OrderSummary {
	e.t.Helper()
	list, err := e.app.Checkout.ListOrders(e.ctx, e.demo.Merchant.ID, checkout.OrderFilter{})
	if err != nil {
		e.t.Fatal(err)
	}
	return list
}

// session reads one of the demo merchant's payment sessions.
func (e *env) session(id string) checkout.Session {
	e.t.Helper()
	s, err := e.app.Checkout.GetSession(e.ctx, e.demo.Merchant.ID, id, e.srv.URL)
	if err != nil {
		e.t.Fatal(err)
	}
	return s
}

// client is a browser without JavaScript: it keeps cookies and sends the
// CSRF token of the last page it loaded.
type client struct {
	t    testing.TB
	base *url.URL
	http *http.Client
	csrf string
}

func (e *env) client() *client {
	e.t.Helper()
	return newClient(e.t, e.srv.URL)
}

func newClient(t testing.TB, base string) *client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	return &client{t: t, base: u, http: &http.Client{
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// page is a loaded page, after any redirects followed.
type page struct {
	status int
	// url is the address of the final response; location its Location
	// header, when it redirects and was not followed.
	url      *url.URL
	location string
	body     string
	// redirects are the Location headers followed on the way.
	redirects []string
}

// text is the page's body with entities decoded and non-breaking spaces
// made plain.
func (p page) text() string {
	return strings.ReplaceAll(html.UnescapeString(p.body), "\u00a0", " ")
}

// has fails the test unless the page's text holds each of want.
func (p page) has(t testing.TB, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(p.text(), w) {
			t.Errorf("%s (%d) lacks %q", p.url.RequestURI(), p.status, w)
		}
	}
}

// lacks fails the test if the page's text holds any of unwanted.
func (p page) lacks(t testing.TB, unwanted ...string) {
	t.Helper()
	for _, u := range unwanted {
		if strings.Contains(p.text(), u) {
			t.Errorf("%s (%d) shows %q", p.url.RequestURI(), p.status, u)
		}
	}
}

// expect fails the test unless the page has the status and returns it.
func (p page) expect(t testing.TB, status int) page {
	t.Helper()
	if p.status != status {
		t.Fatalf("%s: status %d, want %d\n%s", p.url.RequestURI(), p.status, status, p.body)
	}
	return p
}

var (
	csrfPattern = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)
	orderID     = regexp.MustCompile(`<dd id="order-id">([^<]+)</dd>`)
)

// send makes one request to target (a path, or an absolute URL) without
// following a redirect.
func (c *client) send(method, target string, form url.Values) page {
	c.t.Helper()
	ref, err := url.Parse(target)
	if err != nil {
		c.t.Fatal(err)
	}
	u := c.base.ResolveReference(ref)
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, u.String(), body)
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
	pg := page{status: res.StatusCode, url: u, body: string(b)}
	if res.StatusCode >= 300 && res.StatusCode < 400 {
		pg.location = res.Header.Get("Location")
	}
	if m := csrfPattern.FindStringSubmatch(pg.body); m != nil {
		c.csrf = html.UnescapeString(m[1])
	}
	return pg
}

// do makes a request and follows redirects with GET.
func (c *client) do(method, target string, form url.Values) page {
	c.t.Helper()
	var redirects []string
	for range 10 {
		pg := c.send(method, target, form)
		if pg.location == "" {
			pg.redirects = redirects
			return pg
		}
		redirects = append(redirects, pg.location)
		method, target, form = http.MethodGet, pg.url.ResolveReference(mustParse(c.t, pg.location)).String(), nil
	}
	c.t.Fatalf("%s %s: too many redirects: %v", method, target, redirects)
	return page{}
}

func mustParse(t testing.TB, raw string) *url.URL {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func (c *client) get(target string) page {
	c.t.Helper()
	return c.do(http.MethodGet, target, nil)
}

// post submits a form with the CSRF token of the last page loaded,
// following redirects.
func (c *client) post(target string, form url.Values) page {
	c.t.Helper()
	return c.do(http.MethodPost, target, c.withCSRF(form))
}

// withCSRF returns a copy of form with the CSRF token of the last page.
func (c *client) withCSRF(form url.Values) url.Values {
	out := url.Values{web.CSRFFieldName: {c.csrf}}
	for k, v := range form {
		out[k] = append([]string(nil), v...)
	}
	return out
}

// buy opens the shop, continues to payment for the country in the language
// and returns the session id and the hosted checkout's details page.
func (c *client) buy(country, lang string) (string, page) {
	c.t.Helper()
	c.get(demoshop.ShopPath+"?country="+country).expect(c.t, http.StatusOK)
	pg := c.post(demoshop.ShopPath, url.Values{"country": {country}, "language": {lang}}).expect(c.t, http.StatusOK)
	if len(pg.redirects) == 0 {
		c.t.Fatal("the shop did not redirect to the checkout")
	}
	entry := mustParse(c.t, pg.redirects[0])
	id, ok := strings.CutPrefix(entry.Path, hosted.Prefix)
	if !ok || entry.Query().Get("client_token") == "" {
		c.t.Fatalf("the shop redirected to %s, want the hosted checkout's entry URL", pg.redirects[0])
	}
	if pg.url.Path != hosted.Prefix+id {
		c.t.Fatalf("the checkout link led to %s", pg.url)
	}
	return id, pg
}

// authorize fills in the hosted checkout's details for email with method,
// confirms with the test code, and returns where the checkout sends the
// buyer back to (not followed).
func (c *client) authorize(sessionID, email, method string) *url.URL {
	c.t.Helper()
	path := hosted.Prefix + sessionID
	pg := c.post(path, details(email, method)).expect(c.t, http.StatusOK)
	if pg.url.Path != path+"/code" {
		c.t.Fatalf("after the details the buyer is at %s:\n%s", pg.url, pg.body)
	}
	res := c.send(http.MethodPost, path+"/code", c.withCSRF(url.Values{"otp": {checkout.TestOTP}}))
	if res.status != http.StatusSeeOther || res.location == "" {
		c.t.Fatalf("confirm: status %d, Location %q\n%s", res.status, res.location, res.body)
	}
	return mustParse(c.t, res.location)
}

// details is a valid details form of the hosted checkout for an adult
// Danish buyer.
func details(email, method string) url.Values {
	return url.Values{
		"given_name": {"Anna"}, "family_name": {"Jensen"}, "email": {email}, "phone": {"+45 20 12 34 56"},
		"street_address": {"Sletten 1"}, "postal_code": {"9270"}, "city": {"Klarup"}, "country": {"DK"},
		"date_of_birth": {"17-05-1990"}, "payment_method": {method},
	}
}
