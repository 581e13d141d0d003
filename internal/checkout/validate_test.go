package checkout_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/checkout"
	"github.com/tillit/tillit/internal/money"
)

// taxIn is the tax a tax-inclusive total holds at rate basis points, the rule
// of the public API: total - total*10000/(10000+rate), truncated toward zero.
func taxIn(total, rate int64) int64 {
	if rate <= 0 {
		return 0
	}
	return total - total*10000/(10000+rate)
}

// mkLine returns a line of the given type whose total and tax are exactly
// right.
func mkLine(typ string, quantity, unitPrice, rate, discount int64) checkout.OrderLine {
	total := quantity*unitPrice - discount
	return checkout.OrderLine{
		Type: typ, Reference: "SKU", Name: "Item " + typ, Quantity: quantity, UnitPrice: unitPrice, TaxRate: rate,
		TotalAmount: total, TotalDiscountAmount: discount, TotalTaxAmount: taxIn(total, rate),
	}
}

// named returns l with another name.
func named(l checkout.OrderLine, name string) checkout.OrderLine {
	l.Name = name
	return l
}

// mkOrder returns a Danish order whose totals are the sums of lines. Totals
// that are themselves out of range are replaced by 1 and 0, so that a test of
// a bad line reaches the line checks, which come after the order amounts.
func mkOrder(lines ...checkout.OrderLine) checkout.OrderData {
	d := checkout.OrderData{PurchaseCountry: "DK", PurchaseCurrency: "DKK", Locale: "da-DK", OrderLines: lines}
	for _, l := range lines {
		d.OrderAmount += l.TotalAmount
		d.OrderTaxAmount += l.TotalTaxAmount
	}
	if d.OrderAmount < 1 || d.OrderAmount > money.MaxAmount {
		d.OrderAmount, d.OrderTaxAmount = 1, 0
	}
	if d.OrderTaxAmount < 0 || d.OrderTaxAmount > d.OrderAmount {
		d.OrderTaxAmount = 0
	}
	return d
}

// sampleOrderData is a valid two-line purchase of 1,250.00 DKK with 25% VAT, one line
// discounted.
func sampleOrderData() checkout.OrderData {
	return mkOrder(mkLine("physical", 2, 50000, 2500, 0), mkLine("physical", 1, 30000, 2500, 5000))
}

// wantValid fails unless d validates.
func wantValid(t *testing.T, d checkout.OrderData) checkout.OrderData {
	t.Helper()
	if err := d.Validate(); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	return d
}

// wantBadField fails unless d is refused with BAD_VALUE naming exactly field.
func wantBadField(t *testing.T, d checkout.OrderData, field string) {
	t.Helper()
	err := d.Validate()
	if err == nil {
		t.Fatalf("Validate accepted the order; want BAD_VALUE on %s", field)
	}
	e, ok := err.(*apperr.Error)
	if !ok || e.Code != apperr.BadValue {
		t.Fatalf("Validate = %#v; want an *apperr.Error with code BAD_VALUE", err)
	}
	if !strings.HasPrefix(e.Message, "Bad value: "+field+" ") {
		t.Fatalf("Validate = %q; want it to name %s", e.Message, field)
	}
}

func TestSampleOrderIsValid(t *testing.T) {
	d := wantValid(t, sampleOrderData())
	if d.OrderAmount != 125000 || d.OrderTaxAmount != 25000 {
		t.Fatalf("sample totals %d/%d", d.OrderAmount, d.OrderTaxAmount)
	}
}

func TestLineTaxToleranceIsExactlyOne(t *testing.T) {
	cases := []struct {
		name                 string
		typ                  string
		quantity, unit, rate int64
	}{
		{"25% exact", "physical", 1, 10000, 2500}, // holds 2000
		{"25% rounded", "physical", 1, 999, 2500}, // 999 - 799 = 200
		{"19%", "digital", 1, 11900, 1900},        // holds 1900
		{"12%", "shipping_fee", 3, 3333, 1200},    // 9999 - 8927 = 1072
		{"zero rate", "physical", 2, 5000, 0},     // no tax
		{"100%", "surcharge", 1, 1, 10000},        // 1 - 0 = 1
		{"discount line", "discount", 1, -10000, 2500},
		{"gift card rounded", "gift_card", 1, -999, 2500},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			base := mkLine(c.typ, c.quantity, c.unit, c.rate, 0)
			// A discount line alone cannot make a positive order, so it
			// rides along with a line that keeps the order positive.
			carrier := mkLine("physical", 1, 100000, 2500, 0)
			for delta := int64(-3); delta <= 3; delta++ {
				l := base
				l.TotalTaxAmount += delta
				d := mkOrder(l, carrier)
				if delta >= -1 && delta <= 1 {
					wantValid(t, d)
				} else {
					wantBadField(t, d, "order_lines[0].total_tax_amount")
				}
			}
		})
	}
}

