package demoshop_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tillit/tillit/internal/backoffice"
	"github.com/tillit/tillit/internal/checkout"
	"github.com/tillit/tillit/internal/consumerapp"
	"github.com/tillit/tillit/internal/demoshop"
	"github.com/tillit/tillit/internal/hosted"
	"github.com/tillit/tillit/internal/merchant"
	"github.com/tillit/tillit/internal/store"
)

// noPasswords fails the test if the page shows any of the demo's secrets.
func (e *env) noPasswords(p page) {
	e.t.Helper()
	d := e.demo
	p.lacks(e.t, d.MerchantPortal.Password, d.BackOffice.Password, d.APICredentials.Password, d.APICredentials.SigningSecret)
}

func TestIndex(t *testing.T) {
	e := newEnv(t)
	c := e.client()
	pg := c.get(demoshop.Prefix).expect(t, http.StatusOK)
	pg.has(t, "<h1>Try Tillit</h1>", "Demo Shop is a pretend shop in test mode", "Demo mode is never for production",
		"the one-time code is always 123456")
	for _, link := range []string{demoshop.ShopPath, consumerapp.Prefix, consumerapp.MailboxPath, "/portal/", backoffice.Prefix} {
		if !strings.Contains(pg.body, `href="`+link+`"`) {
			t.Errorf("the index does not link to %s", link)
		}
	}
	e.noPasswords(pg)
	c.get(demoshop.Prefix+"?lang=da").expect(t, http.StatusOK).has(t, "<h1>Prøv Tillit</h1>", `<html lang="da">`)

	// The mailbox is the consumer app's, mounted on its own; anything else
	// under the prefix is not found.
	for _, p := range []string{consumerapp.MailboxPath, demoshop.Prefix + "nowhere", demoshop.ShopPath + "/nowhere"} {
		c.get(p).expect(t, http.StatusNotFound)
	}
}

// basketLine is one expected order line: reference, quantity, unit price,
// total and tax.
type basketLine struct {
	ref                   string
	qty, unit, total, tax int64
}

