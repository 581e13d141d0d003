// Package risk decides whether an authorization may go ahead (P4): every
// authorization passes through one Assessor before the consumer gets an
// answer. This package holds the interface, the pipeline that combines stages
// (screening, fraud, credit) and the fixed stages: identity, test-mode tags
// and the credit limit. The fraud rules operators change without a deploy
// are package rules' (risk/rules, which also assembles the pipeline); the
// learned model and sanctions screening add their stages in their own
// packages without changing the interface.
package risk

import (
	"context"
	"strings"
	"time"
)

// Outcomes of an assessment, in the public fraud_status vocabulary.
const (
	Accepted = "ACCEPTED"
	Pending  = "PENDING"
	Rejected = "REJECTED"
)

// Reason codes the built-in stages give.
const (
	ReasonUnderage           = "UNDERAGE"
	ReasonIdentityIncomplete = "IDENTITY_INCOMPLETE"
	ReasonAmountOverLimit    = "AMOUNT_OVER_CREDIT_LIMIT"
	ReasonHighAmountReview   = "HIGH_AMOUNT_REVIEW"
	ReasonCountryMismatch    = "BILLING_COUNTRY_MISMATCH"
	ReasonShippingCountry    = "SHIPPING_COUNTRY_DIFFERS"
	ReasonTestDenied         = "TEST_DATA_DENIED"
	ReasonTestPending        = "TEST_DATA_PENDING"
)

// Input is what an assessment may look at. It carries no secrets. Stages
// must not log it: names, e-mail, date of birth and device are personal data.
type Input struct {
	MerchantID string
	// MerchantCategory is the merchant's category code ("" when unknown).
	MerchantCategory string
	TestMode         bool
	PaymentMethod    string
	Amount           int64
	Currency         string
	PurchaseCountry  string
	// PersonID is the person the purchase's e-mail address belongs to, ""
	// for someone Tillit has not met (a first-time customer).
	PersonID string
	// PersonSince is when that person was first seen (zero for a new one).
	PersonSince time.Time
	GivenName   string
	FamilyName  string
	DateOfBirth string // YYYY-MM-DD
	Email       string
	// BillingCountry and ShippingCountry are ISO 3166 alpha-2 codes;
	// ShippingCountry is "" when the goods go to the billing address.
	BillingCountry  string
	ShippingCountry string
	// ShipsElsewhere is true when a shipping address other than the billing
	// address was given.
	ShipsElsewhere bool
	DeviceIP       string
	Fingerprint    string
	// Keys are keyed hashes of the purchase's identifiers, for stages that
	// look at history without holding the identifiers themselves.
	Keys Keys
	Now  time.Time
}

// Keys are keyed hashes (ids.KeyedHash under the instance lookup key) of
// what identifies the buyer of a purchase. An empty key is unknown and
// matches nothing.
type Keys struct {
	Email    string // ids.ConsumerKey of the e-mail address
	Phone    string
	Device   string // of the device fingerprint
	IP       string
	Shipping string // of the normalised shipping (or billing) address
}

// Factor is one thing that weighed in a score: a feature, its value for
// this purchase and what it added to the log-odds of fraud.
type Factor struct {
	Name         string  `json:"name"`
	Value        float64 `json:"value"`
	Contribution float64 `json:"contribution"`
}

// Decision is an assessment's answer: an outcome and the reasons for it,
// and, for the automated decision record (D7), what the stages that ran
// measured and which versions of their rules, model and lists they used.
type Decision struct {
	Outcome string   `json:"outcome"`
	Reasons []string `json:"reasons"`
	// Score is the fraud model's probability that the purchase is fraud;
	// 0 when no model scored it.
	Score float64 `json:"score,omitempty"`
	// Factors are the largest contributions to Score, largest first.
	Factors []Factor `json:"factors,omitempty"`
	// Versions names what decided: "rules", "model", "lists", "bureau"...
	Versions map[string]string `json:"versions,omitempty"`
	// Summary holds what the stages looked at, in words that carry no
	// personal data (numbers, codes): "open_balance", "bureau_score"...
	Summary map[string]string `json:"summary,omitempty"`
}

