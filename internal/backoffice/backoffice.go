// Package backoffice is the staff back office under /staff/: sign-in for
// members of staff, the work queues of each role (orders in manual fraud
// review first; later issues add their own with Pages.AddQueue), the order
// review page where an analyst accepts or rejects a PENDING order, the
// admin pages for staff accounts (with a member's lock state and unlock,
// and the reset of their two-step verification, staffmember.go) and the
// audit log, every member's own security page (mysecurity.go), and the
// consumer security page where security analysts freeze a consumer's
// account or cards (consumersecurity.go).
//
// Every request is authorised by the signed-in member's role, read afresh
// from the database: a role that may not use a page gets 403, a browser
// without a live session is sent to the sign-in page. Staff actions are
// audited by the domain calls they make; opening an order page is audited
// here ("order.viewed"). Pages show ids and business data, never the
// consumer's personal data, except where a task needs it: a contested
// automated decision shows the person's statement, and a data-subject
// request what the person wrote and how their identity was verified, and a
// complaint what the consumer wrote, and a consumer's security page their
// address and cards' last four digits; every opening of them is audited
// (decisions.go, dsr.go, consumersecurity.go, and the complaint service for
// complaints.go).
package backoffice

import (
	"embed"
	"errors"
	"log/slog"
	"net/http"
	"sync"

	"github.com/tillit/tillit/internal/access"

	"github.com/tillit/tillit/internal/account"
	"github.com/tillit/tillit/internal/aml"
	"github.com/tillit/tillit/internal/card"
	"github.com/tillit/tillit/internal/checkout"
	"github.com/tillit/tillit/internal/complaint"
	"github.com/tillit/tillit/internal/decision"
	"github.com/tillit/tillit/internal/dispute"
	"github.com/tillit/tillit/internal/dsr"
	"github.com/tillit/tillit/internal/fraudcase"
	"github.com/tillit/tillit/internal/ids"
	"github.com/tillit/tillit/internal/merchantmsg"
	"github.com/tillit/tillit/internal/retention"
	"github.com/tillit/tillit/internal/risk/postapproval"
	"github.com/tillit/tillit/internal/risk/rules"
	"github.com/tillit/tillit/internal/screening"
	"github.com/tillit/tillit/internal/securityreport"
	"github.com/tillit/tillit/internal/stoprequest"
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/support"
	"github.com/tillit/tillit/internal/web"
)

//go:embed templates/*.html templates/app/*.html
var templates embed.FS

// Prefix is the path every back-office page lives under.
const Prefix = "/staff/"

// Audit actions the back office records itself; the domain calls it makes
// record the others (sign-ins, fraud decisions, staff changes).
const (
	// ActionOrderViewed is a member of staff opening an order's page.
	ActionOrderViewed = "order.viewed"
	// ActionSignedOut is a member of staff signing out.
	ActionSignedOut = "staff.signed_out"
)

