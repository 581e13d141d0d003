package ledger

import (
	"context"
	"fmt"

	"github.com/tillit/tillit/internal/store"
)

// Report is the outcome of Verify: the number of journals and entries checked
// and every problem found. A ledger is sound when Problems is empty.
type Report struct {
	Journals int      `json:"journals"`
	Entries  int      `json:"entries"`
	Orders   int      `json:"orders"`
	Problems []string `json:"problems"`
}

// OK reports whether no problem was found.
func (r Report) OK() bool { return len(r.Problems) == 0 }

// refundJournalKind is, in SQL over a refund r, the kind of the journal that
// posts it: a merchant's refund is a refund, a fraud write-off a fraud return.
const refundJournalKind = `CASE r.kind WHEN 'fraud' THEN 'fraud_return' ELSE 'refund' END`

// checks are the invariants Verify asserts. Each query returns one text column
// per violating row; the label says what the rows mean.
var checks = []struct{ label, query string }{
	{"journal does not balance", `
		SELECT j.id || ' ' || j.kind || '/' || j.reference || ' sums to ' || CAST(SUM(e.amount) AS TEXT)
		FROM ledger_journals j JOIN ledger_entries e ON e.journal_id = j.id
		GROUP BY j.id, j.kind, j.reference HAVING SUM(e.amount) <> 0`},
	{"journal has no entries", `
		SELECT j.id || ' ' || j.kind || '/' || j.reference FROM ledger_journals j
		WHERE NOT EXISTS (SELECT 1 FROM ledger_entries e WHERE e.journal_id = j.id)`},
	{"entry currency differs from its journal", `
		SELECT e.id FROM ledger_entries e JOIN ledger_journals j ON j.id = e.journal_id WHERE e.currency <> j.currency`},
	{"order amounts out of range", `
		SELECT id FROM orders WHERE captured_amount < 0 OR refunded_amount < 0 OR released_amount < 0
		   OR refunded_amount > captured_amount OR captured_amount + released_amount > order_amount`},
	{"order captured amount differs from its captures", `
		SELECT o.id FROM orders o
		WHERE o.captured_amount <> (SELECT COALESCE(SUM(c.captured_amount), 0) FROM captures c WHERE c.order_id = o.id)`},
	{"order refunded amount differs from its refunds", `
		SELECT o.id FROM orders o
		WHERE o.refunded_amount <> (SELECT COALESCE(SUM(r.refunded_amount), 0) FROM refunds r WHERE r.order_id = o.id)`},
	{"capture has no journal of its own", `
		SELECT c.id FROM captures c WHERE NOT EXISTS (
			SELECT 1 FROM ledger_journals j WHERE j.kind = 'capture' AND j.reference = c.id AND j.order_id = c.order_id)`},
	{"refund has an unknown kind or a fraud policy amount out of range", `
		SELECT id FROM refunds WHERE kind NOT IN ('merchant', 'fraud') OR fraud_policy_amount < 0 OR fraud_policy_amount > refunded_amount
		   OR (kind <> 'fraud' AND fraud_policy_amount <> 0)`},
	{"refund has no journal of its own", `
		SELECT r.id FROM refunds r WHERE NOT EXISTS (
			SELECT 1 FROM ledger_journals j WHERE j.kind = ` + refundJournalKind + ` AND j.reference = r.id AND j.order_id = r.order_id)`},
	{"capture journal amount differs from the capture", `
		SELECT c.id FROM captures c JOIN ledger_journals j ON j.kind = 'capture' AND j.reference = c.id
		WHERE c.captured_amount <> (SELECT COALESCE(SUM(e.amount), 0) FROM ledger_entries e
			WHERE e.journal_id = j.id AND e.account = 'consumer_receivable:order:' || c.order_id)`},
	{"refund journal amount differs from the refund", `
		SELECT r.id FROM refunds r JOIN ledger_journals j ON j.kind = ` + refundJournalKind + ` AND j.reference = r.id
		WHERE -r.refunded_amount <> (SELECT COALESCE(SUM(e.amount), 0) FROM ledger_entries e
			WHERE e.journal_id = j.id AND e.account = 'consumer_receivable:order:' || r.order_id)`},
	{"receivable from captures and refunds differs from the order", `
		SELECT o.id FROM orders o
		WHERE o.captured_amount - o.refunded_amount <> (
			SELECT COALESCE(SUM(e.amount), 0) FROM ledger_entries e JOIN ledger_journals j ON j.id = e.journal_id
			WHERE j.order_id = o.id AND j.kind IN ('capture', 'refund', 'fraud_return') AND e.account = 'consumer_receivable:order:' || o.id)`},
	{"fraud policy journal differs from the refund's fraud policy amount", `
		SELECT r.id FROM refunds r JOIN orders o ON o.id = r.order_id
		WHERE r.kind = 'fraud' AND r.fraud_policy_amount <> -(
			SELECT COALESCE(SUM(e.amount), 0) FROM ledger_entries e JOIN ledger_journals j ON j.id = e.journal_id
			WHERE j.kind = 'fraud_policy' AND j.reference = r.id AND j.order_id = r.order_id AND e.account = 'merchant_payable:' || o.merchant_id)`},
	{"fraud policy journal without a fraud refund", `
		SELECT j.id || ' ' || j.reference FROM ledger_journals j
		WHERE j.kind = 'fraud_policy' AND NOT EXISTS (SELECT 1 FROM refunds r WHERE r.id = j.reference AND r.kind = 'fraud')`},
	{"fraud losses differ from the fraud policy amounts of fraud refunds", `
		SELECT c.currency FROM (
			SELECT e.currency FROM ledger_entries e WHERE e.account = 'fraud_losses:' || e.currency
			UNION SELECT o.purchase_currency FROM refunds r JOIN orders o ON o.id = r.order_id WHERE r.fraud_policy_amount <> 0) c
		WHERE (SELECT COALESCE(SUM(r.fraud_policy_amount), 0) FROM refunds r JOIN orders o ON o.id = r.order_id WHERE o.purchase_currency = c.currency) <> (
			SELECT COALESCE(SUM(e.amount), 0) FROM ledger_entries e WHERE e.account = 'fraud_losses:' || c.currency)`},
	{"payment plan differs from the order's receivable (instalments unpaid - credit)", `
		SELECT p.order_id FROM payment_plans p
		WHERE (SELECT COALESCE(SUM(i.amount - i.paid), 0) FROM plan_installments i WHERE i.order_id = p.order_id) - p.credit <> (
			SELECT COALESCE(SUM(e.amount), 0) FROM ledger_entries e JOIN ledger_journals j ON j.id = e.journal_id
			WHERE j.order_id = p.order_id AND e.account = 'consumer_receivable:order:' || p.order_id)`},
	{"payment plan principal differs from the order's captured less refunded", `
		SELECT p.order_id FROM payment_plans p JOIN orders o ON o.id = p.order_id
		WHERE o.captured_amount - o.refunded_amount <> (SELECT COALESCE(SUM(i.principal), 0) FROM plan_installments i WHERE i.order_id = p.order_id)`},
	{"instalment amounts out of range", `
		SELECT order_id || '#' || CAST(number AS TEXT) FROM plan_installments
		WHERE amount <> principal + interest + fee + late_fee OR paid < 0 OR paid > amount
		   OR principal < 0 OR interest < 0 OR fee < 0 OR late_fee < 0`},
	{"payment plan credit is negative", `SELECT order_id FROM payment_plans WHERE credit < 0`},
	{"consumer payment journal differs from its settled receipt", `
		SELECT j.reference FROM ledger_journals j WHERE j.kind = 'consumer_payment'
		AND EXISTS (SELECT 1 FROM payment_plans p WHERE p.order_id = j.order_id) AND NOT EXISTS (
			SELECT 1 FROM plan_payments r WHERE r.transfer_id = j.reference AND r.kind = 'payment' AND r.status = 'SETTLED'
			AND -r.amount = (SELECT COALESCE(SUM(e.amount), 0) FROM ledger_entries e WHERE e.journal_id = j.id AND e.account = 'consumer_receivable:order:' || r.order_id))`},
	{"payouts in transit differ from pending payouts", `
		SELECT r.currency FROM plan_payments r WHERE r.kind = 'payout' GROUP BY r.currency
		HAVING SUM(CASE WHEN r.status = 'PENDING' THEN r.amount ELSE 0 END) <> -(
			SELECT COALESCE(SUM(e.amount), 0) FROM ledger_entries e WHERE e.account = 'consumer_payouts_in_transit:' || r.currency)`},
	{"merchant payable from captures and refunds differs from the merchant's orders", `
		SELECT m.id FROM merchants m
		WHERE (SELECT COALESCE(SUM(o.captured_amount - o.refunded_amount), 0) FROM orders o WHERE o.merchant_id = m.id) <> -(
			SELECT COALESCE(SUM(e.amount), 0) FROM ledger_entries e JOIN ledger_journals j ON j.id = e.journal_id
			WHERE j.kind IN ('capture', 'refund', 'fraud_return') AND e.account = 'merchant_payable:' || m.id)`},
}

// Verify rebuilds every balance from the entries and checks them against each
// other and against the orders they belong to.
func Verify(ctx context.Context, db *store.DB) (Report, error) {
	var r Report
	err := db.Read(ctx, func(tx *store.Tx) error {
		r = Report{Problems: []string{}}
		if err := tx.QueryRow(`SELECT COUNT(*) FROM ledger_journals`).Scan(&r.Journals); err != nil {
			return err
		}
		if err := tx.QueryRow(`SELECT COUNT(*) FROM ledger_entries`).Scan(&r.Entries); err != nil {
			return err
		}
		if err := tx.QueryRow(`SELECT COUNT(*) FROM orders`).Scan(&r.Orders); err != nil {
			return err
		}
		for _, c := range checks {
			rows, err := tx.Query(c.query)
			if err != nil {
				return fmt.Errorf("ledger verify (%s): %w", c.label, err)
			}
			for rows.Next() {
				var what string
				if err := rows.Scan(&what); err != nil {
					rows.Close()
					return err
				}
				r.Problems = append(r.Problems, c.label+": "+what)
			}
			if err := rows.Close(); err != nil {
				return err
			}
		}
		return nil
	})
	return r, err
}