// Assessor assesses one authorization.
type Assessor interface {
	Assess(ctx context.Context, in Input) (Decision, error)
}

// Pipeline runs its stages in order and returns the most severe outcome with
// the reasons of every stage that was not plainly accepted. A rejection stops
// the pipeline early.
type Pipeline []Assessor

// Assess implements Assessor.
func (p Pipeline) Assess(ctx context.Context, in Input) (Decision, error) {
	out := Decision{Outcome: Accepted, Reasons: []string{}}
	for _, stage := range p {
		d, err := stage.Assess(ctx, in)
		if err != nil {
			return Decision{}, err
		}
		out.Reasons = append(out.Reasons, d.Reasons...)
		out.merge(d)
		if severity(d.Outcome) > severity(out.Outcome) {
			out.Outcome = d.Outcome
		}
		if out.Outcome == Rejected {
			break
		}
	}
	return out, nil
}

// merge takes a stage's score, factors, versions and summary into the
// pipeline's decision.
func (d *Decision) merge(stage Decision) {
	if stage.Score > d.Score {
		d.Score = stage.Score
	}
	d.Factors = append(d.Factors, stage.Factors...)
	for k, v := range stage.Versions {
		if d.Versions == nil {
			d.Versions = map[string]string{}
		}
		d.Versions[k] = v
	}
	for k, v := range stage.Summary {
		if d.Summary == nil {
			d.Summary = map[string]string{}
		}
		d.Summary[k] = v
	}
}

func severity(outcome string) int {
	switch outcome {
	case Rejected:
		return 2
	case Pending:
		return 1
	}
	return 0
}

// Identity rejects consumers who are under 18 or whose date of birth is
// missing or impossible.
type Identity struct{}

// Assess implements Assessor.
func (Identity) Assess(_ context.Context, in Input) (Decision, error) {
	dob, err := time.Parse("2006-01-02", in.DateOfBirth)
	if err != nil || dob.After(in.Now) {
		return Decision{Outcome: Rejected, Reasons: []string{ReasonIdentityIncomplete}}, nil
	}
	if dob.AddDate(18, 0, 0).After(in.Now) {
		return Decision{Outcome: Rejected, Reasons: []string{ReasonUnderage}}, nil
	}
	return Decision{Outcome: Accepted}, nil
}

// TestTags lets integrations of merchants in test mode reach every outcome,
// as in the reference playground: an e-mail address tagged "+denied" is
// rejected, one tagged "+pending-accepted" or "+pending-rejected" waits for
// review (and resolves as TestOutcome says). Live merchants' orders pass.
type TestTags struct{}

// Assess implements Assessor.
func (TestTags) Assess(_ context.Context, in Input) (Decision, error) {
	if in.TestMode {
		local, _, _ := strings.Cut(strings.ToLower(in.Email), "@")
		switch {
		case strings.Contains(local, "+denied"):
			return Decision{Outcome: Rejected, Reasons: []string{ReasonTestDenied}}, nil
		case strings.Contains(local, "+pending-accepted"), strings.Contains(local, "+pending-rejected"):
			return Decision{Outcome: Pending, Reasons: []string{ReasonTestPending}}, nil
		}
	}
	return Decision{Outcome: Accepted}, nil
}

// TestOutcome returns the fraud status a pending test-mode order resolves to
// ("ACCEPTED" or "REJECTED"), or "" when the e-mail carries no such tag.
func TestOutcome(email string) string {
	local, _, _ := strings.Cut(strings.ToLower(email), "@")
	switch {
	case strings.Contains(local, "+pending-accepted"):
		return Accepted
	case strings.Contains(local, "+pending-rejected"):
		return Rejected
	}
	return ""
}

// CreditLimit rejects purchases above the largest credit Tillit grants for a
// single purchase. Credit granted always equals the purchase amount exactly.
type CreditLimit struct {
	// Max is the largest purchase (minor units) granted credit.
	Max int64
}

// Assess implements Assessor.
func (c CreditLimit) Assess(_ context.Context, in Input) (Decision, error) {
	if in.Amount > c.Max {
		return Decision{Outcome: Rejected, Reasons: []string{ReasonAmountOverLimit}}, nil
	}
	return Decision{Outcome: Accepted}, nil
}