func TestLineTotalMustBeQuantityTimesUnitPriceLessDiscount(t *testing.T) {
	for _, delta := range []int64{-1, 1, 100} {
		d := sampleOrderData()
		d.OrderLines[1].TotalAmount += delta
		d.OrderLines[1].TotalTaxAmount = taxIn(d.OrderLines[1].TotalAmount, 2500)
		d.OrderAmount += delta
		d.OrderTaxAmount = d.OrderLines[0].TotalTaxAmount + d.OrderLines[1].TotalTaxAmount
		wantBadField(t, d, "order_lines[1].total_amount")
	}
	// The discount is part of the rule: ignoring it is refused.
	d := sampleOrderData()
	d.OrderLines[1].TotalDiscountAmount = 0
	wantBadField(t, d, "order_lines[1].total_amount")
}

func TestOrderTotalsMustBeTheSumsOfTheLines(t *testing.T) {
	d := sampleOrderData()
	d.OrderAmount++
	wantBadField(t, d, "order_amount")
	d = sampleOrderData()
	d.OrderTaxAmount--
	wantBadField(t, d, "order_tax_amount")
	d = sampleOrderData()
	d.OrderTaxAmount = -1
	wantBadField(t, d, "order_tax_amount")
	d = sampleOrderData()
	d.OrderAmount = 0
	wantBadField(t, d, "order_amount")
	d = sampleOrderData()
	d.OrderAmount = -125000
	wantBadField(t, d, "order_amount")
}

func TestNegativeAmountsOnlyOnDiscountLikeLines(t *testing.T) {
	carrier := mkLine("physical", 1, 100000, 2500, 0)
	for typ, negativeOK := range map[string]bool{
		"discount": true, "gift_card": true, "store_credit": true,
		"physical": false, "digital": false, "shipping_fee": false, "sales_tax": false, "surcharge": false,
	} {
		t.Run(typ, func(t *testing.T) {
			d := mkOrder(carrier, mkLine(typ, 1, -5000, 2500, 0))
			if negativeOK {
				d = wantValid(t, d)
				if d.OrderAmount != 95000 || d.OrderLines[1].TotalTaxAmount != -1000 {
					t.Fatalf("discounted order %d, line tax %d", d.OrderAmount, d.OrderLines[1].TotalTaxAmount)
				}
			} else {
				wantBadField(t, d, "order_lines[1].unit_price")
			}
			// Positive prices are fine on every type.
			wantValid(t, mkOrder(carrier, mkLine(typ, 2, 5000, 2500, 1000)))
		})
	}
}

func TestDiscountCannotMakeALineNegativeUnlessItsTypeAllows(t *testing.T) {
	carrier := mkLine("physical", 1, 100000, 2500, 0)
	// A discount equal to the gross price leaves a free line.
	wantValid(t, mkOrder(carrier, mkLine("physical", 1, 5000, 2500, 5000)))
	// More discount than price would be a disguised negative physical line.
	wantBadField(t, mkOrder(carrier, mkLine("physical", 1, 5000, 2500, 5001)), "order_lines[1].total_discount_amount")
	wantBadField(t, mkOrder(carrier, mkLine("shipping_fee", 0, 5000, 0, 1)), "order_lines[1].total_discount_amount")
	// A discount-like line may go further negative.
	wantValid(t, mkOrder(carrier, mkLine("discount", 1, -5000, 2500, 1000)))
	// But a negative total discount is refused everywhere.
	wantBadField(t, mkOrder(carrier, mkLine("physical", 1, 5000, 2500, -1)), "order_lines[1].total_discount_amount")
	wantBadField(t, mkOrder(carrier, mkLine("discount", 1, -5000, 2500, -1)), "order_lines[1].total_discount_amount")
}

