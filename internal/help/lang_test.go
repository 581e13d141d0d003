package help

import (
	"io/fs"
	"net/http/httptest"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/tillit/tillit/internal/i18n"
)

// templateKey is a message key a help template gives to .T.
var templateKey = regexp.MustCompile(`\.T "([a-z0-9_.]+)"`)

// TestGermanHasEveryPageText checks the German table has exactly the keys
// of the help pages' texts: every key the templates use and every topic's
// name (all of them in the shared catalogs too), the language's own name,
// and nothing else; with English's placeholders.
func TestGermanHasEveryPageText(t *testing.T) {
	want := []string{"language.self"}
	for _, topic := range Topics {
		want = append(want, topic.NameKey())
	}
	files, err := fs.Glob(templates, "templates/*.html")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		src, err := fs.ReadFile(templates, f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range templateKey.FindAllStringSubmatch(string(src), -1) {
			if !slices.Contains(want, m[1]) {
				want = append(want, m[1])
			}
		}
	}
	sort.Strings(want)
	var got []string
	for k := range germanText {
		got = append(got, k)
	}
	sort.Strings(got)
	if !slices.Equal(got, want) {
		t.Errorf("locales/de.json has %v,\nthe pages use %v", got, want)
	}
	for _, k := range want {
		en, ok := i18n.Message(i18n.English, k)
		if !ok {
			t.Errorf("%q is in no shared catalog (internal/i18n/locales/help)", k)
			continue
		}
		if a, b := i18n.Placeholders(en), i18n.Placeholders(germanText[k]); !slices.Equal(a, b) {
			t.Errorf("%q: German has placeholders %v, English %v", k, b, a)
		}
		if strings.TrimSpace(germanText[k]) == "" {
			t.Errorf("%q is empty in German", k)
		}
	}
}

// TestText checks the pages' texts come from the catalogs for the shared
// languages and from the German table for German, with placeholders
// filled.
func TestText(t *testing.T) {
	if got := (text{i18n.Danish}).T("help.title"); got != i18n.T(i18n.Danish, "help.title") {
		t.Errorf("Danish title %q", got)
	}
	if got := (text{German}).T("help.search.results", "query", "Karte"); got != "Artikel zu „Karte“" {
		t.Errorf("German results heading %q", got)
	}
	if got := (text{German}).T("help.link.freeze"); got != i18n.T(i18n.English, "help.link.freeze") {
		t.Errorf("a key German lacks reads %q, want English", got)
	}
	if got := (text{i18n.English}).LangName(German); got != "Deutsch" {
		t.Errorf("German calls itself %q", got)
	}
}

// TestParseAndNegotiate checks the five languages are recognised by their
// tags, and a page's language comes from ?lang=, then the cookie, then
// Accept-Language, else English.
func TestParseAndNegotiate(t *testing.T) {
	for tag, want := range map[string]i18n.Lang{"de": German, "DE-at": German, "sv_SE": i18n.Swedish, "da": i18n.Danish, "nl-BE": i18n.Dutch, "en-GB": i18n.English} {
		if got, ok := ParseLang(tag); !ok || got != want {
			t.Errorf("ParseLang(%q) = %q, %v", tag, got, ok)
		}
	}
	for _, tag := range []string{"", "fr", "deu", "*", "d"} {
		if got, ok := ParseLang(tag); ok {
			t.Errorf("ParseLang(%q) = %q", tag, got)
		}
	}
	for _, tc := range []struct {
		name, query, cookie, accept string
		want                        i18n.Lang
	}{
		{"query", "?lang=de", "da", "sv", German},
		{"unknown query falls through", "?lang=fr", "nl", "", i18n.Dutch},
		{"cookie", "", "de", "sv", German},
		{"accept-language by q", "", "", "en;q=0.5, de-DE;q=0.9, da;q=0.7", German},
		{"accept-language first of equals", "", "", "sv, de", i18n.Swedish},
		{"q=0 and wildcard ignored", "", "", "de;q=0, *;q=0.8, fr", i18n.English},
		{"nothing", "", "", "", i18n.English},
	} {
		r := httptest.NewRequest("GET", "/help/"+tc.query, nil)
		if tc.cookie != "" {
			r.Header.Set("Cookie", "lang="+tc.cookie)
		}
		r.Header.Set("Accept-Language", tc.accept)
		w := httptest.NewRecorder()
		if got, _ := negotiate(w, r); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}
