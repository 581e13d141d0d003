package assistant

import (
	"fmt"
	"strings"
)

// accountOption is the value of the "whole account" option when the assistant
// asks which card to freeze.
const accountOption = "account"

// formatAmount writes minor units of a currency with two decimals, the
// decimal comma of the language and the currency code: "499,00 DKK".
func formatAmount(lang Lang, minor int64, currency string) string {
	sign := ""
	if minor < 0 {
		sign, minor = "-", -minor
	}
	sep := ","
	if lang == English {
		sep = "."
	}
	return strings.TrimSpace(fmt.Sprintf("%s%d%s%02d %s", sign, minor/100, sep, minor%100, currency))
}

// orderLabel names an order for the consumer: reference, shop, date and
// amount.
func orderLabel(lang Lang, o Order) string {
	ref := o.Reference
	if ref == "" {
		ref = o.ID
	}
	date := ""
	if !o.Date.IsZero() {
		date = o.Date.Format("2006-01-02")
	}
	return texts.OrderLabel.in(lang, "ref", ref, "merchant", o.Merchant, "date", date,
		"amount", formatAmount(lang, o.Amount, o.Currency))
}

// cardMask shows a card by its last four digits only.
func cardMask(c Card) string { return "•••• " + c.Last4 }

// cardLabel names a card for the consumer: its kind and last four digits.
func cardLabel(lang Lang, c Card) string {
	kind := texts.VirtualCard
	if c.Kind == "one_time" {
		kind = texts.OneTimeCard
	}
	return kind.in(lang) + " " + cardMask(c)
}

// reasonLabel names a dispute reason for the consumer.
func reasonLabel(lang Lang, r DisputeReason) string {
	switch r {
	case NotReceived:
		return texts.ReasonNotReceived.in(lang)
	case NotAsDescribed:
		return texts.ReasonNotAsDescribed.in(lang)
	case ReturnedNotRefunded:
		return texts.ReasonReturnedNotRefunded.in(lang)
	}
	return texts.ReasonWrongInvoice.in(lang)
}

// numbered writes options as a numbered list, one a line.
func numbered(options []Option) string {
	lines := make([]string, len(options))
	for i, o := range options {
		lines[i] = fmt.Sprintf("%d. %s", i+1, o.Label)
	}
	return strings.Join(lines, "\n")
}
