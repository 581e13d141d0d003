// Package fraudcase keeps the fraud investigations of disputed orders
// (requirement T7; tables fraud_cases and fraud_case_events).
//
// A case opens when a consumer says they did not make a purchase (in the
// consumer app, with an optional statement) or when a member of staff opens
// one on behalf of a caller, with a reason. An order has at most one live
// case. Opening pauses the order's payment plan (package repayment) and a
// durable job pauses it again for as long as the case stays open, so no
// reminder or late fee goes out during the investigation.
//
// Security analysts (Roles, and admin) work the open cases oldest first:
// they read the order, its risk signals (automated decision records and
// post-approval reviews), what other components attach (the stop-request
// answers, the merchant's messages, through the Attachments hook) and the
// timeline; they add notes, ask the merchant for more (an e-mail to the
// merchant's users with a signed reply link, valid for LinkValidity and for
// that case only, purpose LinkPurpose) and close the case: victim_confirmed
// cancels the claim through the ClaimCancelled hook (it never goes to
// reminders or collection), claim_stands resumes the payment plan. Every
// action needs a reason and is audited in the same transaction, and so is
// every view and export of a case.
//
// What people write on a case (the consumer's statement, staff notes, the
// question to the merchant and the merchant's answers) may hold personal
// data: it is sealed by the vault under the order's person (context
// ContextBody), so erasing the person makes it unreadable. The case file
// exported for a police report (Export) holds the order with the addresses
// given at purchase, the signals as codes, the attachments and the
// timeline with the actors' roles, and nothing about other people: linked
// orders and the sources of signals are left out.
package fraudcase

import (
	"errors"
	"log/slog"
	"slices"
	"time"

	"github.com/tillit/tillit/internal/account"
	"github.com/tillit/tillit/internal/checkout"
	"github.com/tillit/tillit/internal/repayment"
	"github.com/tillit/tillit/internal/risk/postapproval"
	"github.com/tillit/tillit/internal/signedlink"
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/vault"
)

// Status is where a case is.
type Status string

// Case statuses: open waits for an analyst (the queue), awaiting_merchant
// for the merchant's answer; closed ends it with an Outcome.
const (
	StatusOpen             Status = "open"
	StatusAwaitingMerchant Status = "awaiting_merchant"
	StatusClosed           Status = "closed"
)

// Live reports whether the case is not closed.
func (s Status) Live() bool { return s == StatusOpen || s == StatusAwaitingMerchant }

// Outcome is how a case ended.
type Outcome string

// Outcomes of a closed case.
const (
	// VictimConfirmed: the consumer did not make the purchase; the claim is
	// cancelled (ClaimCancelled) and never goes to reminders or collection.
	VictimConfirmed Outcome = "victim_confirmed"
	// ClaimStands: the consumer owes the purchase; the payment plan
	// resumes.
	ClaimStands Outcome = "claim_stands"
)

// Valid reports whether o is a known outcome.
func (o Outcome) Valid() bool { return o == VictimConfirmed || o == ClaimStands }

// Channel is how a case was opened.
type Channel string

// Channels.
const (
	// ByConsumer: the consumer disputed the purchase in the app.
	ByConsumer Channel = "consumer"
	// ByStaff: a member of staff opened it on behalf of a caller.
	ByStaff Channel = "staff"
)

// EventKind is what happened on a case's timeline.
type EventKind string

// Timeline events.
const (
	EventOpened          EventKind = "opened"
	EventNote            EventKind = "note"
	EventMerchantAsked   EventKind = "merchant_asked"
	EventMerchantReplied EventKind = "merchant_replied"
	EventClosed          EventKind = "closed"
)

// Roles of actors on the timeline that are not staff roles.
const (
	RoleConsumer = "consumer"
	RoleMerchant = "merchant"
	RoleSystem   = "system"
)

// Audit actions; the subject is the order, the details name the case and
// carry the reason given (never what was written on the case).
const (
	ActionOpened          = "fraud_case.opened"
	ActionNoted           = "fraud_case.noted"
	ActionMerchantAsked   = "fraud_case.merchant_asked"
	ActionMerchantReplied = "fraud_case.merchant_replied"
	ActionClosed          = "fraud_case.closed"
	ActionViewed          = "fraud_case.viewed"
	ActionExported        = "fraud_case.exported"
)

