package repayment

import (
	"context"
	"database/sql"
	"time"

	"github.com/tillit/tillit/internal/plan"
	"github.com/tillit/tillit/internal/store"
)

// Installment is one instalment as consumers and staff see it.
type Installment struct {
	Number    int        `json:"number"`
	Due       time.Time  `json:"due_date"`
	Principal int64      `json:"principal"`
	Interest  int64      `json:"interest"`
	Fee       int64      `json:"fee"`
	LateFee   int64      `json:"late_fee"`
	Amount    int64      `json:"amount"`
	Paid      int64      `json:"paid"`
	PaidAt    *time.Time `json:"paid_at,omitempty"`
}

// Receipt is a payment from the consumer or a payout back to them.
type Receipt struct {
	ID        string     `json:"id"`
	Kind      string     `json:"kind"`
	Purpose   string     `json:"purpose"`
	Amount    int64      `json:"amount"`
	Currency  string     `json:"currency"`
	Status    string     `json:"status"`
	CreatedAt time.Time  `json:"created_at"`
	SettledAt *time.Time `json:"settled_at,omitempty"`
}

// Plan is an order's payment plan as consumers and staff see it.
type Plan struct {
	OrderID        string `json:"order_id"`
	OrderReference string `json:"order_reference"`
	MerchantName   string `json:"merchant_name"`
	// Method is the checkout category (pay_now, pay_later, pay_in_parts,
	// pay_over_time).
	Method      string     `json:"method"`
	Currency    string     `json:"currency"`
	Status      string     `json:"status"`
	OrderStatus string     `json:"order_status"`
	CreatedAt   time.Time  `json:"created_at"`
	Total       int64      `json:"total"`
	Paid        int64      `json:"paid"`
	Outstanding int64      `json:"outstanding"`
	Credit      int64      `json:"credit"`
	PausedUntil *time.Time `json:"paused_until,omitempty"`
	// Financing carries the terms and offer figures of a financing plan.
	Financing    *plan.Terms   `json:"financing,omitempty"`
	Installments []Installment `json:"installments"`
	Receipts     []Receipt     `json:"receipts"`
	// Next is the earliest unpaid instalment, if any.
	Next *Installment `json:"next,omitempty"`
}

// PausedUntilAfterNewHold is the date the plan would be paused until if
// a new holder paused it now for days (Pause): the later of the pause in
// force and now plus days.
func (p Plan) PausedUntilAfterNewHold(now time.Time, days int) time.Time {
	until := plan.AddDays(now, days)
	if p.PausedUntil != nil && p.PausedUntil.After(until) {
		return *p.PausedUntil
	}
	return until
}

// ForPerson returns the plans of a person's orders, newest first, with
// their instalments and receipts.
func (s *Service) ForPerson(ctx context.Context, personID string) ([]Plan, error) {
	var out []Plan
	err := s.DB.Read(ctx, func(tx *store.Tx) (err error) {
		out, err = ForPersonTx(tx, personID)
		return err
	})
	return out, err
}

// ForPersonTx is ForPerson within tx.
func ForPersonTx(tx *store.Tx, personID string) ([]Plan, error) {
	rows, err := tx.Query(`SELECT order_id FROM payment_plans WHERE person_id = $1 ORDER BY created_at DESC LIMIT 200`, personID)
	if err != nil {
		return nil, err
	}
	var orderIDs []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, err
		}
		orderIDs = append(orderIDs, id)
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	var out []Plan
	for _, id := range orderIDs {
		v, err := view(tx, id)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// PersonPlan returns one plan if it belongs to the person; another person's
// order answers exactly like an unknown one (NO_SUCH_ORDER).
func (s *Service) PersonPlan(ctx context.Context, personID, orderID string) (Plan, error) {
	var out Plan
	err := s.DB.Read(ctx, func(tx *store.Tx) error {
		var owner string
		err := tx.QueryRow(`SELECT COALESCE(person_id, '') FROM payment_plans WHERE order_id = $1`, orderID).Scan(&owner)
		if err == sql.ErrNoRows || (err == nil && (owner == "" || owner != personID)) {
			return errNoPlan
		}
		if err != nil {
			return err
		}
		out, err = view(tx, orderID)
		return err
	})
	return out, err
}

// Get returns an order's plan (for the merchant portal and staff, who have
// checked their access to the order).
func (s *Service) Get(ctx context.Context, orderID string) (Plan, error) {
	var out Plan
	err := s.DB.Read(ctx, func(tx *store.Tx) error {
		var err error
		out, err = view(tx, orderID)
		return err
	})
	return out, err
}

func view(tx *store.Tx, orderID string) (Plan, error) {
	p, err := loadPlan(tx, orderID)
	if err != nil {
		return Plan{}, err
	}
	v := Plan{OrderID: p.OrderID, Method: p.Category, Currency: p.Currency, Status: p.Status, CreatedAt: store.FromMicros(p.CreatedAt).UTC(),
		Total: p.Schedule.Total, Paid: p.Schedule.Paid(), Outstanding: p.Schedule.Outstanding(), Credit: p.Credit,
		Installments: []Installment{}, Receipts: []Receipt{}}
	if err := tx.QueryRow(`SELECT o.reference, o.status, m.name FROM orders o JOIN merchants m ON m.id = o.merchant_id WHERE o.id = $1`, orderID).
		Scan(&v.OrderReference, &v.OrderStatus, &v.MerchantName); err != nil {
		return Plan{}, err
	}
	if p.paused(tx.Now) {
		t := store.FromMicros(p.PausedUntil.Int64).UTC()
		v.PausedUntil = &t
	}
	if p.Category == CategoryFinancing {
		terms := p.Terms
		v.Financing = &terms
	}
	for _, in := range p.Schedule.Installments {
		late := p.late[in.Number]
		iv := Installment{Number: in.Number, Due: in.Due, Principal: in.Principal, Interest: in.Interest, Fee: in.Fee - late,
			LateFee: late, Amount: in.Amount, Paid: in.Paid}
		if at, ok := p.paidAt[in.Number]; ok {
			t := store.FromMicros(at).UTC()
			iv.PaidAt = &t
		}
		v.Installments = append(v.Installments, iv)
	}
	if unpaid := p.unpaidInOrder(); len(unpaid) > 0 {
		for _, iv := range v.Installments {
			if iv.Number == unpaid[0].Number {
				next := iv
				v.Next = &next
			}
		}
	}
	rows, err := tx.Query(`SELECT id, kind, purpose, amount, currency, status, created_at, settled_at FROM plan_payments WHERE order_id = $1 ORDER BY created_at, id`, orderID)
	if err != nil {
		return Plan{}, err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			r       Receipt
			created int64
			settled sql.NullInt64
		)
		if err := rows.Scan(&r.ID, &r.Kind, &r.Purpose, &r.Amount, &r.Currency, &r.Status, &created, &settled); err != nil {
			return Plan{}, err
		}
		r.CreatedAt = store.FromMicros(created).UTC()
		if settled.Valid {
			t := store.FromMicros(settled.Int64).UTC()
			r.SettledAt = &t
		}
		v.Receipts = append(v.Receipts, r)
	}
	return v, rows.Err()
}
