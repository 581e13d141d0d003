// Package consumerapp is the consumer web app under /app/ (requirement U1):
// a consumer signs in with their e-mail address and a one-time code, sees
// their purchases and the payments coming up, opens an order's schedule,
// financing terms, statements and receipts, pays the next instalment or
// everything, prints a receipt for a settled payment, and gives or
// withdraws their consents under "Your privacy choices" (/app/privacy),
// and sees the automated decisions about them, contests one and sees who
// their data was shared with (/app/decisions), and files and follows
// requests over their data (/app/privacy/requests, package dsr), and
// answers the security team's requests to confirm a purchase (/app/verify,
// package risk/postapproval), and files complaints and follows them through
// customer service, the independent customer representative and on to the
// national complaints board (/app/complaints, package complaint), and
// reports a problem with an order (a buyer-protection dispute, package
// dispute, followed at /app/disputes/{id}) or registers a return of it
// (package returns), keeps their account secure at /app/security
// (two-step verification, signed-in browsers; package account) and makes
// and freezes cards at /app/cards (package card), and reports a suspicious
// e-mail or website at /app/report-suspicious (package securityreport). The unsubscribe links of marketing messages
// (consent.UnsubscribeURL) are served here too, without sign-in. In demo mode a demo mailbox
// (/demo/mailbox) shows the e-mails Tillit queued for an address, so the
// one-time code can be read without a real inbox.
//
// The pages are server-rendered through package web (CSRF bound to the
// session, security headers, the reader's language) and read and change
// nothing themselves: accounts and sessions are package account's, plans and
// payments package repayment's, consents package consent's. A consumer is
// identified for plans and consents by the consumer key stored on their
// account (ids.ConsumerKey of the address), and sees only the plans and
// consents carrying that key; any other order answers "not found".
package consumerapp

import (
	"embed"
	"errors"
	"log/slog"
	"net/http"

	"github.com/tillit/tillit/internal/access"
	"github.com/tillit/tillit/internal/account"
	"github.com/tillit/tillit/internal/card"
	"github.com/tillit/tillit/internal/clock"
	"github.com/tillit/tillit/internal/complaint"
	"github.com/tillit/tillit/internal/consent"
	"github.com/tillit/tillit/internal/decision"
	"github.com/tillit/tillit/internal/dispute"
	"github.com/tillit/tillit/internal/dsr"
	"github.com/tillit/tillit/internal/fraudcase"
	"github.com/tillit/tillit/internal/repayment"
	"github.com/tillit/tillit/internal/returns"
	"github.com/tillit/tillit/internal/rights"
	"github.com/tillit/tillit/internal/risk/postapproval"
	"github.com/tillit/tillit/internal/securityreport"
	"github.com/tillit/tillit/internal/support"
	"github.com/tillit/tillit/internal/web"
)

//go:embed templates/public/*.html templates/app/*.html
var templates embed.FS

// Paths of the app. Prefix is where the app mounts Handler; MailboxPath is
// where it mounts DemoMailboxHandler, in demo mode only.
const (
	Prefix      = "/app/"
	MailboxPath = "/demo/mailbox"

	signInPath = Prefix + "signin"
	codePath   = Prefix + "signin/code"
	signOut    = Prefix + "signout"
)

