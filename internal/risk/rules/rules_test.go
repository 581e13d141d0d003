package rules_test

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/tillit/tillit/internal/apperr"
	"github.com/tillit/tillit/internal/audit"
	"github.com/tillit/tillit/internal/risk"
	"github.com/tillit/tillit/internal/risk/engine"
	"github.com/tillit/tillit/internal/risk/rules"
	"github.com/tillit/tillit/internal/store/storetest"
)

var now = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

func input(mut func(*risk.Input)) risk.Input {
	in := risk.Input{TestMode: true, Amount: 125000, Currency: "DKK", PurchaseCountry: "DK", DateOfBirth: "1990-05-17",
		Email: "anna@example.dk", BillingCountry: "DK", Now: now}
	if mut != nil {
		mut(&in)
	}
	return in
}

func TestDefaultPipeline(t *testing.T) {
	cases := []struct {
		name    string
		mut     func(*risk.Input)
		outcome string
		reasons []string
	}{
		{"ordinary purchase", nil, risk.Accepted, []string{}},
		{"turns 18 today", func(in *risk.Input) { in.DateOfBirth = "2008-03-02" }, risk.Accepted, []string{}},
		{"17 years old", func(in *risk.Input) { in.DateOfBirth = "2008-03-03" }, risk.Rejected, []string{risk.ReasonUnderage}},
		{"birth date in the future", func(in *risk.Input) { in.DateOfBirth = "2030-01-01" }, risk.Rejected, []string{risk.ReasonIdentityIncomplete}},
		{"no birth date", func(in *risk.Input) { in.DateOfBirth = "" }, risk.Rejected, []string{risk.ReasonIdentityIncomplete}},
		{"billing abroad", func(in *risk.Input) { in.BillingCountry = "SE" }, risk.Rejected, []string{risk.ReasonCountryMismatch}},
		{"shipping abroad", func(in *risk.Input) { in.ShippingCountry = "DE" }, risk.Pending, []string{risk.ReasonShippingCountry}},
		{"shipping at home", func(in *risk.Input) { in.ShippingCountry = "DK" }, risk.Accepted, []string{}},
		{"large amount", func(in *risk.Input) { in.Amount = 2_000_001 }, risk.Pending, []string{risk.ReasonHighAmountReview}},
		{"over the credit limit", func(in *risk.Input) { in.Amount = 5_000_001 }, risk.Rejected, []string{risk.ReasonHighAmountReview, risk.ReasonAmountOverLimit}},
		{"test tag denied", func(in *risk.Input) { in.Email = "anna+denied@example.dk" }, risk.Rejected, []string{risk.ReasonTestDenied}},
		{"test tag pending", func(in *risk.Input) { in.Email = "Anna+Pending-Accepted@example.dk" }, risk.Pending, []string{risk.ReasonTestPending}},
		{"test tags ignored for live merchants", func(in *risk.Input) { in.TestMode = false; in.Email = "anna+denied@example.dk" }, risk.Accepted, []string{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d, err := engine.Pipeline(engine.Config{}).Assess(context.Background(), input(c.mut))
			if err != nil {
				t.Fatal(err)
			}
			if d.Outcome != c.outcome || !reflect.DeepEqual(d.Reasons, c.reasons) {
				t.Fatalf("got %s %v, want %s %v", d.Outcome, d.Reasons, c.outcome, c.reasons)
			}
		})
	}
}

// evaluate compiles one rule with the condition and reports whether it
// matches the order.
func evaluate(t *testing.T, cond string, in risk.Input) bool {
	t.Helper()
	set, err := rules.Compile("review X_RULE when "+cond, rules.OrderSchema)
	if err != nil {
		t.Fatalf("%s: %v", cond, err)
	}
	d, err := set.Evaluate(rules.OrderValues(in))
	if err != nil {
		t.Fatal(err)
	}
	return d.Outcome == risk.Pending
}

func TestLanguage(t *testing.T) {
	in := input(func(in *risk.Input) {
		in.ShippingCountry, in.Email, in.PaymentMethod, in.Now = "SE", "Anna@Example.DK", "pay_in_3", time.Date(2026, 3, 2, 3, 30, 0, 0, time.UTC)
	})
	for cond, want := range map[string]bool{
		"amount == 125000":                                    true,
		"amount >= 125_000 && amount <= 125000":               true,
		"amount / 100 > 1250":                                 false,
		"amount / 0 == 0":                                     true,
		"amount * 2 - 50000 == 200000":                        true,
		"-amount < 0":                                         true,
		"hour < 6":                                            true,
		"age_years == 35":                                     true,
		"email_domain == \"example.dk\"":                      true,
		"shipping_country in [\"SE\", \"NO\"]":                true,
		"billing_country in [\"SE\", \"NO\"]":                 false,
		"amount in [1, 125000]":                               true,
		"ships_abroad && !test_mode":                          false,
		"ships_abroad || test_mode == false":                  true,
		"not (ships_abroad && hour > 5)":                      true,
		"payment_method != \"pay_now\" && currency < \"EUR\"": true,
		"true": true,
	} {
		if got := evaluate(t, cond, in); got != want {
			t.Errorf("%s = %v, want %v", cond, got, want)
		}
	}
}

