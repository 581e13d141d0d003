package consumerapp_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/card"
	"github.com/tillit/tillit/internal/checkout"
	"github.com/tillit/tillit/internal/logscan"
)

// The card network's credentials for POST /cards/v1/authorizations.
const (
	networkUser = "network"
	networkPass = "network-secret-0123456789"
)

var (
	cardNumberPattern = regexp.MustCompile(`id="card-number" translate="no">([0-9 ]+)<`)
	cardExpiryPattern = regexp.MustCompile(`id="card-expiry" translate="no">([0-9]{2})/([0-9]{4})<`)
	cardCVVPattern    = regexp.MustCompile(`id="card-cvv" translate="no">([0-9]{3})<`)
)

// cards returns the cards of the consumer the client is signed in as.
func (e *env) cards(c *client) []card.Card {
	e.t.Helper()
	list, err := e.app.Cards.List(e.ctx, e.consumerOf(c).PersonID)
	if err != nil {
		e.t.Fatal(err)
	}
	return list
}

// createCard creates a card from the cards page and returns it.
func (c *client) createCard(form url.Values) card.Card {
	c.t.Helper()
	c.get("/app/cards")
	pg := c.post("/app/cards", form)
	if pg.status != http.StatusOK || pg.path != "/app/cards" || !pg.has("is ready") {
		c.t.Fatalf("create card: %d at %s", pg.status, pg.path)
	}
	return c.e.cards(c)[0]
}

// oneTimeCard is the form of a one-time card for 500.00 DKK at any shop.
func oneTimeCard() url.Values {
	return url.Values{"kind": {"one_time"}, "amount": {"500"}, "currency": {"DKK"}, "payment_method": {"pay_later"}}
}

// reveal re-authenticates with an e-mailed code and returns the card's
// details page.
func (c *client) reveal(id string) page {
	c.t.Helper()
	c.get("/app/cards/" + id + "/reveal")
	c.post("/app/cards/"+id+"/reveal/code", nil)
	return c.post("/app/cards/"+id+"/reveal", url.Values{"code": {c.e.lastCode(c.e.consumerOf(c).Email)}})
}

// details reads the card's details from the page that shows them.
func details(t testing.TB, pg page) card.Details {
	t.Helper()
	num, exp, cvv := cardNumberPattern.FindStringSubmatch(pg.body), cardExpiryPattern.FindStringSubmatch(pg.body), cardCVVPattern.FindStringSubmatch(pg.body)
	if num == nil || exp == nil || cvv == nil {
		t.Fatalf("no card details on the page: %d %s", pg.status, pg.body)
	}
	logscan.Secret(logscan.CardNumber, strings.ReplaceAll(num[1], " ", ""))
	logscan.Secret(logscan.CVV, cvv[1])
	month, _ := strconv.Atoi(exp[1])
	year, _ := strconv.Atoi(exp[2])
	return card.Details{Number: strings.ReplaceAll(num[1], " ", ""), ExpiryMonth: month, ExpiryYear: year, CVV: cvv[1]}
}

