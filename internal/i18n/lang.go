package i18n

import "strings"

// Lang is a language Tillit's pages are written in, as its ISO 639-1 code,
// which is also the value of an HTML lang attribute.
type Lang string

// The languages Tillit speaks.
const (
	Danish  Lang = "da"
	English Lang = "en"
	Dutch   Lang = "nl"
	Swedish Lang = "sv"
)

// Default is the language used when nothing better is known.
const Default = English

// Supported lists every language, in the order a language switch shows them
// (alphabetical by each language's own name).
var Supported = []Lang{Danish, English, Dutch, Swedish}

// Parse returns the supported language of a language tag such as "da",
// "da-DK", "sv_SE" or "EN-gb", judged by its primary subtag alone. It reports
// false for anything else.
func Parse(tag string) (Lang, bool) {
	tag = strings.TrimSpace(tag)
	if i := strings.IndexAny(tag, "-_"); i >= 0 {
		tag = tag[:i]
	}
	l := Lang(strings.ToLower(tag))
	for _, s := range Supported {
		if l == s {
			return l, true
		}
	}
	return "", false
}

// String returns the language code.
func (l Lang) String() string { return string(l) }

// Name returns the language's name written in that language ("Dansk"), as a
// language switch shows it.
func (l Lang) Name() string { return T(l, "language.self") }