// TestShopCreatesSession checks the payment session the shop opens for
// each country: the basket's lines, their VAT, the totals, the locale and
// the way back, and the redirect to the hosted checkout.
func TestShopCreatesSession(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		country, lang, currency, locale string
		rate, amount, tax               int64
		lines                           []basketLine
		page                            []string
	}{
		{"DK", "en", "DKK", "en-DK", 2500, 109600, 21920, []basketLine{
			{"DEMO-RAIN-JACKET", 1, 89900, 89900, 17980}, {"DEMO-WOOL-SOCKS", 2, 7900, 15800, 3160}, {"DEMO-SHIPPING", 1, 3900, 3900, 780},
		}, []string{"DKK 899.00", "DKK 1,096.00", "Netherlands", "Of which VAT (25%)", "DKK 219.20"}},
		{"SE", "sv", "SEK", "sv-SE", 2500, 159600, 31920, []basketLine{
			{"DEMO-RAIN-JACKET", 1, 129900, 129900, 25980}, {"DEMO-WOOL-SOCKS", 2, 11900, 23800, 4760}, {"DEMO-SHIPPING", 1, 5900, 5900, 1180},
		}, []string{"1 299,00 kr", "1 596,00 kr", "Nederländerna", "Varav moms (25 %)", "Gå till betalning"}},
		{"NL", "nl", "EUR", "nl-NL", 2100, 14680, 2549, []basketLine{
			{"DEMO-RAIN-JACKET", 1, 11995, 11995, 2082}, {"DEMO-WOOL-SOCKS", 2, 1095, 2190, 381}, {"DEMO-SHIPPING", 1, 495, 495, 86},
		}, []string{"€ 119,95", "€ 146,80", "Zweden", "Waarvan btw (21%)", "€ 25,49"}},
	}
	for _, tt := range tests {
		t.Run(tt.country, func(t *testing.T) {
			c := e.client()
			shop := c.get(demoshop.ShopPath+"?country="+tt.country+"&lang="+tt.lang).expect(t, http.StatusOK)
			shop.has(t, tt.page...)
			e.noPasswords(shop)

			id, pg := c.buy(tt.country, tt.lang)
			entry := mustParse(t, pg.redirects[0])
			if entry.Query().Get("lang") != tt.lang {
				t.Errorf("checkout link %s does not carry the language", pg.redirects[0])
			}
			s := e.session(id)
			if s.ClientToken != entry.Query().Get("client_token") {
				t.Error("the checkout link carries another session's client token")
			}
			if s.PurchaseCountry != tt.country || s.PurchaseCurrency != tt.currency || s.Locale != tt.locale {
				t.Errorf("session %s %s %s", s.PurchaseCountry, s.PurchaseCurrency, s.Locale)
			}
			if s.OrderAmount != tt.amount || s.OrderTaxAmount != tt.tax || len(s.OrderLines) != len(tt.lines) {
				t.Fatalf("session amount %d, tax %d, %d lines", s.OrderAmount, s.OrderTaxAmount, len(s.OrderLines))
			}
			var sum, tax int64
			for i, l := range s.OrderLines {
				w := tt.lines[i]
				if l.Reference != w.ref || l.Quantity != w.qty || l.UnitPrice != w.unit || l.TotalAmount != w.total ||
					l.TotalTaxAmount != w.tax || l.TaxRate != tt.rate || l.TotalDiscountAmount != 0 || l.Name == "" {
					t.Errorf("line %d: %+v, want %+v at %d", i, l, w, tt.rate)
				}
				sum += l.TotalAmount
				tax += l.TotalTaxAmount
			}
			if sum != s.OrderAmount || tax != s.OrderTaxAmount {
				t.Errorf("lines add up to %d with %d tax", sum, tax)
			}
			if want := e.srv.URL + "/demo/shop/authorized?token={authorization_token}"; s.MerchantURLs == nil || s.MerchantURLs.Authorization != want {
				t.Errorf("merchant_urls %+v, want authorization %s", s.MerchantURLs, want)
			}
			if !strings.HasPrefix(s.MerchantReference1, "DEMO-") {
				t.Errorf("merchant_reference1 %q", s.MerchantReference1)
			}
			// The details page of the checkout shows the basket's total.
			pg.has(t, tt.page[1])
		})
	}

	t.Run("product names in the checkout's language", func(t *testing.T) {
		c := e.client()
		c.get(demoshop.ShopPath+"?lang=en").expect(t, http.StatusOK).has(t, "Rain jacket")
		id, _ := c.buy("DK", "da")
		if s := e.session(id); s.OrderLines[0].Name != "Regnjakke" || s.Locale != "da-DK" {
			t.Errorf("line %q in %s", s.OrderLines[0].Name, s.Locale)
		}
	})
	t.Run("country from the language", func(t *testing.T) {
		c := e.client()
		c.get(demoshop.ShopPath+"?lang=sv").expect(t, http.StatusOK).has(t, "1 596,00 kr", `<option value="SE" selected>Sverige</option>`)
		c.get(demoshop.ShopPath+"?lang=nl&country=dk").expect(t, http.StatusOK).has(t, "DKK 1.096,00")
		c.get(demoshop.ShopPath+"?lang=en&country=XX").expect(t, http.StatusOK).has(t, "DKK 1,096.00")
	})
	t.Run("unknown country", func(t *testing.T) {
		c := e.client()
		c.get(demoshop.ShopPath).expect(t, http.StatusOK)
		c.post(demoshop.ShopPath, url.Values{"country": {"XX"}, "language": {"en"}}).expect(t, http.StatusBadRequest)
	})
	t.Run("without CSRF token", func(t *testing.T) {
		c := e.client()
		c.get(demoshop.ShopPath).expect(t, http.StatusOK)
		c.do(http.MethodPost, demoshop.ShopPath, url.Values{"country": {"DK"}, "language": {"en"}}).expect(t, http.StatusForbidden)
	})
	if n := len(e.orders()); n != 0 {
		t.Errorf("%d orders placed by opening sessions", n)
	}
}

