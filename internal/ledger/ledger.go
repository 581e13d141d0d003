// Package ledger is Tillit's double-entry journal (P7). Every money movement is
// a journal of entries that sum to zero per currency, posted in the same
// transaction as the state change that causes it. Entries are append-only:
// balances are sums over entries, so no single hot row (such as a busy
// merchant's payable) is updated per order, and every balance can be rebuilt.
//
// Sign convention: a positive amount is a debit, a negative amount a credit.
// Asset accounts (receivables, cash) and losses (fraud_losses) carry debit
// balances; liability accounts (merchant payables) and income (fees) carry
// credit balances.
package ledger

import (
	"errors"
	"fmt"

	"github.com/tillit/tillit/internal/ids"
	"github.com/tillit/tillit/internal/money"
	"github.com/tillit/tillit/internal/store"
)

// Journal kinds.
const (
	KindCapture         = "capture"
	KindRefund          = "refund"
	KindConsumerPayment = "consumer_payment"
	KindMerchantPayout  = "merchant_payout"
)

// Entry is one line of a journal: an account and a signed amount in minor
// units (debit positive, credit negative).
type Entry struct {
	Account string
	Amount  int64
}

// ErrUnbalanced is returned when a journal's entries do not sum to zero.
var ErrUnbalanced = errors.New("ledger: journal does not balance")

// ReceivableAccount is what the consumer owes on an order.
func ReceivableAccount(orderID string) string { return "consumer_receivable:order:" + orderID }

// PayableAccount is what Tillit owes a merchant.
func PayableAccount(merchantID string) string { return "merchant_payable:" + merchantID }

// CashAccount is money held at the bank in one currency.
func CashAccount(currency string) string { return "cash:" + currency }

// Post writes one balanced journal. (kind, reference) is unique, so posting
// the same movement twice fails instead of doubling money.
func Post(tx *store.Tx, kind, reference, orderID, currency string, entries ...Entry) error {
	if len(entries) < 2 {
		return fmt.Errorf("ledger: journal %s/%s needs at least two entries", kind, reference)
	}
	var sum int64
	nonZero := 0
	for _, e := range entries {
		var err error
		if sum, err = money.Add(sum, e.Amount); err != nil {
			return err
		}
		if e.Amount != 0 {
			nonZero++
		}
	}
	if sum != 0 {
		return fmt.Errorf("%w: %s/%s sums to %d", ErrUnbalanced, kind, reference, sum)
	}
	// Zero entries are not stored, so a journal of only zeros would be stored
	// without entries, which Verify reports as a problem.
	if nonZero < 2 {
		return fmt.Errorf("ledger: journal %s/%s needs at least two non-zero entries", kind, reference)
	}
	journalID := ids.New()
	var order any
	if orderID != "" {
		order = orderID
	}
	if _, err := tx.Exec(`INSERT INTO ledger_journals (id, kind, reference, order_id, currency, created_at) VALUES ($1, $2, $3, $4, $5, $6)`,
		journalID, kind, reference, order, currency, store.Micros(tx.Now)); err != nil {
		return fmt.Errorf("ledger: post %s/%s: %w", kind, reference, err)
	}
	for _, e := range entries {
		if e.Amount == 0 {
			continue
		}
		if _, err := tx.Exec(`INSERT INTO ledger_entries (id, journal_id, account, currency, amount) VALUES ($1, $2, $3, $4, $5)`,
			ids.New(), journalID, e.Account, currency, e.Amount); err != nil {
			return fmt.Errorf("ledger: post %s/%s: %w", kind, reference, err)
		}
	}
	return nil
}

// Capture records that the consumer now owes amount on the order and Tillit
// owes it to the merchant.
func Capture(tx *store.Tx, captureID, orderID, merchantID, currency string, amount int64) error {
	return Post(tx, KindCapture, captureID, orderID, currency,
		Entry{ReceivableAccount(orderID), amount},
		Entry{PayableAccount(merchantID), -amount})
}

// Refund reverses amount of a capture: the consumer owes less and so does
// Tillit to the merchant. A receivable that goes below zero is money owed back
// to a consumer who had already paid.
func Refund(tx *store.Tx, refundID, orderID, merchantID, currency string, amount int64) error {
	return Post(tx, KindRefund, refundID, orderID, currency,
		Entry{PayableAccount(merchantID), amount},
		Entry{ReceivableAccount(orderID), -amount})
}

// ConsumerPayment records money received from the consumer against an order.
func ConsumerPayment(tx *store.Tx, paymentID, orderID, currency string, amount int64) error {
	return Post(tx, KindConsumerPayment, paymentID, orderID, currency,
		Entry{CashAccount(currency), amount},
		Entry{ReceivableAccount(orderID), -amount})
}

// MerchantPayout records money paid out to a merchant.
func MerchantPayout(tx *store.Tx, payoutID, merchantID, currency string, amount int64) error {
	return Post(tx, KindMerchantPayout, payoutID, "", currency,
		Entry{PayableAccount(merchantID), amount},
		Entry{CashAccount(currency), -amount})
}

// Balance returns the balance of an account in a currency (debit positive).
func Balance(tx *store.Tx, account, currency string) (int64, error) {
	var b int64
	err := tx.QueryRow(`SELECT COALESCE(SUM(amount), 0) FROM ledger_entries WHERE account = $1 AND currency = $2`, account, currency).Scan(&b)
	return b, err
}
