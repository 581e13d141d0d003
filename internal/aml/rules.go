// Package aml is transaction monitoring for anti-money-laundering
// (requirement T8): rules over a person's orders and refunds, evaluated in
// the transaction that places an order (OnOrderPlaced) or records a refund
// (OnRefund), raise alerts into the AML officers' queue. An alert is about
// one person and one rule; while it is open (or escalated) a new firing of
// the rule adds evidence to it rather than opening another. Evidence is the
// orders and refunds that made the rule fire, by id and amount, and the
// rule's parameters: nothing else about the person.
//
// AML officers (and admins) read alerts and escalate them, close them with
// no action or mark them reported to the authority (Service.Act); every
// view and every action is in the audit log. Alerts and their evidence are
// kept 5 years after the relationship ends (purpose aml_screening) and an
// erasure keeps them, as the law requires.
package aml

import (
	"slices"
	"time"
)

// Rule names a monitoring rule.
type Rule string

// The monitoring rules.
const (
	// Structuring: several purchases just under a threshold in a short
	// window, as if to stay below it.
	Structuring Rule = "structuring"
	// RapidRefund: purchases refunded almost whole soon after they were
	// placed, repeatedly (money in through a purchase, out as a refund).
	RapidRefund Rule = "rapid_refund"
	// HighRiskCountry: a purchase or billing country on the high-risk list.
	HighRiskCountry Rule = "high_risk_country"
	// Velocity: the total of a person's purchases in a window above a
	// threshold.
	Velocity Rule = "velocity"
	// SanctionsMatch: re-screening after a sanctions list update found the
	// person resembling a list entry (RaiseSanctionsMatch).
	SanctionsMatch Rule = "sanctions_match"
)

// Rules are the monitoring rules, most severe first.
var Rules = []Rule{SanctionsMatch, HighRiskCountry, Structuring, RapidRefund, Velocity}

// Valid reports whether r is a known rule.
func (r Rule) Valid() bool { return slices.Contains(Rules, r) }

// Severity orders the queue: higher is handled first.
func (r Rule) Severity() int { return len(Rules) - slices.Index(Rules, r) }

// Key is the catalog key of the rule's name.
func (r Rule) Key() string { return "aml.rule." + string(r) }

// Config holds the rules' parameters. Amounts are in minor units per
// currency (øre, cents); a currency without a threshold is not checked by
// the rules that need one.
type Config struct {
	Structuring StructuringConfig
	RapidRefund RapidRefundConfig
	HighRisk    HighRiskConfig
	Velocity    VelocityConfig
}

// StructuringConfig: at least MinOrders orders of one currency in Window,
// each at least LowerPercent of the currency's Threshold and below it.
type StructuringConfig struct {
	Threshold    map[string]int64
	LowerPercent int64
	MinOrders    int
	Window       time.Duration
}

// RapidRefundConfig: at least MinOrders orders placed in Window of which
// at least MinPercent was refunded within Within of placing them.
type RapidRefundConfig struct {
	MinPercent int64
	Within     time.Duration
	MinOrders  int
	Window     time.Duration
}

// HighRiskConfig: Countries are ISO 3166-1 alpha-2 codes; an order whose
// purchase country or billing country is one of them fires.
type HighRiskConfig struct {
	Countries []string
}

// VelocityConfig: the orders of one currency placed in Window total more
// than the currency's Threshold.
type VelocityConfig struct {
	Threshold map[string]int64
	Window    time.Duration
}

// Default thresholds: structuring watches amounts just under 10,000.00 DKK
// and its equivalents, velocity a total above 50,000.00 DKK in 30 days.
var (
	defaultStructuringThreshold = map[string]int64{
		"DKK": 1_000_000, "SEK": 1_500_000, "NOK": 1_500_000, "EUR": 134_000, "GBP": 115_000, "USD": 145_000,
	}
	defaultVelocityThreshold = map[string]int64{
		"DKK": 5_000_000, "SEK": 7_500_000, "NOK": 7_500_000, "EUR": 670_000, "GBP": 575_000, "USD": 725_000,
	}
)

// FATFJurisdictions are the jurisdictions in the FATF's public statements of
// 24 October 2025: "High-Risk Jurisdictions subject to a Call for Action"
// (DPRK, Iran, Myanmar) and "Jurisdictions under Increased Monitoring"
// (Algeria, Angola, Bolivia, Bulgaria, Cameroon, Côte d'Ivoire, Democratic
// Republic of the Congo, Haiti, Kenya, Lao PDR, Lebanon, Monaco, Namibia,
// Nepal, South Sudan, Syria, Venezuela, Vietnam, Virgin Islands (UK),
// Yemen). The FATF revises them at each plenary (February, June, October):
// update this list with each publication.
var FATFJurisdictions = []string{
	"KP", "IR", "MM",
	"DZ", "AO", "BO", "BG", "CM", "CI", "CD", "HT", "KE", "LA", "LB", "MC", "NA", "NP", "SS", "SY", "VE", "VN", "VG", "YE",
}

