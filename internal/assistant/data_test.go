package assistant

import (
	"strings"
	"testing"
)

// normalized is text as the no-overlap check between the training phrases
// and the evaluation messages compares it: folded words joined by spaces.
func normalized(text string) string { return strings.Join(splitWords(fold(text)), " ") }

// TestTrainingPhrases: every intent has enough phrases in every language,
// and no phrase is given twice.
func TestTrainingPhrases(t *testing.T) {
	examples, err := TrainingSet()
	if err != nil {
		t.Fatal(err)
	}
	count := map[Lang]map[Intent]int{}
	seen := map[string]Intent{}
	for _, e := range examples {
		if count[e.Lang] == nil {
			count[e.Lang] = map[Intent]int{}
		}
		count[e.Lang][e.Intent]++
		key := string(e.Lang) + "|" + normalized(e.Text)
		if in, dup := seen[key]; dup {
			t.Errorf("%s: %q is given twice (%s, %s)", e.Lang, e.Text, in, e.Intent)
		}
		seen[key] = e.Intent
	}
	for _, l := range Languages {
		for _, in := range Intents {
			least := 40
			if in == Greeting || in == Thanks {
				least = 20
			}
			if n := count[l][in]; n < least {
				t.Errorf("%s %s: %d phrases, want at least %d", l, in, n, least)
			}
		}
	}
}

// TestEvalSetIsItsOwn: the evaluation set is big enough, balanced, has
// its share of messages no intent fits, and shares no message with the
// training phrases (compared folded, without punctuation).
func TestEvalSetIsItsOwn(t *testing.T) {
	eval, err := EvalSet()
	if err != nil {
		t.Fatal(err)
	}
	train, err := TrainingSet()
	if err != nil {
		t.Fatal(err)
	}
	trained := map[string]bool{}
	for _, e := range train {
		trained[normalized(e.Text)] = true
	}
	perLang := map[Lang]int{}
	typos, mixed := map[Lang]int{}, map[Lang]int{}
	none := 0
	for _, e := range eval {
		if trained[normalized(e.Text)] {
			t.Errorf("%q is also a training phrase", e.Text)
		}
		perLang[e.Lang]++
		if e.Intent == None {
			none++
		}
		if strings.Contains(e.Notes, "typo") {
			typos[e.Lang]++
		}
		if strings.Contains(e.Notes, "mixed") {
			mixed[e.Lang]++
		}
	}
	if len(eval) < 400 {
		t.Errorf("%d messages, want at least 400", len(eval))
	}
	for _, l := range Languages {
		if perLang[l] < 80 || typos[l] < 3 || mixed[l] < 1 {
			t.Errorf("%s: %d messages (want 80), %d with typos (want 3), %d mixed (want 1)", l, perLang[l], typos[l], mixed[l])
		}
	}
	if float64(none) < 0.15*float64(len(eval)) {
		t.Errorf("%d none messages of %d, want at least 15%%", none, len(eval))
	}
}

func TestParseEvalSetRejectsBadLines(t *testing.T) {
	for _, line := range []string{
		`{"text":"hi","lang":"fr","intent":"greeting"}`,
		`{"text":"hi","lang":"en","intent":"order_pizza"}`,
		`{"text":" ","lang":"en","intent":"none"}`,
		`{"text":"hi","lang":"en","intent":"none","extra":1}`,
		`not json`,
	} {
		if _, err := ParseEvalSet(strings.NewReader(line)); err == nil {
			t.Errorf("%s: no error", line)
		}
	}
}
