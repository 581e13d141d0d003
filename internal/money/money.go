// Package money holds the arithmetic of amounts: int64 counts of minor units,
// ISO 4217 currencies, basis-point tax rates and checked operations that refuse
// to overflow. No float64 is used anywhere in a money path.
package money

import (
	"errors"
	"fmt"
	"math/bits"
)

// MaxAmount is the largest single amount Tillit accepts, in minor units
// (one hundred billion in a two-decimal currency). Keeping every amount below it
// means a sum of the 1,000 lines an order may have never overflows int64.
const MaxAmount int64 = 10_000_000_000_000

// ErrOverflow is returned when an operation would leave the int64 range.
var ErrOverflow = errors.New("money: arithmetic overflow")

// Mul returns a*b, or ErrOverflow.
func Mul(a, b int64) (int64, error) {
	if a == 0 || b == 0 {
		return 0, nil
	}
	neg := (a < 0) != (b < 0)
	hi, lo := bits.Mul64(abs(a), abs(b))
	if hi != 0 || lo > 1<<63-1 {
		return 0, ErrOverflow
	}
	r := int64(lo)
	if neg {
		r = -r
	}
	return r, nil
}

// Add returns a+b, or ErrOverflow.
func Add(a, b int64) (int64, error) {
	s := a + b
	if (a > 0 && b > 0 && s < 0) || (a < 0 && b < 0 && s >= 0) {
		return 0, ErrOverflow
	}
	return s, nil
}

func abs(a int64) uint64 {
	if a < 0 {
		return uint64(-a)
	}
	return uint64(a)
}

// TaxIncluded returns the tax contained in a tax-inclusive total at a rate in
// basis points (2500 = 25%): total - total*10000/(10000+rate), with the
// division truncated toward zero. The public API allows a line's stated tax to
// differ from this by at most one minor unit.
func TaxIncluded(total, rateBP int64) int64 {
	if rateBP <= 0 {
		return 0
	}
	return total - total*10000/(10000+rateBP)
}

// currencies lists the ISO 4217 currencies Tillit settles in, with their
// number of minor-unit digits.
var currencies = map[string]int{
	"DKK": 2, "SEK": 2, "NOK": 2, "EUR": 2, "GBP": 2, "USD": 2, "CHF": 2,
	"PLN": 2, "CZK": 2, "AUD": 2, "NZD": 2, "CAD": 2, "HUF": 2, "RON": 2,
}

// ValidCurrency reports whether code is a supported ISO 4217 currency.
func ValidCurrency(code string) bool {
	_, ok := currencies[code]
	return ok
}

// countryCurrencies maps each supported purchase country (ISO 3166-1 alpha-2)
// to the currencies a purchase there may use.
var countryCurrencies = map[string][]string{
	"DK": {"DKK"}, "SE": {"SEK"}, "NO": {"NOK"}, "FI": {"EUR"}, "DE": {"EUR"},
	"NL": {"EUR"}, "AT": {"EUR"}, "BE": {"EUR"}, "FR": {"EUR"}, "IT": {"EUR"},
	"ES": {"EUR"}, "IE": {"EUR"}, "PT": {"EUR"}, "GR": {"EUR"}, "GB": {"GBP"},
	"US": {"USD"}, "CH": {"CHF"}, "PL": {"PLN"}, "CZ": {"CZK"}, "AU": {"AUD"},
	"NZ": {"NZD"}, "CA": {"CAD"}, "HU": {"HUF"}, "RO": {"RON"},
}

// ValidCountry reports whether code is a supported purchase country.
func ValidCountry(code string) bool {
	_, ok := countryCurrencies[code]
	return ok
}

// CountryUses reports whether purchases in country may be made in currency.
func CountryUses(country, currency string) bool {
	for _, c := range countryCurrencies[country] {
		if c == currency {
			return true
		}
	}
	return false
}

// Digits returns the number of minor-unit digits of a supported currency (2
// for an unknown one).
func Digits(currency string) int {
	if d, ok := currencies[currency]; ok {
		return d
	}
	return 2
}

// Format writes amount minor units of currency in a locale-neutral form,
// "1234.50 DKK", for plain-text messages and logs of amounts. Pages format
// per locale with internal/i18n.
func Format(amount int64, currency string) string {
	d := Digits(currency)
	sign := ""
	u := abs(amount)
	if amount < 0 {
		sign = "-"
	}
	if d == 0 {
		return fmt.Sprintf("%s%d %s", sign, u, currency)
	}
	scale := uint64(1)
	for range d {
		scale *= 10
	}
	return fmt.Sprintf("%s%d.%0*d %s", sign, u/scale, d, u%scale, currency)
}
