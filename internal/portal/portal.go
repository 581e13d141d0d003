// Package portal is the merchant portal (requirement U2): the pages under
// /portal/ where a merchant's users sign in with e-mail and password, see
// their sales statistics, find and manage orders (capture, refund, cancel,
// release the remaining authorization), read the webhook delivery log,
// read and download settlements, choose the payment methods their
// checkout offers, answer the stop requests of orders Tillit's security
// team stopped (T4, T5; stoprequests.go), answer disputes (disputes.go) and
// see the returns of an order and mark them received (returns.go).
//
// A user with two-step verification on gives a code from their
// authenticator app (or a recovery code) after the password
// (signin_verify.go); every user manages their two-step verification and
// sessions on the security page (security.go).
//
// Every page needs a signed-in merchant user (cookie tillit_merchant, a web
// session of package account) and shows only that user's merchant's data:
// another merchant's order or settlement answers exactly like one that does
// not exist. Viewers may look; owners and admins may also change orders and
// settings. Each change runs the same checkout operation as the Order
// Management API, with its audit entry ("merchant_user:<id>") in the same
// transaction. The exceptions are the pages a signed link opens without
// signing in (a stop request's answer form, a fraud case's reply): the link
// names the one record it opens and expires.
package portal

import (
	"embed"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/tillit/tillit/internal/access"

	"github.com/tillit/tillit/internal/account"
	"github.com/tillit/tillit/internal/checkout"
	"github.com/tillit/tillit/internal/dispute"
	"github.com/tillit/tillit/internal/fraudcase"
	"github.com/tillit/tillit/internal/merchantmsg"
	"github.com/tillit/tillit/internal/returns"
	"github.com/tillit/tillit/internal/stoprequest"
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/web"
)

//go:embed templates/*.html
var templates embed.FS

// Prefix is the path the portal is served under.
const Prefix = "/portal/"

// Config is what the portal needs.
type Config struct {
	// DB is the platform's database (webhook log, settlements, order
	// changes' transactions).
	DB *store.DB
	// Checkout runs order queries and order management.
	Checkout *checkout.Service
	// Accounts signs merchant users in and keeps their sessions.
	Accounts *account.Service
	// Messages holds merchant support messages about orders; when set, the
	// order page lists the order's messages and replies and sends new ones.
	Messages *merchantmsg.Service
	// StopRequests asks the merchant to stop orders the security analysts
	// stopped; when set, every signed-in page shows a banner while requests
	// wait, and the stop requests' pages and their signed-link form are
	// served.
	StopRequests *stoprequest.Service
	// FraudCases keeps fraud investigations; when set, merchants answer an
	// investigator's request for more information through its signed link.
	FraudCases *fraudcase.Service
	// Disputes runs buyer protection disputes; when set, the navigation
	// counts the disputes waiting for the merchant, the overview shows a
	// banner while any does, and the dispute pages are served (disputes.go).
	Disputes *dispute.Service
	// Returns runs consumers' returns of goods; when set, the order page
	// lists the order's returns and owners and admins mark them received
	// (returns.go).
	Returns *returns.Service
	// Key signs CSRF tokens and flash cookies: at least web.MinKeyLen bytes,
	// the same in every process (the instance's web key).
	Key []byte
	// SecureCookies marks cookies Secure even on plain-HTTP requests (TLS
	// ends at a proxy).
	SecureCookies bool
	// Logger receives errors; slog.Default() when nil. It never receives
	// personal data.
	Logger *slog.Logger
}

// Pages is the merchant portal.
type Pages struct {
	cfg     Config
	rd      *web.Renderer
	handler http.Handler
}

