package postapproval

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"sort"
	"time"

	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/ids"
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/vault"
)

// Status is where a review is.
type Status string

// Review statuses: open in the analysts' queue, awaiting the customer's
// answer to a verification request; cleared, rejected and stopped end it.
const (
	StatusOpen             Status = "open"
	StatusAwaitingCustomer Status = "awaiting_customer"
	StatusCleared          Status = "cleared"
	StatusRejected         Status = "rejected"
	StatusStopped          Status = "stopped"
)

// Live reports whether the review still waits for someone.
func (s Status) Live() bool { return s == StatusOpen || s == StatusAwaitingCustomer }

// Answers a customer gives to a verification request.
const (
	AnswerMade    = "made"
	AnswerNotMade = "not_made"
)

// Review is the analysts' review of an order after a signal.
type Review struct {
	ID         string
	OrderID    string
	PersonID   string
	MerchantID string
	Status     Status
	// Signals are what brought the order here, oldest first.
	Signals []Mark
	// Amount and Currency are the order amount at stake.
	Amount   int64
	Currency string
	// ScorePPM is the fraud model's latest score of the order and
	// SeverityPPM the signals' combined severity, in parts per million.
	ScorePPM    int64
	SeverityPPM int64
	// ShipBy is the order's capture deadline: the goods ship before it.
	ShipBy    time.Time
	OpenedAt  time.Time
	OpenedBy  string
	UpdatedAt time.Time
	UpdatedBy string
	// AskedAt is when the customer was asked to verify the purchase;
	// AnsweredAt, Answer (AnswerMade or AnswerNotMade) and Note their
	// answer. Note is opened by ForOrder only; Unreadable when the
	// person's key was shredded.
	AskedAt    *time.Time
	AnsweredAt *time.Time
	Answer     string
	Note       string
	Unreadable bool
	ClosedAt   *time.Time
	ClosedBy   string
	Version    int64
	// Reference and MerchantName are the order's, set by List.
	Reference    string
	MerchantName string
}

// Risk is the probability the order is fraud that the queue works with:
// the fraud model's score and the signals' severity combined as
// independent evidence, 1 - (1 - score)(1 - severity).
func (r Review) Risk() float64 {
	return 1 - (1-float64(r.ScorePPM)/1e6)*(1-float64(r.SeverityPPM)/1e6)
}

// Urgency weighs how soon the goods ship at now: 4 when the capture
// deadline is within a day, 2 within three days, 1 after that.
func (r Review) Urgency(now time.Time) float64 {
	switch left := r.ShipBy.Sub(now); {
	case left <= 24*time.Hour:
		return 4
	case left <= 72*time.Hour:
		return 2
	}
	return 1
}

// Priority orders the queue, highest first: the expected loss (amount in
// minor units times Risk) weighted by Urgency. Amounts of different
// currencies are compared as they are (the currencies Tillit runs in have
// two decimals and comparable values).
func (r Review) Priority(now time.Time) float64 {
	return float64(r.Amount) * r.Risk() * r.Urgency(now)
}

const reviewColumns = `r.id, r.order_id, COALESCE(r.person_id, ''), r.merchant_id, r.status, r.signals, r.amount, r.currency, r.score_ppm,
	r.severity_ppm, r.ship_by, r.opened_at, r.opened_by, r.updated_at, r.updated_by, r.asked_at, r.answered_at, r.answer, r.answer_note,
	r.closed_at, r.closed_by, r.version`

type scanner interface{ Scan(...any) error }

// scanReview reads a review and its sealed note; extra receives more
// columns after reviewColumns.
func scanReview(row scanner, extra ...any) (Review, string, error) {
	var (
		r                        Review
		status, signals, sealed  string
		shipBy, opened, updated  int64
		asked, answered, closedA sql.NullInt64
	)
	dest := append([]any{&r.ID, &r.OrderID, &r.PersonID, &r.MerchantID, &status, &signals, &r.Amount, &r.Currency, &r.ScorePPM,
		&r.SeverityPPM, &shipBy, &opened, &r.OpenedBy, &updated, &r.UpdatedBy, &asked, &answered, &r.Answer, &sealed,
		&closedA, &r.ClosedBy, &r.Version}, extra...)
	if err := row.Scan(dest...); err != nil {
		return Review{}, "", err
	}
	r.Status = Status(status)
	if err := json.Unmarshal([]byte(signals), &r.Signals); err != nil {
		return Review{}, "", err
	}
	r.ShipBy, r.OpenedAt, r.UpdatedAt = store.FromMicros(shipBy), store.FromMicros(opened), store.FromMicros(updated)
	r.AskedAt, r.AnsweredAt, r.ClosedAt = optTime(asked), optTime(answered), optTime(closedA)
	return r, sealed, nil
}

