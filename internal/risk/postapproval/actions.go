package postapproval

import (
	"errors"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/tillit/tillit/internal/account"
	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/audit"
	"github.com/tillit/tillit/internal/checkout"
	"github.com/tillit/tillit/internal/i18n"
	"github.com/tillit/tillit/internal/outbox"
	"github.com/tillit/tillit/internal/store"
)

// Action is what an analyst does with a review.
type Action string

// Analysts' actions; each needs a reason.
const (
	// Clear closes the review; the order stays approved.
	Clear Action = "clear"
	// Contact asks the customer to verify the purchase in the app; their
	// answer puts the review back in the queue. Only an open review.
	Contact Action = "contact"
	// Reject sets the order's fraud status REJECTED (the merchant is told
	// FRAUD_RISK_REJECTED) and cancels its authorization.
	Reject Action = "reject"
	// Stop sets the order's fraud status STOPPED (the merchant is told
	// FRAUD_RISK_STOPPED and must not ship).
	Stop Action = "stop"
)

// Actions lists the analysts' actions.
var Actions = []Action{Clear, Contact, Reject, Stop}

// Valid reports whether a is a known action.
func (a Action) Valid() bool {
	return a == Clear || a == Contact || a == Reject || a == Stop
}

// MaxReason is the longest reason an analyst may give, in characters.
const MaxReason = 500

// Codes of the errors particular to reviews, besides apperr's BAD_VALUE,
// NOT_FOUND, FORBIDDEN and NOT_ALLOWED.
const (
	// CodeChanged: the review changed (an action, a new signal, the
	// customer's answer) since the version the analyst saw; nothing was
	// done.
	CodeChanged = "REVIEW_CHANGED"
)

// Audit actions; the subject is the order, the details name the review and
// carry the analyst's reason.
const (
	ActionCleared   = "risk_review.cleared"
	ActionContacted = "risk_review.customer_contacted"
	ActionRejected  = "risk_review.rejected"
	ActionStopped   = "risk_review.stopped"
	// ActionAnswered is the customer answering a verification request
	// (actor "consumer:<account id>" from the app; no note in the details).
	ActionAnswered = "risk_review.answered"
)

// errForbidden answers a role that may not work reviews.
var errForbidden = apperr.New(apperr.Forbidden, "Your role may not work post-approval reviews.")

// Act records an analyst's action on the review at the version they saw,
// with their reason (audited, in their words; it must not hold the
// customer's personal data), in tx. Errors, each writing nothing:
// BAD_VALUE (action, reason), FORBIDDEN (role), NOT_FOUND, CodeChanged
// (stale version), NOT_ALLOWED (the review is closed, or contacting a
// customer who was already asked).
func (s *Service) Act(tx *store.Tx, st account.Staff, id string, version int64, action Action, reason string) (Review, error) {
	reason = strings.TrimSpace(reason)
	switch {
	case !MayWork(st.Role):
		return Review{}, errForbidden
	case !action.Valid():
		return Review{}, apperr.BadField("action", "must be clear, contact, reject or stop")
	case reason == "":
		return Review{}, apperr.BadField("reason", "is required")
	case !utf8.ValidString(reason) || strings.ContainsRune(reason, 0):
		return Review{}, apperr.BadField("reason", "must be text")
	case utf8.RuneCountInString(reason) > MaxReason:
		return Review{}, apperr.BadField("reason", "must be at most %d characters", MaxReason)
	case st.ID == "":
		return Review{}, errors.New("postapproval: an action needs a member of staff")
	}
	r, _, err := load(tx, id)
	if err != nil {
		return Review{}, err
	}
	switch {
	case r.Version != version:
		return Review{}, apperr.New(CodeChanged, "The review changed since you opened it; review it again.")
	case !r.Status.Live() || (action == Contact && r.Status != StatusOpen):
		return Review{}, apperr.New(apperr.NotAllowed, "The review is %s.", r.Status)
	}
	actor := "staff:" + st.ID
	now := store.Micros(tx.Now)
	var auditAction string
	switch action {
	case Clear:
		r.Status, auditAction = StatusCleared, ActionCleared
		err = s.close(tx, &r, actor)
	case Contact:
		r.Status, auditAction = StatusAwaitingCustomer, ActionContacted
		if err = s.askCustomer(tx, r); err == nil {
			err = tx.ExecOne(`UPDATE risk_reviews SET status = $1, asked_at = $2, answered_at = NULL, answer = '', answer_note = '',
				updated_at = $2, updated_by = $3, version = version + 1 WHERE id = $4 AND version = $5`,
				string(r.Status), now, actor, r.ID, r.Version)
		}
	case Reject, Stop:
		status, fraud := StatusRejected, checkout.FraudRejected
		auditAction = ActionRejected
		if action == Stop {
			status, fraud, auditAction = StatusStopped, checkout.FraudStopped, ActionStopped
		}
		r.Status = status
		if err = s.close(tx, &r, actor); err == nil {
			err = s.confirm(tx, actor, r, fraud)
		}
	}
	if err != nil {
		return Review{}, err
	}
	r.Version++
	_, err = audit.Append(tx, actor, auditAction, r.OrderID, map[string]string{
		"review_id": r.ID, "order_id": r.OrderID, "reason": reason, "version": strconv.FormatInt(r.Version, 10),
	})
	return r, err
}

// close ends a review with r.Status.
func (s *Service) close(tx *store.Tx, r *Review, actor string) error {
	return tx.ExecOne(`UPDATE risk_reviews SET status = $1, open_key = NULL, closed_at = $2, closed_by = $3, updated_at = $2, updated_by = $3,
		version = version + 1 WHERE id = $4 AND version = $5`, string(r.Status), store.Micros(tx.Now), actor, r.ID, r.Version)
}

// confirm sets the order's fraud status (checkout notifies the merchant),
// cancels a rejected order's authorization when nothing was captured, and
// treats the order as confirmed fraud (FraudConfirmed).
func (s *Service) confirm(tx *store.Tx, actor string, r Review, fraud string) error {
	if err := s.checkout.SetFraudStatus(tx, r.OrderID, fraud); err != nil {
		return err
	}
	if fraud == checkout.FraudRejected {
		err := s.checkout.Cancel(tx, "", r.OrderID)
		if err != nil && apperr.Code(err) != apperr.CancelNotAllowed {
			return err
		}
	}
	_, err := s.FraudConfirmed(tx, actor, r.OrderID, r.Status)
	return err
}

// askCustomer mails the order's customer a verification request through
// the outbox, in the order's language. An order whose customer cannot be
// reached (erased, or no address) is still marked asked: the analyst sees
// no answer coming.
func (s *Service) askCustomer(tx *store.Tx, r Review) error {
	to, ok, err := outbox.OrderRecipient(tx, s.vault, r.OrderID)
	if err != nil || !ok {
		return err
	}
	var merchantName, currency string
	var amount int64
	if err := tx.QueryRow(`SELECT o.order_amount, o.purchase_currency, m.name FROM orders o
		JOIN merchants m ON m.id = o.merchant_id WHERE o.id = $1`, r.OrderID).Scan(&amount, &currency, &merchantName); err != nil {
		return err
	}
	pr := i18n.Printer{Lang: to.Lang}
	body := pr.T("riskreview.mail.body", "merchant", merchantName, "reference", to.Reference, "amount", pr.Money(amount, currency))
	_, err = outbox.Enqueue(tx, s.vault, s.lookupKey, outbox.Message{Channel: outbox.Email, To: to.Email, PersonID: to.PersonID,
		Subject: pr.T("riskreview.mail.subject"), Body: body})
	return err
}
