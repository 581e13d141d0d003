package hosted

import (
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/checkout"
	"github.com/tillit/tillit/internal/repayment"
	"github.com/tillit/tillit/internal/web"
)

// tokenParam is the query parameter a checkout link carries the client token
// in.
const tokenParam = "client_token"

// fieldCode is the code page's field.
const fieldCode = "otp"

var codePattern = regexp.MustCompile(`^[0-9]{6}$`)

// detailsPage is the data of the details page.
type detailsPage struct {
	Session   checkout.ConsumerSessionView
	Form      *web.Form
	Countries []countryOption
	Methods   []methodOffer
	// The form's choices, to check the radio buttons again.
	Method     string
	Months     int
	Instrument string
	Action     string
}

// codePage is the data of the code page.
type codePage struct {
	Session checkout.ConsumerSessionView
	Details details
	Form    *web.Form
	// MethodKey is the catalog key of the chosen method's name.
	MethodKey string
	// Offer is the chosen method with its terms; Financing is the chosen
	// financing term, if any.
	Offer      methodOffer
	Financing  *financingOffer
	Instrument string // catalog key of the way to pay now, if any
	TestCode   string
	Minutes    int
	Action     string
	Resend     string
	DetailsURL string
}

// outcomePage is the data of the rejected and approved pages.
type outcomePage struct {
	Session    checkout.ConsumerSessionView
	Token      string
	DetailsURL string
	// Minutes is how long the merchant has to place the order with Token.
	Minutes int
}

// showDetails serves GET /checkout/{id}: a checkout link with the client
// token is turned into the session cookie; otherwise the order and the
// details form.
func (p *Pages) showDetails(w http.ResponseWriter, r *http.Request) {
	if r.URL.Query().Has(tokenParam) {
		p.enter(w, r)
		return
	}
	r, s, ok := p.load(w, r)
	if !ok {
		return
	}
	if s.Status != checkout.SessionIncomplete {
		p.alreadyAuthorized(w, r, s, http.StatusOK)
		return
	}
	form := web.NewForm(nil)
	if d, ok := p.storedDetails(r, s.SessionID); ok {
		form = web.NewForm(d.values())
	}
	p.renderDetails(w, r, s, form, http.StatusOK)
}

// enter checks a checkout link's client token, keeps it in a cookie scoped
// to the session and redirects to the page without it.
func (p *Pages) enter(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("session_id")
	q := r.URL.Query()
	token := q.Get(tokenParam)
	v, err := p.cfg.Checkout.ConsumerSession(r.Context(), id, token)
	if err != nil {
		p.sessionError(w, r, err)
		return
	}
	p.setCookie(w, r, id, tokenCookie, token, v.ExpiresAt.Sub(p.now()))
	q.Del(tokenParam)
	target := sessionPath(id)
	if len(q) > 0 {
		target += "?" + q.Encode()
	}
	web.Redirect(w, r, target)
}

// renderDetails renders the details page with form.
func (p *Pages) renderDetails(w http.ResponseWriter, r *http.Request, s current, form *web.Form, status int) {
	lang := web.Lang(r)
	methods, err := offers(lang, s.PaymentMethods, s.OrderAmount, p.financingTerms())
	if err != nil {
		p.cfg.Logger.Error("hosted: payment method terms", "err", err)
		p.rd.Error(w, r, http.StatusInternalServerError)
		return
	}
	country := form.Get(fieldCountry)
	if country == "" {
		country = s.PurchaseCountry
	}
	data := detailsPage{
		Session: s.ConsumerSessionView, Form: form, Countries: countryOptions(lang, country), Methods: methods,
		Method: form.Get(fieldMethod), Instrument: form.Get(fieldInstrument), Action: sessionPath(s.SessionID),
	}
	for _, m := range methods {
		for _, f := range m.Financing {
			if form.Get(fieldMonths) == itoa(f.Months) {
				data.Months = f.Months
			}
		}
	}
	p.rd.Render(w, r, status, "checkout/details", data)
}

