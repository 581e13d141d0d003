package demoshop

import (
	"context"
	"crypto/subtle"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/checkout"
	"github.com/tillit/tillit/internal/i18n"
	"github.com/tillit/tillit/internal/ids"
	"github.com/tillit/tillit/internal/repayment"
	"github.com/tillit/tillit/internal/web"
)

// Form and query fields of the shop.
const (
	fieldCountry  = "country"
	fieldLanguage = "language"
	// tokenParam carries the authorization token back from the checkout.
	tokenParam = "token"
)

// sessionsCookie holds the ids of the payment sessions the shop opened for
// this browser, newest first, joined by dots. Session ids are not secrets:
// only the authorization token that comes back proves a payment.
const sessionsCookie = "tillit_demo_shop"

// maxSessions is how many of a browser's sessions the shop remembers, so a
// buyer may have a few checkouts open in several tabs.
const maxSessions = 5

// option is one entry of a select list.
type option struct {
	Value, Label string
	Selected     bool
}

// indexPage is the data of the index page.
type indexPage struct {
	Nav                                                   string
	Shop                                                  string
	TestCode                                              string
	ShopURL, ConsumerURL, MailboxURL, PortalURL, StaffURL string
}

// shopPage is the data of the shop page.
type shopPage struct {
	Nav       string
	Shop      string
	Action    string
	Basket    basket
	Countries []option
	Languages []option
	TestCode  string
}

// thanksPage is the data of the thank-you page.
type thanksPage struct {
	Nav  string
	Shop string
	// Again is set when the order was placed on an earlier visit.
	Again     bool
	Order     checkout.OrderSummary
	MethodKey string
	// FraudKey and FraudClass are the fraud status's words and badge colour.
	FraudKey, FraudClass string
	// Pending is set while the order waits for a fraud review.
	Pending                                     bool
	ShopURL, ConsumerURL, MailboxURL, PortalURL string
}

// problemPage is the data of the page a return from the checkout gets when
// no order can be placed.
type problemPage struct {
	Nav               string
	TitleKey, BodyKey string
	Minutes           int
	ShopURL           string
}

// index serves GET /demo/.
func (p *Pages) index(w http.ResponseWriter, r *http.Request) {
	p.rd.Render(w, r, http.StatusOK, "demo/index", indexPage{
		Nav: "index", Shop: p.cfg.Merchant.Name, TestCode: checkout.TestOTP, ShopURL: ShopPath, ConsumerURL: consumerPrefix,
		MailboxURL: mailboxPath, PortalURL: portalPrefix, StaffURL: staffPrefix,
	})
}

// shop serves GET /demo/shop: the basket priced for the country in the
// query (else the reader's likely country), and the button to pay.
func (p *Pages) shop(w http.ResponseWriter, r *http.Request) {
	lang := web.Lang(r)
	c, ok := countryByCode(strings.ToUpper(r.URL.Query().Get(fieldCountry)))
	if !ok {
		c = defaultCountry(lang)
	}
	data := shopPage{Nav: "shop", Shop: p.cfg.Merchant.Name, Action: ShopPath, Basket: newBasket(c, lang), TestCode: checkout.TestOTP}
	for _, k := range countries {
		data.Countries = append(data.Countries, option{Value: k.Code, Label: i18n.T(lang, k.nameKey()), Selected: k == c})
	}
	for _, l := range i18n.Supported {
		data.Languages = append(data.Languages, option{Value: string(l), Label: l.Name(), Selected: l == lang})
	}
	p.rd.Render(w, r, http.StatusOK, "demo/shop", data)
}

// startCheckout serves POST /demo/shop: it opens a payment session for the
// basket in the chosen country and language, remembers the session for this
// browser and sends the buyer to the hosted checkout, which comes back to
// the authorized page with the authorization token.
func (p *Pages) startCheckout(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		p.rd.Error(w, r, http.StatusBadRequest)
		return
	}
	form := web.NewForm(r.PostForm)
	c, ok := countryByCode(form.Get(fieldCountry))
	if !ok {
		p.rd.Error(w, r, http.StatusBadRequest)
		return
	}
	lang, ok := i18n.Parse(form.Get(fieldLanguage))
	if !ok {
		lang = web.Lang(r)
	}
	origin := p.origin(r)
	data := newBasket(c, lang).orderData(lang, "DEMO-"+strings.ToUpper(randomString(10)))
	data.MerchantURLs = &checkout.MerchantURLs{Authorization: origin + authorizedPath + "?" + tokenParam + "={authorization_token}"}
	s, err := p.cfg.Checkout.CreateSession(r.Context(), p.cfg.Merchant, data, origin)
	if err != nil {
		p.serverError(w, r, err)
		return
	}
	p.remember(w, r, s.SessionID)
	// The checkout link carries the language too: the checkout prefers a
	// language chosen earlier (the lang cookie) to the session's locale.
	q := url.Values{"client_token": {s.ClientToken}, i18n.Param: {string(lang)}}
	web.Redirect(w, r, checkoutPrefix+s.SessionID+"?"+q.Encode())
}

