package hosted_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/tillit/tillit/internal/browsertest"
	"github.com/tillit/tillit/internal/checkout"
	"github.com/tillit/tillit/internal/hosted"
	"github.com/tillit/tillit/internal/i18n"
	"github.com/tillit/tillit/internal/ledger"
	"github.com/tillit/tillit/internal/merchant"
	"github.com/tillit/tillit/internal/plan"
	"github.com/tillit/tillit/internal/repayment"
	"github.com/tillit/tillit/internal/store"
)

// browserCase is one payment method as a consumer chooses it in the browser.
type browserCase struct {
	method string
	// months is the financing term chosen (pay_over_time only).
	months int
	// label is the method's name on the page.
	label string
}

// TestHostedCheckoutInBrowser walks the hosted checkout in Chromium at
// desktop and phone widths. For each payment method a shop opens a session
// through checkout.Service; the consumer opens the checkout link, reads the
// order, fills in who they are, picks the method (a financing term among the
// offers, whose figures are plan.Offer's), enters the test code and lands on
// the shop's authorization page carrying the token (a pay-later consumer
// who opens the checkout link again before the order is placed is offered
// the way back to the shop with the same token). The shop places the order
// with the token through checkout.Service and captures it: the order's plan
// has the method's schedule and the ledger verifies. A live merchant's consumer who types a wrong code
// is told how many tries are left, and passes with the e-mailed one; a
// consumer the assessment rejects sees the rejected page; without an
// authorization URL the consumer sees the token; a Danish session is in
// Danish and switches to English. Every page passes the accessibility check;
// with TILLIT_SCREENSHOT_DIR set, pages are saved there as
// checkout-<page>-<desktop|phone>.png.
func TestHostedCheckoutInBrowser(t *testing.T) {
	shots := os.Getenv("TILLIT_SCREENSHOT_DIR")
	if shots != "" {
		if err := os.MkdirAll(shots, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	cases := []browserCase{
		{method: repayment.CategoryPayNow, label: "Pay now"},
		{method: repayment.CategoryPayLater, label: "Pay later"},
		{method: repayment.CategoryPayIn3, label: "Pay in 3"},
		{method: repayment.CategoryFinancing, months: 24, label: "Financing"},
	}
	for _, vp := range []struct {
		name string
		size browsertest.Viewport
	}{{"desktop", browsertest.Desktop}, {"phone", browsertest.Phone}} {
		t.Run(vp.name, func(t *testing.T) {
			e := newEnv(t)
			b := browsertest.New(t)
			b.SetViewport(vp.size)
			w := &walker{t: t, e: e, b: b, shots: shots, viewport: vp.name}
			test, err := merchant.Get(context.Background(), e.app.DB, e.id)
			if err != nil {
				t.Fatal(err)
			}

			for _, c := range cases {
				t.Run(c.method, func(t *testing.T) {
					w.t = t
					data := purchase("en-DK", e.shop.URL+"/authorized?ref="+c.method)
					s := w.session(test, data)
					w.open(s)
					if got := b.Text("h1"); got != "Pay Test Shop" {
						t.Errorf("h1 %q", got)
					}
					w.expect("#order-total", "Total: DKK 1,250.00")
					w.expect("#order-heading + table", "Rain jacket")
					w.expect("#order-heading + table", "Boots")
					if n := b.Count(`input[name="payment_method"]`); n != 4 {
						t.Errorf("%d payment methods offered, want 4", n)
					}
					w.expect("#terms-pay_later", "within 30 days after the goods are shipped")
					w.expect("#terms-pay_in_parts", "DKK 416.68, DKK 416.66 and DKK 416.66")
					w.expectOffers(125000)
					w.check("details", c.method == repayment.CategoryPayLater)

					w.fillIdentity("anna@example.com")
					w.choose(c)
					if c.method == repayment.CategoryFinancing {
						w.check("financing", true)
					}
					if status := b.Submit("Continue"); status != http.StatusOK || !strings.HasSuffix(b.URL(), "/checkout/"+s.SessionID+"/code") {
						t.Fatalf("after the details: status %d at %s", status, b.URL())
					}
					if got := b.Text("h1"); got != "Confirm with your code" {
						t.Errorf("code page h1 %q", got)
					}
					w.expect("#purchase-method", "Payment method: "+c.label+".")
					w.expect("#test-code", "Test mode: use the code 123456.")
					w.check("code", c.method == repayment.CategoryFinancing)

					b.Fill("One-time code", checkout.TestOTP)
					token := w.confirmToShop(s, c.method)
					if c.method == repayment.CategoryPayLater {
						// Back at the checkout before the shop placed the
						// order: the way back to the shop.
						b.Navigate(e.link(sessionResp{SessionID: s.SessionID, ClientToken: s.ClientToken}))
						if got := b.Text("h1"); got != "This purchase is already approved" {
							t.Errorf("h1 %q", got)
						}
						w.check("authorized", false)
						b.Submit("Continue to Test Shop")
						if got := b.Text("#token"); got != token {
							t.Errorf("the way back brought token %q, want %q", got, token)
						}
					}
					w.placeAndCheck(test, token, data, c)
				})
			}

			t.Run("wrong code", func(t *testing.T) {
				w.t = t
				live, err := merchant.Get(context.Background(), e.app.DB, mustID(t, e, false))
				if err != nil {
					t.Fatal(err)
				}
				data := purchase("en-DK", e.shop.URL+"/authorized?ref=live")
				s := w.session(live, data)
				w.open(s)
				if b.Count("#test-mode") != 0 {
					t.Error("a live merchant's checkout says test mode")
				}
				w.fillIdentity("bo@example.com")
				w.choose(cases[1])
				b.Submit("Continue")
				if b.Count("#test-code") != 0 {
					t.Error("a live merchant's code page shows the test code")
				}
				sent := e.mailedCode("bo@example.com")
				wrong := "000000"
				if sent == wrong {
					wrong = "111111"
				}
				b.Fill("One-time code", wrong)
				if status := b.Submit("Confirm purchase"); status != http.StatusUnprocessableEntity {
					t.Fatalf("wrong code: status %d", status)
				}
				w.expect(".error-summary", "That code is not right. Tries left: 4.")
				w.expect("#f-otp-error", "Tries left: 4.")
				if got := b.Value("One-time code"); got != "" {
					t.Errorf("the code field kept %q", got)
				}
				w.check("wrong-code", true)
				b.Fill("One-time code", sent)
				token := w.confirmToShop(s, "live")
				w.placeAndCheck(live, token, data, cases[1])
			})

			t.Run("rejected", func(t *testing.T) {
				w.t = t
				s := w.session(test, purchase("en-DK", e.shop.URL+"/authorized?ref=rejected"))
				w.open(s)
				w.fillIdentity("anna+denied@example.com")
				w.choose(cases[3])
				b.Submit("Continue")
				b.Fill("One-time code", checkout.TestOTP)
				if status := b.Submit("Confirm purchase"); status != http.StatusOK {
					t.Fatalf("rejected: status %d", status)
				}
				if got := b.Text("h1"); got != "We cannot approve this payment" {
					t.Errorf("h1 %q at %s", got, b.URL())
				}
				w.expect("main", "go back to Test Shop")
				if strings.HasPrefix(b.URL(), e.shop.URL) {
					t.Error("a rejected consumer was sent to the shop")
				}
				w.check("rejected", true)
				// Checking the details leads back to the filled-in form.
				b.Submit("Check your details")
				if got := b.Value("E-mail"); got != "anna+denied@example.com" {
					t.Errorf("details after rejection: e-mail %q", got)
				}
			})

			t.Run("no authorization URL", func(t *testing.T) {
				w.t = t
				data := purchase("en-DK", "")
				s := w.session(test, data)
				w.open(s)
				w.fillIdentity("anna@example.com")
				w.choose(cases[2])
				b.Submit("Continue")
				b.Fill("One-time code", checkout.TestOTP)
				if status := b.Submit("Confirm purchase"); status != http.StatusOK {
					t.Fatalf("approved: status %d", status)
				}
				if got := b.Text("h1"); got != "Payment approved" {
					t.Errorf("h1 %q", got)
				}
				token := b.Text("#authorization-token")
				w.check("approved", true)
				w.placeAndCheck(test, token, data, cases[2])
				// The link again: already approved.
				b.Navigate(e.link(sessionResp{SessionID: s.SessionID, ClientToken: s.ClientToken}))
				if got := b.Text("h1"); got != "This purchase is already approved" {
					t.Errorf("h1 %q", got)
				}
				w.check("authorized", false)
				// A broken link.
				if status := b.Navigate(e.srv.URL + hosted.Prefix + s.SessionID + "?client_token=ct1.forged"); status != http.StatusNotFound {
					t.Errorf("forged link: status %d", status)
				}
				w.check("notfound", false)
			})

			t.Run("language", func(t *testing.T) {
				w.t = t
				s := w.session(test, purchase("da-DK", ""))
				w.open(s)
				if got := b.Text("h1"); got != "Betal til Test Shop" {
					t.Errorf("h1 %q", got)
				}
				w.expect("#order-total", "I alt: 1.250,00 kr.")
				w.check("details-da", false)
				b.Submit("English")
				if got := b.Text("h1"); got != "Pay Test Shop" {
					t.Errorf("after switching: h1 %q", got)
				}
				w.expect("#order-total", "Total: DKK 1,250.00")
			})
		})
	}
}

// walker drives one browser through checkouts.
type walker struct {
	t        *testing.T
	e        *env
	b        *browsertest.Browser
	shots    string
	viewport string
}

// mustID creates a merchant and returns its id.
func mustID(t *testing.T, e *env, testMode bool) string {
	t.Helper()
	_, id := e.newMerchant(testMode)
	return id
}

// purchase is order() as checkout.OrderData: 1,250.00 DKK in two lines,
// with authURL (when not empty) as merchant_urls.authorization.
func purchase(locale, authURL string) checkout.OrderData {
	d := checkout.OrderData{
		PurchaseCountry: "DK", PurchaseCurrency: "DKK", Locale: locale, OrderAmount: 125000, OrderTaxAmount: 25000,
		OrderLines: []checkout.OrderLine{
			{Type: "physical", Reference: "SKU-1", Name: "Rain jacket", Quantity: 2, UnitPrice: 50000, TaxRate: 2500,
				TotalAmount: 100000, TotalTaxAmount: 20000},
			{Type: "physical", Reference: "SKU-2", Name: "Boots", Quantity: 1, UnitPrice: 30000, TaxRate: 2500,
				TotalAmount: 25000, TotalDiscountAmount: 5000, TotalTaxAmount: 5000},
		},
		MerchantReference1: "ORDER-1001",
	}
	if authURL != "" {
		d.MerchantURLs = &checkout.MerchantURLs{Authorization: authURL, Confirmation: "https://shop.example/thanks"}
	}
	return d
}

// session opens a payment session for m through checkout.Service, as the
// Payments API does.
func (w *walker) session(m merchant.Merchant, d checkout.OrderData) checkout.SessionCreated {
	w.t.Helper()
	s, err := w.e.app.Checkout.CreateSession(context.Background(), m, d, w.e.srv.URL)
	if err != nil {
		w.t.Fatal(err)
	}
	return s
}

// open follows the session's checkout link and expects the details page,
// at the session's address without the token.
func (w *walker) open(s checkout.SessionCreated) {
	w.t.Helper()
	link := w.e.link(sessionResp{SessionID: s.SessionID, ClientToken: s.ClientToken})
	if status := w.b.Navigate(link); status != http.StatusOK {
		w.t.Fatalf("checkout link: status %d", status)
	}
	if got, want := w.b.URL(), w.e.srv.URL+hosted.Prefix+s.SessionID; got != want {
		w.t.Fatalf("checkout link led to %s, want %s", got, want)
	}
}

// expect fails unless the element's visible text contains want.
func (w *walker) expect(selector, want string) {
	w.t.Helper()
	if got := w.b.Text(selector); !strings.Contains(got, want) {
		w.t.Errorf("%s reads %q, want %q in it", selector, got, want)
	}
}

// check runs the accessibility check on the current page and, when shot is
// true and screenshots are wanted, saves it as checkout-<page>-<viewport>.png.
func (w *walker) check(page string, shot bool) {
	w.t.Helper()
	w.b.CheckAccessibility(w.t)
	if shot && w.shots != "" {
		w.b.Screenshot(filepath.Join(w.shots, "checkout-"+page+"-"+w.viewport+".png"))
	}
}

// fillIdentity fills in the details form for Anna Jensen in Klarup with
// the e-mail address (the country stays the preselected Denmark).
func (w *walker) fillIdentity(email string) {
	w.t.Helper()
	for _, f := range [][2]string{
		{"First name", "Anna"}, {"Last name", "Jensen"}, {"E-mail", email}, {"Phone number (optional)", "+45 20 12 34 56"},
		{"Street and house number", "Sletten 1"}, {"Postcode", "9270"}, {"Town or city", "Klarup"}, {"Date of birth", "17-05-1990"},
	} {
		w.b.Fill(f[0], f[1])
	}
	if got := w.b.Value("Country"); got != "DK" {
		w.t.Errorf("country %q, want DK preselected", got)
	}
}

// choose picks the case's payment method, with a card for pay now and the
// case's term for financing.
func (w *walker) choose(c browserCase) {
	w.t.Helper()
	w.click(fmt.Sprintf(`input[name="payment_method"][value=%q]`, c.method))
	switch c.method {
	case repayment.CategoryPayNow:
		w.click(`input[name="instrument"][value="card"]`)
	case repayment.CategoryFinancing:
		w.click(fmt.Sprintf(`input[name="financing_months"][value="%d"]`, c.months))
	}
}

// click clicks the element a CSS selector picks (a radio button, which the
// browsertest helpers find by label only when the label is short).
func (w *walker) click(selector string) {
	w.t.Helper()
	ctx, cancel := context.WithTimeout(w.b.Context(), browsertest.Timeout)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Click(chromedp.CSS(selector), chromedp.NodeVisible)); err != nil {
		w.t.Fatalf("click %s: %v", selector, err)
	}
	if !browsertest.Eval[bool](w.b, fmt.Sprintf("document.querySelector(%q).checked", selector)) {
		w.t.Fatalf("%s is not checked after a click", selector)
	}
}

// expectOffers checks the financing offers on the details page against
// plan.Offer under the repayment terms orders are financed with.
func (w *walker) expectOffers(amount int64) {
	w.t.Helper()
	for _, months := range plan.FinancingMonths {
		terms := w.e.app.Plans.Config.Financing
		terms.Months = months
		o, err := plan.Offer(amount, terms)
		if err != nil {
			w.t.Fatal(err)
		}
		label := fmt.Sprintf(`input[name="financing_months"][value="%d"]`, months)
		if w.b.Count(label) != 1 {
			w.t.Errorf("no %d-month offer", months)
			continue
		}
		w.expect(fmt.Sprintf("#method-pay_over_time label:has(%s)", label),
			fmt.Sprintf("%d months: %s a month", months, dkk(o.MonthlyPayment)))
		w.expect(fmt.Sprintf("#financing-%d", months), fmt.Sprintf("APR %d.%02d%%, total cost of credit %s, total payable %s",
			o.APR/100, o.APR%100, dkk(o.TotalCreditCost), dkk(o.TotalPayable)))
	}
}

// dkk writes an amount as the English pages do, with plain spaces.
func dkk(amount int64) string {
	return strings.Join(strings.Fields(i18n.FormatMoney(i18n.English, amount, "DKK")), " ")
}

// confirmToShop confirms the code and expects to land on the shop's
// authorization page for ref, with the authorization token; it returns the
// token.
func (w *walker) confirmToShop(s checkout.SessionCreated, ref string) string {
	w.t.Helper()
	if status := w.b.Submit("Confirm purchase"); status != http.StatusOK {
		w.t.Fatalf("confirm: status %d at %s", status, w.b.URL())
	}
	u, err := url.Parse(w.b.URL())
	if err != nil || !strings.HasPrefix(w.b.URL(), w.e.shop.URL+"/authorized?") {
		w.t.Fatalf("after the code the browser is at %s, want the shop", w.b.URL())
	}
	token := u.Query().Get("authorization_token")
	if token == "" || u.Query().Get("ref") != ref || w.b.Text("#token") != token {
		w.t.Fatalf("the shop got %s", w.b.URL())
	}
	var status string
	if err := w.e.app.DB.Read(context.Background(), func(tx *store.Tx) error {
		return tx.QueryRow(`SELECT status FROM payment_sessions WHERE id = $1`, s.SessionID).Scan(&status)
	}); err != nil || status != checkout.SessionComplete {
		w.t.Fatalf("session status %q, %v", status, err)
	}
	return token
}

// placeAndCheck places the order with the token through checkout.Service,
// captures it in full with goods shipping two days later, and checks that
// its plan is the method's schedule and that the ledger verifies.
func (w *walker) placeAndCheck(m merchant.Merchant, token string, d checkout.OrderData, c browserCase) {
	w.t.Helper()
	ctx := context.Background()
	svc := w.e.app.Checkout
	created, err := svc.CreateOrder(ctx, m, token, d)
	if err != nil {
		w.t.Fatalf("place the order: %v", err)
	}
	if created.AuthorizedPaymentMethod.Type == "" {
		w.t.Errorf("order %+v has no payment method", created)
	}
	w.e.runJobs()
	const shippingDelay = 2
	now := w.e.clk.Now()
	if err := w.e.app.DB.Write(ctx, func(tx *store.Tx) error {
		_, err := svc.Capture(tx, m.ID, created.OrderID, checkout.CaptureRequest{CapturedAmount: d.OrderAmount, ShippingDelay: shippingDelay})
		return err
	}); err != nil {
		w.t.Fatalf("capture: %v", err)
	}
	w.e.runJobs()
	p, err := w.e.app.Plans.Get(ctx, created.OrderID)
	if err != nil {
		w.t.Fatal(err)
	}
	if p.Method != c.method {
		w.t.Errorf("plan method %s, want %s", p.Method, c.method)
	}
	ship := plan.AddDays(now, shippingDelay)
	var want plan.Schedule
	switch c.method {
	case repayment.CategoryPayNow:
		want, err = plan.NewPayNow(d.OrderAmount, now)
	case repayment.CategoryPayLater:
		want, err = plan.NewPayLater(d.OrderAmount, ship)
	case repayment.CategoryPayIn3:
		want, err = plan.NewPayIn3(d.OrderAmount, ship)
	case repayment.CategoryFinancing:
		terms := w.e.app.Plans.Config.Financing
		terms.Months = c.months
		want, err = plan.NewFinancing(d.OrderAmount, ship, terms)
	}
	if err != nil {
		w.t.Fatal(err)
	}
	if len(p.Installments) != len(want.Installments) {
		w.t.Fatalf("%d instalments, want %d: %+v", len(p.Installments), len(want.Installments), p.Installments)
	}
	var sum int64
	for i, in := range p.Installments {
		sum += in.Amount
		if in.Amount != want.Installments[i].Amount || !in.Due.Equal(want.Installments[i].Due) {
			w.t.Errorf("instalment %d: %d due %s, want %d due %s", i+1, in.Amount, in.Due.Format(time.DateOnly),
				want.Installments[i].Amount, want.Installments[i].Due.Format(time.DateOnly))
		}
	}
	if sum != want.Total || p.Total != want.Total {
		w.t.Errorf("instalments add up to %d, plan total %d, want %d", sum, p.Total, want.Total)
	}
	switch c.method {
	case repayment.CategoryPayNow:
		if p.Outstanding != 0 {
			w.t.Errorf("pay now: %d outstanding after the charge", p.Outstanding)
		}
	case repayment.CategoryPayLater:
		if days := p.Installments[0].Due.Sub(plan.Date(now)) / (24 * time.Hour); days != 30+shippingDelay {
			w.t.Errorf("pay later due %d days after capture, want 30 after shipping", days)
		}
	case repayment.CategoryFinancing:
		terms := w.e.app.Plans.Config.Financing
		terms.Months = c.months
		o, _ := plan.Offer(d.OrderAmount, terms)
		if p.Total != o.TotalPayable || p.Installments[0].Amount != o.MonthlyPayment {
			w.t.Errorf("financing plan total %d, first %d; the offer said %d and %d a month", p.Total, p.Installments[0].Amount, o.TotalPayable, o.MonthlyPayment)
		}
	}
	report, err := ledger.Verify(ctx, w.e.app.DB)
	if err != nil {
		w.t.Fatal(err)
	}
	if !report.OK() {
		w.t.Errorf("ledger: %v", report.Problems)
	}
}
