package i18n

import (
	"strconv"
	"strings"
	"time"

	"github.com/tillit/tillit/internal/money"
)

// nbsp keeps an amount and its currency, or a date's parts, on one line.
const nbsp = "\u00a0"

// numberStyle is how a language writes numbers.
type numberStyle struct {
	group, decimal, minus string
}

var numberStyles = map[Lang]numberStyle{
	English: {group: ",", decimal: ".", minus: "-"},
	Danish:  {group: ".", decimal: ",", minus: "-"},
	Dutch:   {group: ".", decimal: ",", minus: "-"},
	// Swedish groups with a (non-breaking) space and writes a true minus sign.
	Swedish: {group: nbsp, decimal: ",", minus: "\u2212"},
}

// symbols maps, per language, the currencies a reader of that language knows
// by a symbol. Every other currency is shown by its ISO 4217 code, which is
// never ambiguous ("$" could be any of four dollars).
var symbols = map[Lang]map[string]string{
	English: {"EUR": "€", "GBP": "£", "USD": "US$"},
	Danish:  {"DKK": "kr.", "EUR": "€"},
	Dutch:   {"EUR": "€", "GBP": "£", "USD": "US$"},
	Swedish: {"SEK": "kr", "EUR": "€"},
}

// FormatMoney formats an amount of minor units (12345 is 123.45 in a
// two-digit currency; money.Digits says how many) of an ISO 4217 currency the
// way lang writes it:
//
//	en  €1,234.50   DKK 1,234.50   -€1,234.50
//	da  1.234,50 kr.   1.234,50 €   -1.234,50 kr.
//	nl  € 1.234,50   DKK 1.234,50   € -1.234,50
//	sv  1 234,50 kr   1 234,50 €   −1 234,50 kr
//
// English and Dutch put the symbol or code first, Danish and Swedish after the
// number. The space between number and currency is a non-breaking space.
func FormatMoney(lang Lang, amountMinor int64, currency string) string {
	ns, ok := numberStyles[lang]
	if !ok {
		lang, ns = Default, numberStyles[Default]
	}
	currency = strings.ToUpper(currency)
	num := formatUnsigned(magnitude(amountMinor), money.Digits(currency), ns)
	sign := ""
	if amountMinor < 0 {
		sign = ns.minus
	}
	sym, isSymbol := symbols[lang][currency]
	if !isSymbol {
		sym = currency
	}
	switch lang {
	case English:
		sep := nbsp
		if isSymbol {
			sep = ""
		}
		return sign + sym + sep + num
	case Dutch:
		return sym + nbsp + sign + num
	default:
		return sign + num + nbsp + sym
	}
}

// magnitude returns |a| without overflowing on math.MinInt64.
func magnitude(a int64) uint64 {
	if a < 0 {
		return uint64(-(a + 1)) + 1
	}
	return uint64(a)
}

// formatUnsigned writes n minor units with digits decimals, grouped by three.
func formatUnsigned(n uint64, digits int, ns numberStyle) string {
	s := strconv.FormatUint(n, 10)
	for len(s) <= digits {
		s = "0" + s
	}
	whole, frac := s[:len(s)-digits], s[len(s)-digits:]
	var b strings.Builder
	for i, r := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteString(ns.group)
		}
		b.WriteRune(r)
	}
	if digits > 0 {
		b.WriteString(ns.decimal)
		b.WriteString(frac)
	}
	return b.String()
}

// months holds each language's abbreviated month names, January first.
var months = map[Lang][12]string{
	English: {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"},
	Danish:  {"jan.", "feb.", "mar.", "apr.", "maj", "jun.", "jul.", "aug.", "sep.", "okt.", "nov.", "dec."},
	Dutch:   {"jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec"},
	Swedish: {"jan.", "feb.", "mars", "apr.", "maj", "juni", "juli", "aug.", "sep.", "okt.", "nov.", "dec."},
}

// FormatDate formats the calendar date of t, in t's own location, the way lang
// writes a short date with the month's name:
//
//	en 22 Nov 2026   da 22. nov. 2026   nl 22 nov 2026   sv 22 nov. 2026
//
// The parts are joined by non-breaking spaces.
func FormatDate(lang Lang, t time.Time) string {
	names, ok := months[lang]
	if !ok {
		lang, names = Default, months[Default]
	}
	day := strconv.Itoa(t.Day())
	if lang == Danish {
		day += "."
	}
	return day + nbsp + names[t.Month()-1] + nbsp + strconv.Itoa(t.Year())
}

// Money formats an amount; see FormatMoney.
func (p Printer) Money(amountMinor int64, currency string) string {
	return FormatMoney(p.Lang, amountMinor, currency)
}

// Date formats a date; see FormatDate.
func (p Printer) Date(t time.Time) string { return FormatDate(p.Lang, t) }
