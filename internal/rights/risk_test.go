package rights_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/tillit/tillit/internal/i18n"
	"github.com/tillit/tillit/internal/privacy"
	"github.com/tillit/tillit/internal/rights"
	"github.com/tillit/tillit/internal/store"
)

// TestRiskRecordsAreInTheAccessExtractAndGoWithErasure: the automated
// decision record of a purchase and the fraud history's keyed hashes are in
// the person's access extract; an erasure keeps the decision record while
// the order's legal claims last and deletes the fraud history, which
// nothing keeps once the person asked to be forgotten.
func TestRiskRecordsAreInTheAccessExtractAndGoWithErasure(t *testing.T) {
	e := newEnv(t)
	if e.buy(anna, "pay_later", 45_000) == "" {
		t.Fatal("the assessment refused an ordinary purchase")
	}
	id := e.person(anna)
	count := func(table string) (n int) {
		e.read(func(tx *store.Tx) error {
			return tx.QueryRow(`SELECT COUNT(*) FROM `+table+` WHERE person_id = $1`, id).Scan(&n)
		})
		return n
	}
	if a, o := count("risk_assessments"), count("risk_observations"); a != 1 || o != 1 {
		t.Fatalf("%d decision records and %d observations, want 1 and 1", a, o)
	}
	var x rights.Extract
	e.read(func(tx *store.Tx) error {
		var err error
		x, err = e.rights.Access(tx, id, i18n.English)
		return err
	})
	if !slices.Contains(x.CategoryIDs(), privacy.CategoryFraud) || !slices.Contains(x.CategoryIDs(), privacy.CategoryLookupKeys) {
		t.Errorf("the extract lacks the fraud or lookup-key categories: %v", x.CategoryIDs())
	}
	raw, err := x.JSON()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"risk_assessments", "risk_observations", `\"model\"`} {
		if !strings.Contains(string(raw), want) {
			t.Errorf("the extract does not show %s", want)
		}
	}

	e.write(func(tx *store.Tx) error {
		_, err := e.rights.Erase(tx, id)
		return err
	})
	if o := count("risk_observations"); o != 0 {
		t.Errorf("after erasure %d observations are left, want 0", o)
	}
}
