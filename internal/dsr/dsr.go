// Package dsr handles data-subject requests (requirements D2-D6, D11): a
// person's request to exercise a right of the GDPR over the data Tillit holds
// about them, from receipt to its answer, within the legal deadline.
//
// # Kinds
//
// Access (Art. 15, D2), portability (Art. 20, D3), rectification (Art. 16,
// D4), erasure (Art. 17, D5), restriction (Art. 18, D6) and objection
// (Art. 21, D6). Contests of automated decisions (Art. 22, D7) are package
// decision's. A restriction or objection names what it is about in its
// scope (the data categories or the purposes the person ticked, see
// Kind.ScopeChoices), and takes effect the moment it is filed: an Intake
// per kind (Config.Intakes) runs in the filing transaction. Staff lift a
// restriction with Lift, which tells the person first (Art. 18(3)).
//
// # Lifecycle
//
//	received → identity_verified → in_progress → extended → completed
//	                                     │            │       partly_completed
//	                                     └────────────┴────→ refused
//
// A request is received when it is filed; the person's identity is verified
// in the same transaction (a consumer signed in with their mailbox, or staff
// verified them and wrote down how). Staff start the work, may extend the
// deadline once or twice up to two more months (with a reason, and an e-mail
// to the person, only before the original deadline passes, Art. 12(3)), and
// answer: completed, partly_completed (with reasons per item) or refused
// (with reasons); an answer that is not a full yes names the supervisory
// authority the person can complain to (Art. 12(4), Art. 77; see
// Authorities). Every step is appended to the request's events in the
// transaction that takes it, with actor and time; staff steps are written
// to the audit log too. A step the status does not allow fails with
// apperr.NotAllowed and writes nothing; a step taken on a version of the
// request that is no longer current fails with CodeChanged.
//
// # Deadlines
//
// The deadline is one calendar month after receipt (Art. 12(3)): the same
// time of day on the same day of the next month, or on that month's last day
// when the day does not exist (31 January gives 28 or 29 February). This is
// earlier than the end of that day, which Regulation 1182/71 would allow, so
// the deadline Tillit keeps is never later than the law's. An extension adds
// one or two calendar months to the original deadline. A durable job per
// request (jobs, driven by the database clock) records a reminder
// Config.RemindDays before the deadline, which puts the request among the
// due-soon ones at the top of the queue, and marks the request breached when
// the deadline passes without an answer.
//
// # Fulfilment
//
// A Fulfiller per kind (Config.Fulfillers) carries a request out inside the
// transaction that answers it, and returns the Outcome: the status, what was
// done or kept per item, and optionally a document (the access extract) that
// is sealed under the person and offered to them for download for
// Config.DocumentLifetime. Kinds without a fulfiller are answered by staff
// by hand, with reasons.
//
// # Personal data
//
// Requests name the person by their person id (package person), never by an
// address. What the person wrote (Request.Description), the address answers
// go to, staff's note on how they verified the person and an answer's
// document are sealed by the vault under the person's key. Answering an
// erasure request erases them from every request of the person before the
// fulfiller runs (so none of them keeps the person's data key from being
// shredded); what each request was, its dates, steps and answer stay as
// Tillit's evidence that it handled them (GDPR Art. 5(2), the registry's
// accountability purpose, privacy.PurposeAccountability). Nothing personal
// is logged or written to the audit log.
package dsr

import (
	"errors"
	"log/slog"
	"slices"
	"time"

	"github.com/tillit/tillit/internal/i18n"
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/vault"
)

// Kind is the right a request exercises.
type Kind string

// The kinds of request.
const (
	// KindAccess asks for a copy of everything held about the person and
	// what it is used for (Art. 15, D2).
	KindAccess Kind = "access"
	// KindPortability asks for the data the person gave or that their
	// contract or consent produced, machine-readable (Art. 20, D3).
	KindPortability Kind = "portability"
	// KindRectification asks to correct or complete data (Art. 16, D4).
	KindRectification Kind = "rectification"
	// KindErasure asks to erase the person's data (Art. 17, D5).
	KindErasure Kind = "erasure"
	// KindRestriction asks to restrict the processing of data (Art. 18, D6).
	KindRestriction Kind = "restriction"
	// KindObjection objects to processing based on legitimate interest or
	// for direct marketing (Art. 21, D6).
	KindObjection Kind = "objection"
)

