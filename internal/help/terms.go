package help

import (
	"regexp"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/tillit/tillit/internal/i18n"
)

// terms returns the search terms of s in lang: its words lower-cased, with
// diacritics folded away ("Rücksendung" is "rucksendung", "kø" is "ko";
// in German "ue" is "u" too, as umlauts are typed without the dots),
// the language's most common little words left out, and a light suffix
// stripped so that the forms of a word meet ("payments" is "payment",
// "paying" is "pay", "betalingerne" is "betaling").
func terms(lang i18n.Lang, s string) []string {
	s = letterHyphen.ReplaceAllString(fold(s), "$1$2")
	if lang == German {
		s = umlautSpelling.Replace(s)
	}
	words := strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	stop := stopWords[lang]
	out := words[:0]
	for _, w := range words {
		if stop[w] {
			continue
		}
		out = append(out, stem(lang, w))
	}
	return out
}

// umlautSpelling folds the way German is typed without umlauts
// ("Rueckgabe") to the folded umlaut ("ruckgabe").
var umlautSpelling = strings.NewReplacer("ae", "a", "oe", "o", "ue", "u")

// letterHyphen is a single letter joined to a word by a hyphen, as in
// "e-mail" and "e-post", which are written "email" and "epost" too.
var letterHyphen = regexp.MustCompile(`\b(\pL)-(\pL)`)

// fold lower-cases s and removes its diacritics; the letters that do not
// decompose are spelled out (ø as o, æ as ae, ß as ss).
func fold(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range norm.NFKD.String(s) {
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		r = unicode.ToLower(r)
		if sp, ok := spelled[r]; ok {
			b.WriteString(sp)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// spelled are the letters NFKD leaves whole, as they are folded.
var spelled = map[rune]string{
	'ø': "o", 'æ': "ae", 'ß': "ss", 'œ': "oe", 'ł': "l", 'đ': "d", 'ð': "d", 'þ': "th", 'ı': "i",
}

// minStem is the shortest a word may become by losing a suffix.
const minStem = 3

// suffixes are, per language, the endings stem strips, longest first:
// plural, definite and verb endings, enough to bring a word's common forms
// together without a dictionary.
var suffixes = map[i18n.Lang][]string{
	i18n.English: {"ations", "ation", "ings", "ing", "ies", "ied", "es", "ed", "ly", "s", "e", "y"},
	i18n.Danish:  {"ernes", "erne", "ende", "enes", "ene", "ers", "er", "en", "et", "es", "e", "s"},
	i18n.Dutch:   {"tjes", "jes", "en", "es", "je", "e", "s"},
	i18n.Swedish: {"arnas", "ernas", "ornas", "heten", "arna", "erna", "orna", "ande", "ende", "aren", "het", "ar", "er", "or", "en", "et", "na", "a", "e", "s"},
	German:       {"innen", "ern", "en", "em", "er", "es", "e", "n", "s"},
}

// stem strips the first of lang's suffixes (the longest first) that leaves
// at least minStem letters, never the s of a double s ("address" keeps
// it), and undoes a doubled final consonant that English and Dutch verb
// forms add ("stopped" and "stop" meet).
func stem(lang i18n.Lang, w string) string {
	for _, suf := range suffixes[lang] {
		if strings.HasSuffix(w, suf) && len(w)-len(suf) >= minStem && !(suf == "s" && strings.HasSuffix(w, "ss")) {
			w = w[:len(w)-len(suf)]
			break
		}
	}
	if (lang == i18n.English || lang == i18n.Dutch) && len(w) > minStem {
		if n := len(w); w[n-1] == w[n-2] && strings.IndexByte("bdfgklmnprtz", w[n-1]) >= 0 {
			w = w[:n-1]
		}
	}
	return w
}

// stopWords are, per language, words too common to tell articles apart:
// pronouns, articles, auxiliaries and question words.
var stopWords = map[i18n.Lang]map[string]bool{
	i18n.English: set("a an and are am be been by can could did do does for from had has have how i if in into is it its me my of on or our so that the their them then there this to was we were what when where which who why will with would you your"),
	i18n.Danish:  set("af alle at da de del den der det du eller en er et for fra har hvad hvem hvis hvor hvordan hvorfor i ikke jeg kan med men mig min mit mine og om pa sa skal som til var vi vil ved"),
	i18n.Dutch:   set("aan al als ben bij dat de den der die dit doe doen een en er hoe ik in is je jij jouw kan maar me met mij mijn na naar niet of om op te u uw van voor waar wat wie waarom was we wij word wordt ze zijn"),
	i18n.Swedish: set("alla att av de den det din ditt dina du eller en ett for fran har hur i inte jag kan med men mig min mitt mina nar och om pa sa ska som till var varfor vi vad vem vilken"),
	German:       set("am an auf aus bei bin bist das dass dein deine dem den der des dich die diese dieser dieses du ein eine einen einem einer es euch fur hat habe haben ich ihr im in ist ja kann man mein meine mich mir mit nicht oder sie sind so und uber um uns von warum was wenn wer wie wir wo zu zum zur"),
}

func set(words string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(words) {
		m[w] = true
	}
	return m
}