// TestShopFlow walks the whole purchase over HTTP: the shop, the hosted
// checkout's details and code pages, the way back with the authorization
// token, where the shop places the order and thanks the buyer. Forged and
// foreign tokens are refused before anything is written, a reload does not
// place the order twice, and the ledger verifies at the end.
func TestShopFlow(t *testing.T) {
	e := newEnv(t)
	c := e.client()
	id, _ := c.buy("DK", "en")
	back := c.authorize(id, "anna@example.com", "pay_later")
	if got, want := back.Scheme+"://"+back.Host+back.Path, e.srv.URL+"/demo/shop/authorized"; got != want {
		t.Fatalf("the checkout sent the buyer to %s, want %s", back, want)
	}
	token := back.Query().Get("token")
	if token == "" || token != e.session(id).AuthorizationToken {
		t.Fatalf("the way back carries token %q", token)
	}

	// Tokens that are not this browser's place nothing.
	forged := []struct {
		name  string
		c     *client
		token string
	}{
		{"no token", c, ""},
		{"not a token", c, "forged"},
		{"unknown token", c, "0190a0a0-0000-7000-8000-000000000000"},
		{"another browser", e.client(), token},
	}
	for _, f := range forged {
		pg := f.c.get("/demo/shop/authorized?token=" + url.QueryEscape(f.token))
		if pg.status != http.StatusNotFound {
			t.Errorf("%s: status %d, want 404", f.name, pg.status)
		}
		pg.has(t, "We could not find this purchase", "Back to the shop")
	}
	if n := len(e.orders()); n != 0 {
		t.Fatalf("forged tokens placed %d orders", n)
	}

	pg := c.get(back.String()).expect(t, http.StatusOK)
	pg.has(t, "<h1>Thank you for your order</h1>", "Demo Shop has placed your order with Tillit.", "DKK 1,096.00",
		"Pay later (invoice)", "Accepted", `href="/portal/"`, `href="/app/"`, `href="/demo/mailbox"`)
	pg.lacks(t, "reloading the page does not place it again")
	e.noPasswords(pg)
	m := orderID.FindStringSubmatch(pg.body)
	if m == nil {
		t.Fatalf("no order id on the thank-you page:\n%s", pg.body)
	}
	orders := e.orders()
	if len(orders) != 1 || orders[0].OrderID != m[1] {
		t.Fatalf("orders %+v, the page says %s", orders, m[1])
	}
	o, err := e.app.Checkout.GetOrder(e.ctx, e.demo.Merchant.ID, m[1])
	if err != nil {
		t.Fatal(err)
	}
	s := e.session(id)
	if o.Status != checkout.StatusAuthorized || o.FraudStatus != checkout.FraudAccepted || o.OrderAmount != s.OrderAmount ||
		o.OrderTaxAmount != s.OrderTaxAmount || len(o.OrderLines) != len(s.OrderLines) || o.MerchantReference1 != s.MerchantReference1 ||
		o.PurchaseCurrency != "DKK" || o.InitialPaymentMethod.Type != "invoice" {
		t.Errorf("order %+v for session amount %d", o, s.OrderAmount)
	}
	pg.has(t, orders[0].Reference)

	// Reloading shows the same order and places nothing more.
	again := c.get(back.String()).expect(t, http.StatusOK)
	again.has(t, m[1], "Reloading the page does not place it again.")
	if n := len(e.orders()); n != 1 {
		t.Errorf("%d orders after a reload", n)
	}
	// The used token is still no one else's.
	e.client().get(back.String()).expect(t, http.StatusNotFound)

	// The shop captures and the ledger verifies (at cleanup).
	if err := e.app.DB.Write(e.ctx, func(tx *store.Tx) error {
		_, err := e.app.Checkout.Capture(tx, e.demo.Merchant.ID, m[1], checkout.CaptureRequest{CapturedAmount: o.OrderAmount})
		return err
	}); err != nil {
		t.Fatal(err)
	}
}

