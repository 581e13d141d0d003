package hosted_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/checkout"
	"github.com/tillit/tillit/internal/hosted"
	"github.com/tillit/tillit/internal/logscan"
	"github.com/tillit/tillit/internal/store"
)

// TestLinkSetsCookieAndRedirects: the client token in the link becomes an
// HttpOnly, SameSite=Lax cookie scoped to the session's path, and the browser
// is sent to the same page without the token (other parameters kept).
func TestLinkSetsCookieAndRedirects(t *testing.T) {
	e := newEnv(t)
	s := e.session(order("en-DK", ""))
	c := e.client()
	p := c.get(e.link(s)+"&lang=en").expect(t, http.StatusSeeOther)
	if got, want := p.Header.Get("Location"), hosted.Prefix+s.SessionID+"?lang=en"; got != want {
		t.Errorf("redirect to %q, want %q", got, want)
	}
	var cookie *http.Cookie
	for _, ck := range p.Cookies() {
		if ck.Name == "tillit_checkout" {
			cookie = ck
		}
	}
	if cookie == nil {
		t.Fatal("no checkout cookie")
	}
	if cookie.Value != s.ClientToken || cookie.Path != hosted.Prefix+s.SessionID || !cookie.HttpOnly || cookie.SameSite != http.SameSiteLaxMode {
		t.Errorf("cookie %+v", cookie)
	}
	if cookie.MaxAge <= 0 || cookie.MaxAge > int(checkout.SessionLifetime/time.Second) {
		t.Errorf("cookie max age %d", cookie.MaxAge)
	}
	if strings.Contains(p.Header.Get("Location"), "client_token") {
		t.Error("the token stayed in the URL")
	}
	page := c.get(p.Header.Get("Location")).expect(t, http.StatusOK)
	page.has(t, "Pay Test Shop", "Rain jacket", "Boots", "Total: DKK 1,250.00", "Of which VAT and taxes: DKK 250.00",
		"Includes a discount of DKK 50.00", "Test mode:")
	if got := page.Header.Get("Referrer-Policy"); got != "same-origin" {
		t.Errorf("Referrer-Policy %q", got)
	}
	// Denmark, the purchase country, is preselected.
	page.has(t, `<option value="DK" selected>Denmark</option>`)
}

// TestBadLinksGetTheSameNotFoundPage: a wrong token, an unknown session, no
// cookie, another session's token and an expired session all answer 404
// with the same page, and set no cookie.
func TestBadLinksGetTheSameNotFoundPage(t *testing.T) {
	e := newEnv(t)
	s := e.session(order("en-DK", ""))
	other := e.session(order("en-DK", ""))
	for name, path := range map[string]string{
		"wrong token":      hosted.Prefix + s.SessionID + "?client_token=ct1.forged",
		"empty token":      hosted.Prefix + s.SessionID + "?client_token=",
		"other's token":    hosted.Prefix + s.SessionID + "?client_token=" + url.QueryEscape(other.ClientToken),
		"unknown session":  hosted.Prefix + "0190b2a4-0000-7000-8000-000000000000?client_token=" + url.QueryEscape(s.ClientToken),
		"malformed id":     hosted.Prefix + "nope?client_token=x",
		"no cookie":        hosted.Prefix + s.SessionID,
		"code, no cookie":  hosted.Prefix + s.SessionID + "/code",
		"unknown sub-page": hosted.Prefix + s.SessionID + "/nothing",
		"checkout root":    hosted.Prefix,
	} {
		t.Run(name, func(t *testing.T) {
			p := e.client().get(path).expect(t, http.StatusNotFound)
			p.has(t, "This checkout link does not work")
			if len(p.Cookies()) > 0 && p.Cookies()[0].Name == "tillit_checkout" {
				t.Error("a bad link set the checkout cookie")
			}
		})
	}
	// A consumer whose session expires gets the same page.
	c := e.client()
	c.open(s).expect(t, http.StatusOK)
	e.clk.Advance(checkout.SessionLifetime + time.Minute)
	c.get(hosted.Prefix+s.SessionID).expect(t, http.StatusNotFound).has(t, "This checkout link does not work")
	e.client().get(e.link(s)).expect(t, http.StatusNotFound)
}

