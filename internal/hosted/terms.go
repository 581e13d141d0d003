package hosted

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/tillit/tillit/internal/i18n"
	"github.com/tillit/tillit/internal/plan"
	"github.com/tillit/tillit/internal/repayment"
)

// countries are the billing countries the form offers: Tillit's purchase
// countries (see money.ValidCountry).
var countries = []string{
	"AT", "AU", "BE", "CA", "CH", "CZ", "DE", "DK", "ES", "FI", "FR", "GB",
	"GR", "HU", "IE", "IT", "NL", "NO", "NZ", "PL", "PT", "RO", "SE", "US",
}

// countryOption is one entry of the country list.
type countryOption struct {
	Code     string
	Name     string
	Selected bool
}

// countryOptions returns the country list in lang, sorted by name, with
// selected chosen.
func countryOptions(lang i18n.Lang, selected string) []countryOption {
	out := make([]countryOption, 0, len(countries))
	for _, c := range countries {
		out = append(out, countryOption{Code: c, Name: i18n.T(lang, "checkout.country."+strings.ToLower(c)), Selected: c == selected})
	}
	slices.SortFunc(out, func(a, b countryOption) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// methodOffer is one payment method as the details page offers it, with
// its terms for the session's amount.
type methodOffer struct {
	// ID is the checkout category (pay_now, pay_later, pay_in_parts,
	// pay_over_time).
	ID string
	// NameKey is the catalog key of the method's name.
	NameKey string
	// First marks the first method, whose radio button the error summary
	// links to.
	First bool
	// PayIn3 are the three instalments of pay in 3, as plan.NewPayIn3
	// splits the amount.
	PayIn3 []int64
	// Financing are the financing offers, one per term.
	Financing []financingOffer
	// NominalRate is the financing's annual nominal rate, written for the
	// page's language ("19.95").
	NominalRate string
}

// financingOffer is one financing term with its costs.
type financingOffer struct {
	plan.FinancingOffer
	// APRText is the APR written for the page's language ("21.34").
	APRText string
	First   bool
}

// methodName returns the catalog key of a payment method's name.
func methodName(category string) string { return "checkout.method." + category }

// offers returns the payment methods the session offers, with their terms
// for amount under the financing terms.
func offers(lang i18n.Lang, offered []string, amount int64, terms plan.Terms) ([]methodOffer, error) {
	out := make([]methodOffer, 0, len(offered))
	for i, id := range offered {
		m := methodOffer{ID: id, NameKey: methodName(id), First: i == 0}
		switch id {
		case repayment.CategoryPayIn3:
			s, err := plan.NewPayIn3(amount, time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC))
			if err != nil {
				return nil, err
			}
			for _, in := range s.Installments {
				m.PayIn3 = append(m.PayIn3, in.Amount)
			}
		case repayment.CategoryFinancing:
			m.NominalRate = percent(lang, terms.NominalRateBP)
			for k, months := range plan.FinancingMonths {
				t := terms
				t.Months = months
				o, err := plan.Offer(amount, t)
				if err != nil {
					return nil, fmt.Errorf("financing offer for %d months: %w", months, err)
				}
				m.Financing = append(m.Financing, financingOffer{FinancingOffer: o, APRText: percent(lang, o.APR), First: k == 0})
			}
		}
		out = append(out, m)
	}
	return out, nil
}

// percent writes a rate in basis points as a percentage number with two
// decimals in lang's style (1995 is "19.95" in English, "19,95" in Danish);
// the catalog message places the % sign.
func percent(lang i18n.Lang, bp int64) string {
	sep := ","
	if lang == i18n.English {
		sep = "."
	}
	sign := ""
	if bp < 0 {
		sign, bp = "-", -bp
	}
	return fmt.Sprintf("%s%d%s%02d", sign, bp/100, sep, bp%100)
}