// authorize sends the card network's authorization of a purchase with the
// card and returns its status and decline reason.
func (e *env) authorize(d card.Details, amount int64, reference string) (string, string) {
	e.t.Helper()
	body, _ := json.Marshal(card.AuthorizationRequest{Amount: amount, Currency: dkk, MerchantName: "Boots & Co", MerchantCategoryCode: "5661",
		CardNumber: d.Number, ExpiryMonth: d.ExpiryMonth, ExpiryYear: d.ExpiryYear, CVV: d.CVV, NetworkReference: reference})
	r := httptest.NewRequest(http.MethodPost, "/cards/v1/authorizations", bytes.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	r.SetBasicAuth(networkUser, networkPass)
	w := httptest.NewRecorder()
	e.app.API.Handler().ServeHTTP(w, r)
	var out struct {
		Status        string `json:"status"`
		DeclineReason string `json:"decline_reason"`
	}
	if w.Code != http.StatusOK || json.Unmarshal(w.Body.Bytes(), &out) != nil {
		e.t.Fatalf("authorization: %d %s", w.Code, w.Body)
	}
	return out.Status, out.DeclineReason
}

// checkoutPurchase tries a checkout purchase at the test shop for the
// address and returns the error code ("" when approved).
func (e *env) checkoutPurchase(email string) string {
	e.t.Helper()
	data := checkout.OrderData{PurchaseCountry: "DK", PurchaseCurrency: dkk, Locale: "da-DK", OrderAmount: 10_000,
		OrderLines: []checkout.OrderLine{{Type: "physical", Reference: "SKU-2", Name: "Umbrella", Quantity: 1, UnitPrice: 10_000, TotalAmount: 10_000}}}
	sess, err := e.app.Checkout.CreateSession(e.ctx, e.m, data, "https://tillit.example")
	if err != nil {
		e.t.Fatal(err)
	}
	auth, err := e.app.Checkout.Authorize(e.ctx, sess.SessionID, sess.ClientToken, checkout.AuthorizeRequest{
		PaymentMethodCategory: "pay_later", Customer: checkout.Customer{DateOfBirth: "1990-05-17"},
		BillingAddress: &checkout.Address{GivenName: "Anna", FamilyName: "Jensen", Email: email, Phone: "+4520123456",
			StreetAddress: "Sletten 1", PostalCode: "9270", City: "Klarup", Country: "DK"},
		OTP: checkout.TestOTP,
	})
	if err != nil {
		return apperr.Code(err)
	}
	if !auth.Approved {
		e.t.Fatalf("checkout purchase not approved: %+v", auth)
	}
	return ""
}

// TestCreateAndRevealCard: bad card forms are shown again with their
// problem and create nothing; a one-time card is listed by its last four
// digits only; its details need a fresh e-mailed code, are shown once on a
// page that is not cached, and never again; another consumer gets 404 for
// it and changes nothing.
func TestCreateAndRevealCard(t *testing.T) {
	e := newEnv(t, true)
	c := e.client()
	c.signIn(anna)
	if pg := c.get("/app/cards"); pg.status != http.StatusOK || !pg.has("You have no cards yet.") {
		t.Fatalf("cards page: %d", pg.status)
	}
	for name, form := range map[string]url.Values{
		"no amount":         {"kind": {"one_time"}, "currency": {"DKK"}, "payment_method": {"pay_later"}},
		"amount not number": {"kind": {"one_time"}, "amount": {"lots"}, "currency": {"DKK"}, "payment_method": {"pay_later"}},
		"amount too high":   {"kind": {"one_time"}, "amount": {"50000.01"}, "currency": {"DKK"}, "payment_method": {"pay_later"}},
		"three decimals":    {"kind": {"one_time"}, "amount": {"10.005"}, "currency": {"DKK"}, "payment_method": {"pay_later"}},
		"unknown kind":      {"kind": {"gold"}, "amount": {"100"}, "currency": {"DKK"}, "payment_method": {"pay_later"}},
		"other currency":    {"kind": {"one_time"}, "amount": {"100"}, "currency": {"USD"}, "payment_method": {"pay_later"}},
		"unknown method":    {"kind": {"one_time"}, "amount": {"100"}, "currency": {"DKK"}, "payment_method": {"barter"}},
		"months, no loan":   {"kind": {"one_time"}, "amount": {"100"}, "currency": {"DKK"}, "payment_method": {"pay_later"}, "financing_months": {"12"}},
		"odd months":        {"kind": {"one_time"}, "amount": {"100"}, "currency": {"DKK"}, "payment_method": {"pay_over_time"}, "financing_months": {"7"}},
		"long shop name":    {"kind": {"one_time"}, "amount": {"100"}, "currency": {"DKK"}, "payment_method": {"pay_later"}, "merchant_name": {strings.Repeat("x", card.MaxMerchantName+1)}},
	} {
		c.get("/app/cards")
		if pg := c.post("/app/cards", form); pg.status != http.StatusUnprocessableEntity || !pg.has("Please correct the following") {
			t.Errorf("%s: %d", name, pg.status)
		}
	}
	if n := len(e.cards(c)); n != 0 {
		t.Fatalf("bad forms created %d cards", n)
	}
	virt := c.createCard(url.Values{"kind": {"virtual"}, "amount": {"2000,50"}, "currency": {"DKK"}, "payment_method": {"pay_over_time"}, "financing_months": {"12"}})
	if virt.Kind != card.KindVirtual || virt.AmountLimit != 200_050 || virt.PaymentMethod != "pay_over_time" || virt.FinancingMonths != 12 {
		t.Errorf("virtual card = %+v", virt)
	}
	form := oneTimeCard()
	form.Set("merchant_name", "Boots & Co")
	one := c.createCard(form)
	if one.Kind != card.KindOneTime || one.AmountLimit != 50_000 || one.MerchantName != "Boots & Co" {
		t.Errorf("one-time card = %+v", one)
	}
	pg := c.get("/app/cards")
	if !pg.has("Ending in "+one.Last4) || !pg.has("Ready to use") || !pg.has("Boots & Co") {
		t.Error("the list does not show the card")
	}

	// Re-authentication is required: no code, a wrong code.
	pg = c.get("/app/cards/" + one.ID + "/reveal")
	if pg.status != http.StatusOK || !pg.has("E-mail me a code") || strings.Contains(pg.body, `name="totp"`) {
		t.Fatalf("reveal page: %d", pg.status)
	}
	if pg := c.post("/app/cards/"+one.ID+"/reveal", url.Values{"code": {""}}); pg.status != http.StatusUnprocessableEntity {
		t.Errorf("reveal without a code: %d", pg.status)
	}
	pg = c.post("/app/cards/"+one.ID+"/reveal/code", nil)
	if !pg.has("We e-mailed you a new code.") {
		t.Errorf("no notice of the code sent")
	}
	code := e.lastCode(anna)
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	if pg := c.post("/app/cards/"+one.ID+"/reveal", url.Values{"code": {wrong}}); pg.status != http.StatusUnauthorized || cardNumberPattern.MatchString(pg.body) {
		t.Errorf("reveal with a wrong code: %d", pg.status)
	}
	if got, _ := e.app.Cards.Get(e.ctx, e.consumerOf(c).PersonID, one.ID); got.Revealed {
		t.Fatal("a wrong code revealed the card")
	}

	// Another consumer: 404 everywhere, nothing changes.
	b := e.client()
	b.signIn(bob)
	for _, path := range []string{"/app/cards/" + one.ID + "/reveal", "/app/cards/" + one.ID + "/unfreeze"} {
		if pg := b.get(path); pg.status != http.StatusNotFound {
			t.Errorf("bob GET %s: %d", path, pg.status)
		}
	}
	b.get("/app/cards")
	for _, path := range []string{"/app/cards/" + one.ID + "/freeze", "/app/cards/" + one.ID + "/reveal", "/app/cards/" + one.ID + "/reveal/code", "/app/cards/not-an-id/freeze"} {
		if pg := b.post(path, url.Values{"code": {code}}); pg.status != http.StatusNotFound {
			t.Errorf("bob POST %s: %d", path, pg.status)
		}
	}
	if got, _ := e.app.Cards.Get(e.ctx, e.consumerOf(c).PersonID, one.ID); got.Frozen || got.Revealed {
		t.Fatalf("bob changed anna's card: %+v", got)
	}

	res, err := c.http.PostForm(c.base+"/app/cards/"+one.ID+"/reveal", url.Values{"code": {code}, "csrf_token": {c.csrf}})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	_, _ = buf.ReadFrom(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || res.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("reveal: %d, Cache-Control %q", res.StatusCode, res.Header.Get("Cache-Control"))
	}
	d := details(t, page{status: res.StatusCode, body: buf.String()})
	if !strings.HasPrefix(d.Number, card.DefaultBIN) || !strings.HasSuffix(d.Number, one.Last4) || len(d.Number) != 16 {
		t.Errorf("revealed number %q", d.Number)
	}
	if !strings.Contains(buf.String(), "shown only this once") {
		t.Error("the page does not say the details are shown once")
	}

	// Never again, and nowhere else.
	pg = c.get("/app/cards")
	if strings.Contains(pg.body, d.Number) || strings.Contains(pg.body, "/app/cards/"+one.ID+"/reveal") {
		t.Error("the list shows the number or offers to show it again")
	}
	if pg := c.get("/app/cards/" + one.ID + "/reveal"); pg.path != "/app/cards" || !pg.has("shown once already") {
		t.Errorf("reveal page again: %d at %s", pg.status, pg.path)
	}
	if pg := c.reveal(one.ID); pg.status != http.StatusConflict || strings.Contains(pg.body, d.Number) {
		t.Errorf("second reveal: %d", pg.status)
	}
	for _, pth := range []string{"/app/", "/app/security", "/app/cards"} {
		if strings.Contains(c.get(pth).body, d.Number) {
			t.Errorf("%s shows the card number", pth)
		}
	}
	if status, reason := e.authorize(d, 40_000, "net-1"); status != card.AuthApproved {
		t.Errorf("purchase with the revealed card: %s %s", status, reason)
	}
	if pg := c.get("/app/cards"); !pg.has("Used") {
		t.Error("the used card is not shown as used")
	}
}

// TestRevealWithAuthenticator: with two-step verification on, the card's
// details need the authenticator's code (an e-mailed code alone does not
// do).
func TestRevealWithAuthenticator(t *testing.T) {
	e := newEnv(t, true)
	c := e.client()
	c.signIn(anna)
	secret, _ := c.enableTwoStep()
	one := c.createCard(oneTimeCard())
	pg := c.get("/app/cards/" + one.ID + "/reveal")
	if !strings.Contains(pg.body, `name="totp"`) || strings.Contains(pg.body, "E-mail me a code") {
		t.Fatalf("reveal page with two-step verification on does not ask for the app's code")
	}
	if pg := c.post("/app/cards/"+one.ID+"/reveal", url.Values{"code": {"123456"}}); pg.status != http.StatusUnprocessableEntity {
		t.Errorf("without the app's code: %d", pg.status)
	}
	pg = c.post("/app/cards/"+one.ID+"/reveal", url.Values{"totp": {e.nextTOTP(secret)}})
	if d := details(t, pg); !strings.HasSuffix(d.Number, one.Last4) {
		t.Errorf("revealed %q", d.Number)
	}
}

// TestFreezeTakesEffectAtOnce: one click freezes the account; the very
// next card authorization is declined "frozen" and the next checkout
// purchase ACCOUNT_FROZEN; a banner says so. Unfreezing needs a fresh
// e-mailed code and, with two-step verification on, the app's code too.
// Freezing a single card works the same way.
func TestFreezeTakesEffectAtOnce(t *testing.T) {
	e := newEnv(t, true)
	c := e.client()
	c.signIn(anna)
	virt := c.createCard(url.Values{"kind": {"virtual"}, "amount": {"3000"}, "currency": {"DKK"}, "payment_method": {"pay_later"}})
	d := details(t, c.reveal(virt.ID))
	if status, reason := e.authorize(d, 1_000, "net-1"); status != card.AuthApproved {
		t.Fatalf("before the freeze: %s %s", status, reason)
	}

	pg := c.get("/app/")
	if !pg.has("Freeze my account") || pg.has("Your account is frozen.") {
		t.Fatal("home page has no freeze button")
	}
	pg = c.post("/app/freeze", url.Values{"from": {"home"}})
	if pg.status != http.StatusOK || pg.path != "/app/" || !pg.has("Your account is frozen.") || !strings.Contains(pg.body, `id="account-frozen"`) {
		t.Fatalf("after freezing: %d at %s", pg.status, pg.path)
	}
	if status, reason := e.authorize(d, 1_000, "net-2"); status != card.AuthDeclined || reason != card.DeclineFrozen {
		t.Fatalf("next authorization after the freeze: %s %s", status, reason)
	}
	if code := e.checkoutPurchase(anna); code != checkout.CodeAccountFrozen {
		t.Fatalf("next checkout purchase after the freeze: %q", code)
	}
	for _, pth := range []string{"/app/cards", "/app/security"} {
		if !strings.Contains(c.get(pth).body, `id="account-frozen"`) {
			t.Errorf("%s has no frozen banner", pth)
		}
	}
	if pg := c.post("/app/freeze", url.Values{"from": {"elsewhere"}}); pg.status != http.StatusBadRequest {
		t.Errorf("freeze with a bad return page: %d", pg.status)
	}

	// Unfreezing needs the codes.
	pg = c.get("/app/unfreeze")
	if pg.status != http.StatusOK || !pg.has("Unfreeze your account") {
		t.Fatalf("unfreeze page: %d", pg.status)
	}
	if pg := c.post("/app/unfreeze", nil); pg.status != http.StatusUnprocessableEntity {
		t.Errorf("unfreeze without a code: %d", pg.status)
	}
	if frozen, _ := e.app.Cards.AccountFrozen(e.ctx, e.consumerOf(c).PersonID); !frozen {
		t.Fatal("unfrozen without re-authentication")
	}
	c.post("/app/unfreeze/code", nil)
	pg = c.post("/app/unfreeze", url.Values{"code": {e.lastCode(anna)}})
	if pg.status != http.StatusOK || !pg.has("Your account is unfrozen.") || pg.has("Your account is frozen.") {
		t.Fatalf("unfreeze: %d at %s", pg.status, pg.path)
	}
	if status, reason := e.authorize(d, 1_000, "net-3"); status != card.AuthApproved {
		t.Fatalf("after unfreezing: %s %s", status, reason)
	}
	if code := e.checkoutPurchase(anna); code != "" {
		t.Fatalf("checkout after unfreezing: %q", code)
	}

	// With two-step verification on, the app's code is needed as well.
	secret, _ := c.enableTwoStep()
	c.get("/app/security")
	c.post("/app/freeze", url.Values{"from": {"security"}})
	c.get("/app/unfreeze")
	c.post("/app/unfreeze/code", nil)
	if pg := c.post("/app/unfreeze", url.Values{"code": {e.lastCode(anna)}}); pg.status != http.StatusUnprocessableEntity {
		t.Errorf("unfreeze without the app's code: %d", pg.status)
	}
	c.post("/app/unfreeze/code", nil)
	pg = c.post("/app/unfreeze", url.Values{"code": {e.lastCode(anna)}, "totp": {e.nextTOTP(secret)}})
	if pg.status != http.StatusOK || !pg.has("Your account is unfrozen.") {
		t.Fatalf("unfreeze with both codes: %d", pg.status)
	}

	// One card (an hour on: an address gets a few codes an hour).
	e.clk.Advance(time.Hour)
	c.get("/app/cards")
	if pg := c.post("/app/cards/"+virt.ID+"/freeze", nil); !pg.has("is frozen") {
		t.Fatalf("freeze card: %d", pg.status)
	}
	if status, reason := e.authorize(d, 1_000, "net-4"); reason != card.DeclineFrozen {
		t.Fatalf("frozen card: %s %s", status, reason)
	}
	if code := e.checkoutPurchase(anna); code != "" {
		t.Errorf("a frozen card stopped checkout: %q", code)
	}
	c.get("/app/cards/" + virt.ID + "/unfreeze")
	if pg := c.post("/app/cards/"+virt.ID+"/unfreeze", url.Values{"totp": {e.nextTOTP(secret)}}); pg.status != http.StatusUnprocessableEntity {
		t.Errorf("unfreeze card without the e-mailed code: %d", pg.status)
	}
	c.post("/app/cards/"+virt.ID+"/unfreeze/code", nil)
	pg = c.post("/app/cards/"+virt.ID+"/unfreeze", url.Values{"code": {e.lastCode(anna)}, "totp": {e.nextTOTP(secret)}})
	if pg.path != "/app/cards" || !pg.has("The card ending in "+virt.Last4+" works again.") {
		t.Fatalf("unfreeze card: %d at %s", pg.status, pg.path)
	}
	if status, reason := e.authorize(d, 1_000, "net-5"); status != card.AuthApproved {
		t.Fatalf("after unfreezing the card: %s %s", status, reason)
	}
}
