package app

import (
	"net/http"

	"github.com/tillit/tillit/internal/backoffice"
	"github.com/tillit/tillit/internal/consumerapp"
	"github.com/tillit/tillit/internal/demoshop"
	"github.com/tillit/tillit/internal/help"
	"github.com/tillit/tillit/internal/hosted"
	"github.com/tillit/tillit/internal/notice"
	"github.com/tillit/tillit/internal/portal"
	"github.com/tillit/tillit/internal/reportpage"
	"github.com/tillit/tillit/internal/support/contactpage"
	"github.com/tillit/tillit/internal/web"
)

// Pages are Tillit's server-rendered web pages, one set per audience.
type Pages struct {
	// Checkout is the hosted checkout a consumer pays on (/checkout/).
	Checkout *hosted.Pages
	// Consumer is the consumer app (/app/).
	Consumer *consumerapp.Pages
	// Portal is the merchant portal (/portal/).
	Portal *portal.Pages
	// BackOffice is the staff back office (/staff/); add queues with its
	// AddQueue.
	BackOffice *backoffice.Pages
	// Notice is the privacy notice (/privacy/).
	Notice *notice.Pages
	// Demo is the demo shop (/demo/); nil unless in demo mode.
	Demo *demoshop.Pages
	// Help is the help centre (/help/); its Centre is the search over the
	// articles that other parts (the assistant) answer from.
	Help *help.Pages
	// Report is the public page for reporting a suspicious e-mail or
	// website (/report-suspicious).
	Report *reportpage.Pages
	// Contact is the public support pages: the contact form and a
	// visitor's conversation through its signed link (/support/).
	Contact *contactpage.Pages
}

// newPages builds every set of pages on the app's services.
func (a *App) newPages(cfg Config) (*Pages, error) {
	key := []byte(a.WebKey)
	checkoutPages, err := hosted.New(hosted.Config{
		Checkout: a.Checkout, Key: key, SecureCookies: cfg.SecureCookies, API: a.API.Handler(), Logger: a.Logger,
	})
	if err != nil {
		return nil, err
	}
	consumer, err := consumerapp.New(consumerapp.Config{
		Accounts: a.Accounts, Plans: a.Plans, Consents: a.Consents, Key: key, SecureCookies: cfg.SecureCookies, Demo: cfg.Demo, Logger: a.Logger,
		Decisions: a.Decisions, Requests: a.DSR, Rights: a.Rights, Verifications: a.Reviews,
		FraudCases: a.FraudCases,
		Complaints: a.Complaints,
		Disputes:   a.Disputes,
		Returns:    a.Returns,
		Cards:      a.Cards,

		SecurityReports: a.SecurityReports,
		Support:         a.Support,
	})
	if err != nil {
		return nil, err
	}
	merchants, err := portal.New(portal.Config{
		DB: a.DB, Checkout: a.Checkout, Accounts: a.Accounts, Key: key, SecureCookies: cfg.SecureCookies, Logger: a.Logger,
		Messages:     a.MerchantMessages,
		FraudCases:   a.FraudCases,
		StopRequests: a.StopRequests,
		Disputes:     a.Disputes,
		Returns:      a.Returns,
	})
	if err != nil {
		return nil, err
	}
	staff, err := backoffice.New(backoffice.Config{
		Accounts: a.Accounts, Checkout: a.Checkout, DB: a.DB, Key: key, SecureCookies: cfg.SecureCookies, Logger: a.Logger,
		Decisions: a.Decisions,
		Retention: a.Retention,
		DSR:       a.DSR,
		Rules:     a.Rules,
		AML:       a.AML,
		Screening: a.Screening,
		Reviews:   a.Reviews,

		FraudCases: a.FraudCases,

		MerchantMessages: a.MerchantMessages,
		StopRequests:     a.StopRequests,
		Disputes:         a.Disputes,
		Complaints:       a.Complaints,
		Cards:            a.Cards,
		LookupKey:        a.LookupKey,
		SecurityReports:  a.SecurityReports,
		Support:          a.Support,
	})
	if err != nil {
		return nil, err
	}
	var demo *demoshop.Pages
	if cfg.Demo {
		demo, err = demoshop.New(demoshop.Config{
			Checkout: a.Checkout, Merchant: a.Demo.Merchant, Key: key,
			SecureCookies: cfg.SecureCookies, BaseURL: cfg.BaseURL, Logger: a.Logger,
		})
		if err != nil {
			return nil, err
		}
	}
	privacyNotice, err := notice.New(key, cfg.SecureCookies, a.Logger)
	if err != nil {
		return nil, err
	}
	report, err := reportpage.New(a.SecurityReports, key, cfg.SecureCookies, a.Logger)
	if err != nil {
		return nil, err
	}
	contact, err := contactpage.New(a.Support, key, cfg.SecureCookies, a.Logger)
	if err != nil {
		return nil, err
	}
	helpPages, err := help.NewPages(a.Help, key, cfg.SecureCookies, a.Logger)
	if err != nil {
		return nil, err
	}
	return &Pages{Checkout: checkoutPages, Consumer: consumer, Portal: merchants, BackOffice: staff, Notice: privacyNotice, Demo: demo, Report: report, Help: helpPages,
		Contact: contact}, nil
}

// handler routes every request Tillit serves: the web pages by their prefix,
// the static files they share, the demo mailbox in demo mode, and everything
// else (the JSON APIs, health and metrics) to the API.
func (a *App) handler(demo bool) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/", a.API.Handler())
	mux.Handle(hosted.Prefix, a.Pages.Checkout.Handler())
	mux.Handle(consumerapp.Prefix, a.Pages.Consumer.Handler())
	mux.Handle(notice.Prefix, a.Pages.Notice.Handler())
	mux.Handle(help.Prefix, a.Pages.Help.Handler())
	mux.Handle(reportpage.Path, a.Pages.Report.Handler())
	mux.Handle(contactpage.Prefix, a.Pages.Contact.Handler())
	mux.Handle(portal.Prefix, a.Pages.Portal.Handler())
	mux.Handle(backoffice.Prefix, a.Pages.BackOffice.Handler())
	mux.Handle(web.StaticPrefix, web.Static())
	// The bare origin is where a person lands first: the demo's index in
	// demo mode, the consumer app otherwise.
	if demo {
		mux.Handle(consumerapp.MailboxPath, a.Pages.Consumer.DemoMailboxHandler())
		mux.Handle(demoshop.Prefix, a.Pages.Demo.Handler())
		mux.Handle("GET /{$}", http.RedirectHandler(demoshop.Prefix, http.StatusFound))
	} else {
		mux.Handle("GET /{$}", http.RedirectHandler(consumerapp.Prefix, http.StatusFound))
	}
	// One place sets the security headers of every response, whichever
	// part answers it (HSTS too, over TLS).
	return web.SecurityHeaders(mux)
}
