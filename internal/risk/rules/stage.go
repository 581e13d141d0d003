package rules

import (
	"context"
	"log/slog"
	"strings"
	"time"

	"github.com/tillit/tillit/internal/risk"
)

// OrderSchema is what rules can say about an order being authorized: the
// features the Stage computes from a risk.Input. The message
// "staff.rules.feature.<name>" explains each to the operators writing rules.
var OrderSchema = Schema{
	{Name: "amount", Type: Number},
	{Name: "currency", Type: String},
	{Name: "payment_method", Type: String},
	{Name: "purchase_country", Type: String},
	{Name: "billing_country", Type: String},
	{Name: "shipping_country", Type: String},
	{Name: "ships_abroad", Type: Bool},
	{Name: "hour", Type: Number},
	{Name: "age_years", Type: Number},
	{Name: "email_domain", Type: String},
	{Name: "test_mode", Type: Bool},
	{Name: "merchant_id", Type: String},
}

// DefaultSource is the rule set in force until an operator publishes one.
const DefaultSource = `# Built-in rules, in force until an operator publishes a version.
reject BILLING_COUNTRY_MISMATCH when billing_country != purchase_country
review SHIPPING_COUNTRY_DIFFERS when ships_abroad
review HIGH_AMOUNT_REVIEW when amount > 2000000
`

// Default returns the built-in rule set compiled against OrderSchema.
func Default() *Set {
	set, err := Compile(DefaultSource, OrderSchema)
	if err != nil {
		panic("rules: the built-in rule set does not compile: " + err.Error())
	}
	return set
}

// OrderValues computes the OrderSchema features of an order.
func OrderValues(in risk.Input) []Value {
	shipsAbroad := in.ShippingCountry != "" && in.ShippingCountry != in.BillingCountry
	_, domain, _ := strings.Cut(strings.ToLower(in.Email), "@")
	return []Value{
		Num(float64(in.Amount)), Str(in.Currency), Str(in.PaymentMethod), Str(in.PurchaseCountry), Str(in.BillingCountry),
		Str(in.ShippingCountry), True(shipsAbroad), Num(float64(in.Now.UTC().Hour())), Num(float64(ageYears(in.DateOfBirth, in.Now))),
		Str(domain), True(in.TestMode), Str(in.MerchantID),
	}
}

// ageYears is the age at now of someone born on dob (YYYY-MM-DD); 0 when
// dob is not a date.
func ageYears(dob string, now time.Time) int {
	born, err := time.Parse(time.DateOnly, dob)
	if err != nil || born.After(now) {
		return 0
	}
	age := now.Year() - born.Year()
	if now.Month() < born.Month() || (now.Month() == born.Month() && now.Day() < born.Day()) {
		age--
	}
	return age
}

// CreditLimit is the largest purchase (minor units) granted credit.
const CreditLimit = 5_000_000

// Stage is the risk pipeline stage that applies the rule set in force.
type Stage struct {
	Live *Live
	// Logger receives a failed look for a newer version (the set in force
	// keeps applying); slog.Default() when nil.
	Logger *slog.Logger
}

// Assess implements risk.Assessor.
func (s Stage) Assess(ctx context.Context, in risk.Input) (risk.Decision, error) {
	set, err := s.Live.Current(ctx)
	if err != nil {
		logger := s.Logger
		if logger == nil {
			logger = slog.Default()
		}
		logger.Error("rules: looking for a newer rule set", slog.Any("err", err), slog.Int64("in_force", set.Version))
	}
	return set.Evaluate(OrderValues(in))
}
