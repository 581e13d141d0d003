package password

import (
	_ "embed"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Reasons Check refuses a password. Their messages are meant for the person
// choosing it.
var (
	ErrTooShort  = &WeakError{"must be at least 12 characters long"}
	ErrTooLong   = &WeakError{"must be at most 1024 bytes long"}
	ErrCommon    = &WeakError{"is too common or too easy to guess; choose a longer phrase of unrelated words"}
	ErrPersonal  = &WeakError{"must not contain your e-mail address or name"}
	ErrRepeating = &WeakError{"needs more than a few different characters"}
)

// WeakError is a password Check refuses.
type WeakError struct{ reason string }

func (e *WeakError) Error() string { return "password " + e.reason }

// Reason is the explanation for the person choosing the password, without
// the leading "password".
func (e *WeakError) Reason() string { return e.reason }

//go:embed common.txt
var commonList string

// common holds the embedded list of very common passwords and their stems,
// lower-cased.
var common = func() map[string]bool {
	m := map[string]bool{}
	for _, line := range strings.Split(commonList, "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			m[strings.ToLower(line)] = true
		}
	}
	return m
}()

// minDistinct is the fewest different characters a password must use.
const minDistinct = 5

// Check decides whether a new password may be used, following NIST SP 800-63B
// rather than composition rules: at least MinLength characters, at most
// MaxBytes bytes, not on the list of very common passwords (also once
// surrounding digits and punctuation are stripped, so "Password2024!" is
// refused), not made of only a few different characters, and not containing
// any of personal (the account's e-mail address, its local part, the person's
// name; entries shorter than four characters are ignored). It returns a
// *WeakError.
func Check(password string, personal ...string) error {
	if len(password) > MaxBytes {
		return ErrTooLong
	}
	if utf8.RuneCountInString(password) < MinLength {
		return ErrTooShort
	}
	lower := strings.ToLower(password)
	stem := strings.TrimFunc(lower, func(r rune) bool {
		return unicode.IsDigit(r) || unicode.IsPunct(r) || unicode.IsSymbol(r) || unicode.IsSpace(r)
	})
	if common[lower] || common[stem] || common[strings.Join(strings.Fields(lower), "")] {
		return ErrCommon
	}
	distinct := map[rune]bool{}
	for _, r := range lower {
		distinct[r] = true
	}
	if len(distinct) < minDistinct {
		return ErrRepeating
	}
	for _, p := range personal {
		p = strings.ToLower(strings.TrimSpace(p))
		candidates := []string{p}
		if local, _, ok := strings.Cut(p, "@"); ok {
			candidates = append(candidates, local)
		}
		for _, c := range candidates {
			if utf8.RuneCountInString(c) >= 4 && strings.Contains(lower, c) {
				return ErrPersonal
			}
		}
	}
	return nil
}