// submitDetails serves POST /checkout/{id}: it validates the details, sends
// the one-time code and goes on to the code page.
func (p *Pages) submitDetails(w http.ResponseWriter, r *http.Request) {
	r, s, ok := p.load(w, r)
	if !ok {
		return
	}
	if s.Status != checkout.SessionIncomplete {
		p.alreadyAuthorized(w, r, s, http.StatusConflict)
		return
	}
	if err := r.ParseForm(); err != nil {
		p.rd.Error(w, r, http.StatusBadRequest)
		return
	}
	form := web.NewForm(r.PostForm)
	d, valid := parseDetails(form, s.PaymentMethods, p.now())
	if !valid {
		p.renderDetails(w, r, s, form, http.StatusUnprocessableEntity)
		return
	}
	err := p.cfg.Checkout.RequestOTP(r.Context(), s.SessionID, s.token, checkout.OTPRequest{Email: d.Email})
	if err != nil {
		if apperr.Code(err) == apperr.BadValue {
			form.AddError(fieldEmail, "form.invalid_email")
			p.renderDetails(w, r, s, form, http.StatusUnprocessableEntity)
			return
		}
		p.stepError(w, r, s, err)
		return
	}
	p.setCookie(w, r, s.SessionID, detailsCookie, p.sealDetails(s.SessionID, d), detailsLifetime)
	web.Redirect(w, r, sessionPath(s.SessionID)+"/code")
}

// stepError answers an error of a checkout step: the already-authorized page
// for NOT_ALLOWED, else as sessionError.
func (p *Pages) stepError(w http.ResponseWriter, r *http.Request, s current, err error) {
	if apperr.Code(err) == apperr.NotAllowed {
		p.alreadyAuthorized(w, r, s, http.StatusConflict)
		return
	}
	p.sessionError(w, r, err)
}

// restart sends a consumer whose details are gone (expired, or a cookie that
// does not open) back to the details page.
func (p *Pages) restart(w http.ResponseWriter, r *http.Request, s current) {
	web.Flash(w, r, web.FlashWarning, "checkout.flash.start_again")
	web.Redirect(w, r, sessionPath(s.SessionID))
}

// showCode serves GET /checkout/{id}/code: the page that asks for the
// one-time code.
func (p *Pages) showCode(w http.ResponseWriter, r *http.Request) {
	r, s, ok := p.load(w, r)
	if !ok {
		return
	}
	if s.Status != checkout.SessionIncomplete {
		p.alreadyAuthorized(w, r, s, http.StatusOK)
		return
	}
	d, ok := p.storedDetails(r, s.SessionID)
	if !ok {
		p.restart(w, r, s)
		return
	}
	p.renderCode(w, r, s, d, web.NewForm(nil), http.StatusOK)
}

// renderCode renders the code page. When the merchant wants the consumer back
// at its authorization URL, the page's form-action policy allows that origin:
// browsers apply it to the redirect that follows the form.
func (p *Pages) renderCode(w http.ResponseWriter, r *http.Request, s current, d details, form *web.Form, status int) {
	methods, err := offers(web.Lang(r), []string{d.Method}, s.OrderAmount, p.financingTerms())
	if err != nil {
		p.cfg.Logger.Error("hosted: payment method terms", "err", err)
		p.rd.Error(w, r, http.StatusInternalServerError)
		return
	}
	data := codePage{
		Session: s.ConsumerSessionView, Details: d, Form: form, MethodKey: methodName(d.Method), Offer: methods[0],
		Minutes: int(checkout.OTPLifetime / time.Minute), Action: sessionPath(s.SessionID) + "/code",
		Resend: sessionPath(s.SessionID) + "/code/resend", DetailsURL: sessionPath(s.SessionID),
	}
	for i, f := range methods[0].Financing {
		if f.Months == d.Months {
			data.Financing = &methods[0].Financing[i]
		}
	}
	if d.Method == repayment.CategoryPayNow {
		data.Instrument = "checkout.pay_now." + d.Instrument
	}
	if s.TestMode {
		data.TestCode = checkout.TestOTP
	}
	p.allowMerchantRedirect(w, s)
	p.rd.Render(w, r, status, "checkout/code", data)
}

