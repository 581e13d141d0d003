// Package decision shows people the automated decisions Tillit takes about
// them and lets them contest one (GDPR Art. 22, requirement D7): each
// credit, fraud and AML decision with its outcome and its main reasons in
// plain language, a contest with the person's own statement, and a staff
// member's review that upholds or overturns it, audited, with the outcome
// e-mailed to the person and shown to them in the app.
//
// The decisions are read from where they are made. Today every
// authorization passes the risk.Assessor pipeline once, and its row keeps
// the combined outcome (fraud_status) and the reason codes of every stage
// that was not plainly accepted; ForPerson splits that into one decision
// per kind (see ForPerson). Each reason code belongs to one kind (reasons.go);
// the AML screening the risk engine adds later brings its codes with kind
// AML and shows up here without a new table. The automated decision record
// of the assessment (package risk/record) adds what weighed most in the
// fraud model's score, in groups the person can read (factors.go), and the
// versions of the rules, model, lists and credit policy that decided.
//
// A card purchase (package card) does not pass the pipeline: its credit
// check is recorded with RecordCardCredit as a decision record of its own
// (card.go) and shown as one credit decision, with what the check compared
// as its factors.
//
// A contest (table decision_contests) copies what was decided, so its review
// does not depend on the authorization outliving its retention. The
// person's statement, the address the answer goes to and the reviewer's
// note are personal data and sealed by the vault under the person's id. Who
// may review which kind is MayReview's to say.
package decision

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"slices"
	"time"

	"github.com/tillit/tillit/internal/risk"
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/vault"
)

// Kind is what an automated decision decides.
type Kind string

// The kinds of automated decisions.
const (
	// Credit decides whether Tillit gives the person credit for a purchase
	// (identity, age, credit limit).
	Credit Kind = "credit"
	// Fraud decides whether a purchase looks like fraud.
	Fraud Kind = "fraud"
	// AML decides whether anti-money-laundering rules (sanctions and PEP
	// screening, transaction monitoring) stop a purchase.
	AML Kind = "aml"
)

// Kinds lists every kind, in the order pages show them.
func Kinds() []Kind { return []Kind{Credit, Fraud, AML} }

// Valid reports whether k is one of the kinds.
func (k Kind) Valid() bool { return slices.Contains(Kinds(), k) }

// NameKey is the catalog key of the kind's name ("Credit check").
func (k Kind) NameKey() string { return "decision.kind." + string(k) }

// AboutKey is the catalog key of what the kind decides, for the person.
func (k Kind) AboutKey() string { return "decision.kind." + string(k) + ".about" }

// Outcome is what an automated decision came to.
type Outcome string

// The outcomes of an automated decision.
const (
	// Approved: the purchase could go ahead.
	Approved Outcome = "approved"
	// Refused: the purchase was declined.
	Refused Outcome = "refused"
	// Referred: the purchase was sent to a person for manual review.
	Referred Outcome = "referred"
)

// Key is the catalog key of the outcome's name.
func (o Outcome) Key() string { return "decision.outcome." + string(o) }

// Decision is one automated decision about a person.
type Decision struct {
	// Ref identifies the decision to its person (in Contest). It is derived
	// from the authorization but does not reveal its token.
	Ref     string
	Kind    Kind
	Outcome Outcome
	// Reasons are the main reasons, in the order the checks gave them;
	// empty when nothing stood in the way.
	Reasons []Reason
	// SettledAs is what a person decided since on a referred decision
	// (Approved or Refused), empty while it waits or when it was not
	// referred.
	SettledAs     Outcome
	MerchantID    string
	MerchantName  string
	Amount        int64
	Currency      string
	PaymentMethod string
	DecidedAt     time.Time
	// Factors are what weighed most in the fraud model's score, largest
	// first (fraud decisions that were scored only), or what a card
	// purchase's credit check compared.
	Factors []Factor
	// Versions name what decided this kind: the rule set and the model,
	// the lists, the credit policy, from the decision record.
	Versions []VersionName
	// Contests are the person's contests of this decision, newest first.
	Contests []Contest
}

// Open returns the decision's open contest, or nil.
func (d Decision) Open() *Contest {
	for i := range d.Contests {
		if d.Contests[i].Status == StatusOpen {
			return &d.Contests[i]
		}
	}
	return nil
}

// Service lists decisions and keeps their contests. It is safe for
// concurrent use.
type Service struct {
	// DB holds the authorizations and the contests.
	DB *store.DB
	// Vault seals and opens statements, reply addresses, notes and the
	// mail to the person.
	Vault *vault.Vault
	// LookupKey is the instance secret ids.ConsumerKeySecret, under which
	// the outbox hashes the addresses it writes to.
	LookupKey string
}

// New returns the service over db, sealing with v; lookupKey is the
// instance secret ids.ConsumerKeySecret.
func New(db *store.DB, v *vault.Vault, lookupKey string) (*Service, error) {
	if db == nil || v == nil || lookupKey == "" {
		return nil, errors.New("decision: a database, a vault and the lookup key are required")
	}
	return &Service{DB: db, Vault: v, LookupKey: lookupKey}, nil
}

// assessment is one authorization's risk assessment, as stored.
type assessment struct {
	token         string
	fraudStatus   string
	reasons       []string
	merchantID    string
	merchantName  string
	amount        int64
	currency      string
	paymentMethod string
	createdAt     time.Time
	// orderFraud is the fraud status of the order placed with it, or "".
	orderFraud string
	// record is the decision record's detail.
	record recordDetail
}

