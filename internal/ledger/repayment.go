package ledger

import "github.com/tillit/tillit/internal/store"

// Journal kinds of the consumer's side of an order (see internal/repayment).
const (
	// KindCreditCharges books a financing plan's interest and fees as owed.
	KindCreditCharges = "credit_charges"
	// KindLateFee books a late fee as owed.
	KindLateFee = "late_fee"
	// KindChargeWaiver takes back interest, fees or late fees a refund waived.
	KindChargeWaiver = "charge_waiver"
	// KindConsumerPayout starts paying money back to a consumer.
	KindConsumerPayout = "consumer_payout"
	// KindConsumerPayoutSettled records that the rail paid the consumer.
	KindConsumerPayoutSettled = "consumer_payout_settled"
	// KindConsumerPayoutFailed puts a failed payout back on the order.
	KindConsumerPayoutFailed = "consumer_payout_failed"
)

// CreditIncomeAccount is interest and financing fees earned, per currency.
func CreditIncomeAccount(currency string) string { return "credit_income:" + currency }

// LateFeeIncomeAccount is late fees earned, per currency.
func LateFeeIncomeAccount(currency string) string { return "late_fee_income:" + currency }

// PayoutsInTransitAccount is money on its way back to consumers: taken off
// their orders, not yet left the bank.
func PayoutsInTransitAccount(currency string) string {
	return "consumer_payouts_in_transit:" + currency
}

// CreditCharges records that the consumer owes a financing plan's interest
// and fees on top of the purchase price.
func CreditCharges(tx *store.Tx, reference, orderID, currency string, amount int64) error {
	return Post(tx, KindCreditCharges, reference, orderID, currency,
		Entry{ReceivableAccount(orderID), amount},
		Entry{CreditIncomeAccount(currency), -amount})
}

// LateFee records a late fee the consumer owes on an order.
func LateFee(tx *store.Tx, reference, orderID, currency string, amount int64) error {
	return Post(tx, KindLateFee, reference, orderID, currency,
		Entry{ReceivableAccount(orderID), amount},
		Entry{LateFeeIncomeAccount(currency), -amount})
}

// ChargeWaiver takes back credit charges and late fees the consumer no longer
// owes (a refund that cleared the instalments carrying them).
func ChargeWaiver(tx *store.Tx, reference, orderID, currency string, credit, lateFees int64) error {
	return Post(tx, KindChargeWaiver, reference, orderID, currency,
		Entry{CreditIncomeAccount(currency), credit},
		Entry{LateFeeIncomeAccount(currency), lateFees},
		Entry{ReceivableAccount(orderID), -(credit + lateFees)})
}

// ConsumerPayout takes money owed back to the consumer off the order and puts
// it in transit; ConsumerPayoutSettled or ConsumerPayoutFailed finishes it.
func ConsumerPayout(tx *store.Tx, transferID, orderID, currency string, amount int64) error {
	return Post(tx, KindConsumerPayout, transferID, orderID, currency,
		Entry{ReceivableAccount(orderID), amount},
		Entry{PayoutsInTransitAccount(currency), -amount})
}

// ConsumerPayoutSettled records that a payout left the bank.
func ConsumerPayoutSettled(tx *store.Tx, transferID, orderID, currency string, amount int64) error {
	return Post(tx, KindConsumerPayoutSettled, transferID, orderID, currency,
		Entry{PayoutsInTransitAccount(currency), amount},
		Entry{CashAccount(currency), -amount})
}

// ConsumerPayoutFailed puts a payout the rail could not make back on the
// order, as money owed to the consumer.
func ConsumerPayoutFailed(tx *store.Tx, transferID, orderID, currency string, amount int64) error {
	return Post(tx, KindConsumerPayoutFailed, transferID, orderID, currency,
		Entry{PayoutsInTransitAccount(currency), amount},
		Entry{ReceivableAccount(orderID), -amount})
}
