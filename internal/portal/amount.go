package portal

import (
	"strconv"
	"strings"

	"github.com/tillit/tillit/internal/i18n"
	"github.com/tillit/tillit/internal/money"
	"github.com/tillit/tillit/internal/web"
)

// separators is how a language writes the decimal point and groups thousands
// in an amount typed into a form.
type separators struct {
	decimal byte
	group   string
}

func separatorsOf(lang i18n.Lang) separators {
	if lang == i18n.English {
		return separators{decimal: '.', group: ","}
	}
	if lang == i18n.Swedish {
		return separators{decimal: ',', group: " "}
	}
	return separators{decimal: ',', group: "."}
}

// exampleAmount is the amount form errors show as an example, in minor
// units of a two-decimal currency.
const exampleAmount = 125050

// parseAmount reads an amount of currency typed by a reader of lang
// ("1,250.50" in English, "1.250,50" in Danish and Dutch, "1 250,50" in
// Swedish; grouping is optional, and a currency code or symbol around the
// number is ignored) and returns it in minor units. It refuses anything else
// with the form error to show: a negative or zero amount, more decimals than
// the currency has, grouping that is not by three digits (so "1,25" in
// English is not read as 125), and amounts above money.MaxAmount.
func parseAmount(lang i18n.Lang, s, currency string) (int64, *web.Message) {
	currency = strings.ToUpper(currency)
	invalid := &web.Message{Key: "form.invalid_amount", Args: []any{"example", amountInput(lang, exampleAmount, currency)}}
	sep := separatorsOf(lang)
	s = strings.NewReplacer("\u00a0", " ", "\u202f", " ", "\u2212", "-").Replace(s)
	s = strings.TrimSpace(strings.Trim(strings.TrimSpace(s), "€£$"))
	if len(s) > 3 && strings.EqualFold(s[len(s)-3:], currency) {
		s = s[:len(s)-3]
	} else if len(s) > 3 && strings.EqualFold(s[:3], currency) {
		s = s[3:]
	}
	s = strings.TrimSpace(strings.TrimSuffix(strings.TrimSuffix(strings.TrimSpace(s), "kr."), "kr"))
	if s == "" || len(s) > 40 {
		return 0, invalid
	}
	negative := strings.HasPrefix(s, "-")
	s = strings.TrimSpace(strings.TrimPrefix(s, "-"))
	whole, frac, hasFrac := strings.Cut(s, string(sep.decimal))
	if !hasFrac && lang == i18n.Swedish {
		// Swedes often type a point; it is never a group separator there.
		whole, frac, hasFrac = strings.Cut(s, ".")
	}
	digits := money.Digits(currency)
	if hasFrac && (frac == "" || !allDigits(frac)) {
		return 0, invalid
	}
	if groups := strings.Split(whole, sep.group); len(groups) > 1 {
		for i, g := range groups {
			if !allDigits(g) || g == "" || len(g) > 3 || (i > 0 && len(g) != 3) {
				return 0, invalid
			}
		}
		whole = strings.Join(groups, "")
	}
	if !allDigits(whole) || whole == "" {
		return 0, invalid
	}
	if len(strings.TrimRight(frac, "0")) > digits {
		return 0, &web.Message{Key: "merchant.amount.decimals", Args: []any{"currency", currency, "digits", digits}}
	}
	if len(frac) > digits {
		frac = frac[:digits]
	}
	frac += strings.Repeat("0", digits-len(frac))
	num := strings.TrimLeft(whole+frac, "0")
	if num == "" {
		num = "0"
	}
	n, err := strconv.ParseInt(num, 10, 64)
	switch {
	case negative || (err == nil && n == 0):
		return 0, &web.Message{Key: "merchant.amount.not_positive"}
	case err != nil || n > money.MaxAmount: // only digits: the error is ErrRange
		return 0, &web.Message{Key: "merchant.amount.too_large", Args: []any{"max", i18n.FormatMoney(lang, money.MaxAmount, currency)}}
	}
	return n, nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// amountInput writes minor units the way a reader of lang types an amount
// into a form: the language's decimal point and no grouping ("1250.50" in
// English, "1250,50" in Danish), as parseAmount reads it back.
func amountInput(lang i18n.Lang, minor int64, currency string) string {
	digits := money.Digits(strings.ToUpper(currency))
	s := strconv.FormatInt(minor, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	if digits > 0 {
		for len(s) <= digits {
			s = "0" + s
		}
		s = s[:len(s)-digits] + string(separatorsOf(lang).decimal) + s[len(s)-digits:]
	}
	if neg {
		s = "-" + s
	}
	return s
}
