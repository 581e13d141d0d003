package hosted_test

import (
	"bytes"
	"context"
	"encoding/json"
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
	"github.com/tillit/tillit/internal/clock"
	"github.com/tillit/tillit/internal/hosted"
	"github.com/tillit/tillit/internal/ledger"
	"github.com/tillit/tillit/internal/logscan"
	"github.com/tillit/tillit/internal/merchant"
	"github.com/tillit/tillit/internal/store/storetest"
	"github.com/tillit/tillit/internal/web"
)

// env is Tillit on the test's database engine with the hosted checkout and
// the JSON API on one server, a manual clock, one test-mode merchant, and a
// shop page that receives the consumer after authorization.
type env struct {
	t        testing.TB
	app      *app.App
	clk      *clock.Manual
	srv      *httptest.Server
	shop     *httptest.Server
	merchant merchant.Credentials
	id       string // the merchant's id
}

// newEnv starts everything and checks, when the test ends, that the ledger
// balances.
func newEnv(t testing.TB) *env {
	t.Helper()
	clk := clock.NewManual(storetest.Start)
	logger := logscan.Logger()
	a, err := app.New(context.Background(), app.Config{DatabaseURL: storetest.DSN(t), Clock: clk, Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	pages, err := hosted.New(hosted.Config{
		Checkout: a.Checkout, Key: []byte(a.WebKey), API: a.API.Handler(), Logger: logger,
	})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/", a.API.Handler())
	mux.Handle(hosted.Prefix, pages.Handler())
	mux.Handle("GET /static/", web.Static())
	e := &env{t: t, app: a, clk: clk, srv: httptest.NewServer(mux), shop: httptest.NewServer(http.HandlerFunc(shopPage))}
	t.Cleanup(func() {
		e.srv.Close()
		e.shop.Close()
		report, err := ledger.Verify(context.Background(), a.DB)
		if err != nil {
			t.Errorf("ledger verify: %v", err)
		} else if !report.OK() {
			t.Errorf("ledger does not balance: %v", report.Problems)
		}
		a.Close()
	})
	e.merchant, e.id = e.newMerchant(true)
	return e
}

// newMerchant creates a DKK merchant and returns its credentials and id.
func (e *env) newMerchant(testMode bool) (merchant.Credentials, string) {
	e.t.Helper()
	creds, err := merchant.Create(context.Background(), e.app.DB, merchant.NewMerchant{Name: "Test Shop", TestMode: testMode, SettlementCurrency: "DKK"})
	if err != nil {
		e.t.Fatal(err)
	}
	return creds, creds.MerchantID
}

// shopPage is the merchant's page that receives the authorization token.
func shopPage(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	io.WriteString(w, `<!doctype html><html lang="en"><head><title>Shop</title></head><body><main><h1>Shop</h1><p id="token">`+
		html.EscapeString(r.URL.Query().Get("authorization_token"))+`</p><p id="ref">`+html.EscapeString(r.URL.Query().Get("ref"))+`</p></main></body></html>`)
}

// order is a valid two-line purchase of 1,250.00 DKK with 25% VAT, in locale
// with the shop's authorization page as merchant_urls.authorization (when
// authURL is not empty).
func order(locale, authURL string) map[string]any {
	o := map[string]any{
		"purchase_country":  "DK",
		"purchase_currency": "DKK",
		"locale":            locale,
		"order_amount":      125000,
		"order_tax_amount":  25000,
		"order_lines": []map[string]any{
			{"type": "physical", "reference": "SKU-1", "name": "Rain jacket", "quantity": 2, "unit_price": 50000,
				"tax_rate": 2500, "total_amount": 100000, "total_discount_amount": 0, "total_tax_amount": 20000},
			{"type": "physical", "reference": "SKU-2", "name": "Boots", "quantity": 1, "unit_price": 30000,
				"tax_rate": 2500, "total_amount": 25000, "total_discount_amount": 5000, "total_tax_amount": 5000},
		},
		"merchant_reference1": "ORDER-1001",
	}
	if authURL != "" {
		o["merchant_urls"] = map[string]any{"authorization": authURL, "confirmation": "https://shop.example/thanks"}
	}
	return o
}

// api calls the JSON API as the env's merchant and decodes the answer into
// out (when not nil), failing unless the status is want.
func (e *env) api(method, path string, body, out any, want int) {
	e.t.Helper()
	e.apiAs(e.merchant, method, path, body, out, want)
}

func (e *env) apiAs(m merchant.Credentials, method, path string, body, out any, want int) {
	e.t.Helper()
	var rd io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			e.t.Fatal(err)
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, e.srv.URL+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.SetBasicAuth(m.Username, m.Password)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	if res.StatusCode != want {
		e.t.Fatalf("%s %s: status %d, want %d: %s", method, path, res.StatusCode, want, raw)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			e.t.Fatalf("%s %s: %v: %s", method, path, err, raw)
		}
	}
}

// sessionResp is the API's answer to creating a session.
type sessionResp struct {
	SessionID               string `json:"session_id"`
	ClientToken             string `json:"client_token"`
	PaymentMethodCategories []struct {
		Identifier string `json:"identifier"`
	} `json:"payment_method_categories"`
}

// session creates a payment session through the API.
func (e *env) session(o map[string]any) sessionResp {
	e.t.Helper()
	return e.sessionAs(e.merchant, o)
}

func (e *env) sessionAs(m merchant.Credentials, o map[string]any) sessionResp {
	e.t.Helper()
	var s sessionResp
	e.apiAs(m, "POST", "/payments/v1/sessions", o, &s, 200)
	return s
}

// link is the checkout link a merchant sends the consumer to.
func (e *env) link(s sessionResp) string {
	return e.srv.URL + hosted.Prefix + s.SessionID + "?client_token=" + url.QueryEscape(s.ClientToken)
}

// placeOrder places the order for an authorization token through the API and
// returns the order id.
func (e *env) placeOrder(token string, o map[string]any) string {
	e.t.Helper()
	var out struct {
		OrderID string `json:"order_id"`
	}
	e.api("POST", "/payments/v1/authorizations/"+token+"/order", o, &out, 200)
	return out.OrderID
}

// runJobs runs the due jobs, moves the clock a minute and runs them again.
func (e *env) runJobs() {
	e.t.Helper()
	for range 2 {
		if _, err := e.app.Runner.RunDue(context.Background()); err != nil {
			e.t.Fatal(err)
		}
		e.clk.Advance(60e9)
	}
}

// client is a browser without JavaScript: it keeps cookies and does not
// follow redirects, so tests see them.
type client struct {
	t    testing.TB
	e    *env
	http *http.Client
}

func (e *env) client() *client {
	jar, err := cookiejar.New(nil)
	if err != nil {
		e.t.Fatal(err)
	}
	return &client{t: e.t, e: e, http: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// page is a response with its body.
type page struct {
	*http.Response
	Body string
}

func (c *client) do(req *http.Request) page {
	c.t.Helper()
	res, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	return page{Response: res, Body: string(raw)}
}

// get loads a path (or absolute URL).
func (c *client) get(path string) page {
	c.t.Helper()
	if !strings.HasPrefix(path, "http") {
		path = c.e.srv.URL + path
	}
	req, err := http.NewRequest("GET", path, nil)
	if err != nil {
		c.t.Fatal(err)
	}
	return c.do(req)
}

// post submits a form to path.
func (c *client) post(path string, form url.Values) page {
	c.t.Helper()
	req, err := http.NewRequest("POST", c.e.srv.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(req)
}

// open follows a checkout link like a browser: the token redirect, then the
// page.
func (c *client) open(s sessionResp) page {
	c.t.Helper()
	p := c.get(c.e.link(s))
	if p.StatusCode != http.StatusSeeOther {
		c.t.Fatalf("checkout link: status %d, want 303", p.StatusCode)
	}
	return c.get(p.Header.Get("Location"))
}

var csrfPattern = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// csrf returns the CSRF token of a rendered page.
func (p page) csrf(t testing.TB) string {
	t.Helper()
	m := csrfPattern.FindStringSubmatch(p.Body)
	if m == nil {
		t.Fatalf("no CSRF token on the page: %s", p.Body)
	}
	return html.UnescapeString(m[1])
}

// expect fails unless the page has the status.
func (p page) expect(t testing.TB, status int) page {
	t.Helper()
	if p.StatusCode != status {
		t.Fatalf("%s %s: status %d, want %d\n%s", p.Request.Method, p.Request.URL, p.StatusCode, status, p.Body)
	}
	return p
}

// has fails unless the page's text contains each of want (HTML entities
// decoded, non-breaking spaces as spaces).
func (p page) has(t testing.TB, want ...string) {
	t.Helper()
	text := strings.ReplaceAll(html.UnescapeString(p.Body), "\u00a0", " ")
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Errorf("%s %s: page lacks %q", p.Request.Method, p.Request.URL.Path, w)
		}
	}
}

// lacks fails if the page's text contains any of unwanted.
func (p page) lacks(t testing.TB, unwanted ...string) {
	t.Helper()
	text := strings.ReplaceAll(html.UnescapeString(p.Body), "\u00a0", " ")
	for _, w := range unwanted {
		if strings.Contains(text, w) {
			t.Errorf("%s %s: page has %q", p.Request.Method, p.Request.URL.Path, w)
		}
	}
}

// identity is a valid details form for an adult Danish consumer paying
// with method.
func identity(email, method string) url.Values {
	v := url.Values{
		"given_name": {"Anna"}, "family_name": {"Jensen"}, "email": {email}, "phone": {"+45 20 12 34 56"},
		"street_address": {"Sletten 1"}, "postal_code": {"9270"}, "city": {"Klarup"}, "country": {"DK"},
		"date_of_birth": {"17-05-1990"}, "payment_method": {method},
	}
	switch method {
	case "pay_over_time":
		v.Set("financing_months", "24")
	case "pay_now":
		v.Set("instrument", "card")
	}
	return v
}

// withCSRF returns form with the page's CSRF token added.
func withCSRF(t testing.TB, p page, form url.Values) url.Values {
	t.Helper()
	out := url.Values{}
	for k, v := range form {
		out[k] = append([]string(nil), v...)
	}
	out.Set(web.CSRFFieldName, p.csrf(t))
	return out
}
