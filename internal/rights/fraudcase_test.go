package rights_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/tillit/tillit/internal/account"
	"github.com/tillit/tillit/internal/fraudcase"
	"github.com/tillit/tillit/internal/i18n"
	"github.com/tillit/tillit/internal/ids"
	"github.com/tillit/tillit/internal/privacy"
	"github.com/tillit/tillit/internal/rights"
	"github.com/tillit/tillit/internal/store"
)

// TestFraudCaseInAccessExtractAndKeptOnErasure: a fraud case about a
// person's order, with their statement, a staff note and a merchant's
// answer, is in their access extract with the texts opened; an erasure
// keeps it for legal claims (restricted), with its texts still sealed
// under the person.
func TestFraudCaseInAccessExtractAndKeptOnErasure(t *testing.T) {
	e := newEnv(t)
	orderID := e.buy(anna, "pay_later", 45_000)
	if orderID == "" {
		t.Fatal("the assessment refused an ordinary purchase")
	}
	id := e.person(anna)
	const (
		statement = "Somebody used my name at this shop"
		note      = "Called her back; she never had an account there"
	)
	c, err := e.app.FraudCases.OpenByConsumer(e.ctx, id, "consumer:test", fraudcase.Opening{OrderID: orderID, Statement: statement})
	if err != nil {
		t.Fatal(err)
	}
	analyst := account.Staff{ID: ids.New(), Role: account.RoleSecurityAnalyst}
	if _, err := e.app.FraudCases.AddNote(e.ctx, analyst, c.ID, c.Version, note, "Call-back"); err != nil {
		t.Fatal(err)
	}
	var x rights.Extract
	e.read(func(tx *store.Tx) (err error) {
		x, err = e.rights.Access(tx, id, i18n.English)
		return err
	})
	raw, err := x.JSON()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"fraud_cases", "fraud_case_events", statement, note} {
		if !strings.Contains(string(raw), want) {
			t.Errorf("the extract does not show %q", want)
		}
	}
	var out rights.Erasure
	e.write(func(tx *store.Tx) (err error) {
		out, err = e.rights.Erase(tx, id)
		return err
	})
	kept := slices.ContainsFunc(out.Kept, func(k rights.Kept) bool {
		return k.Category == privacy.CategoryFraud && slices.Contains(k.Grounds, privacy.PurposeLegalClaims)
	})
	if !kept {
		t.Errorf("the erasure does not keep the fraud case for legal claims: %+v", out.Kept)
	}
	var cases, events int
	e.read(func(tx *store.Tx) error {
		if err := tx.QueryRow(`SELECT COUNT(*) FROM fraud_cases WHERE person_id = $1`, id).Scan(&cases); err != nil {
			return err
		}
		return tx.QueryRow(`SELECT COUNT(*) FROM fraud_case_events e JOIN fraud_cases c ON c.id = e.case_id WHERE c.person_id = $1`, id).Scan(&events)
	})
	if cases != 1 || events != 2 {
		t.Errorf("after erasure %d cases with %d events, want 1 with 2", cases, events)
	}
}