func TestCompileRefusesWithLineAndColumn(t *testing.T) {
	for cond, want := range map[string]string{
		"amount > ":                 "ends too early",
		"amout > 5":                 `unknown feature "amout"`,
		"amount > \"5\"":            "cannot compare a number with a string",
		"amount":                    "must be true or false",
		"ships_abroad < true":       "only be compared with == and !=",
		"amount + ships_abroad > 1": "works on numbers",
		"!amount":                   "needs a condition",
		"currency in [1, 2]":        "holds strings only",
		"ships_abroad in [true]":    "number or a text",
		"email_domain == \"x":       "not closed",
		"(amount > 1":               "expected )",
		"amount > 1 amount":         "unexpected",
		"amount ^ 2 > 1":            "unexpected",
		strings.Repeat("(", 200) + "true" + strings.Repeat(")", 200): "nested too deeply",
		strings.Repeat("!", 200) + "true":                            "nested too deeply",
		strings.Repeat("-", 200) + "1 > 0":                           "nested too deeply",
	} {
		_, err := rules.Compile("# a comment\n\nreview X_RULE when "+cond, rules.OrderSchema)
		if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "line 3: column ") {
			t.Errorf("%.40s: %v, want line 3 and %q", cond, err, want)
		}
	}
	for src, want := range map[string]string{
		"flag X when true":                      "must be review or reject",
		"review lower when true":                "reason code",
		"review X_RULE if true":                 "write a rule as",
		"reject A_B when true\nreview C when x": "line 2:",
		strings.Repeat("#", rules.MaxSource+1):  "larger than",
	} {
		if _, err := rules.Compile(src, rules.OrderSchema); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%.40q: %v, want %q", src, err, want)
		}
	}
}

func TestEvaluateTakesTheMostSevereActionAndEveryReason(t *testing.T) {
	set, err := rules.Compile("review A_RULE when amount > 1\nreject B_RULE when amount > 2\nreview C_RULE when amount > 3\nreview D_RULE when amount > 1000000",
		rules.OrderSchema)
	if err != nil {
		t.Fatal(err)
	}
	d, err := set.Evaluate(rules.OrderValues(input(nil)))
	if err != nil || d.Outcome != risk.Rejected || strings.Join(d.Reasons, ",") != "A_RULE,B_RULE,C_RULE" {
		t.Errorf("got %+v %v", d, err)
	}
	if _, err := set.Evaluate(nil); err == nil {
		t.Error("evaluated without values")
	}
}

// FuzzCompile checks that no rule text makes the compiler or an evaluation
// panic.
func FuzzCompile(f *testing.F) {
	for _, seed := range []string{"review A_B when amount > 1", "reject X when (a", "review X_Y when \"", "review X_Y when amount in [", "review X_Y when ---1 > 0"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, src string) {
		set, err := rules.Compile(src, rules.OrderSchema)
		if err == nil {
			if _, err := set.Evaluate(rules.OrderValues(input(nil))); err != nil {
				t.Fatal(err)
			}
		}
	})
}

func TestPublishedRulesTakeEffectWithoutRestart(t *testing.T) {
	ctx := context.Background()
	db, clk := storetest.Open(t)
	live := rules.NewLive(db, rules.Default(), 5*time.Second)
	other := rules.NewLive(db, rules.Default(), 5*time.Second) // another server process
	pipeline := engine.Pipeline(engine.Config{Rules: live})
	order := input(func(in *risk.Input) { in.Now = clk.Now() })
	assess := func(p risk.Pipeline) risk.Decision {
		t.Helper()
		d, err := p.Assess(ctx, order)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	if d := assess(pipeline); d.Outcome != risk.Accepted {
		t.Fatalf("before: %+v", d)
	}

	// A broken set is refused and changes nothing.
	if _, err := rules.Publish(ctx, db, rules.OrderSchema, "reject SMALL_ORDER when amont < 200000", "staff:risk", "typo"); apperr.Code(err) != apperr.BadValue ||
		!strings.Contains(err.Error(), `line 1: column 25: unknown feature "amont"`) {
		t.Fatalf("broken set: %v", err)
	}
	if h, _ := rules.History(ctx, db, 10); len(h) != 0 {
		t.Fatalf("a broken set was stored: %+v", h)
	}

	source := rules.DefaultSource + "reject SMALL_ORDER when amount < 200000 && currency == \"DKK\"\n"
	p, err := rules.Publish(ctx, db, rules.OrderSchema, source, "staff:risk", "Trial: small orders")
	if err != nil || p.Version != 1 || p.Rules != 4 {
		t.Fatalf("publish: %+v %v", p, err)
	}
	// Within the interval the set in force stays; after it, both
	// processes apply the new version.
	if d := assess(pipeline); d.Outcome != risk.Accepted {
		t.Errorf("took effect before the interval: %+v", d)
	}
	clk.Advance(5 * time.Second)
	if d := assess(pipeline); d.Outcome != risk.Rejected || strings.Join(d.Reasons, ",") != "SMALL_ORDER" {
		t.Errorf("after the interval: %+v", d)
	}
	if set, err := other.Current(ctx); err != nil || set.Version != 1 {
		t.Errorf("the other process: %v %v", set.Version, err)
	}
	entries, err := audit.ForSubject(ctx, db, "risk_rules:1")
	if err != nil || len(entries) != 1 || entries[0].Action != rules.AuditPublished || entries[0].Actor != "staff:risk" {
		t.Errorf("audit: %+v %v", entries, err)
	}

	p2, err := rules.Publish(ctx, db, rules.OrderSchema, rules.DefaultSource, "staff:risk", "Trial over")
	if err != nil || p2.Version != 2 {
		t.Fatalf("second publish: %+v %v", p2, err)
	}
	clk.Advance(5 * time.Second)
	if d := assess(pipeline); d.Outcome != risk.Accepted {
		t.Errorf("after going back: %+v", d)
	}
	h, err := rules.History(ctx, db, 10)
	if err != nil || len(h) != 2 || h[0].Version != 2 || h[1].Comment != "Trial: small orders" || h[1].Rules != 4 {
		t.Errorf("history: %+v %v", h, err)
	}
}
