package assistant

import (
	"regexp"
	"strings"
	"testing"
)

func TestRedact(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"my card 4111111111111111 was stolen", "my card ****1111 was stolen"},
		{"kortnummer 4111 1111 1111 1111", "kortnummer ****1111"},
		{"kaart 5500-0000-0000-0004, vervalt 12/27", "kaart ****0004, vervalt 12/27"},
		{"card 9990001234567890123 ok", "card ****0123 ok"},
		{"no4111111111111111x", "no****1111x"},
		{"the code is 482913", "the code is [redacted]"},
		{"koden er 4829", "koden er [redacted]"},
		{"mijn pincode: 1234", "mijn pincode: [redacted]"},
		{"CVV 123", "CVV [redacted]"},
		{"Bestätigungscode 777 123", "Bestätigungscode [redacted]"},
		{"I got 482 913 by sms", "I got [redacted] by sms"},
		{"got 48291377 just now", "got [redacted] just now"},
		{"my password is hunter2!", "my password is [redacted]"},
		{"lösenord: Sommar2026", "lösenord: [redacted]"},
		{"Passwort ist geheim123", "Passwort ist [redacted]"},
		{"min adgangskode er Hemmelig1", "min adgangskode er [redacted]"},
		// Left alone: order numbers, amounts, dates, last four digits.
		{"order 1234567 never arrived", "order 1234567 never arrived"},
		{"bestelling #8812345", "bestelling #8812345"},
		{"I paid 1500 kr on 2026-03-02", "I paid 1500 kr on 2026-03-02"},
		{"card ending 4242", "card ending 4242"},
		{"do you ask for passwords by email", "do you ask for passwords by email"},
		{"my password isn't working", "my password isn't working"},
		{"K7M2PQ9XZA", "K7M2PQ9XZA"},
	} {
		got, changed := redact(c.in)
		if got != c.want || changed != (c.in != c.want) {
			t.Errorf("%q: got %q (changed %v), want %q", c.in, got, changed, c.want)
		}
	}
}

// longDigitRun is what must never survive Redact: 13 or more digits,
// maybe grouped.
var longDigitRun = regexp.MustCompile(`(?:\d[ -]?){12,}\d`)

func FuzzRedact(f *testing.F) {
	for _, s := range []string{"4111 1111 1111 1111", "code 123456", "password: x", "order 1234567", "1234-5678-9012-3456-789"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := Redact(s)
		if m := longDigitRun.FindString(out); m != "" {
			t.Fatalf("%q keeps %q", out, m)
		}
		if again := Redact(out); again != out {
			t.Fatalf("not idempotent: %q then %q", out, again)
		}
		if strings.Count(out, redactedMark) < strings.Count(s, redactedMark) {
			t.Fatalf("%q lost a mark: %q", s, out)
		}
	})
}
