package screening

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Names are compared as lists of normalised tokens. Normalising a name:
//
//  1. "LAST, First Middle" (OFAC's way of writing a person) becomes
//     "First Middle LAST".
//  2. Apostrophes and the transliteration marks for ayn and hamza go
//     ("As'ad" is "asad"); the text is decomposed (NFKD) and its
//     combining marks dropped, so "Müller" is "muller" and "Gaddāfī" is
//     "gaddafi"; the Latin letters that do not decompose (ø, ł, đ, æ, ß,
//     ...) are spelt out; everything is lower case.
//  3. Any other character that is not a letter or digit separates tokens.
//  4. "Abdul Rahman", "Abd al-Rahman", "Abdel Rahman", "Abdurrahman" and
//     "Abdulrahman" all become "abdrahman".
//  5. The Arabic article before a name ("al-", "el-") and honorifics
//     ("mr", "dr", "jr", ...) are dropped.
//  6. Spelling variants common in the lists take one form: "mohamed",
//     "mohammad" and "muhammed" are "muhammad" (see variants).
//
// A token of one letter is an initial.

// apostrophes are removed without separating tokens.
const apostrophes = "'’‘ʼʻʿʾ`´"

// spelled are the letters NFKD leaves whole, spelt in ASCII.
var spelled = map[rune]string{
	'ø': "o", 'ł': "l", 'đ': "d", 'ð': "d", 'þ': "th", 'æ': "ae", 'œ': "oe",
	'ß': "ss", 'ı': "i", 'ħ': "h", 'ŧ': "t", 'ŋ': "n", 'ĸ': "k",
}

// dropped are tokens that say nothing about who someone is.
var dropped = map[string]bool{"mr": true, "mrs": true, "ms": true, "miss": true, "dr": true, "jr": true, "sr": true}

// articles are the Arabic article as a token of its own.
var articles = map[string]bool{"al": true, "el": true}

// variants maps spelling variants of names to one form. The lists
// transliterate the same Arabic, Persian or Cyrillic name many ways; the
// ones Jaro-Winkler alone scores too low are here.
var variants = func() map[string]string {
	groups := map[string][]string{
		"muhammad":  {"mohammed", "mohammad", "muhammed", "mohamed", "mohamad", "muhamad", "muhamed", "mohammod", "mohamud", "mohd", "muhd", "mhd", "mouhamed", "mouhammad", "mohamat", "mahomed", "muhammet"},
		"ahmad":     {"ahmed", "ahmet", "achmad", "akhmad", "akhmed"},
		"husayn":    {"hussein", "hussain", "husain", "husein", "hosein", "hossein", "hosain", "hussien", "husseyn", "hussin", "housain", "houssein"},
		"hasan":     {"hassan", "hasen", "hassen"},
		"yusuf":     {"yousef", "yousuf", "youssef", "yusef", "yousif", "yussuf", "yossef", "youcef", "yusof"},
		"usama":     {"osama", "ousama", "oussama", "usamah"},
		"umar":      {"omar", "omer", "umer"},
		"uthman":    {"othman", "osman", "usman", "othmane", "outhman", "usmon"},
		"abu":       {"abou", "aboo"},
		"ibrahim":   {"ebrahim", "ibraheem", "ibraim", "ibragim"},
		"ismail":    {"ismael", "esmail", "ismayil", "ismoil"},
		"mustafa":   {"mustapha", "moustafa", "mostafa", "moustapha", "mustafah"},
		"mahmud":    {"mahmoud", "mahmood", "mahmut", "makhmud"},
		"khalid":    {"khaled", "khalied", "halid"},
		"said":      {"saeed", "saeid", "saied", "saiid"},
		"sayyid":    {"sayed", "syed", "seyed", "sayid", "seyyed"},
		"qasim":     {"kasim", "qassim", "kassim", "qasem", "ghasem", "kassem", "qassem", "gasim"},
		"jafar":     {"jaafar", "jafer", "djafar", "dzhafar"},
		"nasir":     {"nasser", "naser", "nassir", "nassar"},
		"salih":     {"saleh", "saaleh", "salikh"},
		"yahya":     {"yehia", "yahia", "yehya", "yahiya"},
		"zakariya":  {"zakaria", "zakariyya", "zakariah", "zakariyah"},
		"rahman":    {"rehman", "rahmaan"},
		"rahim":     {"raheem"},
		"karim":     {"kareem", "kerim"},
		"hamid":     {"hameed", "hamed"},
		"rashid":    {"rasheed", "rached", "rachid", "rashed"},
		"majid":     {"majeed", "magid", "maged", "madjid"},
		"jamal":     {"gamal", "djamal", "jamaal"},
		"ali":       {"aly", "alee"},
		"abdlah":    {"abdla", "abdala"}, // after canonicalAbd: Abdullah, Abdallah, Abdulla
		"muammar":   {"moammar", "muamar", "moamar", "moamer", "muammer"},
		"qadhafi":   {"gaddafi", "qaddafi", "kadhafi", "gadhafi", "qadafi", "kadafi", "gadafi", "qadhdhafi", "kaddafi", "gheddafi"},
		"aleksandr": {"alexander", "aleksander", "oleksandr", "alexandre", "aleksandar", "alexandr"},
		"sergei":    {"sergey", "serhiy", "sergiy", "serhii", "sergej"},
		"yuri":      {"yury", "yuriy", "iurii", "yurii", "jurij", "juri"},
		"dmitri":    {"dmitry", "dmitriy", "dmytro", "dmitrij"},
		"andrei":    {"andrey", "andriy", "andrii", "andrej"},
		"aleksei":   {"alexey", "aleksey", "alexei", "oleksiy", "oleksii", "aleksej"},
		"nikolai":   {"nikolay", "mykola", "nikolaj"},
		"yevgeni":   {"evgeny", "yevgeniy", "evgeniy", "yevgeny", "evgenii", "jevgenij"},
		"mikhail":   {"mykhailo", "michail", "mikhael"},
		"vladimir":  {"volodymyr"},
		"viktor":    {"victor"},
		"grigori":   {"grigory", "grigoriy", "hryhoriy", "grigorij"},
		"artem":     {"artyom", "artiom"},
	}
	m := map[string]string{}
	for canon, vs := range groups {
		for _, v := range vs {
			m[v] = canon
		}
	}
	return m
}()

