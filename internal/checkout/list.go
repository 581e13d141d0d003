package checkout

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/ids"
	"github.com/tillit/tillit/internal/store"
)

// Limits of ListOrders.
const (
	// DefaultListLimit is the page size of ListOrders when none is given.
	DefaultListLimit = 50
	// MaxListLimit is the largest page ListOrders returns.
	MaxListLimit = 500
)

// OrderCursor marks a place in a merchant's order list, which is sorted newest
// first by creation time and then by id. It is the position of one order.
type OrderCursor struct {
	CreatedAt time.Time
	ID        string
}

// String encodes the cursor for a URL: microseconds, a dot and the order id.
func (c OrderCursor) String() string {
	return fmt.Sprintf("%d.%s", store.Micros(c.CreatedAt), c.ID)
}

// ParseOrderCursor decodes OrderCursor.String. Errors: BAD_VALUE.
func ParseOrderCursor(s string) (OrderCursor, error) {
	us, id, ok := strings.Cut(s, ".")
	micros, err := strconv.ParseInt(us, 10, 64)
	ok = ok && err == nil && micros >= 0 && strconv.FormatInt(micros, 10) == us && ids.Valid(id)
	if !ok {
		return OrderCursor{}, apperr.BadField("cursor", "is not a position in the order list")
	}
	return OrderCursor{CreatedAt: store.FromMicros(micros), ID: id}, nil
}

// OrderFilter selects and pages a merchant's orders for ListOrders. Zero
// fields select everything.
type OrderFilter struct {
	// Status is an order status (StatusAuthorized, ...).
	Status string
	// FraudStatus is a fraud status (FraudAccepted, ...).
	FraudStatus string
	// PaymentMethod is a payment method category (pay_now, pay_later,
	// pay_in_parts, pay_over_time).
	PaymentMethod string
	// From and To bound the creation time to [From, To); a zero time leaves
	// that side open.
	From, To time.Time
	// MinAmount and MaxAmount bound the order amount (minor units, both
	// included); zero leaves that side open.
	MinAmount, MaxAmount int64
	// Search matches an order exactly by its id, its Tillit reference
	// (case-insensitive) or either merchant reference.
	Search string
	// After returns only orders after the cursor in list order (older);
	// Before only orders before it (newer). Set at most one.
	After, Before *OrderCursor
	// Limit is the page size: DefaultListLimit when zero, at most
	// MaxListLimit.
	Limit int
}

// OrderSummary is one order as a list shows it.
type OrderSummary struct {
	OrderID                   string
	Reference                 string
	MerchantReference1        string
	MerchantReference2        string
	Status                    string
	FraudStatus               string
	PaymentMethod             string
	Currency                  string
	OrderAmount               int64
	CapturedAmount            int64
	RefundedAmount            int64
	RemainingAuthorizedAmount int64
	CreatedAt                 time.Time
}

// Cursor returns the order's position in the list, for OrderFilter.After and
// Before.
func (o OrderSummary) Cursor() OrderCursor { return OrderCursor{CreatedAt: o.CreatedAt, ID: o.OrderID} }

