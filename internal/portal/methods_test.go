package portal_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/tillit/tillit/internal/account"
	"github.com/tillit/tillit/internal/checkout"
)

// offered returns the payment method categories a new payment session of
// the shop offers.
func (e *env) offered() []string {
	e.t.Helper()
	data := checkout.OrderData{PurchaseCountry: "DK", PurchaseCurrency: "DKK", Locale: "da-DK", OrderAmount: 10000,
		OrderLines: []checkout.OrderLine{{Type: "physical", Name: "Umbrella", Quantity: 1, UnitPrice: 10000, TotalAmount: 10000}}}
	sess, err := e.app.Checkout.CreateSession(e.ctx, e.shop, data, "https://tillit.example")
	if err != nil {
		e.t.Fatal(err)
	}
	var out []string
	for _, c := range sess.PaymentMethodCategories {
		out = append(out, c.Identifier)
	}
	return out
}

// TestPaymentMethodsToggle switches payment methods off and on again from
// the settings page: new sessions offer only what is on, and each change is
// audited with the user who made it.
func TestPaymentMethodsToggle(t *testing.T) {
	e := newEnv(t)
	admin := e.user(account.MerchantAdmin, "Ada Admin")
	c := e.client()
	c.signIn(admin)
	if got := e.offered(); !slices.Equal(got, checkout.AllMethods()) {
		t.Fatalf("before: %v", got)
	}
	_, body := c.get("/portal/payment-methods")
	if n := strings.Count(body, `type="checkbox"`); n != 4 || strings.Count(body, " checked>") != 4 {
		t.Fatalf("settings page: %d boxes\n%s", n, body)
	}
	wantContains(t, "settings page", body, `<label for="f-methods">Pay now</label>`, "Monthly instalments over 6 to 36 months, with interest.")

	res, _ := c.post("/portal/payment-methods", url.Values{"methods": {"pay_later", "pay_over_time"}})
	wantRedirect(t, res, "/portal/payment-methods")
	_, body = c.get("/portal/payment-methods")
	wantContains(t, "saved page", body, "Your payment methods were saved.", `value="pay_later" aria-describedby="f-methods-pay_later-hint" checked>`)
	if strings.Count(body, " checked>") != 2 {
		t.Error("the page does not show the saved choice")
	}
	if got := e.offered(); !slices.Equal(got, []string{"pay_later", "pay_over_time"}) {
		t.Errorf("a new session offers %v", got)
	}
	entries := e.auditEntries(e.shop.ID, checkout.ActionMethodsChanged)
	if len(entries) != 1 || entries[0].Actor != "merchant_user:"+admin.ID || string(entries[0].Details) != `{"enabled":["pay_later","pay_over_time"]}` {
		t.Errorf("audit: %+v", entries)
	}

	// Switching everything off is refused; an unknown method is a bad request.
	res, body = c.post("/portal/payment-methods", url.Values{})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `<a href="#f-methods">Choose at least one payment method.</a>`) {
		t.Errorf("nothing chosen: %d", res.StatusCode)
	}
	if res, _ := c.post("/portal/payment-methods", url.Values{"methods": {"pay_now", "bitcoin"}}); res.StatusCode != http.StatusBadRequest {
		t.Errorf("unknown method: %d", res.StatusCode)
	}
	if got := e.offered(); !slices.Equal(got, []string{"pay_later", "pay_over_time"}) {
		t.Errorf("a refused change changed the offer: %v", got)
	}

	c.get("/portal/payment-methods")
	res, _ = c.post("/portal/payment-methods", url.Values{"methods": checkout.AllMethods()})
	wantRedirect(t, res, "/portal/payment-methods")
	if got := e.offered(); !slices.Equal(got, checkout.AllMethods()) {
		t.Errorf("after switching all on: %v", got)
	}
	if len(e.auditEntries(e.shop.ID, checkout.ActionMethodsChanged)) != 2 {
		t.Error("the second change was not audited")
	}
}
