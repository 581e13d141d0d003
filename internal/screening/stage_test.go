package screening_test

import (
	"context"
	"testing"
	"time"

	"github.com/tillit/tillit/internal/risk"
	"github.com/tillit/tillit/internal/risk/engine"
	"github.com/tillit/tillit/internal/screening"
	"github.com/tillit/tillit/internal/store"
	"github.com/tillit/tillit/internal/store/storetest"
)

// buyer is an assessment's input for a purchase by the named person.
func buyer(given, family, dob string) risk.Input {
	return risk.Input{MerchantID: "m", PaymentMethod: "pay_later", Amount: 49_900, Currency: "DKK", PurchaseCountry: "DK",
		BillingCountry: "DK", GivenName: given, FamilyName: family, DateOfBirth: dob, Email: "buyer@example.dk",
		Now: time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)}
}

// TestStage runs the screening stage in the whole assessment on the real
// lists: a listed person is held for manual review (never rejected) with
// SANCTIONS_MATCH, an ordinary name passes, and an analyst's false-positive
// decision for the listed person's identity lets them pass too. The record
// names the lists' version and the number of matches, nothing else.
func TestStage(t *testing.T) {
	db, _ := storetest.Open(t)
	ctx := context.Background()
	d, err := screening.OpenDecisions(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	l := lists(t)
	stage := &screening.Stage{Screener: screening.NewScreener(l), Decisions: d, DB: db}
	assessment := engine.Pipeline(engine.Config{Screening: stage})
	assess := func(in risk.Input) risk.Decision {
		t.Helper()
		dec, err := assessment.Assess(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		return dec
	}
	if len(l.Version()) != screening.VersionLen {
		t.Fatalf("lists version %q", l.Version())
	}

	listed := assess(buyer("Darren", "Debono", "1974-01-09"))
	if listed.Outcome != risk.Pending || len(listed.Reasons) != 1 || listed.Reasons[0] != screening.ReasonSanctionsMatch {
		t.Errorf("listed person: %s %v, want PENDING [SANCTIONS_MATCH]", listed.Outcome, listed.Reasons)
	}
	if listed.Versions["lists"] != l.Version() || listed.Summary["screening_matches"] != "1" {
		t.Errorf("listed person's record: versions %v, summary %v", listed.Versions, listed.Summary)
	}
	own, err := stage.Assess(ctx, buyer("Darren", "Debono", "1974-01-09"))
	if err != nil || own.Outcome != risk.Pending || len(own.Summary) != 1 || len(own.Versions) != 1 {
		t.Errorf("the stage's own decision holds more than the lists' version and the match count: %+v %v", own, err)
	}

	ordinary := assess(buyer("Anna", "Jensen", "1990-01-01"))
	if ordinary.Outcome != risk.Accepted || len(ordinary.Reasons) != 0 {
		t.Errorf("Anna Jensen: %s %v, want ACCEPTED", ordinary.Outcome, ordinary.Reasons)
	}
	if ordinary.Versions["lists"] != l.Version() || ordinary.Summary["screening_matches"] != "0" {
		t.Errorf("Anna Jensen's record: versions %v, summary %v", ordinary.Versions, ordinary.Summary)
	}

	// The family name in capitals and given name first or last: the same
	// identity as the analyst's decision.
	q := screening.ConsumerQuery("Darren", "Debono", "1974-01-09")
	alerts := screening.Alerts(l.Screen(q))
	personID := newPerson(t, db, "darren")
	if err := db.Write(ctx, func(tx *store.Tx) error {
		for _, m := range alerts {
			if _, err := d.MarkFalsePositive(tx, personID, q, m.List, m.EntryID, analyst, "Passport seen: another man of the same name."); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	cleared := assess(buyer("DEBONO", "Darren", "1974-01-09"))
	if cleared.Outcome != risk.Accepted || cleared.Summary["screening_matches"] != "0" {
		t.Errorf("after the false-positive decision: %s %v %v, want ACCEPTED with 0 matches", cleared.Outcome, cleared.Reasons, cleared.Summary)
	}
}

// TestConsumerQuery builds the query from the input's fields: names in
// order, individuals only, a birth date only when it is a date.
func TestConsumerQuery(t *testing.T) {
	q := screening.ConsumerQuery(" Anna ", "Jensen", "1990-01-01")
	if got := screening.Tokens(q.Name); len(got) != 2 || got[0] != "anna" || got[1] != "jensen" {
		t.Errorf("name %q has tokens %v", q.Name, got)
	}
	if q.Type != screening.Individual || !q.BirthDate.Equal(time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("query %+v", q)
	}
	if q := screening.ConsumerQuery("Anna", "Jensen", "1990-13-01"); !q.BirthDate.IsZero() {
		t.Errorf("an impossible date was kept: %v", q.BirthDate)
	}
}
