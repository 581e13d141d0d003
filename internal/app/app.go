// Package app wires Tillit together: it opens and migrates the database,
// builds the domain services, the HTTP API, the web pages and the
// background job runner.
// The CLI, the benchmark and end-to-end tests all start Tillit through it.
package app

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/tillit/tillit/internal/account"
	"github.com/tillit/tillit/internal/aml"
	"github.com/tillit/tillit/internal/api"
	"github.com/tillit/tillit/internal/card"
	"github.com/tillit/tillit/internal/carrier"
	"github.com/tillit/tillit/internal/checkout"
	"github.com/tillit/tillit/internal/clock"
	"github.com/tillit/tillit/internal/complaint"
	"github.com/tillit/tillit/internal/consent"
	"github.com/tillit/tillit/internal/decision"
	"github.com/tillit/tillit/internal/demoshop"
	"github.com/tillit/tillit/internal/dispute"
	"github.com/tillit/tillit/internal/dsr"
	"github.com/tillit/tillit/internal/firstline"
	"github.com/tillit/tillit/internal/fraudcase"
	"github.com/tillit/tillit/internal/help"
	"github.com/tillit/tillit/internal/ids"
	"github.com/tillit/tillit/internal/jobs"
	"github.com/tillit/tillit/internal/merchantmsg"
	"github.com/tillit/tillit/internal/metrics"
	"github.com/tillit/tillit/internal/notify"
	"github.com/tillit/tillit/internal/outbox"
	"github.com/tillit/tillit/internal/rail"
	"github.com/tillit/tillit/internal/repayment"
	"github.com/tillit/tillit/internal/retention"
	"github.com/tillit/tillit/internal/returns"
	"github.com/tillit/tillit/internal/rights"
	"github.com/tillit/tillit/internal/risk/credit"
	"github.com/tillit/tillit/internal/risk/engine"
	"github.com/tillit/tillit/internal/risk/fraud"
	"github.com/tillit/tillit/internal/risk/model"
	"github.com/tillit/tillit/internal/risk/model/shipped"
	"github.com/tillit/tillit/internal/risk/postapproval"
	"github.com/tillit/tillit/internal/risk/rules"
	"github.com/tillit/tillit/internal/screening"
	"github.com/tillit/tillit/internal/securityreport"
	"github.com/tillit/tillit/internal/settlement"
	"github.com/tillit/tillit/internal/signedlink"
	"github.com/tillit/tillit/internal/stoprequest"
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/support"
	"github.com/tillit/tillit/internal/vault"
)

// Config is what a Tillit process needs to know.
type Config struct {
	// DatabaseURL is a postgres:// URL or an SQLite file path.
	DatabaseURL string
	// BaseURL is the public origin for absolute URLs; empty means the
	// request's host.
	BaseURL string
	// Clock is the time source; nil means the system clock.
	Clock clock.Clock
	// Logger receives structured logs; nil means slog.Default().
	Logger *slog.Logger
	// WebhookClient sends webhooks; nil means a client with a 10 s timeout.
	WebhookClient *http.Client
	// Demo seeds a demo merchant with portal and back-office sign-ins, and
	// serves the demo shop (/demo/) and the demo mailbox, which shows anyone's
	// one-time codes: never in production.
	Demo bool
	// SecureCookies marks every cookie Secure (set when served over HTTPS).
	SecureCookies bool
	// MasterKeys are the vault's master keys; when Current is unset they are
	// read from the environment (vault.LoadMasterKey), which for SQLite
	// falls back to the key file next to the database.
	MasterKeys vault.MasterKeys
	// FraudModel is the fraud model the assessment scores with; nil means
	// the model shipped in the binary (package risk/model/shipped).
	FraudModel *model.Model
	// Fraud holds the fraud score's thresholds; zero means
	// fraud.DefaultConfig.
	Fraud fraud.Config
	// ScreeningLists is the directory of the sanctions list files the
	// assessment screens against (and reloads from); empty means the
	// snapshots built into the binary (screening.Shipped).
	ScreeningLists string
	// Credit is the credit policy (thresholds of the credit decision); zero
	// means credit.DefaultConfig.
	Credit credit.Config
	// CreditBureau is the credit-bureau adapter; nil means the simulated
	// bureau (credit.Simulated) with CreditBureauLatency.
	CreditBureau credit.Bureau
	// CreditBureauLatency is how long the simulated bureau takes to answer.
	CreditBureauLatency time.Duration
	// CardBIN is the first six digits of the card numbers issued; empty
	// means card.DefaultBIN (a test range).
	CardBIN string
	// CardNetworkUsername and CardNetworkPassword are the HTTP Basic
	// credential of the card network on POST /cards/v1/authorizations;
	// without them that endpoint does not exist.
	CardNetworkUsername, CardNetworkPassword string
}

