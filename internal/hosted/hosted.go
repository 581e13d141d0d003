// Package hosted is the hosted checkout: the server-rendered pages a consumer
// pays on, opened with a payment session's client token. The consumer sees the
// merchant, the order and its total, fills in who they are, picks one of the
// payment methods the merchant offers (with its terms: the pay-in-3 split, the
// financing offers with APR and total cost), confirms with a one-time code,
// and is sent back to the merchant with the authorization token.
//
// The flow, all under /checkout/{session_id}:
//
//	GET  ?client_token=…   checks the token, keeps it in a cookie scoped to the
//	                       session's path and redirects to the same URL without
//	                       it, so the token stays out of history and referrers
//	GET                    the order, the details form and the payment methods
//	POST                   validates, sends a one-time code, keeps the details
//	                       (encrypted, in a cookie scoped to the session) and
//	                       redirects to the code page
//	GET  /code             the code page
//	POST /code             authorizes (checkout.Service.Authorize) and shows the
//	                       outcome, or redirects to merchant_urls.authorization
//	                       with the token: in place of {authorization_token}
//	                       (and the session id of {session_id}; double braces
//	                       work too), else as the authorization_token parameter
//	POST /code/resend      sends a new code
//
// A session already authorized shows the already-approved page on every
// step; until the merchant places the order it carries the way back to the
// merchant with the token (or the token, when the merchant gave no URL), and
// a code submitted twice is redirected to the merchant like the first.
//
// Amounts always come from the session; the consumer's browser holds only
// what they typed. An unknown or expired session and a wrong token all get
// the same not-found page.
package hosted

import (
	"embed"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/tillit/tillit/internal/access"
	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/checkout"
	"github.com/tillit/tillit/internal/i18n"
	"github.com/tillit/tillit/internal/plan"
	"github.com/tillit/tillit/internal/repayment"
	"github.com/tillit/tillit/internal/web"
)

//go:embed templates/*.html
var templates embed.FS

// Prefix is the URL path the hosted checkout is served under.
const Prefix = "/checkout/"

// APIPrefix is the path of the consumer JSON API under Prefix, which
// Handler passes to Config.API.
const APIPrefix = "/checkout/v1/"

// Cookie names. Both are HttpOnly, SameSite=Lax and scoped to the session's
// path, so one browser can hold several checkouts at once.
const (
	// tokenCookie holds the session's client token.
	tokenCookie = "tillit_checkout"
	// detailsCookie holds the consumer's details between the details and
	// the code page, encrypted and authenticated (see details.go).
	detailsCookie = "tillit_checkout_details"
)

// Config is what the hosted checkout needs.
type Config struct {
	// Checkout runs sessions, one-time codes and authorizations. The
	// financing offers are computed with the terms of its Plans, which
	// orders are financed with (repayment.DefaultConfig()'s when it has no
	// Plans), so the page never promises other terms than the order gets.
	Checkout *checkout.Service
	// Key signs CSRF tokens and flash cookies and encrypts the details
	// cookie: at least web.MinKeyLen bytes, the same in every process.
	Key []byte
	// SecureCookies marks every cookie Secure even on plain-HTTP requests
	// (TLS terminated by a proxy).
	SecureCookies bool
	// API serves the consumer side's JSON endpoints, which share the
	// prefix (/checkout/v1/...): requests under APIPrefix go to it untouched,
	// so mounting Handler at Prefix does not hide them. Nil answers them
	// with the not-found page.
	API http.Handler
	// Logger receives errors; slog.Default() when nil. Personal data is
	// never logged.
	Logger *slog.Logger
}

// Pages serves the hosted checkout.
type Pages struct {
	cfg       Config
	rd        *web.Renderer
	detailKey []byte
	handler   http.Handler
}

// New returns the hosted checkout's pages. It fails when Checkout is missing,
// the key is too short or a template is broken.
func New(cfg Config) (*Pages, error) {
	if cfg.Checkout == nil {
		return nil, errors.New("hosted: Config.Checkout is required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	rd, err := web.NewRenderer(web.Options{Key: cfg.Key, NoHomeLink: true, SecureCookies: cfg.SecureCookies, Logger: cfg.Logger})
	if err != nil {
		return nil, fmt.Errorf("hosted: %w", err)
	}
	if err := rd.AddPages("checkout", templates, "templates/*.html"); err != nil {
		return nil, fmt.Errorf("hosted: %w", err)
	}
	p := &Pages{cfg: cfg, rd: rd, detailKey: deriveKey(cfg.Key, "tillit hosted checkout details")}
	mux := access.NewRouter(access.Gate{}) // public pages only
	mux.HandleFunc("GET /checkout/{session_id}", p.showDetails)
	mux.HandleFunc("POST /checkout/{session_id}", p.submitDetails)
	mux.HandleFunc("GET /checkout/{session_id}/code", p.showCode)
	mux.HandleFunc("POST /checkout/{session_id}/code", p.confirm)
	mux.HandleFunc("POST /checkout/{session_id}/code/resend", p.resend)
	mux.HandleFunc(Prefix, p.notFound)
	pages := rd.Middleware(mux)
	p.handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if cfg.API != nil && strings.HasPrefix(r.URL.Path, APIPrefix) {
			cfg.API.ServeHTTP(w, r)
			return
		}
		pages.ServeHTTP(w, r)
	})
	return p, nil
}

