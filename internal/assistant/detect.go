package assistant

import (
	"math"
	"strings"
	"unicode"
)

// distinctiveWords are common words that belong to one of the five
// languages only; each one found is strong evidence for its language.
var distinctiveWords = map[Lang][]string{
	English: {"the", "and", "my", "you", "your", "what", "where", "when", "how", "this", "that", "not",
		"dont", "didnt", "please", "pls", "want", "with", "have", "from", "been", "get", "got", "why",
		"who", "would", "could", "should", "thanks", "thank", "hello", "money", "still", "yet"},
	Danish: {"jeg", "ikke", "hvor", "hvad", "hvordan", "hvornår", "hvorfor", "og", "jer", "nogen", "noget",
		"også", "fra", "tak", "venligst", "gerne", "penge", "pengene", "købt", "køb", "blevet", "butikken",
		"ordre", "ordren", "jeres", "være", "måned", "uge", "af", "skal"},
	Dutch: {"ik", "niet", "het", "een", "mijn", "wat", "waar", "hoe", "wanneer", "van", "je", "jullie",
		"geen", "heb", "heeft", "nog", "graag", "aub", "alsjeblieft", "dat", "voor", "zijn", "wil",
		"kaart", "bestelling", "terug", "ben", "mij", "niks", "uit"},
	Swedish: {"jag", "inte", "och", "är", "att", "från", "vill", "ska", "någon", "något", "tack", "också",
		"pengarna", "beställning", "mejl", "varför", "när", "hur", "vad", "mitt", "mina", "ni", "än"},
	German: {"ich", "nicht", "und", "ist", "mein", "meine", "meinen", "meiner", "meinem", "wo", "wie",
		"ein", "eine", "einen", "die", "der", "das", "habe", "hab", "bitte", "danke", "kein", "keine",
		"euch", "euer", "eure", "auf", "zurück", "möchte", "bekommen", "wurde", "noch", "warum", "schon",
		"auch", "bin", "bei", "für", "von", "ihr"},
}

// Language detection weights, in natural-log units of likelihood.
const (
	// distinctiveBonus is what one distinctive word adds to its language.
	distinctiveBonus = 2.0
	// hintBonus is what the hint adds to its language.
	hintBonus = 1.5
	// ambiguityMargin: the hint wins when it scores within it of the best
	// language.
	ambiguityMargin = 3.0
	// shortLetters: a message with fewer letters is too short to tell its
	// language by its letters alone.
	shortLetters = 12
)

// detector tells the language of a message from its character n-grams.
type detector struct {
	// logp is log P(n-gram | language); unseen is the value for an
	// n-gram the language's profile lacks.
	logp   map[Lang]map[string]float64
	unseen map[Lang]float64
	// distinctive maps a word to the language it belongs to.
	distinctive map[string]Lang
}

// detectionGrams returns the character 1- to 3-grams of text's words,
// lowercased with their accents kept (they tell languages apart), each word
// padded with spaces.
func detectionGrams(text string) []string {
	var out []string
	for _, w := range splitWords(strings.ToLower(text)) {
		if strings.IndexFunc(w, unicode.IsLetter) < 0 {
			continue
		}
		r := []rune(" " + w + " ")
		for n := 1; n <= 3; n++ {
			for i := 0; i+n <= len(r); i++ {
				g := string(r[i : i+n])
				if g != " " {
					out = append(out, g)
				}
			}
		}
	}
	return out
}

// newDetector builds the n-gram profiles of each language from examples.
func newDetector(examples []Example) *detector {
	counts := map[Lang]map[string]float64{}
	totals := map[Lang]float64{}
	vocab := map[string]bool{}
	for _, l := range Languages {
		counts[l] = map[string]float64{}
	}
	for _, e := range examples {
		for _, g := range detectionGrams(e.Text) {
			counts[e.Lang][g]++
			totals[e.Lang]++
			vocab[g] = true
		}
	}
	const alpha = 0.5
	v := float64(len(vocab) + 1)
	d := &detector{logp: map[Lang]map[string]float64{}, unseen: map[Lang]float64{}, distinctive: map[string]Lang{}}
	for _, l := range Languages {
		denom := totals[l] + alpha*v
		d.logp[l] = make(map[string]float64, len(counts[l]))
		for g, c := range counts[l] {
			d.logp[l][g] = math.Log((c + alpha) / denom)
		}
		d.unseen[l] = math.Log(alpha / denom)
	}
	for l, ws := range distinctiveWords {
		for _, w := range ws {
			d.distinctive[w] = l
		}
	}
	return d
}

// scores returns each language's log-likelihood of text, with the
// distinctive words' bonus; how many letters text has; and the languages
// whose distinctive words it uses.
func (d *detector) scores(text string) (map[Lang]float64, int, map[Lang]bool) {
	s := make(map[Lang]float64, len(Languages))
	grams := detectionGrams(text)
	for _, l := range Languages {
		p := d.logp[l]
		for _, g := range grams {
			if v, ok := p[g]; ok {
				s[l] += v
			} else {
				s[l] += d.unseen[l]
			}
		}
	}
	letters := 0
	marked := map[Lang]bool{}
	for _, w := range splitWords(strings.ToLower(text)) {
		if l, ok := d.distinctive[w]; ok {
			s[l] += distinctiveBonus
			marked[l] = true
		}
		for _, r := range w {
			if unicode.IsLetter(r) {
				letters++
			}
		}
	}
	return s, letters, marked
}

// detect returns the language text is written in. hint (the conversation's
// language, or else the consumer's locale; empty when unknown) is the
// answer for a text without letters, and for a short one (fewer than
// shortLetters letters) unless it uses another language's distinctive
// words; between languages the text cannot tell apart, the hint wins.
func (d *detector) detect(text string, hint Lang) Lang {
	s, letters, marked := d.scores(text)
	if letters == 0 {
		if hint != "" {
			return hint
		}
		return DefaultLang
	}
	if hint != "" {
		s[hint] += hintBonus
	}
	best := Languages[0]
	for _, l := range Languages[1:] {
		if s[l] > s[best] {
			best = l
		}
	}
	if hint == "" || hint == best {
		return best
	}
	if letters < shortLetters && (marked[hint] || !marked[best]) {
		return hint
	}
	if s[hint] >= s[best]-ambiguityMargin {
		return hint
	}
	return best
}