func optTime(v sql.NullInt64) *time.Time {
	if !v.Valid {
		return nil
	}
	t := store.FromMicros(v.Int64)
	return &t
}

// liveReview returns the order's live review, or nil.
func liveReview(tx *store.Tx, orderID string) (*Review, error) {
	r, _, err := scanReview(tx.QueryRow(`SELECT `+reviewColumns+` FROM risk_reviews r WHERE r.open_key = $1`, orderID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &r, nil
}

// errNotFound answers for an unknown review.
var errNotFound = apperr.New(apperr.NotFound, "No such review.")

// load reads a review by id with its sealed note. Errors: NOT_FOUND.
func load(tx *store.Tx, id string) (Review, string, error) {
	if !ids.Valid(id) {
		return Review{}, "", errNotFound
	}
	r, sealed, err := scanReview(tx.QueryRow(`SELECT `+reviewColumns+` FROM risk_reviews r WHERE r.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Review{}, "", errNotFound
	}
	return r, sealed, err
}

// ForOrder returns the order's review for staff: the live one, else the
// latest closed one, with the customer's note opened and the order's
// current capture deadline; false when the order was never reviewed after
// approval.
func (s *Service) ForOrder(tx *store.Tx, orderID string) (Review, bool, error) {
	r, sealed, err := scanReview(tx.QueryRow(`SELECT `+reviewColumns+` FROM risk_reviews r WHERE r.order_id = $1
		ORDER BY CASE WHEN r.open_key IS NULL THEN 1 ELSE 0 END, r.opened_at DESC, r.id DESC LIMIT 1`, orderID))
	if errors.Is(err, sql.ErrNoRows) {
		return Review{}, false, nil
	}
	if err != nil {
		return Review{}, false, err
	}
	if err := s.openNote(tx, &r, sealed); err != nil {
		return Review{}, false, err
	}
	var expires int64
	if err := tx.QueryRow(`SELECT expires_at FROM orders WHERE id = $1`, orderID).Scan(&expires); err != nil {
		return Review{}, false, err
	}
	r.ShipBy = store.FromMicros(expires)
	return r, true, nil
}

// openNote opens a review's sealed answer note.
func (s *Service) openNote(tx *store.Tx, r *Review, sealed string) error {
	if sealed == "" || r.PersonID == "" {
		return nil
	}
	note, err := s.vault.OpenString(tx, r.PersonID, contextNote, sealed)
	if errors.Is(err, vault.ErrShredded) {
		r.Unreadable = true
		return nil
	}
	r.Note = note
	return err
}

// contextNote is the vault context of a customer's note.
const contextNote = "risk_reviews.answer_note"

// CountOpen returns how many reviews wait in the analysts' queue.
func (s *Service) CountOpen(ctx context.Context) (int, error) {
	var n int
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		return tx.QueryRow(`SELECT COUNT(*) FROM risk_reviews WHERE status = $1`, string(StatusOpen)).Scan(&n)
	})
	return n, err
}

// maxQueue bounds how many open reviews List ranks; beyond it the earliest
// capture deadlines are ranked first.
const maxQueue = 2000

// List returns up to limit open reviews, highest Priority first (ties: the
// earliest capture deadline, then the oldest), with the order's reference,
// merchant name and current capture deadline.
func (s *Service) List(ctx context.Context, limit int) ([]Review, error) {
	var out []Review
	var now time.Time
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		now = tx.Now
		rows, err := tx.Query(`SELECT `+reviewColumns+`, o.reference, m.name, o.expires_at FROM risk_reviews r
			JOIN orders o ON o.id = r.order_id JOIN merchants m ON m.id = r.merchant_id
			WHERE r.status = $1 ORDER BY o.expires_at, r.opened_at, r.id LIMIT $2`, string(StatusOpen), maxQueue)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var (
				ref, name string
				expires   int64
			)
			r, _, err := scanReview(rows, &ref, &name, &expires)
			if err != nil {
				return err
			}
			// The merchant may have extended the authorization since the
			// last signal: the order's deadline is the one that counts.
			r.Reference, r.MerchantName, r.ShipBy = ref, name, store.FromMicros(expires)
			out = append(out, r)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Priority(now) > out[j].Priority(now) })
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// ignoreNoRows maps sql.ErrNoRows to nil.
func ignoreNoRows(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	return err
}
