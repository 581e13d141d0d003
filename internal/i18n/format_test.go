package i18n

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/tillit/tillit/internal/money"
)

func TestFormatMoney(t *testing.T) {
	tests := []struct {
		lang     Lang
		amount   int64
		currency string
		want     string
	}{
		{English, 123450, "EUR", "€1,234.50"},
		{English, 123450, "DKK", "DKK 1,234.50"},
		{English, 123450, "GBP", "£1,234.50"},
		{English, 123450, "USD", "US$1,234.50"},
		{English, -123450, "EUR", "-€1,234.50"},
		{English, -5, "SEK", "-SEK 0.05"},
		{English, 0, "NOK", "NOK 0.00"},
		{English, 100000000, "eur", "€1,000,000.00"},
		{Danish, 123450, "DKK", "1.234,50 kr."},
		{Danish, 123450, "EUR", "1.234,50 €"},
		{Danish, 123450, "SEK", "1.234,50 SEK"},
		{Danish, -123450, "DKK", "-1.234,50 kr."},
		{Danish, 99, "DKK", "0,99 kr."},
		{Danish, 100000, "DKK", "1.000,00 kr."},
		{Dutch, 123450, "EUR", "€ 1.234,50"},
		{Dutch, -123450, "EUR", "€ -1.234,50"},
		{Dutch, 123450, "DKK", "DKK 1.234,50"},
		{Dutch, 0, "EUR", "€ 0,00"},
		{Swedish, 123450, "SEK", "1 234,50 kr"},
		{Swedish, -123450, "SEK", "−1 234,50 kr"},
		{Swedish, 123450, "EUR", "1 234,50 €"},
		{Swedish, 1234567890, "NOK", "12 345 678,90 NOK"},
		{Swedish, 0, "SEK", "0,00 kr"},
		{Lang("fr"), 123450, "EUR", "€1,234.50"},
		{English, 123450, "XTS", "XTS 1,234.50"},
		{English, math.MinInt64, "EUR", "-€92,233,720,368,547,758.08"},
		{English, math.MaxInt64, "EUR", "€92,233,720,368,547,758.07"},
	}
	for _, tt := range tests {
		got := strings.ReplaceAll(FormatMoney(tt.lang, tt.amount, tt.currency), nbsp, " ")
		if got != tt.want {
			t.Errorf("FormatMoney(%s, %d, %s) = %q, want %q", tt.lang, tt.amount, tt.currency, got, tt.want)
		}
	}
}

func TestFormatMoneyKeepsCurrencyOnOneLine(t *testing.T) {
	if got := FormatMoney(Danish, 100, "DKK"); got != "1,00\u00a0kr." {
		t.Errorf("got %q: want a non-breaking space before the currency", got)
	}
}

func TestFormatUnsignedZeroDecimals(t *testing.T) {
	ns := numberStyles[Danish]
	for n, want := range map[uint64]string{0: "0", 7: "7", 1234: "1.234", 1234567: "1.234.567"} {
		if got := formatUnsigned(n, 0, ns); got != want {
			t.Errorf("formatUnsigned(%d, 0) = %q, want %q", n, got, want)
		}
	}
	if got := formatUnsigned(5, 3, numberStyles[English]); got != "0.005" {
		t.Errorf("three decimals: %q", got)
	}
}

func TestFormatDate(t *testing.T) {
	d := time.Date(2026, time.November, 22, 23, 30, 0, 0, time.UTC)
	tests := []struct {
		lang Lang
		t    time.Time
		want string
	}{
		{English, d, "22 Nov 2026"},
		{Danish, d, "22. nov. 2026"},
		{Dutch, d, "22 nov 2026"},
		{Swedish, d, "22 nov. 2026"},
		{Dutch, time.Date(2027, time.March, 1, 0, 0, 0, 0, time.UTC), "1 mrt 2027"},
		{Swedish, time.Date(2027, time.March, 1, 0, 0, 0, 0, time.UTC), "1 mars 2027"},
		{Danish, time.Date(2027, time.May, 5, 0, 0, 0, 0, time.UTC), "5. maj 2027"},
		{Lang("fr"), d, "22 Nov 2026"},
		// The date in t's own location: 23:30 UTC is the next day in Copenhagen.
		{Danish, d.In(time.FixedZone("CET", 3600)), "23. nov. 2026"},
	}
	for _, tt := range tests {
		got := strings.ReplaceAll(FormatDate(tt.lang, tt.t), nbsp, " ")
		if got != tt.want {
			t.Errorf("FormatDate(%s, %v) = %q, want %q", tt.lang, tt.t, got, tt.want)
		}
	}
	p := Printer{Lang: Danish}
	if p.Date(d) != FormatDate(Danish, d) || p.Money(100, "DKK") != FormatMoney(Danish, 100, "DKK") {
		t.Error("Printer disagrees with the package functions")
	}
}

// FuzzFormatMoney checks that formatting never loses or invents a digit and
// shows a sign exactly for negative amounts.
func FuzzFormatMoney(f *testing.F) {
	f.Add(int64(123450), "DKK")
	f.Add(int64(-1), "EUR")
	f.Add(int64(math.MinInt64), "SEK")
	f.Fuzz(func(t *testing.T, amount int64, currency string) {
		if !money.ValidCurrency(currency) {
			return
		}
		want := fmt.Sprintf("%0*d", money.Digits(currency)+1, magnitude(amount))
		for _, l := range Supported {
			s := FormatMoney(l, amount, currency)
			digits := strings.Map(func(r rune) rune {
				if r >= '0' && r <= '9' {
					return r
				}
				return -1
			}, s)
			if digits != want {
				t.Fatalf("%s: %q has digits %q, want %q", l, s, digits, want)
			}
			if neg := strings.ContainsAny(s, "-\u2212"); neg != (amount < 0) {
				t.Fatalf("%s: %q for %d", l, s, amount)
			}
		}
	})
}
