package credit

import (
	"time"

	"github.com/tillit/tillit/internal/checkout"
	"github.com/tillit/tillit/internal/repayment"
	"github.com/tillit/tillit/internal/store"
)

// History is what a person owes Tillit and how they have paid: the
// affordability half of a credit decision.
type History struct {
	// OpenBalance is what the person still owes, or may still be made to
	// owe, in the purchase's currency (minor units): the unpaid
	// instalments of their open plans less money they paid ahead, the
	// authorized amounts of their orders not yet captured or released, and
	// approved authorizations not yet made into orders. Each order counts
	// at least zero (money owed back to the person does not lend them
	// more).
	OpenBalance int64
	// Overdue counts unpaid instalments past their due day and grace
	// (Config.ArrearsGraceDays), in any currency.
	Overdue int
	// InCollection counts those overdue for Config.CollectionDays or more:
	// past the last reminder, the debt is for collection.
	InCollection int
	// Late counts instalments paid after their due day and grace
	// (Config.LateGraceDays) within Config.HistoryMonths.
	Late int
	// FailedPayments counts the person's payments the payment rail failed
	// within Config.HistoryMonths.
	FailedPayments int
}

// authActive is the status of an approved authorization not yet used or
// cancelled (package checkout's own, unexported name for it).
const authActive = "active"

const day = int64(24 * time.Hour / time.Microsecond)

// ReadHistory reads a person's open balance in currency and their
// repayment history as of now, in the caller's transaction. A person
// Tillit has not met ("") has neither.
func ReadHistory(tx *store.Tx, personID, currency string, now time.Time, cfg Config) (History, error) {
	var h History
	if personID == "" {
		return h, nil
	}
	nowUS := store.Micros(now)
	rows, err := tx.Query(`SELECT CASE WHEN o.status IN ($3, $4) THEN o.order_amount - o.captured_amount - o.released_amount ELSE 0 END,
		CASE WHEN p.status = $5 THEN p.credit ELSE 0 END,
		CASE WHEN p.status = $5 THEN COALESCE((SELECT SUM(i.amount - i.paid) FROM plan_installments i WHERE i.order_id = o.id), 0) ELSE 0 END
		FROM orders o LEFT JOIN payment_plans p ON p.order_id = o.id
		WHERE o.person_id = $1 AND o.purchase_currency = $2 AND (o.status IN ($3, $4) OR p.status = $5)`,
		personID, currency, checkout.StatusAuthorized, checkout.StatusPartCaptured, repayment.StatusOpen)
	if err != nil {
		return h, err
	}
	defer rows.Close()
	for rows.Next() {
		var uncaptured, credit, unpaid int64
		if err := rows.Scan(&uncaptured, &credit, &unpaid); err != nil {
			return h, err
		}
		if owed := uncaptured + unpaid - credit; owed > 0 {
			h.OpenBalance += owed
		}
	}
	if err := rows.Err(); err != nil {
		return h, err
	}
	// The rest in one round trip: approved authorizations not yet orders,
	// instalments overdue and in collection, late instalments and failed
	// payments.
	var approved int64
	overdueBy := func(days int) int64 { return nowUS - int64(days)*day }
	since := store.Micros(now.AddDate(0, -cfg.HistoryMonths, 0))
	err = tx.QueryRow(`SELECT
		(SELECT COALESCE(SUM(a.approved_amount), 0) FROM authorizations a JOIN payment_sessions s ON s.id = a.session_id
			WHERE a.person_id = $1 AND a.status = $2 AND a.order_id IS NULL AND a.expires_at > $3 AND s.purchase_currency = $4),
		(SELECT COUNT(*) FROM plan_installments i JOIN payment_plans p ON p.order_id = i.order_id
			WHERE p.person_id = $1 AND p.status = $5 AND i.amount > i.paid AND i.due_date <= $6
			AND (p.paused_until IS NULL OR p.paused_until <= $3)),
		(SELECT COUNT(*) FROM plan_installments i JOIN payment_plans p ON p.order_id = i.order_id
			WHERE p.person_id = $1 AND p.status = $5 AND i.amount > i.paid AND i.due_date <= $7
			AND (p.paused_until IS NULL OR p.paused_until <= $3)),
		(SELECT COUNT(*) FROM plan_installments i JOIN payment_plans p ON p.order_id = i.order_id
			WHERE p.person_id = $1 AND i.paid_at IS NOT NULL AND i.paid_at >= $8 AND i.paid_at >= i.due_date + $9),
		(SELECT COUNT(*) FROM plan_payments pm JOIN payment_plans p ON p.order_id = pm.order_id
			WHERE p.person_id = $1 AND pm.kind = $10 AND pm.status = $11 AND pm.created_at >= $8)`,
		personID, authActive, nowUS, currency, repayment.StatusOpen, overdueBy(cfg.ArrearsGraceDays+1), overdueBy(cfg.CollectionDays),
		since, int64(cfg.LateGraceDays+1)*day, repayment.KindPayment, repayment.PaymentFailed,
	).Scan(&approved, &h.Overdue, &h.InCollection, &h.Late, &h.FailedPayments)
	h.OpenBalance += approved
	return h, err
}
