// Package dispute runs buyer protection disputes (requirements B1-B3;
// tables disputes, dispute_events, dispute_documents).
//
// A consumer disputes one of their own orders for a Reason. Opening pauses
// the order's payment plan at once (package repayment: due dates move, no
// reminders, no late fees) and keeps it paused through a durable job while
// the dispute lives; the merchant is told by the dispute.opened webhook and
// an e-mail to its owners and admins, and has until the reason's deadline
// to answer. Reminders before the deadline and the deadline itself are
// durable jobs. An unauthorised purchase is not the merchant's to answer:
// it goes to the fraud investigation (the Unauthorised hook) and the
// dispute stays referred there.
//
// The merchant accepts (Tillit refunds the disputed amount or cancels the
// order through checkout; the consumer wins) or contests with evidence
// (carrier and tracking number, proof of delivery, a description and up to
// MaxDocuments documents), after which a dispute handler decides. Without
// an answer by the deadline the rule decides: under buyer protection the
// consumer wins; outside it (the reason is not protected, or an exception
// applies) a dispute handler decides. The consumer can add information
// while the dispute lives and reads its timeline.
//
// When the consumer wins, checkout refunds what was captured and not yet
// refunded (or cancels an order not yet captured): the merchant pays it
// back through the ordinary refund line of its settlement. When the
// merchant wins, the plan resumes; the due dates stay where the pause moved
// them, so nothing is charged for the paused time.
//
// Every transition is version-checked and audited in its transaction, with
// the order as subject. What the consumer and the merchant write may hold
// personal data and is sealed under the order's person.
package dispute

import (
	"database/sql"
	"errors"
	"log/slog"
	"time"

	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/checkout"
	"github.com/tillit/tillit/internal/repayment"
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/vault"
)

// Reason is why a consumer disputes an order.
type Reason string

// Reasons.
const (
	// NotReceived: the goods never arrived.
	NotReceived Reason = "not_received"
	// NotAsDescribed: the goods are not as described, or faulty.
	NotAsDescribed Reason = "not_as_described"
	// ReturnedNotRefunded: the goods went back but no refund came.
	ReturnedNotRefunded Reason = "returned_not_refunded"
	// Unauthorised: the consumer did not make the purchase; it goes to the
	// fraud investigation.
	Unauthorised Reason = "unauthorised"
	// WrongInvoice: the invoice is wrong (amount, items).
	WrongInvoice Reason = "wrong_invoice"
)

// Reasons lists every reason in the order a form offers them.
var Reasons = []Reason{NotReceived, NotAsDescribed, ReturnedNotRefunded, Unauthorised, WrongInvoice}

// Valid reports whether r is a known reason.
func (r Reason) Valid() bool {
	for _, k := range Reasons {
		if k == r {
			return true
		}
	}
	return false
}

// Status is where a dispute is.
type Status string

// Statuses.
const (
	// AwaitingMerchant: the merchant must accept or contest before the
	// deadline.
	AwaitingMerchant Status = "awaiting_merchant"
	// AwaitingDecision: contested, or unanswered outside buyer protection;
	// a dispute handler decides.
	AwaitingDecision Status = "awaiting_decision"
	// Referred: an unauthorised purchase, handled by the fraud
	// investigation.
	Referred Status = "referred"
	// Closed: decided; see Outcome.
	Closed Status = "closed"
)

// Live reports whether the dispute still holds the order's payments.
func (s Status) Live() bool { return s != Closed }

// Outcome is how a dispute ended.
type Outcome string

// Outcomes.
const (
	// ConsumerWon: refunded or cancelled; the merchant is charged back.
	ConsumerWon Outcome = "consumer_won"
	// MerchantWon: the payments resume with the moved due dates.
	MerchantWon Outcome = "merchant_won"
)

// Resolution is what was done for a consumer who won.
type Resolution string

// Resolutions.
const (
	// Refund refunds the disputed amount (what was captured and not yet
	// refunded, or less when the merchant accepts a part).
	Refund Resolution = "refund"
	// Cancel cancels an order nothing of which was captured.
	Cancel Resolution = "cancel"
)

// Timeline event kinds.
const (
	EventOpened      = "opened"
	EventInformation = "information"
	EventAccepted    = "accepted"
	EventContested   = "contested"
	EventReminded    = "reminded"
	EventDeadline    = "deadline_passed"
	EventReferred    = "referred"
	EventDecided     = "decided"
)

// Audit actions; the subject is the order.
const (
	ActionOpened      = "dispute.opened"
	ActionInformation = "dispute.information_added"
	ActionAccepted    = "dispute.accepted"
	ActionContested   = "dispute.contested"
	ActionReminded    = "dispute.reminder_sent"
	ActionDeadline    = "dispute.deadline_passed"
	ActionReferred    = "dispute.referred"
	ActionDecided     = "dispute.decided"
	ActionViewed      = "dispute.viewed"
	ActionDocument    = "dispute.document_read"
)

