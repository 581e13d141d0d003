package dispute

import (
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"github.com/tillit/tillit/internal/i18n"
	"github.com/tillit/tillit/internal/ids"
	"github.com/tillit/tillit/internal/outbox"
	"github.com/tillit/tillit/internal/store"
)

// WebhookClosed is the webhook event type sent when a dispute closes.
const WebhookClosed = "dispute.closed"

// Consumer e-mail kinds: the catalog keys are "dispute.consumer_mail.<kind>.subject"
// and ".body".
const (
	mailOpened   = "opened"
	mailReferred = "referred"
	mailAccepted = "accepted"
	mailWon      = "consumer_won"
	mailLost     = "merchant_won"
)

// mailConsumer e-mails the order's consumer about their dispute, through
// the outbox, in the language of the order: the reference, reason,
// amount, the merchant's deadline, the date the payments are paused until
// and the next due date. An erased person, or an order without an e-mail
// address, gets nothing.
func (s *Service) mailConsumer(tx *store.Tx, d Dispute, kind string) error {
	to, ok, err := outbox.OrderRecipient(tx, s.vault, d.OrderID)
	if err != nil || !ok {
		return err
	}
	pr := i18n.Printer{Lang: to.Lang}
	paused, due, err := planDates(tx, d.OrderID)
	if err != nil {
		return err
	}
	dateOr := func(t *time.Time) string {
		if t == nil {
			return pr.T("dispute.consumer_mail.no_date")
		}
		return pr.Date(*t)
	}
	key := "dispute.consumer_mail." + kind
	body := pr.T(key+".body", "reference", d.Reference, "reason", pr.T("dispute.reason."+string(d.Reason)),
		"amount", pr.Money(d.Amount, d.Currency), "refunded", pr.Money(d.Refunded, d.Currency),
		"deadline", pr.Date(d.DeadlineAt), "paused_until", dateOr(paused), "due", dateOr(due))
	_, err = outbox.Enqueue(tx, s.vault, s.lookupKey, outbox.Message{Channel: outbox.Email, To: to.Email, PersonID: to.PersonID,
		Subject: pr.T(key+".subject", "reference", d.Reference), Body: body})
	return err
}

// planDates returns the date the order's plan is paused until (nil when
// it is not paused) and the due date of its next unpaid instalment (nil
// when none is left).
func planDates(tx *store.Tx, orderID string) (paused, due *time.Time, err error) {
	var until, next sql.NullInt64
	err = tx.QueryRow(`SELECT paused_until FROM payment_plans WHERE order_id = $1`, orderID).Scan(&until)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, nil, err
	}
	if err := tx.QueryRow(`SELECT MIN(due_date) FROM plan_installments WHERE order_id = $1 AND paid < amount`, orderID).Scan(&next); err != nil {
		return nil, nil, err
	}
	if until.Valid && until.Int64 > store.Micros(tx.Now) {
		t := store.FromMicros(until.Int64)
		paused = &t
	}
	if next.Valid {
		t := store.FromMicros(next.Int64)
		due = &t
	}
	return paused, due, nil
}

// closedBody is the dispute.closed webhook body: the order, the dispute,
// its outcome, resolution and the amount refunded; never what the
// consumer wrote.
func closedBody(d Dispute, now time.Time) []byte {
	b, err := json.Marshal(struct {
		EventID        string     `json:"event_id"`
		EventType      string     `json:"event_type"`
		OccurredAt     string     `json:"occurred_at"`
		OrderID        string     `json:"order_id"`
		DisputeID      string     `json:"dispute_id"`
		Reason         Reason     `json:"reason"`
		Outcome        Outcome    `json:"outcome"`
		Resolution     Resolution `json:"resolution,omitempty"`
		Amount         int64      `json:"amount"`
		RefundedAmount int64      `json:"refunded_amount"`
		Currency       string     `json:"currency"`
	}{ids.New(), WebhookClosed, now.UTC().Format("2006-01-02T15:04:05.000Z"), d.OrderID, d.ID, d.Reason, d.Outcome, d.Resolution,
		d.Amount, d.Refunded, d.Currency})
	if err != nil { // cannot happen: strings and integers
		panic("dispute: encode webhook: " + err.Error())
	}
	return b
}