// assessments returns the person's authorizations, newest first.
func assessments(tx *store.Tx, personID string) ([]assessment, error) {
	rows, err := tx.Query(`SELECT a.token, a.fraud_status, a.reasons, a.merchant_id, m.name, a.approved_amount, s.purchase_currency,
			a.payment_method, a.created_at, COALESCE(o.fraud_status, ''),
			COALESCE((SELECT r.detail FROM risk_assessments r WHERE r.authorization_token = a.token AND r.kind = 'authorization'
				ORDER BY r.created_at LIMIT 1), '')
		FROM authorizations a
		JOIN merchants m ON m.id = a.merchant_id
		JOIN payment_sessions s ON s.id = a.session_id
		LEFT JOIN orders o ON o.id = a.order_id
		WHERE a.person_id = $1
		ORDER BY a.created_at DESC, a.token DESC`, personID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []assessment
	for rows.Next() {
		var (
			a       assessment
			reasons string
			created int64
			detail  string
		)
		if err := rows.Scan(&a.token, &a.fraudStatus, &reasons, &a.merchantID, &a.merchantName, &a.amount, &a.currency,
			&a.paymentMethod, &created, &a.orderFraud, &detail); err != nil {
			return nil, err
		}
		var err error
		if a.record, err = parseRecord(detail); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(reasons), &a.reasons); err != nil {
			return nil, err
		}
		a.createdAt = store.FromMicros(created)
		out = append(out, a)
	}
	return out, rows.Err()
}

// decisionRef is the reference of the decision of kind taken in the
// authorization with token: a digest, so that pages and contests never
// carry the token (a bearer credential of the merchant).
func decisionRef(token string, k Kind) string {
	sum := sha256.Sum256([]byte("tillit decision " + token))
	return hex.EncodeToString(sum[:16]) + "-" + string(k)
}

// split turns one assessment into its decisions, one per kind:
//
//   - The pipeline stops at a rejection, so the last reason of a rejected
//     assessment is the refusing check's: its kind is Refused.
//   - Any other kind with reasons was not plainly accepted: Referred.
//   - A kind without reasons was Approved, unless the assessment was
//     rejected by another kind (the check may not have run): then it is
//     left out.
//   - Credit and fraud are checked in every assessment; AML appears only
//     where one of its checks gave a reason.
//
// A referred decision that a person has since settled on the order carries
// what they decided in SettledAs.
func split(a assessment) []Decision {
	rejectedBy := Kind("")
	if a.fraudStatus == risk.Rejected {
		rejectedBy = Credit
		if n := len(a.reasons); n > 0 {
			rejectedBy = Explain(a.reasons[n-1]).Kind
		}
	}
	settled := Outcome("")
	switch a.orderFraud {
	case risk.Accepted:
		settled = Approved
	case risk.Rejected:
		settled = Refused
	}
	var out []Decision
	for _, k := range Kinds() {
		var reasons []Reason
		for _, code := range a.reasons {
			if r := Explain(code); r.Kind == k {
				reasons = append(reasons, r)
			}
		}
		d := Decision{
			Ref: decisionRef(a.token, k), Kind: k, Reasons: reasons,
			MerchantID: a.merchantID, MerchantName: a.merchantName, Amount: a.amount, Currency: a.currency,
			PaymentMethod: a.paymentMethod, DecidedAt: a.createdAt,
		}
		switch {
		case k == rejectedBy:
			d.Outcome = Refused
		case len(reasons) > 0:
			d.Outcome, d.SettledAs = Referred, settled
		case rejectedBy != "" || k == AML:
			continue
		default:
			d.Outcome = Approved
		}
		if d.Reasons == nil {
			d.Reasons = []Reason{}
		}
		d.Versions = versionsOf(k, a.record.Versions)
		d.Factors = []Factor{}
		if k == Fraud {
			d.Factors = explainFactors(a.record.Factors)
		}
		out = append(out, d)
	}
	return out
}

// decisions returns every automated decision about the person, newest
// first, without their contests: the checkout authorizations' and the card
// purchases', merged by when they were taken.
func decisions(tx *store.Tx, personID string) ([]Decision, error) {
	as, err := assessments(tx, personID)
	if err != nil {
		return nil, err
	}
	cards, err := cardDecisions(tx, personID)
	if err != nil {
		return nil, err
	}
	out := []Decision{}
	for _, a := range as {
		for len(cards) > 0 && cards[0].DecidedAt.After(a.createdAt) {
			out, cards = append(out, cards[0]), cards[1:]
		}
		out = append(out, split(a)...)
	}
	return append(out, cards...), nil
}

// ForPerson lists every automated decision about the person, newest first
// (the kinds of one assessment in the order of Kinds; a card purchase's
// credit check as one credit decision), each with the person's contests of
// it, their statements and reviewers' notes opened. It only reads, so tx
// may be a read transaction.
func (s *Service) ForPerson(tx *store.Tx, personID string) ([]Decision, error) {
	out, err := decisions(tx, personID)
	if err != nil {
		return nil, err
	}
	contests, err := s.ContestsOf(tx, personID)
	if err != nil {
		return nil, err
	}
	for i := range out {
		for _, c := range contests {
			if c.DecisionRef == out[i].Ref {
				out[i].Contests = append(out[i].Contests, c)
			}
		}
	}
	return out, nil
}