// New returns the portal. Errors: a missing service, a short key, or a
// template that does not parse or lint.
func New(cfg Config) (*Pages, error) {
	if cfg.DB == nil || cfg.Checkout == nil || cfg.Accounts == nil {
		return nil, errors.New("portal: Config needs DB, Checkout and Accounts")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	p := &Pages{cfg: cfg}
	rd, err := web.NewRenderer(web.Options{
		Key: cfg.Key, Home: Prefix, SecureCookies: cfg.SecureCookies, Logger: cfg.Logger,
		SessionID: func(r *http.Request) string {
			if u := currentUser(r); u != nil {
				return u.SessionID
			}
			return ""
		},
	})
	if err != nil {
		return nil, fmt.Errorf("portal: %w", err)
	}
	if err := rd.AddPages("merchant", templates, "templates/*.html"); err != nil {
		return nil, fmt.Errorf("portal: %w", err)
	}
	p.rd = rd

	mux := access.NewRouter(p.gate())
	mux.HandleFunc("GET /portal/signin", p.signinPage)
	mux.HandleFunc("POST /portal/signin", p.signin)
	mux.HandleFunc("GET "+verifyPath, p.verifyPage)
	mux.HandleFunc("POST "+verifyPath, p.verify)
	p.routeSecurity(mux)
	mux.HandleFunc("POST /portal/signout", p.signedIn(p.signout))
	mux.HandleFunc("GET /portal/{$}", p.signedIn(p.dashboard))
	mux.HandleFunc("GET /portal/orders", p.signedIn(p.orders))
	mux.HandleFunc("GET /portal/orders/{id}", p.signedIn(p.order))
	mux.HandleFunc("POST /portal/orders/{id}/capture", p.signedIn(p.capture))
	mux.HandleFunc("POST /portal/orders/{id}/refund", p.signedIn(p.refund))
	mux.HandleFunc("POST /portal/orders/{id}/cancel", p.signedIn(p.cancel))
	mux.HandleFunc("POST /portal/orders/{id}/release", p.signedIn(p.release))
	if cfg.Messages != nil {
		mux.HandleFunc("POST /portal/orders/{id}/messages", p.signedIn(p.sendMessage))
	}
	if cfg.FraudCases != nil {
		mux.HandleFunc("GET "+caseReplyPath, p.caseReply)
		mux.HandleFunc("POST "+caseReplyPath, p.postCaseReply)
	}
	mux.HandleFunc("GET /portal/webhooks", p.signedIn(p.webhooks))
	mux.HandleFunc("GET /portal/settlements", p.signedIn(p.settlements))
	mux.HandleFunc("GET /portal/settlements/{id}", p.signedIn(p.settlement))
	mux.HandleFunc("GET /portal/settlements/{id}/csv", p.signedIn(p.settlementCSV))
	mux.HandleFunc("GET /portal/payment-methods", p.signedIn(p.methodsPage))
	mux.HandleFunc("POST /portal/payment-methods", p.signedIn(p.setMethods))
	inner := rd.Middleware(mux)
	if cfg.StopRequests != nil {
		mux.HandleFunc("GET "+StopRequestsPath, p.signedIn(p.stopRequests))
		mux.HandleFunc("GET "+StopRequestsPath+"/{id}", p.signedIn(p.stopRequest))
		mux.HandleFunc("POST "+StopRequestsPath+"/{id}", p.signedIn(p.postStopRequest))
		mux.HandleFunc("GET "+stoprequest.FormPath+"{token}", p.linkStopRequest)
		mux.HandleFunc("POST "+stoprequest.FormPath+"{token}", p.postLinkStopRequest)
		inner = p.withStopBanner(inner)
	}
	if cfg.Disputes != nil {
		inner = p.routeDisputes(mux, inner)
	}
	if cfg.Returns != nil {
		mux.HandleFunc("POST "+returnReceivedPath, p.signedIn(p.markReturnReceived))
	}
	mux.HandleFunc("/portal/", p.signedIn(func(w http.ResponseWriter, r *http.Request, _ *user) {
		p.rd.Error(w, r, http.StatusNotFound)
	}))
	p.handler = p.withSession(inner)
	return p, nil
}

// Handler serves every path under Prefix, wrapped in the renderer's
// middleware (security headers, language, flash notices, CSRF). Mount it as
// mux.Handle(portal.Prefix, pages.Handler()); /static/ is mounted by the app.
func (p *Pages) Handler() http.Handler { return p.handler }

// page is what every portal page's data carries: the signed-in user (nil on
// the sign-in page) and the section of the navigation it belongs to.
type page struct {
	User    *user
	Section string
}

// fail logs an unexpected error and answers with the 500 page.
func (p *Pages) fail(w http.ResponseWriter, r *http.Request, what string, err error) {
	p.cfg.Logger.Error("portal: "+what, "path", r.URL.Path, "err", err)
	p.rd.Error(w, r, http.StatusInternalServerError)
}

// utcDay returns the start of t's UTC day.
func utcDay(t time.Time) time.Time { return t.UTC().Truncate(24 * time.Hour) }
