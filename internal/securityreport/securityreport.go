// Package securityreport takes reports of suspicious e-mails, websites,
// text messages and calls (requirement T11) into a security queue: a
// signed-in consumer reports from the app, anyone else from the public page,
// and security analysts triage each report to a conclusion.
//
// A report holds what the reporter wrote, optionally the address of the
// suspicious site and the suspicious e-mail itself as a file. All of it is
// personal data and may hold anything, so it is stored only sealed by the
// vault: under the person of a signed-in consumer, and under the report's own
// id otherwise (the retention rule shreds that key). The address is never
// fetched nor shown as a link: pages show it defanged (Defang). The file's
// type is read from its bytes; it is never rendered, only downloaded.
//
// States: new → triaging (an analyst took it) → confirmed_phishing,
// not_phishing or duplicate (closed, with notes). Every staff action is
// audited in its transaction and checked against the version the caller
// read. The reporter gets an acknowledgement with the reference through the
// outbox at once, when an address is known. The public page is rate-limited
// per network prefix and per e-mail address, the app per person.
// See docs/security-reports.md.
package securityreport

import (
	"errors"
	"log/slog"
	"slices"
	"time"

	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/vault"
)

// Kind is what was suspicious.
type Kind string

// Kinds.
const (
	KindEmail     Kind = "email"
	KindWebsite   Kind = "website"
	KindSMS       Kind = "sms"
	KindPhoneCall Kind = "phone_call"
	KindOther     Kind = "other"
)

// Kinds lists every kind, in the order forms offer them.
var Kinds = []Kind{KindEmail, KindWebsite, KindSMS, KindPhoneCall, KindOther}

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool { return slices.Contains(Kinds, k) }

// State is where a report is in triage.
type State string

// States.
const (
	// StateNew: nobody has looked at it yet.
	StateNew State = "new"
	// StateTriaging: an analyst took it and is looking into it.
	StateTriaging State = "triaging"
	// StateConfirmedPhishing: closed; it was an attempt to deceive.
	StateConfirmedPhishing State = "confirmed_phishing"
	// StateNotPhishing: closed; it was genuine or harmless.
	StateNotPhishing State = "not_phishing"
	// StateDuplicate: closed; another report covers the same thing.
	StateDuplicate State = "duplicate"
)

// States lists every state, in the order of triage.
var States = []State{StateNew, StateTriaging, StateConfirmedPhishing, StateNotPhishing, StateDuplicate}

// Outcomes are the states a report is closed in.
var Outcomes = []State{StateConfirmedPhishing, StateNotPhishing, StateDuplicate}

// Valid reports whether s is a known state.
func (s State) Valid() bool { return slices.Contains(States, s) }

// Closed reports whether s is an outcome.
func (s State) Closed() bool { return slices.Contains(Outcomes, s) }

// Limits of what a report takes.
const (
	// MaxText is the longest description, in characters.
	MaxText = 4000
	// MaxURL is the longest address, in bytes.
	MaxURL = 2000
	// MaxFileBytes is the largest e-mail file.
	MaxFileBytes = 2 << 20
	// MaxFileName is the longest file name, in characters.
	MaxFileName = 200
	// MaxNotes is the longest closing note, in characters.
	MaxNotes = 2000
	// MaxEmail is the longest reporter address, in bytes.
	MaxEmail = 254
)

// Error codes particular to reports.
const (
	// CodeChanged: the report changed since the version the caller read
	// (HTTP 409); reload it.
	CodeChanged = "SECURITY_REPORT_CHANGED"
	// CodeWrongState: the report is not in a state that allows the action
	// (HTTP 409).
	CodeWrongState = "SECURITY_REPORT_WRONG_STATE"
)

// Audit actions. The subject is the reporter's person, or the report's id
// for a report from the public page.
const (
	ActionSubmitted      = "security_report.submitted"
	ActionViewed         = "security_report.viewed"
	ActionFileDownloaded = "security_report.file_downloaded"
	ActionTaken          = "security_report.taken"
	ActionClosed         = "security_report.closed"
)

// Vault contexts of the sealed columns.
const (
	ContextText          = "security_reports.text"
	ContextURL           = "security_reports.url"
	ContextReporterEmail = "security_reports.reporter_email"
	ContextFileName      = "security_reports.file_name"
	ContextFileContent   = "security_reports.file_content"
	ContextClosingNotes  = "security_reports.closing_notes"
)

// Limit is a rate limit: at most Max reports per Window.
type Limit struct {
	Max    int
	Window time.Duration
}

// Config configures a Service.
type Config struct {
	DB    *store.DB
	Vault *vault.Vault
	// LookupKey is the instance secret ids.ConsumerKeySecret: it keys the
	// hashes of the rate limits and of outbox recipients.
	LookupKey string
	// PerNetwork limits public reports per network prefix (IPv4 /24,
	// IPv6 /48); PerEmail per reporter address; PerPerson a signed-in
	// consumer's. Zero values take the defaults (5, 3 and 10 an hour).
	PerNetwork, PerEmail, PerPerson Limit
	// Logger receives errors; slog.Default() when nil.
	Logger *slog.Logger
}

// Service takes and triages reports.
type Service struct {
	cfg Config
}

// New checks cfg and returns the service.
func New(cfg Config) (*Service, error) {
	if cfg.DB == nil || cfg.Vault == nil || cfg.LookupKey == "" {
		return nil, errors.New("securityreport: Config needs DB, Vault and LookupKey")
	}
	def := func(l *Limit, max int) {
		if l.Max <= 0 || l.Window <= 0 {
			*l = Limit{Max: max, Window: time.Hour}
		}
	}
	def(&cfg.PerNetwork, 5)
	def(&cfg.PerEmail, 3)
	def(&cfg.PerPerson, 10)
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Service{cfg: cfg}, nil
}

// FileInfo describes a report's uploaded e-mail.
type FileInfo struct {
	Name string `json:"name"`
	// Type is the content type read from the bytes: message/rfc822,
	// application/vnd.ms-outlook or text/plain.
	Type string `json:"type"`
	Size int64  `json:"size"`
}

// Report is one report, its sealed fields opened.
type Report struct {
	ID        string `json:"report_id"`
	Reference string `json:"reference"` // e.g. "S-7K2M9Q"
	PersonID  string `json:"-"`
	Kind      Kind   `json:"kind"`
	State     State  `json:"state"`
	Locale    string `json:"locale"`
	Text      string `json:"text"`
	// URL is the suspicious address as reported; show it only through
	// Defanged.
	URL           string     `json:"url,omitempty"`
	ReporterEmail string     `json:"reporter_email,omitempty"`
	File          *FileInfo  `json:"file,omitempty"`
	OwnerID       string     `json:"owner_id,omitempty"`
	OwnerName     string     `json:"owner_name,omitempty"`
	ClosingNotes  string     `json:"closing_notes,omitempty"`
	CreatedAt     time.Time  `json:"created_at"`
	TakenAt       *time.Time `json:"taken_at,omitempty"`
	ClosedAt      *time.Time `json:"closed_at,omitempty"`
	Version       int64      `json:"version"`
}

// Defanged is the report's address in a form no program turns into a link.
func (r Report) Defanged() string { return Defang(r.URL) }

// FromPublic reports whether the report came from the public page.
func (r Report) FromPublic() bool { return r.PersonID == "" }
