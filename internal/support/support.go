// Package support owns the support inbox: conversations between a consumer
// and Tillit (issue 9, "Support inbox and chat"; docs/support.md).
//
// A signed-in consumer opens a conversation in the app, about one of their
// orders or anything else (Open); someone without an account opens one
// with their e-mail address through the public contact form
// (OpenForVisitor) and follows it through a signed link e-mailed to them.
// A first line (FirstLine, the chat assistant) may answer a conversation
// in the same request as the consumer's message until it, or the consumer,
// hands it over to customer service; without one, conversations go
// straight to staff. Customer service answers from a queue (Queue, Reply),
// assigns and closes conversations, and turns one, in a single action, into
// a complaint, a buyer-protection dispute or a data-subject request through
// those packages' own services, copying the conversation's history into
// the case so that nothing said is lost.
//
// States: with_assistant → waiting_for_staff ⇄ answered → closed, and
// converted from any state but converted. Every change checks the version
// the caller read (CodeChanged). Every staff read and action is audited in
// its transaction. Subjects, messages, the visitor's address, the first
// line's state and its hand-over summary are sealed by the vault under the
// conversation's person. E-mails (receipt, staff reply) go through the
// outbox in the conversation's language.
package support

import (
	"errors"
	"log/slog"
	"time"

	"github.com/tillit/tillit/internal/account"
	"github.com/tillit/tillit/internal/complaint"
	"github.com/tillit/tillit/internal/dispute"
	"github.com/tillit/tillit/internal/dsr"
	"github.com/tillit/tillit/internal/i18n"
	"github.com/tillit/tillit/internal/signedlink"
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/vault"
)

// Status is where a conversation is.
type Status string

// Statuses.
const (
	// WithAssistant: the first line answers the consumer.
	WithAssistant Status = "with_assistant"
	// WaitingForStaff: the consumer waits for customer service.
	WaitingForStaff Status = "waiting_for_staff"
	// Answered: customer service answered; the consumer may write again.
	Answered Status = "answered"
	// Closed: customer service closed it; nothing more is added.
	Closed Status = "closed"
	// Converted: it became a complaint, dispute or privacy request
	// (Conversation.ConvertedKind and ConvertedID name the case).
	Converted Status = "converted"
)

// Open reports whether the conversation still takes messages.
func (s Status) Open() bool { return s != Closed && s != Converted }

// Channel is where a conversation was opened.
type Channel string

// Channels.
const (
	// ChannelApp: a signed-in consumer, in the app.
	ChannelApp Channel = "app"
	// ChannelContactForm: someone with an e-mail address, through the
	// public contact form.
	ChannelContactForm Channel = "contact_form"
)

// Author is who wrote a message.
type Author string

// Authors.
const (
	AuthorConsumer  Author = "consumer"
	AuthorAssistant Author = "assistant"
	AuthorStaff     Author = "staff"
)

// CaseKind is the kind of case a conversation was converted into.
type CaseKind string

// Case kinds.
const (
	CaseComplaint      CaseKind = "complaint"
	CaseDispute        CaseKind = "dispute"
	CasePrivacyRequest CaseKind = "privacy_request"
)

// Limits of what people write, in characters.
const (
	MaxSubject = 200
	MaxMessage = 4000
	// MaxSummary bounds a hand-over summary.
	MaxSummary = 2000
	// MaxState bounds the first line's opaque state, in bytes.
	MaxState = 16 << 10
	// MaxEmail is the longest contact address, in bytes.
	MaxEmail = 254
)

// Error codes particular to conversations.
const (
	// CodeChanged: the conversation changed since the version the caller
	// read (HTTP 409); reload it.
	CodeChanged = "SUPPORT_CONVERSATION_CHANGED"
	// CodeWrongState: the conversation does not take the action in its
	// status (closed, converted) (HTTP 409).
	CodeWrongState = "SUPPORT_CONVERSATION_WRONG_STATE"
)

// Vault contexts of the sealed columns.
const (
	ContextContactEmail    = "support_conversations.contact_email"
	ContextSubject         = "support_conversations.subject"
	ContextAssistantState  = "support_conversations.assistant_state"
	ContextHandoverSummary = "support_conversations.handover_summary"
	ContextMessageBody     = "support_messages.body"
)

// Audit actions; the subject is the conversation's person.
const (
	ActionOpened     = "support.opened"
	ActionHandedOver = "support.handed_over"
	ActionViewed     = "support.viewed"
	ActionReplied    = "support.replied"
	ActionAssigned   = "support.assigned"
	ActionClosed     = "support.closed"
	ActionConverted  = "support.converted"
)

// LinkPurpose is the signed-link purpose of a visitor's conversation page.
const LinkPurpose = "support-conversation"

// Limit is a rate limit: at most Max new conversations per Window.
type Limit struct {
	Max    int
	Window time.Duration
}