// kinds lists every kind in the order pages show them.
var kinds = []Kind{KindAccess, KindPortability, KindRectification, KindErasure, KindRestriction, KindObjection}

// Kinds returns every kind, in the order pages show them.
func Kinds() []Kind { return slices.Clone(kinds) }

// Valid reports whether k is one of the kinds.
func (k Kind) Valid() bool { return slices.Contains(kinds, k) }

// NameKey is the message key of the kind's name.
func (k Kind) NameKey() string { return "dsr.kind." + string(k) }

// AboutKey is the message key of what the kind asks for, in the person's
// words.
func (k Kind) AboutKey() string { return "dsr.kind." + string(k) + ".about" }

// NeedsDescription reports whether a request of the kind must say what it is
// about in words: which data is wrong and what it should be.
func (k Kind) NeedsDescription() bool { return k == KindRectification }

// Status is where a request is in its lifecycle.
type Status string

// The statuses.
const (
	StatusReceived         Status = "received"
	StatusIdentityVerified Status = "identity_verified"
	StatusInProgress       Status = "in_progress"
	StatusExtended         Status = "extended"
	StatusCompleted        Status = "completed"
	StatusPartlyCompleted  Status = "partly_completed"
	StatusRefused          Status = "refused"
)

// Closed reports whether s is an answer: nothing follows it.
func (s Status) Closed() bool {
	return s == StatusCompleted || s == StatusPartlyCompleted || s == StatusRefused
}

// NameKey is the message key of the status's name.
func (s Status) NameKey() string { return "dsr.status." + string(s) }

// transitions lists the statuses each status may move to.
var transitions = map[Status][]Status{
	StatusReceived:         {StatusIdentityVerified},
	StatusIdentityVerified: {StatusInProgress, StatusRefused},
	StatusInProgress:       {StatusExtended, StatusCompleted, StatusPartlyCompleted, StatusRefused},
	StatusExtended:         {StatusExtended, StatusCompleted, StatusPartlyCompleted, StatusRefused},
}

// CanMove reports whether a request may move from one status to the other.
func CanMove(from, to Status) bool { return slices.Contains(transitions[from], to) }

// Channel is where a request was filed.
type Channel string

// The channels.
const (
	// ChannelApp: the person, signed in to the consumer app.
	ChannelApp Channel = "app"
	// ChannelStaff: the data protection team, on the person's behalf.
	ChannelStaff Channel = "staff"
)

// NameKey is the message key describing the channel.
func (c Channel) NameKey() string { return "dsr.channel." + string(c) }

// IdentityMethod is how the person's identity was verified.
type IdentityMethod string

// The identity methods.
const (
	// IdentityAppSignIn: the person signed in to the consumer app with a
	// code sent to their e-mail address, so they control the mailbox
	// Tillit knows them by.
	IdentityAppSignIn IdentityMethod = "app_sign_in"
	// IdentityStaffVerified: a member of the data protection team verified
	// the person and wrote down how (sealed, see Request).
	IdentityStaffVerified IdentityMethod = "staff_verified"
)

// NameKey is the message key describing the method.
func (m IdentityMethod) NameKey() string { return "dsr.identity." + string(m) }

