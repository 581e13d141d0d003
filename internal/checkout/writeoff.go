package checkout

import (
	"errors"
	"math/bits"

	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/ids"
	"github.com/tillit/tillit/internal/ledger"
	"github.com/tillit/tillit/internal/store"
)

// Refund kinds (refunds.kind).
const (
	// RefundKindMerchant is a refund the merchant made.
	RefundKindMerchant = "merchant"
	// RefundKindFraud is a fraud write-off: the claim taken back from the
	// merchant when the order was found fraudulent (FraudWriteOff).
	RefundKindFraud = "fraud"
)

// FraudWriteOffDescription is the description a fraud write-off's refund
// gets when the caller gives none.
const FraudWriteOffDescription = "Return (fraud)"

// FraudWriteOff is what writing a fraudulent order off did. Amounts are
// minor units of Currency.
type FraudWriteOff struct {
	// RefundID is the write-off's refund (kind fraud); empty when nothing
	// had been captured, so there was nothing to take back.
	RefundID string `json:"refund_id"`
	// Returned is the captured amount not yet refunded that was taken back
	// from the merchant ("Return (fraud)" on the settlement).
	Returned int64 `json:"returned"`
	// PolicyAmount is what Tillit pays the merchant back under the fraud
	// policy: Returned excluding its share of the order's VAT ("Fraud
	// policy" on the settlement); 0 when the merchant did not meet the
	// policy.
	PolicyAmount int64  `json:"policy_amount"`
	Currency     string `json:"currency"`
}

// FraudWriteOff cancels the consumer's claim on an order found fraudulent (a
// confirmed fraud victim, or a stopped order whose parcel is lost), in tx:
//
//   - the authorization not yet captured is released, with the bookkeeping of
//     Cancel and ReleaseRemaining (an order without captures ends CANCELLED,
//     a part-captured one CAPTURED);
//   - everything captured and not yet refunded is taken back from the
//     merchant as a refund of kind fraud (allocated to the captures oldest
//     first, like Refund; described by description, or
//     FraudWriteOffDescription when empty) and posted as ledger.FraudReturn;
//     the order ends CLOSED;
//   - when policyMet, the merchant is paid back the returned amount excluding
//     VAT (the order's tax amount in proportion to the returned amount,
//     rounded half up), stored on the refund and posted as
//     ledger.FraudPolicy, Tillit's fraud loss;
//   - the order's payment plan is reduced by the returned amount, so the
//     consumer owes nothing: no reminders or late fees follow, and what they
//     paid is paid back.
//
// The refund is listed with the order's refunds (type fraud), so they still
// add up to its refunded amount; merchant refunds after it are refused, as
// nothing captured is left unrefunded. Settlement shows it as the lines
// fraud_return and fraud_policy.
//
// Errors: NO_SUCH_ORDER; BAD_VALUE (description too long); NOT_ALLOWED (the
// order was already written off, or has nothing to write off: nothing left
// to capture and everything captured refunded). An error writes nothing.
func (s *Service) FraudWriteOff(tx *store.Tx, orderID string, policyMet bool, description string) (FraudWriteOff, error) {
	if description == "" {
		description = FraudWriteOffDescription
	}
	if err := checkTexts(map[string]string{"description": description}); err != nil {
		return FraudWriteOff{}, err
	}
	o, err := loadOrder(tx, "", orderID)
	if err != nil {
		return FraudWriteOff{}, err
	}
	var earlier int
	if err := tx.QueryRow(`SELECT COUNT(*) FROM refunds WHERE order_id = $1 AND kind = $2`, o.ID, RefundKindFraud).Scan(&earlier); err != nil {
		return FraudWriteOff{}, err
	}
	if earlier > 0 {
		return FraudWriteOff{}, apperr.New(apperr.NotAllowed, "The order was already written off as fraud.")
	}
	release, returned := o.remaining(), o.Captured-o.Refunded
	if release == 0 && returned == 0 {
		return FraudWriteOff{}, apperr.New(apperr.NotAllowed, "The order is %s with nothing left to write off: nothing is authorized and everything captured was refunded.", o.Status)
	}
	out := FraudWriteOff{Returned: returned, Currency: o.Currency}
	if returned > 0 && policyMet {
		vat, err := vatShare(o.TaxAmount, returned, o.Amount)
		if err != nil {
			return FraudWriteOff{}, err
		}
		out.PolicyAmount = returned - vat
	}
	if release > 0 {
		if o.Captured == 0 {
			o.Status = StatusCancelled
		} else {
			o.Released += release
		}
	}
	if returned > 0 {
		if err := allocateRefund(tx, o.ID, returned); err != nil {
			return FraudWriteOff{}, err
		}
		out.RefundID = ids.New()
		if _, err := tx.Exec(`INSERT INTO refunds (id, order_id, refunded_amount, description, merchant_ref, order_lines, refunded_at, kind, fraud_policy_amount)
			VALUES ($1, $2, $3, $4, '', '[]', $5, $6, $7)`,
			out.RefundID, o.ID, returned, description, store.Micros(tx.Now), RefundKindFraud, out.PolicyAmount); err != nil {
			return FraudWriteOff{}, err
		}
		o.Refunded += returned
	}
	o.settle()
	if err := o.save(tx); err != nil {
		return FraudWriteOff{}, err
	}
	if returned > 0 {
		if err := ledger.FraudReturn(tx, out.RefundID, o.ID, o.MerchantID, o.Currency, returned); err != nil {
			return FraudWriteOff{}, err
		}
		if out.PolicyAmount > 0 {
			if err := ledger.FraudPolicy(tx, out.RefundID, o.ID, o.MerchantID, o.Currency, out.PolicyAmount); err != nil {
				return FraudWriteOff{}, err
			}
		}
	}
	if release > 0 {
		if err := s.orderEnded(tx, o.ID); err != nil {
			return FraudWriteOff{}, err
		}
	}
	if returned > 0 && s.Plans != nil {
		if err := s.Plans.Refunded(tx, o.ID, out.RefundID, returned); err != nil {
			return FraudWriteOff{}, err
		}
	}
	return out, nil
}

// errVATShare reports a VAT share asked of a part larger than the whole.
var errVATShare = errors.New("checkout: VAT share of more than the order amount")

// vatShare returns the VAT in part of an order: tax × part / whole, rounded
// half up. The product is taken in 128 bits, so no amount overflows; part
// must not exceed whole.
func vatShare(tax, part, whole int64) (int64, error) {
	if tax <= 0 || part <= 0 || whole <= 0 {
		return 0, nil
	}
	if part > whole {
		return 0, errVATShare
	}
	hi, lo := bits.Mul64(uint64(tax), uint64(part))
	// hi < whole because part <= whole and tax < 2^64, so Div64 cannot panic.
	q, r := bits.Div64(hi, lo, uint64(whole))
	if r >= uint64(whole)-r {
		q++
	}
	// q <= tax: the share of a part no larger than the whole.
	return int64(q), nil
}
