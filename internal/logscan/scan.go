package logscan

import (
	"log/slog"
	"regexp"
	"slices"
	"strings"
)

// TestBIN is the first six digits of the card numbers Tillit issues in
// tests (card.DefaultBIN; this package imports nothing of Tillit's so that
// every package's tests can use it, and the card tests check the two
// agree). A Luhn-valid run of 13 to 19 digits starting with it is a card
// number wherever it is logged, registered or not.
const TestBIN = "999000"

// minSearchLen is the length from which a secret is looked for inside
// longer text. A shorter one must stand alone: a digits-only one (a CVV, a
// six-digit code) as a whole run of digits in text, not touching letters or
// a decimal point; any other as a whole attribute value.
const minSearchLen = 8

// finding is one captured record that holds secrets.
type finding struct {
	record record
	hits   []hit
}

// hit is one secret in a record.
type hit struct {
	kind Kind
	// rule says how the secret was recognised.
	rule string
	// key is the field the secret is in.
	key string
	// shown is the secret as it appears in the field, masked in reports.
	shown string
}

// How a hit was recognised.
const (
	ruleRegistered = "registered by a test"
	ruleTestBIN    = "Luhn-valid with the test BIN " + TestBIN
	ruleKey        = "under a key that names it"
)

// secretSet is the registered secrets sorted by how they are looked for.
type secretSet struct {
	digits map[string]Kind
	// long holds the other secrets of at least minSearchLen characters,
	// short the rest.
	long  []string
	short map[string]Kind
	kinds map[string]Kind
}

// scan returns the captured records that hold a secret, in the order they
// were logged.
func (r *recorder) scan() []finding {
	r.mu.Lock()
	defer r.mu.Unlock()
	set := secretSet{digits: map[string]Kind{}, short: map[string]Kind{}, kinds: r.secrets}
	for value, kind := range r.secrets {
		switch {
		case allDigits(value):
			set.digits[value] = kind
		case len(value) >= minSearchLen:
			set.long = append(set.long, value)
		default:
			set.short[value] = kind
		}
	}
	slices.Sort(set.long)
	var findings []finding
	for _, rec := range r.records {
		var hits []hit
		for _, f := range rec.fields {
			hits = append(hits, set.check(f)...)
		}
		if len(hits) > 0 {
			findings = append(findings, finding{record: rec, hits: hits})
		}
	}
	return findings
}

// check returns the secrets in one field.
func (s secretSet) check(f field) []hit {
	var hits []hit
	add := func(kind Kind, rule, shown string) {
		hits = append(hits, hit{kind: kind, rule: rule, key: f.key, shown: shown})
	}
	for _, g := range digitGroups(f.value) {
		for _, run := range g.runs {
			digits := f.value[run.start:run.end]
			if kind, ok := s.digits[digits]; ok && (len(digits) >= minSearchLen || f.text && standsAlone(f.value, run)) {
				add(kind, ruleRegistered, digits)
			} else if isTestCard(digits) {
				add(CardNumber, ruleTestBIN, digits)
			}
		}
		if len(g.runs) > 1 {
			shown := f.value[g.runs[0].start:g.runs[len(g.runs)-1].end]
			if kind, ok := s.digits[g.joined]; ok && len(g.joined) >= minSearchLen {
				add(kind, ruleRegistered, shown)
			} else if isTestCard(g.joined) {
				add(CardNumber, ruleTestBIN, shown)
			}
		}
	}
	for _, secret := range s.long {
		if strings.Contains(f.value, secret) {
			add(s.kinds[secret], ruleRegistered, secret)
		}
	}
	if kind, ok := s.short[strings.TrimSpace(f.value)]; ok && f.text {
		add(kind, ruleRegistered, strings.TrimSpace(f.value))
	}
	if kind, ok := keyKind(f.key, f.value); ok && f.key != slog.MessageKey && f.key != stderrKey && (f.text || allDigits(f.value)) {
		add(kind, ruleKey, f.value)
	}
	if f.text {
		for _, m := range keyValuePattern.FindAllStringSubmatch(f.value, -1) {
			if kind, ok := keyKind(m[1], m[2]); ok {
				add(kind, ruleKey, m[2])
			}
		}
	}
	return hits
}

// keyValuePattern finds "key=value" and "key":"value" pairs inside text (a
// JSON log line on standard error, a query string in an error) whose key
// may name a secret; keyKind decides. The value must follow the separator
// directly, so that prose such as "wrong password: try again" is not one.
var keyValuePattern = regexp.MustCompile(`(?i)(?:^|[^a-z0-9_])["']?([a-z_-]*(?:password|passwd|passphrase|cvv2?|cvc2?|otp|code|pan|card_?number))["']?\s*[:=]["']?([^\s"'&,;}\]]+)`)