// TestConsumerAPIStillReachable: the consumer JSON API shares the prefix and
// still answers through the pages' handler, without CSRF.
func TestConsumerAPIStillReachable(t *testing.T) {
	e := newEnv(t)
	s := e.session(order("en-DK", ""))
	req, _ := http.NewRequest("POST", e.srv.URL+"/checkout/v1/sessions/"+s.SessionID+"/otp", strings.NewReader(`{"email":"anna@example.com"}`))
	req.Header.Set("Authorization", "Bearer "+s.ClientToken)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusNoContent {
		t.Fatalf("consumer API: status %d", res.StatusCode)
	}
}

// TestValidationKeepsInput: a form with errors comes back with an error
// summary, an error by each field and what was typed.
func TestValidationKeepsInput(t *testing.T) {
	e := newEnv(t)
	c := e.client()
	s := e.session(order("en-DK", ""))
	page := c.open(s)
	form := withCSRF(t, page, url.Values{
		"given_name": {"Anna"}, "email": {"anna@"}, "phone": {"call me"}, "street_address": {"Sletten 1"},
		"postal_code": {"9270"}, "city": {"Klarup"}, "country": {"XX"}, "date_of_birth": {"31-02-1990"},
		"payment_method": {"pay_over_time"}, "financing_months": {"7"},
	})
	p := c.post(hosted.Prefix+s.SessionID, form).expect(t, http.StatusUnprocessableEntity)
	p.has(t, "Please correct the following",
		`<a href="#f-family_name">Fill in this field.</a>`,
		`<a href="#f-email">Enter an e-mail address such as name@example.com.</a>`,
		`<a href="#f-phone">Enter a phone number`,
		`<a href="#f-country">Choose one of the options.</a>`,
		`<a href="#f-date_of_birth">Enter a date that exists.</a>`,
		`<a href="#f-financing_months">Choose over how many months you want to pay.</a>`,
		`id="f-email-error"`, `value="anna@"`, `value="Sletten 1"`, `value="31-02-1990"`, `value="call me"`,
		`value="pay_over_time" checked`, `aria-invalid="true"`)
	// Nothing was sent: no code went out.
	var n int
	if err := e.app.DB.Read(context.Background(), func(tx *store.Tx) error {
		return tx.QueryRow(`SELECT COUNT(*) FROM otp_challenges WHERE session_id = $1`, s.SessionID).Scan(&n)
	}); err != nil || n != 0 {
		t.Fatalf("codes %d, %v", n, err)
	}
	// No method chosen, a date in the future, and pay now without a way to pay.
	form = withCSRF(t, page, identity("anna@example.com", ""))
	form.Set("date_of_birth", "01-01-2999")
	c.post(hosted.Prefix+s.SessionID, form).expect(t, http.StatusUnprocessableEntity).
		has(t, "Choose how you want to pay.", "Enter a date of birth between 1900 and today.")
	form = withCSRF(t, page, identity("anna@example.com", "pay_now"))
	form.Del("instrument")
	c.post(hosted.Prefix+s.SessionID, form).expect(t, http.StatusUnprocessableEntity).
		has(t, "Choose whether to pay by card or from your bank account.")
	// An ISO date is fine too; a valid form goes on to the code page.
	form = withCSRF(t, page, identity("anna@example.com", "pay_later"))
	form.Set("date_of_birth", "1990-05-17")
	p = c.post(hosted.Prefix+s.SessionID, form).expect(t, http.StatusSeeOther)
	if got := p.Header.Get("Location"); got != hosted.Prefix+s.SessionID+"/code" {
		t.Fatalf("redirect to %q", got)
	}
	code := c.get(p.Header.Get("Location")).expect(t, http.StatusOK)
	code.has(t, "Confirm with your code", "Enter the code we sent to anna@example.com", "Test mode: use the code 123456.",
		"Payment method: Pay later.")
	// Going back to the details shows them again, date as day-month-year.
	c.get(hosted.Prefix+s.SessionID).expect(t, http.StatusOK).has(t, `value="17-05-1990"`, `value="pay_later" checked`, `value="Klarup"`)
}

