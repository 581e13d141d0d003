package assistant

import (
	"reflect"
	"regexp"
	"slices"
	"testing"
)

// TestEveryTextInFiveLanguages: each thing the assistant says exists in
// every language, with the same placeholders as in English.
func TestEveryTextInFiveLanguages(t *testing.T) {
	placeholder := regexp.MustCompile(`\{[a-z]+\}`)
	names := func(s string) []string {
		p := placeholder.FindAllString(s, -1)
		slices.Sort(p)
		return p
	}
	check := func(name string, x text) {
		en := names(x.en)
		for _, l := range Languages {
			s := x.in(l)
			if s == "" {
				t.Errorf("%s: no %s text", name, l)
			}
			if got := names(s); !slices.Equal(got, en) {
				t.Errorf("%s: %s has placeholders %v, en has %v", name, l, got, en)
			}
		}
	}
	v := reflect.ValueOf(texts)
	if v.NumField() < 40 {
		t.Fatalf("only %d texts", v.NumField())
	}
	for i := 0; i < v.NumField(); i++ {
		check(v.Type().Field(i).Name, v.Field(i).Interface().(text))
	}
	for in, q := range topicQueries {
		check("topic query "+string(in), q)
	}
	check("evalYes", evalYes)
	check("evalComplaint", evalComplaint)
}

func TestTextFillsPlaceholders(t *testing.T) {
	got := texts.ProposeDispute.in(German, "order", "K7M2PQ9XZA", "reason", "Die Rechnung ist falsch")
	want := "Ich eröffne einen Streitfall zur Bestellung K7M2PQ9XZA: Die Rechnung ist falsch. Der Shop wird um eine Antwort gebeten, und die Zahlungen pausieren so lange."
	if got != want {
		t.Fatalf("got %q", got)
	}
	if texts.ShallI.in("fr") != texts.ShallI.en {
		t.Fatal("an unknown language does not fall back to English")
	}
}