// App is a running Tillit: database, services, API and job runner.
type App struct {
	DB       *store.DB
	Checkout *checkout.Service
	Plans    *repayment.Service
	Rail     *rail.Service
	Accounts *account.Service
	// Consents holds people's consents and signs unsubscribe links.
	Consents *consent.Service
	// Vault seals personal data under each person's data key.
	Vault *vault.Vault
	// Retention applies the registry's retention rules: the daily job, the
	// dry run and the back office's retention page use it.
	Retention *retention.Engine
	// Rules is the fraud rule set in force (the newest published version,
	// or the built-in one), which every authorization's assessment applies.
	Rules *rules.Live
	// Decisions lists the automated decisions about people and keeps their
	// contests and reviews.
	Decisions *decision.Service
	// AML keeps the transaction monitoring alerts AML officers work.
	AML *aml.Service
	// Screening screens buyers against the sanctions lists in the
	// assessment, reloads the lists and re-screens existing customers.
	Screening *screening.Service
	// Reviews re-assesses approved, unshipped orders on new signals and
	// keeps the security analysts' post-approval reviews.
	Reviews *postapproval.Service
	// StopRequests asks merchants to stop orders the analysts stopped and
	// follows their answers: carrier recalls, removals, write-offs.
	StopRequests *stoprequest.Service
	// MerchantMessages holds merchants' messages about orders (merchant
	// support), routed to the fraud or merchant support queue.
	MerchantMessages *merchantmsg.Service
	// FraudCases keeps the fraud investigations of disputed orders ("I did
	// not buy this"): the analysts' queue, the merchant's replies, the case
	// file for the police.
	FraudCases *fraudcase.Service
	// Disputes runs consumers' disputes of orders (buyer protection): the
	// paused plan, the merchant's answer, the decision.
	Disputes *dispute.Service
	// Returns runs consumers' returns of goods: the plan pauses until the
	// merchant refunds.
	Returns *returns.Service
	// Cards issues one-time and virtual cards, answers the card network's
	// authorizations and keeps freezes of accounts and cards.
	Cards *card.Service
	// Complaints runs consumers' complaints: customer service, the
	// independent customer representative, the deadlines and the register.
	Complaints *complaint.Service
	// SecurityReports takes reports of suspicious e-mails and websites
	// into the security queue (package securityreport).
	SecurityReports *securityreport.Service
	// Help is the help centre's articles and search.
	Help *help.Centre
	// Support runs the support inbox: consumers' conversations with the
	// first line (the assistant, package firstline) and customer
	// service, turned into complaints, disputes or privacy requests.
	Support *support.Service
	// DSR holds data-subject requests (access, portability, rectification,
	// erasure, restriction, objection) from receipt to answer.
	DSR *dsr.Service
	// Rights builds access extracts and portable exports and carries out
	// erasures (and, daily, the erasures that waited for a contract).
	Rights *rights.Service
	// WebKey signs the web pages' CSRF tokens and flash cookies; the same in
	// every process sharing the database.
	WebKey string
	// LookupKey is the instance secret ids.ConsumerKeySecret, under which
	// consumers' e-mail addresses are hashed to find them.
	LookupKey string
	API       *api.API
	// Demo is what demo mode seeded: the demo merchant and its sign-ins, for
	// the CLI to print once. Zero unless Config.Demo.
	Demo demoshop.Demo
	// Pages are the web pages; Handler serves them next to the API.
	Pages *Pages
	// Handler serves everything over HTTP: pages, static files and the API.
	Handler http.Handler
	Runner  *jobs.Runner
	Metrics *metrics.Registry
	Logger  *slog.Logger
}

