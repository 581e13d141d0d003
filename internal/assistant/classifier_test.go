package assistant

import (
	"slices"
	"testing"
)

func TestClassifierPlacesPlainRequests(t *testing.T) {
	e := mustEngine(t)
	cases := []struct {
		text string
		want Intent
	}{
		{"where is my refund", RefundStatus},
		{"hvornår får jeg pengene tilbage for min returnering", RefundStatus},
		{"kunnen jullie mijn betaling pauzeren", PausePayment},
		{"jag vill returnera min beställning", ReportReturn},
		{"das paket ist nie angekommen", OpenDispute},
		{"frys mit kort", FreezeCard},
		{"ik heb deze aankoop niet gedaan", NotMyPurchase},
		{"kan jag flytta mitt förfallodatum", ChangePaymentDate},
		{"löscht bitte alle meine daten", DeleteMyData},
		{"i want to file a complaint", MakeComplaint},
		{"er denne sms fra jer", IsThisFromYou},
		{"ich will mit einem menschen sprechen", TalkToPerson},
		{"goedemorgen", Greeting},
		{"tack så mycket", Thanks},
		{"what's the weather like in Lisbon", None},
	}
	for _, c := range cases {
		g := e.Classify(c.text)
		if g[0].Intent != c.want {
			t.Errorf("%q: got %v, want %s", c.text, g[:2], c.want)
		}
	}
}

// TestClassifierForgivesTyposAndAccents: misspelt words are matched to
// known ones, and missing accents do not matter.
func TestClassifierForgivesTyposAndAccents(t *testing.T) {
	e := mustEngine(t)
	for _, c := range []struct {
		text string
		want Intent
	}{
		{"frezee my crad", FreezeCard},
		{"retrun my ordr", ReportReturn},
		{"wo ist meine ruckerstattung", RefundStatus},
		{"wo ist meine rueckerstattung", RefundStatus},
		{"hvor er min refussion", RefundStatus},
		{"jag vill radera mina uppgifter", DeleteMyData},
		{"jag vill radera mina uppgifer", DeleteMyData},
	} {
		if g := e.Classify(c.text); g[0].Intent != c.want {
			t.Errorf("%q: got %v, want %s", c.text, g[:2], c.want)
		}
	}
	if got := e.brain.classifier.vocab.correct("refnud"); got != "refund" {
		t.Errorf("refnud corrected to %q", got)
	}
	if got := e.brain.classifier.vocab.correct("xyz"); got != "" {
		t.Errorf("a short unknown word was corrected to %q", got)
	}
}

func TestClassifierProbabilities(t *testing.T) {
	g := mustEngine(t).Classify("pause my payment please")
	if len(g) != len(Intents) {
		t.Fatalf("%d guesses", len(g))
	}
	sum := 0.0
	for i, x := range g {
		sum += x.Score
		if i > 0 && x.Score > g[i-1].Score {
			t.Fatalf("not sorted: %v", g)
		}
	}
	if sum < 0.999 || sum > 1.001 {
		t.Fatalf("probabilities sum to %v", sum)
	}
}

// TestTrainingIsDeterministic: the same phrases give the same model.
func TestTrainingIsDeterministic(t *testing.T) {
	examples, err := TrainingSet()
	if err != nil {
		t.Fatal(err)
	}
	a, b := trainClassifier(examples), mustEngine(t).brain.classifier
	if !slices.Equal(a.weights, b.weights) || !slices.Equal(a.bias, b.bias) {
		t.Fatal("two trainings differ")
	}
}

func TestEditDistance(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want int
	}{
		{"refund", "refund", 0}, {"refnud", "refund", 1}, {"refud", "refund", 1},
		{"reffund", "refund", 1}, {"rafund", "refund", 1}, {"rfnd", "refund", 2}, {"card", "bank", 3},
	} {
		if got := editDistance([]rune(c.a), []rune(c.b), 2); got != min(c.want, 3) {
			t.Errorf("%s/%s: %d, want %d", c.a, c.b, got, c.want)
		}
	}
}