// Request is one data-subject request.
type Request struct {
	ID string `json:"id"`
	// Reference is the short reference the person and staff quote.
	Reference string `json:"reference"`
	// PersonID is the person (package person) the request is about.
	PersonID       string         `json:"person_id"`
	Kind           Kind           `json:"kind"`
	Status         Status         `json:"status"`
	Channel        Channel        `json:"channel"`
	IdentityMethod IdentityMethod `json:"identity_method"`
	// Country is the ISO 3166-1 alpha-2 code of the country the person
	// lives in, as given with the request ("" when not known): it picks the
	// supervisory authority answers name.
	Country string `json:"country"`
	// Locale is the language of the e-mails to the person.
	Locale i18n.Lang `json:"locale"`
	// Description is what the person wrote, opened from the vault; empty
	// when they wrote nothing, when the read did not open it, or when their
	// data was erased (see DescriptionErased).
	Description string `json:"description,omitempty"`
	// Scope is what a restriction or objection request is about: category
	// ids to restrict, purpose ids objected to (Kind.ScopeChoices); empty
	// for other kinds.
	Scope []string `json:"scope,omitempty"`
	// DescriptionErased reports that what the person wrote can no longer be
	// read because their data was erased.
	DescriptionErased bool `json:"description_erased,omitempty"`
	// ErasedAt is when the person's data in the request (what they wrote,
	// their address, the identity note, the answer's document) was erased
	// along with the rest of their data; nil before.
	ErasedAt *time.Time `json:"erased_at,omitempty"`
	// ReceivedAt is when the request was received: the deadline counts
	// from it.
	ReceivedAt time.Time `json:"received_at"`
	// OriginalDueAt is one calendar month after ReceivedAt.
	OriginalDueAt time.Time `json:"original_due_at"`
	// DueAt is the deadline now: OriginalDueAt plus ExtensionMonths.
	DueAt           time.Time `json:"due_at"`
	ExtensionMonths int       `json:"extension_months"`
	// RemindedAt is when the deadline job put the request among the due
	// soon; nil before.
	RemindedAt *time.Time `json:"reminded_at,omitempty"`
	// BreachedAt is when the deadline job found the deadline passed
	// without an answer; nil while it has not.
	BreachedAt *time.Time `json:"breached_at,omitempty"`
	// ClosedAt is when the request was answered.
	ClosedAt *time.Time `json:"closed_at,omitempty"`
	// Outcome is the answer, item by item; empty while open.
	Outcome []Item `json:"outcome"`
	// Document describes the document the answer hands over, while it is
	// kept; nil when there is none.
	Document *DocumentInfo `json:"document,omitempty"`
	// Version changes with every change of the request.
	Version int64 `json:"version"`
}

// Open reports whether the request waits for an answer.
func (r Request) Open() bool { return !r.Status.Closed() }

// Overdue reports whether an open request's deadline has passed at now.
func (r Request) Overdue(now time.Time) bool {
	return r.Open() && (r.BreachedAt != nil || !now.Before(r.DueAt))
}

// DueWithin reports whether an open request's deadline is within d of now
// and not yet passed.
func (r Request) DueWithin(now time.Time, d time.Duration) bool {
	return r.Open() && !r.Overdue(now) && !now.Add(d).Before(r.DueAt)
}

// DaysLeft returns the days until the deadline, counting a part of a day as
// a day: 1 when it falls within the next 24 hours, negative (days overdue)
// once it has passed.
func (r Request) DaysLeft(now time.Time) int {
	const day = 24 * time.Hour
	d := r.DueAt.Sub(now)
	if d > 0 {
		return int((d + day - 1) / day)
	}
	return -int((-d + day - 1) / day)
}

// Item is the answer for one part of a request: a data category, a record,
// a purpose. What and Reason are either message keys (translated wherever
// they are shown) or plain text.
type Item struct {
	// What names the part; may be empty when the answer has one part.
	What string `json:"what,omitempty"`
	// Done reports whether the request was carried out for it.
	Done bool `json:"done"`
	// Reason says what was done, or why it was not; required when Done is
	// false.
	Reason string `json:"reason,omitempty"`
	// Until is when data kept despite the request will go, when known (an
	// erasure that keeps what the law requires, D5).
	Until *time.Time `json:"until,omitempty"`
}

// Outcome is what a Fulfiller did.
type Outcome struct {
	// Status is StatusCompleted or StatusPartlyCompleted.
	Status Status
	// Items say what was done or not, and why. A partly completed request
	// has at least one item not done.
	Items []Item
	// Document is handed over to the person (an access extract as JSON, a
	// portability export); nil when there is none. It is sealed under the
	// person, so an erasure's fulfiller, which shreds their key, cannot
	// return one.
	Document *Document
}

// Document is a file an answer hands over.
type Document struct {
	// Name is the file name offered at download: letters, digits, '.',
	// '-' and '_'.
	Name string
	// ContentType is its media type, such as "application/json".
	ContentType string
	// Body is the file.
	Body []byte
}

// DocumentInfo describes a stored document without its body.
type DocumentInfo struct {
	Name        string    `json:"name"`
	ContentType string    `json:"content_type"`
	Size        int64     `json:"size"`
	CreatedAt   time.Time `json:"created_at"`
	// ExpiresAt is when it is deleted.
	ExpiresAt time.Time `json:"expires_at"`
}

// Intake is what takes effect the moment a request of one kind is filed,
// before anyone works it: a restriction while Tillit checks the request
// (Art. 18(1)), an objection to direct marketing (Art. 21(3)). It runs in
// the transaction that files r, with the filing's actor; an error rolls the
// filing back. Like a Fulfiller it must have no effects outside tx.
type Intake func(tx *store.Tx, r Request, actor string) error

