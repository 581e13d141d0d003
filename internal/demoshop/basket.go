package demoshop

import (
	"strings"

	"github.com/tillit/tillit/internal/checkout"
	"github.com/tillit/tillit/internal/i18n"
	"github.com/tillit/tillit/internal/money"
)

// country is a country the demo shop sells to: its currency and VAT rate.
type country struct {
	Code     string // ISO 3166-1 alpha-2
	Currency string
	// VAT is the standard VAT rate in whole percent.
	VAT int64
}

// countries are the countries the shop sells to, in the order the page lists
// them.
var countries = []country{
	{Code: "DK", Currency: "DKK", VAT: 25},
	{Code: "SE", Currency: "SEK", VAT: 25},
	{Code: "NL", Currency: "EUR", VAT: 21},
}

// countryByCode returns the country with the code, if the shop sells there.
func countryByCode(code string) (country, bool) {
	for _, c := range countries {
		if c.Code == code {
			return c, true
		}
	}
	return country{}, false
}

// defaultCountry is the country a reader of lang most likely shops from.
func defaultCountry(lang i18n.Lang) country {
	code := "DK"
	switch lang {
	case i18n.Swedish:
		code = "SE"
	case i18n.Dutch:
		code = "NL"
	}
	c, _ := countryByCode(code)
	return c
}

// nameKey is the catalog key of the country's name.
func (c country) nameKey() string { return "demo.country." + strings.ToLower(c.Code) }

// product is one line of the basket: what it is, how many, and its price
// per unit (VAT included, minor units) in each currency.
type product struct {
	Reference string
	NameKey   string
	Type      string
	Quantity  int64
	Prices    map[string]int64
}

// products is the basket every visitor gets.
var products = []product{
	{Reference: "DEMO-RAIN-JACKET", NameKey: "demo.product.jacket", Type: "physical", Quantity: 1,
		Prices: map[string]int64{"DKK": 89900, "SEK": 129900, "EUR": 11995}},
	{Reference: "DEMO-WOOL-SOCKS", NameKey: "demo.product.socks", Type: "physical", Quantity: 2,
		Prices: map[string]int64{"DKK": 7900, "SEK": 11900, "EUR": 1095}},
	{Reference: "DEMO-SHIPPING", NameKey: "demo.product.shipping", Type: "shipping_fee", Quantity: 1,
		Prices: map[string]int64{"DKK": 3900, "SEK": 5900, "EUR": 495}},
}

// basket is the products priced for a country, as the shop page shows
// them and as the order lines of the payment session.
type basket struct {
	Country    country
	Currency   string
	VATPercent int64
	Lines      []checkout.OrderLine
	// Total and Tax are the sums of the lines' totals and taxes.
	Total, Tax int64
}

// newBasket prices the products for c, with their names in lang. Prices
// include VAT; each line's tax is the VAT its total holds
// (money.TaxIncluded), so the lines add up to the totals exactly.
func newBasket(c country, lang i18n.Lang) basket {
	b := basket{Country: c, Currency: c.Currency, VATPercent: c.VAT}
	for _, p := range products {
		unit := p.Prices[c.Currency]
		total := p.Quantity * unit
		line := checkout.OrderLine{
			Type: p.Type, Reference: p.Reference, Name: i18n.T(lang, p.NameKey), Quantity: p.Quantity,
			UnitPrice: unit, TaxRate: c.VAT * 100, TotalAmount: total, TotalTaxAmount: money.TaxIncluded(total, c.VAT*100),
		}
		b.Lines = append(b.Lines, line)
		b.Total += line.TotalAmount
		b.Tax += line.TotalTaxAmount
	}
	return b
}

// orderData is the purchase of the basket in lang (the locale the checkout
// is shown in), under the shop's reference for it.
func (b basket) orderData(lang i18n.Lang, reference string) checkout.OrderData {
	return checkout.OrderData{
		PurchaseCountry: b.Country.Code, PurchaseCurrency: b.Currency, Locale: string(lang) + "-" + b.Country.Code,
		OrderAmount: b.Total, OrderTaxAmount: b.Tax, OrderLines: b.Lines, MerchantReference1: reference,
	}
}
