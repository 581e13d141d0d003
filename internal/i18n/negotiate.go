package i18n

import (
	"net/http"
	"sort"
	"strconv"
	"strings"
)

// Param is the name of both the query parameter and the cookie that choose a
// language explicitly.
const Param = "lang"

// Negotiate picks the language for a request. The first of these that names
// a supported language wins:
//
//  1. the lang query parameter (a link from the language switch),
//  2. the lang cookie (an earlier choice),
//  3. the Accept-Language header, by q-value,
//  4. sessionLocale, a locale the caller knows from elsewhere, such as a
//     payment session's "da-DK" (pass "" when there is none),
//
// and English otherwise.
func Negotiate(r *http.Request, sessionLocale string) Lang {
	if l, ok := Parse(r.URL.Query().Get(Param)); ok {
		return l
	}
	if c, err := r.Cookie(Param); err == nil {
		if l, ok := Parse(c.Value); ok {
			return l
		}
	}
	if l, ok := FromAcceptLanguage(r.Header.Get("Accept-Language")); ok {
		return l
	}
	if l, ok := Parse(sessionLocale); ok {
		return l
	}
	return Default
}

// FromAcceptLanguage returns the supported language an Accept-Language header
// value prefers most: the highest q-value wins, and among equal q-values the
// earlier entry. Entries with q=0, the wildcard "*" and malformed entries are
// ignored. It reports false when no entry names a supported language.
func FromAcceptLanguage(header string) (Lang, bool) {
	type choice struct {
		lang Lang
		q    float64
	}
	var choices []choice
	for _, part := range strings.Split(header, ",") {
		tag, params, _ := strings.Cut(part, ";")
		q := 1.0
		if params != "" {
			name, value, ok := strings.Cut(strings.TrimSpace(params), "=")
			if !ok || strings.TrimSpace(name) != "q" {
				continue
			}
			v, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
			if err != nil || v < 0 || v > 1 {
				continue
			}
			q = v
		}
		l, ok := Parse(tag)
		if !ok || q == 0 {
			continue
		}
		choices = append(choices, choice{l, q})
	}
	if len(choices) == 0 {
		return "", false
	}
	sort.SliceStable(choices, func(i, j int) bool { return choices[i].q > choices[j].q })
	return choices[0].lang, true
}
