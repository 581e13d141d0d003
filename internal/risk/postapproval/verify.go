package postapproval

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/audit"
	"github.com/tillit/tillit/internal/store"
)

// Verification is a verification request as the customer sees it: which
// purchase, nothing of why it is asked.
type Verification struct {
	ReviewID     string
	OrderID      string
	Reference    string
	MerchantName string
	Amount       int64
	Currency     string
	PurchasedAt  time.Time
	AskedAt      time.Time
}

// MaxNote is the longest note a customer may add to their answer, in
// characters.
const MaxNote = 1000

// Verifications returns the verification requests waiting for the
// person's answer, oldest first.
func (s *Service) Verifications(tx *store.Tx, personID string) ([]Verification, error) {
	if personID == "" {
		return nil, nil
	}
	rows, err := tx.Query(`SELECT r.id, r.order_id, o.reference, m.name, o.order_amount, o.purchase_currency, o.created_at, r.asked_at
		FROM risk_reviews r JOIN orders o ON o.id = r.order_id JOIN merchants m ON m.id = r.merchant_id
		WHERE r.person_id = $1 AND r.status = $2 ORDER BY r.asked_at, r.id`, personID, string(StatusAwaitingCustomer))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Verification
	for rows.Next() {
		var (
			v             Verification
			bought, asked int64
		)
		if err := rows.Scan(&v.ReviewID, &v.OrderID, &v.Reference, &v.MerchantName, &v.Amount, &v.Currency, &bought, &asked); err != nil {
			return nil, err
		}
		v.PurchasedAt, v.AskedAt = store.FromMicros(bought), store.FromMicros(asked)
		out = append(out, v)
	}
	return out, rows.Err()
}

// Answer records the person's answer to a verification request in tx:
// made (they made the purchase) or not, with an optional note sealed under
// their key. actor names who answered in the audit log ("consumer:<account
// id>" from the app; "" means "person:<id>"). The review goes back to the
// analysts' queue with the answer.
// Errors, each writing nothing: BAD_VALUE (note), NOT_FOUND (not the
// person's request), NOT_ALLOWED (no answer is awaited).
func (s *Service) Answer(tx *store.Tx, personID, actor, reviewID string, made bool, note string) error {
	note = strings.TrimSpace(note)
	switch {
	case !utf8.ValidString(note) || strings.ContainsRune(note, 0):
		return apperr.BadField("note", "must be text")
	case utf8.RuneCountInString(note) > MaxNote:
		return apperr.BadField("note", "must be at most %d characters", MaxNote)
	}
	r, _, err := load(tx, reviewID)
	if err != nil {
		return err
	}
	if personID == "" || r.PersonID != personID {
		return errNotFound
	}
	if r.Status != StatusAwaitingCustomer {
		return apperr.New(apperr.NotAllowed, "No answer is awaited.")
	}
	sealed := ""
	if note != "" {
		if sealed, err = s.vault.SealString(tx, personID, contextNote, note); err != nil {
			return err
		}
	}
	answer := AnswerNotMade
	if made {
		answer = AnswerMade
	}
	now := store.Micros(tx.Now)
	if actor == "" {
		actor = "person:" + personID
	}
	if err := tx.ExecOne(`UPDATE risk_reviews SET status = $1, answer = $2, answer_note = $3, answered_at = $4, updated_at = $4,
		updated_by = $5, version = version + 1 WHERE id = $6 AND version = $7`,
		string(StatusOpen), answer, sealed, now, actor, r.ID, r.Version); err != nil {
		return err
	}
	_, err = audit.Append(tx, actor, ActionAnswered, r.OrderID, map[string]string{
		"review_id": r.ID, "order_id": r.OrderID, "answer": answer, "version": strconv.FormatInt(r.Version+1, 10),
	})
	return err
}
