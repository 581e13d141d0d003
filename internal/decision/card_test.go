package decision_test

import (
	"slices"
	"testing"

	"github.com/tillit/tillit/internal/decision"
	"github.com/tillit/tillit/internal/ids"
	"github.com/tillit/tillit/internal/risk/credit"
	"github.com/tillit/tillit/internal/store"
)

// cardDecline stores a card authorization of the person at Boots & Co that
// its credit check declined with reasons, and the check's record, as
// package card does.
func (e *env) cardDecline(personID string, amount int64, reasons ...string) {
	e.t.Helper()
	err := e.db.Write(e.ctx, func(tx *store.Tx) error {
		id := ids.New()
		if _, err := tx.Exec(`INSERT INTO card_authorizations (id, network_reference, request_hash, person_id, approved, decline_reason, amount,
			currency, merchant_name, merchant_category, created_at) VALUES ($1, $2, 'hash', $3, FALSE, 'declined_by_risk', $4, 'DKK', 'Boots & Co',
			'5661', $5)`, id, "net-"+id, personID, amount, store.Micros(tx.Now)); err != nil {
			return err
		}
		return decision.RecordCardCredit(tx, decision.CardCredit{AuthorizationID: id, PersonID: personID, MerchantID: e.m.ID, Reasons: reasons,
			Amount: amount, Currency: "DKK", OpenBalance: 100_000, MaxOpenBalance: 100_000, Overdue: 1, PolicyVersion: "credit-test"})
	})
	if err != nil {
		e.t.Fatal(err)
	}
}

// TestCardCreditDecisions: a card purchase's credit check is one credit
// decision, among the checkout's in the order they were taken, named after
// the shop the network named, with what it compared as factors; the person
// may contest it.
func TestCardCreditDecisions(t *testing.T) {
	e := newEnv(t)
	anna := e.authorize(buy{email: "anna@example.dk", amount: 100_000, order: true})
	e.later()
	e.cardDecline(anna, 6_000, credit.ReasonOpenBalanceLimit, credit.ReasonArrears)
	e.later()
	e.authorize(buy{email: "anna@example.dk", amount: 3_000_000})

	ds := e.decisions(anna)
	want := []string{
		"credit:approved[]", "fraud:referred[HIGH_AMOUNT_REVIEW]",
		"credit:refused[CREDIT_OPEN_BALANCE_LIMIT,CREDIT_ARREARS]",
		"credit:approved[]", "fraud:approved[]",
	}
	if got := kinds(ds); !slices.Equal(got, want) {
		t.Fatalf("decisions = %v\nwant %v", got, want)
	}
	d := ds[2]
	if d.MerchantName != "Boots & Co" || d.Amount != 6_000 || d.Currency != "DKK" || d.Reasons[1].Key != "decision.reason.credit_arrears" {
		t.Errorf("the card decision = %+v", d)
	}
	var groups []string
	for _, f := range d.Factors {
		groups = append(groups, f.Key)
	}
	if !slices.Equal(groups, []string{"decision.factor.open_balance", "decision.factor.purchase_amount", "decision.factor.lending_limit",
		"decision.factor.overdue"}) {
		t.Errorf("factors %v", groups)
	}
	if len(d.Versions) != 1 || d.Versions[0].Version != "credit-test" {
		t.Errorf("versions %+v", d.Versions)
	}
	for i, other := range ds {
		if i != 2 && other.Ref == d.Ref {
			t.Errorf("decision %d shares the card decision's reference", i)
		}
	}

	c, err := e.contest(anna, d.Ref, "My earlier purchase was returned.")
	if err != nil || c.Kind != decision.Credit || c.DecisionOutcome != decision.Refused || c.Amount != 6_000 {
		t.Fatalf("contest of the card decision: %+v %v", c, err)
	}
	if open := e.decisions(anna)[2].Open(); open == nil || open.ID != c.ID {
		t.Errorf("the card decision's open contest: %+v", open)
	}
}
