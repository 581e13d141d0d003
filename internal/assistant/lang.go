package assistant

import "strings"

// Lang is a language the assistant speaks, as its ISO 639-1 code.
type Lang string

// The languages the assistant speaks.
const (
	English Lang = "en"
	Danish  Lang = "da"
	Dutch   Lang = "nl"
	Swedish Lang = "sv"
	German  Lang = "de"
)

// Languages lists every language the assistant speaks.
var Languages = []Lang{English, Danish, Dutch, Swedish, German}

// DefaultLang is the language used when neither the message nor a hint
// tells.
const DefaultLang = English

// ParseLang returns the language of a tag such as "da", "sv-SE", "de_AT" or
// "EN-gb", judged by its primary subtag, and false when the assistant does
// not speak it.
func ParseLang(tag string) (Lang, bool) {
	tag = strings.TrimSpace(tag)
	if i := strings.IndexAny(tag, "-_"); i >= 0 {
		tag = tag[:i]
	}
	l := Lang(strings.ToLower(tag))
	for _, s := range Languages {
		if l == s {
			return l, true
		}
	}
	return "", false
}