// Config is what the back office needs.
type Config struct {
	// Accounts signs staff in and keeps their sessions and accounts.
	Accounts *account.Service
	// Checkout reads orders in review and records fraud decisions.
	Checkout *checkout.Service
	// DSR holds data-subject requests; when set, the data protection team's
	// queue and request pages are served.
	DSR *dsr.Service
	// Decisions holds the contests of automated decisions; when set, the
	// queues of contested decisions and the contest pages are served.
	Decisions *decision.Service
	// Retention is the retention engine; when set, its dry run and runs
	// are served at /staff/retention.
	Retention *retention.Engine
	// AML holds the transaction monitoring alerts; when set, AML officers
	// work them at /staff/aml/alerts.
	AML *aml.Service
	// Reviews holds the post-approval reviews; when set, security analysts
	// work them in a queue and act on them on the order's page.
	Reviews *postapproval.Service
	// FraudCases holds the fraud investigations; when set, security
	// analysts work them in a queue, and staff open them for callers.
	FraudCases *fraudcase.Service
	// Screening is the sanctions screening service; when set, AML officers
	// see the lists in use and reload them at /staff/screening.
	Screening *screening.Service
	// Rules is the fraud rule set in force; when set, risk analysts read
	// and publish rules at /staff/risk/rules.
	Rules *rules.Live
	// MerchantMessages holds merchants' messages about orders; when set,
	// security analysts and customer service work them in two queues.
	MerchantMessages *merchantmsg.Service
	// StopRequests runs stop requests; when set, security analysts work
	// them in a queue, open each request's page and settle a lost parcel
	// as a fraud loss, and an order's page links to its stop request.
	StopRequests *stoprequest.Service
	// Disputes runs buyer protection disputes; when set, dispute handlers
	// work them in a queue, read each dispute with its evidence and
	// documents, and decide it.
	Disputes *dispute.Service
	// Complaints runs consumer complaints; when set, customer service and
	// the independent customer representative work their queues at
	// /staff/complaints, file complaints for consumers and read the
	// complaint register.
	Complaints *complaint.Service
	// Cards keeps consumers' cards and freezes; with LookupKey set too,
	// security analysts find a consumer by e-mail address and freeze or
	// unfreeze their account or cards at /staff/consumer-security.
	Cards *card.Service
	// SecurityReports holds reports of suspicious e-mails and websites;
	// when set, security analysts triage them at /staff/security-reports.
	SecurityReports *securityreport.Service
	// Support runs the support inbox; when set, customer service answers
	// conversations from the queue at /staff/support and turns them into
	// complaints, disputes or privacy requests.
	Support *support.Service
	// LookupKey is the instance secret ids.ConsumerKeySecret, which finds a
	// consumer by e-mail address.
	LookupKey string
	// DB is read for the audit log and its verification, and takes the
	// audit entries of page views.
	DB *store.DB
	// Key signs CSRF tokens and flash notices: at least web.MinKeyLen
	// bytes, the same in every process (the instance's web key).
	Key []byte
	// SecureCookies marks cookies Secure even on plain-HTTP requests (TLS
	// terminated by a proxy).
	SecureCookies bool
	// Logger receives errors; slog.Default() when nil. Nothing personal is
	// logged.
	Logger *slog.Logger
}

// Pages serves the back office. Add queues with AddQueue before serving.
type Pages struct {
	cfg     Config
	log     *slog.Logger
	rd      *web.Renderer
	handler http.Handler

	mu     sync.RWMutex
	queues []Queue
}

