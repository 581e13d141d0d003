package help

import (
	"fmt"
	"slices"
	"testing"

	"github.com/tillit/tillit/internal/i18n"
)

// searchQuality is what consumers type, in each language, with the article
// that must come first: plain questions, informal phrasing, single words,
// compound words and typos.
var searchQuality = map[i18n.Lang][]struct{ query, want string }{
	i18n.English: {
		{"where is my refund", "returns-and-refunds"},
		{"how do I send something back", "returns-and-refunds"},
		{"pause my payment", "pausing-a-payment"},
		{"can I postpone paying", "pausing-a-payment"},
		{"parcel never arrived", "disputes-and-buyer-protection"},
		{"item broken not as described", "disputes-and-buyer-protection"},
		{"freeze my card", "freeze-account-or-card"},
		{"how do I unfreeze", "freeze-account-or-card"},
		{"I did not make this purchase", "purchase-you-did-not-make"},
		{"delete my data", "privacy-rights"},
		{"i want a copy of my personal data", "privacy-rights"},
		{"make a complaint", "complaints"},
		{"why was I declined", "automated-decisions"},
		{"is this email really from you", "recognise-phishing"},
		{"phising emial", "recognise-phishing"},
		{"lost my phone", "lost-card-or-phone"},
		{"stolen wallet", "lost-card-or-phone"},
		{"someone hacked my password", "account-compromised"},
		{"fake invoice urgent", "unexpected-payment-demand"},
		{"is this webshop legit scam", "suspicious-shop"},
		{"i opened an attachment virus", "opened-an-attachment"},
		{"report a fake website", "report-suspicious-message"},
		{"pay in 3 instalments", "how-paying-works"},
		{"when is my invoice due", "how-paying-works"},
		{"refnd", "returns-and-refunds"},
	},
	i18n.Danish: {
		{"hvor er mine penge", "returns-and-refunds"},
		{"returnere en pakke", "returns-and-refunds"},
		{"udskyd betaling", "pausing-a-payment"},
		{"pakken er aldrig kommet", "disputes-and-buyer-protection"},
		{"varen er i stykker", "disputes-and-buyer-protection"},
		{"frys mit kort", "freeze-account-or-card"},
		{"spær kortet", "freeze-account-or-card"},
		{"jeg har ikke købt det", "purchase-you-did-not-make"},
		{"slet mine data", "privacy-rights"},
		{"jeg vil klage", "complaints"},
		{"hvorfor blev jeg afvist", "automated-decisions"},
		{"er denne mail fra jer", "recognise-phishing"},
		{"mistet min telefon", "lost-card-or-phone"},
		{"hacket kodeord", "account-compromised"},
		{"falsk rykker", "unexpected-payment-demand"},
		{"falsk webshop", "suspicious-shop"},
		{"åbnede vedhæftet fil", "opened-an-attachment"},
		{"anmeld phishing", "report-suspicious-message"},
		{"betal i 3 rater", "how-paying-works"},
		{"returnereing", "returns-and-refunds"},
	},
	i18n.Dutch: {
		{"waar blijft mijn terugbetaling", "returns-and-refunds"},
		{"pakket terugsturen", "returns-and-refunds"},
		{"betaling uitstellen", "pausing-a-payment"},
		{"pakket nooit aangekomen", "disputes-and-buyer-protection"},
		{"kaart blokkeren", "freeze-account-or-card"},
		{"ik heb deze aankoop niet gedaan", "purchase-you-did-not-make"},
		{"mijn gegevens verwijderen", "privacy-rights"},
		{"klacht indienen", "complaints"},
		{"waarom ben ik afgewezen", "automated-decisions"},
		{"is deze mail echt van jullie", "recognise-phishing"},
		{"phising", "recognise-phishing"},
		{"telefoon kwijt", "lost-card-or-phone"},
		{"wachtwoord gelekt", "account-compromised"},
		{"valse aanmaning", "unexpected-payment-demand"},
		{"nepwinkel", "suspicious-shop"},
		{"bijlage geopend", "opened-an-attachment"},
		{"nepwebsite melden", "report-suspicious-message"},
		{"achteraf betalen", "how-paying-works"},
		{"terugbetalnig", "returns-and-refunds"},
	},
	i18n.Swedish: {
		{"var är min återbetalning", "returns-and-refunds"},
		{"skicka tillbaka paketet", "returns-and-refunds"},
		{"skjuta upp betalningen", "pausing-a-payment"},
		{"paketet kom aldrig", "disputes-and-buyer-protection"},
		{"frys mitt kort", "freeze-account-or-card"},
		{"har inte gjort köpet", "purchase-you-did-not-make"},
		{"radera mina uppgifter", "privacy-rights"},
		{"jag vill klaga", "complaints"},
		{"varför blev jag nekad", "automated-decisions"},
		{"är mejlet från er äkta", "recognise-phishing"},
		{"nätfiske", "recognise-phishing"},
		{"tappat mobilen", "lost-card-or-phone"},
		{"lösenordet läckt", "account-compromised"},
		{"bluffaktura", "unexpected-payment-demand"},
		{"bluffbutik", "suspicious-shop"},
		{"öppnade bilaga", "opened-an-attachment"},
		{"anmäla falsk webbplats", "report-suspicious-message"},
		{"delbetalning", "how-paying-works"},
		{"återbetalnig", "returns-and-refunds"},
	},
	German: {
		{"wo bleibt meine Erstattung", "returns-and-refunds"},
		{"Rücksendung anmelden", "returns-and-refunds"},
		{"Rueckgabe", "returns-and-refunds"},
		{"Zahlung aufschieben", "pausing-a-payment"},
		{"Paket nie angekommen", "disputes-and-buyer-protection"},
		{"Karte sperren", "freeze-account-or-card"},
		{"Kauf nicht getätigt", "purchase-you-did-not-make"},
		{"meine Daten löschen", "privacy-rights"},
		{"Beschwerde einreichen", "complaints"},
		{"warum wurde ich abgelehnt", "automated-decisions"},
		{"ist diese Mail von euch", "recognise-phishing"},
		{"Fishing", "recognise-phishing"},
		{"Handy verloren", "lost-card-or-phone"},
		{"Passwort gehackt", "account-compromised"},
		{"falsche Mahnung", "unexpected-payment-demand"},
		{"Fake-Shop", "suspicious-shop"},
		{"Anhang geöffnet", "opened-an-attachment"},
		{"gefälschte Webseite melden", "report-suspicious-message"},
		{"Ratenzahlung", "how-paying-works"},
		{"Erstatung", "returns-and-refunds"},
	},
}

