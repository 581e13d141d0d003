package hosted_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tillit/tillit/internal/checkout"
	"github.com/tillit/tillit/internal/hosted"
	"github.com/tillit/tillit/internal/i18n"
	"github.com/tillit/tillit/internal/plan"
)

// authorize fills in the details for method and confirms the test code in
// c, returning the response to the code.
func (c *client) authorize(s sessionResp, email, method string) page {
	c.t.Helper()
	details := c.open(s).expect(c.t, http.StatusOK)
	c.post(hosted.Prefix+s.SessionID, withCSRF(c.t, details, identity(email, method))).expect(c.t, http.StatusSeeOther)
	code := c.get(hosted.Prefix+s.SessionID+"/code").expect(c.t, http.StatusOK)
	return c.post(hosted.Prefix+s.SessionID+"/code", withCSRF(c.t, code, url.Values{"otp": {checkout.TestOTP}}))
}

// TestCodeSubmittedTwiceStillReachesTheShop: a consumer who submits the code
// twice (a double click) or comes back to the checkout before the shop has
// placed the order is sent back to the shop with the same token; once the
// order is placed, or the authorization expired, there is nothing to hand
// back.
func TestCodeSubmittedTwiceStillReachesTheShop(t *testing.T) {
	e := newEnv(t)
	authURL := e.shop.URL + "/authorized?ref=ORDER-1001"
	s := e.session(order("en-DK", authURL))
	c := e.client()
	details := c.open(s)
	c.post(hosted.Prefix+s.SessionID, withCSRF(t, details, identity("anna@example.com", "pay_later"))).expect(t, http.StatusSeeOther)
	code := c.get(hosted.Prefix+s.SessionID+"/code").expect(t, http.StatusOK)
	form := withCSRF(t, code, url.Values{"otp": {checkout.TestOTP}})
	first := c.post(hosted.Prefix+s.SessionID+"/code", form).expect(t, http.StatusSeeOther)
	to := first.Header.Get("Location")
	if !strings.HasPrefix(to, authURL+"&authorization_token=") {
		t.Fatalf("first submission sent to %q", to)
	}
	second := c.post(hosted.Prefix+s.SessionID+"/code", form).expect(t, http.StatusSeeOther)
	if got := second.Header.Get("Location"); got != to {
		t.Errorf("second submission sent to %q, want %q", got, to)
	}
	if csp := second.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "form-action 'self' "+e.shop.URL+";") {
		t.Errorf("second submission's policy %s", csp)
	}
	// Coming back to the checkout: already approved, with the way back.
	back := c.get(hosted.Prefix+s.SessionID).expect(t, http.StatusOK)
	back.has(t, "This purchase is already approved", `href="`+to+`"`, "Continue to Test Shop")

	// The shop places the order: the token is spent, no way back is
	// offered and a code submitted again is refused.
	u, _ := url.Parse(to)
	e.placeOrder(u.Query().Get("authorization_token"), order("en-DK", authURL))
	done := c.get(hosted.Prefix+s.SessionID).expect(t, http.StatusOK)
	done.has(t, "This purchase is already approved")
	done.lacks(t, "Continue to Test Shop", "authorization_token")
	c.post(hosted.Prefix+s.SessionID+"/code", form).expect(t, http.StatusConflict).lacks(t, "Continue to Test Shop")

	// Without an authorization URL the page shows the token until it
	// expires.
	s = e.session(order("en-DK", ""))
	c = e.client()
	approved := c.authorize(s, "anna@example.com", "pay_later").expect(t, http.StatusOK)
	approved.has(t, "Payment approved")
	token := tokenOn(t, approved)
	again := c.get(hosted.Prefix+s.SessionID).expect(t, http.StatusOK)
	again.has(t, "This purchase is already approved", token)
	e.clk.Advance(checkout.AuthorizationLifetime + time.Minute)
	c.get(hosted.Prefix+s.SessionID).expect(t, http.StatusOK).lacks(t, token)
}

// tokenOn returns the authorization token the approved page shows.
func tokenOn(t *testing.T, p page) string {
	t.Helper()
	const open = `<code id="authorization-token">`
	i := strings.Index(p.Body, open)
	if i < 0 {
		t.Fatalf("no token on the page: %s", p.Body)
	}
	token, _, _ := strings.Cut(p.Body[i+len(open):], "<")
	return token
}