// New opens the database, applies migrations and builds every component.
func New(ctx context.Context, cfg Config) (*App, error) {
	logger := cfg.Logger
	if logger == nil {
		logger = slog.Default()
	}
	db, err := store.Open(ctx, cfg.DatabaseURL, cfg.Clock)
	if err != nil {
		return nil, err
	}
	if err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	keys := cfg.MasterKeys
	if keys.Current.ID() == "" {
		if keys, err = vault.LoadMasterKey(os.Getenv, vault.DefaultKeyFile(cfg.DatabaseURL)); err != nil {
			db.Close()
			return nil, err
		}
	}
	vlt := vault.New(db, keys)
	if err := vlt.Check(ctx); err != nil {
		db.Close()
		return nil, err
	}
	key, err := db.InstanceSecret(ctx, "client_token_key")
	if err != nil {
		db.Close()
		return nil, err
	}
	consumerSecret, err := db.InstanceSecret(ctx, ids.ConsumerKeySecret)
	if err != nil {
		db.Close()
		return nil, err
	}
	webKey, err := db.InstanceSecret(ctx, "web_key")
	if err != nil {
		db.Close()
		return nil, err
	}
	liveRules := rules.NewLive(db, rules.Default(), 0)
	screen, err := screening.NewService(ctx, db, vlt, screening.Source{Dir: cfg.ScreeningLists}, logger)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("app: screening lists: %w", err)
	}
	assessment := engine.Config{Rules: liveRules, Screening: screen.Stage()}
	reg := metrics.New()
	if assessment.Credit, err = creditStage(db, cfg, reg); err != nil {
		db.Close()
		return nil, err
	}
	if assessment.Fraud, err = fraudStage(db, cfg); err != nil {
		db.Close()
		return nil, err
	}
	svc := checkout.New(db, engine.Pipeline(assessment), vlt, key, consumerSecret, logger)
	runner := jobs.NewRunner(db, logger)
	svc.Register(runner)
	screen.Register(runner)
	rails := rail.New(db, rail.NewSimulated(), rail.Config{}, logger)
	plans := repayment.New(db, rails, repayment.DefaultConfig(), vlt, consumerSecret, logger)
	reviews := postapproval.New(db, svc, vlt, consumerSecret, postapproval.Config{}, logger)
	links, err := signedlink.New([]byte(webKey))
	if err != nil {
		db.Close()
		return nil, err
	}
	clk := cfg.Clock
	if clk == nil {
		clk = clock.System{}
	}
	stops := stoprequest.New(db, svc, vlt, consumerSecret, links, carrier.Simulations(clk), stoprequest.Config{BaseURL: cfg.BaseURL}, logger)
	stops.Register(runner)
	// Stopping an order, however it is stopped, opens its stop request.
	svc.OnStopped = stops.Opened
	// A device seen on many identities at checkout, and an order an
	// operator rejects or stops, are post-approval signals.
	svc.AfterAssessment = reviews.Assessed
	svc.FraudConfirmed = func(tx *store.Tx, actor, orderID, status string) error {
		st := postapproval.StatusRejected
		if status == checkout.FraudStopped {
			st = postapproval.StatusStopped
		}
		_, err := reviews.FraudConfirmed(tx, actor, orderID, st)
		return err
	}
	// A failed payment is a post-approval signal too, after the plan has
	// taken it back.
	rails.OnConfirmed = plans.TransferConfirmed
	rails.OnFailed = func(tx *store.Tx, t rail.Transfer) error {
		if err := plans.TransferFailed(tx, t); err != nil {
			return err
		}
		return reviews.TransferFailed(tx, t)
	}
	rails.Register(runner)
	plans.Register(runner)
	svc.Plans = plans
	client := cfg.WebhookClient
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	notify.NewDeliverer(db, client, logger).Register(runner)
	runner.Register(api.JobSweepIdempotencyKeys, api.SweepHandler(db))
	if err := api.ScheduleSweep(ctx, db); err != nil {
		db.Close()
		return nil, err
	}
	settlement.Register(runner, db)
	if err := settlement.Schedule(ctx, db); err != nil {
		db.Close()
		return nil, err
	}
	retain := retention.New(db, retention.DefaultRules(vlt), retention.Config{}, logger)
	retain.Register(runner)
	if err := retain.Schedule(ctx); err != nil {
		db.Close()
		return nil, err
	}
	consents, err := consent.New(db, []byte(webKey))
	if err != nil {
		db.Close()
		return nil, err
	}
	decisions, err := decision.New(db, vlt, consumerSecret)
	if err != nil {
		db.Close()
		return nil, err
	}
	rts := rights.New(db, vlt)
	rts.Register(runner)
	if err := rts.Schedule(ctx); err != nil {
		db.Close()
		return nil, err
	}
	requests, err := dsr.New(dsr.Config{DB: db, Vault: vlt, LookupKey: consumerSecret, Logger: logger,
		Fulfillers: rts.Fulfillers(), Intakes: rts.Intakes()})
	if err != nil {
		db.Close()
		return nil, err
	}
	requests.Register(runner)
	a := &App{
		DB: db, Checkout: svc, Plans: plans, Rail: rails, Consents: consents, Vault: vlt, Decisions: decisions, WebKey: webKey,
		Accounts: account.New(db, account.DefaultConfig(), consumerSecret, vlt), Runner: runner, Metrics: reg, Logger: logger,
		API: api.New(db, svc, logger, reg, cfg.BaseURL),
	}
	// Expired pending sign-ins, sessions and codes go on a recurring job.
	a.Accounts.Register(runner)
	if err := a.Accounts.SchedulePurge(ctx); err != nil {
		db.Close()
		return nil, err
	}
	a.LookupKey = consumerSecret
	a.Retention = retain
	a.Rules = liveRules
	a.DSR = requests
	a.Rights = rts
	a.AML = aml.New(db, vlt)
	a.Screening = screen
	// A list reload that matches an existing customer re-assesses their
	// approved, unshipped orders.
	screen.OnHit = func(_ context.Context, tx *store.Tx, hit screening.RescreenHit) error {
		detail := "list_update"
		if len(hit.Matches) > 0 {
			detail = hit.Matches[0].List + ":" + hit.Matches[0].EntryID
		}
		return reviews.ScreeningHit(tx, hit.PersonID, hit.OrderIDs, detail)
	}
	a.Reviews = reviews
	// A disputed order's investigation pauses its plan while it is open.
	if a.FraudCases, err = fraudcase.New(fraudcase.Config{DB: db, Vault: vlt, Checkout: svc, Plans: plans, Accounts: a.Accounts,
		Reviews: reviews, Links: links, LookupKey: consumerSecret, BaseURL: cfg.BaseURL, Logger: logger}); err != nil {
		db.Close()
		return nil, err
	}
	a.FraudCases.Register(runner)
	a.MerchantMessages = merchantmsg.New(db, vlt, consumerSecret)
	a.MerchantMessages.BaseURL = cfg.BaseURL
	// A confirmed victim's claim is written off under the fraud policy the
	// merchant's stop-request answers earned; the case file carries those
	// answers and the merchant's messages.
	a.FraudCases.ClaimCancelled = cancelClaim(stops, reviews)
	a.FraudCases.Attachments = caseEvidence(stops, a.MerchantMessages)
	// Merchant messages about an order in fraud handling (a stop request
	// or an investigation) reach the fraud team.
	a.MerchantMessages.UnderFraudHandling = underFraudHandling
	a.StopRequests = stops
	a.API.StopRequests = stops
	a.Disputes = dispute.New(db, svc, plans, vlt, consumerSecret, dispute.DefaultConfig(), logger)
	a.Disputes.Register(runner)
	a.API.Disputes = a.Disputes
	a.Returns = returns.New(db, plans, vlt, consumerSecret, cfg.BaseURL, returns.DefaultConfig(), logger)
	a.Returns.RegisterJobs(runner)
	a.API.Returns = a.Returns
	if a.Complaints, err = complaint.New(complaint.Config{DB: db, Vault: vlt, Logger: logger, LookupKey: consumerSecret}); err != nil {
		db.Close()
		return nil, err
	}
	if a.SecurityReports, err = securityreport.New(securityreport.Config{DB: db, Vault: vlt, Logger: logger, LookupKey: consumerSecret}); err != nil {
		db.Close()
		return nil, err
	}
	a.Complaints.Register(runner)
	svc.OnRefund = a.Returns.Refunded
	// Cards: a frozen account buys nothing at checkout either.
	a.Cards = card.New(db, vlt, svc, card.Config{BIN: cfg.CardBIN, Credit: cfg.Credit}, consumerSecret, logger)
	a.Cards.Register(runner)
	svc.Frozen = card.Frozen
	a.API.Cards = a.Cards
	a.API.CardNetwork = api.CardNetworkCredential{Username: cfg.CardNetworkUsername, Password: cfg.CardNetworkPassword}
	// Support: the assistant answers consumers first, from the help centre
	// and with the app's self-service actions, and hands over to staff.
	if a.Help, err = help.New(); err != nil {
		db.Close()
		return nil, err
	}
	assistantLine, err := firstline.New(firstline.Services{Accounts: a.Accounts, Cards: a.Cards, Disputes: a.Disputes,
		Complaints: a.Complaints, Requests: a.DSR, Plans: a.Plans, Help: a.Help})
	if err != nil {
		db.Close()
		return nil, err
	}
	if a.Support, err = support.New(support.Config{DB: db, Vault: vlt, LookupKey: consumerSecret, Links: links, BaseURL: cfg.BaseURL,
		Complaints: a.Complaints, Disputes: a.Disputes, Requests: a.DSR, FirstLine: assistantLine, Logger: logger}); err != nil {
		db.Close()
		return nil, err
	}
	// A dispute of a purchase the consumer did not make is the fraud
	// investigation's: its case opens with the dispute.
	a.Disputes.Unauthorised = func(tx *store.Tx, personID, actor, orderID, statement string) (string, error) {
		c, err := a.FraudCases.OpenByConsumerTx(tx, personID, actor, fraudcase.Opening{OrderID: orderID, Statement: statement})
		return c.ID, err
	}
	// Addresses and messages stored before they were sealed are sealed now.
	if _, err := a.Accounts.SealLegacyAddresses(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("app: seal consumers' addresses: %w", err)
	}
	if _, err := outbox.SealLegacy(ctx, db, vlt, consumerSecret); err != nil {
		db.Close()
		return nil, fmt.Errorf("app: seal queued messages: %w", err)
	}
	if cfg.Demo {
		if a.Demo, err = demoshop.Seed(ctx, db, a.Accounts); err != nil {
			db.Close()
			return nil, fmt.Errorf("app: demo: %w", err)
		}
	}
	if a.Pages, err = a.newPages(cfg); err != nil {
		db.Close()
		return nil, fmt.Errorf("app: web pages: %w", err)
	}
	a.Handler = a.handler(cfg.Demo)
	return a, nil
}

// Close releases the database.
func (a *App) Close() error { return a.DB.Close() }

// HTTPServer returns the server Tillit listens with: Handler and
// timeouts that keep slow or idle clients from holding connections.
func (a *App) HTTPServer() *http.Server {
	return &http.Server{
		Handler:           a.Handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(a.Logger.Handler(), slog.LevelWarn),
	}
}

// fraudStage returns the fraud model's stage of the assessment with the
// configured (or shipped) model and thresholds.
func fraudStage(db *store.DB, cfg Config) (*fraud.Stage, error) {
	m := cfg.FraudModel
	if m == nil {
		var err error
		if m, err = shipped.Load(); err != nil {
			return nil, err
		}
	}
	thresholds := cfg.Fraud
	if thresholds == (fraud.Config{}) {
		thresholds = fraud.DefaultConfig()
	}
	return fraud.New(db, m, thresholds)
}