func TestLineFieldRanges(t *testing.T) {
	carrier := mkLine("physical", 1, 100000, 2500, 0)
	cases := []struct {
		name  string
		line  checkout.OrderLine
		field string // "" means valid
	}{
		{"quantity zero", mkLine("physical", 0, 100, 2500, 0), ""},
		{"quantity max", mkLine("physical", checkout.MaxQuantity, 1, 0, 0), ""},
		{"quantity above max", mkLine("physical", checkout.MaxQuantity+1, 1, 0, 0), "order_lines[1].quantity"},
		{"quantity negative", mkLine("physical", -1, 100, 0, 0), "order_lines[1].quantity"},
		{"tax rate max", mkLine("physical", 1, 100, checkout.MaxTaxRate, 0), ""},
		{"tax rate above max", mkLine("physical", 1, 100, checkout.MaxTaxRate+1, 0), "order_lines[1].tax_rate"},
		{"tax rate negative", mkLine("physical", 1, 100, -1, 0), "order_lines[1].tax_rate"},
		{"unit price above max", mkLine("physical", 1, money.MaxAmount+1, 0, 0), "order_lines[1].unit_price"},
		{"discount unit price below -max", mkLine("discount", 1, -money.MaxAmount-1, 0, 0), "order_lines[1].unit_price"},
		{"discount above max", mkLine("physical", 1, 1, 0, money.MaxAmount+1), "order_lines[1].total_discount_amount"},
		{"quantity * unit_price above max", mkLine("physical", 2, money.MaxAmount/2+1, 0, 0), "order_lines[1].total_amount"},
		{"quantity * unit_price overflows int64", checkout.OrderLine{Name: "x", Quantity: checkout.MaxQuantity, UnitPrice: money.MaxAmount}, "order_lines[1].total_amount"},
		{"unknown type", mkLine("service", 1, 100, 0, 0), "order_lines[1].type"},
		{"empty name", named(mkLine("physical", 1, 100, 0, 0), " "), "order_lines[1].name"},
		{"long name", named(mkLine("physical", 1, 100, 0, 0), strings.Repeat("n", 256)), "order_lines[1].name"},
		{"longest name", named(mkLine("physical", 1, 100, 0, 0), strings.Repeat("n", 255)), ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := mkOrder(carrier, c.line)
			if c.field == "" {
				wantValid(t, d)
			} else {
				wantBadField(t, d, c.field)
			}
		})
	}
}

func TestOrderAmountLimit(t *testing.T) {
	// One line at the largest amount is fine, one more minor unit is not.
	wantValid(t, mkOrder(mkLine("physical", 1, money.MaxAmount, 0, 0)))
	wantBadField(t, mkOrder(mkLine("physical", 1, money.MaxAmount, 0, 0), mkLine("physical", 1, 1, 0, 0)), "order_amount")
	// Large discount lines are bounded too, so 1,000 lines never overflow.
	wantBadField(t, mkOrder(mkLine("physical", 1, money.MaxAmount, 0, 0), mkLine("discount", 1, -money.MaxAmount, 0, money.MaxAmount)),
		"order_lines[1].total_amount")
}

func TestLineCount(t *testing.T) {
	lines := func(n int) []checkout.OrderLine {
		out := make([]checkout.OrderLine, n)
		for i := range out {
			out[i] = mkLine("physical", 1, 100, 2500, 0)
		}
		return out
	}
	wantBadField(t, mkOrder(), "order_lines")
	wantValid(t, mkOrder(lines(1)...))
	d := wantValid(t, mkOrder(lines(checkout.MaxOrderLines)...))
	if d.OrderAmount != 100*checkout.MaxOrderLines {
		t.Fatalf("1000-line order amount %d", d.OrderAmount)
	}
	wantBadField(t, mkOrder(lines(checkout.MaxOrderLines+1)...), "order_lines")
}

func TestLineTypeDefaultsToPhysical(t *testing.T) {
	d := sampleOrderData()
	d.OrderLines[0].Type = ""
	d = wantValid(t, d)
	if d.OrderLines[0].Type != "physical" {
		t.Fatalf("type = %q", d.OrderLines[0].Type)
	}
	// Defaulted lines are physical, so they may not be negative.
	d = mkOrder(mkLine("physical", 1, 100000, 0, 0), mkLine("", 1, -100, 0, 0))
	wantBadField(t, d, "order_lines[1].unit_price")
}