// Fulfiller carries out requests of one kind. Fulfil runs inside the
// transaction that answers r (r.Status is in_progress or extended and
// r.Description is opened); it changes what the request asks for and
// returns what it did. An error rolls everything back and leaves the
// request as it was. It must not commit, start transactions of its own or
// have effects outside tx, since a conflicting transaction is run again.
type Fulfiller interface {
	Fulfil(tx *store.Tx, r Request) (Outcome, error)
}

// FulfillerFunc adapts a function to Fulfiller.
type FulfillerFunc func(tx *store.Tx, r Request) (Outcome, error)

// Fulfil calls f.
func (f FulfillerFunc) Fulfil(tx *store.Tx, r Request) (Outcome, error) { return f(tx, r) }

// Defaults of Config.
const (
	DefaultRemindDays       = 7
	DefaultDocumentLifetime = 30 * 24 * time.Hour
	DefaultHomeCountry      = "DK"
)

// Config is what the service needs.
type Config struct {
	// DB holds the requests.
	DB *store.DB
	// Vault seals what people write, their reply address and documents.
	Vault *vault.Vault
	// LookupKey is the instance secret ids.ConsumerKeySecret, under which
	// e-mail addresses are hashed to find a person (ids.ConsumerKey).
	LookupKey string
	// Fulfillers carry out requests, per kind; a kind without one is
	// answered by staff by hand.
	Fulfillers map[Kind]Fulfiller
	// Intakes take effect when a request is filed, per kind; optional.
	Intakes map[Kind]Intake
	// HomeCountry is where the operator has its main establishment: its
	// supervisory authority is named when the person's country has none
	// listed. DefaultHomeCountry when empty.
	HomeCountry string
	// RemindDays is how many days before the deadline a request counts as
	// due soon; DefaultRemindDays when zero.
	RemindDays int
	// DocumentLifetime is how long a person may download the document of
	// an answer; DefaultDocumentLifetime when zero.
	DocumentLifetime time.Duration
	// Logger receives errors of background jobs; slog.Default() when nil.
	// Nothing personal is logged.
	Logger *slog.Logger
}

// Service files, reads and answers data-subject requests. It is safe for
// concurrent use.
type Service struct {
	cfg Config
	db  *store.DB
}

// New checks cfg and returns the service.
func New(cfg Config) (*Service, error) {
	if cfg.DB == nil || cfg.Vault == nil || cfg.LookupKey == "" {
		return nil, errors.New("dsr: Config needs DB, Vault and LookupKey")
	}
	for k, f := range cfg.Fulfillers {
		if !k.Valid() || f == nil {
			return nil, errors.New("dsr: Config.Fulfillers has an unknown kind or a nil fulfiller")
		}
	}
	for k, in := range cfg.Intakes {
		if !k.Valid() || in == nil {
			return nil, errors.New("dsr: Config.Intakes has an unknown kind or a nil intake")
		}
	}
	if cfg.HomeCountry == "" {
		cfg.HomeCountry = DefaultHomeCountry
	}
	if _, ok := AuthorityOf(cfg.HomeCountry); !ok {
		return nil, errors.New("dsr: Config.HomeCountry has no supervisory authority listed")
	}
	if cfg.RemindDays == 0 {
		cfg.RemindDays = DefaultRemindDays
	}
	if cfg.RemindDays < 0 || cfg.RemindDays > 27 {
		return nil, errors.New("dsr: Config.RemindDays must be between 1 and 27")
	}
	if cfg.DocumentLifetime == 0 {
		cfg.DocumentLifetime = DefaultDocumentLifetime
	}
	if cfg.DocumentLifetime < 0 {
		return nil, errors.New("dsr: Config.DocumentLifetime is negative")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Service{cfg: cfg, db: cfg.DB}, nil
}

// HasFulfiller reports whether requests of kind are carried out by a
// Fulfiller (CarryOut) rather than answered by hand (Complete).
func (s *Service) HasFulfiller(k Kind) bool { return s.cfg.Fulfillers[k] != nil }

// RemindBefore is how long before its deadline a request counts as due
// soon.
func (s *Service) RemindBefore() time.Duration {
	return time.Duration(s.cfg.RemindDays) * 24 * time.Hour
}

// Now is the time on the service's database clock.
func (s *Service) Now() time.Time { return s.db.Clock.Now() }
