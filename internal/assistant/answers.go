package assistant

import (
	"regexp"
	"strconv"
	"strings"
	"unicode"
)

// answer is what a consumer's reply to a yes/no question says.
type answer int

const (
	unclear answer = iota
	yes
	no
)

// Words (folded) that say yes or no in the five languages, and the
// conjunctions that make a yes conditional ("yes, but ...").
var (
	yesWords = wordSet("yes", "y", "yeah", "yep", "yup", "sure", "ok", "okay", "okey", "okej", "oke",
		"ja", "jo", "jep", "jepp", "japp", "jawohl", "jaa", "jup", "gerne", "graag", "garna", "klar",
		"absolut", "absoluut", "absolutely", "correct", "korrekt", "precies", "juist", "stimmt", "genau",
		"selvfolgelig", "natuurlijk", "naturligtvis", "naturlich", "confirm", "confirmed", "bekraeft",
		"bevestig", "bekrafta", "bestatige", "bestatigt", "prima", "fint", "gut", "go")
	yesPhrases = []string{"go ahead", "do it", "please do", "gor det", "doe maar", "doe het", "ga je gang",
		"kor pa", "mach das", "mach es", "mach schon", "bitte machen", "ja tak", "ja graag", "ja bitte", "ja tack"}
	noWords = wordSet("no", "n", "nope", "nah", "nej", "nee", "nein", "niet", "not", "dont", "ikke", "inte",
		"nicht", "cancel", "stop", "stopp", "annuller", "annuleer", "annuleren", "avbryt", "abbrechen",
		"never", "aldrig", "nooit", "nie", "wait", "vent", "vanta", "wacht", "warte", "lad", "forget", "glem")
	butWords = wordSet("but", "men", "maar", "aber", "however", "dog", "doch", "except", "undtagen", "behalve", "utom", "ausser")
)

// maxYesWords is the longest reply read as a plain yes; a longer one may
// say something else too, and is asked again.
const maxYesWords = 8

// wordSet returns a set of words.
func wordSet(ws ...string) map[string]bool {
	m := make(map[string]bool, len(ws))
	for _, w := range ws {
		m[w] = true
	}
	return m
}

// readYesNo reads a reply to "Shall I?": yes only when it says yes, says no
// nowhere, adds no "but" and is short.
func readYesNo(message string) answer {
	ws := splitWords(fold(message))
	joined := " " + strings.Join(ws, " ") + " "
	hasYes, hasNo, hasBut := false, false, false
	for _, w := range ws {
		hasYes = hasYes || yesWords[w]
		hasNo = hasNo || noWords[w]
		hasBut = hasBut || butWords[w]
	}
	for _, p := range yesPhrases {
		hasYes = hasYes || strings.Contains(joined, " "+p+" ")
	}
	switch {
	case hasNo && !hasYes:
		return no
	case hasYes && !hasNo && !hasBut && len(ws) <= maxYesWords:
		return yes
	}
	return unclear
}

// saysNo reports whether a reply to a question other than yes/no declines
// ("no", "cancel", "forget it").
func saysNo(message string) bool {
	ws := splitWords(fold(message))
	if len(ws) > 4 {
		return false
	}
	for _, w := range ws {
		if noWords[w] {
			return true
		}
	}
	return false
}

// ordinals maps the folded ordinal words for the first options to their
// position (1-based).
var ordinals = map[string]int{
	"first": 1, "forste": 1, "eerste": 1, "forsta": 1, "erste": 1, "ersten": 1, "erster": 1, "ene": 1,
	"second": 2, "anden": 2, "andet": 2, "tweede": 2, "andra": 2, "zweite": 2, "zweiten": 2, "zweiter": 2,
	"third": 3, "tredje": 3, "derde": 3, "dritte": 3, "dritten": 3, "dritter": 3,
	"last": -1, "sidste": -1, "laatste": -1, "sista": -1, "letzte": -1, "letzten": -1,
}

