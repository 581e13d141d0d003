package checkout_test

import (
	"bytes"
	"encoding/json"
	"math/big"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/checkout"
	"github.com/tillit/tillit/internal/money"
)

// The seed corpora live in testdata/fuzz/<FuzzName>/; plain `go test` runs
// them. Fuzz with, for example:
//
//	go test -run='^$' -fuzz=FuzzOrderDataValidate -fuzztime=60s ./internal/checkout/

// FuzzOrderDataValidate decodes arbitrary JSON as an order and validates it.
// Whatever Validate accepts must really satisfy the public rules, checked
// here independently with math/big, and must survive being stored and read
// back (sessions and orders are kept as JSON and validated again on update).
func FuzzOrderDataValidate(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		var d checkout.OrderData
		if err := checkout.DecodeJSON(data, &d); err != nil {
			return
		}
		if err := d.Validate(); err != nil {
			e, ok := err.(*apperr.Error)
			if !ok || e.Code != apperr.BadValue || !strings.HasPrefix(e.Message, "Bad value: ") {
				t.Fatalf("Validate refused with %#v; want a BAD_VALUE naming a field", err)
			}
			return
		}
		checkAccepted(t, &d)

		// What was accepted is stored as JSON; read back, it is accepted
		// again, unchanged.
		stored, err := json.Marshal(d)
		if err != nil {
			t.Fatalf("marshal accepted order: %v", err)
		}
		var back checkout.OrderData
		if err := checkout.DecodeJSON(stored, &back); err != nil {
			t.Fatalf("stored order does not decode: %v\n%s", err, stored)
		}
		if err := back.Validate(); err != nil {
			t.Fatalf("stored order no longer validates: %v\n%s", err, stored)
		}
		again, _ := json.Marshal(back)
		if !bytes.Equal(stored, again) {
			t.Fatalf("validation is not idempotent:\n%s\n%s", stored, again)
		}
	})
}

var (
	bigMax      = big.NewInt(money.MaxAmount)
	bigMin      = big.NewInt(-money.MaxAmount)
	tenThousand = big.NewInt(10000)
	localeRE    = regexp.MustCompile(`^[a-z]{2}-[A-Z]{2}$`)
)

// withinMaxAmount reports whether -MaxAmount <= v <= MaxAmount.
func withinMaxAmount(v *big.Int) bool { return v.Cmp(bigMin) >= 0 && v.Cmp(bigMax) <= 0 }

// checkAccepted recomputes every rule of an accepted order in arbitrary
// precision.
func checkAccepted(t *testing.T, d *checkout.OrderData) {
	t.Helper()
	if !money.ValidCountry(d.PurchaseCountry) || !money.ValidCurrency(d.PurchaseCurrency) || !money.CountryUses(d.PurchaseCountry, d.PurchaseCurrency) {
		t.Fatalf("accepted %q/%q", d.PurchaseCountry, d.PurchaseCurrency)
	}
	if !localeRE.MatchString(d.Locale) {
		t.Fatalf("accepted locale %q", d.Locale)
	}
	if n := len(d.OrderLines); n < 1 || n > checkout.MaxOrderLines {
		t.Fatalf("accepted %d lines", n)
	}
	if d.OrderAmount < 1 || d.OrderAmount > money.MaxAmount {
		t.Fatalf("accepted order_amount %d", d.OrderAmount)
	}
	if d.OrderTaxAmount < 0 || d.OrderTaxAmount > d.OrderAmount {
		t.Fatalf("accepted order_tax_amount %d of %d", d.OrderTaxAmount, d.OrderAmount)
	}
	sum, taxSum := new(big.Int), new(big.Int)
	for i, l := range d.OrderLines {
		q, u, rate := big.NewInt(l.Quantity), big.NewInt(l.UnitPrice), big.NewInt(l.TaxRate)
		disc, total, tax := big.NewInt(l.TotalDiscountAmount), big.NewInt(l.TotalAmount), big.NewInt(l.TotalTaxAmount)
		negativeOK := l.Type == "discount" || l.Type == "gift_card" || l.Type == "store_credit"
		switch l.Type {
		case "physical", "digital", "shipping_fee", "sales_tax", "surcharge", "discount", "gift_card", "store_credit":
		default:
			t.Fatalf("line %d: accepted type %q", i, l.Type)
		}
		if strings.TrimSpace(l.Name) == "" {
			t.Fatalf("line %d: accepted an empty name", i)
		}
		if l.Quantity < 0 || l.Quantity > checkout.MaxQuantity || l.TaxRate < 0 || l.TaxRate > checkout.MaxTaxRate {
			t.Fatalf("line %d: accepted quantity %d, tax_rate %d", i, l.Quantity, l.TaxRate)
		}
		for name, v := range map[string]*big.Int{"unit_price": u, "total_discount_amount": disc, "total_amount": total, "total_tax_amount": tax} {
			if !withinMaxAmount(v) {
				t.Fatalf("line %d: accepted %s %v beyond money.MaxAmount", i, name, v)
			}
		}
		if disc.Sign() < 0 {
			t.Fatalf("line %d: accepted a negative discount %v", i, disc)
		}
		if !negativeOK && (u.Sign() < 0 || total.Sign() < 0) {
			t.Fatalf("line %d: accepted a negative %s line: unit_price %v, total_amount %v", i, l.Type, u, total)
		}
		// total_amount = quantity * unit_price - total_discount_amount, exactly.
		want := new(big.Int).Mul(q, u)
		want.Sub(want, disc)
		if want.Cmp(total) != 0 {
			t.Fatalf("line %d: total_amount %v, but %v * %v - %v = %v", i, total, q, u, disc, want)
		}
		// total_tax_amount within 1 of total - total*10000/(10000+rate),
		// the division truncated toward zero (big.Int.Quo truncates).
		wantTax := new(big.Int)
		if rate.Sign() > 0 {
			net := new(big.Int).Mul(total, tenThousand)
			net.Quo(net, new(big.Int).Add(tenThousand, rate))
			wantTax.Sub(total, net)
		}
		if diff := new(big.Int).Sub(tax, wantTax); diff.CmpAbs(big.NewInt(1)) > 0 {
			t.Fatalf("line %d: total_tax_amount %v, but %v at %v bp holds %v", i, tax, total, rate, wantTax)
		}
		sum.Add(sum, total)
		taxSum.Add(taxSum, tax)
	}
	if sum.Cmp(big.NewInt(d.OrderAmount)) != 0 {
		t.Fatalf("order_amount %d, lines add up to %v", d.OrderAmount, sum)
	}
	if taxSum.Cmp(big.NewInt(d.OrderTaxAmount)) != 0 {
		t.Fatalf("order_tax_amount %d, lines' tax adds up to %v", d.OrderTaxAmount, taxSum)
	}
}

