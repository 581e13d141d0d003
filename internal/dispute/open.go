package dispute

import (
	"database/sql"
	"encoding/json"
	"errors"
	"github.com/tillit/tillit/internal/account"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/audit"
	"github.com/tillit/tillit/internal/checkout"
	"github.com/tillit/tillit/internal/i18n"
	"github.com/tillit/tillit/internal/ids"
	"github.com/tillit/tillit/internal/jobs"
	"github.com/tillit/tillit/internal/notify"
	"github.com/tillit/tillit/internal/outbox"
	"github.com/tillit/tillit/internal/store"
)

// checkText trims s and checks it is text of at most max characters;
// required refuses an empty one. Errors: BAD_VALUE naming field.
func checkText(field, s string, max int, required bool) (string, error) {
	s = strings.TrimSpace(s)
	switch {
	case required && s == "":
		return "", apperr.BadField(field, "is required")
	case !utf8.ValidString(s) || strings.ContainsRune(s, 0):
		return "", apperr.BadField(field, "must be text")
	case utf8.RuneCountInString(s) > max:
		return "", apperr.BadField(field, "must be at most %d characters", max)
	}
	return s, nil
}

// Open opens a dispute on one of the person's orders, in tx. actor names
// the consumer in the audit log and the timeline ("consumer:<account
// id>"); statement is what they say happened (optional, sealed, never sent
// to the merchant by webhook). It pauses the payment plan, tells the
// merchant (webhook dispute.opened and an e-mail to its owners and admins),
// sends the consumer a receipt by e-mail (the deadline, the paused plan
// and the next due date) and schedules the reminders and the deadline; an unauthorised purchase
// is referred to the fraud investigation instead of the merchant. Errors,
// each writing nothing: BAD_VALUE (reason, statement), NOT_FOUND (not the
// person's order), CodeAlreadyOpen, NOT_ALLOWED (nothing left to dispute:
// the order was cancelled or fully refunded).
func (s *Service) Open(tx *store.Tx, personID, actor, orderID string, reason Reason, statement string) (Dispute, error) {
	if !reason.Valid() {
		return Dispute{}, apperr.BadField("reason", "must be one of not_received, not_as_described, returned_not_refunded, unauthorised, wrong_invoice")
	}
	statement, err := checkText("statement", statement, MaxStatement, false)
	if err != nil {
		return Dispute{}, err
	}
	if personID == "" || actor == "" {
		return Dispute{}, errors.New("dispute: opening needs the person and the actor")
	}
	var (
		owner, merchantID, currency, status string
		amount, captured, refunded          int64
	)
	err = tx.QueryRow(`SELECT COALESCE(person_id, ''), merchant_id, purchase_currency, status, order_amount, captured_amount, refunded_amount FROM orders WHERE id = $1`, orderID).
		Scan(&owner, &merchantID, &currency, &status, &amount, &captured, &refunded)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && owner != personID) {
		return Dispute{}, apperr.New(apperr.NotFound, "No such order.")
	}
	if err != nil {
		return Dispute{}, err
	}
	var live int
	if err := tx.QueryRow(`SELECT COUNT(*) FROM disputes WHERE live_key = $1`, orderID).Scan(&live); err != nil {
		return Dispute{}, err
	}
	if live > 0 {
		return Dispute{}, apperr.New(CodeAlreadyOpen, "The order already has an open dispute.")
	}
	disputed := captured - refunded
	if captured == 0 && status == checkout.StatusAuthorized {
		disputed = amount
	}
	if disputed <= 0 {
		return Dispute{}, apperr.New(apperr.NotAllowed, "Nothing is left to pay on this order, so there is nothing to dispute.")
	}
	rc := s.cfg.For(reason)
	protected, exception, err := protection(tx, rc, orderID)
	if err != nil {
		return Dispute{}, err
	}
	id := ids.New()
	deadline := tx.Now.Add(rc.RespondWithin)
	d := Dispute{ID: id, personID: personID}
	sealed := ""
	if statement != "" {
		if sealed, err = s.vault.SealString(tx, d.subject(), ContextStatement, statement); err != nil {
			return Dispute{}, err
		}
	}
	st := AwaitingMerchant
	if reason == Unauthorised {
		st = Referred
	}
	if _, err := tx.Exec(`INSERT INTO disputes (id, order_id, person_id, merchant_id, live_key, reason, status, protected, exception, statement, amount, currency,
    created_at, deadline_at) VALUES ($1, $2, $3, $4, $2, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
		id, orderID, personID, merchantID, string(reason), string(st), protected, exception, sealed, disputed, currency,
		store.Micros(tx.Now), store.Micros(deadline)); err != nil {
		return Dispute{}, err
	}
	if d, err = load(tx, id); err != nil {
		return Dispute{}, err
	}
	if err := s.addEvent(tx, d, actor, EventOpened, statement); err != nil {
		return Dispute{}, err
	}
	if _, err := audit.Append(tx, actor, ActionOpened, orderID, map[string]any{"dispute_id": id, "reason": reason, "buyer_protection": protected,
		"exception": exception, "amount": disputed, "currency": currency, "deadline_at": deadline.Format(time.RFC3339)}); err != nil {
		return Dispute{}, err
	}
	if reason == Unauthorised {
		return s.refer(tx, d, actor, statement)
	}
	if err := s.pause(tx, d); err != nil {
		return Dispute{}, err
	}
	if _, err := notify.Enqueue(tx, merchantID, orderID, WebhookOpened, "", openedBody(d, tx.Now)); err != nil {
		return Dispute{}, err
	}
	if err := s.mailMerchant(tx, d, "dispute.mail.opened"); err != nil {
		return Dispute{}, err
	}
	if err := s.scheduleTimers(tx, d); err != nil {
		return Dispute{}, err
	}
	if err := s.mailConsumer(tx, d, mailOpened); err != nil {
		return Dispute{}, err
	}
	return s.open(tx, d)
}

// refer hands an unauthorised purchase to the fraud investigation: the
// Unauthorised hook opens the case, which holds the order's plan paused,
// and the dispute records it; without a case the dispute holds the plan
// paused itself.
func (s *Service) refer(tx *store.Tx, d Dispute, actor, statement string) (Dispute, error) {
	if s.Unauthorised != nil {
		caseID, err := s.Unauthorised(tx, d.personID, actor, d.OrderID, statement)
		if err != nil {
			return Dispute{}, err
		}
		d.FraudCaseID = caseID
		if err := d.save(tx); err != nil {
			return Dispute{}, err
		}
	}
	if d.FraudCaseID == "" {
		if err := s.pause(tx, d); err != nil {
			return Dispute{}, err
		}
	}
	if err := s.addEvent(tx, d, "system", EventReferred, ""); err != nil {
		return Dispute{}, err
	}
	if _, err := audit.Append(tx, "system", ActionReferred, d.OrderID, map[string]string{"dispute_id": d.ID, "fraud_case_id": d.FraudCaseID}); err != nil {
		return Dispute{}, err
	}
	if err := s.mailConsumer(tx, d, mailReferred); err != nil {
		return Dispute{}, err
	}
	return s.open(tx, d)
}

// openedBody is the dispute.opened webhook body: the order, the dispute,
// its reason and deadline; never what the consumer wrote.
func openedBody(d Dispute, now time.Time) []byte {
	b, err := json.Marshal(struct {
		EventID    string `json:"event_id"`
		EventType  string `json:"event_type"`
		OccurredAt string `json:"occurred_at"`
		OrderID    string `json:"order_id"`
		DisputeID  string `json:"dispute_id"`
		Reason     Reason `json:"reason"`
		Amount     int64  `json:"amount"`
		Currency   string `json:"currency"`
		DeadlineAt string `json:"deadline_at"`
	}{ids.New(), WebhookOpened, now.UTC().Format("2006-01-02T15:04:05.000Z"), d.OrderID, d.ID, d.Reason, d.Amount, d.Currency,
		d.DeadlineAt.UTC().Format("2006-01-02T15:04:05.000Z")})
	if err != nil { // cannot happen: strings and integers
		panic("dispute: encode webhook: " + err.Error())
	}
	return b
}

// scheduleTimers enqueues the reminders before the deadline and the
// deadline itself.
func (s *Service) scheduleTimers(tx *store.Tx, d Dispute) error {
	for i, before := range s.cfg.For(d.Reason).RemindBefore {
		at := d.DeadlineAt.Add(-before)
		if !at.After(tx.Now) {
			continue
		}
		if err := jobs.Enqueue(tx, jobs.Job{Kind: JobRemind, UniqueKey: JobRemind + ":" + d.ID + ":" + itoa(i), Payload: payload{d.ID}, RunAt: at}); err != nil {
			return err
		}
	}
	return jobs.Enqueue(tx, jobs.Job{Kind: JobDeadline, UniqueKey: JobDeadline + ":" + d.ID, Payload: payload{d.ID}, RunAt: d.DeadlineAt})
}

// addEvent appends an event to the dispute's timeline, its body sealed.
func (s *Service) addEvent(tx *store.Tx, d Dispute, actor, kind, body string) error {
	sealed := ""
	if body != "" {
		var err error
		if sealed, err = s.vault.SealString(tx, d.subject(), ContextEventBody, body); err != nil {
			return err
		}
	}
	_, err := tx.Exec(`INSERT INTO dispute_events (id, dispute_id, at, actor, kind, body) VALUES ($1, $2, $3, $4, $5, $6)`,
		ids.New(), d.ID, store.Micros(tx.Now), actor, kind, sealed)
	return err
}

// mailMerchant e-mails the merchant's active owners and admins about the
// dispute, in English (merchants choose no language yet): subject and body
// are the catalog keys key+".subject" and key+".body", with the order
// reference, reason, amount, deadline and outcome; never what the consumer
// wrote.
func (s *Service) mailMerchant(tx *store.Tx, d Dispute, key string) error {
	to, err := account.MerchantContacts(tx, d.MerchantID)
	if err != nil {
		return err
	}
	pr := i18n.Printer{Lang: i18n.Default}
	subject := pr.T(key+".subject", "reference", d.Reference)
	body := pr.T(key+".body", "reference", d.Reference, "reason", pr.T("dispute.reason."+string(d.Reason)),
		"amount", pr.Money(d.Amount, d.Currency), "deadline", d.DeadlineAt.UTC().Format("2006-01-02 15:04 UTC"),
		"outcome", pr.T("dispute.outcome."+string(d.Outcome)))
	for _, addr := range to {
		if _, err := outbox.Enqueue(tx, s.vault, s.lookupKey, outbox.Message{Channel: outbox.Email, To: addr, Subject: subject, Body: body}); err != nil {
			return err
		}
	}
	return nil
}