// TestCSRFIsEnforced: a POST without the page's token is refused.
func TestCSRFIsEnforced(t *testing.T) {
	e := newEnv(t)
	c := e.client()
	s := e.session(order("en-DK", ""))
	page := c.open(s)
	c.post(hosted.Prefix+s.SessionID, identity("anna@example.com", "pay_later")).expect(t, http.StatusForbidden)
	form := identity("anna@example.com", "pay_later")
	form.Set("csrf_token", "forged")
	c.post(hosted.Prefix+s.SessionID, form).expect(t, http.StatusForbidden)
	c.post(hosted.Prefix+s.SessionID+"/code", url.Values{"otp": {"123456"}}).expect(t, http.StatusForbidden)
	// With the token it goes through.
	c.post(hosted.Prefix+s.SessionID, withCSRF(t, page, identity("anna@example.com", "pay_later"))).expect(t, http.StatusSeeOther)
}

// TestDisabledMethodIsNotOffered: a method the merchant switched off is not
// on the page, not in the session's categories, and cannot be chosen with a
// crafted form, through the JSON API, or after it was switched off between
// the two steps.
func TestDisabledMethodIsNotOffered(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	svc := e.app.Checkout
	if err := svc.SetEnabledMethods(ctx, e.id, []string{"pay_now", "pay_in_parts", "pay_over_time"}); err != nil {
		t.Fatal(err)
	}
	s := e.session(order("en-DK", ""))
	var ids []string
	for _, c := range s.PaymentMethodCategories {
		ids = append(ids, c.Identifier)
	}
	if strings.Join(ids, ",") != "pay_now,pay_in_parts,pay_over_time" {
		t.Errorf("session categories %v", ids)
	}
	var got struct {
		PaymentMethodCategories []struct {
			Identifier string `json:"identifier"`
		} `json:"payment_method_categories"`
	}
	e.api("GET", "/payments/v1/sessions/"+s.SessionID, nil, &got, 200)
	if len(got.PaymentMethodCategories) != 3 {
		t.Errorf("read session categories %v", got.PaymentMethodCategories)
	}
	c := e.client()
	page := c.open(s)
	page.lacks(t, `value="pay_later"`, "Pay later")
	page.has(t, `value="pay_now"`, `value="pay_in_parts"`, `value="pay_over_time"`)
	c.post(hosted.Prefix+s.SessionID, withCSRF(t, page, identity("anna@example.com", "pay_later"))).
		expect(t, http.StatusUnprocessableEntity).has(t, "This payment method is not available for this purchase.")
	c.post(hosted.Prefix+s.SessionID, withCSRF(t, page, identity("anna@example.com", "pay_what"))).
		expect(t, http.StatusUnprocessableEntity).has(t, "This payment method is not available for this purchase.")

	_, err := svc.Authorize(ctx, s.SessionID, s.ClientToken, checkout.AuthorizeRequest{
		PaymentMethodCategory: "pay_later", Customer: checkout.Customer{DateOfBirth: "1990-05-17"},
		BillingAddress: &checkout.Address{GivenName: "Anna", FamilyName: "Jensen", Email: "anna@example.com",
			StreetAddress: "Sletten 1", PostalCode: "9270", City: "Klarup", Country: "DK"},
		OTP: checkout.TestOTP,
	})
	if e, ok := apperr.As(err); !ok || e.Code != apperr.BadValue || !strings.Contains(e.Message, "payment_method_category") {
		t.Fatalf("authorize a disabled method: %v", err)
	}

	// Chosen while offered, switched off before the code: refused, and the
	// consumer is sent back to choose again with their details kept.
	c.post(hosted.Prefix+s.SessionID, withCSRF(t, page, identity("anna@example.com", "pay_in_parts"))).expect(t, http.StatusSeeOther)
	code := c.get(hosted.Prefix+s.SessionID+"/code").expect(t, http.StatusOK)
	if err := svc.SetEnabledMethods(ctx, e.id, []string{"pay_now"}); err != nil {
		t.Fatal(err)
	}
	p := c.post(hosted.Prefix+s.SessionID+"/code", withCSRF(t, code, url.Values{"otp": {"123456"}})).expect(t, http.StatusSeeOther)
	back := c.get(p.Header.Get("Location")).expect(t, http.StatusOK)
	back.has(t, "The payment method you chose is no longer available.", `value="Klarup"`)
	back.lacks(t, `value="pay_in_parts"`)
}

