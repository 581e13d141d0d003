package assistant

import "testing"

func TestDetectLanguages(t *testing.T) {
	e := mustEngine(t)
	for _, c := range []struct {
		text   string
		locale string
		want   Lang
	}{
		{"I lost my wallet yesterday and need help with my card", "", English},
		{"jeg har mistet min pung i går og skal have hjælp med mit kort", "", Danish},
		{"ik ben gisteren mijn portemonnee verloren en heb hulp nodig met mijn kaart", "", Dutch},
		{"jag tappade min plånbok igår och behöver hjälp med mitt kort", "", Swedish},
		{"ich habe gestern mein portemonnaie verloren und brauche hilfe mit meiner karte", "", German},
		// The text beats a locale that disagrees.
		{"ich habe gestern mein portemonnaie verloren und brauche hilfe", "en-GB", German},
		{"hvor bliver pengene af, butikken har fået varen retur", "sv-SE", Danish},
		// Mixed: the dominant language wins.
		{"kan I freeze mit kort, jeg har mistet det i bussen", "", Danish},
		{"mijn refund is nog steeds niet binnen, wat is er aan de hand", "", Dutch},
		{"where is my refund bitte, it has been weeks", "", English},
		// Short or ambiguous: the locale decides.
		{"ok", "nl-NL", Dutch},
		{"ja", "de", German},
		{"hej", "sv", Swedish},
		{"hej", "da_DK", Danish},
		{"1234", "sv", Swedish},
		{"", "", English},
		// A short message with a distinctive word is not overruled.
		{"tack", "en", Swedish},
		{"danke", "da", German},
	} {
		if got := e.Detect(c.text, c.locale); got != c.want {
			t.Errorf("%q (locale %q): %s, want %s", c.text, c.locale, got, c.want)
		}
	}
}

func TestParseLang(t *testing.T) {
	for tag, want := range map[string]Lang{"da": Danish, "sv-SE": Swedish, "de_AT": German, "EN-gb": English, " nl ": Dutch} {
		if got, ok := ParseLang(tag); !ok || got != want {
			t.Errorf("%q: %q %v", tag, got, ok)
		}
	}
	for _, tag := range []string{"", "fr", "no-NO", "deu"} {
		if _, ok := ParseLang(tag); ok {
			t.Errorf("%q parsed", tag)
		}
	}
}
