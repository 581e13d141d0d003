package repayment

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"time"

	"github.com/tillit/tillit/internal/i18n"
	"github.com/tillit/tillit/internal/ids"
	"github.com/tillit/tillit/internal/jobs"
	"github.com/tillit/tillit/internal/ledger"
	"github.com/tillit/tillit/internal/plan"
	"github.com/tillit/tillit/internal/store"
)

// statementPayload names the period a statement job covers.
type statementPayload struct {
	OrderID     string `json:"order_id"`
	PeriodStart int64  `json:"period_start"`
}

// scheduleStatement enqueues the statement of the month starting at start; it
// runs when that month ends.
func (s *Service) scheduleStatement(tx *store.Tx, p *planRow, start time.Time) error {
	return jobs.Enqueue(tx, jobs.Job{
		Kind:      JobStatement,
		UniqueKey: JobStatement + ":" + p.OrderID,
		Payload:   statementPayload{OrderID: p.OrderID, PeriodStart: store.Micros(start)},
		RunAt:     plan.AddMonths(start, 1),
	})
}

// Statement is one monthly financing statement. Balances are what the
// consumer owes (the order's receivable in the ledger); closing =
// opening + charges - payments - reductions, where charges are captures,
// interest, fees and late fees, and reductions are refunds, waived charges
// and money paid back, net.
type Statement struct {
	ID             string     `json:"id"`
	OrderID        string     `json:"order_id"`
	PeriodStart    time.Time  `json:"period_start"`
	PeriodEnd      time.Time  `json:"period_end"`
	OpeningBalance int64      `json:"opening_balance"`
	Charges        int64      `json:"charges"`
	Payments       int64      `json:"payments"`
	Reductions     int64      `json:"reductions"`
	ClosingBalance int64      `json:"closing_balance"`
	NextDueDate    *time.Time `json:"next_due_date,omitempty"`
	NextDueAmount  int64      `json:"next_due_amount"`
	// Final is set on the statement that closes the credit at zero.
	Final bool `json:"final"`
}

// receivableBefore sums the order's receivable entries of journals posted
// before t, restricted to kinds when any are given.
func receivableBefore(tx *store.Tx, orderID string, from, to time.Time, kinds ...string) (int64, error) {
	q := `SELECT COALESCE(SUM(e.amount), 0) FROM ledger_entries e JOIN ledger_journals j ON j.id = e.journal_id
		WHERE j.order_id = $1 AND e.account = $2 AND j.created_at >= $3 AND j.created_at < $4`
	args := []any{orderID, ledger.ReceivableAccount(orderID), store.Micros(from), store.Micros(to)}
	if len(kinds) > 0 {
		q += ` AND j.kind IN (`
		for i, k := range kinds {
			if i > 0 {
				q += `, `
			}
			args = append(args, k)
			q += "$" + strconv.Itoa(len(args))
		}
		q += `)`
	}
	var sum int64
	err := tx.QueryRow(q, args...).Scan(&sum)
	return sum, err
}

// statement issues the statement of one month from the ledger and, unless it
// is the final one, schedules the next.
func (s *Service) statement(ctx context.Context, payload []byte) error {
	var j statementPayload
	if err := decodePayload(payload, &j); err != nil {
		return err
	}
	return s.DB.Write(ctx, func(tx *store.Tx) error {
		p, err := loadPlan(tx, j.OrderID)
		if err != nil {
			return jobs.Drop(err)
		}
		start := store.FromMicros(j.PeriodStart).UTC()
		end := plan.AddMonths(start, 1)
		var epoch time.Time
		st := Statement{ID: ids.New(), OrderID: p.OrderID, PeriodStart: start, PeriodEnd: end}
		if st.OpeningBalance, err = receivableBefore(tx, p.OrderID, epoch, start); err != nil {
			return err
		}
		if st.ClosingBalance, err = receivableBefore(tx, p.OrderID, epoch, end); err != nil {
			return err
		}
		if st.Charges, err = receivableBefore(tx, p.OrderID, start, end, ledger.KindCapture, ledger.KindCreditCharges, ledger.KindLateFee); err != nil {
			return err
		}
		paid, err := receivableBefore(tx, p.OrderID, start, end, ledger.KindConsumerPayment)
		if err != nil {
			return err
		}
		st.Payments = -paid
		st.Reductions = st.OpeningBalance + st.Charges - st.Payments - st.ClosingBalance
		if unpaid := p.unpaidInOrder(); len(unpaid) > 0 {
			st.NextDueDate, st.NextDueAmount = &unpaid[0].Due, unpaid[0].Unpaid()
		}
		open, err := orderOpen(tx, p.OrderID)
		if err != nil {
			return err
		}
		st.Final = st.ClosingBalance == 0 && st.NextDueDate == nil && !open
		var next any
		if st.NextDueDate != nil {
			next = store.Micros(*st.NextDueDate)
		}
		if _, err := tx.Exec(`INSERT INTO plan_statements (id, order_id, period_start, period_end, opening_balance, charges, payments, reductions,
			closing_balance, next_due_date, next_due_amount, final, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
			st.ID, st.OrderID, store.Micros(start), store.Micros(end), st.OpeningBalance, st.Charges, st.Payments, st.Reductions,
			st.ClosingBalance, next, st.NextDueAmount, st.Final, store.Micros(tx.Now)); err != nil {
			if store.IsUniqueViolation(err) {
				return nil // already issued
			}
			return err
		}
		err = s.notifyConsumer(tx, p, "statement", func(pr i18n.Printer) []paragraph {
			out := []paragraph{para("mail.statement.body", "amount", pr.Money(st.ClosingBalance, p.Currency))}
			switch {
			case st.NextDueDate != nil:
				out = append(out, para("mail.statement.next", "amount", pr.Money(st.NextDueAmount, p.Currency), "date", pr.Date(*st.NextDueDate)))
			case st.Final:
				out = append(out, para("mail.statement.closed"))
			}
			return out
		})
		if err != nil {
			return err
		}
		if st.Final {
			return nil
		}
		return s.scheduleStatement(tx, p, end)
	})
}

// Statements returns a plan's statements, oldest first.
func (s *Service) Statements(ctx context.Context, orderID string) ([]Statement, error) {
	var out []Statement
	err := s.DB.Read(ctx, func(tx *store.Tx) error {
		rows, err := tx.Query(`SELECT id, order_id, period_start, period_end, opening_balance, charges, payments, reductions, closing_balance,
			next_due_date, next_due_amount, final FROM plan_statements WHERE order_id = $1 ORDER BY period_start`, orderID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var (
				st         Statement
				start, end int64
				next       sql.NullInt64
			)
			if err := rows.Scan(&st.ID, &st.OrderID, &start, &end, &st.OpeningBalance, &st.Charges, &st.Payments, &st.Reductions,
				&st.ClosingBalance, &next, &st.NextDueAmount, &st.Final); err != nil {
				return err
			}
			st.PeriodStart, st.PeriodEnd = store.FromMicros(start).UTC(), store.FromMicros(end).UTC()
			if next.Valid {
				d := store.FromMicros(next.Int64).UTC()
				st.NextDueDate = &d
			}
			out = append(out, st)
		}
		return rows.Err()
	})
	if errors.Is(err, sql.ErrNoRows) {
		err = nil
	}
	return out, err
}