// TestEnabledMethodsAreValidated: at least one known method, for a merchant
// that exists.
func TestEnabledMethodsAreValidated(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	svc := e.app.Checkout
	for _, c := range []struct {
		merchant   string
		categories []string
		code       string
	}{
		{e.id, nil, apperr.BadValue},
		{e.id, []string{"pay_now", "bitcoin"}, apperr.BadValue},
		{"0190b2a4-0000-7000-8000-000000000000", []string{"pay_now"}, apperr.NotFound},
	} {
		if err := svc.SetEnabledMethods(ctx, c.merchant, c.categories); apperr.Code(err) != c.code {
			t.Errorf("%v: %v, want %s", c.categories, err, c.code)
		}
	}
	if err := svc.SetEnabledMethods(ctx, e.id, []string{"pay_over_time", "pay_later", "pay_later"}); err != nil {
		t.Fatal(err)
	}
	got, err := svc.EnabledMethods(ctx, e.id)
	if err != nil || strings.Join(got, ",") != "pay_later,pay_over_time" {
		t.Fatalf("enabled %v, %v", got, err)
	}
	// Other merchants are unaffected.
	_, other := e.newMerchant(true)
	if got, err := svc.EnabledMethods(ctx, other); err != nil || len(got) != 4 {
		t.Fatalf("other merchant %v, %v", got, err)
	}
	if err := svc.SetEnabledMethods(ctx, e.id, checkout.AllMethods()); err != nil {
		t.Fatal(err)
	}
	if got, _ := svc.EnabledMethods(ctx, e.id); len(got) != 4 {
		t.Fatalf("all enabled again: %v", got)
	}
}

// TestAmountsComeFromTheSession: amounts the browser sends are ignored, the
// details cannot be altered in the cookie, and the authorization is for the
// session's amount.
func TestAmountsComeFromTheSession(t *testing.T) {
	e := newEnv(t)
	c := e.client()
	s := e.session(order("en-DK", ""))
	page := c.open(s)
	form := withCSRF(t, page, identity("anna@example.com", "pay_in_parts"))
	for _, k := range []string{"order_amount", "amount", "total", "installment", "monthly_payment"} {
		form.Set(k, "1")
	}
	c.post(hosted.Prefix+s.SessionID, form).expect(t, http.StatusSeeOther)
	code := c.get(hosted.Prefix+s.SessionID+"/code").expect(t, http.StatusOK)
	code.has(t, "You are buying from Test Shop for DKK 1,250.00.", "DKK 416.68, DKK 416.66 and DKK 416.66")

	// A details cookie that was changed does not open: start again.
	u, _ := url.Parse(e.srv.URL + hosted.Prefix + s.SessionID)
	var saved *http.Cookie
	for _, ck := range c.http.Jar.Cookies(u) {
		if ck.Name == "tillit_checkout_details" {
			saved = ck
		}
	}
	if saved == nil {
		t.Fatal("no details cookie")
	}
	forged := *saved
	b := []byte(forged.Value)
	b[len(b)/2] ^= 1
	forged.Value, forged.Path = string(b), hosted.Prefix+s.SessionID
	c.http.Jar.SetCookies(u, []*http.Cookie{&forged})
	p := c.get(hosted.Prefix+s.SessionID+"/code").expect(t, http.StatusSeeOther)
	if p.Header.Get("Location") != hosted.Prefix+s.SessionID {
		t.Fatalf("forged details: redirect to %q", p.Header.Get("Location"))
	}
	c.get(p.Header.Get("Location")).expect(t, http.StatusOK).has(t, "Please fill them in again.")

	// Fill in again and confirm: the authorization is for the session's amount.
	page = c.get(hosted.Prefix + s.SessionID)
	c.post(hosted.Prefix+s.SessionID, withCSRF(t, page, identity("anna@example.com", "pay_in_parts"))).expect(t, http.StatusSeeOther)
	code = c.get(hosted.Prefix + s.SessionID + "/code")
	form = withCSRF(t, code, url.Values{"otp": {"123456"}, "order_amount": {"1"}, "amount": {"1"}})
	done := c.post(hosted.Prefix+s.SessionID+"/code", form).expect(t, http.StatusOK)
	done.has(t, "Payment approved")
	var amount int64
	var method string
	if err := e.app.DB.Read(context.Background(), func(tx *store.Tx) error {
		return tx.QueryRow(`SELECT approved_amount, payment_method FROM authorizations WHERE session_id = $1`, s.SessionID).Scan(&amount, &method)
	}); err != nil {
		t.Fatal(err)
	}
	if amount != 125000 || method != "pay_in_parts" {
		t.Fatalf("authorized %d with %s", amount, method)
	}
	// The details are no longer kept after the authorization.
	for _, ck := range c.http.Jar.Cookies(u) {
		if ck.Name == "tillit_checkout_details" {
			t.Error("details cookie kept after authorization")
		}
	}
}

