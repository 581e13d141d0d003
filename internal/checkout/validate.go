package checkout

import (
	"fmt"
	"net/mail"
	"regexp"
	"strings"
	"time"

	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/merchant"
	"github.com/tillit/tillit/internal/money"
)

// Limits on what a merchant may send.
const (
	MaxOrderLines   = 1000
	MaxQuantity     = 1_000_000
	MaxTaxRate      = 10_000
	maxText         = 255
	maxMerchantData = 6000
	maxShipments    = 100
)

// checkTexts refuses any of the named free-text fields longer than maxText.
func checkTexts(fields map[string]string) error {
	for name, v := range fields {
		if len(v) > maxText {
			return apperr.BadField(name, "must be at most %d characters", maxText)
		}
	}
	return nil
}

// lineTypes lists the order line types, and whether a line of the type may
// carry a negative price.
var lineTypes = map[string]bool{
	"physical": false, "digital": false, "shipping_fee": false, "sales_tax": false,
	"surcharge": false, "discount": true, "gift_card": true, "store_credit": true,
}

var (
	localePattern  = regexp.MustCompile(`^[a-z]{2}-[A-Z]{2}$`)
	countryPattern = regexp.MustCompile(`^[A-Z]{2}$`)
	dobPattern     = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
	nationalID     = regexp.MustCompile(`^[0-9A-Za-z+\-]{4,20}$`)
)

// normalize upper-cases codes and canonicalises the locale, so that "se" and
// "SE" mean the same country.
func (d *OrderData) normalize() {
	d.PurchaseCountry = strings.ToUpper(strings.TrimSpace(d.PurchaseCountry))
	d.PurchaseCurrency = strings.ToUpper(strings.TrimSpace(d.PurchaseCurrency))
	if lang, region, ok := strings.Cut(strings.TrimSpace(d.Locale), "-"); ok {
		d.Locale = strings.ToLower(lang) + "-" + strings.ToUpper(region)
	}
	for i := range d.OrderLines {
		if d.OrderLines[i].Type == "" {
			d.OrderLines[i].Type = "physical"
		}
	}
	for _, a := range []*Address{d.BillingAddress, d.ShippingAddress} {
		if a != nil {
			a.Country = strings.ToUpper(strings.TrimSpace(a.Country))
		}
	}
}

// Validate checks a purchase: codes, amounts, the arithmetic of every line and
// that the lines add up to the order totals. The error is BAD_VALUE naming the
// first offending field.
func (d *OrderData) Validate() error {
	d.normalize()
	if !countryPattern.MatchString(d.PurchaseCountry) || !money.ValidCountry(d.PurchaseCountry) {
		return apperr.BadField("purchase_country", "must be a supported ISO 3166-1 alpha-2 country code")
	}
	if !money.ValidCurrency(d.PurchaseCurrency) {
		return apperr.BadField("purchase_currency", "must be a supported ISO 4217 currency code")
	}
	if !money.CountryUses(d.PurchaseCountry, d.PurchaseCurrency) {
		return apperr.BadField("purchase_currency", "%s is not used for purchases in %s", d.PurchaseCurrency, d.PurchaseCountry)
	}
	if !localePattern.MatchString(d.Locale) {
		return apperr.BadField("locale", "must be a language and region such as da-DK")
	}
	if d.OrderAmount <= 0 || d.OrderAmount > money.MaxAmount {
		return apperr.BadField("order_amount", "must be between 1 and %d minor units", money.MaxAmount)
	}
	if d.OrderTaxAmount < 0 || d.OrderTaxAmount > d.OrderAmount {
		return apperr.BadField("order_tax_amount", "must be between 0 and order_amount")
	}
	if len(d.OrderLines) == 0 || len(d.OrderLines) > MaxOrderLines {
		return apperr.BadField("order_lines", "must hold 1 to %d lines", MaxOrderLines)
	}
	sum, tax, err := sumLines("order_lines", d.OrderLines)
	if err != nil {
		return err
	}
	if sum != d.OrderAmount {
		return apperr.BadField("order_amount", "is %d but the order lines add up to %d", d.OrderAmount, sum)
	}
	if tax != d.OrderTaxAmount {
		return apperr.BadField("order_tax_amount", "is %d but the order lines' tax adds up to %d", d.OrderTaxAmount, tax)
	}
	for field, v := range map[string]string{
		"merchant_reference1": d.MerchantReference1, "merchant_reference2": d.MerchantReference2,
	} {
		if len(v) > maxText {
			return apperr.BadField(field, "must be at most %d characters", maxText)
		}
	}
	if len(d.MerchantData) > maxMerchantData {
		return apperr.BadField("merchant_data", "must be at most %d characters", maxMerchantData)
	}
	switch d.Intent {
	case "", "buy", "tokenize", "buy_and_tokenize":
	default:
		return apperr.BadField("intent", "must be buy, tokenize or buy_and_tokenize")
	}
	switch d.AcquiringChannel {
	case "", "ECOMMERCE", "IN_STORE", "TELESALES":
	default:
		return apperr.BadField("acquiring_channel", "must be ECOMMERCE, IN_STORE or TELESALES")
	}
	if u := d.MerchantURLs; u != nil {
		for field, v := range map[string]string{
			"merchant_urls.confirmation": u.Confirmation, "merchant_urls.notification": u.Notification,
			"merchant_urls.push": u.Push, "merchant_urls.authorization": u.Authorization,
		} {
			if v != "" {
				if err := merchant.ValidateURL(v); err != nil {
					return apperr.BadField(field, "%s", err.Error())
				}
			}
		}
	}
	if d.BillingAddress != nil {
		if err := d.BillingAddress.validate("billing_address", false); err != nil {
			return err
		}
	}
	if d.ShippingAddress != nil {
		if err := d.ShippingAddress.validate("shipping_address", false); err != nil {
			return err
		}
	}
	if d.Customer != nil {
		if err := d.Customer.validate(false); err != nil {
			return err
		}
	}
	return nil
}

