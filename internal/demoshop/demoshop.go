// Package demoshop is the front door of demo mode (tillit serve --demo),
// where a person tries the whole platform in a browser: an index page that
// explains demo mode and leads to every part of Tillit, a pretend web shop
// that sends the buyer through the hosted checkout and places the order when
// they come back, and Seed, which creates the demo merchant and the sign-ins
// for the merchant portal and the back office.
//
// Demo mode is never for production. Seed makes accounts whose passwords are
// printed on the terminal, the demo merchant is in test mode (its checkout
// accepts the one-time code 123456 and no money moves), and the demo mailbox
// beside these pages shows anyone's e-mails. New refuses a merchant that is
// not in test mode.
//
// The pages, under Prefix:
//
//	GET  /demo/                 what demo mode is, with links to the shop, the consumer
//	                            app, the merchant portal, the back office and the demo mailbox
//	GET  /demo/shop             the basket, priced for the country chosen (?country=)
//	POST /demo/shop             opens a payment session for the basket (checkout.Service,
//	                            as the Payments API would) and redirects to the hosted checkout
//	GET  /demo/shop/authorized  where the checkout sends the buyer back with
//	                            ?token=<authorization token>: places the order and says thank you
//
// The shop keeps no basket of its own: the purchase is stored in the payment
// session, and the shop remembers only the ids of the sessions it opened for
// a browser, in a cookie. On the way back it finds the session whose
// authorization token came back, reads it (checkout.Service.GetSession) and
// places the order with exactly its data, so the amounts always match the
// session. A token that belongs to none of them is refused before anything
// is written; reloading the thank-you page finds the order already placed
// (by the shop's reference in merchant_reference1) and shows it again.
//
// /demo/mailbox is the consumer app's (a more specific pattern, mounted
// beside Prefix); Handler does not serve it.
package demoshop

import (
	"embed"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"github.com/tillit/tillit/internal/access"
	"github.com/tillit/tillit/internal/checkout"
	"github.com/tillit/tillit/internal/merchant"
	"github.com/tillit/tillit/internal/web"
)

//go:embed templates/*.html
var templates embed.FS

// Paths of the demo pages. The app mounts Handler at Prefix, in demo mode
// only.
const (
	Prefix         = "/demo/"
	ShopPath       = Prefix + "shop"
	authorizedPath = ShopPath + "/authorized"
)

// Where the rest of the platform is mounted (hosted.Prefix,
// consumerapp.Prefix and MailboxPath, the portal's and backoffice.Prefix),
// as the pages link to it.
const (
	checkoutPrefix = "/checkout/"
	consumerPrefix = "/app/"
	mailboxPath    = "/demo/mailbox"
	portalPrefix   = "/portal/"
	staffPrefix    = "/staff/"
)

// Config is what the demo pages need.
type Config struct {
	// Checkout opens the shop's payment sessions and places its orders.
	Checkout *checkout.Service
	// Merchant is the demo shop (Demo.Merchant from Seed); it must be in
	// test mode.
	Merchant merchant.Merchant
	// Key signs CSRF tokens and flash cookies: at least web.MinKeyLen
	// bytes, the same in every process (the app's web key).
	Key []byte
	// SecureCookies marks every cookie Secure, for deployments behind a
	// proxy that terminates TLS.
	SecureCookies bool
	// BaseURL is the public origin (scheme://host[:port]) the hosted
	// checkout sends the buyer back to; empty means the scheme and host of
	// each request. Behind a proxy that terminates TLS, set it.
	BaseURL string
	// Logger receives errors; slog.Default() when nil. Tokens and personal
	// data are never logged.
	Logger *slog.Logger
}

// Pages serves the demo index and the demo shop.
type Pages struct {
	cfg     Config
	rd      *web.Renderer
	handler http.Handler
}

// New checks cfg and parses the pages. It fails without Checkout, for a
// merchant that is not in test mode, a BaseURL that is not an origin, a
// short key or a broken template.
func New(cfg Config) (*Pages, error) {
	if cfg.Checkout == nil {
		return nil, errors.New("demoshop: Config.Checkout is required")
	}
	if cfg.Merchant.ID == "" || !cfg.Merchant.TestMode {
		return nil, errors.New("demoshop: Config.Merchant must be a merchant in test mode")
	}
	if cfg.BaseURL != "" {
		u, err := url.Parse(cfg.BaseURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || strings.Trim(u.Path, "/") != "" || u.RawQuery != "" {
			return nil, fmt.Errorf("demoshop: Config.BaseURL %q is not an origin such as https://tillit.example", cfg.BaseURL)
		}
		cfg.BaseURL = u.Scheme + "://" + u.Host
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	rd, err := web.NewRenderer(web.Options{Key: cfg.Key, Home: Prefix, SecureCookies: cfg.SecureCookies, Logger: cfg.Logger})
	if err != nil {
		return nil, fmt.Errorf("demoshop: %w", err)
	}
	if err := rd.AddPages("demo", templates, "templates/*.html"); err != nil {
		return nil, fmt.Errorf("demoshop: %w", err)
	}
	p := &Pages{cfg: cfg, rd: rd}
	mux := access.NewRouter(access.Gate{}) // public pages only
	mux.HandleFunc("GET "+Prefix+"{$}", p.index)
	mux.HandleFunc("GET "+ShopPath, p.shop)
	mux.HandleFunc("POST "+ShopPath, p.startCheckout)
	mux.HandleFunc("GET "+authorizedPath, p.authorized)
	mux.HandleFunc(Prefix, func(w http.ResponseWriter, r *http.Request) { rd.Error(w, r, http.StatusNotFound) })
	p.handler = rd.Middleware(mux)
	return p, nil
}

// Handler serves every path under Prefix (but for the demo mailbox, which
// is mounted on its own); mount it as mux.Handle(demoshop.Prefix,
// pages.Handler()) next to the hosted checkout and web.Static().
func (p *Pages) Handler() http.Handler { return p.handler }

// origin is the public origin the request came to: Config.BaseURL, or the
// request's scheme and host.
func (p *Pages) origin(r *http.Request) string {
	if p.cfg.BaseURL != "" {
		return p.cfg.BaseURL
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// serverError logs err (never tokens or personal data) and renders the 500
// page.
func (p *Pages) serverError(w http.ResponseWriter, r *http.Request, err error) {
	p.cfg.Logger.Error("demoshop: request failed", "path", r.URL.Path, "err", err)
	p.rd.Error(w, r, http.StatusInternalServerError)
}