// Tokens returns the normalised tokens of a name, in order.
func Tokens(name string) []string {
	if last, first, ok := strings.Cut(name, ","); ok && !strings.Contains(first, ",") {
		name = first + " " + last
	}
	var toks []string
	for _, f := range strings.FieldsFunc(fold(name), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		if !dropped[f] {
			toks = append(toks, f)
		}
	}
	toks = mergeAbd(toks)
	out := toks[:0]
	for i, t := range toks {
		if articles[t] && i+1 < len(toks) {
			continue
		}
		if c, ok := variants[t]; ok {
			t = c
		}
		out = append(out, t)
	}
	return out
}

// fold removes apostrophes, diacritics and case. Apostrophes go before
// decomposing too, since NFKD splits "´" into a space and a mark.
func fold(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range norm.NFKD.String(strings.Map(func(r rune) rune {
		if strings.ContainsRune(apostrophes, r) {
			return -1
		}
		return r
	}, s)) {
		// Decomposing may make an apostrophe ("ŉ" is "ʼn").
		if unicode.Is(unicode.Mn, r) || strings.ContainsRune(apostrophes, r) {
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

// abdPrefixes are the ways "Abd al-" is written as a separate word.
var abdPrefixes = map[string]bool{"abd": true, "abdul": true, "abdel": true, "abdal": true, "abdol": true, "abdoul": true, "abdu": true, "abdur": true, "abdus": true}

// mergeAbd joins "abd"-words with the name after them ("abd", "al",
// "rahman" is "abdalrahman") and writes every "Abd al-X" one way: "abd"
// followed by X.
func mergeAbd(toks []string) []string {
	out := toks[:0]
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		if abdPrefixes[t] && i+1 < len(toks) {
			i++
			if articles[toks[i]] && i+1 < len(toks) {
				i++
			}
			t += toks[i]
		}
		out = append(out, canonicalAbd(t))
	}
	return out
}

// canonicalAbd writes "abdulrahman", "abdelrahman", "abdurrahman" and
// "abdalrahman" as "abdrahman", and "abdullah" and "abdallah" as "abdlah";
// other tokens come back unchanged.
func canonicalAbd(t string) string {
	rest, ok := strings.CutPrefix(t, "abd")
	if !ok || len(rest) < 3 {
		return t
	}
	for _, p := range []string{"oul", "ul", "el", "al", "ol", "il", "ou"} {
		if r, ok := strings.CutPrefix(rest, p); ok && len(r) >= 2 {
			return "abd" + r
		}
	}
	// "abdurrahman", "abdussalam": a vowel before a doubled consonant.
	if strings.ContainsRune("aeiou", rune(rest[0])) && rest[1] == rest[2] && !strings.ContainsRune("aeiou", rune(rest[1])) {
		return "abd" + rest[2:]
	}
	return t
}
