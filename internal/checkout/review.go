package checkout

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/ids"
	"github.com/tillit/tillit/internal/store"
)

// ReviewItem is an order as a fraud analyst reviews it: what a decision
// needs and nothing about the consumer (no name, address, e-mail, date of
// birth or device).
type ReviewItem struct {
	OrderID       string
	Reference     string
	MerchantID    string
	MerchantName  string
	Status        string
	FraudStatus   string
	PaymentMethod string
	Amount        int64
	Currency      string
	Country       string
	CreatedAt     time.Time
	// Reasons are the risk assessment's reason codes (risk.Reason...).
	Reasons []string
}

const reviewColumns = `o.id, o.reference, o.merchant_id, m.name, o.status, o.fraud_status, o.payment_method,
	o.order_amount, o.purchase_currency, o.purchase_country, o.created_at, COALESCE(a.reasons, '[]')`

const reviewFrom = ` FROM orders o JOIN merchants m ON m.id = o.merchant_id LEFT JOIN authorizations a ON a.order_id = o.id `

// inReview selects the orders awaiting a manual decision: fraud status
// PENDING and still open. A PENDING order the merchant cancelled, or whose
// authorization expired, needs no decision any more.
const inReview = `o.fraud_status = $1 AND o.status IN ($2, $3)`

func scanReviewItem(row scanner) (ReviewItem, error) {
	var (
		it      ReviewItem
		created int64
		reasons string
	)
	if err := row.Scan(&it.OrderID, &it.Reference, &it.MerchantID, &it.MerchantName, &it.Status, &it.FraudStatus, &it.PaymentMethod,
		&it.Amount, &it.Currency, &it.Country, &created, &reasons); err != nil {
		return ReviewItem{}, err
	}
	it.CreatedAt = store.FromMicros(created)
	if err := json.Unmarshal([]byte(reasons), &it.Reasons); err != nil {
		return ReviewItem{}, err
	}
	if it.Reasons == nil {
		it.Reasons = []string{}
	}
	return it, nil
}

// CountInReview returns how many open orders await a manual fraud decision.
func (s *Service) CountInReview(ctx context.Context) (int, error) {
	var n int
	err := s.DB.Read(ctx, func(tx *store.Tx) error {
		return tx.QueryRow(`SELECT COUNT(*) FROM orders o WHERE `+inReview, FraudPending, StatusAuthorized, StatusPartCaptured).Scan(&n)
	})
	return n, err
}

// InReview lists up to limit open orders awaiting a manual fraud decision,
// oldest first: the order they should be decided in.
func (s *Service) InReview(ctx context.Context, limit int) ([]ReviewItem, error) {
	var out []ReviewItem
	err := s.DB.Read(ctx, func(tx *store.Tx) error {
		out = []ReviewItem{}
		rows, err := tx.Query(`SELECT `+reviewColumns+reviewFrom+`WHERE `+inReview+` ORDER BY o.created_at, o.id LIMIT $4`,
			FraudPending, StatusAuthorized, StatusPartCaptured, limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			it, err := scanReviewItem(rows)
			if err != nil {
				return err
			}
			out = append(out, it)
		}
		return rows.Err()
	})
	return out, err
}

// heldFor selects, among the orders in review, those whose assessment gave
// the reason code $4.
const heldFor = ` AND a.reasons LIKE '%"' || $4 || '"%'`

// CountHeldFor returns how many open orders await a manual decision
// because their assessment gave the reason code reason (such as
// SANCTIONS_MATCH).
func (s *Service) CountHeldFor(ctx context.Context, reason string) (int, error) {
	var n int
	err := s.DB.Read(ctx, func(tx *store.Tx) error {
		return tx.QueryRow(`SELECT COUNT(*)`+reviewFrom+`WHERE `+inReview+heldFor,
			FraudPending, StatusAuthorized, StatusPartCaptured, reason).Scan(&n)
	})
	return n, err
}

// HeldFor lists up to limit open orders awaiting a manual decision because
// their assessment gave the reason code reason, oldest first.
func (s *Service) HeldFor(ctx context.Context, reason string, limit int) ([]ReviewItem, error) {
	var out []ReviewItem
	err := s.DB.Read(ctx, func(tx *store.Tx) error {
		out = []ReviewItem{}
		rows, err := tx.Query(`SELECT `+reviewColumns+reviewFrom+`WHERE `+inReview+heldFor+` ORDER BY o.created_at, o.id LIMIT $5`,
			FraudPending, StatusAuthorized, StatusPartCaptured, reason, limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			it, err := scanReviewItem(rows)
			if err != nil {
				return err
			}
			out = append(out, it)
		}
		return rows.Err()
	})
	return out, err
}

// ReviewOrder returns any order, whatever its fraud status, in the shape a
// fraud analyst reviews it. Errors: NO_SUCH_ORDER.
func (s *Service) ReviewOrder(ctx context.Context, orderID string) (ReviewItem, error) {
	notFound := apperr.New(apperr.NoSuchOrder, "No order with id %q.", orderID)
	if !ids.Valid(orderID) {
		return ReviewItem{}, notFound
	}
	var it ReviewItem
	err := s.DB.Read(ctx, func(tx *store.Tx) error {
		var err error
		it, err = scanReviewItem(tx.QueryRow(`SELECT `+reviewColumns+reviewFrom+`WHERE o.id = $1`, orderID))
		return err
	})
	if errors.Is(err, sql.ErrNoRows) {
		return ReviewItem{}, notFound
	}
	return it, err
}