func TestCountryCurrencyPairs(t *testing.T) {
	valid := map[string]string{
		"DK": "DKK", "SE": "SEK", "NO": "NOK", "FI": "EUR", "DE": "EUR", "NL": "EUR", "AT": "EUR", "FR": "EUR",
		"GB": "GBP", "US": "USD", "CH": "CHF", "PL": "PLN", "CZ": "CZK", "AU": "AUD", "CA": "CAD",
	}
	for country, currency := range valid {
		d := sampleOrderData()
		d.PurchaseCountry, d.PurchaseCurrency = country, currency
		wantValid(t, d)
	}
	for _, c := range []struct{ country, currency, field string }{
		{"DK", "EUR", "purchase_currency"},
		{"SE", "DKK", "purchase_currency"},
		{"FI", "SEK", "purchase_currency"},
		{"GB", "EUR", "purchase_currency"},
		{"US", "CAD", "purchase_currency"},
		{"DK", "XXX", "purchase_currency"},
		{"DK", "DK", "purchase_currency"},
		{"DK", "", "purchase_currency"},
		{"DK", "DKKK", "purchase_currency"},
		{"DNK", "DKK", "purchase_country"},
		{"D", "DKK", "purchase_country"},
		{"ZZ", "DKK", "purchase_country"},
		{"", "DKK", "purchase_country"},
		{"D1", "DKK", "purchase_country"},
	} {
		t.Run(c.country+"/"+c.currency, func(t *testing.T) {
			d := sampleOrderData()
			d.PurchaseCountry, d.PurchaseCurrency = c.country, c.currency
			wantBadField(t, d, c.field)
		})
	}
	// Codes are case-insensitive and trimmed; the stored form is upper case.
	d := sampleOrderData()
	d.PurchaseCountry, d.PurchaseCurrency = " dk", "dkk "
	d = wantValid(t, d)
	if d.PurchaseCountry != "DK" || d.PurchaseCurrency != "DKK" {
		t.Fatalf("normalized to %q/%q", d.PurchaseCountry, d.PurchaseCurrency)
	}
}

func TestLocaleNormalization(t *testing.T) {
	for in, want := range map[string]string{
		"da-DK": "da-DK", "DA-dk": "da-DK", "Da-Dk": "da-DK", " da-dk ": "da-DK", "sv-SE": "sv-SE", "en-dk": "en-DK",
	} {
		d := sampleOrderData()
		d.Locale = in
		d = wantValid(t, d)
		if d.Locale != want {
			t.Errorf("locale %q normalized to %q, want %q", in, d.Locale, want)
		}
	}
	for _, bad := range []string{
		"", "english", "da", "da_DK", "da-DKK", "dan-DK", "-DK", "da-", "da-D1", "d1-DK", "da-DK-x", "da--DK", "da DK", "DK-da-",
	} {
		t.Run(fmt.Sprintf("%q", bad), func(t *testing.T) {
			d := sampleOrderData()
			d.Locale = bad
			wantBadField(t, d, "locale")
		})
	}
}

func TestOtherOrderFields(t *testing.T) {
	cases := []struct {
		field  string
		mutate func(*checkout.OrderData)
	}{
		{"merchant_reference1", func(d *checkout.OrderData) { d.MerchantReference1 = strings.Repeat("r", 256) }},
		{"merchant_reference2", func(d *checkout.OrderData) { d.MerchantReference2 = strings.Repeat("r", 256) }},
		{"merchant_data", func(d *checkout.OrderData) { d.MerchantData = strings.Repeat("m", 6001) }},
		{"intent", func(d *checkout.OrderData) { d.Intent = "sell" }},
		{"acquiring_channel", func(d *checkout.OrderData) { d.AcquiringChannel = "web" }},
		{"merchant_urls.confirmation", func(d *checkout.OrderData) {
			d.MerchantURLs = &checkout.MerchantURLs{Confirmation: "ftp://shop.example/"}
		}},
		{"billing_address.email", func(d *checkout.OrderData) { d.BillingAddress = &checkout.Address{Email: "not an address"} }},
		{"shipping_address.country", func(d *checkout.OrderData) { d.ShippingAddress = &checkout.Address{Country: "DNK"} }},
		{"customer.date_of_birth", func(d *checkout.OrderData) { d.Customer = &checkout.Customer{DateOfBirth: "1990-02-30"} }},
	}
	for _, c := range cases {
		t.Run(c.field, func(t *testing.T) {
			d := sampleOrderData()
			c.mutate(&d)
			wantBadField(t, d, c.field)
		})
	}
	// At the limits.
	d := sampleOrderData()
	d.MerchantReference1, d.MerchantData, d.Intent = strings.Repeat("r", 255), strings.Repeat("m", 6000), "buy"
	d.MerchantURLs = &checkout.MerchantURLs{Confirmation: "https://shop.example/thanks/{order.id}"}
	wantValid(t, d)
}