// TestSearchQuality checks the right article comes first for every query
// of the table, in every language, and logs the share of the queries whose
// article is among the first three.
func TestSearchQuality(t *testing.T) {
	c, err := New()
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range Languages {
		cases := searchQuality[lang]
		if len(cases) < 15 {
			t.Errorf("%s: only %d queries in the table", lang, len(cases))
		}
		top3 := 0
		for _, tc := range cases {
			hits := c.Search(string(lang), tc.query, 3)
			var got []string
			for _, h := range hits {
				got = append(got, fmt.Sprintf("%s (%.2f)", h.Slug, h.Score))
				if h.Slug == tc.want {
					top3++
				}
			}
			if len(hits) == 0 || hits[0].Slug != tc.want {
				t.Errorf("%s %q: got %v, want %s first", lang, tc.query, got, tc.want)
			}
		}
		t.Logf("%s: %d queries, the right article in the first three for %d", lang, len(cases), top3)
	}
}

// TestSearchAPI checks what the assistant relies on: hits in the language
// asked for with its URL, best first, at most n, none for nothing or an
// unknown word, and English for a language the help centre lacks.
func TestSearchAPI(t *testing.T) {
	c, err := New()
	if err != nil {
		t.Fatal(err)
	}
	hits := c.Search("da-DK", "frys kort", 2)
	if len(hits) != 2 {
		t.Fatalf("%d hits, want 2", len(hits))
	}
	a, _ := c.Article("da", hits[0].Slug)
	if h := hits[0]; h.Slug != "freeze-account-or-card" || h.Title != a.Title || h.Summary != a.Summary ||
		h.URL != "/help/freeze-account-or-card?lang=da" || h.Score <= hits[1].Score {
		t.Errorf("first hit %+v, second score %.2f", h, hits[1].Score)
	}
	for _, tc := range []struct {
		lang, query string
		n           int
	}{{"en", "", 5}, {"en", "   ", 5}, {"en", "the and of", 5}, {"en", "xyzzyq", 5}, {"en", "refund", 0}} {
		if hits := c.Search(tc.lang, tc.query, tc.n); len(hits) != 0 {
			t.Errorf("Search(%q, %q, %d) = %v, want none", tc.lang, tc.query, tc.n, hits)
		}
	}
	if hits := c.Search("fr", "refund", 1); len(hits) != 1 || hits[0].URL != "/help/returns-and-refunds?lang=en" {
		t.Errorf("French falls back to %v, want the English article", hits)
	}
	if hits := c.Search("en", "card", 50); len(hits) > len(c.articles[i18n.English]) {
		t.Errorf("%d hits for %d articles", len(hits), len(c.articles[i18n.English]))
	}
}

// TestTerms pins the normalisation: folding, little words, suffixes and
// German typed without umlauts.
func TestTerms(t *testing.T) {
	for _, tc := range []struct {
		lang i18n.Lang
		in   string
		want []string
	}{
		{i18n.English, "My payments were REFUNDED", []string{"payment", "refund"}},
		{i18n.English, "shopping, stopped; e-mail", []string{"shop", "stop", "email"}},
		{i18n.English, "address", []string{"address"}},
		{i18n.Danish, "Betalingerne på kortet", []string{"betaling", "kort"}},
		{i18n.Danish, "Kø, kæde, søg", []string{"ko", "kaed", "sog"}},
		{i18n.Dutch, "Mijn bestellingen en kaarten", []string{"bestelling", "kaart"}},
		{i18n.Swedish, "Betalningarna för kortet", []string{"betalning", "kort"}},
		{German, "Die Zahlungen für Karten", []string{"zahlung", "kart"}},
		{German, "Rücksendung Ruecksendung", []string{"rucksendung", "rucksendung"}},
		{German, "Straße", []string{"strass"}},
	} {
		if got := terms(tc.lang, tc.in); !slices.Equal(got, tc.want) {
			t.Errorf("terms(%s, %q) = %q, want %q", tc.lang, tc.in, got, tc.want)
		}
	}
}

// TestEditDistance pins the optimal string alignment distance and its
// limit.
func TestEditDistance(t *testing.T) {
	for _, tc := range []struct {
		a, b  string
		limit int
		want  int
	}{
		{"email", "email", 3, 0},
		{"emial", "email", 3, 1},
		{"phising", "phishing", 3, 1},
		{"fishing", "phishing", 3, 2},
		{"kort", "kørt", 3, 1},
		{"refund", "return", 4, 3},
		{"abc", "xyz", 2, 2},
		{"a", "abcdef", 3, 3},
		{"", "ab", 5, 2},
	} {
		if got := editDistance(tc.a, tc.b, tc.limit); got != tc.want {
			t.Errorf("editDistance(%q, %q, %d) = %d, want %d", tc.a, tc.b, tc.limit, got, tc.want)
		}
	}
}
