package rail

import "testing"

func TestContainsCardNumber(t *testing.T) {
	cases := map[string]bool{
		"4111111111111111":            true,
		"card:4111111111111111":       true,
		"pan_4111-1111-1111-1111":     true,
		"5555555555554444":            true,
		"378282246310005":             true, // 15-digit Amex
		"x:4111111111111111:y":        true,
		"4111111111111112":            false, // fails Luhn
		"411111111111":                false, // 12 digits
		"iban:DK5000400440116243":     false, // IBAN digits follow the country code
		"GB82WEST12345698765432":      false,
		"tok_9f8e7d6c5b4a":            false,
		"card:411111******1111":       false,
		"sim:fail:insufficient_funds": false,
		"4111-1111-":                  false,
	}
	for s, want := range cases {
		if got := containsCardNumber(s); got != want {
			t.Errorf("containsCardNumber(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestReasonCode(t *testing.T) {
	cases := map[string]string{
		"insufficient_funds": "insufficient_funds",
		" Card Expired ":     "card_expired",
		"":                   "unspecified",
		"   ":                "unspecified",
		"51-do not honour":   "51_do_not_honour",
		"ÆØÅ":                "___",
	}
	for in, want := range cases {
		if got := reasonCode(in); got != want {
			t.Errorf("reasonCode(%q) = %q, want %q", in, got, want)
		}
	}
	long := reasonCode(string(make([]byte, 100)) + "x")
	if len(long) != maxPurposeLen {
		t.Errorf("long reason kept %d characters", len(long))
	}
}