// New builds the back office with its built-in queue of orders in manual
// review.
func New(cfg Config) (*Pages, error) {
	if cfg.Accounts == nil || cfg.Checkout == nil || cfg.DB == nil {
		return nil, errors.New("backoffice: Config needs Accounts, Checkout and DB")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	p := &Pages{cfg: cfg, log: cfg.Logger}
	rd, err := web.NewRenderer(web.Options{
		Key: cfg.Key, Home: Prefix, SecureCookies: cfg.SecureCookies, Logger: cfg.Logger,
		SessionID: sessionBinding,
	})
	if err != nil {
		return nil, err
	}
	if err := rd.AddPages("staff", templates, "templates/signin.html"); err != nil {
		return nil, err
	}
	if err := rd.AddPages("staff", templates, "templates/signin_verify.html"); err != nil {
		return nil, err
	}
	if err := rd.AddPages("staff", templates, "templates/app/*.html"); err != nil {
		return nil, err
	}
	p.rd = rd
	p.AddQueue(p.reviewQueue())

	mux := access.NewRouter(p.gate())
	mux.HandleFunc("GET /staff/signin", p.signInPage)
	mux.HandleFunc("POST /staff/signin", p.signIn)
	mux.HandleFunc("GET /staff/signin/verify", p.verifyPageGet)
	mux.HandleFunc("POST /staff/signin/verify", p.verify)
	mux.Handle("POST /staff/signout", p.staff(p.signOut))
	mux.Handle("GET /staff/{$}", p.staff(p.home))
	mux.Handle("GET /staff/queues/{key}", p.staff(p.queuePage))
	mux.Handle(orderPagePattern, p.staff(p.orderPage))
	mux.Handle(decidePattern, p.staff(p.decide))
	mux.Handle("GET /staff/staff", p.staff(p.staffPage))
	mux.Handle("POST /staff/staff", p.staff(p.createStaff))
	mux.Handle("POST /staff/staff/{id}/disable", p.staff(p.disableStaff))
	mux.Handle("GET /staff/staff/{id}", p.staff(p.staffMemberPage))
	mux.Handle("POST /staff/staff/{id}/unlock", p.staff(p.unlockStaff))
	mux.Handle("POST /staff/staff/{id}/reset-two-step", p.staff(p.resetStaffTwoStep))
	p.addMySecurity(mux)
	if cfg.Cards != nil && cfg.LookupKey != "" {
		p.addConsumerSecurity(mux)
	}
	mux.Handle("GET /staff/audit", p.staff(p.auditPage))
	if cfg.DSR != nil {
		p.addDSR(mux)
	}
	if cfg.Decisions != nil {
		p.addDecisions(mux)
	}
	if cfg.Retention != nil {
		p.addRetention(mux)
	}
	if cfg.Rules != nil {
		p.addRules(mux)
	}
	if cfg.AML != nil {
		p.addAML(mux)
	}
	if cfg.Screening != nil {
		p.addScreening(mux)
		p.addOrderScreening(mux)
	}
	if cfg.Reviews != nil {
		p.addPostApproval(mux)
	}
	if cfg.FraudCases != nil {
		p.addFraudCases(mux)
	}
	if cfg.MerchantMessages != nil {
		p.addMerchantMessages(mux)
	}
	if cfg.StopRequests != nil {
		p.addStopRequests(mux)
	}
	if cfg.Disputes != nil {
		p.addDisputes(mux)
	}
	if cfg.Complaints != nil {
		p.addComplaints(mux)
	}
	if cfg.SecurityReports != nil {
		p.addSecurityReports(mux)
	}
	if cfg.Support != nil {
		p.addSupport(mux)
	}
	mux.HandleFunc("/staff/", func(w http.ResponseWriter, r *http.Request) { rd.Error(w, r, http.StatusNotFound) })
	p.handler = rd.Middleware(mux)
	return p, nil
}

// Handler serves every path under Prefix, wrapped in the web middleware
// (security headers, language, flash notices, CSRF).
func (p *Pages) Handler() http.Handler { return p.handler }

// sessionBinding is what CSRF tokens are bound to: a digest of the staff
// cookie, so a token issued before signing in (or to another session) is
// refused after.
func sessionBinding(r *http.Request) string {
	c, err := r.Cookie(CookieName)
	if err != nil || c.Value == "" {
		return ""
	}
	return ids.Hash(c.Value)
}

// allowed reports whether role may use something open to roles (a queue),
// by the access table's rule for staff: admin may use everything, and no
// roles means every member of staff.
func allowed(role account.Role, roles []account.Role) bool {
	return access.Rule{Audience: access.Staff, StaffRoles: roles}.Decide(access.StaffMember(role)) == access.Allow
}

// viewer is the signed-in member of staff a request is for.
type viewer struct {
	Staff   account.Staff
	Session account.Session
}

// actor names the viewer in the audit log.
func (v *viewer) actor() string { return "staff:" + v.Staff.ID }

// frame is the part of every signed-in page's data the layout uses: who is
// signed in (for the navigation) and which section the page belongs to.
type frame struct {
	Me      account.Staff
	Section string
}

// may reports whether the signed-in member may use the route registered as
// pattern, as the access table says.
func (f frame) may(pattern string) bool {
	return access.Allows(pattern, access.StaffMember(f.Me.Role))
}

// IsAdmin reports whether the signed-in member is an admin, who sees the
// staff and audit pages.
func (f frame) IsAdmin() bool { return f.Me.Role == account.RoleAdmin }

// RoleKey is the catalog key of the signed-in member's role.
func (f frame) RoleKey() string { return roleKey(f.Me.Role) }

// roleKey is the catalog key naming a role.
func roleKey(r account.Role) string { return "staff.role." + string(r) }

// newFrame returns the frame of a page in section for v.
func newFrame(v *viewer, section string) frame { return frame{Me: v.Staff, Section: section} }

// fail logs an unexpected error and answers with the 500 page.
func (p *Pages) fail(w http.ResponseWriter, r *http.Request, what string, err error) {
	p.log.Error("backoffice: "+what, "path", r.URL.Path, "err", err)
	p.rd.Error(w, r, http.StatusInternalServerError)
}
