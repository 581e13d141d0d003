package i18n

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// catalogProblems lists every way the catalogs disagree with English: a key
// missing from a language or present only there, placeholders that differ,
// empty messages and malformed placeholders.
func catalogProblems(cats map[Lang]map[string]string) []string {
	var problems []string
	placeholder := regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	en := cats[English]
	for _, l := range Supported {
		cat := cats[l]
		for key, msg := range cat {
			if strings.TrimSpace(msg) == "" {
				problems = append(problems, fmt.Sprintf("%s: %q is empty", l, key))
			}
			if strings.Count(msg, "{") != strings.Count(msg, "}") {
				problems = append(problems, fmt.Sprintf("%s: %q has unbalanced braces", l, key))
			}
			for _, p := range Placeholders(msg) {
				if !placeholder.MatchString(p) {
					problems = append(problems, fmt.Sprintf("%s: %q has a malformed placeholder {%s}", l, key, p))
				}
			}
			if l == English {
				continue
			}
			enMsg, ok := en[key]
			if !ok {
				problems = append(problems, fmt.Sprintf("%s: %q is not in en", l, key))
				continue
			}
			if a, b := Placeholders(enMsg), Placeholders(msg); !slices.Equal(a, b) {
				problems = append(problems, fmt.Sprintf("%s: %q has placeholders %v, en has %v", l, key, b, a))
			}
		}
		if l == English {
			continue
		}
		for key := range en {
			if _, ok := cat[key]; !ok {
				problems = append(problems, fmt.Sprintf("%s: %q is missing (en has it)", l, key))
			}
		}
	}
	slices.Sort(problems)
	return problems
}

func TestCatalogsComplete(t *testing.T) {
	for _, p := range catalogProblems(catalogs) {
		t.Error(p)
	}
}

func TestCatalogProblemsFound(t *testing.T) {
	broken := map[Lang]map[string]string{
		English: {"a": "Pay {amount}", "b": "Hello", "c": "Hi"},
		Danish:  {"a": "Betal {beløb}", "b": "Hej", "c": "Hej", "x": "Ekstra"},
		Dutch:   {"a": "Betaal {amount}", "b": "  "},
		Swedish: {"a": "Betala {amount", "b": "Hej", "c": "Hej"},
	}
	got := catalogProblems(broken)
	want := []string{
		`da: "a" has a malformed placeholder {beløb}`,
		`da: "a" has placeholders [beløb], en has [amount]`,
		`da: "x" is not in en`,
		`nl: "b" is empty`,
		`nl: "c" is missing (en has it)`,
		`sv: "a" has placeholders [], en has [amount]`,
		`sv: "a" has unbalanced braces`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestCatalogFilesSortedWithoutDuplicates reads each file as a token stream:
// encoding/json would silently keep the last of two equal keys.
func TestCatalogFilesSortedWithoutDuplicates(t *testing.T) {
	for _, l := range Supported {
		for _, name := range catalogFiles(l) {
			checkSorted(t, name)
		}
	}
}

func checkSorted(t *testing.T, name string) {
	t.Helper()
	{
		b, err := localeFiles.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		dec := json.NewDecoder(strings.NewReader(string(b)))
		if _, err := dec.Token(); err != nil {
			t.Fatal(err)
		}
		prev := ""
		for dec.More() {
			tok, err := dec.Token()
			if err != nil {
				t.Fatal(err)
			}
			key := tok.(string)
			if key <= prev {
				t.Errorf("%s: %q comes after %q: keep keys sorted and unique", name, key, prev)
			}
			prev = key
			if _, err := dec.Token(); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func TestT(t *testing.T) {
	tests := []struct {
		lang Lang
		key  string
		args []any
		want string
	}{
		{English, "auth.sign_in", nil, "Sign in"},
		{Danish, "auth.sign_in", nil, "Log ind"},
		{Dutch, "auth.sign_in", nil, "Inloggen"},
		{Swedish, "auth.sign_in", nil, "Logga in"},
		{Danish, "form.too_long", []any{"max", 40}, "Brug højst 40 tegn."},
		{English, "nav.page_of", []any{"pages", 9, "page", 2}, "Page 2 of 9"},
		{English, "nav.page_of", []any{"page", 2}, "Page 2 of {pages}"},
		{English, "auth.signed_in_as", []any{"email", "{page}"}, "Signed in as {page}"},
		{English, "no.such.key", nil, "no.such.key"},
		{Lang("fr"), "auth.sign_out", nil, "Sign out"},
	}
	for _, tt := range tests {
		if got := T(tt.lang, tt.key, tt.args...); got != tt.want {
			t.Errorf("T(%s, %q, %v) = %q, want %q", tt.lang, tt.key, tt.args, got, tt.want)
		}
	}
	if got := (Printer{Lang: Swedish}).T("auth.signed_in_as", "email", "a@b.se"); got != "Inloggad som a@b.se" {
		t.Errorf("Printer.T = %q", got)
	}
}

func TestLangNames(t *testing.T) {
	want := map[Lang]string{Danish: "Dansk", English: "English", Dutch: "Nederlands", Swedish: "Svenska"}
	for l, name := range want {
		if got := l.Name(); got != name {
			t.Errorf("%s.Name() = %q, want %q", l, got, name)
		}
	}
	if !Has("auth.sign_in") || Has("auth.nope") {
		t.Error("Has disagrees with the English catalog")
	}
}

// moneyPlaceholders are the placeholder names that take a formatted amount.
var moneyPlaceholders = map[string]bool{
	"amount": true, "total": true, "fee": true, "monthly": true, "cost": true,
	"example": true, "first": true, "second": true, "third": true,
}

// TestNoDoubleFullStopAfterMoney fills every message's money placeholders
// with a Danish-style amount, which ends in "kr.", and fails when a sentence
// ends right after it: "… 100,00 kr.." reads as a typo. Put the amount before
// the end of the sentence instead.
func TestNoDoubleFullStopAfterMoney(t *testing.T) {
	for _, lang := range Supported {
		amount := FormatMoney(lang, 10000, "DKK")
		for _, key := range Keys(lang) {
			msg, _ := Message(lang, key)
			var args []any
			for _, name := range Placeholders(msg) {
				if moneyPlaceholders[name] {
					args = append(args, name, amount)
				}
			}
			if got := T(lang, key, args...); strings.Contains(got, "kr..") {
				t.Errorf("%s %s: %q", lang, key, got)
			}
		}
	}
}