// Error codes particular to disputes.
const (
	// CodeAlreadyOpen: the order already has a live dispute (HTTP 409).
	CodeAlreadyOpen = "DISPUTE_ALREADY_OPEN"
	// CodeChanged: the dispute changed since the version the caller read
	// (HTTP 409); reload it.
	CodeChanged = "DISPUTE_CHANGED"
	// CodeNotOpen: the dispute is not in a state that allows the action
	// (answered, past its deadline, decided) (HTTP 409).
	CodeNotOpen = "DISPUTE_NOT_OPEN"
)

// WebhookOpened is the webhook event type sent when a dispute opens.
const WebhookOpened = "dispute.opened"

// Vault contexts of the sealed values.
const (
	ContextStatement    = "disputes.statement"
	ContextTracking     = "disputes.tracking_number"
	ContextProof        = "disputes.proof_of_delivery"
	ContextDescription  = "disputes.description"
	ContextEventBody    = "dispute_events.body"
	ContextDocumentName = "dispute_documents.name"
	ContextDocument     = "dispute_documents.content"
)

// Limits of what the consumer and the merchant send.
const (
	MaxStatement     = 2000
	MaxCarrier       = 60
	MaxTracking      = 40
	MaxEvidenceText  = 4000
	MaxDocumentName  = 200
	MaxDocuments     = 5
	MaxDocumentBytes = 5 << 20
)

// DocumentTypes are the content types a document may have, detected from
// its bytes (http.DetectContentType), never from its name.
var DocumentTypes = []string{"application/pdf", "image/png", "image/jpeg"}

// Hooks lets the application connect a dispute to other services.
type Hooks struct {
	// Unauthorised opens the fraud investigation of an order the consumer
	// says they did not make, in tx, and returns the case's id. personID is
	// the order's person, actor the consumer ("consumer:<account id>") and
	// statement what they said (at most MaxStatement characters). Nil
	// refers the dispute without a case.
	Unauthorised func(tx *store.Tx, personID, actor, orderID, statement string) (string, error)
}

// Service runs disputes.
type Service struct {
	// Hooks connects disputes to the fraud investigation; set it before
	// use.
	Hooks

	db        *store.DB
	checkout  *checkout.Service
	plans     *repayment.Service
	vault     *vault.Vault
	lookupKey string
	cfg       Config
	logger    *slog.Logger
}

// New returns a Service. lookupKey is the instance secret that keys the
// hash of e-mail recipients (ids.ConsumerKeySecret); cfg's zero fields take
// their defaults.
func New(db *store.DB, co *checkout.Service, plans *repayment.Service, v *vault.Vault, lookupKey string, cfg Config, logger *slog.Logger) *Service {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Service{db: db, checkout: co, plans: plans, vault: v, lookupKey: lookupKey, cfg: cfg.withDefaults(), logger: logger}
}

// Config returns the configuration in force, defaults filled in.
func (s *Service) Config() Config { return s.cfg }

// Dispute is a dispute as its parties read it. The sealed texts
// (Statement, the merchant's evidence) are filled only by the views that
// open them.
type Dispute struct {
	ID             string     `json:"dispute_id"`
	OrderID        string     `json:"order_id"`
	MerchantID     string     `json:"merchant_id"`
	Reference      string     `json:"order_reference"`
	Reason         Reason     `json:"reason"`
	Status         Status     `json:"status"`
	Outcome        Outcome    `json:"outcome,omitempty"`
	Resolution     Resolution `json:"resolution,omitempty"`
	Protected      bool       `json:"buyer_protection"`
	Exception      string     `json:"exception,omitempty"`
	Amount         int64      `json:"amount"`
	Currency       string     `json:"currency"`
	Refunded       int64      `json:"refunded_amount"`
	Statement      string     `json:"statement,omitempty"`
	Evidence       Evidence   `json:"evidence"`
	FraudCaseID    string     `json:"fraud_case_id,omitempty"`
	Reminders      int        `json:"reminders"`
	CreatedAt      time.Time  `json:"created_at"`
	DeadlineAt     time.Time  `json:"deadline_at"`
	RespondedAt    *time.Time `json:"responded_at,omitempty"`
	DecidedAt      *time.Time `json:"decided_at,omitempty"`
	DecidedBy      string     `json:"decided_by,omitempty"`
	DecisionReason string     `json:"decision_reason,omitempty"`
	Version        int64      `json:"version"`

	personID  string
	liveKey   sql.NullString
	sealed    sealedTexts
	responder string
}