// Config is what the consumer app needs.
type Config struct {
	// Accounts signs consumers in and keeps their sessions.
	Accounts *account.Service
	// Plans holds the consumers' payment plans and takes their payments.
	Plans *repayment.Service
	// Consents keeps the consumers' privacy choices and checks unsubscribe
	// links; nil means consent.New(Plans.DB, Key).
	Consents *consent.Service
	// Requests holds data-subject requests; when set, consumers file and
	// follow theirs under /app/privacy/requests.
	Requests *dsr.Service
	// Decisions lists the automated decisions about consumers and takes
	// their contests; when set, /app/decisions shows them with the
	// disclosures of the consumer's data.
	Decisions *decision.Service
	// Verifications holds the security team's verification requests; when
	// set, consumers answer theirs at /app/verify ("yes, I made this
	// purchase" or not).
	Verifications *postapproval.Service
	// FraudCases keeps fraud investigations; when set, a consumer reports
	// a purchase they did not make from its page, which pauses its
	// payments while the security team investigates.
	FraudCases *fraudcase.Service
	// Complaints runs consumer complaints; when set, consumers file theirs
	// and follow them at /app/complaints, and an order's page links to a
	// complaint about it.
	Complaints *complaint.Service
	// Disputes runs buyer-protection disputes; when set, an order's page
	// offers "Report a problem" and lists its disputes, each with its page
	// at /app/disputes/{id}, and a purchase reported as not made by the
	// consumer opens a dispute referred to the fraud investigation.
	Disputes *dispute.Service
	// Returns runs returns of goods; when set, an order's page offers
	// "Register a return" and lists its returns with the money paid back.
	Returns *returns.Service
	// Rights builds access extracts; when set, /app/privacy/data shows the
	// consumer everything Tillit holds about them, and hands it over as
	// JSON.
	Rights *rights.Service
	// Cards issues consumers' one-time and virtual cards and keeps
	// freezes; when set, consumers create, show (once, after confirming it
	// is them) and freeze their cards at /app/cards, and freeze their
	// account in one click from the home and security pages.
	Cards *card.Service
	// SecurityReports takes reports of suspicious e-mails and websites;
	// when set, consumers report one at /app/report-suspicious.
	SecurityReports *securityreport.Service
	// Support runs the support inbox; when set, consumers open
	// conversations with Tillit and follow them at /app/support.
	Support *support.Service
	// Key signs CSRF tokens and flash cookies: at least web.MinKeyLen bytes,
	// the same in every process (the app's web key).
	Key []byte
	// SecureCookies marks every cookie Secure, for deployments behind a
	// proxy that terminates TLS.
	SecureCookies bool
	// Demo links the sign-in code page to the demo mailbox and lets
	// DemoMailboxHandler serve it. Never set it in production: the mailbox
	// shows anyone's sign-in codes.
	Demo bool
	// Clock tells the pages what day it is (which instalments are overdue);
	// nil means the plans' database clock.
	Clock clock.Clock
	// Logger receives errors; slog.Default() when nil. Nothing personal is
	// logged.
	Logger *slog.Logger
}

// Pages serves the consumer app.
type Pages struct {
	cfg     Config
	rd      *web.Renderer
	handler http.Handler
	mailbox http.Handler
}

