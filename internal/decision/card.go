package decision

import (
	"encoding/json"
	"strconv"

	"github.com/tillit/tillit/internal/risk"
	"github.com/tillit/tillit/internal/risk/record"
	"github.com/tillit/tillit/internal/store"
)

// RecordKindCardPurchase is the kind of the decision record (table
// risk_assessments) of a card purchase's credit check. Its
// authorization_token column holds the card authorization's id
// (card_authorizations.id), its order_id the order an approval placed.
const RecordKindCardPurchase = "card_purchase"

// CardCredit is the credit check of a card network authorization (package
// card): the credit policy's rules that need no bureau, applied to what the
// person owes and how they pay.
type CardCredit struct {
	// AuthorizationID is the card authorization's id.
	AuthorizationID string
	// OrderID is the order an approval placed; "" for a decline.
	OrderID string
	// PersonID is the card holder.
	PersonID string
	// MerchantID is the merchants row the purchase is booked against (the
	// card network's).
	MerchantID string
	// Reasons are the credit reason codes (package risk/credit) that
	// declined the purchase, in the order the rules gave them; none for an
	// approval.
	Reasons []string
	// Amount in minor units of Currency.
	Amount   int64
	Currency string
	// OpenBalance is what the person owed before the purchase and
	// MaxOpenBalance the most the policy lets them owe, this purchase
	// included; both in minor units of Currency.
	OpenBalance, MaxOpenBalance int64
	// Overdue counts the person's overdue instalments.
	Overdue int
	// PolicyVersion names the credit policy that decided
	// (credit.Config.Version).
	PolicyVersion string
}

// Summary keys of a card purchase's record: what the credit check compared.
const (
	summaryOpenBalance    = "open_balance"
	summaryAmount         = "amount"
	summaryMaxOpenBalance = "max_open_balance"
	summaryOverdue        = "overdue_count"
)

// creditFactors maps the summary keys of a card purchase's record to the
// factor groups the person reads, in the order they are shown.
var creditFactors = []struct{ summary, group string }{
	{summaryOpenBalance, "open_balance"},
	{summaryAmount, "purchase_amount"},
	{summaryMaxOpenBalance, "lending_limit"},
	{summaryOverdue, "overdue"},
}

// RecordCardCredit stores a card purchase's credit check in tx as an
// automated decision record of kind RecordKindCardPurchase: outcome
// accepted, or rejected with c.Reasons. ForPerson shows it as a credit
// decision the person may contest, and the access extract holds it with
// the person's other decision records. The caller records each
// authorization once (package card's unique network reference).
func RecordCardCredit(tx *store.Tx, c CardCredit) error {
	d := risk.Decision{
		Outcome:  risk.Accepted,
		Reasons:  c.Reasons,
		Versions: map[string]string{"credit_policy": c.PolicyVersion},
		Summary: map[string]string{
			summaryOpenBalance:    strconv.FormatInt(c.OpenBalance, 10),
			summaryAmount:         strconv.FormatInt(c.Amount, 10),
			summaryMaxOpenBalance: strconv.FormatInt(c.MaxOpenBalance, 10),
			summaryOverdue:        strconv.Itoa(c.Overdue),
			"currency":            c.Currency,
		},
	}
	if len(c.Reasons) > 0 {
		d.Outcome = risk.Rejected
	}
	_, err := record.Save(tx, record.Assessment{Kind: RecordKindCardPurchase, AuthorizationToken: c.AuthorizationID, OrderID: c.OrderID,
		PersonID: c.PersonID, MerchantID: c.MerchantID, Decision: d})
	return err
}

// cardDecisions returns the credit decisions of the person's card
// purchases, newest first: one per record of kind RecordKindCardPurchase,
// named after the shop the card network named. A record whose card
// authorization is gone (retention) is left out.
func cardDecisions(tx *store.Tx, personID string) ([]Decision, error) {
	rows, err := tx.Query(`SELECT r.authorization_token, r.outcome, r.reasons, r.merchant_id, ca.merchant_name, ca.amount, ca.currency,
			COALESCE(c.payment_method, ''), r.detail, r.created_at
		FROM risk_assessments r
		JOIN card_authorizations ca ON ca.id = r.authorization_token
		LEFT JOIN cards c ON c.id = ca.card_id
		WHERE r.person_id = $1 AND r.kind = $2
		ORDER BY r.created_at DESC, r.id DESC`, personID, RecordKindCardPurchase)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Decision{}
	for rows.Next() {
		var (
			d                        Decision
			authorizationID, outcome string
			reasons, detail          string
			created                  int64
		)
		if err := rows.Scan(&authorizationID, &outcome, &reasons, &d.MerchantID, &d.MerchantName, &d.Amount, &d.Currency,
			&d.PaymentMethod, &detail, &created); err != nil {
			return nil, err
		}
		var codes []string
		if err := json.Unmarshal([]byte(reasons), &codes); err != nil {
			return nil, err
		}
		det, err := parseRecord(detail)
		if err != nil {
			return nil, err
		}
		d.Ref, d.Kind, d.DecidedAt = decisionRef(authorizationID, Credit), Credit, store.FromMicros(created)
		d.Outcome = Approved
		if outcome == risk.Rejected {
			d.Outcome = Refused
		}
		d.Reasons = make([]Reason, 0, len(codes))
		for _, code := range codes {
			d.Reasons = append(d.Reasons, Explain(code))
		}
		d.Factors = []Factor{}
		for _, f := range creditFactors {
			if _, ok := det.Summary[f.summary]; ok {
				d.Factors = append(d.Factors, Factor{Group: f.group, Key: "decision.factor." + f.group})
			}
		}
		d.Versions = versionsOf(Credit, det.Versions)
		out = append(out, d)
	}
	return out, rows.Err()
}