// keyKind reports what secret a value logged under key must be, if the key
// names one (the last part of a dotted key, case, "_" and "-" aside) and
// the value is not visibly redacted. Under a bare "code" only four to
// eight digits count: elsewhere the word names error codes.
func keyKind(key, value string) (Kind, bool) {
	if i := strings.LastIndexByte(key, '.'); i >= 0 {
		key = key[i+1:]
	}
	name := strings.ToLower(strings.NewReplacer("_", "", "-", "").Replace(key))
	var kind Kind
	switch {
	case strings.HasSuffix(name, "password"), name == "passwd", name == "passphrase":
		kind = Password
	case name == "cvv", name == "cvv2", name == "cvc", name == "cvc2", name == "securitycode":
		kind = CVV
	case name == "pan", name == "cardnumber", name == "cardno":
		kind = CardNumber
	case name == "otp", name == "totp", name == "onetimecode", name == "otpcode", name == "totpcode",
		name == "logincode", name == "signincode", name == "verificationcode", name == "recoverycode":
		kind = OneTimeCode
	case name == "code":
		if len(value) < 4 || len(value) > 8 || !allDigits(value) {
			return "", false
		}
		kind = OneTimeCode
	default:
		return "", false
	}
	return kind, !redacted(value)
}

// redacted reports whether a value is visibly not the secret: empty, a word
// such as "[redacted]", or a mask ("••••", "****1234", "999000******1234")
// that leaves at most a card number's first six and last four digits.
func redacted(value string) bool {
	v := strings.ToLower(strings.TrimSpace(value))
	if v == "" {
		return true
	}
	for _, word := range []string{"redact", "hidden", "masked", "omitted", "removed", "filtered"} {
		if strings.Contains(v, word) {
			return true
		}
	}
	masks, digits := 0, 0
	for _, c := range v {
		switch {
		case strings.ContainsRune("*•·x#…", c):
			masks++
		case c >= '0' && c <= '9':
			digits++
		case c == ' ' || c == '-':
		default:
			return false
		}
	}
	return masks > 0 && digits <= 10
}

// span is a range of bytes in a text.
type span struct{ start, end int }

// digitGroup is a maximal run of digits, or several joined by single spaces
// or hyphens the way card numbers are printed ("9990 0012 3456 7890").
type digitGroup struct {
	runs   []span
	joined string
}

// digitGroups returns the digit groups of s in order.
func digitGroups(s string) []digitGroup {
	var groups []digitGroup
	for i := 0; i < len(s); {
		if !isDigit(s[i]) {
			i++
			continue
		}
		var g digitGroup
		for {
			start := i
			for i < len(s) && isDigit(s[i]) {
				i++
			}
			g.runs = append(g.runs, span{start, i})
			g.joined += s[start:i]
			if i+1 < len(s) && (s[i] == ' ' || s[i] == '-') && isDigit(s[i+1]) {
				i++
				continue
			}
			break
		}
		groups = append(groups, g)
	}
	return groups
}

// standsAlone reports whether the run of digits is a word of its own: no
// letter or underscore touches it, nor a decimal point or comma with a
// digit behind it.
func standsAlone(s string, run span) bool {
	if run.start > 0 {
		b := s[run.start-1]
		if isWordByte(b) || (b == '.' || b == ',') && run.start > 1 && isDigit(s[run.start-2]) {
			return false
		}
	}
	if run.end < len(s) {
		b := s[run.end]
		if isWordByte(b) || (b == '.' || b == ',') && run.end+1 < len(s) && isDigit(s[run.end+1]) {
			return false
		}
	}
	return true
}

// isTestCard reports whether digits is a Luhn-valid card number of 13 to
// 19 digits with the test BIN.
func isTestCard(digits string) bool {
	if len(digits) < 13 || len(digits) > 19 || !strings.HasPrefix(digits, TestBIN) {
		return false
	}
	sum := 0
	for i := range len(digits) {
		d := int(digits[len(digits)-1-i] - '0')
		if i%2 == 1 {
			if d *= 2; d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return sum%10 == 0
}

func allDigits(s string) bool {
	for i := range len(s) {
		if !isDigit(s[i]) {
			return false
		}
	}
	return s != ""
}

func isDigit(b byte) bool { return b >= '0' && b <= '9' }

func isWordByte(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b == '_' || isDigit(b) || b >= 0x80
}
