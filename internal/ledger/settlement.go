package ledger

import "github.com/tillit/tillit/internal/store"

// KindSettlementFee is the journal kind of the fees (and the VAT on them) a
// settlement charges a merchant; its reference is the settlement id.
const KindSettlementFee = "settlement_fee"

// FeesAccount is Tillit's fee revenue in one currency (credit balance).
func FeesAccount(currency string) string { return "fees:" + currency }

// VATPayableAccount is the VAT Tillit owes the tax authority on its fees in
// one currency (credit balance).
func VATPayableAccount(currency string) string { return "vat_payable:" + currency }

// SettlementFees charges a merchant fees and the VAT on them: the merchant's
// payable is debited fees+vat, fee revenue is credited fees and VAT payable is
// credited vat. Posting the same settlement twice fails (unique kind and
// reference).
func SettlementFees(tx *store.Tx, settlementID, merchantID, currency string, fees, vat int64) error {
	return Post(tx, KindSettlementFee, settlementID, "", currency,
		Entry{PayableAccount(merchantID), fees + vat},
		Entry{FeesAccount(currency), -fees},
		Entry{VATPayableAccount(currency), -vat})
}