// sumLines validates each line and returns the sum of their totals and taxes.
func sumLines(field string, lines []OrderLine) (total, tax int64, err error) {
	for i := range lines {
		name := fmt.Sprintf("%s[%d]", field, i)
		if err := lines[i].validate(name); err != nil {
			return 0, 0, err
		}
		if total, err = money.Add(total, lines[i].TotalAmount); err != nil {
			return 0, 0, apperr.BadField(field, "total overflows")
		}
		if tax, err = money.Add(tax, lines[i].TotalTaxAmount); err != nil {
			return 0, 0, apperr.BadField(field, "tax total overflows")
		}
	}
	return total, tax, nil
}

// validate checks one line's fields and arithmetic.
func (l *OrderLine) validate(field string) error {
	if l.Type == "" {
		l.Type = "physical"
	}
	negativeAllowed, ok := lineTypes[l.Type]
	if !ok {
		return apperr.BadField(field+".type", "%q is not an order line type", l.Type)
	}
	if strings.TrimSpace(l.Name) == "" || len(l.Name) > maxText {
		return apperr.BadField(field+".name", "must be 1-%d characters", maxText)
	}
	if err := checkTexts(map[string]string{field + ".reference": l.Reference}); err != nil {
		return err
	}
	if len(l.QuantityUnit) > 10 {
		return apperr.BadField(field+".quantity_unit", "must be at most 10 characters")
	}
	if l.Quantity < 0 || l.Quantity > MaxQuantity {
		return apperr.BadField(field+".quantity", "must be between 0 and %d", MaxQuantity)
	}
	if l.TaxRate < 0 || l.TaxRate > MaxTaxRate {
		return apperr.BadField(field+".tax_rate", "must be between 0 and %d basis points", MaxTaxRate)
	}
	if l.UnitPrice > money.MaxAmount || l.UnitPrice < -money.MaxAmount || (l.UnitPrice < 0 && !negativeAllowed) {
		return apperr.BadField(field+".unit_price", "is out of range for a %s line", l.Type)
	}
	if l.TotalDiscountAmount < 0 || l.TotalDiscountAmount > money.MaxAmount {
		return apperr.BadField(field+".total_discount_amount", "must be between 0 and %d", money.MaxAmount)
	}
	gross, err := money.Mul(l.Quantity, l.UnitPrice)
	if err != nil || gross > money.MaxAmount || gross < -money.MaxAmount {
		return apperr.BadField(field+".total_amount", "quantity * unit_price is out of range")
	}
	if net := gross - l.TotalDiscountAmount; net < 0 && !negativeAllowed {
		return apperr.BadField(field+".total_discount_amount", "must not exceed quantity * unit_price on a %s line", l.Type)
	} else if net < -money.MaxAmount {
		return apperr.BadField(field+".total_amount", "quantity * unit_price - total_discount_amount is out of range")
	}
	if want := gross - l.TotalDiscountAmount; l.TotalAmount != want {
		return apperr.BadField(field+".total_amount", "is %d but quantity * unit_price - total_discount_amount is %d", l.TotalAmount, want)
	}
	want := money.TaxIncluded(l.TotalAmount, l.TaxRate)
	if d := l.TotalTaxAmount - want; d < -1 || d > 1 {
		return apperr.BadField(field+".total_tax_amount", "is %d but total_amount at tax_rate holds %d", l.TotalTaxAmount, want)
	}
	for name, value := range map[string]string{"merchant_data": l.MerchantData, "product_url": l.ProductURL, "image_url": l.ImageURL} {
		if len(value) > 1024 {
			return apperr.BadField(field+"."+name, "must be at most 1024 characters")
		}
	}
	return nil
}