// TestDetailsCookieExpiresAndStaysWithItsSession: details entered for one
// session are not used for another, and are dropped after an hour.
func TestDetailsCookieExpiresAndStaysWithItsSession(t *testing.T) {
	e := newEnv(t)
	c := e.client()
	s := e.session(order("en-DK", ""))
	page := c.open(s)
	c.post(hosted.Prefix+s.SessionID, withCSRF(t, page, identity("anna@example.com", "pay_later"))).expect(t, http.StatusSeeOther)
	u, _ := url.Parse(e.srv.URL + hosted.Prefix + s.SessionID)
	other := e.session(order("en-DK", ""))
	c.open(other).expect(t, http.StatusOK)
	uo, _ := url.Parse(e.srv.URL + hosted.Prefix + other.SessionID)
	for _, ck := range c.http.Jar.Cookies(u) {
		if ck.Name == "tillit_checkout_details" {
			moved := *ck
			moved.Path = hosted.Prefix + other.SessionID
			c.http.Jar.SetCookies(uo, []*http.Cookie{&moved})
		}
	}
	c.get(hosted.Prefix+other.SessionID+"/code").expect(t, http.StatusSeeOther)
	c.get(hosted.Prefix+s.SessionID+"/code").expect(t, http.StatusOK)
	e.clk.Advance(61 * time.Minute)
	c.get(hosted.Prefix+s.SessionID+"/code").expect(t, http.StatusSeeOther)
}

// TestWrongCodeShowsTriesLeft: a live merchant's consumer gets the code by
// e-mail; a wrong code says how many tries are left, a new code can be sent,
// and the right one authorizes. Test mode is not mentioned.
func TestWrongCodeShowsTriesLeft(t *testing.T) {
	e := newEnv(t)
	live, _ := e.newMerchant(false)
	s := e.sessionAs(live, order("en-DK", ""))
	c := e.client()
	page := c.open(s)
	page.lacks(t, "Test mode")
	c.post(hosted.Prefix+s.SessionID, withCSRF(t, page, identity("anna@example.com", "pay_later"))).expect(t, http.StatusSeeOther)
	code := c.get(hosted.Prefix+s.SessionID+"/code").expect(t, http.StatusOK)
	code.lacks(t, "Test mode", "123456")
	sent := e.mailedCode("anna@example.com")
	wrong := "000000"
	if sent == wrong {
		wrong = "111111"
	}
	p := c.post(hosted.Prefix+s.SessionID+"/code", withCSRF(t, code, url.Values{"otp": {wrong}})).expect(t, http.StatusUnprocessableEntity)
	p.has(t, "That code is not right. Tries left: 4.")
	p.lacks(t, `value="`+wrong+`"`)
	c.post(hosted.Prefix+s.SessionID+"/code", withCSRF(t, code, url.Values{"otp": {"12a"}})).
		expect(t, http.StatusUnprocessableEntity).has(t, "Enter the 6-digit code from the e-mail.")
	// A new code replaces the old one.
	r := c.post(hosted.Prefix+s.SessionID+"/code/resend", withCSRF(t, code, nil)).expect(t, http.StatusSeeOther)
	c.get(r.Header.Get("Location")).expect(t, http.StatusOK).has(t, "We sent a new code to anna@example.com.")
	fresh := e.mailedCode("anna@example.com")
	c.post(hosted.Prefix+s.SessionID+"/code", withCSRF(t, code, url.Values{"otp": {fresh}})).expect(t, http.StatusOK).has(t, "Payment approved")
	// Already authorized: every step says so.
	c.get(hosted.Prefix+s.SessionID).expect(t, http.StatusOK).has(t, "This purchase is already approved")
	c.get(hosted.Prefix+s.SessionID+"/code").expect(t, http.StatusOK).has(t, "This purchase is already approved")
	c.post(hosted.Prefix+s.SessionID, withCSRF(t, code, identity("anna@example.com", "pay_later"))).
		expect(t, http.StatusConflict).has(t, "This purchase is already approved")
}

