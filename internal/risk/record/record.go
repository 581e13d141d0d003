// Package record keeps the automated decision records of the risk engine
// (P4, D7): every assessment of a purchase, at authorization and each time
// an approved order is assessed again after a new signal, with its outcome,
// reasons, fraud score, largest contributing factors, the versions of the
// rules, model, lists and credit policy that decided, and a summary of what
// was looked at in codes and numbers (table risk_assessments). Staff read
// them on an order's review page; package decision shows them to the
// person they are about.
package record

import (
	"encoding/json"
	"math"
	"time"

	"github.com/tillit/tillit/internal/ids"
	"github.com/tillit/tillit/internal/risk"
	"github.com/tillit/tillit/internal/store"
)

// Kinds of assessment.
const (
	// KindAuthorization is the assessment every authorization passes.
	KindAuthorization = "authorization"
	// KindReassessment is an approved order assessed again after a signal.
	KindReassessment = "reassessment"
)

// Assessment is one automated decision record.
type Assessment struct {
	ID                 string
	Kind               string
	AuthorizationToken string // "" for a reassessment
	OrderID            string // "" until the authorization becomes an order
	PersonID           string
	MerchantID         string
	// Signal names what caused a reassessment ("" at authorization).
	Signal   string
	Decision risk.Decision
	At       time.Time
}

// detail is what the detail column holds.
type detail struct {
	Score    float64           `json:"score,omitempty"`
	Factors  []risk.Factor     `json:"factors,omitempty"`
	Versions map[string]string `json:"versions,omitempty"`
	Summary  map[string]string `json:"summary,omitempty"`
}

// Save stores an assessment at tx.Now and returns its id.
func Save(tx *store.Tx, a Assessment) (string, error) {
	d := a.Decision
	reasons := d.Reasons
	if reasons == nil {
		reasons = []string{}
	}
	rs, err := json.Marshal(reasons)
	if err != nil {
		return "", err
	}
	det, err := json.Marshal(detail{Score: d.Score, Factors: d.Factors, Versions: d.Versions, Summary: d.Summary})
	if err != nil {
		return "", err
	}
	id := ids.New()
	_, err = tx.Exec(`INSERT INTO risk_assessments (id, kind, authorization_token, order_id, person_id, merchant_id, outcome, reasons,
		score_ppm, signal, detail, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
		id, a.Kind, nullable(a.AuthorizationToken), nullable(a.OrderID), nullable(a.PersonID), a.MerchantID, d.Outcome, string(rs),
		int64(math.Round(d.Score*1e6)), a.Signal, string(det), store.Micros(tx.Now))
	return id, err
}

// Placed links the authorization's record to the order it became.
func Placed(tx *store.Tx, authorizationToken, orderID string) error {
	_, err := tx.Exec(`UPDATE risk_assessments SET order_id = $1 WHERE authorization_token = $2`, orderID, authorizationToken)
	return err
}

const columns = `id, kind, COALESCE(authorization_token, ''), COALESCE(order_id, ''), COALESCE(person_id, ''), merchant_id,
	outcome, reasons, signal, detail, created_at`

// ForOrder returns the records of an order (its authorization's and every
// reassessment), oldest first.
func ForOrder(tx *store.Tx, orderID string) ([]Assessment, error) {
	return query(tx, `SELECT `+columns+` FROM risk_assessments WHERE order_id = $1 ORDER BY created_at, id`, orderID)
}

// ForAuthorization returns the records of an authorization, oldest first.
func ForAuthorization(tx *store.Tx, token string) ([]Assessment, error) {
	return query(tx, `SELECT `+columns+` FROM risk_assessments WHERE authorization_token = $1 ORDER BY created_at, id`, token)
}

// ForPerson returns the records about a person, newest first.
func ForPerson(tx *store.Tx, personID string) ([]Assessment, error) {
	return query(tx, `SELECT `+columns+` FROM risk_assessments WHERE person_id = $1 ORDER BY created_at DESC, id DESC`, personID)
}

func query(tx *store.Tx, q string, args ...any) ([]Assessment, error) {
	rows, err := tx.Query(q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Assessment
	for rows.Next() {
		var (
			a            Assessment
			reasons, det string
			at           int64
			d            detail
		)
		if err := rows.Scan(&a.ID, &a.Kind, &a.AuthorizationToken, &a.OrderID, &a.PersonID, &a.MerchantID,
			&a.Decision.Outcome, &reasons, &a.Signal, &det, &at); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(reasons), &a.Decision.Reasons); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(det), &d); err != nil {
			return nil, err
		}
		a.Decision.Score, a.Decision.Factors, a.Decision.Versions, a.Decision.Summary = d.Score, d.Factors, d.Versions, d.Summary
		a.At = store.FromMicros(at)
		out = append(out, a)
	}
	return out, rows.Err()
}

// nullable maps "" to NULL for the optional reference columns.
func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}