// validate checks an address; complete requires everything a consumer must
// give at authorization.
func (a *Address) validate(field string, complete bool) error {
	a.Country = strings.ToUpper(strings.TrimSpace(a.Country))
	fields := map[string]string{
		"given_name": a.GivenName, "family_name": a.FamilyName, "email": a.Email, "street_address": a.StreetAddress,
		"postal_code": a.PostalCode, "city": a.City, "country": a.Country,
	}
	for name, v := range fields {
		if complete && strings.TrimSpace(v) == "" {
			return apperr.BadField(field+"."+name, "is required")
		}
	}
	for name, v := range map[string]string{
		"title": a.Title, "given_name": a.GivenName, "family_name": a.FamilyName, "street_address": a.StreetAddress,
		"street_address2": a.StreetAddress2, "postal_code": a.PostalCode, "city": a.City, "region": a.Region,
		"organization_name": a.OrganizationName, "attention": a.Attention, "care_of": a.CareOf, "phone": a.Phone,
	} {
		if len(v) > maxText {
			return apperr.BadField(field+"."+name, "must be at most %d characters", maxText)
		}
	}
	if a.Country != "" && !countryPattern.MatchString(a.Country) {
		return apperr.BadField(field+".country", "must be an ISO 3166-1 alpha-2 country code")
	}
	if a.Email != "" {
		if addr, err := mail.ParseAddress(a.Email); err != nil || addr.Address != a.Email || len(a.Email) > 254 {
			return apperr.BadField(field+".email", "is not an e-mail address")
		}
	}
	return nil
}

// validate checks the identity fields; complete requires a date of birth.
func (c *Customer) validate(complete bool) error {
	if c.DateOfBirth != "" || complete {
		if !dobPattern.MatchString(c.DateOfBirth) {
			return apperr.BadField("customer.date_of_birth", "must be a date as YYYY-MM-DD")
		}
		if _, err := time.Parse("2006-01-02", c.DateOfBirth); err != nil {
			return apperr.BadField("customer.date_of_birth", "is not a real date")
		}
	}
	if c.NationalIdentificationNumber != "" && !nationalID.MatchString(c.NationalIdentificationNumber) {
		return apperr.BadField("customer.national_identification_number", "must be 4-20 letters, digits, + or -")
	}
	return nil
}

// validateShipping checks shipment records.
func validateShipping(field string, infos []ShippingInfo) error {
	if len(infos) > maxShipments {
		return apperr.BadField(field, "must hold at most %d shipments", maxShipments)
	}
	for i, s := range infos {
		name := fmt.Sprintf("%s[%d]", field, i)
		for sub, v := range map[string]string{
			"shipping_company": s.ShippingCompany, "shipping_method": s.ShippingMethod, "tracking_number": s.TrackingNumber,
			"return_shipping_company": s.ReturnShippingCompany, "return_tracking_number": s.ReturnTrackingNumber,
		} {
			if len(v) > 100 {
				return apperr.BadField(name+"."+sub, "must be at most 100 characters")
			}
		}
		for sub, v := range map[string]string{"tracking_uri": s.TrackingURI, "return_tracking_uri": s.ReturnTrackingURI} {
			if v != "" {
				if err := merchant.ValidateURL(v); err != nil {
					return apperr.BadField(name+"."+sub, "%s", err.Error())
				}
			}
		}
	}
	return nil
}
