package ledger_test

import (
	"testing"

	"github.com/tillit/tillit/internal/checkout"
	"github.com/tillit/tillit/internal/ledger"
	"github.com/tillit/tillit/internal/store"
)

// The labels Verify reports fraud write-off problems under.
const (
	labelRefundNoJournal  = "refund has no journal of its own"
	labelRefundKind       = "refund has an unknown kind or a fraud policy amount out of range"
	labelFraudPolicy      = "fraud policy journal differs from the refund's fraud policy amount"
	labelFraudPolicyStray = "fraud policy journal without a fraud refund"
	labelFraudLosses      = "fraud losses differ from the fraud policy amounts of fraud refunds"
)

// writtenOff is a captured order of 1000 written off as fraud.
func (f *fixture) writtenOff(t *testing.T, policyMet bool) (orderID, refundID string) {
	t.Helper()
	orderID = f.order(t, 1000)
	f.write(t, func(tx *store.Tx) error {
		if _, err := f.svc.Capture(tx, f.m.ID, orderID, checkout.CaptureRequest{CapturedAmount: 1000}); err != nil {
			return err
		}
		w, err := f.svc.FraudWriteOff(tx, orderID, policyMet, "")
		refundID = w.RefundID
		return err
	})
	return orderID, refundID
}

func TestFraudWriteOffPostsReturnAndPolicy(t *testing.T) {
	f := newFixture(t)
	met, _ := f.writtenOff(t, true)
	notMet, _ := f.writtenOff(t, false)
	// The order carries no VAT, so the policy pays back all of the 1000.
	f.expectBalances(t, map[string]int64{
		ledger.PayableAccount(f.m.ID):    -1000,
		ledger.ReceivableAccount(met):    0,
		ledger.ReceivableAccount(notMet): 0,
		ledger.FraudLossAccount(dkk):     1000,
	})
	if r := f.verify(t); !r.OK() {
		t.Fatalf("verify: %v", r.Problems)
	}
	// Zero movements are refused like every other.
	for _, post := range []func(tx *store.Tx) error{
		func(tx *store.Tx) error { return ledger.FraudReturn(tx, "zero", "", f.m.ID, dkk, 0) },
		func(tx *store.Tx) error { return ledger.FraudPolicy(tx, "zero", "", f.m.ID, dkk, 0) },
	} {
		var postErr error
		f.write(t, func(tx *store.Tx) error {
			postErr = post(tx)
			return nil
		})
		if postErr == nil {
			t.Error("a zero fraud movement was posted")
		}
	}
}

func TestVerifyDetectsFraudWriteOffTampering(t *testing.T) {
	cases := []struct {
		name   string
		tamper func(t *testing.T, f *fixture, orderID, refundID string)
		labels []string
	}{
		{"policy amount changed", func(t *testing.T, f *fixture, _, refundID string) {
			f.exec(t, `UPDATE refunds SET fraud_policy_amount = fraud_policy_amount - 1 WHERE id = $1`, refundID)
		}, []string{labelFraudPolicy, labelFraudLosses}},
		{"policy amount above the refund", func(t *testing.T, f *fixture, _, refundID string) {
			f.exec(t, `UPDATE refunds SET fraud_policy_amount = refunded_amount + 1 WHERE id = $1`, refundID)
		}, []string{labelRefundKind, labelFraudPolicy}},
		{"fraud refund relabelled a merchant refund", func(t *testing.T, f *fixture, _, refundID string) {
			f.exec(t, `UPDATE refunds SET kind = 'merchant' WHERE id = $1`, refundID)
		}, []string{labelRefundNoJournal, labelRefundKind, labelFraudPolicyStray}},
		{"unknown refund kind", func(t *testing.T, f *fixture, _, refundID string) {
			f.exec(t, `UPDATE refunds SET kind = 'goodwill' WHERE id = $1`, refundID)
		}, []string{labelRefundKind}},
		{"fraud policy journal deleted", func(t *testing.T, f *fixture, _, refundID string) {
			f.exec(t, `DELETE FROM ledger_entries WHERE journal_id = (SELECT id FROM ledger_journals WHERE kind = 'fraud_policy' AND reference = $1)`, refundID)
			f.exec(t, `DELETE FROM ledger_journals WHERE kind = 'fraud_policy' AND reference = $1`, refundID)
		}, []string{labelFraudPolicy, labelFraudLosses}},
		{"fraud return journal deleted", func(t *testing.T, f *fixture, _, refundID string) {
			f.exec(t, `DELETE FROM ledger_entries WHERE journal_id = (SELECT id FROM ledger_journals WHERE kind = 'fraud_return' AND reference = $1)`, refundID)
			f.exec(t, `DELETE FROM ledger_journals WHERE kind = 'fraud_return' AND reference = $1`, refundID)
		}, []string{labelRefundNoJournal, labelReceivableDiffer, labelPayableDiffers}},
		{"stray fraud loss", func(t *testing.T, f *fixture, orderID, _ string) {
			f.write(t, func(tx *store.Tx) error {
				return ledger.FraudPolicy(tx, "stray", orderID, f.m.ID, dkk, 5)
			})
		}, []string{labelFraudPolicyStray, labelFraudLosses}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t)
			orderID, refundID := f.writtenOff(t, true)
			if r := f.verify(t); !r.OK() {
				t.Fatalf("problems before tampering: %v", r.Problems)
			}
			c.tamper(t, f, orderID, refundID)
			r := f.verify(t)
			for _, label := range c.labels {
				if !hasProblem(r, label) {
					t.Errorf("no %q problem; got %v", label, r.Problems)
				}
			}
		})
	}
}