// remember adds a session to the browser's list of the shop's sessions.
func (p *Pages) remember(w http.ResponseWriter, r *http.Request, sessionID string) {
	list := []string{sessionID}
	for _, id := range rememberedSessions(r) {
		if len(list) < maxSessions && id != sessionID {
			list = append(list, id)
		}
	}
	web.SetCookie(w, r, sessionsCookie, strings.Join(list, "."), checkout.SessionLifetime)
}

// rememberedSessions returns the ids of the sessions the shop opened for
// the browser, newest first.
func rememberedSessions(r *http.Request) []string {
	c, err := r.Cookie(sessionsCookie)
	if err != nil {
		return nil
	}
	var list []string
	for _, id := range strings.Split(c.Value, ".") {
		if ids.Valid(id) && len(list) < maxSessions {
			list = append(list, id)
		}
	}
	return list
}

// authorized serves GET /demo/shop/authorized?token=…: it places the order
// of the browser's session that the token authorized, with the session's
// own data, and thanks the buyer. Coming back again (a reload) shows the
// order placed the first time.
func (p *Pages) authorized(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	token := r.URL.Query().Get(tokenParam)
	s, found, err := p.authorizedSession(ctx, r, token)
	if err != nil {
		p.serverError(w, r, err)
		return
	}
	if !found {
		p.problem(w, r, http.StatusNotFound, "demo.problem.unknown")
		return
	}
	again := false
	if _, err := p.cfg.Checkout.CreateOrder(ctx, p.cfg.Merchant, token, s.OrderData); err != nil {
		switch apperr.Code(err) {
		case apperr.TokenUsed:
			again = true
		case apperr.NoSuchToken:
			p.problem(w, r, http.StatusGone, "demo.problem.expired")
			return
		default:
			p.serverError(w, r, err)
			return
		}
	}
	orders, err := p.cfg.Checkout.ListOrders(ctx, p.cfg.Merchant.ID, checkout.OrderFilter{Search: s.MerchantReference1, Limit: 1})
	if err == nil && len(orders) == 0 {
		err = errors.New("demoshop: the session's order is not found")
	}
	if err != nil {
		p.serverError(w, r, err)
		return
	}
	o := orders[0]
	data := thanksPage{
		Nav: "shop", Shop: p.cfg.Merchant.Name, Again: again, Order: o, MethodKey: methodKey(o.PaymentMethod),
		ShopURL: ShopPath, ConsumerURL: consumerPrefix, MailboxURL: mailboxPath, PortalURL: portalPrefix,
	}
	data.FraudKey, data.FraudClass = fraudBadge(o.FraudStatus)
	data.Pending = o.FraudStatus == checkout.FraudPending
	p.rd.Render(w, r, http.StatusOK, "demo/thanks", data)
}

// authorizedSession returns the one of the browser's remembered sessions
// whose authorization token is token, and whether there is one.
func (p *Pages) authorizedSession(ctx context.Context, r *http.Request, token string) (checkout.Session, bool, error) {
	if token == "" {
		return checkout.Session{}, false, nil
	}
	for _, id := range rememberedSessions(r) {
		s, err := p.cfg.Checkout.GetSession(ctx, p.cfg.Merchant.ID, id, p.origin(r))
		if err != nil {
			if apperr.Code(err) == apperr.NoSuchSession {
				continue
			}
			return checkout.Session{}, false, err
		}
		if s.AuthorizationToken != "" && subtle.ConstantTimeCompare([]byte(s.AuthorizationToken), []byte(token)) == 1 {
			return s, true, nil
		}
	}
	return checkout.Session{}, false, nil
}

// problem renders the page of a return from the checkout that places no
// order; kind is the catalog key prefix of its title and text.
func (p *Pages) problem(w http.ResponseWriter, r *http.Request, status int, kind string) {
	p.rd.Render(w, r, status, "demo/problem", problemPage{
		Nav: "shop", TitleKey: kind + ".title", BodyKey: kind + ".body",
		Minutes: int(checkout.AuthorizationLifetime / time.Minute), ShopURL: ShopPath,
	})
}

// methodKey is the catalog key naming a payment method category.
func methodKey(category string) string {
	switch category {
	case repayment.CategoryPayNow, repayment.CategoryPayLater, repayment.CategoryPayIn3, repayment.CategoryFinancing:
		return "demo.method." + category
	}
	return "demo.method.other"
}

// fraudBadge is the catalog key and badge colour of a fraud status.
func fraudBadge(status string) (key, class string) {
	switch status {
	case checkout.FraudAccepted:
		return "demo.fraud.accepted", "success"
	case checkout.FraudPending:
		return "demo.fraud.pending", "warning"
	case checkout.FraudRejected:
		return "demo.fraud.rejected", "error"
	case checkout.FraudStopped:
		return "demo.fraud.stopped", "error"
	}
	return "demo.fraud.other", ""
}
