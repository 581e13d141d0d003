package money

import (
	"math"
	"testing"
)

func TestMulDetectsOverflow(t *testing.T) {
	cases := []struct {
		a, b    int64
		want    int64
		overflw bool
	}{
		{3, 4, 12, false},
		{-3, 4, -12, false},
		{0, math.MaxInt64, 0, false},
		{math.MaxInt64, 2, 0, true},
		{1 << 32, 1 << 31, 0, true},
		{1 << 31, 1 << 31, 1 << 62, false},
	}
	for _, c := range cases {
		got, err := Mul(c.a, c.b)
		if (err != nil) != c.overflw || (err == nil && got != c.want) {
			t.Errorf("Mul(%d,%d) = %d, %v", c.a, c.b, got, err)
		}
	}
}

func TestAddDetectsOverflow(t *testing.T) {
	if _, err := Add(math.MaxInt64, 1); err == nil {
		t.Fatal("MaxInt64+1 did not overflow")
	}
	if _, err := Add(math.MinInt64, -1); err == nil {
		t.Fatal("MinInt64-1 did not overflow")
	}
	if s, err := Add(5, -7); err != nil || s != -2 {
		t.Fatalf("5-7 = %d, %v", s, err)
	}
}

func TestTaxIncluded(t *testing.T) {
	cases := []struct{ total, rate, want int64 }{
		{10000, 2500, 2000}, // 100.00 at 25% holds 20.00
		{12500, 2500, 2500}, // 125.00 at 25% holds 25.00
		{10000, 0, 0},       // no tax
		{999, 2500, 200},    // 9.99 at 25%: 999 - 799 = 200
		{11900, 1900, 1900}, // 119.00 at 19%
	}
	for _, c := range cases {
		if got := TaxIncluded(c.total, c.rate); got != c.want {
			t.Errorf("TaxIncluded(%d,%d) = %d, want %d", c.total, c.rate, got, c.want)
		}
	}
}

func TestCountryCurrency(t *testing.T) {
	if !CountryUses("DK", "DKK") || CountryUses("DK", "EUR") || !ValidCurrency("SEK") || ValidCurrency("XYZ") || ValidCountry("ZZ") {
		t.Fatal("country/currency table wrong")
	}
}

func TestFormat(t *testing.T) {
	for _, c := range []struct {
		amount   int64
		currency string
		want     string
	}{
		{123450, "DKK", "1234.50 DKK"},
		{5, "EUR", "0.05 EUR"},
		{-100, "SEK", "-1.00 SEK"},
		{0, "GBP", "0.00 GBP"},
		{MaxAmount, "USD", "100000000000.00 USD"},
	} {
		if got := Format(c.amount, c.currency); got != c.want {
			t.Errorf("Format(%d, %s) = %q, want %q", c.amount, c.currency, got, c.want)
		}
	}
}
