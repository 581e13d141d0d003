package complaint

import (
	"errors"
	"log/slog"
	"time"

	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/vault"
)

// Channel is how a complaint reached Tillit.
type Channel string

// Channels.
const (
	ChannelApp    Channel = "app"
	ChannelPhone  Channel = "phone"
	ChannelEmail  Channel = "email"
	ChannelChat   Channel = "chat"
	ChannelLetter Channel = "letter"
)

// StaffChannels are the channels customer service files complaints through.
var StaffChannels = []Channel{ChannelPhone, ChannelEmail, ChannelChat, ChannelLetter}

// Status is where a complaint is.
type Status string

// Statuses.
const (
	// Open: tier 1, customer service is handling it.
	Open Status = "open"
	// Answered: tier 1 gave its final answer; the consumer may ask the
	// independent customer representative for a review.
	Answered Status = "answered"
	// InReview: tier 2, with the independent customer representative.
	InReview Status = "in_review"
	// Closed: the representative's final assessment was given, or the time
	// to ask for a review ran out.
	Closed Status = "closed"
)

// Outcome is a final answer's or a final assessment's result.
type Outcome string

// Outcomes.
const (
	Upheld       Outcome = "upheld"
	PartlyUpheld Outcome = "partly_upheld"
	Rejected     Outcome = "rejected"
)

// Outcomes lists every outcome.
var Outcomes = []Outcome{Upheld, PartlyUpheld, Rejected}

// RootCauses are the tags a complaint is closed with for the register
// (causes, not blame): Config.RootCauses may extend them.
var RootCauses = []string{"merchant_delivery", "merchant_quality", "communication", "process", "system_error",
	"pricing_fees", "credit_decision", "fraud", "privacy", "staff_conduct", "no_fault_found"}

// Breach names a deadline that passed without the answer it asks for.
type Breach string

// Breaches.
const (
	// BreachTarget: no final answer within the 14-calendar-day target.
	BreachTarget Breach = "target"
	// BreachPSD2: no final answer within the PSD2 limit (15 business days,
	// 35 after a holding reply).
	BreachPSD2 Breach = "psd2"
)

// Complaint is one consumer complaint, its texts opened from the vault.
type Complaint struct {
	ID        string   `json:"complaint_id"`
	Reference string   `json:"reference"` // short, for the consumer and telephone (e.g. "C-7K2M9Q")
	PersonID  string   `json:"-"`
	OrderID   string   `json:"order_id,omitempty"`
	Category  Category `json:"category"`
	Channel   Channel  `json:"channel"`
	Country   string   `json:"country"`
	Tier      int      `json:"tier"` // 1 or 2
	Status    Status   `json:"status"`
	// OwnerID and OwnerName name the staff member who owns it ("" while unassigned).
	OwnerID   string `json:"owner_id,omitempty"`
	OwnerName string `json:"owner_name,omitempty"`
	Subject   string `json:"subject"`
	Text      string `json:"text"`
	// Outcome is the latest final answer's or assessment's ("" before one).
	Outcome    Outcome   `json:"outcome,omitempty"`
	RootCauses []string  `json:"root_causes,omitempty"`
	FiledAt    time.Time `json:"filed_at"`
	// TargetAt is the 14-calendar-day target; PSD2At the PSD2 limit for a
	// payment-service complaint (nil otherwise), moved to 35 business days
	// by a holding reply.
	TargetAt          time.Time  `json:"target_at"`
	PSD2At            *time.Time `json:"psd2_at,omitempty"`
	HoldingReplyAt    *time.Time `json:"holding_reply_at,omitempty"`
	FirstContact      bool       `json:"resolved_at_first_contact"`
	AnsweredAt        *time.Time `json:"answered_at,omitempty"`
	ReviewUntil       *time.Time `json:"review_until,omitempty"` // last day to ask for tier 2
	ReviewRequestedAt *time.Time `json:"review_requested_at,omitempty"`
	ClosedAt          *time.Time `json:"closed_at,omitempty"`
	Breaches          []Breach   `json:"breaches,omitempty"`
	Version           int64      `json:"version"`
}

