package assistant

import (
	"regexp"
	"strings"
)

// redactedMark replaces a one-time code or a password in a stored message.
const redactedMark = "[redacted]"

var (
	// cardNumber is 13 digits or more, maybe in groups split by single
	// spaces or dashes: what a card number looks like, Luhn-valid or not
	// (a longer run, such as an account number, is masked too).
	cardNumber = regexp.MustCompile(`\d(?:[ -]?\d){12,}`)
	// passwordGiven is a password word followed by "is", ":" or "=" and the
	// password itself, in the five languages.
	passwordGiven = regexp.MustCompile(`(?i)\b(password|passwd|pwd|adgangskode|adgangskoden|kodeord|kodeordet|wachtwoord|lösenord|lösenordet|passwort|kennwort)(\s*(?:(?:is|er|ist|är)\b|[=:])\s*)(\S+)`)
	// codeGiven is a word for a one-time code, PIN or CVV followed (within a
	// few characters) by 3 to 8 digits.
	codeGiven = regexp.MustCompile(`(?i)\b(codes?|koden?|koder|kod|pin|pinkode|pincode|pinkod|otp|cvv2?|cvc|tan|engangskode|sikkerhedskode|verificatiecode|bevestigingscode|sms-code|sms-kode|engångskod|säkerhetskod|bekräftelsekod|verifizierungscode|bestätigungscode|sicherheitscode)\b([^0-9\n]{0,24}?)(\d{3,8})\b`)
	// splitCode is two groups of three digits ("123 456"), as codes are
	// often printed.
	splitCode = regexp.MustCompile(`\b\d{3}[ -]\d{3}\b`)
	// longDigits is a run of 6 to 8 digits on its own: a one-time code,
	// unless an order word comes just before it.
	longDigits = regexp.MustCompile(`\b\d{6,8}\b`)
	// orderWordBefore ends with a word that introduces an order number.
	orderWordBefore = regexp.MustCompile(`(?i)(order|ordre|ordren|ordrenummer|ordernummer|ordernr|bestelling|bestelnummer|beställning|beställningsnummer|bestellung|bestellnummer|nr|no|#)[.:]?\s*$`)
)

// Redact returns text with what must never be stored masked: a card number
// keeps only its last four digits ("****1234"); a one-time code, PIN, CVV or
// a password after "password is" becomes "[redacted]". The assistant never
// asks for any of them; the caller stores the redacted text only.
func Redact(text string) string {
	out, _ := redact(text)
	return out
}

// redact is Redact that also reports whether anything was masked.
func redact(text string) (string, bool) {
	changed := false
	text = cardNumber.ReplaceAllStringFunc(text, func(m string) string {
		changed = true
		digits := strings.Map(func(r rune) rune {
			if r >= '0' && r <= '9' {
				return r
			}
			return -1
		}, m)
		return "****" + digits[len(digits)-4:]
	})
	text = replaceGroup(passwordGiven, text, 3, &changed)
	text = splitCode.ReplaceAllStringFunc(text, func(string) string {
		changed = true
		return redactedMark
	})
	text = replaceGroup(codeGiven, text, 3, &changed)
	var b strings.Builder
	last := 0
	for _, m := range longDigits.FindAllStringIndex(text, -1) {
		if orderWordBefore.MatchString(text[:m[0]]) {
			continue
		}
		b.WriteString(text[last:m[0]])
		b.WriteString(redactedMark)
		last = m[1]
		changed = true
	}
	b.WriteString(text[last:])
	return b.String(), changed
}

// replaceGroup replaces submatch group of every match of re in text by
// redactedMark, and sets *changed when it replaced anything.
func replaceGroup(re *regexp.Regexp, text string, group int, changed *bool) string {
	var b strings.Builder
	last := 0
	for _, m := range re.FindAllStringSubmatchIndex(text, -1) {
		start, end := m[2*group], m[2*group+1]
		b.WriteString(text[last:start])
		b.WriteString(redactedMark)
		last = end
		*changed = true
	}
	b.WriteString(text[last:])
	return b.String()
}
