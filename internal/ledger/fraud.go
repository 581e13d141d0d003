package ledger

import "github.com/tillit/tillit/internal/store"

// Journal kinds of a fraud write-off (requirement T6); the reference of both
// is the write-off's refund id.
const (
	// KindFraudReturn takes a fraudulent order's claim back from the
	// merchant: the consumer owes nothing, and Tillit owes the merchant that
	// much less.
	KindFraudReturn = "fraud_return"
	// KindFraudPolicy pays the merchant back under the fraud policy, the
	// returned amount excluding VAT, as Tillit's loss.
	KindFraudPolicy = "fraud_policy"
)

// FraudLossAccount is what fraud cost Tillit in one currency: the fraud
// policy's payments to merchants (debit balance).
func FraudLossAccount(currency string) string { return "fraud_losses:" + currency }

// FraudReturn takes amount of a fraudulent order's claim back from the
// merchant: the merchant's payable is debited and the consumer's receivable
// credited, exactly like a refund but under its own kind. A receivable that
// goes below zero is money owed back to a consumer who had already paid.
func FraudReturn(tx *store.Tx, refundID, orderID, merchantID, currency string, amount int64) error {
	return Post(tx, KindFraudReturn, refundID, orderID, currency,
		Entry{PayableAccount(merchantID), amount},
		Entry{ReceivableAccount(orderID), -amount})
}

// FraudPolicy pays a merchant who met the fraud policy back amount (the
// returned claim excluding VAT): Tillit's fraud losses are debited and the
// merchant's payable credited.
func FraudPolicy(tx *store.Tx, refundID, orderID, merchantID, currency string, amount int64) error {
	return Post(tx, KindFraudPolicy, refundID, orderID, currency,
		Entry{FraudLossAccount(currency), amount},
		Entry{PayableAccount(merchantID), -amount})
}