// mailedCode returns the one-time code in the newest e-mail to address.
func (e *env) mailedCode(address string) string {
	e.t.Helper()
	msgs, err := e.app.Accounts.DemoMailbox(context.Background(), address, 1)
	if err != nil || len(msgs) == 0 {
		e.t.Fatalf("mailbox: %v %v", msgs, err)
	}
	i := strings.Index(msgs[0].Body, "code is ")
	if i < 0 || len(msgs[0].Body) < i+14 {
		e.t.Fatalf("no code in %q", msgs[0].Body)
	}
	code := msgs[0].Body[i+8 : i+14]
	logscan.Secret(logscan.OneTimeCode, code)
	return code
}

// TestRejectedAndApprovedPages: a rejected consumer sees a polite page
// without reason codes; an approved one without an authorization URL sees
// the token; with one, is redirected there with the form-action policy
// allowing the shop's origin.
func TestRejectedAndApprovedPages(t *testing.T) {
	e := newEnv(t)
	s := e.session(order("en-DK", e.shop.URL+"/authorized?ref=ORDER-1001&token={authorization_token}"))
	c := e.client()
	page := c.open(s)
	if csp := page.Header.Get("Content-Security-Policy"); strings.Contains(csp, e.shop.URL) {
		t.Errorf("details page allows the shop as form action: %s", csp)
	}
	c.post(hosted.Prefix+s.SessionID, withCSRF(t, page, identity("anna+denied@example.com", "pay_later"))).expect(t, http.StatusSeeOther)
	code := c.get(hosted.Prefix+s.SessionID+"/code").expect(t, http.StatusOK)
	if csp := code.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "form-action 'self' "+e.shop.URL+";") {
		t.Errorf("code page policy %s", csp)
	}
	p := c.post(hosted.Prefix+s.SessionID+"/code", withCSRF(t, code, url.Values{"otp": {"123456"}})).expect(t, http.StatusOK)
	p.has(t, "We cannot approve this payment", "go back to Test Shop")
	p.lacks(t, "TEST_DATA_DENIED", "REJECTED", "reason")

	// The consumer corrects the details and tries again: approved, and sent
	// to the shop with the token in place of the placeholder.
	page = c.get(hosted.Prefix + s.SessionID)
	page.has(t, `value="anna+denied@example.com"`)
	c.post(hosted.Prefix+s.SessionID, withCSRF(t, page, identity("anna@example.com", "pay_later"))).expect(t, http.StatusSeeOther)
	code = c.get(hosted.Prefix + s.SessionID + "/code")
	p = c.post(hosted.Prefix+s.SessionID+"/code", withCSRF(t, code, url.Values{"otp": {"123456"}})).expect(t, http.StatusSeeOther)
	loc, err := url.Parse(p.Header.Get("Location"))
	if err != nil || !strings.HasPrefix(p.Header.Get("Location"), e.shop.URL+"/authorized?ref=ORDER-1001&token=") {
		t.Fatalf("redirect to %q", p.Header.Get("Location"))
	}
	token := loc.Query().Get("token")
	e.placeOrder(token, order("en-DK", e.shop.URL+"/authorized?ref=ORDER-1001&token={authorization_token}"))
}

// TestSessionLanguage: the session's locale chooses the language, the
// language switch overrides it, and amounts follow the language.
func TestSessionLanguage(t *testing.T) {
	e := newEnv(t)
	s := e.session(order("da-DK", ""))
	c := e.client()
	req, _ := http.NewRequest("GET", e.link(s), nil)
	req.Header.Set("Accept-Language", "en-US,en;q=0.9")
	p := c.do(req).expect(t, http.StatusSeeOther)
	page := c.get(p.Header.Get("Location")).expect(t, http.StatusOK)
	page.has(t, `<html lang="da">`, "Betal til Test Shop", "I alt: 1.250,00 kr.", "Heraf moms og afgifter: 250,00 kr.", "Hvordan vil du betale?")
	en := c.get(hosted.Prefix+s.SessionID+"?lang=en").expect(t, http.StatusOK)
	en.has(t, `<html lang="en">`, "Pay Test Shop", "Total: DKK 1,250.00")
	// The choice is remembered.
	c.get(hosted.Prefix+s.SessionID).expect(t, http.StatusOK).has(t, "Pay Test Shop")
}