// TestAuthorizationURLPlaceholders: the token (and the session id) go where
// the merchant's authorization URL has placeholders for them, in single or
// double braces; without a token placeholder the token is added as a query
// parameter, before any fragment.
func TestAuthorizationURLPlaceholders(t *testing.T) {
	e := newEnv(t)
	for _, c := range []struct {
		tmpl string
		want func(session, token string) string
	}{
		{"/done", func(_, tok string) string { return "/done?authorization_token=" + tok }},
		{"/done?ref=1#top", func(_, tok string) string { return "/done?ref=1&authorization_token=" + tok + "#top" }},
		{"/done?t={authorization_token}&s={session_id}", func(s, tok string) string { return "/done?t=" + tok + "&s=" + s }},
		{"/done?t={{authorization_token}}&s={{session_id}}", func(s, tok string) string { return "/done?t=" + tok + "&s=" + s }},
		{"/done/{{session_id}}", func(s, tok string) string { return "/done/" + s + "?authorization_token=" + tok }},
	} {
		t.Run(c.tmpl, func(t *testing.T) {
			s := e.session(order("en-DK", e.shop.URL+c.tmpl))
			p := e.client().authorize(s, "anna@example.com", "pay_later").expect(t, http.StatusSeeOther)
			loc := p.Header.Get("Location")
			token := strings.TrimPrefix(loc, e.shop.URL)
			for _, sep := range []string{"authorization_token=", "t="} {
				if _, after, ok := strings.Cut(token, sep); ok {
					token, _, _ = strings.Cut(after, "&")
					token, _, _ = strings.Cut(token, "#")
					break
				}
			}
			if want := e.shop.URL + c.want(s.SessionID, token); loc != want || token == "" {
				t.Errorf("redirect to %q, want %q", loc, want)
			}
		})
	}
}

// TestOffersFollowTheFinancingTerms: the offers are computed with the terms
// financed orders get, as they are when the page is served, and the order's
// plan is what the chosen offer said.
func TestOffersFollowTheFinancingTerms(t *testing.T) {
	e := newEnv(t)
	terms := plan.Terms{NominalRateBP: 995, MonthlyFee: 2500, SetupFee: 10000}
	e.app.Plans.Config.Financing = terms
	s := e.session(order("en-DK", ""))
	c := e.client()
	details := c.open(s).expect(t, http.StatusOK)
	details.has(t, "Fixed nominal interest rate 9.95% a year.")
	offer := map[int]plan.FinancingOffer{}
	for _, months := range plan.FinancingMonths {
		tm := terms
		tm.Months = months
		o, err := plan.Offer(125000, tm)
		if err != nil {
			t.Fatal(err)
		}
		offer[months] = o
		details.has(t, fmt.Sprintf("%d months: %s a month", months, dkk(o.MonthlyPayment)),
			fmt.Sprintf("APR %d.%02d%%, total cost of credit %s, total payable %s", o.APR/100, o.APR%100, dkk(o.TotalCreditCost), dkk(o.TotalPayable)))
	}
	form := withCSRF(t, details, identity("anna@example.com", "pay_over_time"))
	form.Set("financing_months", "12")
	c.post(hosted.Prefix+s.SessionID, form).expect(t, http.StatusSeeOther)
	code := c.get(hosted.Prefix+s.SessionID+"/code").expect(t, http.StatusOK)
	code.has(t, "12 months: "+dkk(offer[12].MonthlyPayment)+" a month", "total payable "+dkk(offer[12].TotalPayable))
	approved := c.post(hosted.Prefix+s.SessionID+"/code", withCSRF(t, code, url.Values{"otp": {checkout.TestOTP}})).expect(t, http.StatusOK)
	id := e.placeOrder(tokenOn(t, approved), order("en-DK", ""))
	e.api("POST", "/ordermanagement/v1/orders/"+id+"/captures", map[string]any{"captured_amount": 125000}, nil, http.StatusCreated)
	p, err := e.app.Plans.Get(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Installments) != 12 || p.Total != offer[12].TotalPayable || p.Installments[1].Amount != offer[12].MonthlyPayment {
		t.Errorf("plan: %d instalments, total %d, second %d; the offer said 12, %d, %d a month",
			len(p.Installments), p.Total, p.Installments[1].Amount, offer[12].TotalPayable, offer[12].MonthlyPayment)
	}
}

// TestEveryLanguage: the session's locale picks each of the four languages,
// with amounts written its way.
func TestEveryLanguage(t *testing.T) {
	e := newEnv(t)
	for _, c := range []struct {
		locale, lang, title, total string
	}{
		{"en-GB", "en", "Pay Test Shop", "Total: "},
		{"da-DK", "da", "Betal til Test Shop", "I alt: "},
		{"nl-NL", "nl", "Betalen aan Test Shop", "Totaal: "},
		{"sv-SE", "sv", "Betala till Test Shop", "Totalt: "},
	} {
		t.Run(c.locale, func(t *testing.T) {
			lang, _ := i18n.Parse(c.lang)
			p := e.client().open(e.session(order(c.locale, ""))).expect(t, http.StatusOK)
			p.has(t, `<html lang="`+c.lang+`">`, c.title)
			if !strings.Contains(p.Body, c.total+i18n.FormatMoney(lang, 125000, "DKK")) {
				t.Errorf("no %q%q on the page", c.total, i18n.FormatMoney(lang, 125000, "DKK"))
			}
			if got := p.Header.Get("Content-Language"); got != c.lang {
				t.Errorf("Content-Language %q", got)
			}
		})
	}
}