// Handler serves every path under Prefix, wrapped in the pages' middleware
// (security headers, language, flash notices, CSRF), except those under
// APIPrefix, which go to Config.API.
func (p *Pages) Handler() http.Handler { return p.handler }

// now is the checkout's clock.
func (p *Pages) now() time.Time { return p.cfg.Checkout.DB.Clock.Now() }

// financingTerms are the terms financed orders get, which the offers are
// computed with (Months is chosen by the consumer).
func (p *Pages) financingTerms() plan.Terms {
	if p.cfg.Checkout.Plans != nil {
		return p.cfg.Checkout.Plans.Config.Financing
	}
	return repayment.DefaultConfig().Financing
}

// sessionPath is the path of a session's checkout page, which its cookies
// are scoped to.
func sessionPath(sessionID string) string { return Prefix + sessionID }

// setCookie sets an HttpOnly, SameSite=Lax cookie scoped to the session's
// path; a negative maxAge deletes it.
func (p *Pages) setCookie(w http.ResponseWriter, r *http.Request, sessionID, name, value string, maxAge time.Duration) {
	c := &http.Cookie{
		Name:     name,
		Value:    value,
		Path:     sessionPath(sessionID),
		HttpOnly: true,
		Secure:   r.TLS != nil || p.cfg.SecureCookies,
		SameSite: http.SameSiteLaxMode,
	}
	switch {
	case maxAge < 0:
		c.MaxAge = -1
	case maxAge > 0:
		c.MaxAge = int(maxAge / time.Second)
	}
	http.SetCookie(w, c)
}

// sessionLang picks the language of a session's pages: the reader's explicit
// choice (the language switch), else the session's locale, which the shop
// chose for this shopper, else the browser's languages.
func sessionLang(r *http.Request, locale string) i18n.Lang {
	if l, ok := i18n.Parse(r.URL.Query().Get(i18n.Param)); ok {
		return l
	}
	if c, err := r.Cookie(i18n.Param); err == nil {
		if l, ok := i18n.Parse(c.Value); ok {
			return l
		}
	}
	if l, ok := i18n.Parse(locale); ok {
		return l
	}
	return i18n.Negotiate(r, "")
}

// current is the session a request is about, with the client token that
// opened it.
type current struct {
	checkout.ConsumerSessionView
	token string
}

// load reads the request's session with the client token from its cookie and
// sets the page language from the session. When there is no such session, the
// token is wrong or the session expired, it writes the not-found page and
// reports false.
func (p *Pages) load(w http.ResponseWriter, r *http.Request) (*http.Request, current, bool) {
	id := r.PathValue("session_id")
	c, err := r.Cookie(tokenCookie)
	if err != nil || c.Value == "" {
		p.notFound(w, r)
		return r, current{}, false
	}
	v, err := p.cfg.Checkout.ConsumerSession(r.Context(), id, c.Value)
	if err != nil {
		p.sessionError(w, r, err)
		return r, current{}, false
	}
	return web.WithLang(r, sessionLang(r, v.Locale)), current{ConsumerSessionView: v, token: c.Value}, true
}

// sessionError answers an error about the session: the not-found page for
// an unknown or expired session or a wrong token, the already-authorized page
// for a session that was authorized meanwhile, else the 500 page.
func (p *Pages) sessionError(w http.ResponseWriter, r *http.Request, err error) {
	switch apperr.Code(err) {
	case apperr.Unauthorized, apperr.SessionExpired, apperr.NoSuchSession:
		p.notFound(w, r)
	default:
		p.cfg.Logger.Error("hosted: checkout session", "err", err)
		p.rd.Error(w, r, http.StatusInternalServerError)
	}
}

// notFound renders the one page every unusable checkout link gets.
func (p *Pages) notFound(w http.ResponseWriter, r *http.Request) {
	p.rd.Render(w, r, http.StatusNotFound, "checkout/notfound", nil)
}

// authorizedPage is the data of the already-authorized page.
type authorizedPage struct {
	Session checkout.ConsumerSessionView
	// ContinueURL is the merchant's authorization URL with the token, while
	// the merchant can still place the order with it.
	ContinueURL string
	// Token is the authorization token when the merchant gave no
	// authorization URL and can still place the order with it.
	Token string
}

// alreadyAuthorized renders the page of a session the consumer already
// authorized. While the merchant has not placed the order yet, the consumer
// (who may have lost the way back, or submitted the code twice) gets the
// link back to the merchant with the token, or the token.
func (p *Pages) alreadyAuthorized(w http.ResponseWriter, r *http.Request, s current, status int) {
	data := authorizedPage{Session: s.ConsumerSessionView}
	if t := s.AuthorizationToken; t != "" {
		if u := s.MerchantURLs.Authorization; u != "" {
			data.ContinueURL = authorizationURL(u, s.SessionID, t)
		} else {
			data.Token = t
		}
	}
	p.rd.Render(w, r, status, "checkout/authorized", data)
}
