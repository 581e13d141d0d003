package risk_test

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/tillit/tillit/internal/risk"
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
		{"large amount", func(in *risk.Input) { in.Amount = 2_000_001 }, risk.Pending, []string{risk.ReasonHighAmountReview}},
		{"over the credit limit", func(in *risk.Input) { in.Amount = 5_000_001 }, risk.Rejected, []string{risk.ReasonHighAmountReview, risk.ReasonAmountOverLimit}},
		{"test tag denied", func(in *risk.Input) { in.Email = "anna+denied@example.dk" }, risk.Rejected, []string{risk.ReasonTestDenied}},
		{"test tag pending", func(in *risk.Input) { in.Email = "Anna+Pending-Accepted@example.dk" }, risk.Pending, []string{risk.ReasonTestPending}},
		{"test tags ignored for live merchants", func(in *risk.Input) { in.TestMode = false; in.Email = "anna+denied@example.dk" }, risk.Accepted, []string{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d, err := risk.Default().Assess(context.Background(), input(c.mut))
			if err != nil {
				t.Fatal(err)
			}
			if d.Outcome != c.outcome || !reflect.DeepEqual(d.Reasons, c.reasons) {
				t.Fatalf("got %s %v, want %s %v", d.Outcome, d.Reasons, c.outcome, c.reasons)
			}
		})
	}
}

type failing struct{}

func (failing) Assess(context.Context, risk.Input) (risk.Decision, error) {
	return risk.Decision{}, errors.New("bureau down")
}

func TestPipelineStopsAtRejectionAndPassesErrors(t *testing.T) {
	p := risk.Pipeline{risk.Identity{}, failing{}}
	if _, err := p.Assess(context.Background(), input(nil)); err == nil {
		t.Fatal("stage error swallowed")
	}
	d, err := p.Assess(context.Background(), input(func(in *risk.Input) { in.DateOfBirth = "2015-01-01" }))
	if err != nil || d.Outcome != risk.Rejected {
		t.Fatalf("rejection did not stop the pipeline: %v %v", d, err)
	}
}

func TestTestOutcome(t *testing.T) {
	for email, want := range map[string]string{
		"a+pending-accepted@x.dk": risk.Accepted, "a+pending-rejected@x.dk": risk.Rejected, "a@x.dk": "", "pending-accepted@x.dk": "",
	} {
		if got := risk.TestOutcome(email); got != want {
			t.Errorf("TestOutcome(%q) = %q, want %q", email, got, want)
		}
	}
}