// ListOrders returns one page of a merchant's orders that match the filter,
// newest first. Paging is by keyset: pass the last order's Cursor as After
// for the next (older) page, or the first order's as Before for the previous
// (newer) one; ask for one order more than shown to learn whether another
// page follows. The query runs on the orders_merchant (merchant_id,
// created_at) index. Errors: BAD_VALUE (limit, cursors).
func (s *Service) ListOrders(ctx context.Context, merchantID string, f OrderFilter) ([]OrderSummary, error) {
	limit := f.Limit
	switch {
	case limit == 0:
		limit = DefaultListLimit
	case limit < 0 || limit > MaxListLimit:
		return nil, apperr.BadField("limit", "must be between 1 and %d", MaxListLimit)
	}
	if f.After != nil && f.Before != nil {
		return nil, apperr.BadField("cursor", "give either after or before, not both")
	}
	where := []string{"merchant_id = $1"}
	args := []any{merchantID}
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	for _, eq := range []struct{ column, value string }{{"status", f.Status}, {"fraud_status", f.FraudStatus}, {"payment_method", f.PaymentMethod}} {
		if eq.value != "" {
			where = append(where, eq.column+" = "+arg(eq.value))
		}
	}
	if f.MinAmount > 0 {
		where = append(where, "order_amount >= "+arg(f.MinAmount))
	}
	if f.MaxAmount > 0 {
		where = append(where, "order_amount <= "+arg(f.MaxAmount))
	}
	if !f.From.IsZero() {
		where = append(where, "created_at >= "+arg(store.Micros(f.From)))
	}
	if !f.To.IsZero() {
		where = append(where, "created_at < "+arg(store.Micros(f.To)))
	}
	if q := strings.TrimSpace(f.Search); q != "" {
		p := arg(q)
		where = append(where, "(id = "+p+" OR merchant_reference1 = "+p+" OR merchant_reference2 = "+p+" OR reference = "+arg(strings.ToUpper(q))+")")
	}
	order := "DESC"
	if c := f.After; c != nil {
		at := arg(store.Micros(c.CreatedAt))
		where = append(where, "(created_at < "+at+" OR (created_at = "+at+" AND id < "+arg(c.ID)+"))")
	}
	if c := f.Before; c != nil {
		at := arg(store.Micros(c.CreatedAt))
		where = append(where, "(created_at > "+at+" OR (created_at = "+at+" AND id > "+arg(c.ID)+"))")
		order = "ASC"
	}
	query := `SELECT ` + summaryColumns + ` FROM orders WHERE ` + strings.Join(where, " AND ") +
		fmt.Sprintf(` ORDER BY created_at %s, id %s LIMIT %d`, order, order, limit)
	var out []OrderSummary
	err := s.DB.Read(ctx, func(tx *store.Tx) error {
		out = []OrderSummary{}
		rows, err := tx.Query(query, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			o, err := scanSummary(rows)
			if err != nil {
				return err
			}
			out = append(out, o)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	if f.Before != nil {
		for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
			out[i], out[j] = out[j], out[i]
		}
	}
	return out, nil
}

// summaryColumns are the orders columns scanSummary reads.
const summaryColumns = `id, reference, merchant_reference1, merchant_reference2, status, fraud_status, payment_method, purchase_currency,
	order_amount, captured_amount, refunded_amount, released_amount, created_at`

// scanSummary reads a row of summaryColumns.
func scanSummary(row scanner) (OrderSummary, error) {
	var (
		o        OrderSummary
		released int64
		created  int64
	)
	if err := row.Scan(&o.OrderID, &o.Reference, &o.MerchantReference1, &o.MerchantReference2, &o.Status, &o.FraudStatus, &o.PaymentMethod,
		&o.Currency, &o.OrderAmount, &o.CapturedAmount, &o.RefundedAmount, &released, &created); err != nil {
		return OrderSummary{}, err
	}
	o.CreatedAt = store.FromMicros(created)
	if o.Status == StatusAuthorized || o.Status == StatusPartCaptured {
		o.RemainingAuthorizedAmount = o.OrderAmount - o.CapturedAmount - released
	}
	return o, nil
}

// GetOrderSummary returns one of a merchant's orders as a list shows it;
// another merchant's order answers like an unknown one. Errors:
// NO_SUCH_ORDER.
func (s *Service) GetOrderSummary(ctx context.Context, merchantID, orderID string) (OrderSummary, error) {
	var out OrderSummary
	err := s.DB.Read(ctx, func(tx *store.Tx) error {
		var err error
		out, err = scanSummary(tx.QueryRow(`SELECT `+summaryColumns+` FROM orders WHERE id = $1 AND merchant_id = $2`, orderID, merchantID))
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.New(apperr.NoSuchOrder, "No order with id %q.", orderID)
		}
		return err
	})
	return out, err
}

// OrderReferences returns the Tillit references of those of orderIDs that
// belong to merchantID, by order id; other ids are left out.
func (s *Service) OrderReferences(ctx context.Context, merchantID string, orderIDs []string) (map[string]string, error) {
	out := map[string]string{}
	err := s.DB.Read(ctx, func(tx *store.Tx) error {
		clear(out)
		for chunk := range slices.Chunk(orderIDs, 100) {
			args := []any{merchantID}
			marks := make([]string, len(chunk))
			for i, id := range chunk {
				args = append(args, id)
				marks[i] = fmt.Sprintf("$%d", i+2)
			}
			rows, err := tx.Query(`SELECT id, reference FROM orders WHERE merchant_id = $1 AND id IN (`+strings.Join(marks, ", ")+`)`, args...)
			if err != nil {
				return err
			}
			for rows.Next() {
				var id, ref string
				if err := rows.Scan(&id, &ref); err != nil {
					rows.Close()
					return err
				}
				out[id] = ref
			}
			if err := rows.Close(); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

// CurrencyStats are a merchant's figures in one currency.
type CurrencyStats struct {
	Currency string
	// Sales is what was captured in the period.
	Sales int64
	// Refunds is what the merchant refunded in the period (fraud write-offs
	// are not the merchant's refunds and are left out).
	Refunds int64
	// Orders counts the orders placed in the period.
	Orders int64
	// Outstanding is what is authorized and neither captured nor released
	// now, over every open order whatever its age.
	Outstanding int64
}

// Stats are a merchant's figures for a period [From, To).
type Stats struct {
	From, To time.Time
	// Currencies holds one entry per currency with any figure, sorted by
	// currency code.
	Currencies []CurrencyStats
	// Authorizations counts the consumer authorizations made in the period,
	// and Approved those of them that were not rejected.
	Authorizations, Approved int64
}

// ApprovalRate is Approved / Authorizations, or 0 without authorizations.
func (s Stats) ApprovalRate() float64 {
	if s.Authorizations == 0 {
		return 0
	}
	return float64(s.Approved) / float64(s.Authorizations)
}

// MerchantStats returns a merchant's sales (captured amounts), refunds and
// orders placed in [from, to) per currency, its outstanding authorized amount
// now, and how many of the period's authorizations were approved. Errors:
// BAD_VALUE (to not after from).
func (s *Service) MerchantStats(ctx context.Context, merchantID string, from, to time.Time) (Stats, error) {
	if !to.After(from) {
		return Stats{}, apperr.BadField("to", "must be after from")
	}
	st := Stats{From: from, To: to}
	byCurrency := map[string]*CurrencyStats{}
	add := func(currency string) *CurrencyStats {
		c := byCurrency[currency]
		if c == nil {
			c = &CurrencyStats{Currency: currency}
			byCurrency[currency] = c
		}
		return c
	}
	f, t := store.Micros(from), store.Micros(to)
	err := s.DB.Read(ctx, func(tx *store.Tx) error {
		clear(byCurrency)
		st.Authorizations, st.Approved = 0, 0
		sums := []struct {
			query string
			field func(*CurrencyStats) *int64
		}{
			{`SELECT o.purchase_currency, COUNT(*), COALESCE(SUM(c.captured_amount), 0) FROM captures c JOIN orders o ON o.id = c.order_id
				WHERE o.merchant_id = $1 AND c.captured_at >= $2 AND c.captured_at < $3 GROUP BY o.purchase_currency`,
				func(c *CurrencyStats) *int64 { return &c.Sales }},
			{`SELECT o.purchase_currency, COUNT(*), COALESCE(SUM(r.refunded_amount), 0) FROM refunds r JOIN orders o ON o.id = r.order_id
				WHERE o.merchant_id = $1 AND r.refunded_at >= $2 AND r.refunded_at < $3 AND r.kind = 'merchant' GROUP BY o.purchase_currency`,
				func(c *CurrencyStats) *int64 { return &c.Refunds }},
			{`SELECT purchase_currency, COUNT(*), COUNT(*) FROM orders
				WHERE merchant_id = $1 AND created_at >= $2 AND created_at < $3 GROUP BY purchase_currency`,
				func(c *CurrencyStats) *int64 { return &c.Orders }},
		}
		for _, q := range sums {
			if err := groupSums(tx, q.query, []any{merchantID, f, t}, func(currency string, v int64) { *q.field(add(currency)) = v }); err != nil {
				return err
			}
		}
		err := groupSums(tx, `SELECT purchase_currency, COUNT(*), COALESCE(SUM(order_amount - captured_amount - released_amount), 0) FROM orders
			WHERE merchant_id = $1 AND status IN ($2, $3) GROUP BY purchase_currency`,
			[]any{merchantID, StatusAuthorized, StatusPartCaptured}, func(currency string, v int64) {
				if v != 0 {
					add(currency).Outstanding = v
				}
			})
		if err != nil {
			return err
		}
		return tx.QueryRow(`SELECT COUNT(*), COALESCE(SUM(CASE WHEN fraud_status = $4 THEN 0 ELSE 1 END), 0) FROM authorizations
			WHERE merchant_id = $1 AND created_at >= $2 AND created_at < $3`, merchantID, f, t, FraudRejected).Scan(&st.Authorizations, &st.Approved)
	})
	if err != nil {
		return Stats{}, err
	}
	st.Currencies = make([]CurrencyStats, 0, len(byCurrency))
	for _, c := range byCurrency {
		st.Currencies = append(st.Currencies, *c)
	}
	sort.Slice(st.Currencies, func(i, j int) bool { return st.Currencies[i].Currency < st.Currencies[j].Currency })
	return st, nil
}

// groupSums runs a query of (currency, row count, value) groups and calls fn
// for each group that has rows.
func groupSums(tx *store.Tx, query string, args []any, fn func(currency string, v int64)) error {
	rows, err := tx.Query(query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			currency string
			n, v     int64
		)
		if err := rows.Scan(&currency, &n, &v); err != nil {
			return err
		}
		if n > 0 {
			fn(currency, v)
		}
	}
	return rows.Err()
}
