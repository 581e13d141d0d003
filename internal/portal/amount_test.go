package portal_test

import (
	"strings"
	"testing"

	"github.com/tillit/tillit/internal/i18n"
	"github.com/tillit/tillit/internal/portal"
)

// TestParseAmount reads amounts as each language types them, and refuses
// negative, zero, overflowing and over-precise amounts with their own error.
func TestParseAmount(t *testing.T) {
	tests := []struct {
		lang     i18n.Lang
		in, cur  string
		want     int64
		errorKey string
	}{
		{i18n.English, "1,250.50", "DKK", 125050, ""},
		{i18n.English, "1250.5", "DKK", 125050, ""},
		{i18n.English, " DKK 1,250 ", "DKK", 125000, ""},
		{i18n.English, "€12.30", "EUR", 1230, ""},
		{i18n.English, "0.01", "EUR", 1, ""},
		{i18n.English, "12.300", "EUR", 1230, ""},
		{i18n.Danish, "1.250,50 kr.", "DKK", 125050, ""},
		{i18n.Danish, "1250,50", "DKK", 125050, ""},
		{i18n.Dutch, "€ 1.250,50", "EUR", 125050, ""},
		{i18n.Swedish, "1\u00a0250,50 kr", "SEK", 125050, ""},
		{i18n.Swedish, "1250.50", "SEK", 125050, ""},
		{i18n.English, "100000000000.00", "DKK", 10_000_000_000_000, ""},

		{i18n.English, "", "DKK", 0, "form.invalid_amount"},
		{i18n.English, "1,25", "DKK", 0, "form.invalid_amount"},
		{i18n.English, "1.2.3", "DKK", 0, "form.invalid_amount"},
		{i18n.English, "12a", "DKK", 0, "form.invalid_amount"},
		{i18n.English, "+5", "DKK", 0, "form.invalid_amount"},
		{i18n.English, "1e5", "DKK", 0, "form.invalid_amount"},
		{i18n.English, strings.Repeat("9", 41), "DKK", 0, "form.invalid_amount"},
		{i18n.Danish, "1,250.50", "DKK", 0, "form.invalid_amount"},
		{i18n.English, "-5", "DKK", 0, "merchant.amount.not_positive"},
		{i18n.Swedish, "\u22125", "SEK", 0, "merchant.amount.not_positive"},
		{i18n.English, "0", "DKK", 0, "merchant.amount.not_positive"},
		{i18n.English, "0.00", "DKK", 0, "merchant.amount.not_positive"},
		{i18n.English, "1.005", "DKK", 0, "merchant.amount.decimals"},
		{i18n.English, "100000000000.01", "DKK", 0, "merchant.amount.too_large"},
		{i18n.English, "92233720368547758.08", "DKK", 0, "merchant.amount.too_large"},
		{i18n.English, strings.Repeat("9", 30), "DKK", 0, "merchant.amount.too_large"},
	}
	for _, tt := range tests {
		got, msg := portal.ParseAmount(tt.lang, tt.in, tt.cur)
		key := ""
		if msg != nil {
			key = msg.Key
		}
		if got != tt.want || key != tt.errorKey {
			t.Errorf("ParseAmount(%s, %q, %s) = %d, %q; want %d, %q", tt.lang, tt.in, tt.cur, got, key, tt.want, tt.errorKey)
		}
	}
}

// FuzzParseAmount checks that whatever is typed, an amount read is
// positive and within the limit, or refused with a message.
func FuzzParseAmount(f *testing.F) {
	for _, s := range []string{"1,250.50", "1.250,50 kr.", "-0", "0.001", "99999999999999999999", "€ 1.000,00", "1 000,5"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, lang := range i18n.Supported {
			n, msg := portal.ParseAmount(lang, s, "DKK")
			if (msg == nil) != (n > 0 && n <= 10_000_000_000_000) || (msg != nil && n != 0) {
				t.Fatalf("ParseAmount(%s, %q) = %d, %v", lang, s, n, msg)
			}
		}
	})
}
