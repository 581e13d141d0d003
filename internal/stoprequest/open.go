package stoprequest

import (
	"database/sql"
	"errors"
	"github.com/tillit/tillit/internal/account"
	"strings"
	"time"

	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/audit"
	"github.com/tillit/tillit/internal/i18n"
	"github.com/tillit/tillit/internal/ids"
	"github.com/tillit/tillit/internal/jobs"
	"github.com/tillit/tillit/internal/outbox"
	"github.com/tillit/tillit/internal/store"
)

// Job kinds.
const (
	// JobRemind reminds the merchant of an unanswered request.
	JobRemind = "stoprequest.remind"
	// JobDeadline marks an unanswered request overdue at its deadline.
	JobDeadline = "stoprequest.deadline"
	// JobRecall asks the carrier to recall a shipped parcel.
	JobRecall = "stoprequest.recall"
)

// Register installs the stop requests' job handlers on the runner.
func (s *Service) Register(r *jobs.Runner) {
	r.Register(JobRemind, s.remind)
	r.Register(JobDeadline, s.deadlinePassed)
	r.Register(JobRecall, s.recall)
}

// requestPayload is the payload of every stop-request job.
type requestPayload struct {
	RequestID string `json:"stop_request_id"`
}

// Opened opens the stop request of an order whose fraud status just became
// STOPPED, in tx, and returns the answer form's signed link (for the
// webhook). It e-mails the merchant's owners and admins and schedules the
// reminders and the deadline. An order that already has a stop request
// keeps it: Opened returns a fresh link to it and sends nothing.
func (s *Service) Opened(tx *store.Tx, orderID string) (string, error) {
	var existing string
	err := tx.QueryRow(`SELECT id FROM stop_requests WHERE order_id = $1`, orderID).Scan(&existing)
	if err == nil {
		r, err := load(tx, "", existing)
		if err != nil {
			return "", err
		}
		return s.FormURL(r), nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return "", err
	}
	var (
		merchantID, personID, currency string
		amount, captured, refunded     int64
	)
	err = tx.QueryRow(`SELECT merchant_id, COALESCE(person_id, ''), purchase_currency, order_amount, captured_amount, refunded_amount FROM orders WHERE id = $1`, orderID).
		Scan(&merchantID, &personID, &currency, &amount, &captured, &refunded)
	if errors.Is(err, sql.ErrNoRows) {
		return "", apperr.New(apperr.NoSuchOrder, "No order with id %q.", orderID)
	}
	if err != nil {
		return "", err
	}
	id := ids.New()
	deadline := tx.Now.Add(s.cfg.AnswerWithin)
	expires := tx.Now.Add(s.cfg.LinkValidFor)
	var person any
	if personID != "" {
		person = personID
	}
	if _, err := tx.Exec(`INSERT INTO stop_requests (id, order_id, merchant_id, person_id, status, amount, currency, created_at, deadline_at, link_expires_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		id, orderID, merchantID, person, StatusOpen, amount, currency, store.Micros(tx.Now), store.Micros(deadline), store.Micros(expires)); err != nil {
		return "", err
	}
	r, err := load(tx, "", id)
	if err != nil {
		return "", err
	}
	if _, err := audit.Append(tx, "system", ActionOpened, orderID, map[string]string{"stop_request_id": id, "deadline_at": deadline.Format(time.RFC3339)}); err != nil {
		return "", err
	}
	if err := s.mailMerchant(tx, r, "stoprequest.mail.opened"); err != nil {
		return "", err
	}
	if err := jobs.Enqueue(tx, jobs.Job{Kind: JobRemind, UniqueKey: JobRemind + ":" + id, Payload: requestPayload{id}, RunAt: tx.Now.Add(s.cfg.RemindAfter)}); err != nil {
		return "", err
	}
	if err := jobs.Enqueue(tx, jobs.Job{Kind: JobDeadline, UniqueKey: JobDeadline + ":" + id, Payload: requestPayload{id}, RunAt: deadline}); err != nil {
		return "", err
	}
	return s.FormURL(r), nil
}

// FormURL returns the signed link to a request's answer form, valid until
// the request's link expiry.
func (s *Service) FormURL(r Request) string {
	return strings.TrimRight(s.cfg.BaseURL, "/") + FormPath + s.links.Token(LinkPurpose, r.ID, r.LinkExpiresAt)
}

// mailMerchant e-mails the merchant's active owners and admins about the
// request, in English (merchants choose no language yet): subject and body
// are the catalog keys key+".subject" and key+".body", with the order
// reference, amount, deadline and form link; never anything about the
// consumer.
func (s *Service) mailMerchant(tx *store.Tx, r Request, key string) error {
	to, err := account.MerchantContacts(tx, r.MerchantID)
	if err != nil {
		return err
	}
	pr := i18n.Printer{Lang: i18n.Default}
	subject := pr.T(key+".subject", "reference", r.Reference)
	body := pr.T(key+".body", "reference", r.Reference, "amount", pr.Money(r.Amount, r.Currency),
		"deadline", r.DeadlineAt.UTC().Format("2006-01-02 15:04 UTC"), "link", s.FormURL(r))
	for _, addr := range to {
		if _, err := outbox.Enqueue(tx, s.vault, s.lookupKey, outbox.Message{Channel: outbox.Email, To: addr, Subject: subject, Body: body}); err != nil {
			return err
		}
	}
	return nil
}