// allowMerchantRedirect widens the page's form-action policy to the origin
// of the session's authorization URL, if it has one.
func (p *Pages) allowMerchantRedirect(w http.ResponseWriter, s current) {
	if o := origin(s.MerchantURLs.Authorization); o != "" {
		web.SetPolicy(w, web.Policy{FormAction: []string{o}})
	}
}

// resend serves POST /checkout/{id}/code/resend: a new one-time code.
func (p *Pages) resend(w http.ResponseWriter, r *http.Request) {
	r, s, ok := p.load(w, r)
	if !ok {
		return
	}
	d, ok := p.storedDetails(r, s.SessionID)
	if !ok {
		p.restart(w, r, s)
		return
	}
	if err := p.cfg.Checkout.RequestOTP(r.Context(), s.SessionID, s.token, checkout.OTPRequest{Email: d.Email}); err != nil {
		p.stepError(w, r, s, err)
		return
	}
	web.Flash(w, r, web.FlashSuccess, "checkout.flash.code_sent", "email", d.Email)
	web.Redirect(w, r, sessionPath(s.SessionID)+"/code")
}

// confirm serves POST /checkout/{id}/code: it authorizes the session with
// the stored details and the code, and shows the outcome or sends the
// consumer back to the merchant with the authorization token.
func (p *Pages) confirm(w http.ResponseWriter, r *http.Request) {
	r, s, ok := p.load(w, r)
	if !ok {
		return
	}
	if s.Status != checkout.SessionIncomplete {
		// Most often the same code submitted twice: the consumer goes
		// back to the merchant as the first submission would have sent
		// them.
		if u := s.MerchantURLs.Authorization; u != "" && s.AuthorizationToken != "" {
			p.allowMerchantRedirect(w, s)
			web.Redirect(w, r, authorizationURL(u, s.SessionID, s.AuthorizationToken))
			return
		}
		p.alreadyAuthorized(w, r, s, http.StatusConflict)
		return
	}
	d, ok := p.storedDetails(r, s.SessionID)
	if !ok {
		p.restart(w, r, s)
		return
	}
	if err := r.ParseForm(); err != nil {
		p.rd.Error(w, r, http.StatusBadRequest)
		return
	}
	form := web.NewForm(r.PostForm)
	code := strings.ReplaceAll(form.Get(fieldCode), " ", "")
	form.Required(fieldCode)
	if code != "" && !codePattern.MatchString(code) {
		form.AddError(fieldCode, "checkout.error.code_format")
	}
	if !form.Valid() {
		p.renderCode(w, r, s, d, form, http.StatusUnprocessableEntity)
		return
	}
	res, err := p.cfg.Checkout.Authorize(r.Context(), s.SessionID, s.token, d.authorizeRequest(r, code))
	switch {
	case err == nil:
	case apperr.Code(err) == apperr.InvalidOTP:
		p.wrongCode(w, r, s, d, form)
		return
	case apperr.Code(err) == apperr.BadValue:
		// The details passed this page's checks but not checkout's, or
		// the merchant switched the method off meanwhile.
		key := "checkout.flash.check_details"
		if e, _ := apperr.As(err); strings.Contains(e.Message, "payment_method_category") {
			key = "checkout.flash.method_unavailable"
		}
		web.Flash(w, r, web.FlashError, key)
		web.Redirect(w, r, sessionPath(s.SessionID))
		return
	default:
		p.stepError(w, r, s, err)
		return
	}
	out := outcomePage{Session: s.ConsumerSessionView, DetailsURL: sessionPath(s.SessionID)}
	if !res.Approved {
		p.rd.Render(w, r, http.StatusOK, "checkout/rejected", out)
		return
	}
	p.setCookie(w, r, s.SessionID, detailsCookie, "", -1)
	if u := s.MerchantURLs.Authorization; u != "" {
		p.allowMerchantRedirect(w, s)
		web.Redirect(w, r, authorizationURL(u, s.SessionID, res.AuthorizationToken))
		return
	}
	out.Token, out.Minutes = res.AuthorizationToken, int(checkout.AuthorizationLifetime/time.Minute)
	p.rd.Render(w, r, http.StatusOK, "checkout/approved", out)
}

