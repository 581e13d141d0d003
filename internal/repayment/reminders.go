package repayment

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/i18n"
	"github.com/tillit/tillit/internal/jobs"
	"github.com/tillit/tillit/internal/ledger"
	"github.com/tillit/tillit/internal/money"
	"github.com/tillit/tillit/internal/outbox"
	"github.com/tillit/tillit/internal/plan"
	"github.com/tillit/tillit/internal/store"
)

// Job kinds of the plan timers.
const (
	// JobReminder is one reminder of one instalment (before or after its due
	// date); overdue reminders may charge a late fee.
	JobReminder = "repayment.reminder"
	// JobStatement issues a financing plan's monthly statement.
	JobStatement = "repayment.statement"
)

// Reminder kinds.
const (
	reminderBefore  = "before"
	reminderOverdue = "overdue"
)

// reminderPayload names one reminder: the instalment, the due date it was
// planned for (a moved due date makes it stale) and which reminder it is.
type reminderPayload struct {
	OrderID string `json:"order_id"`
	Number  int    `json:"number"`
	Due     int64  `json:"due"`
	Kind    string `json:"kind"`
	Step    int    `json:"step"`
}

// Register installs repayment's job handlers on the runner.
func (s *Service) Register(r *jobs.Runner) {
	r.Register(JobReminder, s.remind)
	r.Register(JobStatement, s.statement)
	r.Register(JobPayoutRetry, s.retryPayout)
}

// scheduleReminders enqueues the reminders of the given instalments at their
// current due dates. Each reminder has a unique key per instalment, kind and
// step, so enqueuing again after a due date moved replaces the old timer.
func (s *Service) scheduleReminders(tx *store.Tx, p *planRow, ins []plan.Installment) error {
	for _, in := range ins {
		if in.Unpaid() == 0 {
			continue
		}
		enqueue := func(kind string, step int, at time.Time) error {
			if !at.After(tx.Now) {
				return nil
			}
			return jobs.Enqueue(tx, jobs.Job{
				Kind:      JobReminder,
				UniqueKey: fmt.Sprintf("%s:%s:%d:%s:%d", JobReminder, p.OrderID, in.Number, kind, step),
				Payload:   reminderPayload{OrderID: p.OrderID, Number: in.Number, Due: store.Micros(in.Due), Kind: kind, Step: step},
				RunAt:     at,
			})
		}
		if d := s.Config.ReminderDaysBefore; d > 0 {
			if err := enqueue(reminderBefore, 0, plan.AddDays(in.Due, -d)); err != nil {
				return err
			}
		}
		for step, d := range s.Config.OverdueDays {
			if err := enqueue(reminderOverdue, step, plan.AddDays(in.Due, d)); err != nil {
				return err
			}
		}
	}
	return nil
}

// remind sends one reminder, unless the instalment was paid, its due date
// moved or the plan is paused. An overdue reminder charges the configured
// late fee while the order's total late fees stay within the cap.
func (s *Service) remind(ctx context.Context, payload []byte) error {
	var j reminderPayload
	if err := decodePayload(payload, &j); err != nil {
		return err
	}
	return s.DB.Write(ctx, func(tx *store.Tx) error {
		p, err := loadPlan(tx, j.OrderID)
		if err != nil {
			return jobs.Drop(err)
		}
		in, ok := p.installment(j.Number)
		if !ok || in.Unpaid() == 0 || store.Micros(in.Due) != j.Due || p.paused(tx.Now) {
			return nil
		}
		if j.Kind == reminderBefore {
			return s.notifyConsumer(tx, p, "reminder_before", func(pr i18n.Printer) []paragraph {
				return []paragraph{para("mail.reminder_before.body", "amount", pr.Money(in.Unpaid(), p.Currency), "date", pr.Date(in.Due))}
			})
		}
		fee := min(s.Config.LateFee[p.Currency], s.Config.LateFeeCap[p.Currency]-p.LateFees)
		if fee > 0 {
			if err := ledger.LateFee(tx, fmt.Sprintf("%s:%d:%d", p.OrderID, j.Number, j.Step), p.OrderID, p.Currency, fee); err != nil {
				return err
			}
			var err error
			if in.Fee, err = money.Add(in.Fee, fee); err != nil {
				return err
			}
			in.Amount += fee
			p.Schedule.Fees += fee
			p.Schedule.Total += fee
			p.late[in.Number] += fee
			p.LateFees += fee
			if err := s.settle(tx, p); err != nil {
				return err
			}
		}
		return s.notifyConsumer(tx, p, "reminder_overdue", func(pr i18n.Printer) []paragraph {
			out := []paragraph{para("mail.reminder_overdue.body", "amount", pr.Money(in.Unpaid(), p.Currency))}
			if fee > 0 {
				out = append(out, para("mail.reminder_overdue.fee", "fee", pr.Money(fee, p.Currency)))
			}
			return out
		})
	})
}

// MaxPauseDays is the longest single pause.
const MaxPauseDays = plan.MaxPauseDays