// New checks cfg and parses the pages.
func New(cfg Config) (*Pages, error) {
	if cfg.Accounts == nil || cfg.Plans == nil {
		return nil, errors.New("consumerapp: Config.Accounts and Config.Plans are required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Clock == nil {
		cfg.Clock = cfg.Plans.DB.Clock
	}
	if cfg.Consents == nil {
		consents, err := consent.New(cfg.Plans.DB, cfg.Key)
		if err != nil {
			return nil, err
		}
		cfg.Consents = consents
	}
	p := &Pages{cfg: cfg}
	rd, err := web.NewRenderer(web.Options{
		Key: cfg.Key, Home: Prefix, SecureCookies: cfg.SecureCookies,
		SessionID: sessionID, Logger: cfg.Logger,
	})
	if err != nil {
		return nil, err
	}
	// Signed-out pages have no navigation; signed-in pages share _nav.html.
	if err := rd.AddPages("consumer", templates, "templates/public/*.html"); err != nil {
		return nil, err
	}
	if err := rd.AddPages("consumer", templates, "templates/app/*.html"); err != nil {
		return nil, err
	}
	p.rd = rd

	mux := access.NewRouter(p.gate())
	mux.HandleFunc("GET "+signInPath, p.signInForm)
	mux.HandleFunc("POST "+signInPath, p.requestCode)
	mux.HandleFunc("GET "+codePath, p.codeForm)
	mux.HandleFunc("POST "+codePath, p.verifyCode)
	mux.HandleFunc("POST "+signOut, p.signOut)
	mux.HandleFunc("GET "+secondStepPath, p.secondStepForm)
	mux.HandleFunc("POST "+secondStepPath, p.secondStep)
	p.addSecurity(mux)
	if cfg.Cards != nil {
		p.addCards(mux)
	}
	mux.HandleFunc("GET "+Prefix+"{$}", p.signedIn(p.home))
	mux.HandleFunc("GET "+Prefix+"orders/{order}", p.signedIn(p.order))
	mux.HandleFunc("POST "+Prefix+"orders/{order}/pay", p.signedIn(p.pay))
	mux.HandleFunc("GET "+Prefix+"orders/{order}/receipts/{receipt}", p.signedIn(p.receipt))
	mux.HandleFunc("GET "+privacyPath, p.signedIn(p.privacy))
	mux.HandleFunc("POST "+privacyPath, p.signedIn(p.setConsent))
	if cfg.Requests != nil {
		p.addRequests(mux)
	}
	if cfg.Rights != nil {
		mux.HandleFunc("GET "+dataPath, p.signedIn(p.data))
		mux.HandleFunc("GET "+dataJSONPath, p.signedIn(p.dataJSON))
	}
	if cfg.Verifications != nil {
		mux.HandleFunc("GET "+verifyPath, p.signedIn(p.verify))
		mux.HandleFunc("POST "+verifyPath+"/{review}", p.signedIn(p.answer))
	}
	if cfg.FraudCases != nil {
		mux.HandleFunc("GET "+Prefix+"orders/{order}/not-mine", p.signedIn(p.notMine))
		mux.HandleFunc("POST "+Prefix+"orders/{order}/not-mine", p.signedIn(p.reportNotMine))
	}
	if cfg.Complaints != nil {
		p.addComplaints(mux)
	}
	if cfg.Disputes != nil {
		p.addDisputes(mux)
	}
	if cfg.Returns != nil {
		p.addReturns(mux)
	}
	if cfg.Support != nil {
		p.addSupport(mux)
	}
	if cfg.SecurityReports != nil {
		if err := p.addReportSuspicious(mux); err != nil {
			return nil, err
		}
	}
	if cfg.Decisions != nil {
		mux.HandleFunc("GET "+decisionsPath, p.signedIn(p.decisions))
		mux.HandleFunc("POST "+decisionsPath+"/{ref}/contest", p.signedIn(p.contest))
	}
	mux.HandleFunc("GET "+consent.UnsubscribePath+"{token}", p.unsubscribe)
	mux.HandleFunc(Prefix, func(w http.ResponseWriter, r *http.Request) { rd.Error(w, r, http.StatusNotFound) })
	// The one-click unsubscribe POST comes from a mail client, not from a
	// page of ours, so it cannot carry a CSRF token: it alone is served
	// outside the renderer's middleware (see oneClickUnsubscribe).
	outer := access.NewRouter(access.Gate{})
	outer.Handle("POST "+consent.UnsubscribePath+"{token}", web.SecurityHeaders(http.HandlerFunc(p.oneClickUnsubscribe)))
	outer.Handle(Prefix, p.withSession(limitReportBody(rd, rd.Middleware(mux))))
	p.handler = outer

	box := access.NewRouter(access.Gate{})
	box.HandleFunc("GET "+MailboxPath, p.demoMailbox)
	box.HandleFunc(MailboxPath, func(w http.ResponseWriter, r *http.Request) { rd.Error(w, r, http.StatusNotFound) })
	p.mailbox = rd.Middleware(box)
	return p, nil
}

// Handler serves every path under Prefix; mount it as
// mux.Handle("/app/", pages.Handler()) next to web.Static() at /static/.
func (p *Pages) Handler() http.Handler { return p.handler }

// DemoMailboxHandler serves the demo mailbox at MailboxPath; mount it only in
// demo mode. Unless Config.Demo is set it answers every request with the
// not-found page.
func (p *Pages) DemoMailboxHandler() http.Handler { return p.mailbox }

// serverError logs err (never personal data) and renders the 500 page.
func (p *Pages) serverError(w http.ResponseWriter, r *http.Request, err error) {
	p.cfg.Logger.Error("consumerapp: request failed", "path", r.URL.Path, "err", err)
	p.rd.Error(w, r, http.StatusInternalServerError)
}

// parseForm parses a posted form, or answers 400 and reports false.
func (p *Pages) parseForm(w http.ResponseWriter, r *http.Request) bool {
	if err := r.ParseForm(); err != nil {
		p.rd.Error(w, r, http.StatusBadRequest)
		return false
	}
	return true
}