// Evidence is the merchant's answer to a contested dispute.
type Evidence struct {
	Carrier         string `json:"carrier,omitempty"`
	TrackingNumber  string `json:"tracking_number,omitempty"`
	ProofOfDelivery string `json:"proof_of_delivery,omitempty"`
	Description     string `json:"description,omitempty"`
}

// sealedTexts are the stored (sealed) forms of a dispute's texts.
type sealedTexts struct {
	statement, tracking, proof, description string
}

// subject is the vault subject of a dispute's sealed values: the order's
// person, or the dispute itself for an order without one.
func (d Dispute) subject() string {
	if d.personID != "" {
		return d.personID
	}
	return d.ID
}

const disputeColumns = `d.id, d.order_id, d.merchant_id, o.reference, COALESCE(d.person_id, ''), d.live_key, d.reason, d.status, d.outcome, d.resolution,
    d.protected, d.exception, d.statement, d.amount, d.currency, d.refunded, d.carrier, d.tracking_number, d.proof_of_delivery, d.description,
    d.fraud_case_id, d.reminders, d.created_at, d.deadline_at, d.responded_at, d.responded_by, d.decided_at, d.decided_by, d.decision_reason, d.version`

const disputeFrom = ` FROM disputes d JOIN orders o ON o.id = d.order_id`

type scanner interface{ Scan(dest ...any) error }

func scanDispute(row scanner) (Dispute, error) {
	var (
		d                        Dispute
		reason, status, out, res string
		created, deadline        int64
		responded, decided       sql.NullInt64
	)
	err := row.Scan(&d.ID, &d.OrderID, &d.MerchantID, &d.Reference, &d.personID, &d.liveKey, &reason, &status, &out, &res,
		&d.Protected, &d.Exception, &d.sealed.statement, &d.Amount, &d.Currency, &d.Refunded, &d.Evidence.Carrier, &d.sealed.tracking,
		&d.sealed.proof, &d.sealed.description, &d.FraudCaseID, &d.Reminders, &created, &deadline, &responded, &d.responder, &decided,
		&d.DecidedBy, &d.DecisionReason, &d.Version)
	if err != nil {
		return Dispute{}, err
	}
	d.Reason, d.Status, d.Outcome, d.Resolution = Reason(reason), Status(status), Outcome(out), Resolution(res)
	d.CreatedAt, d.DeadlineAt = store.FromMicros(created), store.FromMicros(deadline)
	if responded.Valid {
		t := store.FromMicros(responded.Int64)
		d.RespondedAt = &t
	}
	if decided.Valid {
		t := store.FromMicros(decided.Int64)
		d.DecidedAt = &t
	}
	return d, nil
}

var errNotFound = apperr.New(apperr.NotFound, "No such dispute.")

// load reads a dispute by id. Errors: NOT_FOUND.
func load(tx *store.Tx, id string) (Dispute, error) {
	d, err := scanDispute(tx.QueryRow(`SELECT `+disputeColumns+disputeFrom+` WHERE d.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Dispute{}, errNotFound
	}
	return d, err
}

// checkVersion refuses a dispute changed since the caller read version.
func (d Dispute) checkVersion(version int64) error {
	if d.Version != version {
		return apperr.New(CodeChanged, "The dispute changed meanwhile (version %d, not %d); reload it.", d.Version, version)
	}
	return nil
}

// save writes the dispute's mutable fields and bumps its version; a
// dispute changed meanwhile is CodeChanged.
func (d *Dispute) save(tx *store.Tx) error {
	var responded, decided any
	if d.RespondedAt != nil {
		responded = store.Micros(*d.RespondedAt)
	}
	if d.DecidedAt != nil {
		decided = store.Micros(*d.DecidedAt)
	}
	var live any
	if d.Status.Live() {
		live = d.OrderID
	}
	res, err := tx.Exec(`UPDATE disputes SET live_key = $1, status = $2, outcome = $3, resolution = $4, refunded = $5, carrier = $6,
    tracking_number = $7, proof_of_delivery = $8, description = $9, fraud_case_id = $10, reminders = $11, responded_at = $12,
    responded_by = $13, decided_at = $14, decided_by = $15, decision_reason = $16, version = version + 1 WHERE id = $17 AND version = $18`,
		live, string(d.Status), string(d.Outcome), string(d.Resolution), d.Refunded, d.Evidence.Carrier, d.sealed.tracking, d.sealed.proof,
		d.sealed.description, d.FraudCaseID, d.Reminders, responded, d.responder, decided, d.DecidedBy, d.DecisionReason, d.ID, d.Version)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return apperr.New(CodeChanged, "The dispute changed meanwhile; reload it.")
	}
	d.Version++
	return nil
}
