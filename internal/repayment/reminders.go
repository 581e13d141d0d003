package repayment

import (
	"context"
	"encoding/json"
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
	"github.com/tillit/tillit/internal/person"
	"github.com/tillit/tillit/internal/plan"
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/vault"
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

// Pause pauses an order's plan for days from now (a dispute or a return):
// every unpaid instalment due from today moves by days, and no reminders or
// late fees happen until the pause ends. Pausing a paused plan extends the
// pause. Errors: NO_SUCH_ORDER, BAD_VALUE.
func (s *Service) Pause(tx *store.Tx, orderID string, days int) error {
	p, err := loadPlan(tx, orderID)
	if err != nil {
		return err
	}
	sched, err := plan.Pause(p.Schedule, tx.Now, days)
	if err != nil {
		return err
	}
	p.Schedule = sched
	until := plan.AddDays(tx.Now, days)
	if p.PausedUntil.Valid && p.PausedUntil.Int64 > store.Micros(tx.Now) {
		until = plan.AddDays(store.FromMicros(p.PausedUntil.Int64), days)
	}
	p.PausedUntil.Valid, p.PausedUntil.Int64 = true, store.Micros(until)
	if err := p.save(tx); err != nil {
		return err
	}
	return s.scheduleReminders(tx, p, p.Schedule.Installments)
}

// Resume ends a pause early. The moved due dates stay where the pause put
// them, so nothing is charged for the paused time. Errors: NO_SUCH_ORDER,
// NOT_ALLOWED (not paused).
func (s *Service) Resume(tx *store.Tx, orderID string) error {
	p, err := loadPlan(tx, orderID)
	if err != nil {
		return err
	}
	if !p.paused(tx.Now) {
		return apperr.New(apperr.NotAllowed, "The payment plan is not paused.")
	}
	p.PausedUntil.Valid = false
	return p.save(tx)
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
	var reference, personID, consumer string
	if err := tx.QueryRow(`SELECT reference, COALESCE(person_id, ''), consumer FROM orders WHERE id = $1`, p.OrderID).Scan(&reference, &personID, &consumer); err != nil {
		return err
	}
	raw, err := s.Vault.Open(tx, personID, person.ContextConsumer, consumer)
	if errors.Is(err, vault.ErrShredded) {
		return nil // an erased person: no address to write to
	}
	if err != nil {
		return err
	}
	var c struct {
		BillingAddress struct {
			Email string `json:"email"`
		} `json:"billing_address"`
	}
	if err := json.Unmarshal(raw, &c); err != nil || c.BillingAddress.Email == "" {
		return err // no address to write to
	}
	lang, ok := i18n.Parse(p.Locale)
	if !ok {
		lang = i18n.Default
	}
	pr := i18n.Printer{Lang: lang}
	var body []string
	for _, pg := range build(pr) {
		body = append(body, pr.T(pg.key, append([]any{"reference", reference}, pg.args...)...))
	}
	_, err = outbox.Enqueue(tx, s.Vault, s.LookupKey, outbox.Message{Channel: outbox.Email, To: c.BillingAddress.Email, PersonID: personID,
		Subject: pr.T("mail." + kind + ".subject"), Body: strings.Join(body, "\n\n")})
	return err
}
