package stoprequest

import (
	"database/sql"
	"errors"

	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/audit"
	"github.com/tillit/tillit/internal/checkout"
	"github.com/tillit/tillit/internal/store"
)

// PolicyMet reports whether the fraud policy covers the merchant's loss on
// the order (T6): the merchant is covered by the policy and, when the order
// had a stop request, answered it before the deadline and did not ship
// without a tracking number. An unanswered request does not meet it.
func PolicyMet(tx *store.Tx, orderID string) (bool, error) {
	var covered bool
	err := tx.QueryRow(`SELECT m.fraud_policy_covered FROM orders o JOIN merchants m ON m.id = o.merchant_id WHERE o.id = $1`, orderID).Scan(&covered)
	if errors.Is(err, sql.ErrNoRows) {
		return false, apperr.New(apperr.NoSuchOrder, "No order with id %q.", orderID)
	}
	if err != nil || !covered {
		return false, err
	}
	r, found, err := ForOrder(tx, orderID)
	if err != nil || !found {
		return covered, err
	}
	return r.policyMet(), nil
}

// policyMet is PolicyMet's rule for an order with a stop request, the
// merchant being covered.
func (r Request) policyMet() bool {
	return r.AnsweredAt != nil && r.AnsweredInTime && !r.Details.NoTrackingNumber
}

// WriteOff cancels the consumer's claim on an order found fraudulent, in
// tx: checkout's FraudWriteOff takes the captured amount back from the
// merchant ("Return (fraud)") and, when PolicyMet, pays it back excluding
// VAT ("Fraud policy"). The order's stop request, if any, closes as
// written_off or reversed_to_merchant. actor is audited with the reason
// (codes or the staff's words, never personal data). Errors: NO_SUCH_ORDER,
// NOT_ALLOWED (already written off, or the invoice was already removed
// through the stop request).
func (s *Service) WriteOff(tx *store.Tx, actor, orderID, reason string) (checkout.FraudWriteOff, error) {
	r, found, err := ForOrder(tx, orderID)
	if err != nil {
		return checkout.FraudWriteOff{}, err
	}
	if found {
		if r.Status == StatusClosed {
			return checkout.FraudWriteOff{}, apperr.New(apperr.NotAllowed, "The order's stop request is closed (%s); there is no claim left to write off.", r.Outcome)
		}
		covered, err := PolicyMet(tx, orderID)
		if err != nil {
			return checkout.FraudWriteOff{}, err
		}
		return s.writeOff(tx, actor, &r, covered, reason)
	}
	met, err := PolicyMet(tx, orderID)
	if err != nil {
		return checkout.FraudWriteOff{}, err
	}
	w, err := s.checkout.FraudWriteOff(tx, orderID, met, "Return (fraud)")
	if err != nil {
		return w, err
	}
	_, err = audit.Append(tx, actor, ActionWrittenOff, orderID, map[string]any{"policy_met": met, "returned": w.Returned,
		"policy_amount": w.PolicyAmount, "currency": w.Currency, "reason": reason})
	return w, err
}

// writeOff writes off the order of request r and closes r.
func (s *Service) writeOff(tx *store.Tx, actor string, r *Request, policyMet bool, reason string) (checkout.FraudWriteOff, error) {
	w, err := s.checkout.FraudWriteOff(tx, r.OrderID, policyMet, "Return (fraud)")
	if err != nil {
		return w, err
	}
	outcome := OutcomeReversed
	if policyMet {
		outcome = OutcomeWrittenOff
	}
	r.close(tx.Now, outcome)
	if err := r.save(tx); err != nil {
		return w, err
	}
	_, err = audit.Append(tx, actor, ActionWrittenOff, r.OrderID, map[string]any{"stop_request_id": r.ID, "policy_met": policyMet,
		"returned": w.Returned, "policy_amount": w.PolicyAmount, "currency": w.Currency, "reason": reason})
	return w, err
}
