package returns

import (
	"context"
	"time"

	"github.com/tillit/tillit/internal/store"
)

// ForOrder returns the returns of the person's order, newest first; another
// person's order has none.
func (s *Service) ForOrder(ctx context.Context, personID, orderID string) ([]Return, error) {
	var out []Return
	err := s.db.Read(ctx, func(tx *store.Tx) (err error) {
		out, err = s.list(tx, `r.order_id = $1 AND r.person_id = $2`, orderID, personID)
		return err
	})
	return out, err
}

// ForMerchant returns the merchant's returns, newest first; orderID, when
// not empty, keeps that order's only.
func (s *Service) ForMerchant(ctx context.Context, merchantID, orderID string) ([]Return, error) {
	var out []Return
	err := s.db.Read(ctx, func(tx *store.Tx) (err error) {
		if orderID != "" {
			out, err = s.list(tx, `r.merchant_id = $1 AND r.order_id = $2`, merchantID, orderID)
			return err
		}
		out, err = s.list(tx, `r.merchant_id = $1`, merchantID)
		return err
	})
	return out, err
}

// Payout is money paid back to the consumer on an order.
type Payout struct {
	Amount    int64     `json:"amount"`
	Currency  string    `json:"currency"`
	Status    string    `json:"status"`
	CreatedAt time.Time `json:"created_at"`
}

// Payouts returns the payouts to the person on their order (such as a
// refund of money already paid), oldest first.
func (s *Service) Payouts(ctx context.Context, personID, orderID string) ([]Payout, error) {
	var out []Payout
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		rows, err := tx.Query(`SELECT p.amount, p.currency, p.status, p.created_at FROM plan_payments p JOIN orders o ON o.id = p.order_id
    WHERE p.order_id = $1 AND o.person_id = $2 AND p.kind = 'payout' ORDER BY p.created_at, p.id`, orderID, personID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var (
				p  Payout
				at int64
			)
			if err := rows.Scan(&p.Amount, &p.Currency, &p.Status, &at); err != nil {
				return err
			}
			p.CreatedAt = store.FromMicros(at)
			out = append(out, p)
		}
		return rows.Err()
	})
	return out, err
}