// Event is one entry of a complaint's timeline.
type Event struct {
	At time.Time `json:"at"`
	// Party: consumer, customer_service, representative or system.
	Party string `json:"party"`
	// Kind: filed, acknowledged, assigned, update, holding_reply,
	// final_answer, review_requested, assessment, closed, breach.
	Kind string `json:"kind"`
	// Body is the text written, when there is one.
	Body string `json:"body,omitempty"`
	// Internal events (assignment, internal notes) are not shown to the consumer.
	Internal bool `json:"-"`
}

// View is a complaint with its timeline and, once there is a final answer,
// the bodies the consumer may take it to.
type View struct {
	Complaint Complaint `json:"complaint"`
	Timeline  []Event   `json:"timeline"`
	// Board is the national financial complaints board of the complaint's
	// country; Bodies all further bodies (the board and the EU-level one).
	Board  Board   `json:"board"`
	Bodies []Board `json:"bodies"`
}

// Filing is a new complaint.
type Filing struct {
	Category Category
	// OrderID is the order it is about, optional; must be the person's own.
	OrderID string
	// Subject (at most 200 characters) and Text (at most 4000, required)
	// are sealed under the person.
	Subject string
	Text    string
	// Country is the consumer's country for deadlines and the board;
	// empty takes it from the person (the order's country, else DK).
	Country string
}

// Answer is a final answer (tier 1) or a final assessment (tier 2).
type Answer struct {
	Outcome    Outcome
	Text       string   // to the consumer, required, sealed
	RootCauses []string // at least one of RootCauses
	// Remedy is what Tillit does for the consumer (optional; e.g. "fee
	// refunded"), shown to them.
	Remedy string
}

// Config builds a Service.
type Config struct {
	DB     *store.DB
	Vault  *vault.Vault
	Logger *slog.Logger
	// ReviewWindow is how long after a final answer the consumer may ask
	// for a review (default 6 months).
	ReviewWindow time.Duration
	// LookupKey is the instance secret that keys the hash of e-mail
	// addresses (ids.ConsumerKeySecret): FileForConsumer finds the consumer
	// by it and the outbox files the e-mails under it.
	LookupKey string
	// RootCauses are tags accepted besides the built-in RootCauses.
	RootCauses []string
}

// DefaultReviewWindow is the ReviewWindow of a Config that sets none.
const DefaultReviewWindow = 183 * 24 * time.Hour

// Service runs complaints.
type Service struct{ cfg Config }

// New returns the complaints service. Errors: a Config without DB, Vault
// or LookupKey.
func New(cfg Config) (*Service, error) {
	if cfg.DB == nil || cfg.Vault == nil || cfg.LookupKey == "" {
		return nil, errors.New("complaint: New needs the database, the vault and the lookup key")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.ReviewWindow <= 0 {
		cfg.ReviewWindow = DefaultReviewWindow
	}
	return &Service{cfg: cfg}, nil
}

// Period bounds a register report by filing time: [From, To).
type Period struct{ From, To time.Time }

// RegisterRow is one cell of the register: complaints of a category and
// tier with an outcome ("" for not yet answered).
type RegisterRow struct {
	Category Category `json:"category"`
	Tier     int      `json:"tier"`
	Outcome  Outcome  `json:"outcome"`
	Count    int      `json:"count"`
	// Answered counts those with an answer; AvgDaysToAnswer and
	// MaxDaysToAnswer are over them (calendar days, one decimal).
	Answered        int     `json:"answered"`
	AvgDaysToAnswer float64 `json:"avg_days_to_answer"`
	MaxDaysToAnswer float64 `json:"max_days_to_answer"`
	TargetBreaches  int     `json:"target_breaches"`
	PSD2Breaches    int     `json:"psd2_breaches"`
	FirstContact    int     `json:"first_contact"`
}

// Report is the complaint register for the regulator over a period.
type Report struct {
	Period     Period         `json:"period"`
	Rows       []RegisterRow  `json:"rows"`
	Total      int            `json:"total"`
	RootCauses map[string]int `json:"root_causes"`
}