// wrongCode renders the code page again after a wrong code, saying how many
// tries are left.
func (p *Pages) wrongCode(w http.ResponseWriter, r *http.Request, s current, d details, form *web.Form) {
	form.Values.Del(fieldCode)
	switch left, err := p.cfg.Checkout.OTPAttemptsLeft(r.Context(), s.SessionID, s.token); {
	case err != nil:
		p.sessionError(w, r, err)
		return
	case s.TestMode:
		form.AddError(fieldCode, "checkout.error.code_wrong_test", "code", checkout.TestOTP)
	case left > 0:
		form.AddError(fieldCode, "checkout.error.code_wrong", "count", left)
	default:
		form.AddError(fieldCode, "checkout.error.code_used_up")
	}
	p.renderCode(w, r, s, d, form, http.StatusUnprocessableEntity)
}

// authorizeRequest is the request the JSON endpoint would send for these
// details, from this browser.
func (d details) authorizeRequest(r *http.Request, code string) checkout.AuthorizeRequest {
	req := checkout.AuthorizeRequest{
		PaymentMethodCategory: d.Method,
		Customer:              checkout.Customer{DateOfBirth: d.DateOfBirth},
		BillingAddress: &checkout.Address{
			GivenName: d.GivenName, FamilyName: d.FamilyName, Email: d.Email, Phone: d.Phone,
			StreetAddress: d.Street, PostalCode: d.PostalCode, City: d.City, Country: d.Country,
		},
		Device: checkout.Device{IP: clientIP(r), UserAgent: truncate(r.UserAgent(), 512)},
		OTP:    code,
	}
	switch d.Method {
	case repayment.CategoryFinancing:
		req.FinancingMonths = d.Months
	case repayment.CategoryPayNow:
		req.PaymentInstrument = instruments[d.Instrument]
	}
	return req
}

// clientIP returns the address the request came from.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return truncate(r.RemoteAddr, 64)
	}
	return truncate(host, 64)
}

// truncate cuts s to at most n bytes, on a character boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// origin returns the scheme://host[:port] of an absolute URL, or "".
func origin(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return ""
	}
	return u.Scheme + "://" + u.Host
}

// authorizationURL fills the session id and the authorization token into
// the merchant's authorization URL, in place of {session_id} and
// {authorization_token} (or {{session_id}} and {{authorization_token}}, as
// hosted payment pages elsewhere write them); without a token placeholder
// the token is appended as the authorization_token query parameter.
func authorizationURL(tmpl, sessionID, token string) string {
	t, id := url.QueryEscape(token), url.QueryEscape(sessionID)
	u := strings.NewReplacer(
		"{{authorization_token}}", t, "{authorization_token}", t,
		"{{session_id}}", id, "{session_id}", id,
	).Replace(tmpl)
	if strings.Contains(tmpl, "{authorization_token}") {
		return u
	}
	base, fragment, hasFragment := strings.Cut(u, "#")
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
	}
	u = base + sep + "authorization_token=" + t
	if hasFragment {
		u += "#" + fragment
	}
	return u
}

// itoa writes an int in decimal.
func itoa(n int) string { return strconv.Itoa(n) }
