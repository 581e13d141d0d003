package assistant

import (
	"strings"
	"unicode"
)

// foldedLetters maps the accented letters of the five languages (and a few
// neighbours) to what people type when their keyboard lacks them.
var foldedLetters = map[rune]string{
	'à': "a", 'á': "a", 'â': "a", 'ä': "a", 'ã': "a", 'å': "a", 'ā': "a",
	'æ': "ae", 'ç': "c", 'è': "e", 'é': "e", 'ê': "e", 'ë': "e",
	'ì': "i", 'í': "i", 'î': "i", 'ï': "i", 'ñ': "n",
	'ò': "o", 'ó': "o", 'ô': "o", 'ö': "o", 'õ': "o", 'ø': "o",
	'ù': "u", 'ú': "u", 'û': "u", 'ü': "u", 'ý': "y", 'ÿ': "y", 'ß': "ss",
}

// fold lowercases s and replaces accented letters by their plain forms, so
// that "Rückerstattung", "ruckerstattung" and "RÜCKERSTATTUNG" look alike.
func fold(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range strings.ToLower(s) {
		if f, ok := foldedLetters[r]; ok {
			b.WriteString(f)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// isApostrophe reports whether r joins the parts of a word such as "didn't".
func isApostrophe(r rune) bool { return r == '\'' || r == '’' || r == '`' }

// splitWords splits lowercased text into its runs of letters and digits,
// dropping apostrophes inside words ("didn't" becomes "didnt").
func splitWords(s string) []string {
	var (
		out []string
		cur strings.Builder
	)
	flush := func() {
		if cur.Len() > 0 {
			out = append(out, cur.String())
			cur.Reset()
		}
	}
	for _, r := range s {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			cur.WriteRune(r)
		case isApostrophe(r):
		default:
			flush()
		}
	}
	flush()
	return out
}

// Placeholder tokens the classifier sees instead of numbers and identifiers,
// so that an amount, a date or an order reference is a feature of its kind
// rather than of its value.
const (
	numberToken = "0num"
	idToken     = "0id"
)

// words returns the folded words of text as the classifier sees them: a
// number becomes numberToken and a word mixing letters and digits idToken.
func words(text string) []string {
	ws := splitWords(fold(text))
	for i, w := range ws {
		letters, digits := 0, 0
		for _, r := range w {
			if unicode.IsDigit(r) {
				digits++
			} else {
				letters++
			}
		}
		switch {
		case digits > 0 && letters == 0:
			ws[i] = numberToken
		case digits > 0 && letters > 2:
			ws[i] = idToken
		}
	}
	return ws
}