// TestShopFlowOutcomes covers the other ways back: a pending fraud review,
// a second checkout in another tab, and an approval that expired before the
// buyer came back.
func TestShopFlowOutcomes(t *testing.T) {
	e := newEnv(t)

	t.Run("pending review and two tabs", func(t *testing.T) {
		c := e.client()
		first, _ := c.buy("DK", "en")
		second, _ := c.buy("SE", "en")
		// The first tab comes back after the second was opened.
		back := c.authorize(first, "anna+pending-accepted@example.com", "pay_in_parts")
		pg := c.get(back.String()).expect(t, http.StatusOK)
		pg.has(t, "Waiting for review", "Pay in 3", "DKK 1,096.00", "Tillit holds the order for a fraud review.")
		// The Swedish purchase needs a Swedish address.
		form := details("sven@example.com", "pay_now")
		form.Set("country", "SE")
		form.Set("instrument", "card")
		c.post(hosted.Prefix+second, form).expect(t, http.StatusOK)
		res := c.send(http.MethodPost, hosted.Prefix+second+"/code", c.withCSRF(url.Values{"otp": {checkout.TestOTP}}))
		if res.location == "" {
			t.Fatalf("confirm: %d\n%s", res.status, res.body)
		}
		c.get(res.location).expect(t, http.StatusOK).has(t, "Pay now", "SEK 1,596.00", "Accepted")
		if n := len(e.orders()); n != 2 {
			t.Errorf("%d orders, want 2", n)
		}
	})

	t.Run("expired approval", func(t *testing.T) {
		c := e.client()
		id, _ := c.buy("DK", "en")
		back := c.authorize(id, "anna@example.com", "pay_later")
		before := len(e.orders())
		e.clk.Advance(checkout.AuthorizationLifetime + time.Minute)
		pg := c.get(back.String())
		if pg.status != http.StatusGone {
			t.Fatalf("status %d, want 410", pg.status)
		}
		pg.has(t, "This approval has expired", "an approval lasts 60 minutes")
		if n := len(e.orders()); n != before {
			t.Errorf("an expired approval placed an order")
		}
	})
}

// TestBaseURL checks that the way back uses the configured public origin,
// and that New refuses what it cannot serve.
func TestBaseURL(t *testing.T) {
	e := newEnv(t)
	srv := httptest.NewServer(e.mux(demoshop.Config{BaseURL: "https://tillit.example/"}))
	t.Cleanup(srv.Close)
	c := newClient(t, srv.URL)
	id, _ := c.buy("DK", "en")
	if got := e.session(id).MerchantURLs.Authorization; got != "https://tillit.example/demo/shop/authorized?token={authorization_token}" {
		t.Errorf("authorization URL %s", got)
	}

	live, err := merchant.Create(e.ctx, e.app.DB, merchant.NewMerchant{Name: "Live Shop", SettlementCurrency: "DKK"})
	if err != nil {
		t.Fatal(err)
	}
	liveMerchant, err := merchant.Get(e.ctx, e.app.DB, live.MerchantID)
	if err != nil {
		t.Fatal(err)
	}
	key := []byte(e.app.WebKey)
	for name, cfg := range map[string]demoshop.Config{
		"no checkout":    {Merchant: e.demo.Merchant, Key: key},
		"no merchant":    {Checkout: e.app.Checkout, Key: key},
		"live merchant":  {Checkout: e.app.Checkout, Merchant: liveMerchant, Key: key},
		"short key":      {Checkout: e.app.Checkout, Merchant: e.demo.Merchant, Key: []byte("short")},
		"base with path": {Checkout: e.app.Checkout, Merchant: e.demo.Merchant, Key: key, BaseURL: "https://tillit.example/shop"},
		"base relative":  {Checkout: e.app.Checkout, Merchant: e.demo.Merchant, Key: key, BaseURL: "tillit.example"},
	} {
		if _, err := demoshop.New(cfg); err == nil {
			t.Errorf("%s: New accepted it", name)
		}
	}
}
