package card

import (
	"crypto/rand"
	"math/big"
	"strings"

	"github.com/tillit/tillit/internal/ids"
)

// panLength is the length of the card numbers Tillit issues.
const panLength = 16

// Vault contexts of the card's sealed columns.
const (
	contextSecret       = "cards.secret"
	contextMerchantLock = "cards.merchant_lock"
	contextFreezeReason = "freeze_events.reason"
)

// secret is what cards.sealed holds.
type secret struct {
	PAN string `json:"pan"`
	CVV string `json:"cvv"`
}

// luhnValid reports whether a string of digits passes the Luhn check.
func luhnValid(pan string) bool {
	if len(pan) < 2 {
		return false
	}
	sum := 0
	double := false
	for i := len(pan) - 1; i >= 0; i-- {
		c := pan[i]
		if c < '0' || c > '9' {
			return false
		}
		d := int(c - '0')
		if double {
			if d *= 2; d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return sum%10 == 0
}

// luhnDigit returns the check digit that makes body+digit Luhn-valid.
func luhnDigit(body string) byte {
	for d := byte('0'); d <= '9'; d++ {
		if luhnValid(body + string(d)) {
			return d
		}
	}
	panic("card: no Luhn digit")
}

// randomDigits returns n uniformly random decimal digits.
func randomDigits(n int) (string, error) {
	var b strings.Builder
	for range n {
		d, err := rand.Int(rand.Reader, big.NewInt(10))
		if err != nil {
			return "", err
		}
		b.WriteByte(byte('0' + d.Int64()))
	}
	return b.String(), nil
}

// newPAN returns a random Luhn-valid 16-digit number under bin.
func newPAN(bin string) (string, error) {
	body, err := randomDigits(panLength - len(bin) - 1)
	if err != nil {
		return "", err
	}
	body = bin + body
	return body + string(luhnDigit(body)), nil
}

// panHash is the keyed hash a card is found by at authorization.
func (s *Service) panHash(pan string) string { return ids.KeyedHash(s.lookupKey, "card_pan:"+pan) }