// maxChoiceWords is the longest reply in which a lone number is read as
// the choice of an option.
const maxChoiceWords = 5

// readChoice returns the option (0-based) a short reply picks among n by
// its number or an ordinal word, or -1.
func readChoice(message string, n int) int {
	ws := splitWords(fold(message))
	if len(ws) == 0 || len(ws) > maxChoiceWords {
		return -1
	}
	for _, w := range ws {
		if k, err := strconv.Atoi(w); err == nil && k >= 1 && k <= n {
			return k - 1
		}
		if k, ok := ordinals[w]; ok {
			if k == -1 {
				return n - 1
			}
			if k <= n {
				return k - 1
			}
		}
	}
	return -1
}

var (
	uuidPattern = regexp.MustCompile(`(?i)^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
	// orderWords introduce an order number in the five languages.
	orderWords = wordSet("order", "ordre", "ordren", "ordrenummer", "ordernummer", "ordernr", "bestelling",
		"bestelnummer", "bestellingnummer", "beställning", "beställningsnummer", "bestellung", "bestellnummer",
		"nr", "no", "number", "nummer", "reference", "ref", "referentie", "referens", "referenz")
)

// candidateTokens splits text into the tokens that may be an order
// reference: runs of letters, digits, dashes and underscores.
func candidateTokens(text string) []string {
	return strings.FieldsFunc(text, func(r rune) bool {
		return !(unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '_')
	})
}

// looksLikeOrderID reports whether tok, coming after prev, reads as an
// order id or reference the consumer quotes: a UUID, a code of ten letters
// and digits like Tillit's references, or a number of four characters or
// more after an order word ("order 10023", "#A-4711").
func looksLikeOrderID(tok, prev string, afterHash bool) bool {
	if uuidPattern.MatchString(tok) {
		return true
	}
	letters, digits := 0, 0
	for _, r := range tok {
		switch {
		case unicode.IsDigit(r):
			digits++
		case unicode.IsLetter(r):
			letters++
		}
	}
	if len(tok) == 10 && letters >= 2 && digits >= 2 && letters+digits == 10 {
		return true
	}
	return digits > 0 && len(tok) >= 4 && (afterHash || orderWords[strings.ToLower(prev)])
}

// orderMention is what a message says about which order it means.
type orderMention struct {
	// matched are the consumer's orders the message names, by id,
	// reference or shop.
	matched []Order
	// unknown is whether it quotes an order id that is not the consumer's.
	unknown bool
}

// findOrders looks for the consumer's orders in text: quoted ids and
// references first, then shop names.
func findOrders(text string, orders []Order) orderMention {
	var m orderMention
	seen := map[string]bool{}
	add := func(o Order) {
		if !seen[o.ID] {
			seen[o.ID] = true
			m.matched = append(m.matched, o)
		}
	}
	toks := candidateTokens(text)
	for i, tok := range toks {
		tok = strings.Trim(tok, "-_")
		if tok == "" {
			continue
		}
		found := false
		for _, o := range orders {
			if orderHasID(o, tok) {
				add(o)
				found = true
			}
		}
		prev := ""
		if i > 0 {
			prev = toks[i-1]
		}
		afterHash := strings.Contains(text, "#"+tok)
		if !found && looksLikeOrderID(tok, prev, afterHash) {
			m.unknown = true
		}
	}
	if len(m.matched) > 0 {
		return m
	}
	folded := " " + strings.Join(splitWords(fold(text)), " ") + " "
	for _, o := range orders {
		name := strings.Join(splitWords(fold(o.Merchant)), " ")
		if name != "" && strings.Contains(folded, " "+name+" ") {
			add(o)
		}
	}
	return m
}

// orderHasID reports whether tok is o's id, reference or one of the shop's
// references for it.
func orderHasID(o Order, tok string) bool {
	if strings.EqualFold(tok, o.ID) || o.Reference != "" && strings.EqualFold(tok, o.Reference) {
		return true
	}
	for _, r := range o.MerchantReferences {
		if r != "" && strings.EqualFold(tok, strings.TrimPrefix(r, "#")) {
			return true
		}
	}
	return false
}

// cardFor returns the consumer's unfrozen card whose last four digits text
// quotes ("ending 1234", "****1234").
func cardFor(text string, cards []Card) (Card, bool) {
	for _, tok := range candidateTokens(text) {
		if len(tok) < 4 {
			continue
		}
		last4 := tok[len(tok)-4:]
		for _, c := range cards {
			if c.Last4 != "" && last4 == c.Last4 {
				return c, true
			}
		}
	}
	return Card{}, false
}

// Words (folded) for an account and for a card, to tell "freeze my account"
// from "freeze my card".
var (
	accountWords = wordSet("account", "konto", "kontoen", "kontot", "accounts", "profil", "profile")
	cardWords    = wordSet("card", "cards", "kort", "kortet", "kortene", "korten", "kaart", "kaarten",
		"karte", "karten", "kreditkarte")
)

// meansAccount reports whether text speaks of the account and not of a card.
func meansAccount(text string) bool {
	acc, card := false, false
	for _, w := range splitWords(fold(text)) {
		acc = acc || accountWords[w]
		card = card || cardWords[w]
	}
	return acc && !card
}

// reasonWords are folded word beginnings (a trailing space marks a whole
// word) that point at each dispute reason, in
// the order they are checked (an invoice problem first: "the invoice lists
// items I didn't get" is a wrong invoice, not goods that never came).
var reasonWords = []struct {
	reason DisputeReason
	stems  []string
}{
	{WrongInvoice, []string{"invoice", "bill", "charged", "overcharged", "twice", "faktura", "regning", "opkraev",
		"trukket", "factuur", "rekening", "gefactureerd", "afgeschreven", "rakning", "debiter", "dragit",
		"rechnung", "berechnet", "belastet", "abgebucht"}},
	{ReturnedNotRefunded, []string{"refund", "refus", "terugbeta", "aterbeta", "erstatt", "ruckerstatt", "pengene tilbage",
		"geld terug", "pengarna tillbaka", "geld zuruck"}},
	{NotReceived, []string{"never arrived", "never came", "not arrived", "never received", "not received",
		"never showed", "never delivered", "lost ", "missing", "aldrig kommet", "kom aldrig", "aldrig modtaget",
		"ikke modtaget", "mangler", "blev vaek", "nooit aangekomen", "nooit ontvangen", "nooit gekomen",
		"niet ontvangen", "ontbreekt", "kwijt", "aldrig fatt", "aldrig kommit", "inte fatt", "saknas",
		"forsvann", "nie angekommen", "nie bekommen", "nicht erhalten", "nicht angekommen", "nie gekommen",
		"fehlt", "verloren", "nothing in", "intet i", "niks in", "inget i", "nichts"}},
	{NotAsDescribed, []string{"broken", "damaged", "defect", "faulty", "wrong", "fake", "scratch", "knockoff",
		"crack", "not as described", "stopped working", "i stykker", "beskadig", "forkert", "falsk", "kopi",
		"ikke som beskrevet", "revne", "kapot", "beschadig", "verkeerd", "nep ", "namaak", "niet zoals beschreven",
		"barst", "trasig", "skadad", "fel ", "fejk", "kopia", "inte som beskriv", "spricka", "kaputt",
		"beschadigt", "falsch", "falschung", "kopie", "nicht wie beschrieben", "riss ", "defekt"}},
}

// reasonIn returns the dispute reason text points at, if any.
func reasonIn(text string) (DisputeReason, bool) {
	folded := " " + strings.Join(splitWords(fold(text)), " ") + " "
	for _, r := range reasonWords {
		for _, s := range r.stems {
			if strings.Contains(folded, " "+s) {
				return r.reason, true
			}
		}
	}
	return "", false
}
