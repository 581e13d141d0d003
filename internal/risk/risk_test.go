package risk_test

import (
	"context"
	"errors"
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

func TestTestTags(t *testing.T) {
	for _, c := range []struct {
		email   string
		live    bool
		outcome string
	}{
		{"anna+denied@example.dk", false, risk.Rejected},
		{"Anna+Pending-Accepted@example.dk", false, risk.Pending},
		{"anna@example.dk", false, risk.Accepted},
		{"anna+denied@example.dk", true, risk.Accepted},
	} {
		d, err := risk.TestTags{}.Assess(context.Background(), input(func(in *risk.Input) { in.Email, in.TestMode = c.email, !c.live }))
		if err != nil || d.Outcome != c.outcome {
			t.Errorf("%s (live %v): %+v %v, want %s", c.email, c.live, d, err, c.outcome)
		}
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