// DefaultConfig returns the rules' default parameters: structuring at 3
// orders of 90–100 % of the threshold in 7 days, rapid refunds at 2 orders
// refunded 80 % or more within 48 hours in 30 days, the FATF lists, and
// velocity over 30 days.
func DefaultConfig() Config {
	return Config{
		Structuring: StructuringConfig{Threshold: defaultStructuringThreshold, LowerPercent: 90, MinOrders: 3, Window: 7 * 24 * time.Hour},
		RapidRefund: RapidRefundConfig{MinPercent: 80, Within: 48 * time.Hour, MinOrders: 2, Window: 30 * 24 * time.Hour},
		HighRisk:    HighRiskConfig{Countries: FATFJurisdictions},
		Velocity:    VelocityConfig{Threshold: defaultVelocityThreshold, Window: 30 * 24 * time.Hour},
	}
}

// lookback is how far back the rules read a person's orders.
func (c Config) lookback() time.Duration {
	return max(c.Structuring.Window, c.RapidRefund.Window, c.Velocity.Window)
}

// order is one of a person's orders as the rules see it, with what was
// refunded of it within RapidRefund.Within of placing it.
type order struct {
	ID        string
	Amount    int64
	Currency  string
	PlacedAt  time.Time
	Refunded  int64
	RefundEnd time.Time
}

// Evidence is one thing that made a rule fire: an order placed (KindOrder,
// Amount its amount) or refunded (KindRefund, Amount what was refunded).
type Evidence struct {
	Kind     string
	OrderID  string
	Amount   int64
	Currency string
	At       time.Time
}

// Kinds of evidence.
const (
	KindOrder  = "order"
	KindRefund = "refund"
)

// firing is a rule that fired with its evidence and parameters.
type firing struct {
	rule     Rule
	params   map[string]any
	evidence []Evidence
}

// placedEvidence is the evidence of orders placed.
func placedEvidence(os []order) []Evidence {
	out := make([]Evidence, 0, len(os))
	for _, o := range os {
		out = append(out, Evidence{Kind: KindOrder, OrderID: o.ID, Amount: o.Amount, Currency: o.Currency, At: o.PlacedAt})
	}
	return out
}

// check returns the orders in currency that make the rule fire at now, or
// nil.
func (c StructuringConfig) check(os []order, currency string, now time.Time) *firing {
	limit, ok := c.Threshold[currency]
	if !ok || c.MinOrders <= 0 {
		return nil
	}
	var hits []order
	for _, o := range os {
		if o.Currency == currency && !o.PlacedAt.Before(now.Add(-c.Window)) &&
			o.Amount < limit && o.Amount*100 >= limit*c.LowerPercent {
			hits = append(hits, o)
		}
	}
	if len(hits) < c.MinOrders {
		return nil
	}
	return &firing{rule: Structuring, evidence: placedEvidence(hits), params: map[string]any{
		"threshold": limit, "currency": currency, "lower_percent": c.LowerPercent, "min_orders": c.MinOrders, "window": c.Window.String(),
	}}
}

// check returns the orders refunded soon and nearly whole that make the
// rule fire at now, or nil.
func (c RapidRefundConfig) check(os []order, now time.Time) *firing {
	if c.MinOrders <= 0 {
		return nil
	}
	var ev []Evidence
	n := 0
	for _, o := range os {
		if o.PlacedAt.Before(now.Add(-c.Window)) || o.Amount <= 0 || o.Refunded*100 < o.Amount*c.MinPercent {
			continue
		}
		n++
		ev = append(ev, Evidence{Kind: KindOrder, OrderID: o.ID, Amount: o.Amount, Currency: o.Currency, At: o.PlacedAt},
			Evidence{Kind: KindRefund, OrderID: o.ID, Amount: o.Refunded, Currency: o.Currency, At: o.RefundEnd})
	}
	if n < c.MinOrders {
		return nil
	}
	return &firing{rule: RapidRefund, evidence: ev, params: map[string]any{
		"min_percent": c.MinPercent, "within": c.Within.String(), "min_orders": c.MinOrders, "window": c.Window.String(),
	}}
}

// check fires on the order placed when its purchase or billing country is
// listed.
func (c HighRiskConfig) check(p Placed) *firing {
	if !slices.Contains(c.Countries, p.Country) && (p.BillingCountry == "" || !slices.Contains(c.Countries, p.BillingCountry)) {
		return nil
	}
	return &firing{rule: HighRiskCountry, params: map[string]any{"countries": c.Countries},
		evidence: []Evidence{{Kind: KindOrder, OrderID: p.OrderID, Amount: p.Amount, Currency: p.Currency, At: p.At}}}
}

// check returns the orders in currency whose total in the window at now
// is above the threshold, or nil.
func (c VelocityConfig) check(os []order, currency string, now time.Time) *firing {
	limit, ok := c.Threshold[currency]
	if !ok {
		return nil
	}
	var hits []order
	var total int64
	for _, o := range os {
		if o.Currency == currency && !o.PlacedAt.Before(now.Add(-c.Window)) {
			hits = append(hits, o)
			total += o.Amount
		}
	}
	if total <= limit {
		return nil
	}
	return &firing{rule: Velocity, evidence: placedEvidence(hits), params: map[string]any{
		"threshold": limit, "currency": currency, "window": c.Window.String(), "total": total,
	}}
}
