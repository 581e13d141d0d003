package rail

import (
	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/money"
)

// Limits on the text fields of a transfer.
const (
	maxPurposeLen    = 64
	maxReferenceLen  = 200
	maxInstrumentLen = 200
)

// validate checks what the caller of Create fills in.
func validate(t Transfer) error {
	if t.Direction != Collect && t.Direction != Payout {
		return apperr.BadField("direction", "must be %q or %q", Collect, Payout)
	}
	if t.OrderID == "" || len(t.OrderID) > maxReferenceLen || !printable(t.OrderID) {
		return apperr.BadField("order_id", "must be 1 to %d printable characters", maxReferenceLen)
	}
	if !isCode(t.Purpose, maxPurposeLen) {
		return apperr.BadField("purpose", "must be 1 to %d lower-case letters, digits or underscores", maxPurposeLen)
	}
	if t.Amount <= 0 || t.Amount > money.MaxAmount {
		return apperr.BadField("amount", "must be between 1 and %d minor units", money.MaxAmount)
	}
	if !money.ValidCurrency(t.Currency) {
		return apperr.BadField("currency", "must be a supported ISO 4217 currency code")
	}
	if t.Instrument == "" || len(t.Instrument) > maxInstrumentLen || !printable(t.Instrument) {
		return apperr.BadField("instrument", "must be 1 to %d printable characters", maxInstrumentLen)
	}
	if containsCardNumber(t.Instrument) {
		return apperr.BadField("instrument", "must be a token or reference, not a card number")
	}
	if len(t.IdempotencyKey) > maxReferenceLen || !printable(t.IdempotencyKey) {
		return apperr.BadField("idempotency_key", "must be at most %d printable characters", maxReferenceLen)
	}
	return nil
}

// printable reports whether s is printable ASCII without spaces.
func printable(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] > '~' {
			return false
		}
	}
	return true
}

// isCode reports whether s is 1 to max lower-case letters, digits and
// underscores: a purpose or a failure reason.
func isCode(s string, max int) bool {
	if s == "" || len(s) > max {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '_' {
			return false
		}
	}
	return true
}

// containsCardNumber reports whether s holds what looks like a full card
// number: a run of 13 to 19 digits (dashes allowed between them) that passes
// the Luhn check and does not follow a letter (so an IBAN such as
// DK5000400440116243, whose digits follow its country code, passes).
func containsCardNumber(s string) bool {
	for i := 0; i < len(s); {
		if !isDigit(s[i]) {
			i++
			continue
		}
		var digits []byte
		j := i
		for j < len(s) && (isDigit(s[j]) || (s[j] == '-' && j+1 < len(s) && isDigit(s[j+1]))) {
			if isDigit(s[j]) {
				digits = append(digits, s[j])
			}
			j++
		}
		afterLetter := i > 0 && isLetter(s[i-1])
		if !afterLetter && len(digits) >= 13 && len(digits) <= 19 && luhn(digits) {
			return true
		}
		i = j
	}
	return false
}

func isDigit(c byte) bool  { return c >= '0' && c <= '9' }
func isLetter(c byte) bool { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') }

// luhn reports whether the digits pass the Luhn check every card number
// passes.
func luhn(digits []byte) bool {
	sum := 0
	for i := range digits {
		d := int(digits[len(digits)-1-i] - '0')
		if i%2 == 1 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return sum%10 == 0
}