// Pause holds an order's plan paused for holder, which names what pauses it
// ("dispute:<id>", "return:<id>", "fraud_case:<id>"): a new hold ends days
// from now, and a holder pausing again extends its own hold by days from
// its current end. The plan is paused until the latest end of its live
// holds, with no reminders or late fees before then; the unpaid instalments
// due from today move by how much that end moved later (days when the plan
// was not paused), so overlapping holds never move them twice. Errors:
// NO_SUCH_ORDER, BAD_VALUE (holder, days).
func (s *Service) Pause(tx *store.Tx, orderID, holder string, days int) error {
	if holder == "" {
		return apperr.BadField("holder", "must name what pauses the plan")
	}
	if days <= 0 || days > MaxPauseDays {
		return apperr.BadField("days", "must be 1..%d, got %d", MaxPauseDays, days)
	}
	p, err := loadPlan(tx, orderID)
	if err != nil {
		return err
	}
	from := tx.Now
	var own int64
	err = tx.QueryRow(`SELECT until FROM plan_pauses WHERE order_id = $1 AND holder = $2`, orderID, holder).Scan(&own)
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return err
	case own > store.Micros(tx.Now):
		from = store.FromMicros(own)
	}
	if _, err := tx.Exec(`INSERT INTO plan_pauses (order_id, holder, until, created_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (order_id, holder) DO UPDATE SET until = excluded.until`,
		orderID, holder, store.Micros(plan.AddDays(from, days)), store.Micros(tx.Now)); err != nil {
		return err
	}
	return s.applyHolds(tx, p)
}

// ConsumerPauseDays is how long a consumer's own pause of an order's
// payments lasts: time to sort a problem out with the shop before a return
// or a dispute takes over.
const ConsumerPauseDays = 14

// consumerHolder is the holder of a consumer's own pause.
const consumerHolder = "consumer"

// ConsumerPause pauses an order's payments at its consumer's request for
// ConsumerPauseDays, once per order: asking again changes nothing and
// reports false. The caller checks the order is the consumer's. Errors:
// NO_SUCH_ORDER.
func (s *Service) ConsumerPause(tx *store.Tx, orderID string) (bool, error) {
	var one int
	err := tx.QueryRow(`SELECT 1 FROM plan_pauses WHERE order_id = $1 AND holder = $2`, orderID, consumerHolder).Scan(&one)
	if err == nil {
		return false, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return false, err
	}
	return true, s.Pause(tx, orderID, consumerHolder, ConsumerPauseDays)
}

// Resume ends holder's hold on an order's plan. The plan stays paused while
// another live hold remains (until that hold's end); when none remains it
// resumes. Due dates already moved stay where they are, so nothing is
// charged for the paused time. A holder without a hold changes nothing.
// Errors: NO_SUCH_ORDER.
func (s *Service) Resume(tx *store.Tx, orderID, holder string) error {
	p, err := loadPlan(tx, orderID)
	if err != nil {
		return err
	}
	res, err := tx.Exec(`DELETE FROM plan_pauses WHERE order_id = $1 AND holder = $2`, orderID, holder)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return err
	}
	return s.applyHolds(tx, p)
}

// applyHolds forgets the plan's expired holds, pauses the plan until the
// latest end of the live ones (not paused when none is left) and, when that
// end moved later than the plan's current pause (or today, when it was not
// paused), moves the unpaid instalments due from today by as many days and
// schedules their reminders again.
func (s *Service) applyHolds(tx *store.Tx, p *planRow) error {
	now := store.Micros(tx.Now)
	if _, err := tx.Exec(`DELETE FROM plan_pauses WHERE order_id = $1 AND until <= $2`, p.OrderID, now); err != nil {
		return err
	}
	var until sql.NullInt64
	if err := tx.QueryRow(`SELECT MAX(until) FROM plan_pauses WHERE order_id = $1`, p.OrderID).Scan(&until); err != nil {
		return err
	}
	from := plan.Date(tx.Now)
	if p.paused(tx.Now) {
		from = plan.Date(store.FromMicros(p.PausedUntil.Int64).UTC())
	}
	shift := 0
	if until.Valid {
		shift = int(plan.Date(store.FromMicros(until.Int64).UTC()).Sub(from) / (24 * time.Hour))
	}
	if shift > 0 {
		sched, err := plan.Pause(p.Schedule, tx.Now, shift)
		if err != nil {
			return err
		}
		p.Schedule = sched
	}
	p.PausedUntil = until
	if err := p.save(tx); err != nil {
		return err
	}
	if shift == 0 {
		return nil
	}
	return s.scheduleReminders(tx, p, p.Schedule.Installments)
}

// paragraph is one message of an e-mail: a catalog key and its placeholder
// values (name, value, ...); {reference} is always the order reference.
type paragraph struct {
	key  string
	args []any
}

// para returns a paragraph.
func para(key string, args ...any) paragraph { return paragraph{key, args} }

// notifyConsumer e-mails the consumer of the plan through the outbox, in the
// language of the order's locale: subject is the catalog key "mail.<kind>.subject"
// and the body the given paragraphs. Amounts are formatted by the caller with
// the Printer passed to build.
func (s *Service) notifyConsumer(tx *store.Tx, p *planRow, kind string, build func(pr i18n.Printer) []paragraph) error {
	to, ok, err := outbox.OrderRecipient(tx, s.Vault, p.OrderID)
	if err != nil || !ok {
		return err // no address to write to when !ok: an erased person
	}
	pr := i18n.Printer{Lang: to.Lang}
	var body []string
	for _, pg := range build(pr) {
		body = append(body, pr.T(pg.key, append([]any{"reference", to.Reference}, pg.args...)...))
	}
	_, err = outbox.Enqueue(tx, s.Vault, s.LookupKey, outbox.Message{Channel: outbox.Email, To: to.Email, PersonID: to.PersonID,
		Subject: pr.T("mail." + kind + ".subject"), Body: strings.Join(body, "\n\n")})
	return err
}
