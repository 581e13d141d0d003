package help

import (
	_ "embed" // locales/de.json
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/tillit/tillit/internal/i18n"
	"github.com/tillit/tillit/internal/web"
)

// German is the help centre's fifth language. The rest of Tillit speaks
// i18n.Supported only, so German lives here: the articles, and the help
// pages' own texts in locales/de.json (docs/help.md says why).
const German i18n.Lang = "de"

// Languages are the languages every article is written in, in the order
// the help centre's language switch shows them (by each one's own name).
var Languages = []i18n.Lang{i18n.Danish, German, i18n.English, i18n.Dutch, i18n.Swedish}

// ParseLang returns the help centre language of a language tag such as
// "de", "de-AT" or "sv_SE", judged by its primary subtag, and false for any
// other.
func ParseLang(tag string) (i18n.Lang, bool) {
	tag = strings.TrimSpace(tag)
	if i := strings.IndexAny(tag, "-_"); i >= 0 {
		tag = tag[:i]
	}
	l := i18n.Lang(strings.ToLower(tag))
	for _, s := range Languages {
		if l == s {
			return l, true
		}
	}
	return "", false
}

// langOrEnglish is the help centre language of tag, English when it names
// none.
func langOrEnglish(tag string) i18n.Lang {
	if l, ok := ParseLang(tag); ok {
		return l
	}
	return i18n.English
}

// langCookieAge is how long a German chosen with the help centre's switch
// is remembered (the shared pages remember their four languages as long).
const langCookieAge = 365 * 24 * time.Hour

// negotiate picks the language of a help page: the lang query parameter,
// then the lang cookie, then Accept-Language, among Languages, else
// English. A German chosen by the query is remembered in the lang cookie
// (web's middleware remembers the other four). For the four languages the
// shared layout speaks, the returned request renders the layout in the
// same one; for German the layout keeps its own choice and the page marks
// its content as German.
func negotiate(w http.ResponseWriter, r *http.Request) (i18n.Lang, *http.Request) {
	lang, ok := ParseLang(r.URL.Query().Get(i18n.Param))
	if ok && lang == German {
		if c, err := r.Cookie(i18n.Param); err != nil || c.Value != string(German) {
			web.SetCookie(w, r, i18n.Param, string(German), langCookieAge)
		}
	}
	if !ok {
		if c, err := r.Cookie(i18n.Param); err == nil {
			lang, ok = ParseLang(c.Value)
		}
	}
	if !ok {
		lang, ok = fromAcceptLanguage(r.Header.Get("Accept-Language"))
	}
	if !ok {
		lang = i18n.English
	}
	if lang != German {
		r = web.WithLang(r, lang)
	}
	return lang, r
}

// fromAcceptLanguage returns the help centre language an Accept-Language
// header prefers most, as i18n.FromAcceptLanguage does for the four
// shared languages: the highest q-value wins, the earlier entry among
// equals; q=0, "*" and malformed entries are ignored.
func fromAcceptLanguage(header string) (i18n.Lang, bool) {
	best, bestQ := i18n.Lang(""), 0.0
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
		l, ok := ParseLang(tag)
		if ok && q > bestQ {
			best, bestQ = l, q
		}
	}
	return best, best != ""
}

//go:embed locales/de.json
var germanFile []byte

// germanText is the German of the help pages' own texts: the keys of the
// "help." catalog area (internal/i18n/locales/help) that the pages use,
// and the language's own name.
var germanText = mustGerman()

func mustGerman() map[string]string {
	m := map[string]string{}
	if err := json.Unmarshal(germanFile, &m); err != nil {
		panic(fmt.Sprintf("help: locales/de.json: %v", err))
	}
	return m
}

// text translates the help pages' own texts into one language: German from
// germanText, the others from the i18n catalogs. Templates call it as
// {{.Data.T "help.title"}}, since the shared renderer's t knows only the
// four shared languages.
type text struct{ lang i18n.Lang }

// T returns the message for key with its placeholders filled from args
// (name, value, ...), like i18n.T; a key German lacks falls back to
// English.
func (x text) T(key string, args ...any) string {
	if x.lang != German {
		return i18n.T(x.lang, key, args...)
	}
	msg, ok := germanText[key]
	if !ok {
		return i18n.T(i18n.English, key, args...)
	}
	for i := 0; i+1 < len(args); i += 2 {
		if name, ok := args[i].(string); ok {
			msg = strings.ReplaceAll(msg, "{"+name+"}", fmt.Sprint(args[i+1]))
		}
	}
	return msg
}

// LangName returns lang's name for itself ("Deutsch").
func (x text) LangName(lang i18n.Lang) string {
	return text{lang}.T("language.self")
}