// decodeTargets are the types the API decodes request bodies into.
var decodeTargets = []func() any{
	func() any { return new(checkout.OrderData) },
	func() any { return new(checkout.AuthorizeRequest) },
	func() any { return new(checkout.OTPRequest) },
	func() any { return new(checkout.CaptureRequest) },
	func() any { return new(checkout.RefundRequest) },
	func() any { return new(checkout.ShippingInfoRequest) },
	func() any { return new(checkout.MerchantReferences) },
	func() any { return new(map[string]json.RawMessage) },
	func() any { return new(map[string]any) },
}

// Every message DecodeJSON may produce. None quotes the input: the only
// variable parts are a byte offset and a field path, and the field path must
// be one the target type declares.
var (
	syntaxMsg = regexp.MustCompile(`^Malformed JSON at byte \d+\.$`)
	fixedMsgs = map[string]bool{
		"Malformed JSON: unexpected data after the object.": true,
		"Malformed JSON: the body must be one JSON object.": true,
	}
	fieldMsg = regexp.MustCompile(`^Bad value: (\S+) must be (?:an integer in range|a boolean|a string|an array|an object)$`)
)

// FuzzDecodeJSON feeds arbitrary bytes to DecodeJSON for every request type:
// it must not panic, and every failure must be a BAD_VALUE *apperr.Error
// whose message does not echo the input.
func FuzzDecodeJSON(f *testing.F) {
	paths := make([]map[string]bool, len(decodeTargets))
	for i, mk := range decodeTargets {
		paths[i] = map[string]bool{"body": true}
		jsonPaths(reflect.TypeOf(mk()).Elem(), "", paths[i], 0)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for i, mk := range decodeTargets {
			v := mk()
			err := checkout.DecodeJSON(data, v)
			if err == nil {
				continue
			}
			e, ok := err.(*apperr.Error)
			if !ok {
				t.Fatalf("%T: error %#v is not an *apperr.Error", v, err)
			}
			if e.Code != apperr.BadValue {
				t.Fatalf("%T: code %s, want BAD_VALUE", v, e.Code)
			}
			switch m := fieldMsg.FindStringSubmatch(e.Message); {
			case syntaxMsg.MatchString(e.Message), fixedMsgs[e.Message]:
			case m != nil && paths[i][m[1]]:
			default:
				t.Fatalf("%T: message %q is not one of DecodeJSON's fixed messages naming a declared field", v, e.Message)
			}
			if len(e.Message) > 120 {
				t.Fatalf("%T: message of %d bytes", v, len(e.Message))
			}
		}
	})
}

// jsonPaths adds the dotted JSON paths of t's fields (the way
// encoding/json names a field in an UnmarshalTypeError) to out.
func jsonPaths(t reflect.Type, prefix string, out map[string]bool, depth int) {
	for t.Kind() == reflect.Pointer || (t.Kind() == reflect.Slice && t.Elem().Kind() != reflect.Uint8) {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct || depth > 5 {
		return
	}
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		name, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
		if name == "-" || !sf.IsExported() {
			continue
		}
		if name == "" {
			name = sf.Name
		}
		path := name
		if prefix != "" {
			path = prefix + "." + name
		}
		out[path] = true
		jsonPaths(sf.Type, path, out, depth+1)
	}
}