// Codes of the errors particular to cases, besides apperr's BAD_VALUE,
// NOT_FOUND, FORBIDDEN and NOT_ALLOWED.
const (
	// CodeChanged: the case changed since the version the analyst saw;
	// nothing was done.
	CodeChanged = "CASE_CHANGED"
	// CodeAlreadyOpen: the order already has a live case.
	CodeAlreadyOpen = "CASE_ALREADY_OPEN"
)

// Limits of what people write, in characters.
const (
	// MaxReason is the longest reason for a staff action (audited, so it
	// must not hold personal data).
	MaxReason = 500
	// MaxStatement is the longest statement opening a case.
	MaxStatement = 2000
	// MaxText is the longest note or question to the merchant.
	MaxText = 4000
	// MaxReply is the longest answer of a merchant, per reply.
	MaxReply = 4000
)

// LinkPurpose is the signedlink purpose of merchants' reply links.
const LinkPurpose = "fraud-case-reply"

// LinkValidity is how long a reply link works.
const LinkValidity = 14 * 24 * time.Hour

// PauseDays is how long each pause of the payment plan lasts; the plan is
// paused again a day before the pause ends while the case stays open.
const PauseDays = 30

// ContextBody is the vault context of what is written on a case.
const ContextBody = "fraud_case_events.body"

// Roles may work cases (the queue, the case page, its actions and its
// export); admin always may.
var Roles = []account.Role{account.RoleSecurityAnalyst}

// OpenRoles may open a case on behalf of a caller; admin always may.
var OpenRoles = []account.Role{account.RoleCustomerService, account.RoleSecurityAnalyst}

// MayWork reports whether a member of staff with role may work cases.
func MayWork(role account.Role) bool {
	return role == account.RoleAdmin || slices.Contains(Roles, role)
}

// MayOpen reports whether a member of staff with role may open a case.
func MayOpen(role account.Role) bool {
	return role == account.RoleAdmin || slices.Contains(OpenRoles, role)
}

// Attachment is a document another component holds about the order (a
// stop-request answer, a message from the merchant), shown on the case and
// exported with it.
type Attachment struct {
	Title  string    `json:"title"`
	At     time.Time `json:"at"`
	Fields []Field   `json:"fields"`
}

// Field is one labelled value of an attachment.
type Field struct {
	Label string `json:"label"`
	Value string `json:"value"`
}

// Config is what the service needs.
type Config struct {
	DB       *store.DB
	Vault    *vault.Vault
	Checkout *checkout.Service
	// Plans pauses and resumes the order's payment plan.
	Plans *repayment.Service
	// Accounts lists the merchant users the request for more information
	// is e-mailed to.
	Accounts *account.Service
	// Links signs the merchants' reply links.
	Links *signedlink.Signer
	// Reviews holds the post-approval reviews shown among the order's
	// signals; nil shows none.
	Reviews *postapproval.Service
	// LookupKey is the instance secret ids.ConsumerKeySecret, which keys
	// the outbox's recipient hashes.
	LookupKey string
	// BaseURL is the public origin the reply links point at
	// ("https://tillit.example").
	BaseURL string
	// Logger receives errors; slog.Default() when nil. Nothing personal is
	// logged.
	Logger *slog.Logger
}

// Service keeps fraud cases.
type Service struct {
	cfg Config
	log *slog.Logger
	// Attachments returns what other components hold about the order (the
	// stop-request answers, the merchant's messages), in the caller's
	// transaction; nil means none.
	Attachments func(tx *store.Tx, orderID string) ([]Attachment, error)
	// ClaimCancelled cancels the claim of an order whose consumer was
	// confirmed a victim (the fraud write-off), in the caller's
	// transaction; actor names who decided ("staff:<id>"). Closing a case
	// as victim_confirmed fails while it is nil.
	ClaimCancelled func(tx *store.Tx, actor, orderID string) error
}

// New returns the service. Errors: a missing DB, Vault, Checkout, Plans,
// Accounts or Links, or an empty LookupKey.
func New(cfg Config) (*Service, error) {
	if cfg.DB == nil || cfg.Vault == nil || cfg.Checkout == nil || cfg.Plans == nil || cfg.Accounts == nil || cfg.Links == nil || cfg.LookupKey == "" {
		return nil, errors.New("fraudcase: Config needs DB, Vault, Checkout, Plans, Accounts, Links and LookupKey")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Service{cfg: cfg, log: cfg.Logger}, nil
}

// DB is the database the cases are kept in.
func (s *Service) DB() *store.DB { return s.cfg.DB }