// Config configures a Service.
type Config struct {
	DB    *store.DB
	Vault *vault.Vault
	// LookupKey is the instance secret ids.ConsumerKeySecret: it finds a
	// visitor's person by their address and keys the rate limits' hashes
	// and the outbox's recipients.
	LookupKey string
	// Links signs the links to a visitor's conversation page.
	Links *signedlink.Signer
	// BaseURL is the public origin the e-mails' links start with.
	BaseURL string
	// LinkLifetime is how long a visitor's link works (default 30 days).
	LinkLifetime time.Duration
	// Complaints, Disputes and Requests create the cases conversations are
	// converted into; a nil one refuses that conversion (NOT_ALLOWED).
	Complaints *complaint.Service
	Disputes   *dispute.Service
	Requests   *dsr.Service
	// FirstLine answers consumers' messages before staff do; nil sends
	// every conversation straight to customer service.
	FirstLine FirstLine
	// PerNetwork and PerEmail limit the contact form's new conversations
	// per client network and per address; PerPerson a signed-in consumer's.
	// Zero values take the defaults (5, 3 and 10 an hour).
	PerNetwork, PerEmail, PerPerson Limit
	// Logger receives errors; slog.Default() when nil.
	Logger *slog.Logger
}

// DefaultLinkLifetime is the LinkLifetime of a Config that sets none.
const DefaultLinkLifetime = 30 * 24 * time.Hour

// Service runs support conversations.
type Service struct{ cfg Config }

// New checks cfg and returns the service. Errors: a Config without DB,
// Vault, LookupKey or Links.
func New(cfg Config) (*Service, error) {
	if cfg.DB == nil || cfg.Vault == nil || cfg.LookupKey == "" || cfg.Links == nil {
		return nil, errors.New("support: Config needs DB, Vault, LookupKey and Links")
	}
	def := func(l *Limit, max int) {
		if l.Max <= 0 || l.Window <= 0 {
			*l = Limit{Max: max, Window: time.Hour}
		}
	}
	def(&cfg.PerNetwork, 5)
	def(&cfg.PerEmail, 3)
	def(&cfg.PerPerson, 10)
	if cfg.LinkLifetime <= 0 {
		cfg.LinkLifetime = DefaultLinkLifetime
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Service{cfg: cfg}, nil
}

// Conversation is one conversation, its sealed fields opened.
type Conversation struct {
	ID        string  `json:"conversation_id"`
	Reference string  `json:"reference"` // e.g. "SUP-7K2M9Q"
	PersonID  string  `json:"-"`
	Channel   Channel `json:"channel"`
	// ContactEmail is the contact form's address ("" for the app).
	ContactEmail string `json:"contact_email,omitempty"`
	OrderID      string `json:"order_id,omitempty"`
	Subject      string `json:"subject,omitempty"`
	// Language is the conversation's language (an i18n.Lang code).
	Language string `json:"language"`
	Status   Status `json:"status"`
	// AssignedTo and AssignedName name the member of staff it is
	// assigned to ("" while nobody is).
	AssignedTo   string `json:"assigned_to,omitempty"`
	AssignedName string `json:"assigned_name,omitempty"`
	// AssistantState is the first line's opaque state (FirstLineAnswer).
	AssistantState string `json:"-"`
	// HandoverSummary is what the first line told staff when it handed
	// the conversation over; HandedOverBy who handed it over (assistant
	// or consumer, "" when it never was).
	HandoverSummary string     `json:"handover_summary,omitempty"`
	HandedOverBy    Author     `json:"handed_over_by,omitempty"`
	HandedOverAt    *time.Time `json:"handed_over_at,omitempty"`
	// ConvertedKind and ConvertedID name the case it became.
	ConvertedKind CaseKind   `json:"converted_kind,omitempty"`
	ConvertedID   string     `json:"converted_id,omitempty"`
	CreatedAt     time.Time  `json:"created_at"`
	UpdatedAt     time.Time  `json:"updated_at"`
	WaitingSince  *time.Time `json:"waiting_since,omitempty"`
	ClosedAt      *time.Time `json:"closed_at,omitempty"`
	Version       int64      `json:"version"`
}

// Visitor reports whether the conversation came through the contact form.
func (c Conversation) Visitor() bool { return c.Channel == ChannelContactForm }

// Message is one message of a conversation.
type Message struct {
	ID     string `json:"message_id"`
	Author Author `json:"author"`
	// StaffName names the member of staff who wrote it (staff only).
	StaffName string    `json:"staff_name,omitempty"`
	Body      string    `json:"body"`
	At        time.Time `json:"at"`
}

// Thread is a conversation with its messages, oldest first.
type Thread struct {
	Conversation Conversation `json:"conversation"`
	Messages     []Message    `json:"messages"`
}

// MayWork reports whether a staff role works the support inbox: customer
// service and admin.
func MayWork(r account.Role) bool {
	return r == account.RoleCustomerService || r == account.RoleAdmin
}

// When writes a message's time for people reading lang: the date and the
// time of day in UTC.
func When(lang i18n.Lang, t time.Time) string {
	return i18n.T(lang, "support.when", "date", i18n.FormatDate(lang, t), "time", t.UTC().Format("15:04"))
}
